// The messages between the elicitation page (src/webviews/elicitation.ts) and the extension
// (src/vscode/webviews/elicitationPanel.ts). What the server sent (its message, its schema)
// travels as data, never as HTML. Types only: both sides import them.

import type { FieldError } from './schemaForm/validation';

/** The extension → the page. */
export type ElicitationHostMessage =
  | {
      type: 'init';
      /** This request, among the requests of this window: the page keeps its edits per request. */
      request: number;
      /** Who asks, shown at the top of the form (plain text). */
      server: string;
      message: string;
      /** The requestedSchema: a flat object of string, number, integer, boolean and enum properties; the form starts with its defaults. */
      schema: unknown;
    }
  /** Accept was refused: the extension found these errors. */
  | { type: 'invalid'; errors: FieldError[] };

/** The page → the extension. Escape on the page sends `cancel`. */
export type ElicitationPageMessage = { type: 'ready' } | { type: 'accept'; content: unknown } | { type: 'decline' } | { type: 'cancel' };

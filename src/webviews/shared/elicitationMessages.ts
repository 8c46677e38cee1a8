// The messages between the elicitation page (src/webviews/elicitation.ts) and the extension
// (src/vscode/webviews/elicitationPanel.ts). What the server sent (its message, its schema)
// travels as data, never as HTML. Types only: both sides import them.

/** An error at one field: its JSON pointer ("" for the whole value) and what is wrong. */
export interface ElicitationFieldError {
  pointer: string;
  message: string;
}

/** The extension → the page. */
export type ElicitationHostMessage =
  | {
      type: 'init';
      /** Who asks, shown at the top of the form (plain text). */
      server: string;
      message: string;
      /** The requestedSchema: a flat object of string, number, integer, boolean and enum properties. */
      schema: unknown;
      /** The schema's defaults: what the form starts with. */
      value: Record<string, unknown>;
    }
  /** Accept was refused: the extension found these errors. */
  | { type: 'invalid'; errors: ElicitationFieldError[] };

/** The page → the extension. Escape on the page sends `cancel`. */
export type ElicitationPageMessage = { type: 'ready' } | { type: 'accept'; content: unknown } | { type: 'decline' } | { type: 'cancel' };

// The messages between the call form's page (src/webviews/callForm.ts) and the extension
// (src/vscode/webviews/callFormPanel.ts). Everything a server sent travels as data in these,
// never as HTML. Types only: both sides import them.
import type { FieldError } from './schemaForm/validation';

/** The extension → the page. */
export type CallFormHostMessage =
  | {
      type: 'init';
      server: string;
      tool: string;
      title?: string;
      description?: string;
      schema: unknown;
      /** Arguments to show; the page prefers its saved state when `argumentsVersion` is the one it saved. */
      arguments?: Record<string, unknown>;
      argumentsVersion: number;
    }
  | { type: 'running' }
  | { type: 'progress'; text: string }
  /** The call is refused before sending: the extension found these errors. */
  | { type: 'invalid'; errors: FieldError[] }
  | { type: 'done'; isError: boolean; summary: string; durationMs: number }
  | { type: 'failed'; message: string }
  | { type: 'cancelled' };

/** The page → the extension. */
export type CallFormPageMessage = { type: 'ready' } | { type: 'submit'; arguments: unknown } | { type: 'cancel' };

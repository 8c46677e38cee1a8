// VS Code cancels with a CancellationToken; the core and the SDK with an AbortSignal. This is
// the one bridge between them. It imports `vscode` only for types, so it is unit-tested in Node.

import type * as vscode from 'vscode';
import type { Disposable } from '../core/lifecycle';

/** An AbortSignal that follows a token; dispose() stops listening once the work is done. */
export interface TokenSignal extends Disposable {
  readonly signal: AbortSignal;
}

/**
 * The signal aborts when `token` is cancelled, at once if it already is; without a token it
 * never aborts. Dispose the pair when the work ends, so a long-lived token does not keep a
 * listener per call.
 */
export function abortSignalOf(token: vscode.CancellationToken | undefined): TokenSignal {
  const controller = new AbortController();
  if (token?.isCancellationRequested) controller.abort();
  const listener = controller.signal.aborted ? undefined : token?.onCancellationRequested(() => controller.abort());
  return {
    signal: controller.signal,
    dispose: () => {
      listener?.dispose();
    },
  };
}

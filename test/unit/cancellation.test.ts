// The one bridge from a VS Code CancellationToken to an AbortSignal (src/vscode/cancellation.ts).
// The token is built on the core's Emitter, the way VS Code's CancellationTokenSource builds its own.
import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { Emitter } from '../../src/core/lifecycle';
import { abortSignalOf } from '../../src/vscode/cancellation';

/** A token and its cancel(); `listeners()` counts the listeners still attached. */
function tokenSource(): { token: vscode.CancellationToken; cancel(): void; listeners(): number } {
  const emitter = new Emitter<void>();
  let cancelled = false;
  let listeners = 0;
  const token: vscode.CancellationToken = {
    get isCancellationRequested() {
      return cancelled;
    },
    onCancellationRequested: (listener, thisArgs, disposables) => {
      listeners++;
      const subscription = emitter.event(listener, thisArgs, disposables);
      let attached = true;
      return {
        dispose: () => {
          if (attached) listeners--;
          attached = false;
          subscription.dispose();
        },
      };
    },
  };
  return {
    token,
    cancel: () => {
      if (cancelled) return;
      cancelled = true;
      emitter.fire();
    },
    listeners: () => listeners,
  };
}

describe('abortSignalOf', () => {
  it('aborts the signal when the token is cancelled', () => {
    const source = tokenSource();
    const cancellation = abortSignalOf(source.token);
    let aborts = 0;
    cancellation.signal.addEventListener('abort', () => aborts++);
    assert.equal(cancellation.signal.aborted, false);
    source.cancel();
    assert.equal(cancellation.signal.aborted, true);
    assert.equal(aborts, 1);
    cancellation.dispose();
  });

  it('is aborted at once for a token already cancelled, and listens to nothing', () => {
    const source = tokenSource();
    source.cancel();
    const cancellation = abortSignalOf(source.token);
    assert.equal(cancellation.signal.aborted, true);
    assert.equal(source.listeners(), 0);
    cancellation.dispose();
  });

  it('never aborts without a token', () => {
    const cancellation = abortSignalOf(undefined);
    assert.equal(cancellation.signal.aborted, false);
    cancellation.dispose();
  });

  it('stops listening when disposed: a later cancel leaves the signal alone', () => {
    const source = tokenSource();
    const cancellations = Array.from({ length: 100 }, () => abortSignalOf(source.token));
    assert.equal(source.listeners(), 100);
    for (const cancellation of cancellations) cancellation.dispose();
    assert.equal(source.listeners(), 0, 'a long-lived token keeps no listener per finished call');
    source.cancel();
    assert.ok(cancellations.every((c) => !c.signal.aborted));
  });

  it('can be disposed twice', () => {
    const source = tokenSource();
    const cancellation = abortSignalOf(source.token);
    cancellation.dispose();
    cancellation.dispose();
    assert.equal(source.listeners(), 0);
  });
});

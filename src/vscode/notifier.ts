// User-facing failure messages. A user's own action that fails is always answered (it is
// the answer to what they did). Failures nobody asked about (a crash, a background start)
// produce at most one notification per burst: the first ones within a short window are
// gathered into one message, and later ones until things have been quiet for a while only
// go to the log; the tree and the status bar show the state meanwhile. Never modal. Server
// names and messages come from servers and workspace files: messages.ts escapes what is shown.
//
// One exception keeps what is on screen true: a server whose crash promised a restart (its
// error had restartInMs) and that then ends in an error with no restart coming (the crash-loop
// breaker tripped) is notified again, even within a burst — once per such ending, saying it
// will not be restarted. failureNotice.ts decides each message's wording and actions.

import { notificationText } from '../core/displayText';
import { errorMessage, isMcpSessionError } from '../core/errors';
import { failureNotice, trimPeriod, withSubject, type Failure, type FailureAction } from './failureNotice';
import type { Disposable } from '../core/lifecycle';
import { RingBuffer, type Logger } from '../core/logger';
import { showMessage } from './messages';
import type { SecretRedactor } from '../core/redact';

const gatherMs = 400;
const quietMs = 15_000;

export interface FailureActions {
  showLogs(server: string): void;
  restart(server: string): void;
  openConfiguration(server: string): void;
}

export class FailureNotifier implements Disposable {
  private gathered = new Map<string, Failure>();
  /** Servers whose last background failure promised a restart by the crash supervisor. */
  private readonly restartPromised = new Set<string>();
  private gatherTimer: NodeJS.Timeout | undefined;
  private burstEndsAt = 0;
  /** Servers with a user action in flight: that action reports its own failure. */
  private readonly userActions = new Map<string, number>();
  /** Texts of the notifications shown (escaped), newest last: what tests check "one per burst" against. */
  private readonly shown = new RingBuffer<string>(50);
  private disposed = false;

  constructor(
    private readonly actions: FailureActions,
    private readonly redactor: SecretRedactor,
    private readonly logger: Logger,
  ) {}

  /** Runs a user action on `server`; background failures of that server are not notified meanwhile. */
  async duringUserAction<T>(server: string, action: () => Promise<T>): Promise<T> {
    this.userActions.set(server, (this.userActions.get(server) ?? 0) + 1);
    try {
      return await action();
    } finally {
      const left = (this.userActions.get(server) ?? 1) - 1;
      if (left > 0) this.userActions.set(server, left);
      else this.userActions.delete(server);
    }
  }

  /** True while a user action on `server` runs: someone is there to be asked (the sign-in consent uses it). */
  isUserActing(server: string): boolean {
    return this.userActions.has(server);
  }

  /** A failure nobody asked about (an error state). */
  backgroundFailure(server: string, failure: Failure): void {
    if (this.disposed) return;
    // A restart was promised (on screen or in the log) and will not come: that ending is always told.
    const restartWithdrawn = failure.restartInMs === undefined && this.restartPromised.delete(server);
    if (failure.restartInMs !== undefined) this.restartPromised.add(server);
    if (this.userActions.has(server)) return;
    const now = Date.now();
    const inBurst = now < this.burstEndsAt;
    this.burstEndsAt = now + quietMs;
    if (inBurst && !this.gatherTimer && !restartWithdrawn) {
      this.logger.info(`Not notifying about "${server}" (a notification was shown for this burst of failures): ${this.redactor.redact(failure.message)}`);
      return;
    }
    this.gathered.set(server, failure);
    this.gatherTimer ??= setTimeout(() => this.flush(), gatherMs);
  }

  /** The server stopped (the user stopped it, or a start was cancelled): no restart of its is pending any more. */
  forgetRestart(server: string): void {
    this.restartPromised.delete(server);
  }

  private flush(): void {
    this.gatherTimer = undefined;
    const failures = [...this.gathered];
    this.gathered.clear();
    if (this.disposed || failures.length === 0) return;
    if (failures.length === 1) {
      const [server, failure] = failures[0];
      const notice = failureNotice(server, this.redacted(failure));
      void this.show(server, notice.text, notice.actions);
      return;
    }
    const names = failures.map(([server]) => `"${server}"`).join(', ');
    void this.show(failures[0][0], `${failures.length} MCP servers failed: ${names}. The Tool Explorer shows each one's error.`, ['Show Logs']);
  }

  /**
   * A user's action failed: always shown, naming the server once, with the actions that fit
   * the error (failureNotice.ts) after `extraActions`. `failure`: the error, or a message.
   */
  userFailure(server: string | undefined, failure: unknown, extraActions: string[] = []): Thenable<string | undefined> {
    // It opens the burst, so the state change that follows it does not notify again.
    this.burstEndsAt = Date.now() + quietMs;
    if (this.disposed) return Promise.resolve(undefined);
    if (!server) {
      const text = trimPeriod(this.redactor.redact(errorMessage(failure))) + '.';
      this.shown.push(notificationText(text));
      return showMessage('error', text, ...extraActions);
    }
    if (isMcpSessionError(failure)) {
      const { exitCode, signal, stderrTail, retryable } = failure.details;
      // A start-failed that does not say it is retryable is one no retry can fix (an invalid definition).
      const notice = failureNotice(server, this.redacted({ code: failure.code, message: failure.message, retryable: retryable ?? false, exitCode, signal, stderrTail }));
      return this.show(server, notice.text, [...extraActions, ...notice.actions]);
    }
    const text = withSubject(server, trimPeriod(this.redactor.redact(errorMessage(failure)))) + '.';
    return this.show(server, text, [...extraActions, 'Show Logs']);
  }

  private redacted(failure: Failure): Failure {
    return { ...failure, message: this.redactor.redact(failure.message), stderrTail: failure.stderrTail?.map((line) => this.redactor.redact(line)) };
  }

  /** A configuration with errors: one warning per new set of errors (the caller decides when). Resolves true for "Open Configuration". */
  async configurationProblem(text: string): Promise<boolean> {
    if (this.disposed) return false;
    this.shown.push(notificationText(text));
    return (await showMessage('warning', text, 'Open Configuration')) !== undefined;
  }

  get history(): string[] {
    return this.shown.toArray();
  }

  private async show(server: string, text: string, choices: string[]): Promise<string | undefined> {
    this.logger.warn(text);
    this.shown.push(notificationText(text));
    const choice = await showMessage('error', text, ...choices);
    const handlers: Record<FailureAction, (server: string) => void> = {
      'Show Logs': (name) => this.actions.showLogs(name),
      Restart: (name) => this.actions.restart(name),
      'Open Configuration': (name) => this.actions.openConfiguration(name),
    };
    if (choice && choice in handlers) handlers[choice as FailureAction](server);
    return choice;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.gatherTimer);
  }
}

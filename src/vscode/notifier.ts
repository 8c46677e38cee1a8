// User-facing failure messages. A user's own action that fails is always answered (it is
// the answer to what they did). Failures nobody asked about (a crash, a background start)
// produce at most one notification per burst: the first ones within a short window are
// gathered into one message, and later ones until things have been quiet for a while only
// go to the log; the tree and the status bar show the state meanwhile. Never modal. Server
// names and messages come from servers and workspace files: messages.ts escapes what is shown.

import { notificationText } from '../core/displayText';
import type { Disposable } from '../core/lifecycle';
import { RingBuffer, type Logger } from '../core/logger';
import { showMessage } from './messages';
import type { SecretRedactor } from '../core/redact';

const gatherMs = 400;
const quietMs = 15_000;

export interface FailureActions {
  showLogs(server: string): void;
  restart(server: string): void;
}

export class FailureNotifier implements Disposable {
  private gathered = new Map<string, string>();
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

  /** A failure nobody asked about. */
  backgroundFailure(server: string, message: string): void {
    if (this.disposed || this.userActions.has(server)) return;
    const now = Date.now();
    const inBurst = now < this.burstEndsAt;
    this.burstEndsAt = now + quietMs;
    if (inBurst && !this.gatherTimer) {
      this.logger.info(`Not notifying about "${server}" (a notification was shown for this burst of failures): ${this.redactor.redact(message)}`);
      return;
    }
    this.gathered.set(server, message);
    this.gatherTimer ??= setTimeout(() => this.flush(), gatherMs);
  }

  private flush(): void {
    this.gatherTimer = undefined;
    const failures = [...this.gathered];
    this.gathered.clear();
    if (this.disposed || failures.length === 0) return;
    if (failures.length === 1) {
      const [server, message] = failures[0];
      void this.show(server, `MCP server "${server}" failed: ${trimPeriod(this.redactor.redact(message))}.`, ['Show Logs', 'Restart']);
      return;
    }
    const names = failures.map(([server]) => `"${server}"`).join(', ');
    void this.show(failures[0][0], `${failures.length} MCP servers failed: ${names}. The Tool Explorer shows each one's error.`, ['Show Logs']);
  }

  /** A user's action failed: always shown, naming the server, with Show Logs. */
  userFailure(server: string | undefined, message: string, extraActions: string[] = []): Thenable<string | undefined> {
    // It opens the burst, so the state change that follows it does not notify again.
    this.burstEndsAt = Date.now() + quietMs;
    const text = trimPeriod(this.redactor.redact(message)) + '.';
    if (this.disposed) return Promise.resolve(undefined);
    if (!server) {
      this.shown.push(notificationText(text));
      return showMessage('error', text, ...extraActions);
    }
    return this.show(server, text, [...extraActions, 'Show Logs']);
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
    if (choice === 'Show Logs') this.actions.showLogs(server);
    if (choice === 'Restart') this.actions.restart(server);
    return choice;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.gatherTimer);
  }
}

function trimPeriod(text: string): string {
  return text.trim().replace(/[.\s]+$/, '');
}

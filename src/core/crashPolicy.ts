// What a session does when its server ends unexpectedly: an object the owner is given, after
// vscode-languageclient's ErrorHandler → CloseAction. The session reports each crash (or failed
// restart) and follows the answer; it holds no restart logic of its own.

import type { SupervisorOptions } from './api';

export type CrashAction =
  /** Start the server again after `delayMs`. */
  | { action: 'restart'; delayMs: number }
  /**
   * Leave the server in error. `message` replaces the plain account of the crash; `final`: only
   * a person's start may start it again (no start on first use).
   */
  | { action: 'stop'; message?: string; final: boolean };

export interface CrashPolicy {
  /** The server `server` ended: `why` says how ("exited with code 9"). Counts the crash. */
  crashed(server: string, why: string, now: number): CrashAction;
  /** Crashes counted now, for the snapshot. */
  recentCrashes(now: number): number;
  /** True after a `final` stop until reset(): starts on first use are refused. */
  gaveUp(now: number): boolean;
  /** A person started the server: forget earlier crashes. */
  reset(): void;
}

/** Counts crashes in a sliding window. */
class CrashWindow {
  private times: number[] = [];

  constructor(private readonly windowMs: number) {}

  add(now: number): number {
    this.times.push(now);
    return this.count(now);
  }

  count(now: number): number {
    this.times = this.times.filter((t) => now - t < this.windowMs);
    return this.times.length;
  }

  clear(): void {
    this.times = [];
  }
}

function describeWindow(windowMs: number): string {
  const minutes = Math.round(windowMs / 60000);
  return minutes >= 1 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${Math.round(windowMs / 1000)} s`;
}

/**
 * Restarts with exponential backoff; `maxCrashes` crashes within `windowMs` trip a breaker
 * ("crashed 5 times in the last 3 minutes… will not be restarted"). With `restartOnCrash: false`
 * it never restarts but still trips the breaker.
 */
export class BackoffCrashPolicy implements CrashPolicy {
  private readonly window: CrashWindow;

  constructor(private readonly options: SupervisorOptions) {
    this.window = new CrashWindow(options.windowMs);
  }

  crashed(server: string, why: string, now: number): CrashAction {
    const crashes = this.window.add(now);
    const { maxCrashes, windowMs, restartOnCrash, initialBackoffMs, maxBackoffMs } = this.options;
    if (crashes >= maxCrashes) {
      const message = `"${server}" crashed ${crashes} times in the last ${describeWindow(windowMs)} and will not be restarted. Last: ${why}. Start it again once the problem is fixed.`;
      return { action: 'stop', message, final: true };
    }
    if (!restartOnCrash) return { action: 'stop', final: false };
    return { action: 'restart', delayMs: Math.min(maxBackoffMs, initialBackoffMs * 2 ** (crashes - 1)) };
  }

  recentCrashes(now: number): number {
    return this.window.count(now);
  }

  gaveUp(now: number): boolean {
    return this.window.count(now) >= this.options.maxCrashes;
  }

  reset(): void {
    this.window.clear();
  }
}

/** Never restarts: for a caller that runs one command and exits (the CLI). Counts crashes for the snapshot. */
export class NeverRestartPolicy implements CrashPolicy {
  private readonly window = new CrashWindow(3 * 60_000);

  crashed(_server: string, _why: string, now: number): CrashAction {
    this.window.add(now);
    return { action: 'stop', final: false };
  }

  recentCrashes(now: number): number {
    return this.window.count(now);
  }

  gaveUp(): boolean {
    return false;
  }

  reset(): void {
    this.window.clear();
  }
}

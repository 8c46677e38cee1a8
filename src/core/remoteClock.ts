// Notices that the machine slept. Node's timers run on a monotonic clock that stops while the
// machine is suspended, so after a wake a remote server's old state (its connection, its
// session) says nothing: a tick of a short interval that finds the wall clock far ahead of
// where it should be means time passed that the process did not see. Listeners (every open
// remote connection) then check their server at once instead of waiting for the next ping.
//
// The registry owns one detector; it ticks only while someone listens.

import { Emitter, toDisposable, type Disposable, type Event } from './lifecycle';
import type { Logger } from './logger';

export interface Clock {
  /** Wall-clock time in ms (Date.now). */
  now(): number;
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setInterval: (callback, ms) => {
    const handle = setInterval(callback, ms);
    // Never keeps a host (the CLI, a test) alive by itself.
    handle.unref();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

export interface ClockJump {
  /** Wall-clock ms between the two ticks. */
  elapsedMs: number;
  /** What it should have been: the tick interval. */
  expectedMs: number;
}

export interface ClockJumpOptions {
  /** Tick interval. Default 2 s. */
  tickMs?: number;
  /** A tick this much later than scheduled counts as a jump. Default 5 s. */
  thresholdMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export class ClockJumpDetector implements Disposable {
  private readonly tickMs: number;
  private readonly thresholdMs: number;
  private readonly clock: Clock;
  private readonly logger: Logger | undefined;
  private readonly emitter = new Emitter<ClockJump>();
  private listeners = 0;
  private timer: unknown;
  private lastTick = 0;
  private disposed = false;

  constructor(options: ClockJumpOptions = {}) {
    this.tickMs = options.tickMs ?? 2000;
    this.thresholdMs = options.thresholdMs ?? 5000;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
  }

  /** Subscribing starts the ticking; it stops again when the last listener is disposed. */
  readonly onJump: Event<ClockJump> = (listener, thisArgs, disposables) => {
    if (this.disposed) return toDisposable(() => undefined);
    const subscription = this.emitter.event(listener, thisArgs);
    if (this.listeners++ === 0) this.start();
    const result = toDisposable(() => {
      subscription.dispose();
      if (--this.listeners === 0) this.stop();
    });
    disposables?.push(result);
    return result;
  };

  get isTicking(): boolean {
    return this.timer !== undefined;
  }

  private start(): void {
    this.lastTick = this.clock.now();
    this.timer = this.clock.setInterval(() => this.tick(), this.tickMs);
  }

  private stop(): void {
    if (this.timer === undefined) return;
    this.clock.clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const now = this.clock.now();
    const elapsedMs = now - this.lastTick;
    this.lastTick = now;
    // A backward step (the clock was set back) is no sign of sleep.
    if (elapsedMs <= this.tickMs + this.thresholdMs) return;
    this.logger?.info(`The clock jumped ${Math.round(elapsedMs / 1000)} s ahead (the machine probably slept); checking remote servers`);
    this.emitter.fire({ elapsedMs, expectedMs: this.tickMs });
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
    this.emitter.dispose();
  }
}

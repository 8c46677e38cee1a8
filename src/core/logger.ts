// The core logs through this interface; the extension backs it with a LogOutputChannel,
// the CLI with stderr, tests with an in-memory list.

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const nullLogger: Logger = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
};

const order: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

/** A logger that writes `[level] message` lines through `write`, dropping levels below `min`. */
export function lineLogger(write: (line: string) => void, min: LogLevel = 'info'): Logger {
  const at = (level: LogLevel) => (message: string) => {
    if (order[level] >= order[min]) write(`[${level}] ${message}`);
  };
  return { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Keeps the last `capacity` lines; used for each server's stderr and protocol log. */
export class RingBuffer<T> {
  private readonly items: T[] = [];

  constructor(readonly capacity: number) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.capacity) this.items.shift();
  }

  toArray(): T[] {
    return [...this.items];
  }
}

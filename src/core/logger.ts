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

/** Longest line kept in a server log (stderr, notifications/message, trace); a server can send far more. */
export const maxLogLineChars = 4096;

/** How far past the cut a text is redacted before cutting: longer than any secret's spelling we expect. */
const redactionMarginChars = 4096;

/**
 * `text` cut to `maxChars`, with a marker saying how much was dropped: a line kept in a log or
 * shown in a tooltip must not hold a server's 4 MiB message alive. Given `redact`, the part
 * kept is redacted before the cut: a cut through a secret leaves a prefix no redactor can
 * recognise afterwards.
 */
export function truncateText(text: string, maxChars = maxLogLineChars, redact?: (text: string) => string): string {
  if (text.length <= maxChars) return text;
  const head = redact ? redact(text.slice(0, maxChars + redactionMarginChars)) : text;
  // Never split a surrogate pair.
  const cut = /[\uDC00-\uDFFF]/.test(head[maxChars] ?? '') ? maxChars - 1 : maxChars;
  const dropped = Buffer.byteLength(text, 'utf8') - Buffer.byteLength(head.slice(0, cut), 'utf8');
  // A copy, not a slice: V8's sliced strings keep the whole original alive.
  const kept = Buffer.from(head.slice(0, cut), 'utf8').toString('utf8');
  return `${kept}… [truncated ${Math.max(0, dropped).toLocaleString('en-US')} bytes]`;
}

/** A size in bytes as people read it: "32 MiB", "512 KiB". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / 1024 / 1024} MiB`;
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}

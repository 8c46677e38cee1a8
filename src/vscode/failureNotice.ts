// What a failure notification says and offers, decided by the failure's code (core/errors.ts),
// never by its wording. Pure (no `vscode`), so it is unit-tested in plain Node; notifier.ts
// redacts and shows what this returns, and messages.ts escapes it.
//
//   configuration: the command is missing or not executable, the definition is invalid
//                  (start-failed, not retryable) → "Open Configuration"
//   crash:         the process exited (crashed, or start-failed with an exit) → "Show Logs",
//                  with the last stderr lines in the message
//   transient:     a timeout, an unreachable or expired remote, an initialize that timed out
//                  → "Restart"

import type { McpErrorCode } from '../core/errors';

export type FailureAction = 'Open Configuration' | 'Show Logs' | 'Restart';

export type FailureKind = 'configuration' | 'crash' | 'transient' | 'other';

/** A failure as the notifier gets it: from an error state (core/api.ts) or an McpSessionError. */
export interface Failure {
  code: McpErrorCode;
  message: string;
  retryable: boolean;
  exitCode?: number | null;
  signal?: string | null;
  stderrTail?: string[];
  /** A crash the supervisor will restart after this delay. */
  restartInMs?: number;
}

export interface FailureNotice {
  text: string;
  actions: FailureAction[];
}

/** Stderr lines quoted in a notification, each cut to this length. */
export const quotedStderrLines = 3;
const quotedLineChars = 160;

export function failureKind(failure: Failure): FailureKind {
  const exited = failure.exitCode !== undefined || failure.signal !== undefined;
  switch (failure.code) {
    case 'crashed':
      return 'crash';
    case 'start-failed':
      if (exited) return 'crash';
      return failure.retryable ? 'transient' : 'configuration';
    case 'timeout':
    case 'connection':
    case 'session-expired':
      return 'transient';
    default:
      return 'other';
  }
}

const actionsByKind: Record<FailureKind, FailureAction[]> = {
  configuration: ['Open Configuration', 'Show Logs'],
  crash: ['Show Logs'],
  transient: ['Restart', 'Show Logs'],
  other: ['Show Logs'],
};

/** The notification for one server's failure: the server named once, the stderr tail of a crash, actions that can help. */
export function failureNotice(server: string, failure: Failure): FailureNotice {
  const kind = failureKind(failure);
  let text = withSubject(server, trimPeriod(failure.message)) + '.';
  if (kind === 'crash') {
    const tail = (failure.stderrTail ?? [])
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .slice(-quotedStderrLines)
      .map((line) => (line.length > quotedLineChars ? `${line.slice(0, quotedLineChars - 1)}…` : line));
    if (tail.length > 0) text += ` Last stderr output: ${tail.join(' | ')}`;
  }
  return { text, actions: actionsByKind[kind] };
}

/** "MCP server "x" exited…" when the message starts with the name, the message when it names it elsewhere, else "MCP server "x" failed: …". */
export function withSubject(server: string, message: string): string {
  const quoted = `"${server}"`;
  if (message.startsWith(quoted)) return `MCP server ${message}`;
  if (message.includes(quoted)) return message;
  return `MCP server ${quoted} failed: ${message}`;
}

export function trimPeriod(text: string): string {
  return text.trim().replace(/[.\s]+$/, '');
}

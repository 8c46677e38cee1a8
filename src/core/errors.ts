// Every failure that reaches a caller is an McpSessionError that names the server and says
// what kind of failure it was, so commands, the CLI and the API can react by `code`.

export type McpErrorCode =
  | 'not-found' // no server with that name is configured
  | 'not-running' // the server is stopped or in error and was not started
  | 'start-failed' // connect / initialize failed (exit before initialize, timeout, bad command)
  | 'crashed' // the server exited while the call was in flight
  | 'timeout' // the call ran past its timeout
  | 'cancelled' // the caller cancelled
  | 'tool-error' // the tool answered with isError: true
  | 'protocol' // the server answered with a JSON-RPC error or something malformed
  | 'connection' // a remote server could not be reached or the connection dropped
  | 'session-expired' // a remote session expired and the call was not safe to retry
  | 'needs-sign-in' // a remote server needs an OAuth sign-in that only a person can give (see oauth.ts)
  | 'tool-disabled' // the tool is switched off in this workspace (toolPreferences.ts); nothing was sent
  | 'shut-down'; // the registry is shut down

export class McpSessionError extends Error {
  constructor(
    readonly code: McpErrorCode,
    readonly server: string,
    message: string,
    readonly details: {
      exitCode?: number | null;
      signal?: string | null;
      stderrTail?: string[];
      cause?: unknown;
      retryable?: boolean;
      /** The tool result, for `tool-error`. */
      result?: unknown;
    } = {},
  ) {
    super(message);
    this.name = 'McpSessionError';
  }

  /** The message followed by the server's last stderr lines, for logs and the CLI. */
  describe(): string {
    const tail = this.details.stderrTail?.filter((l) => l.trim() !== '') ?? [];
    if (tail.length === 0) return this.message;
    return `${this.message}\nLast stderr lines of "${this.server}":\n${tail.map((l) => `  ${l}`).join('\n')}`;
  }
}

export function isMcpSessionError(e: unknown, code?: McpErrorCode): e is McpSessionError {
  return e instanceof McpSessionError && (code === undefined || e.code === code);
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Describes how a process ended: "exited with code 3" / "was killed by SIGKILL". */
export function describeExit(code: number | null | undefined, signal: string | null | undefined): string {
  if (signal) return `was killed by ${signal}`;
  if (code === null || code === undefined) return 'exited';
  return `exited with code ${code}`;
}

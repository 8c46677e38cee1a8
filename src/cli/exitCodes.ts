// Exit codes of mcp-sessions (docs/cli.md), and how a failure maps to one.

import { isMcpSessionError } from '../core/errors';

export const ExitCode = {
  ok: 0,
  /** The tool answered with isError: true. */
  toolError: 1,
  /** Bad arguments, an unusable configuration, an unknown server or tool, a missing input. */
  usage: 2,
  /** The server could not be started, crashed, or the connection failed. */
  serverFailure: 3,
  timeout: 4,
  interrupted: 130,
} as const;

/** 128 + the signal's number, as shells report a process ended by that signal. */
export const signalExitCodes: Record<'SIGHUP' | 'SIGINT' | 'SIGTERM', number> = {
  SIGHUP: 129,
  SIGINT: 130,
  SIGTERM: 143,
};

/** A failure the CLI reports itself: a message for stderr and the exit code. */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function usageError(message: string): CliError {
  return new CliError(ExitCode.usage, message);
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (!isMcpSessionError(error)) return ExitCode.serverFailure;
  switch (error.code) {
    case 'tool-error':
      return ExitCode.toolError;
    case 'not-found':
      return ExitCode.usage;
    case 'timeout':
      return ExitCode.timeout;
    case 'cancelled':
      return ExitCode.interrupted;
    default:
      return ExitCode.serverFailure;
  }
}

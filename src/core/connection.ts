// The contract between a session and the thing that connects it: stdio.ts for child
// processes, remote.ts for Streamable HTTP / SSE. A session makes one Connection per
// connection attempt and owns it until close() settles.

import type { Client, JSONRPCMessage, PriorDiscovery, RequestOptions } from '@modelcontextprotocol/client';
import type { ServerDefinition } from './definitions';
import { formatBytes, type Logger } from './logger';

/** Largest single JSON-RPC message accepted from a server: large results fit, an editor survives. */
export const defaultMaxMessageBytes = 32 * 1024 * 1024;

/** Why a connection ended when a server sent more than `limitBytes` in one message. */
export function messageTooLargeReason(server: string, limitBytes: number): string {
  return `"${server}" sent a message larger than the ${formatBytes(limitBytes)} limit for one message, so the connection was closed (raise the maximum message size if the server needs it)`;
}

export interface ConnectionHooks {
  /** Server log lines: stderr of a stdio server, transport diagnostics of a remote one. */
  log(line: string, stream: 'stderr' | 'stdout-noise' | 'transport'): void;
  /**
   * The connection ended without close() being called: the process exited, the socket
   * dropped, a ping timed out. Called at most once, and only after connect resolved (an end
   * during connect rejects the connect instead). Called before the client learns of the close.
   */
  onUnexpectedEnd(end: ConnectionEnd): void;
}

export interface ConnectionEnd {
  reason: string;
  exitCode?: number | null;
  signal?: string | null;
  stderrTail?: string[];
}

export type CloseOutcome =
  | 'closed' // a remote connection was closed (session terminated where supported)
  | 'already-exited' // the process had exited before close began
  | 'exited-on-stdin-close' // the server exited after its stdin was closed
  | 'exited-on-sigterm' // the process group was sent SIGTERM and exited
  | 'killed' // the process group was sent SIGKILL
  | 'survived'; // something in the group could not be ended within the bound

export interface CloseReport {
  outcome: CloseOutcome;
  durationMs: number;
}

export interface CloseOptions {
  /** Wait this long for the server to exit after stdin closes (MCP spec: close stdin first). */
  stdinGraceMs: number;
  /** Wait this long after SIGTERM before SIGKILL. */
  termGraceMs: number;
  /** Epoch ms by which close must have finished; the graces shrink to fit it. */
  deadline?: number;
}

export interface Connection {
  readonly client: Client;
  readonly kind: 'stdio' | 'http' | 'sse';
  /** The process id of a stdio server (its process group leader). */
  readonly pid?: number;
  /** 1 when the server exited on the era probe and was started again in legacy mode (stdio.ts), else 0. */
  readonly legacyRestarts?: number;
  /** Process-group-aware, bounded close. Idempotent: later calls return the first result. */
  close(options: CloseOptions): Promise<CloseReport>;
}

/** Which protocol era a connection speaks, and the exact revision ("2026-07-28", "2025-11-25"). */
export interface ProtocolInfo {
  era: 'modern' | 'legacy';
  version: string;
}

/** The era and revision a connected client negotiated. */
export function protocolOf(client: Client): ProtocolInfo {
  return { era: client.getProtocolEra() === 'modern' ? 'modern' : 'legacy', version: client.getNegotiatedProtocolVersion() ?? 'unknown' };
}

/** "MCP 2026-07-28", for logs and states. */
export function describeProtocol(protocol: ProtocolInfo): string {
  return `MCP ${protocol.version}`;
}

/**
 * A cheap request that proves the server answers: `ping` on the 2025 era; the 2026-07-28
 * era has no ping, so `server/discover` (side-effect free, answered by every modern server).
 */
export function heartbeat(client: Client, options: RequestOptions): Promise<unknown> {
  return client.getProtocolEra() === 'modern' ? client.discover(options) : client.ping(options);
}

export interface ConnectRequest {
  definition: ServerDefinition;
  /** A fresh SDK client for this attempt, with the session's handlers installed. */
  createClient(): Client;
  /**
   * The era verdict cached for this definition: connect without the `server/discover` probe.
   * Undefined: probe (`versionNegotiation: 'auto'`).
   */
  prior?: PriorDiscovery;
  /** connect() must settle (resolve or reject) within this bound. */
  connectTimeoutMs: number;
  /** Aborted when the session gives up on this attempt (stop during start, shutdown). */
  signal: AbortSignal;
  hooks: ConnectionHooks;
  logger: Logger;
  /** Environment for stdio servers before the definition's `env` is applied. */
  baseEnv: NodeJS.ProcessEnv;
  /** Records spawned process groups so a later run can sweep survivors. */
  ledger?: ProcessLedgerLike;
  /** Options used to close this attempt's process if connect fails midway. */
  closeOptions: CloseOptions;
  /** Largest single message accepted; a larger one ends the connection. Default defaultMaxMessageBytes. */
  maxMessageBytes?: number;
  /** Receives every JSON-RPC message when protocol tracing is on. */
  trace?(direction: 'send' | 'receive', message: JSONRPCMessage): void;
  /** Told the secret values of a stdio server's envFile when it is read. */
  redactor?: import('./redact').SecretRedactor;
  /** Authorizes the requests of a remote server with OAuth (oauth.ts); undefined when it needs none. */
  authProvider?: import('@modelcontextprotocol/client').OAuthClientProvider;
}

export interface ProcessLedgerLike {
  record(entry: { pid: number; server: string; command: string }): void;
  remove(pid: number): void;
}

export type Connector = (request: ConnectRequest) => Promise<Connection>;

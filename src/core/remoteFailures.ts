// What a failed remote request means, and what the session may do about it. The SDK reports
// a dead HTTP server only as errors on individual requests and streams (never through
// onclose), so the connector and the session read those errors here.

import { SdkHttpError, SseError, type Client, type Tool } from '@modelcontextprotocol/client';
import type { Connection } from './connection';
import { errorMessage } from './errors';

export type RemoteFailure =
  /** The server could not be reached, or the socket closed under a request. */
  | { kind: 'network'; detail: string }
  /** HTTP 404 for a request that carried a session id: the server forgot the session. */
  | { kind: 'session-expired'; detail: string }
  /** An SSE stream ended with an error; the server may be gone or only the stream dropped. */
  | { kind: 'stream-lost'; detail: string };

/** Error codes of Node's sockets and of undici (the fetch behind the SDK) that mean "unreachable". */
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** The SDK rewraps stream failures as plain Errors, keeping only the text of the cause. */
const networkText = /fetch failed|socket hang up|other side closed|\bterminated\b|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN/;
const streamLostText = /^(SSE stream disconnected|Failed to reconnect SSE stream|Maximum reconnection attempts)/;

function networkCode(e: unknown): string | undefined {
  for (let cause = e, depth = 0; cause && typeof cause === 'object' && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && networkCodes.has(code)) return code;
  }
  return undefined;
}

/** Classifies a transport error; undefined when it is none of the failures above. */
export function classifyRemoteFailure(e: unknown): RemoteFailure | undefined {
  if (e instanceof SdkHttpError) {
    if (e.status !== 404) return undefined;
    // Many servers without a GET stream answer its GET with 404 rather than 405: only a ping
    // (a POST) can tell that apart from an expired session.
    if (e.message.includes('Failed to open SSE stream')) return { kind: 'stream-lost', detail: 'the GET stream was refused with HTTP 404' };
    return { kind: 'session-expired', detail: 'HTTP 404' };
  }
  if (e instanceof SseError) return { kind: 'stream-lost', detail: errorMessage(e) };
  if (!(e instanceof Error) || e.name === 'AbortError') return undefined;
  const code = networkCode(e);
  const message = e.message;
  // The legacy SSE transport reports a rejected POST as a plain Error with the status in its text.
  if (/\(HTTP 404\)/.test(message)) return { kind: 'session-expired', detail: 'HTTP 404' };
  if (streamLostText.test(message)) return { kind: 'stream-lost', detail: message };
  if (code || networkText.test(message)) return { kind: 'network', detail: code && !message.includes(code) ? `${message} (${code})` : message };
  return undefined;
}

/**
 * A connection that starts a new session by itself when the server forgets the current one
 * (remote.ts). The session asks it whether a failed request was lost with an expired session.
 */
export interface SessionRecovery {
  /** The re-initialization under way, if any; requests wait for it before they are sent. */
  readonly recovering: Promise<void> | undefined;
  /**
   * When `client` was retired because the server forgot its session: the re-initialization
   * that replaced it (it rejects when no new session could be started; the connection has then
   * ended through onUnexpectedEnd). Undefined for a client that was not retired.
   */
  recoveryFor(client: Client): Promise<void> | undefined;
}

export function sessionRecoveryOf(connection: Connection): SessionRecovery | undefined {
  const candidate = connection as Connection & Partial<SessionRecovery>;
  return typeof candidate.recoveryFor === 'function' ? (candidate as Connection & SessionRecovery) : undefined;
}

/** A tool call may be sent again after its session expired only when the tool says repeating it is harmless. */
export function isRetrySafeTool(tools: readonly Tool[] | undefined, name: string): boolean {
  const annotations = tools?.find((t) => t.name === name)?.annotations;
  return annotations?.readOnlyHint === true || annotations?.idempotentHint === true;
}

// Connects remote servers: Streamable HTTP by default, falling back to legacy SSE only when
// the initialize POST fails with a 4xx status other than 401 (a server that predates
// Streamable HTTP answers 404 or 405); `type: "sse"` forces SSE. Headers come from the
// configuration and are never logged. Closing terminates the HTTP session (DELETE) first.

import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport, SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CloseOptions, CloseReport, Connection, ConnectRequest, Connector } from './connection';
import { redactUrl, type RemoteServerDefinition } from './definitions';
import { McpSessionError, errorMessage } from './errors';
import { authorizingFetch } from './oauth';

/** Bound on the DELETE that terminates an HTTP session at close. */
const terminateTimeoutMs = 1000;

function httpStatus(e: unknown): number | undefined {
  if (e instanceof StreamableHTTPError || e instanceof SseError) return e.code;
  return undefined;
}

/** A 4xx other than 401 on the initialize POST means the server does not speak Streamable HTTP. */
export function shouldFallBackToSse(e: unknown): boolean {
  const status = httpStatus(e);
  return status !== undefined && status >= 400 && status < 500 && status !== 401;
}

async function connectWithin(client: Client, transport: Transport, request: ConnectRequest, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const abort = () => void transport.close().catch(() => undefined);
  request.signal.addEventListener('abort', abort, { once: true });
  try {
    await Promise.race([
      client.connect(transport, { timeout: request.connectTimeoutMs, signal: request.signal }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new McpSessionError('start-failed', name, `"${name}" did not answer initialize within ${request.connectTimeoutMs} ms.`, { retryable: true })),
          request.connectTimeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    request.signal.removeEventListener('abort', abort);
  }
}

export const connectRemote: Connector = async (request: ConnectRequest): Promise<Connection> => {
  const def = request.definition as RemoteServerDefinition;
  const name = def.name;
  let url: URL;
  try {
    url = new URL(def.url);
  } catch {
    throw new McpSessionError('start-failed', name, `"${name}" has an invalid URL.`, { retryable: false });
  }
  const requestInit: RequestInit = { headers: def.headers };
  const fetch = request.authProvider && authorizingFetch(request.authProvider, url, { log: (line) => request.hooks.log(line, 'transport') });
  const shown = redactUrl(def.url);

  const attempt = async (kind: 'http' | 'sse'): Promise<{ client: Client; transport: Transport }> => {
    const client = request.createClient();
    const transport: Transport = kind === 'http' ? new StreamableHTTPClientTransport(url, { requestInit, fetch }) : new SSEClientTransport(url, { requestInit, fetch });
    await connectWithin(client, transport, request, name);
    return { client, transport };
  };

  let connected: { client: Client; transport: Transport };
  let kind: 'http' | 'sse' = def.kind;
  try {
    try {
      connected = await attempt(kind);
    } catch (e) {
      if (kind !== 'http' || !shouldFallBackToSse(e) || request.signal.aborted) throw e;
      request.hooks.log(`Streamable HTTP initialize failed with HTTP ${httpStatus(e)}; falling back to legacy SSE`, 'transport');
      kind = 'sse';
      connected = await attempt(kind);
    }
  } catch (e) {
    if (request.signal.aborted) throw new McpSessionError('cancelled', name, `Connecting to "${name}" was cancelled.`);
    if (e instanceof McpSessionError) throw e;
    const status = httpStatus(e);
    const why = status === 401 ? 'the server requires authorization (HTTP 401)' : status ? `HTTP ${status}` : errorMessage(e);
    throw new McpSessionError('start-failed', name, `Could not connect to "${name}" at ${shown}: ${why}.`, { retryable: status !== 401, cause: e });
  }
  request.logger.info(`Connected to "${name}" at ${shown} over ${kind === 'http' ? 'Streamable HTTP' : 'SSE'}`);

  const { client, transport } = connected;
  let closing: Promise<CloseReport> | undefined;
  // The SDK reports a transport close (SSE stream ended, client closed) through onclose.
  const previousOnClose = transport.onclose;
  transport.onclose = () => {
    if (!closing) request.hooks.onUnexpectedEnd({ reason: `the connection to ${shown} closed` });
    previousOnClose?.();
  };

  return {
    client,
    kind,
    close(_options: CloseOptions): Promise<CloseReport> {
      closing ??= (async () => {
        const started = Date.now();
        if (transport instanceof StreamableHTTPClientTransport && transport.sessionId) {
          await Promise.race([transport.terminateSession().catch(() => undefined), new Promise((r) => setTimeout(r, terminateTimeoutMs))]);
        }
        await client.close().catch(() => undefined);
        return { outcome: 'closed', durationMs: Date.now() - started };
      })();
      return closing;
    },
  };
};

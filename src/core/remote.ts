// Connects remote servers: Streamable HTTP by default, falling back to legacy SSE only when
// the initialize POST fails with a 4xx status other than 401 (a server that predates
// Streamable HTTP answers 404 or 405); `type: "sse"` forces SSE. Headers come from the
// configuration and are never logged.
//
// Eras: over Streamable HTTP the SDK's v2 client probes with `server/discover` first (a 2026
// server answers it; a 2025 server's error selects the `initialize` handshake). A probe that
// times out is an outage here, not a legacy verdict (silence from a deployed server is not an
// answer), and the connect bound below still applies. Legacy SSE is 2025 only: no probe.
//
// The SDK never reports a dead HTTP server through onclose, so the connection watches the
// errors of its transport (remoteFailures.ts):
//   - a network error (refused, reset, fetch failed) ends the connection at once
//     (hooks.onUnexpectedEnd), so calls in flight fail now rather than at their timeout;
//   - an SSE stream that drops with an error, or a clock jump (the machine slept), makes it
//     send a heartbeat (ping, or server/discover on 2026 servers), and a failed one ends it;
//   - HTTP 404 for a request that carried the session id means the server forgot the session:
//     the connection retires its client and starts a new session with a new transport and
//     client; the session decides whether the failed request may be sent again.
// Legacy SSE ties the server's session to its one stream, so there any drop ends the
// connection and the crash supervisor reconnects.
//
// One owner per lifetime: the session owns the connection; the connection owns whichever
// client/transport pair is current and closes a retired pair itself.
// Teardown (close): stop listening for clock jumps → abort a re-initialization under way →
// terminate the HTTP session (DELETE with Mcp-Session-Id, bounded) → close the client.

import {
  SSEClientTransport,
  SdkHttpError,
  SseError,
  StreamableHTTPClientTransport,
  type Client,
  type FetchLike,
  type PriorDiscovery,
  type StreamableHTTPReconnectionOptions,
  type Transport,
} from '@modelcontextprotocol/client';
import { defaultMaxMessageBytes, heartbeat, messageTooLargeReason, type CloseOptions, type CloseReport, type Connection, type ConnectRequest, type Connector } from './connection';
import { redactUrl, shownDefinition, type RemoteServerDefinition } from './definitions';
import { McpSessionError, errorMessage } from './errors';
import { authorizingFetch } from './oauth';
import type { Disposable, Event } from './lifecycle';
import type { ClockJump } from './remoteClock';
import { classifyRemoteFailure, type SessionRecovery } from './remoteFailures';

/** Bound on the DELETE that terminates an HTTP session at close. */
const terminateTimeoutMs = 1000;
/** A server that forgets sessions faster than this is treated as broken: the crash supervisor takes over. */
const maxRecoveries = 3;
const recoveryWindowMs = 60_000;

/**
 * How the Streamable HTTP transport re-opens a dropped SSE stream (with Last-Event-ID when it
 * saw an event id). A `retry` field sent by the server replaces these delays. More attempts
 * than the SDK's default of 2, so a server restarting behind a proxy keeps its notifications.
 */
export const defaultReconnection: StreamableHTTPReconnectionOptions = {
  initialReconnectionDelay: 1000,
  maxReconnectionDelay: 30_000,
  reconnectionDelayGrowFactor: 1.5,
  maxRetries: 5,
};

export interface RemoteConnectorOptions {
  /** Fired when the machine probably slept; every open connection then pings its server. */
  onClockJump?: Event<ClockJump>;
  /** Bound on the ping sent after a dropped stream or a clock jump. Default 10 s. */
  probeTimeoutMs?: number;
  reconnection?: StreamableHTTPReconnectionOptions;
}

/**
 * A fetch whose response bodies fail as soon as one message passes `limitBytes`: a JSON body is
 * one message, an event stream one message per event (events end at a blank line). Bytes are
 * counted as they arrive, so an oversized message is never buffered whole.
 */
export function sizeLimitedFetch(fetchImpl: FetchLike, limitBytes: number, onTooLarge: () => Error): FetchLike {
  return async (url, init) => {
    const response = await fetchImpl(url, init);
    if (!response.body) return response;
    const eventStream = response.headers.get('content-type')?.includes('text/event-stream') ?? false;
    const reader = response.body.getReader();
    let sinceBoundary = 0;
    /** The current line holds nothing but carriage returns so far. */
    let lineBlank = true;
    /** Counts `chunk`; true when the message it belongs to went over the limit. */
    const overLimit = (chunk: Uint8Array): boolean => {
      if (!eventStream) return (sinceBoundary += chunk.length) > limitBytes;
      for (let i = 0; i < chunk.length; ) {
        const newline = chunk.indexOf(0x0a, i);
        const end = newline === -1 ? chunk.length : newline;
        for (let j = i; j < end && lineBlank; j++) if (chunk[j] !== 0x0d) lineBlank = false;
        sinceBoundary += end - i;
        if (sinceBoundary > limitBytes) return true;
        if (newline === -1) break;
        if (lineBlank) sinceBoundary = 0;
        lineBlank = true;
        i = newline + 1;
      }
      return false;
    };
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        if (overLimit(value)) {
          const error = onTooLarge();
          controller.error(error);
          await reader.cancel(error).catch(() => undefined);
          return;
        }
        controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    });
    const limited = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    Object.defineProperty(limited, 'url', { value: response.url });
    return limited;
  };
}

function httpStatus(e: unknown): number | undefined {
  if (e instanceof SdkHttpError) return e.status;
  if (e instanceof SseError) return e.code;
  return undefined;
}

/** The McpSessionError `e` is or was caused by, if any. */
function sessionErrorIn(e: unknown): McpSessionError | undefined {
  for (let cause = e, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    if (cause instanceof McpSessionError) return cause;
  }
  return undefined;
}

/** A 4xx other than 401 on the initialize POST means the server does not speak Streamable HTTP. */
export function shouldFallBackToSse(e: unknown): boolean {
  const status = httpStatus(e);
  return status !== undefined && status >= 400 && status < 500 && status !== 401;
}

interface Link {
  readonly client: Client;
  readonly transport: Transport;
  /** Set when its session expired; its errors and its close are no longer the connection's. */
  retired: boolean;
}

/**
 * The connect timeout, paused while an OAuth sign-in waits for the user (consent, browser):
 * the bound is on the server and the network, not on how long a person takes. Pauses nest.
 */
class ConnectDeadline {
  private timer: NodeJS.Timeout | undefined;
  private remainingMs: number;
  private runningSince = 0;
  private pauses = 0;
  private settled = false;
  private expire!: () => void;
  readonly expired: Promise<never>;

  constructor(
    readonly timeoutMs: number,
    onExpire: () => Error,
  ) {
    this.remainingMs = timeoutMs;
    this.expired = new Promise<never>((_, reject) => {
      this.expire = () => reject(onExpire());
    });
    this.expired.catch(() => undefined);
    this.run();
  }

  /** AuthorizeRequest.onUserInteraction. */
  readonly onUserInteraction = (waiting: boolean): void => {
    if (this.settled) return;
    if (waiting) {
      if (this.pauses++ > 0) return;
      clearTimeout(this.timer);
      this.remainingMs -= Date.now() - this.runningSince;
    } else if (this.pauses > 0 && --this.pauses === 0) {
      this.run();
    }
  };

  private run(): void {
    this.runningSince = Date.now();
    this.timer = setTimeout(() => {
      this.settled = true;
      this.expire();
    }, Math.max(0, this.remainingMs));
  }

  dispose(): void {
    this.settled = true;
    clearTimeout(this.timer);
  }
}

/** The SDK's own bound on initialize stays out of the way: the ConnectDeadline bounds it. */
const unboundedRequestMs = 2 ** 31 - 1;

async function connectWithin(link: Link, signal: AbortSignal, deadline: ConnectDeadline, prior: PriorDiscovery | undefined): Promise<void> {
  const abort = () => void link.transport.close().catch(() => undefined);
  signal.addEventListener('abort', abort, { once: true });
  try {
    await Promise.race([link.client.connect(link.transport, { timeout: unboundedRequestMs, signal, prior }), deadline.expired]);
  } catch (e) {
    // An SSE transport whose start failed keeps its EventSource retrying until closed.
    await link.transport.close().catch(() => undefined);
    throw e;
  } finally {
    deadline.dispose();
    signal.removeEventListener('abort', abort);
  }
}

class RemoteConnection implements Connection, SessionRecovery {
  kind: 'http' | 'sse';
  recovering: Promise<void> | undefined;
  private current: Link | undefined;
  private readonly def: RemoteServerDefinition;
  private readonly url: URL;
  private readonly shown: string;
  /** Aborted when the connection ends or closes: cancels a re-initialization under way. */
  private readonly lifetime = new AbortController();
  private readonly recoveries = new WeakMap<Client, Promise<void>>();
  private recoveryTimes: number[] = [];
  private probing: Promise<void> | undefined;
  private clockJumps: Disposable | undefined;
  private closing: Promise<CloseReport> | undefined;
  /** Set synchronously when close() begins, before `closing` is assigned. */
  private closeStarted = false;
  private ended = false;

  constructor(
    private readonly request: ConnectRequest,
    private readonly options: RemoteConnectorOptions,
  ) {
    this.def = request.definition as RemoteServerDefinition;
    try {
      this.url = new URL(this.def.url);
    } catch {
      throw new McpSessionError('start-failed', this.def.name, `"${this.def.name}" has an invalid URL.`, { retryable: false });
    }
    this.kind = this.def.kind;
    this.shown = redactUrl(shownDefinition(this.def).url);
  }

  get client(): Client {
    return this.link.client;
  }

  private get link(): Link {
    if (!this.current) throw new Error('remote connection used before it connected');
    return this.current;
  }

  private get name(): string {
    return this.def.name;
  }

  private log(line: string): void {
    this.request.hooks.log(line, 'transport');
  }

  // ---- connecting --------------------------------------------------------------------------

  async connect(): Promise<void> {
    const { signal } = this.request;
    try {
      try {
        this.current = await this.open(this.kind, signal, this.kind === 'sse' ? { kind: 'legacy' } : this.request.prior);
      } catch (e) {
        if (this.kind !== 'http' || !shouldFallBackToSse(e) || signal.aborted) throw e;
        this.log(`Streamable HTTP initialize failed with HTTP ${httpStatus(e)}; falling back to legacy SSE`);
        this.kind = 'sse';
        this.current = await this.open(this.kind, signal, { kind: 'legacy' });
      }
    } catch (e) {
      if (signal.aborted) throw new McpSessionError('cancelled', this.name, `Connecting to "${this.name}" was cancelled.`);
      // The SDK wraps what failed its server/discover probe (a sign-in that was refused, say) as the cause.
      const ours = sessionErrorIn(e);
      if (ours) throw ours;
      const status = httpStatus(e);
      const why = status === 401 ? 'the server requires authorization (HTTP 401)' : status ? `HTTP ${status}` : errorMessage(e);
      throw new McpSessionError('start-failed', this.name, `Could not connect to "${this.name}" at ${this.shown}: ${why}.`, { retryable: status !== 401, cause: e });
    }
    this.request.logger.info(`Connected to "${this.name}" at ${this.shown} over ${this.kind === 'http' ? 'Streamable HTTP' : 'SSE'}`);
    this.clockJumps = this.options.onClockJump?.((jump) => this.probe(`the clock jumped ${Math.round(jump.elapsedMs / 1000)} s (the machine probably slept)`));
  }

  /** A new client and transport, connected and initialized; its events are ignored until it becomes current. */
  private async open(kind: 'http' | 'sse', signal: AbortSignal, prior: PriorDiscovery | undefined): Promise<Link> {
    const requestInit: RequestInit = { headers: this.def.headers };
    const timeoutMs = this.request.connectTimeoutMs;
    const deadline = new ConnectDeadline(timeoutMs, () => new McpSessionError('start-failed', this.name, `"${this.name}" did not finish connecting (server/discover or initialize) within ${timeoutMs} ms.`, { retryable: true }));
    const authorizing =
      this.request.authProvider &&
      authorizingFetch(this.request.authProvider, this.url, { log: (line) => this.log(line), onUserInteraction: deadline.onUserInteraction });
    const fetch = sizeLimitedFetch(authorizing ?? ((url, init) => globalThis.fetch(url, init)), this.maxMessageBytes, () => this.onMessageTooLarge());
    const transport: Transport =
      kind === 'http'
        ? new StreamableHTTPClientTransport(this.url, { requestInit, fetch, reconnectionOptions: this.options.reconnection ?? defaultReconnection })
        : new SSEClientTransport(this.url, { requestInit, fetch });
    const link: Link = { client: this.request.createClient(), transport, retired: false };
    this.watch(link);
    await connectWithin(link, signal, deadline, prior);
    return link;
  }

  private watch(link: Link): void {
    const { transport } = link;
    const trace = this.request.trace;
    if (trace) {
      const send = transport.send.bind(transport);
      transport.send = (message, options) => {
        trace('send', message);
        return send(message, options);
      };
      transport.onmessage = (message) => trace('receive', message);
    }
    // Installed before connect: the client chains its own handlers after these, so the
    // session hears of an end before the client rejects its pending requests.
    transport.onerror = (error) => this.onTransportError(link, error);
    transport.onclose = () => {
      if (this.isLive(link)) this.end(`the connection to ${this.shown} closed`);
    };
  }

  private isLive(link: Link): boolean {
    return link === this.current && !link.retired && !this.ended && !this.closeStarted;
  }

  private get maxMessageBytes(): number {
    return this.request.maxMessageBytes ?? defaultMaxMessageBytes;
  }

  /** A response went over the size limit: before connecting that fails the start, afterwards it ends the connection. */
  private onMessageTooLarge(): Error {
    const reason = messageTooLargeReason(this.name, this.maxMessageBytes);
    this.log(`${reason}.`);
    if (!this.current) return new McpSessionError('start-failed', this.name, `Could not connect to "${this.name}" at ${this.shown}: ${reason}.`, { retryable: false });
    this.end(reason);
    return new McpSessionError('connection', this.name, `${reason}.`, { retryable: true });
  }

  // ---- watching ----------------------------------------------------------------------------

  private onTransportError(link: Link, error: Error): void {
    if (!this.isLive(link)) return;
    const failure = classifyRemoteFailure(error);
    if (!failure) return;
    if (this.kind === 'sse') {
      this.end(failure.kind === 'session-expired' ? `${this.shown} no longer knows the SSE session (HTTP 404)` : `the SSE stream from ${this.shown} failed: ${failure.detail}`);
      return;
    }
    switch (failure.kind) {
      case 'network':
        this.end(`${this.shown} could not be reached: ${failure.detail}`);
        return;
      case 'session-expired':
        this.recover(link);
        return;
      case 'stream-lost':
        this.probe(`an SSE stream from ${this.shown} failed (${failure.detail})`);
        return;
    }
  }

  /** Pings the server; when it does not answer, the connection has ended. Single flight. */
  private probe(why: string): void {
    const link = this.current;
    if (this.probing || !link || !this.isLive(link)) return;
    this.probing = (async () => {
      try {
        await heartbeat(link.client, { timeout: this.options.probeTimeoutMs ?? 10_000 });
        this.log(`${why}; the server answered`);
      } catch (e) {
        // A network error or a 404 has already been handled by onTransportError.
        if (this.isLive(link)) this.end(`${why}, and the server did not answer a heartbeat: ${errorMessage(e)}`);
      } finally {
        this.probing = undefined;
      }
    })();
  }

  /** The server is gone: tell the session (its crash supervisor takes over), then release the transport. */
  private end(reason: string): void {
    if (this.ended || this.closeStarted) return;
    this.ended = true;
    this.lifetime.abort();
    this.clockJumps?.dispose();
    this.request.hooks.onUnexpectedEnd({ reason });
    void this.current?.client.close().catch(() => undefined);
  }

  // ---- session expiry ----------------------------------------------------------------------

  recoveryFor(client: Client): Promise<void> | undefined {
    return this.recoveries.get(client);
  }

  /** Retires `link` (its pending requests reject and wait for this) and starts a new session. */
  private recover(link: Link): void {
    link.retired = true;
    const now = Date.now();
    this.recoveryTimes = this.recoveryTimes.filter((t) => now - t < recoveryWindowMs);
    if (this.recoveryTimes.length >= maxRecoveries) {
      this.end(`${this.shown} ended the session ${maxRecoveries + 1} times within ${recoveryWindowMs / 1000} s`);
      return;
    }
    this.recoveryTimes.push(now);
    this.log(`${this.shown} no longer knows the session (HTTP 404); starting a new one`);
    // Deferred by a microtask so that the retired client's requests find this recovery.
    const recovery = Promise.resolve().then(async () => {
      await link.client.close().catch(() => undefined);
      // Only 2025 servers have sessions to forget: the new one is legacy too, with no probe.
      const next = await this.open('http', this.lifetime.signal, { kind: 'legacy' });
      if (this.ended || this.closeStarted) {
        await next.client.close().catch(() => undefined);
        throw new Error('the connection was closed while a new session was starting');
      }
      this.current = next;
      this.log('Started a new session');
    });
    this.recoveries.set(link.client, recovery);
    this.recovering = recovery;
    recovery
      .catch((e) => this.end(`${this.shown} ended the session and a new one could not be started: ${errorMessage(e)}`))
      .finally(() => {
        if (this.recovering === recovery) this.recovering = undefined;
      });
  }

  // ---- closing -----------------------------------------------------------------------------

  close(options: CloseOptions): Promise<CloseReport> {
    this.closeStarted = true;
    this.closing ??= (async () => {
      const started = Date.now();
      this.clockJumps?.dispose();
      this.lifetime.abort();
      await this.recovering?.catch(() => undefined);
      const link = this.current;
      if (link && !this.ended && !link.retired && link.transport instanceof StreamableHTTPClientTransport && link.transport.sessionId) {
        const bound = Math.max(0, Math.min(terminateTimeoutMs, (options.deadline ?? Infinity) - Date.now()));
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          link.transport.terminateSession().catch((e) => this.log(`Terminating the HTTP session failed: ${errorMessage(e)}`)),
          new Promise((resolve) => {
            timer = setTimeout(resolve, bound);
          }),
        ]);
        clearTimeout(timer);
      }
      await link?.client.close().catch(() => undefined);
      return { outcome: 'closed', durationMs: Date.now() - started };
    })();
    return this.closing;
  }
}

/** A connector for `http` and `sse` definitions; the registry builds one with its clock-jump detector. */
export function createRemoteConnector(options: RemoteConnectorOptions = {}): Connector {
  return async (request) => {
    const connection = new RemoteConnection(request, options);
    await connection.connect();
    return connection;
  };
}

export const connectRemote: Connector = createRemoteConnector();

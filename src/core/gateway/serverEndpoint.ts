// The gateway's endpoint for one of our servers, `/mcp/<name>`, serving both protocol eras with
// the SDK's v2 server:
// - 2026-07-28 requests go to `createMcpHandler` (a forwarding instance per request; list
//   changes and resource updates reach clients on their `subscriptions/listen` stream; a client
//   cancels by going away). The SDK filters and stamps the stream; this endpoint holds one
//   registry subscription per resource some open stream asked for, for as long as one does.
// - 2025 requests are served with sessions (`WebStandardStreamableHTTPServerTransport`, one
//   forwarding instance per session), not the SDK's stateless fallback: only a session lets a
//   2025 client cancel (`notifications/cancelled` must reach the instance running the call),
//   hear list changes (the GET stream) and answer a server's questions (elicitation).
//
// Sessions are bounded: at most `maxSessions` (the least recently used one is closed to make
// room) and each is closed after `sessionIdleMs` without a request.

import { randomUUID } from 'node:crypto';
import { createMcpHandler, isLegacyRequest, WebStandardStreamableHTTPServerTransport, type McpHttpHandler, type Server } from '@modelcontextprotocol/server';
import type { ResourceSubscription } from '../api';
import { DisposableStore, toDisposable, type Disposable } from '../lifecycle';
import type { Logger } from '../logger';
import { createForwardingServer, type ForwardingOptions } from './forwardingServer';

export interface EndpointLimits {
  maxBodyBytes: number;
  maxSessions: number;
  sessionIdleMs: number;
}

interface LegacySession {
  server: Server;
  transport: WebStandardStreamableHTTPServerTransport;
  lastUsed: number;
  idleTimer?: NodeJS.Timeout;
}

export type ListKindChanged = 'tools' | 'resources' | 'prompts';

const maxWatchedPerStream = 64;

interface WatchedResource {
  subscription: ResourceSubscription;
  streams: number;
}

export class ServerEndpoint implements Disposable {
  private readonly modern: McpHttpHandler;
  private readonly sessions = new Map<string, LegacySession>();
  /** Resources open `subscriptions/listen` streams asked for, each with the streams that hold it. */
  private readonly watched = new Map<string, WatchedResource>();

  constructor(
    private readonly serverName: string,
    private readonly forwarding: ForwardingOptions,
    private readonly limits: EndpointLimits,
    private readonly logger: Logger,
  ) {
    this.modern = createMcpHandler(() => createForwardingServer(serverName, 'modern', forwarding), {
      legacy: 'reject',
      maxRequestBodySize: limits.maxBodyBytes,
      onerror: (error) => logger.debug(`Gateway [${serverName}]: ${error.message}`),
    });
  }

  async handle(request: Request): Promise<Response> {
    if (!(await isLegacyRequest(request, undefined, { maxRequestBodySize: this.limits.maxBodyBytes }))) return this.serveModern(request);
    const sessionId = request.headers.get('mcp-session-id');
    if (sessionId !== null) {
      const session = this.sessions.get(sessionId);
      if (!session) return jsonRpcError(404, -32001, 'Session not found; initialize a new session.');
      this.touch(sessionId, session);
      return session.transport.handleRequest(request);
    }
    return this.openSession(request);
  }

  /** A 2026-07-28 request; a `subscriptions/listen` stream keeps the resources it names watched while it is open. */
  private async serveModern(request: Request): Promise<Response> {
    // The SDK refuses a modern request whose Mcp-Method header disagrees with its body.
    const uris = request.headers.get('mcp-method') === 'subscriptions/listen' ? await listenedResources(request) : [];
    const response = await this.modern.fetch(request);
    if (uris.length === 0 || response.body === null || !response.headers.get('content-type')?.startsWith('text/event-stream')) return response;
    const watching = new DisposableStore();
    // Bounded so one stream cannot make us hold an unbounded number of server-side subscriptions.
    if (uris.length > maxWatchedPerStream) this.logger.debug(`Gateway [${this.serverName}]: a listen stream named ${uris.length} resources; watching the first ${maxWatchedPerStream}`);
    for (const uri of uris.slice(0, maxWatchedPerStream)) watching.add(this.watch(uri));
    return new Response(endingWith(response.body, () => watching.dispose()), { status: response.status, headers: response.headers });
  }

  private watch(uri: string): Disposable {
    let watched = this.watched.get(uri);
    if (!watched) {
      let subscription: ResourceSubscription;
      try {
        subscription = this.forwarding.registry.subscribeResource(this.serverName, uri, () => this.modern.notify.resourceUpdated(uri));
      } catch (e) {
        this.logger.debug(`Gateway [${this.serverName}]: cannot watch ${uri}: ${e instanceof Error ? e.message : String(e)}`);
        return toDisposable(() => undefined);
      }
      subscription.ready.catch((e: unknown) => this.logger.debug(`Gateway [${this.serverName}]: cannot watch ${uri}: ${e instanceof Error ? e.message : String(e)}`));
      watched = { subscription, streams: 0 };
      this.watched.set(uri, watched);
    }
    const entry = watched;
    entry.streams++;
    return toDisposable(() => {
      if (--entry.streams > 0 || this.watched.get(uri) !== entry) return;
      this.watched.delete(uri);
      entry.subscription.dispose();
    });
  }

  /** A request without a session: the transport answers anything but `initialize` with 400, and only an initialized session is kept. */
  private async openSession(request: Request): Promise<Response> {
    const server = createForwardingServer(this.serverName, 'legacy', this.forwarding);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      maxRequestBodySize: this.limits.maxBodyBytes,
      onsessionclosed: (id) => this.closeSession(id, 'closed by the client'),
    });
    await server.connect(transport);
    const response = await transport.handleRequest(request);
    const id = transport.sessionId;
    if (id === undefined) {
      await server.close().catch(() => undefined);
      return response;
    }
    if (this.sessions.size >= this.limits.maxSessions) this.evictLeastRecentlyUsed();
    const session: LegacySession = { server, transport, lastUsed: Date.now() };
    this.sessions.set(id, session);
    this.touch(id, session);
    return response;
  }

  private touch(id: string, session: LegacySession): void {
    session.lastUsed = Date.now();
    clearTimeout(session.idleTimer);
    session.idleTimer = setTimeout(() => this.closeSession(id, 'idle'), this.limits.sessionIdleMs);
    session.idleTimer.unref();
  }

  private evictLeastRecentlyUsed(): void {
    const [oldest] = [...this.sessions.entries()].sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    if (oldest) this.closeSession(oldest[0], `more than ${this.limits.maxSessions} sessions`);
  }

  private closeSession(id: string, reason: string): void {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    clearTimeout(session.idleTimer);
    this.logger.debug(`Gateway [${this.serverName}]: 2025 session closed (${reason})`);
    void session.server.close().catch(() => undefined);
  }

  /** Tells every client of this endpoint that a list changed. */
  notifyListChanged(kind: ListKindChanged): void {
    for (const { server } of this.sessions.values()) {
      const send = kind === 'tools' ? server.sendToolListChanged() : kind === 'resources' ? server.sendResourceListChanged() : server.sendPromptListChanged();
      void send.catch(() => undefined);
    }
    if (kind === 'tools') this.modern.notify.toolsChanged();
    else if (kind === 'resources') this.modern.notify.resourcesChanged();
    else this.modern.notify.promptsChanged();
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  dispose(): void {
    for (const id of [...this.sessions.keys()]) this.closeSession(id, 'gateway closed');
    for (const { subscription } of this.watched.values()) subscription.dispose();
    this.watched.clear();
    void this.modern.close().catch(() => undefined);
  }
}

/** The resource URIs a `subscriptions/listen` request asks to hear about (none when it is malformed: the SDK answers that). */
async function listenedResources(request: Request): Promise<string[]> {
  try {
    const message = (await request.clone().json()) as { params?: { notifications?: { resourceSubscriptions?: unknown } } };
    const uris = message.params?.notifications?.resourceSubscriptions;
    return Array.isArray(uris) ? [...new Set(uris.filter((uri): uri is string => typeof uri === 'string'))] : [];
  } catch {
    return [];
  }
}

/** `body`, calling `onEnd` once when it ends, fails or its reader goes away. */
function endingWith(body: ReadableStream<Uint8Array>, onEnd: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (!done) return controller.enqueue(value);
        onEnd();
        controller.close();
      } catch (e) {
        onEnd();
        controller.error(e);
      }
    },
    cancel(reason) {
      onEnd();
      return reader.cancel(reason);
    },
  });
}

export function jsonRpcError(status: number, code: number, message: string): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), { status, headers: { 'content-type': 'application/json' } });
}

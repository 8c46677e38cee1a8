// The gateway's endpoint for one of our servers, `/mcp/<name>`, serving both protocol eras with
// the SDK's v2 server:
// - 2026-07-28 requests go to `createMcpHandler` (a forwarding instance per request; list
//   changes reach clients on their `subscriptions/listen` stream; a client cancels by going away).
// - 2025 requests are served with sessions (`WebStandardStreamableHTTPServerTransport`, one
//   forwarding instance per session), not the SDK's stateless fallback: only a session lets a
//   2025 client cancel (`notifications/cancelled` must reach the instance running the call),
//   hear list changes (the GET stream) and answer a server's questions (elicitation).
//
// Sessions are bounded: at most `maxSessions` (the least recently used one is closed to make
// room) and each is closed after `sessionIdleMs` without a request.

import { randomUUID } from 'node:crypto';
import { createMcpHandler, isLegacyRequest, WebStandardStreamableHTTPServerTransport, type McpHttpHandler, type Server } from '@modelcontextprotocol/server';
import type { Disposable } from '../lifecycle';
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

export class ServerEndpoint implements Disposable {
  private readonly modern: McpHttpHandler;
  private readonly sessions = new Map<string, LegacySession>();

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
    if (!(await isLegacyRequest(request, undefined, { maxRequestBodySize: this.limits.maxBodyBytes }))) return this.modern.fetch(request);
    const sessionId = request.headers.get('mcp-session-id');
    if (sessionId !== null) {
      const session = this.sessions.get(sessionId);
      if (!session) return jsonRpcError(404, -32001, 'Session not found; initialize a new session.');
      this.touch(sessionId, session);
      return session.transport.handleRequest(request);
    }
    return this.openSession(request);
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
    void this.modern.close().catch(() => undefined);
  }
}

export function jsonRpcError(status: number, code: number, message: string): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), { status, headers: { 'content-type': 'application/json' } });
}

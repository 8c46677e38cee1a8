// The authenticated loopback gateway: the registry's sessions served over Streamable HTTP to
// other MCP clients (VS Code's own MCP client, the CLI, other tools), so that one supervised
// process per server serves everyone.
//
// - Listens on 127.0.0.1 only, on a random port; one path per server: `/mcp/<url-encoded name>`.
// - Every request passes RequestGuard (Host, Origin, bearer token) and a per-connection rate
//   limit before anything reads its body; a body is read up to `maxBodyBytes` and refused
//   with 413 past it. No CORS headers are ever sent.
// - Gateway clients never start, stop or restart servers: the endpoints only forward requests
//   (forwardingServer.ts), and the registry starts a stopped server on first use.
//
// Teardown (close): stop accepting, close every endpoint (2025 sessions, 2026 streams), end open
// connections. The registry is not the gateway's: its owner shuts it down.

import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { RegistryApi } from '../api';
import { DisposableMap, DisposableStore, type Disposable } from '../lifecycle';
import { nullLogger, type Logger } from '../logger';
import type { ForwardingOptions } from './forwardingServer';
import { ConnectionRateLimiter, RequestGuard, defaultRateLimit, newGatewayToken, type RateLimit } from './requestGuard';
import { jsonRpcError, ServerEndpoint, type ListKindChanged } from './serverEndpoint';

export interface GatewayOptions extends Omit<ForwardingOptions, 'version'> {
  registry: RegistryApi;
  /** Our version, given to clients as the server version. */
  version: string;
  logger?: Logger;
  /** Largest request body accepted. Default 4 MiB. */
  maxBodyBytes?: number;
  rateLimit?: RateLimit;
  /** 2025 sessions per server. Default 32. */
  maxSessions?: number;
  /** A 2025 session without a request for this long is closed. Default 30 min. */
  sessionIdleMs?: number;
}

export const defaultGatewayLimits = {
  maxBodyBytes: 4 * 1024 * 1024,
  maxSessions: 32,
  sessionIdleMs: 30 * 60_000,
  /** Open TCP connections at once. */
  maxConnections: 128,
};

const gatewayPath = /^\/mcp\/([^/?#]+)(?:\?.*)?$/;

type ListSignature = Record<ListKindChanged, string | undefined>;

export class McpGateway implements Disposable {
  private readonly endpoints = new DisposableMap<string, ServerEndpoint>();
  private readonly listeners = new DisposableStore();
  /** The last lists clients were told about, per server, to announce only real changes. */
  private readonly listSignatures = new Map<string, ListSignature>();
  private readonly rateLimiter: ConnectionRateLimiter;
  private readonly logger: Logger;
  private closing: Promise<void> | undefined;
  /** Authorized requests whose response has not finished (calls, open streams). */
  private active = 0;
  private lastRequestAt = Date.now();

  private constructor(
    private readonly httpServer: HttpServer,
    readonly port: number,
    readonly token: string,
    private readonly options: GatewayOptions,
  ) {
    this.logger = options.logger ?? nullLogger;
    this.rateLimiter = new ConnectionRateLimiter(options.rateLimit ?? defaultRateLimit);
    const guard = new RequestGuard(token, port);
    httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => this.onRequest(guard, req, res));
    this.listeners.add(options.registry.onDidChangeLists((server) => this.announceListChanges(server)));
    this.listeners.add(options.registry.onDidRemoveServer((server) => this.endpoints.deleteAndDispose(server)));
  }

  /** Listens on 127.0.0.1 at a random port. */
  static async start(options: GatewayOptions): Promise<McpGateway> {
    const httpServer = createServer({ requestTimeout: 0 });
    httpServer.maxConnections = defaultGatewayLimits.maxConnections;
    httpServer.headersTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(0, '127.0.0.1', () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
    const { port } = httpServer.address() as AddressInfo;
    const gateway = new McpGateway(httpServer, port, newGatewayToken(), options);
    gateway.logger.info(`MCP gateway listening on http://127.0.0.1:${port}/mcp/<server>`);
    return gateway;
  }

  /** The address it listens on: always the IPv4 loopback. */
  get address(): string {
    return (this.httpServer.address() as AddressInfo).address;
  }

  /** The URL a client uses for `server`. */
  url(server: string): string {
    return `http://127.0.0.1:${this.port}/mcp/${encodeURIComponent(server)}`;
  }

  /** The headers a client sends with every request. */
  get headers(): Record<string, string> {
    return { Authorization: `Bearer ${this.token}` };
  }

  /** Tells clients that the tool list of `server` changed, e.g. after a tool was switched on or off. */
  notifyToolsChanged(server?: string): void {
    const names = server === undefined ? [...this.endpoints.keys()] : [server];
    for (const name of names) this.endpoints.get(name)?.notifyListChanged('tools');
  }

  private announceListChanges(server: string): void {
    const snapshot = this.options.registry.get(server)?.snapshot();
    if (!snapshot) return;
    // A list never listed before is not a change: clients have not seen one either.
    const signature = (items: unknown[] | undefined) => (items === undefined ? undefined : JSON.stringify(items));
    const current: ListSignature = { tools: signature(snapshot.tools), resources: signature(snapshot.resources), prompts: signature(snapshot.prompts) };
    const previous = this.listSignatures.get(server);
    this.listSignatures.set(server, current);
    const endpoint = this.endpoints.get(server);
    if (!previous || !endpoint) return;
    for (const kind of ['tools', 'resources', 'prompts'] as const) {
      if (previous[kind] !== undefined && previous[kind] !== current[kind]) endpoint.notifyListChanged(kind);
    }
  }

  private endpoint(server: string): ServerEndpoint | undefined {
    if (!this.options.registry.get(server)) return undefined;
    let endpoint = this.endpoints.get(server);
    if (!endpoint) {
      endpoint = new ServerEndpoint(
        server,
        { ...this.options, version: this.options.version },
        {
          maxBodyBytes: this.options.maxBodyBytes ?? defaultGatewayLimits.maxBodyBytes,
          maxSessions: this.options.maxSessions ?? defaultGatewayLimits.maxSessions,
          sessionIdleMs: this.options.sessionIdleMs ?? defaultGatewayLimits.sessionIdleMs,
        },
        this.logger,
      );
      this.endpoints.set(server, endpoint);
      this.announceListChanges(server);
    }
    return endpoint;
  }

  private onRequest(guard: RequestGuard, req: IncomingMessage, res: ServerResponse): void {
    const refuse = (status: number, message: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close', ...headers });
      res.end(message);
      // Whatever body is still coming is not read.
      req.socket.destroySoon();
    };
    if (this.closing) return refuse(503, 'The gateway is closing.');
    if (!this.rateLimiter.allow(req.socket)) return refuse(429, 'Too many requests on this connection.', { 'retry-after': '1' });
    const refusal = guard.check(req);
    if (refusal) return refuse(refusal.status, refusal.message);
    const server = decodedServerName(req.url ?? '');
    const endpoint = server === undefined ? undefined : this.endpoint(server);
    if (!endpoint) return refuse(404, 'No such MCP server on this gateway.');
    const maxBodyBytes = this.options.maxBodyBytes ?? defaultGatewayLimits.maxBodyBytes;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBodyBytes) return refuse(413, `The request body is larger than ${maxBodyBytes} bytes.`);

    this.active++;
    this.lastRequestAt = Date.now();
    const aborted = new AbortController();
    res.on('close', () => {
      this.active--;
      this.lastRequestAt = Date.now();
      if (!res.writableFinished) aborted.abort();
    });
    (async () => {
      const body = await readBody(req, maxBodyBytes);
      if (body === 'too-large') return refuse(413, `The request body is larger than ${maxBodyBytes} bytes.`);
      const response = await endpoint.handle(toWebRequest(req, body, aborted.signal));
      await writeResponse(response, res);
    })().catch((e: unknown) => {
      this.logger.debug(`Gateway [${server}]: request failed: ${(e as Error)?.message ?? e}`);
      if (!res.headersSent) {
        const failure = jsonRpcError(500, -32603, 'Internal gateway error.');
        void writeResponse(failure, res).catch(() => res.destroy());
      } else res.destroy();
    });
  }

  /** How long no authorized request has been in flight: 0 while one is (an open stream counts). */
  idleForMs(now = Date.now()): number {
    return this.active > 0 ? 0 : now - this.lastRequestAt;
  }

  /** Stops accepting requests, closes every endpoint and connection. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.listeners.dispose();
      this.endpoints.dispose();
      const closed = new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
      this.httpServer.closeAllConnections();
      await closed;
      this.logger.info('MCP gateway closed');
    })();
    return this.closing;
  }

  dispose(): void {
    void this.close();
  }
}

function decodedServerName(url: string): string | undefined {
  const encoded = gatewayPath.exec(url)?.[1];
  if (encoded === undefined) return undefined;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

/** The body, read up to `limit` bytes; past it, reading stops. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return 'too-large';
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** node:http → fetch Request, aborted when the client goes away (how a 2026-07-28 client cancels over HTTP). */
function toWebRequest(req: IncomingMessage, body: Buffer, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body: hasBody ? new Uint8Array(body) : undefined, signal });
}

async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!name.toLowerCase().startsWith('access-control-')) headers[name] = value;
  });
  res.writeHead(response.status, headers);
  if (!response.body) return void res.end();
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
  res.on('close', () => body.destroy());
  body.on('error', () => res.destroy());
  body.pipe(res);
}

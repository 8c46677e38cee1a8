// One connection to a server, from its connect to its end: the SDK client, the era it
// negotiated, the heartbeat, the list caches and their refresh, the requests in flight, the
// request pipeline and its error mapping. The session owns it through a MutableDisposable, so
// everything here dies with the connection: a new connection starts from nothing and can never
// see (or be answered by) an old one's state.
//
// Life: made before connecting (its createClient() gives the connector a client whose handlers
// point here) → attach(connection) once connected → end (the server went away: in-flight calls
// fail with the reason, the owner is told once) or close() (stop) → dispose().

import {
  Client,
  ProtocolError,
  ProtocolErrorCode,
  SdkError,
  SdkErrorCode,
  type CallToolResult,
  type CompleteRequest,
  type CompleteResult,
  type GetPromptResult,
  type Prompt,
  type ReadResourceResult,
  type RequestOptions,
  type Resource,
  type ResourceTemplateType as ResourceTemplate,
  type Tool,
} from '@modelcontextprotocol/client';
import type { CallOptions, ServerLogLine } from './api';
import type { ClientRequestHandlers } from './clientRequests';
import { declaredCapabilities, installClientRequestHandlers } from './clientRequests';
import { describeProtocol, heartbeat, protocolOf, type CloseOptions, type CloseReport, type Connection, type ConnectionEnd, type ProtocolInfo } from './connection';
import { McpSessionError, errorMessage } from './errors';
import { Emitter, type Disposable } from './lifecycle';
import { truncateText } from './logger';
import { classifyRemoteFailure, isRetrySafeTool, sessionRecoveryOf } from './remoteFailures';
import type { CachingSchemaValidator } from './schemaValidator';

export type ListKind = 'tools' | 'resources' | 'prompts';

/** `instructions` from initialize or server/discover are kept (and shown) up to this length. */
export const maxInstructionsChars = 64 * 1024;
/** Guards against servers that hand out cursors forever. */
const maxListPages = 1000;
const listRefreshDebounceMs = 100;
/** Unanswered heartbeats in a row after which a stdio server counts as hung (a busy one misses one). */
const stdioMissedHeartbeats = 2;

export interface LiveConnectionSettings {
  clientInfo: { name: string; version: string };
  /** The timeouts of a request without its own: the server's fields, else the host's settings. */
  callTimeouts(): { timeoutMs: number; maxTotalTimeoutMs: number };
  /** Bound on the server/discover probe before the SDK tries `initialize`; undefined: the connect bound (remote). */
  probeTimeoutMs: number | undefined;
  /** Used to end a connection whose heartbeat failed (stdin is not waited for: the server hangs). */
  closeOptions: CloseOptions;
  /** Heartbeat interval (stdio and remote), 0 to disable. */
  pingIntervalMs: number;
  pingTimeoutMs: number;
}

export interface LiveConnectionDependencies {
  schemaValidator: CachingSchemaValidator;
  clientRequests: ClientRequestHandlers;
  log(stream: ServerLogLine['stream'], text: string): void;
  /** For texts cut before the extension redacts them (truncateText). */
  redact(text: string): string;
  /** The server ended by itself (exit, dropped socket, failed heartbeat): told once, before in-flight calls fail. */
  onEnd(end: ConnectionEnd, crashed: McpSessionError): void;
  /** A request was refused because the server speaks another protocol revision: its cached era verdict is stale. */
  onEraMismatch(): void;
}

interface InFlight {
  /** "call of \"echo\"": what a failure of this request names. */
  what: string;
  fail(error: McpSessionError): void;
}

interface CachedList {
  items: unknown[];
  /** Epoch ms after which the server's `ttlMs` says the list is stale; undefined: until list_changed. */
  expiresAt?: number;
}

export class LiveConnection implements Disposable {
  private connection: Connection | undefined;
  private protocolInfo: ProtocolInfo | undefined;
  private ended: (ConnectionEnd & { at: number }) | undefined;
  /** Set when close() begins: an end reported after that is the close's own doing. */
  private closing = false;
  private disposed = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<InFlight>();
  private readonly lists = new Map<ListKind, CachedList>();
  private readonly listRefreshTimers = new Map<ListKind, NodeJS.Timeout>();
  private readonly listRefreshes = new Map<ListKind, Promise<unknown[]>>();
  private readonly listsEmitter = new Emitter<void>();
  /** Fired after tools, resources or prompts were (re)listed. */
  readonly onDidChangeLists = this.listsEmitter.event;
  /** Server-side subscriptions of this connection, by resource URI: what ends each one. */
  private readonly resourceSubscriptions = new Map<string, Promise<() => Promise<void>>>();
  private readonly resourceUpdatedEmitter = new Emitter<string>();
  /** Fired with the URI of a subscribed resource the server says has changed. */
  readonly onDidUpdateResource = this.resourceUpdatedEmitter.event;

  constructor(
    private readonly server: string,
    private readonly settings: LiveConnectionSettings,
    private readonly deps: LiveConnectionDependencies,
  ) {}

  // ---- connecting ----------------------------------------------------------------------------

  /** A fresh SDK client whose handlers report to this connection; the connector connects it. */
  createClient(): Client {
    const client = new Client(this.settings.clientInfo, {
      capabilities: {},
      jsonSchemaValidator: this.deps.schemaValidator,
      listMaxPages: maxListPages,
      // Probe with server/discover first; a legacy answer (or, on stdio, silence) selects initialize.
      versionNegotiation: { mode: 'auto', probe: { timeoutMs: this.settings.probeTimeoutMs } },
    });
    const refresh = (kind: ListKind) => () => {
      if (!this.disposed) this.scheduleListRefresh(kind);
    };
    client.setNotificationHandler('notifications/tools/list_changed', refresh('tools'));
    client.setNotificationHandler('notifications/resources/list_changed', refresh('resources'));
    client.setNotificationHandler('notifications/prompts/list_changed', refresh('prompts'));
    // 2025 servers send it unsolicited after resources/subscribe; 2026 ones on a listen stream.
    client.setNotificationHandler('notifications/resources/updated', (notification) => {
      const uri = notification.params.uri;
      if (!this.disposed && this.resourceSubscriptions.has(uri)) this.resourceUpdatedEmitter.fire(uri);
    });
    client.setNotificationHandler('notifications/message', (notification) => {
      const { level, logger, data } = notification.params;
      const text = typeof data === 'string' ? data : JSON.stringify(data);
      this.deps.log('notification', `[${level}]${logger ? ` ${logger}:` : ''} ${text}`);
    });
    installClientRequestHandlers(client, this.server, this.deps.clientRequests);
    client.onerror = (error) => {
      if (!this.disposed) this.deps.log('transport', `client error: ${error.message}`);
    };
    return client;
  }

  /** The connector connected: from now on this connection serves requests. */
  attach(connection: Connection): void {
    this.connection = connection;
    this.protocolInfo = protocolOf(connection.client);
    this.startHeartbeat();
    // Fill the caches in the background; start() does not wait for lists.
    void this.refreshAll();
    if (this.protocolInfo.era === 'modern') void this.listen();
  }

  get client(): Client | undefined {
    return this.connection?.client;
  }

  /**
   * Sends `notifications/roots/list_changed` when this is a 2025 connection and the client
   * declared `roots.listChanged`; 2026-07-28 has no such notification. True when it was sent.
   */
  async notifyRootsChanged(): Promise<boolean> {
    const client = this.connection?.client;
    if (!client || this.protocolInfo?.era !== 'legacy' || !declaredCapabilities(this.deps.clientRequests).roots?.listChanged) return false;
    await client.sendRootsListChanged();
    this.deps.log('transport', 'told the server that the roots changed (notifications/roots/list_changed)');
    return true;
  }

  get pid(): number | undefined {
    return this.connection?.pid;
  }

  get protocol(): ProtocolInfo | undefined {
    return this.protocolInfo;
  }

  get legacyRestarts(): number {
    return this.connection?.legacyRestarts ?? 0;
  }

  /** True while the connection can take requests. */
  get open(): boolean {
    return this.connection !== undefined && !this.ended && !this.closing && !this.disposed;
  }

  serverInfo(): { name: string; version: string } | undefined {
    const version = this.connection?.client.getServerVersion();
    return version ? { name: version.name, version: version.version } : undefined;
  }

  instructions(): string | undefined {
    const instructions = this.connection?.client.getInstructions();
    return instructions === undefined ? undefined : truncateText(instructions, maxInstructionsChars);
  }

  listed(kind: ListKind): unknown[] | undefined {
    return this.lists.get(kind)?.items;
  }

  /**
   * 2026-07-28 servers announce changes on a `subscriptions/listen` stream instead of
   * unsolicited notifications; its notifications reach the handlers installed in createClient.
   */
  private async listen(): Promise<void> {
    const client = this.connection!.client;
    const capabilities = client.getServerCapabilities() ?? {};
    const filter = {
      ...(capabilities.tools?.listChanged && { toolsListChanged: true }),
      ...(capabilities.prompts?.listChanged && { promptsListChanged: true }),
      ...(capabilities.resources?.listChanged && { resourcesListChanged: true }),
    };
    if (Object.keys(filter).length === 0) return;
    try {
      const subscription = await client.listen(filter, { timeout: this.settings.callTimeouts().timeoutMs });
      this.deps.log('transport', `listening for list changes (subscriptions/listen): ${Object.keys(subscription.honoredFilter).join(', ') || 'nothing honoured'}`);
    } catch (e) {
      if (!this.disposed) this.deps.log('transport', `subscriptions/listen failed, so list changes will be seen only on refresh: ${errorMessage(e)}`);
    }
  }

  // ---- the end -------------------------------------------------------------------------------

  /** The connector's hook: the connection ended without close(). */
  readonly onUnexpectedEnd = (end: ConnectionEnd): void => {
    if (this.ended || this.closing || this.disposed) return;
    this.ended = { ...end, at: Date.now() };
    this.stopHeartbeat();
    const details = { exitCode: end.exitCode, signal: end.signal, stderrTail: end.stderrTail, retryable: true };
    // "exited with code 7", without repeating the server's name.
    const subject = `"${this.server}" `;
    const how = end.reason.startsWith(subject) ? end.reason.slice(subject.length) : end.reason;
    const era = this.protocolInfo ? ` (${describeProtocol(this.protocolInfo)})` : '';
    const crashed = new McpSessionError('crashed', this.server, `"${this.server}" stopped unexpectedly: ${how}${era}.`, details);
    // Each caller learns which of its requests the crash ended, before the owner reacts.
    this.failInFlight((what) => new McpSessionError('crashed', this.server, `"${this.server}" stopped unexpectedly during the ${what}: ${how}.`, details));
    void this.connection?.client.close().catch(() => undefined);
    this.deps.onEnd(end, crashed);
  };

  /** Stops the connection: in-flight calls fail with `reason`, then the process or session is closed within the bounds. */
  async close(reason: string, options: CloseOptions): Promise<CloseReport | undefined> {
    this.closing = true;
    this.stopHeartbeat();
    this.failInFlight((what) => new McpSessionError('not-running', this.server, `"${this.server}" was stopped during the ${what} (${reason}).`));
    return this.connection?.close(options);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopHeartbeat();
    for (const timer of this.listRefreshTimers.values()) clearTimeout(timer);
    this.listRefreshTimers.clear();
    this.failInFlight((what) => new McpSessionError('not-running', this.server, `"${this.server}" is no longer connected; the ${what} was ended.`));
    this.listsEmitter.dispose();
    // The server-side subscriptions die with the connection; an open listen stream is closed.
    for (const subscription of this.resourceSubscriptions.values()) void subscription.then((end) => end()).catch(() => undefined);
    this.resourceSubscriptions.clear();
    this.resourceUpdatedEmitter.dispose();
  }

  // ---- heartbeat -----------------------------------------------------------------------------

  /**
   * A hung server (stdio too) is found without waiting for a call: ping, or server/discover on 2026
   * servers. A stdio server answers on the thread that runs its tools, so one that is busy with a
   * long synchronous tool misses a heartbeat without being hung: it is ended only after
   * `stdioMissedHeartbeats` heartbeats in a row went unanswered. A remote server's heartbeat runs
   * beside its calls, so one miss ends it.
   */
  private startHeartbeat(): void {
    if (this.settings.pingIntervalMs <= 0) return;
    const connection = this.connection!;
    const allowedMisses = connection.kind === 'stdio' ? stdioMissedHeartbeats : 1;
    let misses = 0;
    this.heartbeatTimer = setInterval(() => {
      const client = connection.client;
      heartbeat(client, { timeout: this.settings.pingTimeoutMs }).then(
        () => (misses = 0),
        (e) => {
          // A heartbeat lost with an expired remote session is no failure: a new session is starting.
          if (!this.open || sessionRecoveryOf(connection)?.recoveryFor(client)) return;
          if (++misses < allowedMisses) return;
          const which = allowedMisses === 1 ? 'a heartbeat' : `${allowedMisses} heartbeats in a row`;
          this.onUnexpectedEnd({ reason: `the server did not answer ${which} within ${this.settings.pingTimeoutMs} ms: ${errorMessage(e)}` });
          void connection.close({ ...this.settings.closeOptions, stdinGraceMs: 0 }).catch(() => undefined);
        },
      );
    }, this.settings.pingIntervalMs);
    this.heartbeatTimer.unref?.();
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  // ---- lists ---------------------------------------------------------------------------------

  private scheduleListRefresh(kind: ListKind): void {
    clearTimeout(this.listRefreshTimers.get(kind));
    this.listRefreshTimers.set(
      kind,
      setTimeout(() => {
        this.listRefreshTimers.delete(kind);
        void this.refreshList(kind, true).catch((e) => this.deps.log('transport', `refreshing ${kind} after list_changed failed: ${errorMessage(e)}`));
      }, listRefreshDebounceMs),
    );
  }

  private async refreshAll(): Promise<void> {
    for (const kind of ['tools', 'resources', 'prompts'] as const) {
      try {
        await this.refreshList(kind);
      } catch (e) {
        if (!this.disposed) this.deps.log('transport', `listing ${kind} failed: ${errorMessage(e)}`);
      }
    }
  }

  /**
   * One refresh per kind at a time: callers during a refresh share it. `fresh` (after a
   * list_changed) waits for a refresh under way and then lists again, since that one may
   * have been answered before the change.
   */
  private refreshList(kind: ListKind, fresh = false): Promise<unknown[]> {
    const running = this.listRefreshes.get(kind);
    if (running) {
      if (!fresh) return running;
      return running.catch(() => undefined).then(() => this.refreshList(kind));
    }
    const promise = this.fetchList(kind).finally(() => {
      if (this.listRefreshes.get(kind) === promise) this.listRefreshes.delete(kind);
    });
    this.listRefreshes.set(kind, promise);
    return promise;
  }

  /** Lists every page of one kind (the SDK walks the cursors), replaces the cache and fires onDidChangeLists. */
  private async fetchList(kind: ListKind): Promise<unknown[]> {
    const client = this.connection!.client;
    const capabilities = client.getServerCapabilities() ?? {};
    let items: unknown[] = [];
    let ttlMs: number | undefined;
    if (capabilities[kind]) {
      const options = { timeout: this.settings.callTimeouts().timeoutMs, cacheMode: 'refresh' as const };
      const result =
        kind === 'tools' ? await client.listTools(undefined, options) : kind === 'resources' ? await client.listResources(undefined, options) : await client.listPrompts(undefined, options);
      items = kind === 'tools' ? (result as { tools: Tool[] }).tools : kind === 'resources' ? (result as { resources: Resource[] }).resources : (result as { prompts: Prompt[] }).prompts;
      const hint = (result as { ttlMs?: unknown }).ttlMs;
      ttlMs = typeof hint === 'number' && Number.isFinite(hint) ? hint : undefined;
    }
    if (this.disposed) return items;
    this.lists.set(kind, { items, expiresAt: ttlMs === undefined ? undefined : Date.now() + Math.max(0, ttlMs) });
    this.listsEmitter.fire();
    return items;
  }

  /** The cached list while fresh (no list_changed since, and within the server's `ttlMs`); otherwise lists again. */
  async list<T>(kind: ListKind, refresh: boolean): Promise<T[]> {
    const cached = this.lists.get(kind);
    if (cached && !refresh && (cached.expiresAt === undefined || Date.now() < cached.expiresAt)) return cached.items as T[];
    try {
      return (await this.refreshList(kind, refresh)) as T[];
    } catch (e) {
      throw this.toSessionError(e, `listing ${kind}`, this.settings.callTimeouts().timeoutMs, undefined);
    }
  }

  // ---- calls ---------------------------------------------------------------------------------

  /**
   * Runs one request and settles it at once if the connection ends first. A caller's signal
   * is linked through an AbortController of this request's own (never a shared long-lived
   * signal, which leaks listeners and cancels unrelated requests); without a caller's signal
   * there is nothing to cancel and no controller is made — warm calls are the hot path.
   * When a remote server forgot the session, the request is sent again on the new session
   * once, and only when `retrySafe`; otherwise it fails with 'session-expired'.
   */
  private request<T>(what: string, options: CallOptions, send: (client: Client, requestOptions: RequestOptions) => Promise<T>, retrySafe = false): Promise<T> {
    const connection = this.connection!;
    const external = options.signal;
    if (external?.aborted) return Promise.reject(new McpSessionError('cancelled', this.server, `The ${what} on "${this.server}" was cancelled.`));
    const controller = external ? new AbortController() : undefined;
    const onExternalAbort = external && (() => controller!.abort(external.reason));
    if (onExternalAbort) external!.addEventListener('abort', onExternalAbort, { once: true });
    const defaults = this.settings.callTimeouts();
    const timeoutMs = options.timeoutMs ?? defaults.timeoutMs;
    const requestOptions: RequestOptions = {
      signal: controller?.signal,
      timeout: timeoutMs,
      resetTimeoutOnProgress: true,
      maxTotalTimeout: options.maxTotalTimeoutMs ?? (options.timeoutMs === undefined ? defaults.maxTotalTimeoutMs : timeoutMs * 10),
      onprogress: options.onProgress ? (p) => options.onProgress!({ progress: p.progress, total: p.total, message: p.message }) : undefined,
    };
    const recovery = sessionRecoveryOf(connection);
    const attempt = async (retried: boolean): Promise<T> => {
      if (recovery!.recovering) await recovery!.recovering;
      const client = connection.client;
      try {
        return await send(client, requestOptions);
      } catch (e) {
        const replaced = recovery!.recoveryFor(client);
        if (!replaced || external?.aborted) throw e;
        await replaced;
        if (retrySafe && !retried) {
          this.deps.log('transport', `the session expired during the ${what}; sending it again on the new session`);
          return attempt(true);
        }
        const why = retrySafe
          ? 'It had already been sent again once.'
          : 'It was not sent again because the tool is not marked read-only or idempotent; a new session is ready, so call it again if that is safe.';
        throw new McpSessionError('session-expired', this.server, `"${this.server}" ended its session during the ${what}. ${why}`, { cause: e, retryable: true });
      }
    };
    // One promise per request, settled by the answer or by failInFlight, whichever is first;
    // warm calls are the hot path, so no async wrapper around it.
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        this.inFlight.delete(entry);
        if (onExternalAbort) external!.removeEventListener('abort', onExternalAbort);
      };
      const entry: InFlight = {
        what,
        fail: (error) => {
          done();
          reject(error);
        },
      };
      this.inFlight.add(entry);
      (recovery ? attempt(false) : send(connection.client, requestOptions)).then(
        (value) => {
          done();
          resolve(value);
        },
        (e) => {
          done();
          reject(this.toSessionError(e, what, timeoutMs, external, requestOptions.maxTotalTimeout));
        },
      );
    });
  }

  private toSessionError(e: unknown, what: string, timeoutMs: number, external: AbortSignal | undefined, maxTotalTimeoutMs?: number): McpSessionError {
    if (e instanceof McpSessionError) return e;
    const name = this.server;
    if (external?.aborted) return new McpSessionError('cancelled', name, `The ${what} on "${name}" was cancelled.`, { cause: e });
    const remote = classifyRemoteFailure(e);
    // A request on the client a remote connection retired when the server forgot its session.
    const connection = this.connection;
    const lostWithSession = e instanceof SdkError && e.code === SdkErrorCode.ConnectionClosed && connection && sessionRecoveryOf(connection)?.recovering;
    if (remote?.kind === 'session-expired' || lostWithSession) {
      return new McpSessionError('session-expired', name, `"${name}" ended its session during the ${what}; a new session is starting, so try again.`, { cause: e, retryable: true });
    }
    if (remote) {
      return new McpSessionError('connection', name, `The ${what} on "${name}" failed: the server could not be reached (${remote.detail}).`, { cause: e, retryable: true });
    }
    const era = this.protocolInfo ? describeProtocol(this.protocolInfo) : 'MCP';
    if (e instanceof SdkError) {
      switch (e.code) {
        case SdkErrorCode.RequestTimeout:
          // The SDK says which bound ended it only in its message.
          if (maxTotalTimeoutMs !== undefined && /maximum total timeout/i.test(e.message)) {
            return new McpSessionError('timeout', name, `The ${what} on "${name}" timed out: it ran longer than ${maxTotalTimeoutMs} ms in all (maxTotalTimeoutMs).`, { cause: e, retryable: true });
          }
          return new McpSessionError('timeout', name, `The ${what} on "${name}" timed out after ${timeoutMs} ms without an answer or progress (requestTimeoutMs).`, { cause: e, retryable: true });
        case SdkErrorCode.ConnectionClosed:
        case SdkErrorCode.NotConnected:
        case SdkErrorCode.SendFailed: {
          const end = this.ended;
          return new McpSessionError('crashed', name, `"${name}" closed the connection during the ${what}${end ? `: ${end.reason}` : ''}.`, {
            cause: e,
            exitCode: end?.exitCode,
            signal: end?.signal,
            stderrTail: end?.stderrTail,
            retryable: true,
          });
        }
        case SdkErrorCode.InputRequiredRoundsExceeded:
          return new McpSessionError('protocol', name, `"${name}" kept asking for more input during the ${what} and was stopped after the allowed rounds.`, { cause: e });
        case SdkErrorCode.MethodNotSupportedByProtocolVersion:
          return new McpSessionError('protocol', name, `The ${what} is not available on "${name}", which speaks ${era}.`, { cause: e });
        default:
          return new McpSessionError('protocol', name, `The ${what} on "${name}" (${era}) failed: ${truncateText(e.message, undefined, this.deps.redact)}`, { cause: e });
      }
    }
    if (e instanceof ProtocolError) {
      // "MCP error -32000: …", as the v1 SDK worded it, so the code stays in sight.
      const message = truncateText(`MCP error ${e.code}: ${e.message}`, undefined, this.deps.redact);
      // A server may send any number; the 2026 codes that need words of their own are named here.
      const code: ProtocolErrorCode = e.code;
      switch (code) {
        case ProtocolErrorCode.UnsupportedProtocolVersion:
          this.deps.onEraMismatch();
          return new McpSessionError('protocol', name, `"${name}" refused the ${what}: it does not speak ${era} (${message}). Restart it to negotiate again.`, { cause: e, retryable: true });
        case ProtocolErrorCode.MissingRequiredClientCapability:
          return new McpSessionError('protocol', name, `"${name}" refused the ${what}: it needs a client capability this client does not offer (${message}).`, { cause: e });
        case ProtocolErrorCode.UrlElicitationRequired:
          return new McpSessionError('protocol', name, `"${name}" asked for input in a browser (URL elicitation) during the ${what}; answering it is not supported yet.`, { cause: e });
        default:
          return new McpSessionError('protocol', name, `"${name}" answered the ${what} with an error: ${message}`, { cause: e });
      }
    }
    return new McpSessionError('protocol', name, `The ${what} on "${name}" failed: ${truncateText(errorMessage(e), undefined, this.deps.redact)}`, { cause: e });
  }

  private failInFlight(errorFor: (what: string) => McpSessionError): void {
    const entries = [...this.inFlight];
    this.inFlight.clear();
    for (const entry of entries) entry.fail(errorFor(entry.what));
  }

  callTool(tool: string, args: Record<string, unknown>, options: CallOptions): Promise<CallToolResult> {
    const call = this.request(
      `call of "${tool}"`,
      options,
      (client, requestOptions) => client.callTool({ name: tool, arguments: args }, requestOptions),
      isRetrySafeTool(this.listed('tools') as Tool[] | undefined, tool),
    );
    return call.then((result) => {
      if (!result.isError) return result;
      const text = result.content
        ?.filter((c): c is { type: 'text'; text: string } => c.type === 'text')
        .map((c) => c.text)
        .join('\n');
      throw new McpSessionError('tool-error', this.server, `The tool "${tool}" on "${this.server}" reported an error${text ? `: ${truncateText(text, undefined, this.deps.redact)}` : '.'}`, { result });
    });
  }

  readResource(uri: string, options: CallOptions): Promise<ReadResourceResult> {
    return this.request(`read of "${uri}"`, options, (client, requestOptions) => client.readResource({ uri }, { ...requestOptions, cacheMode: 'bypass' }));
  }

  getPrompt(prompt: string, args: Record<string, string>, options: CallOptions): Promise<GetPromptResult> {
    return this.request(`prompt "${prompt}"`, options, (client, requestOptions) => client.getPrompt({ name: prompt, arguments: args }, requestOptions));
  }

  listResourceTemplates(options: CallOptions): Promise<ResourceTemplate[]> {
    return this.request('listing of resource templates', options, async (client, requestOptions) => {
      if (!client.getServerCapabilities()?.resources) return [];
      return (await client.listResourceTemplates(undefined, { ...requestOptions, cacheMode: 'refresh' })).resourceTemplates;
    });
  }

  /** Suggestions for an argument of a prompt or resource template; none when the server offers no completions. */
  complete(params: CompleteRequest['params'], options: CallOptions): Promise<CompleteResult['completion']> {
    return this.request(`completion of "${params.argument.name}"`, options, async (client, requestOptions) => {
      if (!client.getServerCapabilities()?.completions) return { values: [] };
      return (await client.complete(params, requestOptions)).completion;
    });
  }

  // ---- resource subscriptions -----------------------------------------------------------------

  /** True when the server says it can tell about changes of a resource. */
  get offersResourceSubscriptions(): boolean {
    return this.connection?.client.getServerCapabilities()?.resources?.subscribe === true;
  }

  /**
   * Asks the server to tell this connection when `uri` changes: `resources/subscribe` on a 2025
   * server; on a 2026-07-28 server a `subscriptions/listen` stream of its own for that URI (a
   * listen filter is fixed when it opens, so one stream per resource lets each end on its own).
   * Updates fire onDidUpdateResource. Subscribing twice shares the first.
   */
  subscribeResource(uri: string): Promise<void> {
    let subscription = this.resourceSubscriptions.get(uri);
    if (!subscription) {
      subscription = this.openResourceSubscription(uri);
      this.resourceSubscriptions.set(uri, subscription);
      subscription.catch(() => {
        if (this.resourceSubscriptions.get(uri) === subscription) this.resourceSubscriptions.delete(uri);
      });
    }
    return subscription.then(() => undefined);
  }

  /** Ends the server-side subscription of `uri`; failures are logged, never thrown. */
  async unsubscribeResource(uri: string): Promise<void> {
    const subscription = this.resourceSubscriptions.get(uri);
    if (!subscription) return;
    this.resourceSubscriptions.delete(uri);
    try {
      await (await subscription)();
    } catch (e) {
      if (this.open) this.deps.log('transport', `ending the subscription to ${uri} failed: ${errorMessage(e)}`);
    }
  }

  private async openResourceSubscription(uri: string): Promise<() => Promise<void>> {
    if (!this.offersResourceSubscriptions) {
      throw new McpSessionError('protocol', this.server, `"${this.server}" does not offer resource subscriptions, so ${uri} will not refresh by itself.`);
    }
    const options: CallOptions = {};
    if (this.protocolInfo?.era === 'modern') {
      const listening = await this.request(`subscription to ${uri}`, options, (client, requestOptions) =>
        client.listen({ resourceSubscriptions: [uri] }, { timeout: requestOptions.timeout }),
      );
      if (!listening.honoredFilter.resourceSubscriptions?.includes(uri)) {
        void listening.close();
        throw new McpSessionError('protocol', this.server, `"${this.server}" did not accept a subscription to ${uri}.`);
      }
      this.deps.log('transport', `subscribed to ${uri} (subscriptions/listen)`);
      return () => listening.close();
    }
    await this.request(`subscription to ${uri}`, options, (client, requestOptions) => client.subscribeResource({ uri }, requestOptions));
    this.deps.log('transport', `subscribed to ${uri} (resources/subscribe)`);
    return async () => {
      if (!this.open) return;
      await this.request(`unsubscription from ${uri}`, {}, (client, requestOptions) => client.unsubscribeResource({ uri }, requestOptions));
    };
  }
}

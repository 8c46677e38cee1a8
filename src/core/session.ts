// One session per server: the single owner of that server's connection and process.
//
// States: stopped → starting → running → stopping → stopped, and error (with a message and
// whether retrying is useful). Every transition fires onDidChangeState with a reason.
// start/stop/restart are serialized through one queue; start() while a start is pending
// returns that start (single flight); stop() while starting cancels the attempt, waits for it
// to settle and then stops. An unexpected end rejects every in-flight call at once and hands
// the session to the crash supervisor (exponential backoff, crash-loop breaker).

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  ErrorCode,
  LoggingMessageNotificationSchema,
  McpError,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ToolListChangedNotificationSchema,
  type CallToolResult,
  type GetPromptResult,
  type Prompt,
  type ReadResourceResult,
  type Resource,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallOptions, ServerLogLine, ServerSnapshot, SessionApi, SessionState, StateChange, SupervisorOptions } from './api';
import type { CloseOptions, CloseReport, Connection, ConnectionEnd, Connector, ProcessLedgerLike } from './connection';
import type { ServerDefinition } from './definitions';
import { McpSessionError, errorMessage } from './errors';
import { Emitter } from './lifecycle';
import { RingBuffer, truncateText, type Logger } from './logger';
import { CachingSchemaValidator } from './schemaValidator';
import { classifyRemoteFailure, isRetrySafeTool, sessionRecoveryOf } from './remoteFailures';

export interface SessionSettings {
  connectTimeoutMs: number;
  stdinGraceMs: number;
  termGraceMs: number;
  defaultCallTimeoutMs: number;
  supervisor: SupervisorOptions;
  pingIntervalMs: number;
  pingTimeoutMs: number;
  baseEnv: NodeJS.ProcessEnv;
  clientInfo: { name: string; version: string };
  logCapacity: number;
  traceProtocol: boolean;
  /** Largest single message accepted from a server. */
  maxMessageBytes: number;
}

export interface SessionDependencies {
  connectors: Record<ServerDefinition['kind'], Connector>;
  logger: Logger;
  ledger?: ProcessLedgerLike;
  schemaValidator: CachingSchemaValidator;
  authProviderFor?: import('./api').RegistryOptions['authProviderFor'];
  redactor?: import('./redact').SecretRedactor;
}

type ListKind = 'tools' | 'resources' | 'prompts';

interface InFlight {
  /** "call of \"echo\"": what a failure of this request names. */
  what: string;
  fail(error: McpSessionError): void;
}

const listRefreshDebounceMs = 100;
/** `instructions` from initialize are kept (and shown) up to this length. */
export const maxInstructionsChars = 64 * 1024;
/** Guards against servers that hand out cursors forever. */
const maxListPages = 1000;

/** A message as JSON for the trace; a server can nest one too deeply for JSON.stringify. */
function traceText(message: unknown): string {
  try {
    return JSON.stringify(message);
  } catch (e) {
    return `[a message that cannot be shown: ${errorMessage(e)}]`;
  }
}

export class ServerSession implements SessionApi {
  private current: SessionState = { state: 'stopped' };
  private connection: Connection | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private pendingStart: Promise<void> | undefined;
  private startAttempt: AbortController | undefined;
  private readonly inFlight = new Set<InFlight>();
  private crashTimes: number[] = [];
  private restartTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private lastEnd: (ConnectionEnd & { at: number }) | undefined;
  private shutDown = false;
  private stdoutNoise = 0;
  private startedAt: number | undefined;
  private serverInfo: { name: string; version: string } | undefined;
  private instructions: string | undefined;
  private readonly lists: { tools?: Tool[]; resources?: Resource[]; prompts?: Prompt[] } = {};
  /** The connection each cached list came from: a list from an earlier connection is only a hint. */
  private readonly listSources: Partial<Record<ListKind, Connection>> = {};
  private readonly listRefreshTimers = new Map<ListKind, NodeJS.Timeout>();
  private readonly listRefreshes = new Map<ListKind, { connection: Connection | undefined; promise: Promise<unknown[]> }>();
  private readonly log: RingBuffer<ServerLogLine>;

  private readonly stateEmitter = new Emitter<StateChange>();
  private readonly listsEmitter = new Emitter<void>();
  private readonly logEmitter = new Emitter<ServerLogLine>();
  readonly onDidChangeState = this.stateEmitter.event;
  readonly onDidChangeLists = this.listsEmitter.event;
  readonly onDidLog = this.logEmitter.event;

  constructor(
    private def: ServerDefinition,
    private readonly settings: SessionSettings,
    private readonly deps: SessionDependencies,
  ) {
    this.log = new RingBuffer(settings.logCapacity);
  }

  get name(): string {
    return this.def.name;
  }

  get definition(): ServerDefinition {
    return this.def;
  }

  get state(): SessionState {
    return this.current;
  }

  snapshot(): ServerSnapshot {
    return {
      name: this.name,
      definition: this.def,
      state: this.current,
      pid: this.connection?.pid,
      startedAt: this.current.state === 'running' ? this.startedAt : undefined,
      tools: this.lists.tools,
      resources: this.lists.resources,
      prompts: this.lists.prompts,
      serverInfo: this.serverInfo,
      instructions: this.instructions,
      recentCrashes: this.recentCrashes(Date.now()),
      stdoutNoiseLines: this.stdoutNoise,
    };
  }

  logLines(): ServerLogLine[] {
    return this.log.toArray();
  }

  /** Replaces the definition; a running server is restarted by the registry, not here. */
  updateDefinition(def: ServerDefinition): void {
    this.def = def;
  }

  // ---- state ---------------------------------------------------------------------------

  private setState(next: SessionState, reason: string): void {
    const previous = this.current;
    this.current = next;
    const detail = next.state === 'error' ? `: ${next.message}` : '';
    this.appendLog('state', `${previous.state} → ${next.state} (${reason})${detail}`);
    this.deps.logger.info(`[${this.name}] ${previous.state} → ${next.state} (${reason})`);
    this.stateEmitter.fire({ server: this.name, previous, current: next, reason });
  }

  /** For texts cut before the extension redacts them (truncateText). */
  private readonly redact = (text: string): string => this.deps.redactor?.redact(text) ?? text;

  /** Every log line is cut to a few KiB: 2,000 whole 4 MiB lines from one server would be gigabytes. */
  private appendLog(stream: ServerLogLine['stream'], text: string): void {
    const line: ServerLogLine = { time: Date.now(), stream, text: truncateText(text, undefined, this.redact) };
    this.log.push(line);
    this.logEmitter.fire(line);
  }

  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private shutDownError(): McpSessionError {
    return new McpSessionError('shut-down', this.name, `The session registry is shut down; "${this.name}" cannot be used.`);
  }

  // ---- start / stop ----------------------------------------------------------------------

  /** Starts the server if it is not running. This is a user's start: it resets the crash-loop breaker. */
  start(reason = 'start requested'): Promise<void> {
    return this.startOnce(reason, 'user');
  }

  /**
   * Single flight: while a start is pending every caller gets that start.
   * `user` starts reset the crash-loop breaker; `demand` (first use) and `supervisor` starts do not.
   */
  private startOnce(reason: string, origin: 'user' | 'demand' | 'supervisor'): Promise<void> {
    if (this.shutDown) return Promise.reject(this.shutDownError());
    if (this.current.state === 'running' && this.connection) return Promise.resolve();
    if (this.pendingStart) return this.pendingStart;
    this.cancelScheduledRestart();
    if (origin === 'user') this.crashTimes = [];
    const attempt = this.enqueue(() => this.runStart(reason, origin === 'supervisor'));
    const pending = attempt.finally(() => {
      if (this.pendingStart === pending) this.pendingStart = undefined;
    });
    this.pendingStart = pending;
    return pending;
  }

  private async runStart(reason: string, supervised = false): Promise<void> {
    if (this.shutDown) throw this.shutDownError();
    if (this.current.state === 'running' && this.connection) return;
    const attempt = new AbortController();
    this.startAttempt = attempt;
    this.setState({ state: 'starting' }, reason);
    const connector = this.deps.connectors[this.def.kind];
    let connection: Connection;
    try {
      connection = await connector({
        definition: this.def,
        createClient: () => this.createClient(),
        connectTimeoutMs: this.settings.connectTimeoutMs,
        signal: attempt.signal,
        hooks: {
          log: (line, stream) => this.onServerLog(line, stream),
          onUnexpectedEnd: (end) => this.onUnexpectedEnd(connection, end),
        },
        logger: this.deps.logger,
        baseEnv: this.settings.baseEnv,
        ledger: this.deps.ledger,
        redactor: this.deps.redactor,
        closeOptions: this.closeOptions(),
        maxMessageBytes: this.settings.maxMessageBytes,
        authProvider: this.def.kind === 'stdio' ? undefined : this.deps.authProviderFor?.(this.def),
        trace: this.settings.traceProtocol ? (direction, message) => this.appendLog('trace', `${direction === 'send' ? '→' : '←'} ${traceText(message)}`) : undefined,
      });
    } catch (e) {
      const error = e instanceof McpSessionError ? e : new McpSessionError('start-failed', this.name, `Could not start "${this.name}": ${errorMessage(e)}`, { cause: e, retryable: true });
      if (attempt.signal.aborted) {
        this.setState({ state: 'stopped' }, 'start cancelled');
        throw new McpSessionError('cancelled', this.name, `Starting "${this.name}" was cancelled because it was stopped.`);
      }
      // A failed restart goes straight to the supervisor's verdict (retry later, or give up), so no
      // error state in between reads as final. One that needs the user to sign in waits for them.
      if (supervised && error.code !== 'needs-sign-in') this.onCrash(error.message.replace(/\.$/, ''), error, 'restart failed');
      else this.setState({ state: 'error', message: error.message, retryable: error.details.retryable ?? true, ...failureDetails(error) }, 'start failed');
      throw error;
    } finally {
      if (this.startAttempt === attempt) this.startAttempt = undefined;
    }
    this.connection = connection;
    this.startedAt = Date.now();
    const version = connection.client.getServerVersion();
    this.serverInfo = version ? { name: version.name, version: version.version } : undefined;
    const instructions = connection.client.getInstructions();
    this.instructions = instructions === undefined ? undefined : truncateText(instructions, maxInstructionsChars);
    this.setState({ state: 'running', pid: connection.pid, since: this.startedAt }, reason);
    this.startPing(connection);
    // Fill the caches in the background; start() does not wait for lists.
    void this.refreshAll();
  }

  /** Stops the server. While starting, cancels the attempt, waits for it, then stops. */
  stop(reason = 'stop requested', options?: Partial<CloseOptions>): Promise<CloseReport | undefined> {
    this.cancelScheduledRestart();
    // The abort reason carries the deadline, so the cancelled attempt ends its process within it.
    this.startAttempt?.abort(options?.deadline);
    return this.enqueue(() => this.runStop(reason, options));
  }

  private async runStop(reason: string, options?: Partial<CloseOptions>): Promise<CloseReport | undefined> {
    const connection = this.connection;
    if (!connection) {
      if (this.current.state !== 'stopped') this.setState({ state: 'stopped' }, reason);
      return undefined;
    }
    this.setState({ state: 'stopping' }, reason);
    this.connection = undefined;
    this.stopPing();
    this.failInFlight((what) => new McpSessionError('not-running', this.name, `"${this.name}" was stopped during the ${what} (${reason}).`));
    const report = await connection.close({ ...this.closeOptions(), ...options });
    this.appendLog('state', `closed: ${report.outcome} in ${report.durationMs} ms`);
    if (report.outcome === 'survived') {
      this.deps.logger.error(`[${this.name}] some processes of its group could not be ended`);
    }
    this.setState({ state: 'stopped' }, reason);
    return report;
  }

  async restart(reason = 'restart requested'): Promise<void> {
    await this.stop(reason);
    await this.start(reason);
  }

  /** Stops for good: later calls fail with "registry is shut down". */
  async shutdown(deadline: number): Promise<CloseReport | undefined> {
    this.shutDown = true;
    this.cancelScheduledRestart();
    for (const timer of this.listRefreshTimers.values()) clearTimeout(timer);
    this.listRefreshTimers.clear();
    return this.stop('shutdown', { deadline });
  }

  private closeOptions(): CloseOptions {
    return { stdinGraceMs: this.settings.stdinGraceMs, termGraceMs: this.settings.termGraceMs };
  }

  // ---- crash supervision -------------------------------------------------------------------

  private onUnexpectedEnd(connection: Connection | undefined, end: ConnectionEnd): void {
    if (!connection || connection !== this.connection) return;
    this.connection = undefined;
    this.stopPing();
    this.lastEnd = { ...end, at: Date.now() };
    const details = { exitCode: end.exitCode, signal: end.signal, stderrTail: end.stderrTail, retryable: true };
    // "exited with code 7", without repeating the server's name.
    const subject = `"${this.name}" `;
    const how = end.reason.startsWith(subject) ? end.reason.slice(subject.length) : end.reason;
    const crashed = new McpSessionError('crashed', this.name, `"${this.name}" stopped unexpectedly: ${how}.`, details);
    // Each caller learns which of its requests the crash ended.
    this.failInFlight((what) => new McpSessionError('crashed', this.name, `"${this.name}" stopped unexpectedly during the ${what}: ${how}.`, details));
    void connection.client.close().catch(() => undefined);
    this.deps.logger.warn(`[${this.name}] ${crashed.describe()}`);
    this.onCrash(end.reason, crashed, 'crashed');
  }

  private recentCrashes(now: number): number {
    const { windowMs } = this.settings.supervisor;
    this.crashTimes = this.crashTimes.filter((t) => now - t < windowMs);
    return this.crashTimes.length;
  }

  /** `why`: how it ended ("exited with code 9"); `error`: the failure, for its code and stderr. */
  private onCrash(why: string, error: McpSessionError, transitionReason: string): void {
    const now = Date.now();
    this.crashTimes.push(now);
    const { maxCrashes, windowMs, restartOnCrash, initialBackoffMs, maxBackoffMs } = this.settings.supervisor;
    const crashes = this.recentCrashes(now);
    if (this.shutDown) return;
    const failure = { retryable: true, ...failureDetails(error) };
    if (crashes >= maxCrashes) {
      const minutes = Math.round(windowMs / 60000);
      const window = minutes >= 1 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${Math.round(windowMs / 1000)} s`;
      this.setState(
        { state: 'error', message: `"${this.name}" crashed ${crashes} times in the last ${window} and will not be restarted. Last: ${why}. Start it again once the problem is fixed.`, ...failure },
        'crash loop',
      );
      return;
    }
    if (!restartOnCrash) {
      this.setState({ state: 'error', message: `${why}.`, ...failure }, transitionReason);
      return;
    }
    const delay = Math.min(maxBackoffMs, initialBackoffMs * 2 ** (crashes - 1));
    this.setState({ state: 'error', message: `${why}; restarting in ${delay} ms.`, ...failure, restartInMs: delay }, transitionReason);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.startOnce(`restart after crash ${crashes}`, 'supervisor').catch(() => undefined);
    }, delay);
  }

  private cancelScheduledRestart(): void {
    if (this.restartTimer) {
      clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
    }
  }

  /** True when the crash-loop breaker tripped: only an explicit start() may start it again. */
  private get breakerOpen(): boolean {
    return this.current.state === 'error' && this.recentCrashes(Date.now()) >= this.settings.supervisor.maxCrashes;
  }

  // ---- health (remote servers) -----------------------------------------------------------

  private startPing(connection: Connection): void {
    if (connection.kind === 'stdio' || this.settings.pingIntervalMs <= 0) return;
    this.pingTimer = setInterval(() => {
      const client = connection.client;
      client.ping({ timeout: this.settings.pingTimeoutMs }).catch((e) => {
        // A ping lost with an expired remote session is no failure: a new session is starting.
        if (connection !== this.connection || sessionRecoveryOf(connection)?.recoveryFor(client)) return;
        this.onUnexpectedEnd(connection, { reason: `ping failed: ${errorMessage(e)}` });
        void connection.close({ ...this.closeOptions(), stdinGraceMs: 0 }).catch(() => undefined);
      });
    }, this.settings.pingIntervalMs);
    this.pingTimer.unref?.();
  }

  private stopPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }

  // ---- the client ------------------------------------------------------------------------

  private createClient(): Client {
    const client = new Client(this.settings.clientInfo, {
      capabilities: {},
      jsonSchemaValidator: this.deps.schemaValidator,
    });
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => this.scheduleListRefresh('tools'));
    client.setNotificationHandler(ResourceListChangedNotificationSchema, async () => this.scheduleListRefresh('resources'));
    client.setNotificationHandler(PromptListChangedNotificationSchema, async () => this.scheduleListRefresh('prompts'));
    client.setNotificationHandler(LoggingMessageNotificationSchema, async (notification) => {
      const { level, logger, data } = notification.params;
      const text = typeof data === 'string' ? data : JSON.stringify(data);
      this.appendLog('notification', `[${level}]${logger ? ` ${logger}:` : ''} ${text}`);
    });
    client.onerror = (error) => this.appendLog('transport', `client error: ${error.message}`);
    return client;
  }

  private onServerLog(line: string, stream: 'stderr' | 'stdout-noise' | 'transport'): void {
    if (stream === 'stdout-noise') this.stdoutNoise++;
    this.appendLog(stream, line);
  }

  // ---- lists -------------------------------------------------------------------------------

  private scheduleListRefresh(kind: ListKind): void {
    clearTimeout(this.listRefreshTimers.get(kind));
    this.listRefreshTimers.set(
      kind,
      setTimeout(() => {
        this.listRefreshTimers.delete(kind);
        void this.refreshList(kind, true).catch((e) => this.appendLog('transport', `refreshing ${kind} after list_changed failed: ${errorMessage(e)}`));
      }, listRefreshDebounceMs),
    );
  }

  private async refreshAll(): Promise<void> {
    for (const kind of ['tools', 'resources', 'prompts'] as const) {
      try {
        await this.refreshList(kind);
      } catch (e) {
        this.appendLog('transport', `listing ${kind} failed: ${errorMessage(e)}`);
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
    if (running && running.connection === this.connection) {
      if (!fresh) return running.promise;
      return running.promise.catch(() => undefined).then(() => this.refreshList(kind));
    }
    const promise = this.fetchList(kind).finally(() => {
      if (this.listRefreshes.get(kind)?.promise === promise) this.listRefreshes.delete(kind);
    });
    this.listRefreshes.set(kind, { connection: this.connection, promise });
    return promise;
  }

  /** Lists every page of one kind from the running server, replaces the cache and fires onDidChangeLists. */
  private async fetchList(kind: ListKind): Promise<unknown[]> {
    const connection = this.connection;
    if (!connection) return this.lists[kind] ?? [];
    const client = connection.client;
    const capabilities = client.getServerCapabilities() ?? {};
    let items: unknown[] = [];
    if (capabilities[kind]) {
      let cursor: string | undefined;
      const seen = new Set<string>();
      for (let page = 0; page < maxListPages; page++) {
        const params = cursor ? { cursor } : undefined;
        const options: RequestOptions = { timeout: this.settings.defaultCallTimeoutMs };
        const result =
          kind === 'tools' ? await client.listTools(params, options) : kind === 'resources' ? await client.listResources(params, options) : await client.listPrompts(params, options);
        items = items.concat(kind === 'tools' ? (result as { tools: Tool[] }).tools : kind === 'resources' ? (result as { resources: Resource[] }).resources : (result as { prompts: Prompt[] }).prompts);
        cursor = result.nextCursor;
        if (!cursor || seen.has(cursor)) break;
        seen.add(cursor);
      }
      if (kind === 'tools') {
        // The client validates structured results against the output schemas of the tools it
        // last listed: after paging, give it the whole list, not just the last page.
        (client as unknown as { cacheToolMetadata?(tools: Tool[]): void }).cacheToolMetadata?.(items as Tool[]);
      }
    }
    if (connection !== this.connection) return items;
    (this.lists as Record<ListKind, unknown[]>)[kind] = items;
    this.listSources[kind] = connection;
    this.listsEmitter.fire();
    return items;
  }

  private async listKind<T>(kind: ListKind, refresh: boolean): Promise<T[]> {
    const cached = this.lists[kind] as T[] | undefined;
    if (cached && !refresh && this.connection && this.listSources[kind] === this.connection) return cached;
    await this.ensureRunning();
    return (await this.withCallErrors(() => this.refreshList(kind), 'listing ' + kind)) as T[];
  }

  listTools(refresh = false): Promise<Tool[]> {
    return this.listKind<Tool>('tools', refresh);
  }

  listResources(refresh = false): Promise<Resource[]> {
    return this.listKind<Resource>('resources', refresh);
  }

  listPrompts(refresh = false): Promise<Prompt[]> {
    return this.listKind<Prompt>('prompts', refresh);
  }

  // ---- calls -------------------------------------------------------------------------------

  private async ensureRunning(): Promise<Connection> {
    if (this.shutDown) throw this.shutDownError();
    if (this.connection && this.current.state === 'running') return this.connection;
    if (this.breakerOpen) {
      const message = this.current.state === 'error' ? this.current.message : 'it is in error';
      throw new McpSessionError('not-running', this.name, message, { retryable: true });
    }
    await this.startOnce('first use', 'demand');
    if (!this.connection) throw new McpSessionError('not-running', this.name, `"${this.name}" is not running.`);
    return this.connection;
  }

  /**
   * Runs one request and settles it at once if the connection ends first. A caller's signal
   * is linked through an AbortController of this request's own (never a shared long-lived
   * signal, which leaks listeners and cancels unrelated requests); without a caller's signal
   * there is nothing to cancel and no controller is made — warm calls are the hot path.
   * When a remote server forgot the session, the request is sent again on the new session
   * once, and only when `retrySafe`; otherwise it fails with 'session-expired'.
   */
  private async request<T>(
    what: string,
    options: CallOptions,
    send: (connection: Connection, requestOptions: RequestOptions) => Promise<T>,
    retrySafe = false,
  ): Promise<T> {
    const connection = this.connection && this.current.state === 'running' ? this.connection : await this.ensureRunning();
    const external = options.signal;
    if (external?.aborted) throw new McpSessionError('cancelled', this.name, `The ${what} on "${this.name}" was cancelled.`);
    const controller = external ? new AbortController() : undefined;
    const onExternalAbort = () => controller!.abort(external!.reason);
    external?.addEventListener('abort', onExternalAbort, { once: true });
    const timeoutMs = options.timeoutMs ?? this.settings.defaultCallTimeoutMs;
    const requestOptions: RequestOptions = {
      signal: controller?.signal,
      timeout: timeoutMs,
      resetTimeoutOnProgress: true,
      maxTotalTimeout: options.maxTotalTimeoutMs ?? timeoutMs * 10,
      onprogress: options.onProgress
        ? (p) => options.onProgress!({ progress: p.progress, total: p.total, message: (p as { message?: string }).message })
        : undefined,
    };
    const recovery = sessionRecoveryOf(connection);
    const attempt = async (retried: boolean): Promise<T> => {
      if (recovery?.recovering) await recovery.recovering;
      const client = connection.client;
      try {
        return await send(connection, requestOptions);
      } catch (e) {
        const replaced = recovery?.recoveryFor(client);
        if (!replaced || external?.aborted) throw e;
        await replaced;
        if (retrySafe && !retried) {
          this.appendLog('transport', `the session expired during the ${what}; sending it again on the new session`);
          return attempt(true);
        }
        const why = retrySafe
          ? 'It had already been sent again once.'
          : 'It was not sent again because the tool is not marked read-only or idempotent; a new session is ready, so call it again if that is safe.';
        throw new McpSessionError('session-expired', this.name, `"${this.name}" ended its session during the ${what}. ${why}`, { cause: e, retryable: true });
      }
    };
    let entry: InFlight | undefined;
    try {
      return await new Promise<T>((resolve, reject) => {
        entry = { what, fail: reject };
        this.inFlight.add(entry);
        (recovery ? attempt(false) : send(connection, requestOptions)).then(resolve, (e) => reject(this.toSessionError(e, what, timeoutMs, external, connection)));
      });
    } finally {
      this.inFlight.delete(entry!);
      external?.removeEventListener('abort', onExternalAbort);
    }
  }

  private async withCallErrors<T>(run: () => Promise<T>, what: string): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw this.toSessionError(e, what, this.settings.defaultCallTimeoutMs, undefined);
    }
  }

  /** `connection`: the one the request went out on, when known. */
  private toSessionError(e: unknown, what: string, timeoutMs: number, external: AbortSignal | undefined, connection?: Connection): McpSessionError {
    if (e instanceof McpSessionError) return e;
    if (external?.aborted) return new McpSessionError('cancelled', this.name, `The ${what} on "${this.name}" was cancelled.`, { cause: e });
    const remote = classifyRemoteFailure(e);
    // A request on the client a remote connection retired when the server forgot its session.
    const lostWithSession = e instanceof McpError && e.code === ErrorCode.ConnectionClosed && this.connection && sessionRecoveryOf(this.connection)?.recovering;
    if (remote?.kind === 'session-expired' || lostWithSession) {
      return new McpSessionError('session-expired', this.name, `"${this.name}" ended its session during the ${what}; a new session is starting, so try again.`, { cause: e, retryable: true });
    }
    if (remote) {
      return new McpSessionError('connection', this.name, `The ${what} on "${this.name}" failed: the server could not be reached (${remote.detail}).`, { cause: e, retryable: true });
    }
    if (e instanceof McpError) {
      if (e.code === ErrorCode.RequestTimeout) {
        return new McpSessionError('timeout', this.name, `The ${what} on "${this.name}" timed out after ${timeoutMs} ms without progress.`, { cause: e, retryable: true });
      }
      // A server may answer with the code -32000 itself: only a connection that is gone closed.
      const stillOpen = connection !== undefined && connection === this.connection && this.current.state === 'running';
      if (e.code === ErrorCode.ConnectionClosed && !stillOpen) {
        const end = this.lastEnd;
        return new McpSessionError('crashed', this.name, `"${this.name}" closed the connection during the ${what}${end ? `: ${end.reason}` : ''}.`, {
          cause: e,
          exitCode: end?.exitCode,
          signal: end?.signal,
          stderrTail: end?.stderrTail,
          retryable: true,
        });
      }
      return new McpSessionError('protocol', this.name, `"${this.name}" answered the ${what} with an error: ${truncateText(e.message, undefined, this.redact)}`, { cause: e });
    }
    return new McpSessionError('protocol', this.name, `The ${what} on "${this.name}" failed: ${truncateText(errorMessage(e), undefined, this.redact)}`, { cause: e });
  }

  private failInFlight(errorFor: (what: string) => McpSessionError): void {
    const entries = [...this.inFlight];
    this.inFlight.clear();
    for (const entry of entries) entry.fail(errorFor(entry.what));
  }

  async callTool(tool: string, args: Record<string, unknown> = {}, options: CallOptions = {}): Promise<CallToolResult> {
    const result = (await this.request(
      `call of "${tool}"`,
      options,
      (connection, requestOptions) => connection.client.callTool({ name: tool, arguments: args }, undefined, requestOptions),
      isRetrySafeTool(this.lists.tools, tool),
    )) as CallToolResult;
    if (result.isError) {
      const text = result.content
        ?.filter((c): c is { type: 'text'; text: string } => c.type === 'text')
        .map((c) => c.text)
        .join('\n');
      throw new McpSessionError('tool-error', this.name, `The tool "${tool}" on "${this.name}" reported an error${text ? `: ${truncateText(text, undefined, this.redact)}` : '.'}`, { result });
    }
    return result;
  }

  readResource(uri: string, options: CallOptions = {}): Promise<ReadResourceResult> {
    return this.request(`read of "${uri}"`, options, (connection, requestOptions) => connection.client.readResource({ uri }, requestOptions));
  }

  getPrompt(prompt: string, args: Record<string, string> = {}, options: CallOptions = {}): Promise<GetPromptResult> {
    return this.request(`prompt "${prompt}"`, options, (connection, requestOptions) => connection.client.getPrompt({ name: prompt, arguments: args }, requestOptions));
  }

  /** Releases listeners; the registry calls this after the session has stopped for good. */
  dispose(): void {
    this.stateEmitter.dispose();
    this.listsEmitter.dispose();
    this.logEmitter.dispose();
  }
}

/** What an error state keeps of the failure behind it. */
function failureDetails(error: McpSessionError): Pick<Extract<SessionState, { state: 'error' }>, 'code' | 'exitCode' | 'signal' | 'stderrTail'> {
  const { exitCode, signal, stderrTail } = error.details;
  return { code: error.code, exitCode, signal, stderrTail };
}

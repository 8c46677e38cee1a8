// One session per server: its states, the serialized queue of start/stop, single-flight
// start and the crash policy it was given. Everything tied to one connection (the client, the
// era, heartbeat, list caches, in-flight calls, the request pipeline) lives in a LiveConnection
// (liveConnection.ts) held in a MutableDisposable: replacing or clearing it disposes it, so a new
// connection never sees the old one's state.
//
// States: stopped → starting → running → stopping → stopped, and error (with a message and
// whether retrying is useful). Every transition fires onDidChangeState with a reason; `running`
// carries the protocol era. start/stop/restart are serialized through one queue; start() while
// a start is pending returns that start (single flight); stop() while starting cancels the
// attempt, waits for it to settle and then stops. An unexpected end rejects every in-flight call
// at once and asks the crash policy (crashPolicy.ts) what to do: restart after a delay, or stop.
//
// The era verdict of each definition (eraVerdicts.ts) is passed to the connector as `prior`, so
// a restart connects without the server/discover probe; a changed definition probes again.

import type { CallToolResult, GetPromptResult, Prompt, ReadResourceResult, Resource, ResourceTemplateType as ResourceTemplate, Tool } from '@modelcontextprotocol/client';
import type {
  CallOptions,
  Completion,
  CompletionReference,
  ResourceSubscription,
  ResourceUpdate,
  ServerLogLine,
  ServerSnapshot,
  SessionApi,
  SessionState,
  StateChange,
  SupervisorOptions,
} from './api';
import type { ClientRequestHandlers } from './clientRequests';
import { describeProtocol, type CloseOptions, type CloseReport, type Connection, type ConnectionEnd, type Connector, type ProcessLedgerLike } from './connection';
import type { CrashPolicy } from './crashPolicy';
import { definitionFingerprint, type ServerDefinition } from './definitions';
import type { EraVerdicts } from './eraVerdicts';
import { McpSessionError, errorMessage } from './errors';
import { Emitter, MutableDisposable, toDisposable } from './lifecycle';
import { LiveConnection, type ListKind } from './liveConnection';
import { RingBuffer, truncateText, type Logger } from './logger';
import type { CachingSchemaValidator } from './schemaValidator';

export { maxInstructionsChars } from './liveConnection';

export interface SessionSettings {
  connectTimeoutMs: number;
  stdinGraceMs: number;
  termGraceMs: number;
  defaultCallTimeoutMs: number;
  /** Undefined: 10 × the request's timeout. */
  defaultMaxTotalTimeoutMs: number | undefined;
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
  crashPolicy: CrashPolicy;
  eraVerdicts: EraVerdicts;
  clientRequests: ClientRequestHandlers;
}

/** A message as JSON for the trace; a server can nest one too deeply for JSON.stringify. */
function traceText(message: unknown): string {
  try {
    return JSON.stringify(message);
  } catch (e) {
    return `[a message that cannot be shown: ${errorMessage(e)}]`;
  }
}

/** What the last connection showed, kept for the snapshot while the server is stopped: a hint, never served to calls. */
type LastKnown = Pick<ServerSnapshot, 'tools' | 'resources' | 'prompts' | 'serverInfo' | 'instructions' | 'protocol'>;

export class ServerSession implements SessionApi {
  private current: SessionState = { state: 'stopped' };
  private readonly connection = new MutableDisposable<LiveConnection>();
  private queue: Promise<unknown> = Promise.resolve();
  private pendingStart: Promise<void> | undefined;
  private startAttempt: AbortController | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private shutDown = false;
  private stdoutNoise = 0;
  private legacyRestarts = 0;
  private startedAt: number | undefined;
  private lastKnown: LastKnown = {};
  private readonly log: RingBuffer<ServerLogLine>;
  /**
   * Who wants to hear about which resource. This outlives connections: each new connection
   * subscribes to every URI here (the server-side subscriptions die with their connection).
   */
  private readonly resourceListeners = new Map<string, Set<{ listener: (update: ResourceUpdate) => void }>>();
  /** The URIs of resourceListeners that some connection has subscribed to: a new connection renews them. */
  private readonly subscribedResources = new Set<string>();

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
    const live = this.connection.value;
    return {
      name: this.name,
      definition: this.def,
      state: this.current,
      pid: live?.pid,
      startedAt: this.current.state === 'running' ? this.startedAt : undefined,
      ...this.lastKnown,
      legacyRestarts: this.legacyRestarts,
      recentCrashes: this.deps.crashPolicy.recentCrashes(Date.now()),
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
    const era = next.state === 'running' && next.protocol ? ` (${describeProtocol(next.protocol)})` : '';
    const detail = next.state === 'error' ? `: ${next.message}` : '';
    this.appendLog('state', `${previous.state} → ${next.state}${era} (${reason})${detail}`);
    this.deps.logger.info(`[${this.name}] ${previous.state} → ${next.state}${era} (${reason})`);
    this.stateEmitter.fire({ server: this.name, previous, current: next, reason });
  }

  /** For texts cut before the extension redacts them (truncateText). */
  private readonly redact = (text: string): string => this.deps.redactor?.redact(text) ?? text;

  /** Every log line is cut to a few KiB: 2,000 whole 4 MiB lines from one server would be gigabytes. */
  private readonly appendLog = (stream: ServerLogLine['stream'], text: string): void => {
    const line: ServerLogLine = { time: Date.now(), stream, text: truncateText(text, undefined, this.redact) };
    this.log.push(line);
    this.logEmitter.fire(line);
  };

  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private shutDownError(): McpSessionError {
    return new McpSessionError('shut-down', this.name, `The session registry is shut down; "${this.name}" cannot be used.`);
  }

  /** The live connection while running. */
  private get running(): LiveConnection | undefined {
    const live = this.connection.value;
    return live?.open && this.current.state === 'running' ? live : undefined;
  }

  // ---- start / stop ----------------------------------------------------------------------

  /** Starts the server if it is not running. This is a user's start: it resets the crash policy. */
  start(reason = 'start requested'): Promise<void> {
    return this.startOnce(reason, 'user');
  }

  /**
   * Single flight: while a start is pending every caller gets that start.
   * `user` starts reset the crash policy; `demand` (first use) and `supervisor` starts do not.
   */
  private startOnce(reason: string, origin: 'user' | 'demand' | 'supervisor'): Promise<void> {
    if (this.shutDown) return Promise.reject(this.shutDownError());
    if (this.running) return Promise.resolve();
    if (this.pendingStart) return this.pendingStart;
    this.cancelScheduledRestart();
    if (origin === 'user') this.deps.crashPolicy.reset();
    const attempt = this.enqueue(() => this.runStart(reason, origin === 'supervisor'));
    const pending = attempt.finally(() => {
      if (this.pendingStart === pending) this.pendingStart = undefined;
    });
    this.pendingStart = pending;
    return pending;
  }

  private async runStart(reason: string, supervised = false): Promise<void> {
    if (this.shutDown) throw this.shutDownError();
    if (this.running) return;
    const attempt = new AbortController();
    this.startAttempt = attempt;
    this.setState({ state: 'starting' }, reason);
    const verdictKey = definitionFingerprint(this.def);
    const prior = this.deps.eraVerdicts.get(verdictKey);
    const live = new LiveConnection(
      this.name,
      {
        clientInfo: this.settings.clientInfo,
        // Read per request: a changed setting applies to the next call, without a restart.
        callTimeouts: () => {
          const timeoutMs = this.def.requestTimeoutMs ?? this.settings.defaultCallTimeoutMs;
          return { timeoutMs, maxTotalTimeoutMs: this.def.maxTotalTimeoutMs ?? this.settings.defaultMaxTotalTimeoutMs ?? timeoutMs * 10 };
        },
        // On stdio a silent probe means a legacy server: half the connect bound leaves the other half
        // for the initialize that follows. Remote connections pause their bound during a sign-in, so
        // their probe is bounded by the connector alone.
        probeTimeoutMs: this.def.kind === 'stdio' ? Math.max(1, Math.floor(this.settings.connectTimeoutMs / 2)) : undefined,
        closeOptions: this.closeOptions(),
        pingIntervalMs: this.settings.pingIntervalMs,
        pingTimeoutMs: this.settings.pingTimeoutMs,
      },
      {
        schemaValidator: this.deps.schemaValidator,
        clientRequests: this.deps.clientRequests,
        log: this.appendLog,
        redact: this.redact,
        onEnd: (end, crashed) => this.onUnexpectedEnd(end, crashed),
        onEraMismatch: () => this.deps.eraVerdicts.forget(verdictKey),
      },
    );
    let connection: Connection;
    try {
      connection = await this.deps.connectors[this.def.kind]({
        definition: this.def,
        createClient: () => live.createClient(),
        prior,
        connectTimeoutMs: this.settings.connectTimeoutMs,
        signal: attempt.signal,
        hooks: {
          log: (line, stream) => this.onServerLog(line, stream),
          onUnexpectedEnd: live.onUnexpectedEnd,
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
      live.dispose();
      // A cached verdict that no longer connects is forgotten: the next start probes.
      if (prior) this.deps.eraVerdicts.forget(verdictKey);
      const error = e instanceof McpSessionError ? e : new McpSessionError('start-failed', this.name, `Could not start "${this.name}": ${errorMessage(e)}`, { cause: e, retryable: true });
      if (attempt.signal.aborted) {
        this.setState({ state: 'stopped' }, 'start cancelled');
        throw new McpSessionError('cancelled', this.name, `Starting "${this.name}" was cancelled because it was stopped.`);
      }
      // A failed restart goes straight to the crash policy's verdict (retry later, or give up), so no
      // error state in between reads as final. One that needs the user to sign in waits for them.
      if (supervised && error.code !== 'needs-sign-in') this.onCrash(error.message.replace(/\.$/, ''), error, 'restart failed');
      else this.setState({ state: 'error', message: error.message, retryable: error.details.retryable ?? true, ...failureDetails(error) }, 'start failed');
      throw error;
    } finally {
      if (this.startAttempt === attempt) this.startAttempt = undefined;
    }
    live.attach(connection);
    this.deps.eraVerdicts.record(verdictKey, connection.client);
    this.legacyRestarts += connection.legacyRestarts ?? 0;
    this.connection.value = live;
    this.startedAt = Date.now();
    this.lastKnown = { ...this.lastKnown, serverInfo: live.serverInfo(), instructions: live.instructions(), protocol: live.protocol };
    live.onDidChangeLists(() => {
      this.lastKnown = {
        ...this.lastKnown,
        tools: live.listed('tools') as Tool[] | undefined,
        resources: live.listed('resources') as Resource[] | undefined,
        prompts: live.listed('prompts') as Prompt[] | undefined,
      };
      this.listsEmitter.fire();
    });
    live.onDidUpdateResource((uri) => this.notifyResourceListeners(uri, 'updated'));
    this.setState({ state: 'running', pid: connection.pid, since: this.startedAt, protocol: live.protocol }, reason);
    this.renewResourceSubscriptions(live);
  }

  /** Stops the server. While starting, cancels the attempt, waits for it, then stops. */
  stop(reason = 'stop requested', options?: Partial<CloseOptions>): Promise<CloseReport | undefined> {
    this.cancelScheduledRestart();
    // The abort reason carries the close options (deadline, graces): the cancelled attempt ends its process with them.
    this.startAttempt?.abort(options);
    return this.enqueue(() => this.runStop(reason, options));
  }

  private async runStop(reason: string, options?: Partial<CloseOptions>): Promise<CloseReport | undefined> {
    // Taken out of the holder first: nothing can use the connection while it closes.
    const live = this.connection.clearAndLeak();
    if (!live) {
      if (this.current.state !== 'stopped') this.setState({ state: 'stopped' }, reason);
      return undefined;
    }
    this.setState({ state: 'stopping' }, reason);
    let report: CloseReport | undefined;
    try {
      report = await live.close(reason, { ...this.closeOptions(), ...options });
    } finally {
      live.dispose();
    }
    if (report) {
      this.appendLog('state', `closed: ${report.outcome} in ${report.durationMs} ms`);
      if (report.outcome === 'survived') this.deps.logger.error(`[${this.name}] some processes of its group could not be ended`);
    }
    this.setState({ state: 'stopped' }, reason);
    return report;
  }

  async restart(reason = 'restart requested'): Promise<void> {
    await this.stop(reason);
    await this.start(reason);
  }

  /** Stops for good: later calls fail with "registry is shut down". `graces` replace the settings' graces. */
  async shutdown(deadline: number, graces?: Pick<CloseOptions, 'stdinGraceMs' | 'termGraceMs'>): Promise<CloseReport | undefined> {
    this.shutDown = true;
    this.cancelScheduledRestart();
    return this.stop('shutdown', { ...graces, deadline });
  }

  private closeOptions(): CloseOptions {
    return { stdinGraceMs: this.settings.stdinGraceMs, termGraceMs: this.settings.termGraceMs };
  }

  // ---- crashes -------------------------------------------------------------------------------

  /** The live connection ended by itself; it has already failed its in-flight calls. */
  private onUnexpectedEnd(end: ConnectionEnd, crashed: McpSessionError): void {
    this.connection.clear();
    this.deps.logger.warn(`[${this.name}] ${crashed.describe()}`);
    this.onCrash(end.reason, crashed, 'crashed');
  }

  /** `why`: how it ended ("exited with code 9"); `error`: the failure, for its code and stderr. */
  private onCrash(why: string, error: McpSessionError, transitionReason: string): void {
    if (this.shutDown) return;
    const action = this.deps.crashPolicy.crashed(this.name, why, Date.now());
    const failure = { retryable: true, ...failureDetails(error) };
    if (action.action === 'stop') {
      this.setState({ state: 'error', message: action.message ?? `${why}.`, ...failure }, action.final ? 'crash loop' : transitionReason);
      return;
    }
    const delay = action.delayMs;
    this.setState({ state: 'error', message: `${why}; restarting in ${delay} ms.`, ...failure, restartInMs: delay }, transitionReason);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.startOnce(`restart after crash ${this.deps.crashPolicy.recentCrashes(Date.now())}`, 'supervisor').catch(() => undefined);
    }, delay);
  }

  private cancelScheduledRestart(): void {
    if (this.restartTimer) {
      clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
    }
  }

  private onServerLog(line: string, stream: 'stderr' | 'stdout-noise' | 'transport'): void {
    if (stream === 'stdout-noise') this.stdoutNoise++;
    this.appendLog(stream, line);
  }

  // ---- using the server ----------------------------------------------------------------------

  /** The running connection, starting the server on first use unless the crash policy gave up. */
  private async ensureRunning(): Promise<LiveConnection> {
    if (this.shutDown) throw this.shutDownError();
    const running = this.running;
    if (running) return running;
    if (this.current.state === 'error' && this.deps.crashPolicy.gaveUp(Date.now())) {
      throw new McpSessionError('not-running', this.name, this.current.message, { retryable: true });
    }
    await this.startOnce('first use', 'demand');
    const started = this.running;
    if (!started) throw new McpSessionError('not-running', this.name, `"${this.name}" is not running.`);
    return started;
  }

  private async listKind<T>(kind: ListKind, refresh: boolean): Promise<T[]> {
    return (await this.ensureRunning()).list<T>(kind, refresh);
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

  callTool(tool: string, args: Record<string, unknown> = {}, options: CallOptions = {}): Promise<CallToolResult> {
    if (options.signal?.aborted) return Promise.reject(new McpSessionError('cancelled', this.name, `The call of "${tool}" on "${this.name}" was cancelled.`));
    // The warm path goes straight to the connection: no promise of ensureRunning to wait for.
    const running = this.shutDown ? undefined : this.running;
    return running ? running.callTool(tool, args, options) : this.ensureRunning().then((connection) => connection.callTool(tool, args, options));
  }

  async readResource(uri: string, options: CallOptions = {}): Promise<ReadResourceResult> {
    return (await this.ensureRunning()).readResource(uri, options);
  }

  async getPrompt(prompt: string, args: Record<string, string> = {}, options: CallOptions = {}): Promise<GetPromptResult> {
    return (await this.ensureRunning()).getPrompt(prompt, args, options);
  }

  /** Tells the server, when it is running and speaks 2025, that the roots changed. True when it was told. */
  notifyRootsChanged(): Promise<boolean> {
    return this.running?.notifyRootsChanged() ?? Promise.resolve(false);
  }

  async listResourceTemplates(options: CallOptions = {}): Promise<ResourceTemplate[]> {
    return (await this.ensureRunning()).listResourceTemplates(options);
  }

  async complete(ref: CompletionReference, argument: { name: string; value: string }, context?: Record<string, string>, options: CallOptions = {}): Promise<Completion> {
    return (await this.ensureRunning()).complete({ ref, argument, ...(context && Object.keys(context).length > 0 && { context: { arguments: context } }) }, options);
  }

  // ---- resource subscriptions ----------------------------------------------------------------

  subscribeResource(uri: string, listener: (update: ResourceUpdate) => void): ResourceSubscription {
    const entry = { listener };
    let listeners = this.resourceListeners.get(uri);
    if (!listeners) this.resourceListeners.set(uri, (listeners = new Set()));
    listeners.add(entry);
    // A connection made meanwhile subscribes by itself (renewResourceSubscriptions); this one shares it.
    const ready = this.ensureRunning().then(async (live) => {
      await live.subscribeResource(uri);
      if (this.resourceListeners.has(uri)) this.subscribedResources.add(uri);
      // Every listener left while it was being made.
      else void live.unsubscribeResource(uri);
    });
    ready.catch(() => undefined);
    const subscription = toDisposable(() => {
      const current = this.resourceListeners.get(uri);
      if (!current?.delete(entry) || current.size > 0) return;
      this.resourceListeners.delete(uri);
      this.subscribedResources.delete(uri);
      void this.connection.value?.unsubscribeResource(uri);
    });
    return { ready, dispose: () => subscription.dispose() };
  }

  /**
   * A new connection subscribes to every resource someone still listens to. Those an earlier
   * connection had subscribed to may have changed meanwhile: their listeners hear `resubscribed`.
   */
  private renewResourceSubscriptions(live: LiveConnection): void {
    for (const uri of this.resourceListeners.keys()) {
      const renewed = this.subscribedResources.has(uri);
      live.subscribeResource(uri).then(
        () => {
          if (!this.resourceListeners.has(uri)) return void live.unsubscribeResource(uri);
          this.subscribedResources.add(uri);
          if (renewed) this.notifyResourceListeners(uri, 'resubscribed');
        },
        (e) => this.appendLog('transport', `subscribing again to ${uri} failed: ${errorMessage(e)}`),
      );
    }
  }

  private notifyResourceListeners(uri: string, reason: ResourceUpdate['reason']): void {
    for (const { listener } of [...(this.resourceListeners.get(uri) ?? [])]) {
      try {
        listener({ uri, reason });
      } catch (e) {
        this.deps.logger.error(`[${this.name}] a listener for ${uri} failed: ${errorMessage(e)}`);
      }
    }
  }

  /** Releases listeners; the registry calls this after the session has stopped for good. */
  dispose(): void {
    this.cancelScheduledRestart();
    this.connection.dispose();
    this.resourceListeners.clear();
    this.subscribedResources.clear();
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

// The session registry: the one owner of every server session in a host (the extension
// host, the CLI, a test). Commands, views and the CLI depend on it; it knows nothing of
// them and offers events instead.
//
// Teardown: shutdown() marks the registry shut down (new calls fail at once), then stops
// every session — including ones removed by reconcile() that are still stopping — in
// parallel under one global deadline with the short graces of a host that is going away
// (hostExitGraces), and reports how each ended. dispose() is synchronous
// and starts that shutdown.
//
// The registry owns its sessions in a DisposableMap, the era verdicts of every definition
// (eraVerdicts.ts: restarts skip the server/discover probe) and the client-request handlers
// (clientRequests.ts) every connection answers servers with.

import type {
  CallOptions,
  CallToolResult,
  Completion,
  CompletionReference,
  GetPromptResult,
  Prompt,
  ReadResourceResult,
  ReconcileResult,
  RegistryApi,
  RegistryOptions,
  Resource,
  ResourceSubscription,
  ResourceTemplate,
  ResourceUpdate,
  ServerSnapshot,
  SessionApi,
  ShutdownEntry,
  ShutdownReport,
  StateChange,
  SupervisorOptions,
  Tool,
} from './api';
import { defaultMaxMessageBytes, type Connector } from './connection';
import { definitionFingerprint, type ServerDefinition } from './definitions';
import { McpSessionError } from './errors';
import { inheritedEnvironment } from './env';
import { ProcessLedger } from './ledger';
import { decliningClientRequests, type ClientRequestHandlers } from './clientRequests';
import { BackoffCrashPolicy } from './crashPolicy';
import { EraVerdicts } from './eraVerdicts';
import { DisposableMap, DisposableStore, Emitter, type Disposable } from './lifecycle';
import { nullLogger, type Logger } from './logger';
import { CachingSchemaValidator } from './schemaValidator';
import { ServerSession, type SessionSettings } from './session';
import { connectStdio } from './stdio';
import { createRemoteConnector } from './remote';
import { ClockJumpDetector } from './remoteClock';

/** Bound on shutdown(): the host is going away (window reload or close, the CLI's exit). */
export const defaultShutdownDeadlineMs = 1500;

/**
 * Graces when the host is going away, at most the settings' own: a well-behaved server exits
 * on stdin EOF in tens of ms, and the rest are signalled soon after, all groups in parallel. A
 * user's stop of one server keeps the settings' graces.
 */
export const hostExitGraces = { stdinGraceMs: 300, termGraceMs: 500 } as const;

const defaultSupervisor: SupervisorOptions = {
  restartOnCrash: true,
  initialBackoffMs: 500,
  maxBackoffMs: 30_000,
  maxCrashes: 5,
  windowMs: 3 * 60_000,
};

/** Default for RegistryOptions.legacyVerdictMaxAgeMs: a legacy server is probed again a day later. */
export const defaultLegacyVerdictMaxAgeMs = 24 * 60 * 60_000;

class Entry implements Disposable {
  readonly listeners = new DisposableStore();

  constructor(
    readonly session: ServerSession,
    public fingerprint: string,
  ) {}

  dispose(): void {
    this.listeners.dispose();
    this.session.dispose();
  }
}

export class SessionRegistry implements RegistryApi {
  private readonly entries = new DisposableMap<string, Entry>();
  private readonly eraVerdicts: EraVerdicts;
  private readonly crashPolicyFor: (server: string) => import('./crashPolicy').CrashPolicy;
  private readonly clientRequests: ClientRequestHandlers;
  /** Sessions removed by reconcile() whose stop has not finished; shutdown waits for them. */
  private readonly retiring = new Set<Promise<unknown>>();
  private shutdownPromise: Promise<ShutdownReport> | undefined;
  private readonly settings: SessionSettings;
  private readonly logger: Logger;
  private readonly ledger: ProcessLedger | undefined;
  private readonly schemaValidator = new CachingSchemaValidator();
  private readonly connectors: Record<ServerDefinition['kind'], Connector>;
  /** Tells open remote connections that the machine slept; ticks only while one is open. */
  private readonly clockJumps: ClockJumpDetector;
  private readonly authProviderFor: RegistryOptions['authProviderFor'];
  private readonly redactor: RegistryOptions['redactor'];

  private readonly addEmitter = new Emitter<string>();
  private readonly removeEmitter = new Emitter<string>();
  private readonly stateEmitter = new Emitter<StateChange>();
  private readonly listsEmitter = new Emitter<string>();
  readonly onDidAddServer = this.addEmitter.event;
  readonly onDidRemoveServer = this.removeEmitter.event;
  readonly onDidChangeState = this.stateEmitter.event;
  readonly onDidChangeLists = this.listsEmitter.event;

  /** Resolves once survivors of a previous host (if any) have been swept. */
  readonly ready: Promise<void>;

  constructor(options: RegistryOptions = {}, connectors?: Partial<Record<ServerDefinition['kind'], Connector>>) {
    this.logger = options.logger ?? nullLogger;
    this.settings = {
      connectTimeoutMs: options.connectTimeoutMs ?? 30_000,
      stdinGraceMs: options.stdinGraceMs ?? 2000,
      termGraceMs: options.termGraceMs ?? 2000,
      defaultCallTimeoutMs: options.defaultCallTimeoutMs ?? 60_000,
      defaultMaxTotalTimeoutMs: options.defaultMaxTotalTimeoutMs,
      supervisor: { ...defaultSupervisor, ...options.supervisor },
      pingIntervalMs: options.pingIntervalMs ?? 30_000,
      pingTimeoutMs: options.pingTimeoutMs ?? 10_000,
      baseEnv: options.baseEnv ?? inheritedEnvironment(),
      clientInfo: options.clientInfo ?? { name: 'mcp-session-manager', version: '0.1.0' },
      logCapacity: options.logCapacity ?? 2000,
      traceProtocol: options.traceProtocol ?? false,
      maxMessageBytes: options.maxMessageBytes ?? defaultMaxMessageBytes,
    };
    this.eraVerdicts = new EraVerdicts(options.legacyVerdictMaxAgeMs ?? defaultLegacyVerdictMaxAgeMs);
    this.crashPolicyFor = options.crashPolicy ?? (() => new BackoffCrashPolicy(this.settings.supervisor));
    this.clientRequests = options.clientRequests ?? decliningClientRequests;
    this.authProviderFor = options.authProviderFor;
    this.redactor = options.redactor;
    this.clockJumps = new ClockJumpDetector({ logger: this.logger });
    const remote = createRemoteConnector({ onClockJump: this.clockJumps.onJump, probeTimeoutMs: this.settings.pingTimeoutMs });
    this.connectors = { stdio: connectStdio, http: remote, sse: remote, ...connectors };
    this.ledger = options.stateDir ? new ProcessLedger(options.stateDir, this.logger) : undefined;
    this.ready = this.sweepSurvivors();
  }

  /**
   * Changes settings for connections made from now on (timeouts, graces, tracing, ping).
   * Running servers keep what they started with until they restart, except the call
   * timeouts, which every request reads when it is sent (`defaultMaxTotalTimeoutMs` may be
   * set back to undefined: 10 × the request's timeout).
   */
  updateOptions(
    options: Pick<
      RegistryOptions,
      'connectTimeoutMs' | 'stdinGraceMs' | 'termGraceMs' | 'defaultCallTimeoutMs' | 'defaultMaxTotalTimeoutMs' | 'pingIntervalMs' | 'pingTimeoutMs' | 'traceProtocol' | 'maxMessageBytes'
    >,
  ): void {
    const defined = Object.fromEntries(Object.entries(options).filter(([key, v]) => v !== undefined || key === 'defaultMaxTotalTimeoutMs'));
    Object.assign(this.settings, defined);
  }

  private async sweepSurvivors(): Promise<void> {
    if (!this.ledger) return;
    try {
      const result = await this.ledger.sweep();
      if (result.killed.length) this.logger.warn(`Swept ${result.killed.length} server process group(s) left behind by a previous host`);
    } catch (e) {
      this.logger.warn(`Sweeping left-behind server processes failed: ${(e as Error).message}`);
    }
  }

  get isShutDown(): boolean {
    return this.shutdownPromise !== undefined;
  }

  private assertOpen(server = ''): void {
    if (this.shutdownPromise) throw new McpSessionError('shut-down', server, 'The session registry is shut down.');
  }

  private session(name: string): ServerSession {
    this.assertOpen(name);
    const entry = this.entries.get(name);
    if (!entry) throw new McpSessionError('not-found', name, `No MCP server named "${name}" is configured.`);
    return entry.session;
  }

  // ---- definitions -----------------------------------------------------------------------

  /** Adds, removes and restarts only the servers whose definition changed. */
  reconcile(definitions: ServerDefinition[]): ReconcileResult {
    this.assertOpen();
    const result: ReconcileResult = { added: [], removed: [], changed: [], unchanged: [] };
    const wanted = new Map<string, ServerDefinition>();
    for (const def of definitions) {
      if (wanted.has(def.name)) {
        this.logger.warn(`Two servers are named "${def.name}"; using the first (${wanted.get(def.name)!.source.label}), ignoring the one from ${def.source.label}`);
        continue;
      }
      wanted.set(def.name, def);
      this.redactor?.addDefinition(def);
    }

    for (const [name, entry] of [...this.entries.entries()]) {
      if (wanted.has(name)) continue;
      // Leaked from the map: this stop owns the session until it has stopped.
      this.entries.deleteAndLeak(name);
      result.removed.push(name);
      const stopping = entry.session
        .shutdown(Date.now() + this.settings.stdinGraceMs + this.settings.termGraceMs + 1000)
        .catch(() => undefined)
        .finally(() => {
          entry.dispose();
          this.retiring.delete(stopping);
        });
      this.retiring.add(stopping);
      this.removeEmitter.fire(name);
    }

    for (const [name, def] of wanted) {
      const fingerprint = definitionFingerprint(def);
      const entry = this.entries.get(name);
      if (!entry) {
        this.add(def, fingerprint);
        result.added.push(name);
      } else if (entry.fingerprint !== fingerprint) {
        entry.fingerprint = fingerprint;
        entry.session.updateDefinition(def);
        result.changed.push(name);
        const state = entry.session.state.state;
        if (state === 'running' || state === 'starting') {
          entry.session.restart('configuration changed').catch((e) => this.logger.warn(`[${name}] restart after a configuration change failed: ${(e as Error).message}`));
        }
      } else {
        entry.session.updateDefinition(def);
        result.unchanged.push(name);
      }
    }
    if (result.added.length || result.removed.length || result.changed.length) {
      this.logger.info(`Reconciled servers: ${JSON.stringify({ added: result.added, removed: result.removed, changed: result.changed })}`);
    }
    return result;
  }

  private add(def: ServerDefinition, fingerprint: string): void {
    const session = new ServerSession(def, this.settings, {
      connectors: this.connectors,
      logger: this.logger,
      ledger: this.ledger,
      schemaValidator: this.schemaValidator,
      authProviderFor: this.authProviderFor,
      redactor: this.redactor,
      crashPolicy: this.crashPolicyFor(def.name),
      eraVerdicts: this.eraVerdicts,
      clientRequests: this.clientRequests,
    });
    const entry = new Entry(session, fingerprint);
    entry.listeners.add(session.onDidChangeState((e) => this.stateEmitter.fire(e)));
    entry.listeners.add(session.onDidChangeLists(() => this.listsEmitter.fire(def.name)));
    this.entries.set(def.name, entry);
    this.addEmitter.fire(def.name);
  }

  list(): ServerSnapshot[] {
    return [...this.entries.values()].map((e) => e.session.snapshot());
  }

  get(name: string): SessionApi | undefined {
    return this.entries.get(name)?.session;
  }

  // ---- lifecycle of one server -----------------------------------------------------------

  start(name: string, reason?: string): Promise<void> {
    return this.run(() => this.session(name).start(reason));
  }

  async stop(name: string, reason?: string): Promise<void> {
    await this.run(() => this.session(name).stop(reason));
  }

  restart(name: string, reason?: string): Promise<void> {
    return this.run(() => this.session(name).restart(reason));
  }

  /** Turns a synchronous throw (unknown server, shut down) into a rejection; no async wrapper, since calls are the hot path. */
  private run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return operation();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // ---- using a server --------------------------------------------------------------------

  listTools(name: string, options?: { refresh?: boolean }): Promise<Tool[]> {
    return this.run(() => this.session(name).listTools(options?.refresh));
  }

  listResources(name: string, options?: { refresh?: boolean }): Promise<Resource[]> {
    return this.run(() => this.session(name).listResources(options?.refresh));
  }

  listPrompts(name: string, options?: { refresh?: boolean }): Promise<Prompt[]> {
    return this.run(() => this.session(name).listPrompts(options?.refresh));
  }

  readResource(name: string, uri: string, options?: CallOptions): Promise<ReadResourceResult> {
    return this.run(() => this.session(name).readResource(uri, options));
  }

  getPrompt(name: string, prompt: string, args?: Record<string, string>, options?: CallOptions): Promise<GetPromptResult> {
    return this.run(() => this.session(name).getPrompt(prompt, args, options));
  }

  callTool(name: string, tool: string, args?: Record<string, unknown>, options?: CallOptions): Promise<CallToolResult> {
    return this.run(() => this.session(name).callTool(tool, args, options));
  }

  /**
   * The roots the client offers changed: every running 2025 server is told with
   * `notifications/roots/list_changed` (2026-07-28 servers ask again when they need them).
   * Resolves with the servers told; a server that cannot be told is logged, never thrown.
   */
  async notifyRootsChanged(): Promise<string[]> {
    if (this.isShutDown) return [];
    const told = await Promise.all(
      [...this.entries.values()].map(async ({ session }) => {
        try {
          return (await session.notifyRootsChanged()) ? session.name : undefined;
        } catch (e) {
          this.logger.warn(`[${session.name}] telling the server that the roots changed failed: ${(e as Error).message}`);
          return undefined;
        }
      }),
    );
    return told.filter((name): name is string => name !== undefined);
  }

  listResourceTemplates(name: string, options?: CallOptions): Promise<ResourceTemplate[]> {
    return this.run(() => this.session(name).listResourceTemplates(options));
  }

  complete(name: string, ref: CompletionReference, argument: { name: string; value: string }, context?: Record<string, string>, options?: CallOptions): Promise<Completion> {
    return this.run(() => this.session(name).complete(ref, argument, context, options));
  }

  subscribeResource(name: string, uri: string, listener: (update: ResourceUpdate) => void): ResourceSubscription {
    return this.session(name).subscribeResource(uri, listener);
  }

  // ---- teardown ----------------------------------------------------------------------------

  shutdown(deadlineMs = defaultShutdownDeadlineMs): Promise<ShutdownReport> {
    this.shutdownPromise ??= this.runShutdown(deadlineMs);
    return this.shutdownPromise;
  }

  private async runShutdown(deadlineMs: number): Promise<ShutdownReport> {
    const started = Date.now();
    const deadline = started + deadlineMs;
    const graces = {
      stdinGraceMs: Math.min(this.settings.stdinGraceMs, hostExitGraces.stdinGraceMs),
      termGraceMs: Math.min(this.settings.termGraceMs, hostExitGraces.termGraceMs),
    };
    this.logger.info(`Shutting down ${this.entries.size} server session(s) within ${deadlineMs} ms`);
    const entries = [...this.entries.values()];
    const servers: ShutdownEntry[] = entries.map((e) => ({ server: e.session.name, outcome: 'survived', durationMs: deadlineMs }));
    const stops = entries.map(async (entry, i) => {
      const begin = Date.now();
      const wasActive = entry.session.state.state !== 'stopped';
      const report = await entry.session.shutdown(deadline, graces).catch(() => undefined);
      servers[i] = {
        server: entry.session.name,
        outcome: report?.outcome ?? (wasActive ? 'already-exited' : 'not-running'),
        durationMs: report?.durationMs ?? Date.now() - begin,
      };
    });
    // Sessions close within the deadline by shrinking their graces; the slack covers SIGKILL.
    const slackMs = 1500;
    let timer: NodeJS.Timeout | undefined;
    const deadlineReached = await Promise.race([
      Promise.all([...stops, ...this.retiring]).then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), deadlineMs + slackMs);
      }),
    ]);
    clearTimeout(timer);
    this.entries.clearAndDispose();
    this.clockJumps.dispose();
    const report: ShutdownReport = { durationMs: Date.now() - started, servers, deadlineReached };
    this.logger.info(`Shutdown finished in ${report.durationMs} ms: ${servers.map((s) => `${s.server}=${s.outcome}`).join(', ') || 'no servers'}`);
    this.addEmitter.dispose();
    this.removeEmitter.dispose();
    this.stateEmitter.dispose();
    this.listsEmitter.dispose();
    return report;
  }

  dispose(): void {
    void this.shutdown();
  }
}

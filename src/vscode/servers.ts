// The extension's view of its servers: the configuration (every configured server, in its
// configuration state) joined with the registry (sessions of the servers that are ready).
// It feeds the registry (reconcile after every configuration load), applies the autoStart
// policy (with "restore", from the servers runningServers.ts remembers), makes `needs-input` and `untrusted` servers explain themselves when used, shows a
// remote server whose start stopped at a sign-in as `needs-sign-in` (oauth.ts), and keeps
// the context keys and the list cache up to date. Commands, the tree, the status bar and the
// API use it; the registry knows nothing of any of them.

import * as vscode from 'vscode';
import type {
  CallOptions,
  CallToolResult,
  Completion,
  CompletionReference,
  GetPromptResult,
  Prompt,
  ReadResourceResult,
  RegistryApi,
  Resource,
  ResourceSubscription,
  ResourceTemplate,
  ResourceUpdate,
  ServerSnapshot,
  StateChange,
  Tool,
} from '../core/api';
import { ConfigResolutionError } from '../core/config';
import { McpSessionError, isMcpSessionError } from '../core/errors';
import { DisposableStore, Emitter, type Disposable, type Event } from '../core/lifecycle';
import type { Logger } from '../core/logger';
import type { CallHistory, CallOutcome } from '../core/callHistory';
import type { ToolSwitches } from '../core/toolPreferences';
import type { ConfigurationService, ConfiguredServer } from './configuration';
import type { CachedLists, ListCache } from './listCache';
import { withProgressNotification } from './messages';
import type { FailureNotifier } from './notifier';
import type { RunningServersMemory } from './runningServers';
import type { SecretRedactor } from '../core/redact';
import { readSettings } from './settings';
import { withDevMode } from './devMode';

/** Servers started together in the background (autoStart "always" and "restore", trust granted). */
const backgroundStartConcurrency = 2;

export type ServerStatus = 'running' | 'starting' | 'stopping' | 'stopped' | 'error' | 'untrusted' | 'needs-input' | 'needs-sign-in' | 'invalid';

/** What the view needs of OAuth sign-ins (OAuthService). */
export interface SignInStates {
  needsSignIn(server: string): boolean;
  readonly onDidChangeSignIns: Event<void>;
}

export interface ServerView {
  name: string;
  configured: ConfiguredServer;
  /** The registry's snapshot, for servers that are ready (trusted, inputs known, valid). */
  snapshot?: ServerSnapshot;
  status: ServerStatus;
  /** The error of an `error` or `invalid` server; why an `untrusted` one waits for trust. */
  message?: string;
  /** Lists of this session, else of an earlier one (`cached`). */
  lists?: CachedLists & { cached: boolean };
  /** Resource templates, as the server last listed them while running. */
  resourceTemplates?: ResourceTemplate[];
}

export class ServerService implements Disposable {
  private readonly store = new DisposableStore();
  private readonly changeEmitter = this.store.add(new Emitter<void>());
  /** Fired whenever a server is added, removed, changes state or relists. */
  readonly onDidChange = this.changeEmitter.event;
  /** Servers the user tried to start while the workspace was untrusted: started once it is trusted. */
  private readonly startWhenTrusted = new Set<string>();
  /** Resource templates of running servers, listed again whenever their resources are. */
  private readonly templates = new Map<string, { resources: Resource[] | undefined; templates: ResourceTemplate[] }>();
  private backgroundQueue: string[] = [];
  private backgroundWorkers = 0;
  private disposed = false;

  constructor(
    private readonly registry: RegistryApi,
    private readonly configuration: ConfigurationService,
    private readonly cache: ListCache,
    private readonly notifier: FailureNotifier,
    private readonly redactor: SecretRedactor,
    private readonly logger: Logger,
    private readonly runningServers: RunningServersMemory,
    private readonly signIns?: SignInStates,
    private readonly tools?: { history: CallHistory; switches: ToolSwitches },
  ) {
    this.store.add(configuration.onDidChange(() => this.onConfigurationLoaded()));
    if (signIns) this.store.add(signIns.onDidChangeSignIns(() => this.changeEmitter.fire()));
    this.store.add(registry.onDidChangeState((e) => this.onStateChange(e)));
    this.store.add(registry.onDidChangeLists((name) => this.onListsChanged(name)));
    this.store.add(registry.onDidAddServer(() => this.changeEmitter.fire()));
    this.store.add(registry.onDidRemoveServer(() => this.changeEmitter.fire()));
    this.store.add(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('mcpSessions.autoStart') && readSettings().autoStart === 'always') {
        this.startInBackground(this.readyNames(), 'autoStart changed to "always"');
      }
    }));
    this.updateContextKeys();
  }

  // ---- reading ----------------------------------------------------------------------------

  list(): ServerView[] {
    return this.configuration.list().map((configured) => this.view(configured));
  }

  get(name: string): ServerView | undefined {
    const configured = this.configuration.get(name);
    return configured && this.view(configured);
  }

  private view(configured: ConfiguredServer): ServerView {
    const availability = configured.availability;
    if (availability.status !== 'ready') {
      const lists = this.cachedLists(configured);
      if (availability.status === 'untrusted') return { name: configured.name, configured, status: 'untrusted', message: untrustedMessage(availability.reason), lists };
      if (availability.status === 'needs-input') return { name: configured.name, configured, status: 'needs-input', lists };
      return { name: configured.name, configured, status: 'invalid', message: availability.message, lists };
    }
    const session = this.registry.isShutDown ? undefined : this.registry.get(configured.name);
    const snapshot = session?.snapshot();
    const state = snapshot?.state ?? { state: 'stopped' as const };
    // One rule for "(cached)": lists are live only while the server runs; a server stopped (by
    // the user, a crash or a reload) shows the lists it had, marked cached.
    const listed = snapshot?.tools !== undefined ? { tools: snapshot.tools, resources: snapshot.resources ?? [], prompts: snapshot.prompts ?? [], savedAt: Date.now() } : undefined;
    const lists = listed && state.state === 'running' ? { ...listed, cached: false } : (this.cachedLists(configured) ?? (listed && { ...listed, cached: true }));
    const needsSignIn = state.state === 'error' && this.signIns?.needsSignIn(configured.name) === true;
    return {
      name: configured.name,
      configured,
      snapshot,
      status: needsSignIn ? 'needs-sign-in' : state.state,
      // Error messages can quote a command line: they are shown in the tree, pickers and the API.
      message: state.state === 'error' ? this.redactor.redact(state.message) : undefined,
      lists,
      resourceTemplates: this.templates.get(configured.name)?.templates,
    };
  }

  private cachedLists(configured: ConfiguredServer): ServerView['lists'] {
    const cached = this.cache.get(configured.name, configured.rawFingerprint);
    return cached && { ...cached, cached: true };
  }

  private readyNames(): string[] {
    return this.configuration
      .list()
      .filter((s) => s.availability.status === 'ready')
      .map((s) => s.name);
  }

  // ---- reacting -----------------------------------------------------------------------------

  private onConfigurationLoaded(): void {
    if (this.disposed || this.registry.isShutDown) return;
    const definitions = this.configuration
      .list()
      .flatMap((s) => (s.availability.status === 'ready' ? [withDevMode(s.availability.definition)] : []));
    const result = this.registry.reconcile(definitions);
    const autoStart = readSettings().autoStart;
    // Every server is `added` at activation; later, the new ones and those that just became ready.
    const toStart = autoStart === 'always' ? [...result.added] : autoStart === 'restore' ? result.added.filter((name) => this.runningServers.has(name)) : [];
    for (const name of [...this.startWhenTrusted]) {
      if (this.configuration.get(name)?.availability.status === 'untrusted') continue;
      this.startWhenTrusted.delete(name);
      if (!toStart.includes(name) && this.configuration.get(name)?.availability.status === 'ready') toStart.push(name);
    }
    if (toStart.length > 0) this.startInBackground(toStart, autoStart === 'always' ? 'autoStart' : autoStart === 'restore' ? 'restoring the servers that were running' : 'workspace trusted');
    this.updateContextKeys();
    this.changeEmitter.fire();
  }

  private onStateChange(e: StateChange): void {
    // The stops of the shutdown are no user's: what ran until then is what "restore" starts again.
    if (!this.registry.isShutDown) {
      if (e.current.state === 'running') this.runningServers.add(e.server);
      if (e.current.state === 'stopped') this.runningServers.remove(e.server);
    }
    if (e.current.state === 'error') {
      this.logger.warn(`[${e.server}] ${e.current.message}`);
      // Waiting for the user's sign-in is no failure: the tree, the status bar and the API show it.
      if (!this.signIns?.needsSignIn(e.server)) this.notifier.backgroundFailure(e.server, e.current);
    } else if (e.current.state === 'stopped') {
      this.notifier.forgetRestart(e.server);
    }
    this.updateContextKeys();
    this.changeEmitter.fire();
  }

  private onListsChanged(name: string): void {
    const configured = this.configuration.get(name);
    const snapshot = this.registry.get(name)?.snapshot();
    if (configured && snapshot?.tools) {
      void this.cache.save(name, configured.rawFingerprint, {
        tools: snapshot.tools,
        resources: snapshot.resources ?? [],
        prompts: snapshot.prompts ?? [],
      });
    }
    if (snapshot && snapshot.state.state === 'running' && this.templates.get(name)?.resources !== snapshot.resources) this.refreshTemplates(name, snapshot.resources);
    this.changeEmitter.fire();
  }

  private refreshTemplates(name: string, resources: Resource[] | undefined): void {
    this.templates.set(name, { resources, templates: this.templates.get(name)?.templates ?? [] });
    this.registry.listResourceTemplates(name).then(
      (templates) => {
        if (this.templates.get(name)?.resources !== resources) return;
        this.templates.set(name, { resources, templates });
        this.changeEmitter.fire();
      },
      (e) => this.logger.debug(`[${name}] listing resource templates failed: ${(e as Error).message}`),
    );
  }

  private updateContextKeys(): void {
    if (this.disposed) return;
    const views = this.list();
    void vscode.commands.executeCommand('setContext', 'mcpSessions.configLoaded', this.configuration.isLoaded);
    void vscode.commands.executeCommand('setContext', 'mcpSessions.hasServers', views.length > 0);
    void vscode.commands.executeCommand('setContext', 'mcpSessions.hasRunningServers', views.some((v) => v.status === 'running' || v.status === 'starting'));
  }

  // ---- starting and stopping ------------------------------------------------------------

  /**
   * Makes `name` ready to start: explains untrusted and invalid servers, and asks for missing
   * inputs when `interactive` (a user started it). Throws McpSessionError.
   */
  async ensureReady(name: string, interactive: boolean): Promise<void> {
    let configured = this.configuration.get(name);
    if (!configured) throw new McpSessionError('not-found', name, `No MCP server named "${name}" is configured`);
    if (configured.availability.status === 'needs-input' && interactive) {
      try {
        await this.configuration.resolveInputs(name);
      } catch (e) {
        if (e instanceof ConfigResolutionError && e.cancelled) {
          throw new McpSessionError('cancelled', name, `Server "${name}" was not started: its inputs were not given`);
        }
        throw e;
      }
      configured = this.configuration.get(name);
      if (!configured) throw new McpSessionError('not-found', name, `No MCP server named "${name}" is configured`);
    }
    switch (configured.availability.status) {
      case 'ready':
        return;
      case 'untrusted':
        if (interactive) this.startWhenTrusted.add(name);
        throw new McpSessionError('not-running', name, `Server "${name}" was not started: ${untrustedMessage(configured.availability.reason)}. Trust the workspace to start it`);
      case 'needs-input':
        throw new McpSessionError(
          'not-running',
          name,
          `Server "${name}" needs values for ${configured.availability.inputs.map((id) => `\${input:${id}}`).join(', ')}. Start it from the Tool Explorer to enter them`,
        );
      case 'invalid':
        throw new McpSessionError('start-failed', name, configured.availability.message);
    }
  }

  async start(name: string, reason: string, interactive = true): Promise<void> {
    await this.ensureReady(name, interactive);
    await this.registry.start(name, reason);
  }

  async stop(name: string, reason: string): Promise<void> {
    if (!this.registry.get(name)) return;
    await this.registry.stop(name, reason);
  }

  async restart(name: string, reason: string): Promise<void> {
    await this.ensureReady(name, true);
    await this.registry.restart(name, reason);
  }

  /**
   * Restarts every server that is running, starting or in error, in parallel; stopped servers
   * stay stopped. Failures show as state; the names that failed are returned.
   */
  async restartAll(reason: string): Promise<{ restarted: string[]; failed: string[] }> {
    const names = this.list()
      .filter((v) => v.status === 'running' || v.status === 'starting' || v.status === 'error')
      .map((v) => v.name);
    const results = await Promise.allSettled(names.map((name) => this.registry.restart(name, reason)));
    return { restarted: names, failed: names.filter((_, i) => results[i].status === 'rejected') };
  }

  /**
   * Runs a user's action on `name`. Whenever the server starts meanwhile, a cancellable
   * "Starting "name"…" progress shows until it is running or has failed; Cancel stops the start
   * (the action then fails with `cancelled`). Any start counts — the action's own, a first use —
   * so each keeps its own rules (a first use does not reset the crash-loop breaker).
   */
  async withStartProgress<T>(name: string, action: () => Promise<T>): Promise<T> {
    let endProgress: (() => void) | undefined;
    const showProgress = () => {
      if (endProgress) return;
      const ended = new Promise<void>((resolve) => (endProgress = resolve));
      void withProgressNotification(`Starting "${name}"…`, async (_report, signal) => {
        const cancel = () => {
          this.logger.info(`Start of "${name}" cancelled by the user`);
          this.registry.stop(name, 'start cancelled by the user').catch((e) => this.logger.warn(`Stopping "${name}" after a cancelled start failed: ${(e as Error).message}`));
        };
        signal.addEventListener('abort', cancel, { once: true });
        try {
          await ended;
        } finally {
          signal.removeEventListener('abort', cancel);
        }
      });
    };
    const hideProgress = () => {
      endProgress?.();
      endProgress = undefined;
    };
    const watch = this.registry.onDidChangeState((e) => {
      if (e.server !== name) return;
      if (e.current.state === 'starting') showProgress();
      else hideProgress();
    });
    try {
      if (this.registry.get(name)?.state.state === 'starting') showProgress();
      return await action();
    } finally {
      watch.dispose();
      hideProgress();
    }
  }

  /** Starts servers a few at a time, without waiting; failures show as state (and one notification). */
  startInBackground(names: string[], reason: string): void {
    for (const name of names) if (!this.backgroundQueue.includes(name)) this.backgroundQueue.push(name);
    while (this.backgroundWorkers < backgroundStartConcurrency && this.backgroundQueue.length > 0) {
      this.backgroundWorkers++;
      void this.runBackgroundStarts(reason).finally(() => this.backgroundWorkers--);
    }
  }

  private async runBackgroundStarts(reason: string): Promise<void> {
    for (let name = this.backgroundQueue.shift(); name !== undefined; name = this.backgroundQueue.shift()) {
      if (this.disposed || this.registry.isShutDown) return;
      const view = this.get(name);
      if (!view || view.status !== 'stopped') continue;
      try {
        await this.registry.start(name, reason);
      } catch (e) {
        // The state is now `error`: the notifier and the tree have it.
        this.logger.debug(`Background start of "${name}" failed: ${(e as Error).message}`);
      }
    }
  }

  // ---- using ----------------------------------------------------------------------------

  /** Throws `tool-disabled` for a tool switched off in this workspace. */
  assertToolEnabled(name: string, tool: string): void {
    if (this.tools && !this.tools.switches.isToolEnabled(name, tool)) {
      throw new McpSessionError('tool-disabled', name, `The tool "${tool}" of "${name}" is disabled in this workspace. Enable it in the Tool Explorer to call it`);
    }
  }

  /**
   * The one way every tool call of the extension goes (Call Tool…, the call form, replays, the
   * API): refuses disabled tools, and records each call that was made in the call history.
   */
  async callTool(name: string, tool: string, args: Record<string, unknown>, options: CallOptions, interactive: boolean): Promise<CallToolResult> {
    this.assertToolEnabled(name, tool);
    await this.ensureReady(name, interactive);
    const time = Date.now();
    const began = performance.now();
    const record = (outcome: CallOutcome) => {
      this.tools?.history.record({ server: name, tool, arguments: args, outcome, durationMs: performance.now() - began, time }).catch((e) => this.logger.warn(`The call history could not be saved: ${(e as Error).message}`));
    };
    try {
      const result = await this.registry.callTool(name, tool, args, options);
      record({ kind: 'ok' });
      return result;
    } catch (e) {
      if (isMcpSessionError(e, 'tool-error')) record({ kind: 'isError', message: e.message });
      else record({ kind: 'failed', code: isMcpSessionError(e) ? e.code : undefined, message: (e as Error).message ?? String(e) });
      throw e;
    }
  }

  async readResource(name: string, uri: string, options: CallOptions, interactive: boolean): Promise<ReadResourceResult> {
    await this.ensureReady(name, interactive);
    return this.registry.readResource(name, uri, options);
  }

  async getPrompt(name: string, prompt: string, args: Record<string, string>, interactive: boolean): Promise<GetPromptResult> {
    await this.ensureReady(name, interactive);
    return this.registry.getPrompt(name, prompt, args);
  }

  async listResources(name: string, interactive: boolean): Promise<{ resources: Resource[]; templates: ResourceTemplate[] }> {
    await this.ensureReady(name, interactive);
    const [resources, templates] = await Promise.all([this.registry.listResources(name), this.registry.listResourceTemplates(name)]);
    return { resources, templates };
  }

  async listPrompts(name: string, interactive: boolean): Promise<Prompt[]> {
    await this.ensureReady(name, interactive);
    return this.registry.listPrompts(name);
  }

  /** Suggestions for a prompt or resource-template argument; never asks the user for anything. */
  async complete(name: string, ref: CompletionReference, argument: { name: string; value: string }, context: Record<string, string>, options: CallOptions = {}): Promise<Completion> {
    await this.ensureReady(name, false);
    return this.registry.complete(name, ref, argument, context, options);
  }

  subscribeResource(name: string, uri: string, listener: (update: ResourceUpdate) => void): ResourceSubscription {
    return this.registry.subscribeResource(name, uri, listener);
  }

  async listTools(name: string, options: { refresh?: boolean; interactive: boolean }): Promise<Tool[]> {
    await this.ensureReady(name, options.interactive);
    return this.registry.listTools(name, { refresh: options.refresh });
  }

  async refreshLists(name: string): Promise<{ tools: Tool[]; resources: Resource[]; prompts: Prompt[] }> {
    await this.ensureReady(name, true);
    const tools = await this.registry.listTools(name, { refresh: true });
    const resources = await this.registry.listResources(name, { refresh: true }).catch(() => []);
    const prompts = await this.registry.listPrompts(name, { refresh: true }).catch(() => []);
    return { tools, resources, prompts };
  }

  dispose(): void {
    this.disposed = true;
    this.backgroundQueue = [];
    this.store.dispose();
  }
}

/** "it is defined in my-repo/.vscode/mcp.json, and the workspace is not trusted". */
function untrustedMessage(reason: string): string {
  return `${reason}, and the workspace is not trusted`;
}

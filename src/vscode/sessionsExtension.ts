// The extension, wired. Everything that owns a process or a connection lives in the core's
// SessionRegistry; this class creates it once, builds the pieces that depend on it (they
// depend on the registry, never the other way round) and hands each lifetime to
// context.subscriptions in the order written below.

import * as vscode from 'vscode';
import type { ShutdownReport } from '../core/api';
import type { RegistryOptions } from '../core/api';
import { ClientRequestRouter } from '../core/gateway/clientRequestRouter';
import { DisposableStore, MutableDisposable, toDisposable, type Disposable } from '../core/lifecycle';
import { SessionRegistry, defaultShutdownDeadlineMs } from '../core/registry';
import { onParentDeath } from '../core/parentDeath';
import type { McpServerInfo, McpSessionsApi, TestingApi } from './api';
import { BuiltInMcpWatch, detectBuiltInMcp } from './builtInMcp';
import { ClientRequestsUi, watchWorkspaceRoots } from './clientRequests/handlers';
import { abortSignalOf } from './cancellation';
import { registerCommands, type CommandContext } from './commands/command';
import { commands } from './commands/index';
import { ConfigurationService } from './configuration';
import { InputStore } from './inputs';
import { ListCache } from './listCache';
import { ExtensionLog, ServerLogChannels } from './log';
import { shownMessages, showMessage } from './messages';
import { GatewayService, userDataDirOf } from './gateway';
import { FailureNotifier } from './notifier';
import { OAuthService, type OAuthTestingApi } from './oauth';
import { SignInConsentPrompt } from './oauthConsent';
import { SecretRedactor } from '../core/redact';
import { redactingSecretStorage } from './secretStorage';
import { completionSource } from './argumentPicker';
import { ResourceDocuments } from './resourceDocuments';
import { ResultDocuments } from './results';
import { RunningServersMemory } from './runningServers';
import { ServerService } from './servers';
import { affectsAny, callTimeoutSettings, readSettings, registryOptionsFrom, restartRequiringSettings } from './settings';
import { CallHistory } from '../core/callHistory';
import { ToolPins, ToolSwitches } from '../core/toolPreferences';
import { CallHistoryView } from './callHistoryView';
import { toolPickItems } from './pickers';
import { ServerStatusBar } from './statusBar';
import { ToolExplorer } from './toolExplorer';
import { DevModeService } from './devMode';
import { offerImportOnce } from './commands/importServers';
import { ResultsPanels } from './webviews/resultsPanel';
import { CallFormPanels } from './webviews/callFormPanel';
import { ElicitationPanels } from './webviews/elicitationPanel';

/** deactivate() resolves within this bound, whatever the servers do. */
export const deactivateBoundMs = 3000;
/** The registry's own deadline (host-exit graces, registry.ts); its SIGKILL slack fits between this and deactivateBoundMs. */
const shutdownDeadlineMs = defaultShutdownDeadlineMs;

/** updateOptions: applies restart-requiring settings to later connections, where the core offers it. */
type ReconfigurableRegistry = SessionRegistry & { updateOptions?(options: Partial<RegistryOptions>): void };

export class SessionsExtension implements CommandContext {
  readonly registry: ReconfigurableRegistry;
  readonly redactor = new SecretRedactor();
  readonly log: ExtensionLog;
  readonly serverLogs: ServerLogChannels;
  readonly inputs: InputStore;
  readonly oauth: OAuthService;
  readonly configuration: ConfigurationService;
  readonly servers: ServerService;
  readonly notifier: FailureNotifier;
  readonly results: ResultDocuments;
  readonly resultsView: ResultsPanels;
  readonly callForms: CallFormPanels;
  readonly resources: ResourceDocuments;
  private readonly elicitations: ElicitationPanels;
  private readonly clientRequestsUi: ClientRequestsUi;
  readonly history: CallHistory;
  readonly toolSwitches: ToolSwitches;
  readonly toolPins: ToolPins;
  readonly api: McpSessionsApi;
  private readonly historyView: CallHistoryView;
  private readonly explorer: ToolExplorer;
  private readonly statusBar: ServerStatusBar;
  private readonly builtInMcp: BuiltInMcpWatch;
  private readonly devMode: DevModeService;
  /** What servers ask of the client goes back to a gateway client's call when it can answer (gateway.ts), else to our UI. */
  private readonly clientRequests: ClientRequestRouter;
  private readonly gateway = new MutableDisposable<GatewayService>();
  private readonly teardownSteps: string[] = [];
  private shutDownAtFirstStep: boolean | undefined;
  private shutdown: Promise<ShutdownReport | undefined> | undefined;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.log = new ExtensionLog(this.redactor);
    const stateDir = (context.storageUri ?? context.globalStorageUri).fsPath;
    // What servers ask of the client (roots, elicitation, sampling): answered with our UI, in both eras.
    this.elicitations = new ElicitationPanels({ extensionUri: context.extensionUri, redactor: this.redactor, log: this.log });
    this.clientRequestsUi = new ClientRequestsUi(this.elicitations, this.log);
    this.clientRequests = new ClientRequestRouter(this.clientRequestsUi);
    this.registry = new SessionRegistry({
      logger: this.log,
      stateDir,
      clientInfo: { name: 'mcp-session-manager-vscode', version: String((context.extension.packageJSON as { version?: string }).version ?? '0.0.0') },
      ...registryOptionsFrom(readSettings()),
      // Called per connection attempt, never during construction.
      authProviderFor: (server) => this.oauth.providerFor(server),
      redactor: this.redactor,
      clientRequests: this.clientRequests,
    });
    this.log.info(`Process ledger in ${stateDir}`);
    // The consent reads the notifier's user actions when a sign-in asks, never during construction.
    const consent = new SignInConsentPrompt((server) => this.notifier.isUserActing(server), this.log);
    this.oauth = new OAuthService(redactingSecretStorage(context.secrets, this.redactor), context.globalState, this.registry, consent, this.log);
    this.serverLogs = new ServerLogChannels(this.registry, this.redactor);
    this.notifier = new FailureNotifier(
      {
        showLogs: (server) => this.serverLogs.show(server),
        restart: (server) => void vscode.commands.executeCommand('mcpSessions.restartServer', { kind: 'server', server }),
        openConfiguration: (server) => void vscode.commands.executeCommand('mcpSessions.openConfiguration', server),
      },
      this.redactor,
      this.log,
    );
    this.inputs = new InputStore(context.secrets, context.globalState, this.redactor, this.log);
    this.configuration = new ConfigurationService(this.inputs, this.redactor, this.log, this.notifier, (file, issue) => {
      void vscode.commands.executeCommand('mcpSessions.openConfiguration', file, issue && { offset: issue.offset, length: issue.length });
    });
    this.history = new CallHistory(context.workspaceState, this.redactor);
    this.toolSwitches = new ToolSwitches(context.workspaceState);
    this.toolPins = new ToolPins(context.workspaceState, this.redactor);
    this.servers = new ServerService(
      this.registry,
      this.configuration,
      new ListCache(context.workspaceState),
      this.notifier,
      this.redactor,
      this.log,
      new RunningServersMemory(context.workspaceState),
      this.oauth,
      { history: this.history, switches: this.toolSwitches },
    );
    this.devMode = new DevModeService(
      {
        onDidChange: this.servers.onDidChange,
        definitions: () => this.configuration.list().flatMap((s) => (s.availability.status === 'ready' ? [s.availability.definition] : [])),
        isRunning: (name) => ['running', 'starting'].includes(this.servers.get(name)?.status ?? ''),
        restart: (name, reason) => this.servers.restart(name, reason),
      },
      this.registry,
      this.log,
    );
    this.results = new ResultDocuments(this.redactor);
    this.resultsView = new ResultsPanels(context.extensionUri, this.results, this.redactor, this.log);
    this.callForms = new CallFormPanels({ extensionUri: context.extensionUri, servers: this.servers, results: this.resultsView, redactor: this.redactor, log: this.log });
    this.resources = new ResourceDocuments(this.servers, this.redactor, this.log);
    this.explorer = new ToolExplorer(this.servers, this.redactor, this.log, { pins: this.toolPins, switches: this.toolSwitches });
    this.historyView = new CallHistoryView(this.history, this.redactor);
    this.statusBar = new ServerStatusBar(this.servers);
    this.builtInMcp = new BuiltInMcpWatch(this.servers, context.globalState, this.log);
    const changeEmitter = new vscode.EventEmitter<void>();
    const apiStore = new DisposableStore();
    apiStore.add(this.servers.onDidChange(() => changeEmitter.fire()));
    apiStore.add(this.toolSwitches.onDidChange(() => changeEmitter.fire()));
    apiStore.add(changeEmitter);
    this.api = this.createApi(changeEmitter.event);

    // Teardown order. VS Code calls deactivate() without awaiting it, then disposes
    // context.subscriptions in insertion order, synchronously:
    //   0. deactivate()   registry.shutdown(): every session starts stopping under one deadline
    //                     and every later call fails with 'shut-down', so nothing disposed
    //                     below can start a server any more; the promise settles within 3 s.
    //   1. configuration  file watchers, setting/folder/trust listeners, pending reloads, diagnostics
    //   2. servers        dev mode's file watchers and debugger followers, reconcile and autoStart
    //                     reactions, the background start queue, settings listener,
    //                     OAuth sign-ins waiting for the browser (their notifications and loopback listeners),
    //                     the workspace-folder watch that tells servers their roots changed
    //   3. commands, api  command registrations, the API's onDidChangeServers
    //   4. ui             Tool Explorer, Call History, status bar, notifications, call forms (their calls
    //                     are cancelled), results panels, result documents (and their temp files),
    //                     the mcp-sessions-resource: file system (its resource subscriptions),
    //                     the watch for VS Code's built-in MCP client (its process-table scans),
    //                     elicitation forms still open (each answers cancel),
    //                     the history, switches and pins (their events; what they stored stays),
    //                     the gateway (its provider registration, discovery file, listener and client connections)
    //   5. registry       the watch for the editor server's death (parentDeath.ts); dispose(): idempotent,
    //                     starts the shutdown if deactivate() was not called
    //   6. logs           server channels, then the extension channel — last, so every step above can log;
    //                     what the core logs after this (its shutdown report) is dropped.
    // Tested by test/integration/teardown.test.ts through TestingApi.teardown().
    // After the first configuration load, once per user: the offer to import other apps' servers.
    let offered = false;
    const discoveryOffer = this.configuration.onDidChange(() => {
      if (offered) return;
      offered = true;
      void offerImportOnce(context.globalState, this.configuration.list().length > 0);
    });

    const subscriptions = context.subscriptions;
    subscriptions.push(this.step('configuration', this.configuration));
    subscriptions.push(this.step('servers', this.devMode, this.servers, this.watchRestartRequiringSettings(), this.watchCallTimeoutSettings(), this.oauth, watchWorkspaceRoots(this.registry, this.log)));
    subscriptions.push(this.step('commands, api', registerCommands(this, commands), apiStore));
    subscriptions.push(this.step('ui', this.explorer, this.historyView, this.statusBar, this.notifier, this.callForms, this.resultsView, this.results, this.resources, this.builtInMcp, this.elicitations, discoveryOffer, this.history, this.toolSwitches, this.toolPins, this.gateway));
    // The editor server SIGKILLed leaves this host running for seconds: its servers end now.
    const editorDeath = onParentDeath((how) => {
      this.log.warn(`The editor server is gone (${how}); stopping every MCP server`);
      void this.deactivate();
    });
    subscriptions.push(this.step('registry', editorDeath, this.registry));
    subscriptions.push(this.step('logs', this.serverLogs, this.log));

    // Loads in the background: activation never waits for files, inputs or servers.
    void this.configuration.reload('activation');
    void this.startGateway();
  }

  /** Starts the gateway when mcpSessions.gateway.enabled (read at activation; a change applies after a reload). */
  private async startGateway(): Promise<void> {
    if (!vscode.workspace.getConfiguration('mcpSessions').get<boolean>('gateway.enabled', true)) {
      this.log.info('The MCP gateway is off (mcpSessions.gateway.enabled): VS Code chat and the CLI do not reach our servers');
      return;
    }
    try {
      // Assigned after the registry shut down, the MutableDisposable disposes it at once.
      this.gateway.value = await GatewayService.start({
        registry: this.registry,
        servers: this.servers,
        router: this.clientRequests,
        redactor: this.redactor,
        log: this.log,
        version: String((this.context.extension.packageJSON as { version?: string }).version ?? '0.0.0'),
        userDataDir: userDataDirOf(this.context.globalStorageUri),
        toolSwitches: this.toolSwitches,
      });
    } catch (e) {
      this.log.warn(`The MCP gateway could not start, so VS Code chat and the CLI do not reach our servers: ${(e as Error).message}`);
    }
  }

  /** What deactivate() returns: the registry's bounded shutdown. */
  deactivate(): Promise<ShutdownReport | undefined> {
    if (!this.shutdown) {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => {
          this.log.warn(`Shutdown did not finish within ${deactivateBoundMs} ms`);
          resolve(undefined);
        }, deactivateBoundMs);
      });
      this.shutdown = Promise.race([this.registry.shutdown(shutdownDeadlineMs), bound]).finally(() => clearTimeout(timer));
    }
    return this.shutdown;
  }

  /** One teardown step: disposes its parts in order and records that it ran. */
  private step(name: string, ...parts: Disposable[]): vscode.Disposable {
    const store = new DisposableStore();
    for (const part of parts) store.add(part);
    return toDisposable(() => {
      this.shutDownAtFirstStep ??= this.registry.isShutDown;
      this.teardownSteps.push(name);
      this.log.debug(`Teardown: ${name}`);
      store.dispose();
    });
  }

  /**
   * rust-analyzer style: settings read when a server connects are answered with "Restart now".
   * The registry takes them at construction; when it can take them later (updateOptions),
   * restarting the running servers applies them, otherwise only a new registry does, so the
   * answer is "Reload Window".
   */
  private watchRestartRequiringSettings(): Disposable {
    return vscode.workspace.onDidChangeConfiguration((e) => {
      if (!affectsAny(e, restartRequiringSettings) || this.registry.isShutDown) return;
      const changed = restartRequiringSettings.filter((k) => e.affectsConfiguration(k)).join(', ');
      if (!this.registry.updateOptions) {
        this.log.info(`Settings changed (${changed}); they apply after a window reload`);
        void showMessage('information', 'The changed MCP settings apply after the window reloads.', 'Reload Window').then((choice) => {
          if (choice) void vscode.commands.executeCommand('workbench.action.reloadWindow');
        });
        return;
      }
      this.registry.updateOptions(registryOptionsFrom(readSettings()));
      this.log.info(`Settings changed (${changed}); they apply when a server restarts`);
      const running = this.servers.list().filter((v) => v.status === 'running' || v.status === 'starting');
      if (running.length === 0) return;
      const which = running.length === 1 ? `"${running[0].name}"` : `the ${running.length} running MCP servers`;
      void showMessage('information', `The changed MCP settings apply when a server restarts. Restart ${which} now?`, 'Restart now').then((choice) => {
        if (choice !== 'Restart now') return;
        for (const view of running) {
          this.registry.restart(view.name, 'settings changed').catch((err) => this.log.warn(`Restart of "${view.name}" after a settings change failed: ${(err as Error).message}`));
        }
      });
    });
  }

  /** Call timeouts are read by every request when it is sent: a change applies to the next call. */
  private watchCallTimeoutSettings(): Disposable {
    return vscode.workspace.onDidChangeConfiguration((e) => {
      if (!affectsAny(e, callTimeoutSettings) || this.registry.isShutDown || !this.registry.updateOptions) return;
      const { defaultCallTimeoutMs, defaultMaxTotalTimeoutMs } = registryOptionsFrom(readSettings());
      this.registry.updateOptions({ defaultCallTimeoutMs, defaultMaxTotalTimeoutMs });
      this.log.info(`Call timeouts changed: ${defaultCallTimeoutMs} ms without progress, ${defaultMaxTotalTimeoutMs ?? 10 * defaultCallTimeoutMs!} ms in all; they apply to the next call`);
    });
  }

  private createApi(onDidChangeServers: vscode.Event<void>): McpSessionsApi {
    const api: McpSessionsApi = {
      onDidChangeServers,
      listServers: () => this.servers.list().map((view): McpServerInfo => ({
        name: view.name,
        state: view.status,
        message: view.message,
        source: view.configured.raw.source.label,
        pid: view.status === 'running' ? view.snapshot?.pid : undefined,
        protocol: view.status === 'running' ? view.snapshot?.protocol : undefined,
        // A disabled tool is not offered to other extensions; a call of it is refused (ServerService).
        tools: (view.lists?.tools ?? [])
          .filter((t) => this.toolSwitches.isToolEnabled(view.name, t.name))
          .map((t) => this.redactor.redactDeep({ name: t.name, description: t.description, inputSchema: t.inputSchema })),
        toolsCached: view.lists?.cached ?? false,
      })),
      callTool: async (server, tool, args = {}, token) => {
        const cancellation = abortSignalOf(token);
        try {
          return await this.servers.callTool(server, tool, args, { signal: cancellation.signal }, false);
        } catch (e) {
          throw this.redactor.redactError(e);
        } finally {
          cancellation.dispose();
        }
      },
    };
    if (this.context.extensionMode !== vscode.ExtensionMode.Production) {
      return { ...api, testing: this.createTestingApi() };
    }
    return api;
  }

  private createTestingApi(): TestingApi & { oauth: OAuthTestingApi } {
    return {
      oauth: this.oauth.testing,
      reloadConfiguration: () => this.configuration.reload('reload requested by a test'),
      renderTree: () => this.explorer.render(),
      argumentCompletions: (server, ref, argument, value, context = {}) => completionSource(this.servers, server, ref, argument, context)(value, new AbortController().signal),
      renderCallHistory: () => this.historyView.render(),
      callHistory: () => this.history.list().map((entry) => structuredClone(entry)),
      toolPickItems: (server) => toolPickItems(this.servers, server, { pins: this.toolPins, switches: this.toolSwitches }).map((item) => ({ label: item.label, description: item.description })),
      revealServer: (server, options) => this.explorer.revealServer(server, options),
      serverTooltipOnHover: (server, afterMs) => this.explorer.serverTooltipOnHover(server, afterMs),
      builtInMcp: detectBuiltInMcp,
      scanForSecondCopies: () => this.builtInMcp.scan().map(({ server, pid }) => ({ server, pid })),
      logText: (server) => (server === undefined ? this.log.text() : this.serverLogs.text(server)),
      answerInputs: (answer) => {
        this.inputs.promptOverride = answer;
      },
      clientRequests: {
        answerPrompts: (answer) => {
          this.clientRequestsUi.promptOverride = answer;
        },
        openPages: (open) => {
          this.clientRequestsUi.openOverride = open;
        },
        elicitations: () => this.elicitations.open.map((panel) => ({ server: panel.server, message: panel.params.message, schema: panel.params.requestedSchema, visible: panel.visible })),
        answerElicitation: (index, message) => {
          const panel = this.elicitations.open[index];
          if (!panel) throw new Error(`no input form #${index} is open`);
          return panel.receive(message);
        },
        closeElicitation: (index) => {
          const panel = this.elicitations.open[index];
          if (!panel) throw new Error(`no input form #${index} is open`);
          panel.closePanel();
        },
      },
      statusBar: () => this.statusBar.state,
      notifications: () => this.notifier.history,
      shownMessages,
      results: {
        shown: () => this.resultsView.shown(),
        rendered: (timeoutMs) => this.resultsView.rendered(timeoutMs),
        receive: (message) => this.resultsView.receive(message),
      },
      gateway: () => {
        const service = this.gateway.value;
        return (
          service && {
            url: (server: string) => service.gateway.url(server),
            headers: service.gateway.headers,
            published: service.publishedServers().map((v) => v.name),
            providerRegistered: service.providerRegistered,
          }
        );
      },
      folders: () => ({ logs: this.context.logUri.fsPath, state: (this.context.storageUri ?? this.context.globalStorageUri).fsPath }),
      teardown: async () => {
        const shutdown = this.deactivate();
        for (const subscription of [...this.context.subscriptions]) {
          try {
            subscription.dispose();
          } catch (e) {
            console.error(e);
          }
        }
        const report = await shutdown;
        return { report, steps: [...this.teardownSteps], shutDownBeforeFirstStep: this.shutDownAtFirstStep === true };
      },
      activateAgain: () => new SessionsExtension(this.context).api as McpSessionsApi & { testing: TestingApi },
    };
  }
}

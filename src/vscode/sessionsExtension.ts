// The extension, wired. Everything that owns a process or a connection lives in the core's
// SessionRegistry; this class creates it once, builds the pieces that depend on it (they
// depend on the registry, never the other way round) and hands each lifetime to
// context.subscriptions in the order written below.

import * as vscode from 'vscode';
import type { ShutdownReport } from '../core/api';
import type { RegistryOptions } from '../core/api';
import { DisposableStore, toDisposable, type Disposable } from '../core/lifecycle';
import { SessionRegistry, defaultShutdownDeadlineMs } from '../core/registry';
import { onParentDeath } from '../core/parentDeath';
import type { McpServerInfo, McpSessionsApi, TestingApi } from './api';
import { BuiltInMcpWatch, detectBuiltInMcp } from './builtInMcp';
import { abortSignalOf } from './cancellation';
import { registerCommands, type CommandContext } from './commands/command';
import { commands } from './commands/index';
import { ConfigurationService } from './configuration';
import { InputStore } from './inputs';
import { ListCache } from './listCache';
import { ExtensionLog, ServerLogChannels } from './log';
import { shownMessages, showMessage } from './messages';
import { FailureNotifier } from './notifier';
import { OAuthService, type OAuthTestingApi } from './oauth';
import { SignInConsentPrompt } from './oauthConsent';
import { SecretRedactor } from '../core/redact';
import { redactingSecretStorage } from './secretStorage';
import { ResultDocuments } from './results';
import { RunningServersMemory } from './runningServers';
import { ServerService } from './servers';
import { affectsAny, readSettings, registryOptionsFrom, restartRequiringSettings } from './settings';
import { ServerStatusBar } from './statusBar';
import { ToolExplorer } from './toolExplorer';

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
  readonly api: McpSessionsApi;
  private readonly explorer: ToolExplorer;
  private readonly statusBar: ServerStatusBar;
  private readonly builtInMcp: BuiltInMcpWatch;
  private readonly teardownSteps: string[] = [];
  private shutDownAtFirstStep: boolean | undefined;
  private shutdown: Promise<ShutdownReport | undefined> | undefined;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.log = new ExtensionLog(this.redactor);
    const stateDir = (context.storageUri ?? context.globalStorageUri).fsPath;
    this.registry = new SessionRegistry({
      logger: this.log,
      stateDir,
      clientInfo: { name: 'mcp-session-manager-vscode', version: String((context.extension.packageJSON as { version?: string }).version ?? '0.0.0') },
      ...registryOptionsFrom(readSettings()),
      // Called per connection attempt, never during construction.
      authProviderFor: (server) => this.oauth.providerFor(server),
      redactor: this.redactor,
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
    this.servers = new ServerService(
      this.registry,
      this.configuration,
      new ListCache(context.workspaceState),
      this.notifier,
      this.redactor,
      this.log,
      new RunningServersMemory(context.workspaceState),
      this.oauth,
    );
    this.results = new ResultDocuments(this.redactor);
    this.explorer = new ToolExplorer(this.servers, this.redactor, this.log);
    this.statusBar = new ServerStatusBar(this.servers);
    this.builtInMcp = new BuiltInMcpWatch(this.servers, context.globalState, this.log);
    const changeEmitter = new vscode.EventEmitter<void>();
    const apiStore = new DisposableStore();
    apiStore.add(this.servers.onDidChange(() => changeEmitter.fire()));
    apiStore.add(changeEmitter);
    this.api = this.createApi(changeEmitter.event);

    // Teardown order. VS Code calls deactivate() without awaiting it, then disposes
    // context.subscriptions in insertion order, synchronously:
    //   0. deactivate()   registry.shutdown(): every session starts stopping under one deadline
    //                     and every later call fails with 'shut-down', so nothing disposed
    //                     below can start a server any more; the promise settles within 3 s.
    //   1. configuration  file watchers, setting/folder/trust listeners, pending reloads, diagnostics
    //   2. servers        reconcile and autoStart reactions, the background start queue, settings listener,
    //                     OAuth sign-ins waiting for the browser (their notifications and loopback listeners)
    //   3. commands, api  command registrations, the API's onDidChangeServers
    //   4. ui             Tool Explorer, status bar, notifications, result documents (and their temp files),
    //                     the watch for VS Code's built-in MCP client (its process-table scans)
    //   5. registry       the watch for the editor server's death (parentDeath.ts); dispose(): idempotent,
    //                     starts the shutdown if deactivate() was not called
    //   6. logs           server channels, then the extension channel — last, so every step above can log;
    //                     what the core logs after this (its shutdown report) is dropped.
    // Tested by test/integration/teardown.test.ts through TestingApi.teardown().
    const subscriptions = context.subscriptions;
    subscriptions.push(this.step('configuration', this.configuration));
    subscriptions.push(this.step('servers', this.servers, this.watchRestartRequiringSettings(), this.oauth));
    subscriptions.push(this.step('commands, api', registerCommands(this, commands), apiStore));
    subscriptions.push(this.step('ui', this.explorer, this.statusBar, this.notifier, this.results, this.builtInMcp));
    // The editor server SIGKILLed leaves this host running for seconds: its servers end now.
    const editorDeath = onParentDeath((how) => {
      this.log.warn(`The editor server is gone (${how}); stopping every MCP server`);
      void this.deactivate();
    });
    subscriptions.push(this.step('registry', editorDeath, this.registry));
    subscriptions.push(this.step('logs', this.serverLogs, this.log));

    // Loads in the background: activation never waits for files, inputs or servers.
    void this.configuration.reload('activation');
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
        tools: (view.lists?.tools ?? []).map((t) => this.redactor.redactDeep({ name: t.name, description: t.description, inputSchema: t.inputSchema })),
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
      revealServer: (server, options) => this.explorer.revealServer(server, options),
      serverTooltipOnHover: (server, afterMs) => this.explorer.serverTooltipOnHover(server, afterMs),
      builtInMcp: detectBuiltInMcp,
      scanForSecondCopies: () => this.builtInMcp.scan().map(({ server, pid }) => ({ server, pid })),
      logText: (server) => (server === undefined ? this.log.text() : this.serverLogs.text(server)),
      answerInputs: (answer) => {
        this.inputs.promptOverride = answer;
      },
      statusBar: () => this.statusBar.state,
      notifications: () => this.notifier.history,
      shownMessages,
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

// Dev mode of stdio servers (`dev` in mcp.json, like VS Code's): `dev.watch` restarts a running
// server when a file matching its globs changes; `dev.debug` starts it under the Node inspector
// (src/core/devMode.ts) and attaches VS Code's debugger to the port it prints. Only in a trusted
// workspace: both run and watch workspace code.
import * as vscode from 'vscode';
import type { RegistryApi, StateChange } from '../core/api';
import type { ServerDefinition, StdioServerDefinition } from '../core/definitions';
import { inspectorPort, withInspector } from '../core/devMode';
import { DisposableMap, DisposableStore, toDisposable, type Disposable, type Event } from '../core/lifecycle';
import type { Logger } from '../core/logger';

/** Changes closer together than this restart a server once (an editor's save writes several files). */
const restartDebounceMs = 300;

/** What dev mode needs of the servers: their definitions as handed to the registry, and a restart. */
export interface DevModeServers {
  readonly onDidChange: Event<void>;
  /** The ready definitions, as the registry runs them. */
  definitions(): ServerDefinition[];
  isRunning(name: string): boolean;
  restart(name: string, reason: string): Promise<void>;
}

/** The definition as it runs: under the inspector when `dev.debug` asks and the workspace is trusted. */
export function withDevMode(def: ServerDefinition): ServerDefinition {
  if (def.kind !== 'stdio' || !def.dev?.debug || !vscode.workspace.isTrusted) return def;
  return withInspector(def);
}

/** The workspace folder a server's relative watch globs belong to: its file's folder, else the first. */
function folderOf(def: StdioServerDefinition): vscode.WorkspaceFolder | undefined {
  const own = def.source.file ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(def.source.file)) : undefined;
  return own ?? vscode.workspace.workspaceFolders?.[0];
}

interface Watch extends Disposable {
  /** The folder and globs it watches: a changed key replaces it. */
  key: string;
}

export class DevModeService implements Disposable {
  private readonly store = new DisposableStore();
  private readonly watches = new DisposableMap<string, Watch>();
  /** Per server with `dev.debug`: its session's log listener, attaching once per start. */
  private readonly debugFollowers = new DisposableMap<string, Disposable>();

  constructor(
    private readonly servers: DevModeServers,
    private readonly registry: RegistryApi,
    private readonly logger: Logger,
  ) {
    this.store.add(this.watches);
    this.store.add(this.debugFollowers);
    this.store.add(servers.onDidChange(() => this.update()));
    this.store.add(registry.onDidAddServer((name) => this.followForDebug(name, true)));
    this.store.add(registry.onDidRemoveServer((name) => this.debugFollowers.deleteAndDispose(name)));
    this.store.add(vscode.workspace.onDidGrantWorkspaceTrust(() => this.update()));
    this.update();
  }

  private update(): void {
    const trusted = vscode.workspace.isTrusted;
    const wanted = new Map<string, { folder: vscode.WorkspaceFolder; globs: string[] }>();
    for (const def of this.servers.definitions()) {
      if (def.kind !== 'stdio' || !def.dev) continue;
      if (def.dev.debug) this.followForDebug(def.name, false);
      if (!def.dev.watch || !trusted) continue;
      const folder = folderOf(def);
      if (folder) wanted.set(def.name, { folder, globs: def.dev.watch });
    }
    for (const name of [...this.watches.keys()]) {
      if (!wanted.has(name)) this.watches.deleteAndDispose(name);
    }
    for (const [name, { folder, globs }] of wanted) {
      const key = JSON.stringify([folder.uri.toString(), globs]);
      if (this.watches.get(name)?.key !== key) this.watches.set(name, this.watch(name, folder, globs, key));
    }
  }

  private watch(name: string, folder: vscode.WorkspaceFolder, globs: string[], key: string): Watch {
    const store = new DisposableStore();
    let timer: NodeJS.Timeout | undefined;
    store.add(toDisposable(() => clearTimeout(timer)));
    const changed = (uri: vscode.Uri) => {
      if (!this.servers.isRunning(name)) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        const file = vscode.workspace.asRelativePath(uri, false);
        this.servers.restart(name, `dev.watch: ${file} changed`).catch((e) => this.logger.warn(`[${name}] restart after ${file} changed failed: ${(e as Error).message}`));
      }, restartDebounceMs);
    };
    for (const glob of globs) {
      const watcher = store.add(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, glob)));
      store.add(watcher.onDidChange(changed));
      store.add(watcher.onDidCreate(changed));
      store.add(watcher.onDidDelete(changed));
    }
    this.logger.info(`[${name}] dev.watch: restarts when ${globs.join(', ')} in ${folder.name} change`);
    return { key, dispose: () => store.dispose() };
  }

  /** Attaches the debugger when the server's stderr names its inspector port, once per start. */
  private followForDebug(name: string, again: boolean): void {
    if (this.debugFollowers.has(name) && !again) return;
    const def = this.servers.definitions().find((d) => d.name === name);
    const session = this.registry.get(name);
    if (!session || def?.kind !== 'stdio' || !def.dev?.debug || !vscode.workspace.isTrusted) {
      this.debugFollowers.deleteAndDispose(name);
      return;
    }
    const store = new DisposableStore();
    let attached = false;
    store.add(session.onDidChangeState((e: StateChange) => {
      if (e.current.state === 'starting') attached = false;
    }));
    store.add(session.onDidLog((line) => {
      const port = line.stream === 'stderr' && !attached ? inspectorPort(line.text) : undefined;
      if (port === undefined) return;
      attached = true;
      this.attach(name, folderOf(def), port);
    }));
    this.debugFollowers.set(name, store);
  }

  private attach(name: string, folder: vscode.WorkspaceFolder | undefined, port: number): void {
    this.logger.info(`[${name}] dev.debug: attaching the debugger to 127.0.0.1:${port}`);
    const configuration: vscode.DebugConfiguration = { type: 'node', request: 'attach', name: `MCP: ${name}`, address: '127.0.0.1', port };
    vscode.debug.startDebugging(folder, configuration).then(
      (started) => started || this.logger.warn(`[${name}] dev.debug: the debugger did not attach to port ${port}`),
      (e: unknown) => this.logger.warn(`[${name}] dev.debug: attaching the debugger failed: ${(e as Error).message}`),
    );
  }

  dispose(): void {
    this.store.dispose();
  }
}

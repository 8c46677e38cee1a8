// The gateway in the editor: the core's McpGateway (src/core/gateway) serving the registry's
// sessions, a discovery file so the CLI finds it, and our servers published to VS Code's own MCP
// client (chat, agent mode) as HTTP server definitions pointing at the gateway — so chat uses the
// one process we supervise instead of starting its own.
//
// Duplicate policy (mcpSessions.gateway.publish, docs/gateway.md):
// - `exceptVsCodeConfigured` (default): servers defined in a file VS Code reads itself (a
//   workspace `.vscode/mcp.json`, the profile's `mcp.json`) are not published; VS Code already
//   lists them, and publishing them as well would give chat two entries and two sets of tools.
// - `all`: every server is published; the user turns VS Code's own copies off.
// - `none`: nothing is published (the gateway still serves the CLI).
//
// The gateway starts on activation when mcpSessions.gateway.enabled (default true) and lives as
// long as the registry: disposed in the "ui" teardown step, before the registry shuts down.

import * as vscode from 'vscode';
import type { ToolSwitches } from '../core/toolPreferences';
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import type { RegistryApi } from '../core/api';
import { definitionFingerprint } from '../core/definitions';
import { labelText } from '../core/displayText';
import { errorMessage } from '../core/errors';
import type { ClientRequestRouter } from '../core/gateway/clientRequestRouter';
import { removeDiscoveryFile, writeDiscoveryFile } from '../core/gateway/discovery';
import type { McpGateway } from '../core/gateway/gateway';
import { DisposableStore, Emitter, toDisposable, type Disposable } from '../core/lifecycle';
import type { Logger } from '../core/logger';
import type { SecretRedactor } from '../core/redact';
import type { ServerService, ServerView } from './servers';

/** The id in package.json `contributes.mcpServerDefinitionProviders`. */
export const mcpProviderId = 'mcpSessions.gateway';

export type PublishPolicy = 'exceptVsCodeConfigured' | 'all' | 'none';

// VS Code ≥ 1.101 API, declared here because the engine minimum (and @types/vscode) is 1.100.
interface McpHttpServerDefinition {
  readonly label: string;
  readonly uri: vscode.Uri;
  readonly headers: Record<string, string>;
  readonly version?: string;
}
interface McpServerDefinitionProvider {
  readonly onDidChangeMcpServerDefinitions?: vscode.Event<void>;
  provideMcpServerDefinitions(token: vscode.CancellationToken): McpHttpServerDefinition[];
  resolveMcpServerDefinition?(server: McpHttpServerDefinition, token: vscode.CancellationToken): McpHttpServerDefinition | undefined;
}
interface McpApi {
  registerMcpServerDefinitionProvider(id: string, provider: McpServerDefinitionProvider): vscode.Disposable;
}
type McpHttpServerDefinitionClass = new (label: string, uri: vscode.Uri, headers?: Record<string, string>, version?: string) => McpHttpServerDefinition;

/** VS Code's MCP provider API, or undefined before 1.101. */
function mcpApi(): { lm: McpApi; Definition: McpHttpServerDefinitionClass } | undefined {
  const lm = vscode.lm as unknown as Partial<McpApi> | undefined;
  const Definition = (vscode as unknown as { McpHttpServerDefinition?: McpHttpServerDefinitionClass }).McpHttpServerDefinition;
  if (typeof lm?.registerMcpServerDefinitionProvider !== 'function' || typeof Definition !== 'function') return undefined;
  return { lm: lm as McpApi, Definition };
}

export function readPublishPolicy(): PublishPolicy {
  const value = vscode.workspace.getConfiguration('mcpSessions').get<string>('gateway.publish');
  return value === 'all' || value === 'none' ? value : 'exceptVsCodeConfigured';
}

/** The workspace a gateway serves, as the CLI names it too: the real path of the first folder. */
export function workspaceId(): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (folder?.scheme !== 'file') return undefined;
  try {
    return realpathSync(folder.fsPath);
  } catch {
    return folder.fsPath;
  }
}

export class GatewayService implements Disposable {
  private readonly store = new DisposableStore();
  private readonly changeEmitter = this.store.add(new Emitter<void>());
  private published = '';
  private discoveryFile: string | undefined;
  /** True once VS Code took our provider. */
  providerRegistered = false;

  private constructor(
    readonly gateway: McpGateway,
    private readonly servers: ServerService,
    private readonly vsCodeMcpFiles: (file: string) => boolean,
    private readonly log: Logger,
  ) {
    this.store.add(toDisposable(() => void gateway.close()));
  }

  static async start(options: {
    registry: RegistryApi;
    servers: ServerService;
    router: ClientRequestRouter;
    redactor: SecretRedactor;
    log: Logger;
    version: string;
    userDataDir: string;
    toolSwitches?: ToolSwitches;
  }): Promise<GatewayService> {
    const { registry, servers, router, redactor, log, version, toolSwitches } = options;
    const gateway = await loadGateway().McpGateway.start({ registry, router, redactor, logger: log, version, isToolEnabled: toolSwitches && ((server, tool) => toolSwitches.isToolEnabled(server, tool)) });
    const profileMcpJson = join(options.userDataDir, 'mcp.json');
    const vsCodeReads = (file: string) => file.endsWith(`${sep}.vscode${sep}mcp.json`) || file === profileMcpJson;
    // From here on the service owns the gateway: nothing below throws past it.
    const service = new GatewayService(gateway, servers, vsCodeReads, log);
    // A tool switched on or off changes the tool list gateway clients see.
    if (toolSwitches) service.store.add(toolSwitches.onDidChange(({ server }) => gateway.notifyToolsChanged(server)));
    service.writeDiscovery(version);
    service.publish();
    return service;
  }

  private writeDiscovery(version: string): void {
    try {
      this.discoveryFile = writeDiscoveryFile({ port: this.gateway.port, token: this.gateway.token, workspace: workspaceId(), pid: process.pid, version, host: 'editor', startedAt: Date.now() });
      this.store.add(toDisposable(() => removeDiscoveryFile(this.discoveryFile!)));
      this.log.info(`MCP gateway discovery file: ${this.discoveryFile}`);
    } catch (e) {
      this.log.warn(`The MCP gateway discovery file could not be written, so the CLI will not find this window: ${errorMessage(e)}`);
    }
  }

  /** Publishes our servers to VS Code's MCP client, when this VS Code has the API. */
  private publish(): void {
    const api = mcpApi();
    if (!api) {
      this.log.info("This VS Code has no MCP server definition provider API (VS Code 1.101 or later has it); our servers are not published to VS Code's chat");
      return;
    }
    const provider: McpServerDefinitionProvider = {
      onDidChangeMcpServerDefinitions: this.changeEmitter.event as vscode.Event<void>,
      provideMcpServerDefinitions: () => this.publishedServers().map((view) => this.definitionOf(api.Definition, view)),
      // Asked right before VS Code starts one: a server removed meanwhile is not started.
      resolveMcpServerDefinition: (definition) => (this.publishedServers().some((view) => labelText(view.name) === definition.label) ? definition : undefined),
    };
    try {
      this.store.add(api.lm.registerMcpServerDefinitionProvider(mcpProviderId, provider));
    } catch (e) {
      // VS Code 1.100 has the function under a proposal with another contribution point.
      this.log.info(`VS Code did not take our MCP server definitions (${errorMessage(e)}); our servers are not published to VS Code's chat`);
      return;
    }
    this.providerRegistered = true;
    this.store.add(this.servers.onDidChange(() => this.announceIfChanged()));
    this.store.add(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('mcpSessions.gateway.publish')) this.announceIfChanged();
      }),
    );
    this.published = this.signature();
    this.log.info(`Published ${this.publishedServers().length} MCP server(s) to VS Code's MCP client through the gateway (mcpSessions.gateway.publish: ${readPublishPolicy()})`);
  }

  /** The servers published under the current policy: only those the registry serves (valid, trusted, inputs known). */
  publishedServers(): ServerView[] {
    const policy = readPublishPolicy();
    if (policy === 'none') return [];
    return this.servers.list().filter((view) => {
      if (!view.snapshot) return false;
      const file = view.configured.raw.source.file;
      return policy === 'all' || file === undefined || !this.vsCodeMcpFiles(file);
    });
  }

  private definitionOf(Definition: McpHttpServerDefinitionClass, view: ServerView): McpHttpServerDefinition {
    // The version changes with the definition, so VS Code drops its cached tools of the old one.
    const version = createHash('sha256').update(definitionFingerprint(view.snapshot!.definition)).digest('hex').slice(0, 12);
    return new Definition(labelText(view.name), vscode.Uri.parse(this.gateway.url(view.name)), { ...this.gateway.headers }, version);
  }

  private signature(): string {
    return JSON.stringify(this.publishedServers().map((view) => [view.name, definitionFingerprint(view.snapshot!.definition)]));
  }

  private announceIfChanged(): void {
    const signature = this.signature();
    if (signature === this.published) return;
    this.published = signature;
    this.log.info(`The servers published to VS Code's MCP client changed (${this.publishedServers().length} now)`);
    this.changeEmitter.fire();
  }

  dispose(): void {
    this.store.dispose();
  }
}

/**
 * The gateway module from its own bundle (dist/gateway.js, next to dist/extension.js): the SDK's
 * v2 server is ~200 KB that activation need not parse.
 */
function loadGateway(): typeof import('../core/gateway/gateway') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path esbuild must not follow: the module is a bundle of its own
  return require(join(__dirname, 'gateway.js')) as typeof import('../core/gateway/gateway');
}

/** The user data folder (`…/User`) from the extension's global storage (`…/User/globalStorage/<id>`). */
export function userDataDirOf(globalStorage: vscode.Uri): string {
  return dirname(dirname(globalStorage.fsPath));
}

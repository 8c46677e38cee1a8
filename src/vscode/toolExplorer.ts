// The Tool Explorer: [sources →] servers → Tools / Resources / Prompts → items. Servers are
// grouped under their configuration source only when there are several sources. Lists of an
// earlier session show at once, marked "cached", until the server lists them again.
//
// Expanding a stopped server starts it (the user expanded it) — never a refresh. VS Code's
// extension host forgets every element of the tree on a refresh of its root: an expansion the
// workbench sends before it has fetched the root again is dropped, and the row stays expanded
// without onDidExpandElement ever firing. So: nodes are stable objects, a change of servers
// refreshes only the servers that changed (the root only when servers are added, removed or
// regrouped), and a server whose children the workbench asks for after a root refresh, although
// it was collapsed before, was expanded in that gap: it starts (see childrenRequested).
//
// Pinned tools (ToolPins) lead the tree in a "Pinned" group, each shown as server/tool; tools
// disabled in this workspace (ToolSwitches) are dimmed and say "disabled".

import * as vscode from 'vscode';
import type { Prompt, Resource, ResourceTemplate, Tool } from '../core/api';
import { formatJsonPath } from '../core/config';
import { describeDefinition, redactUrl, shownDefinition } from '../core/definitions';
import { labelText } from '../core/displayText';
import { DisposableStore, type Disposable } from '../core/lifecycle';
import type { Logger } from '../core/logger';
import { promptTreeText, resourceTemplateTreeText, resourceTreeText, serverTooltipMarkdown, toolTreeText, type TreeText } from './itemText';
import type { SecretRedactor } from '../core/redact';
import type { RenderedNode } from './api';
import type { ServerService, ServerStatus, ServerView } from './servers';
import { tildify } from './configuration';
import type { ToolPins, ToolSwitches } from '../core/toolPreferences';

export type ExplorerNode =
  | { kind: 'source'; key: string; label: string; file?: string }
  | { kind: 'server'; server: string }
  | { kind: 'group'; server: string; group: 'tools' | 'resources' | 'prompts' }
  | { kind: 'pins' }
  /** `pinned`: the entry in the Pinned group (the same tool also shows under its server). */
  | { kind: 'tool'; server: string; tool: Tool; cached: boolean; pinned?: boolean }
  | { kind: 'resource'; server: string; resource: Resource; cached: boolean }
  | { kind: 'resourceTemplate'; server: string; template: ResourceTemplate }
  | { kind: 'prompt'; server: string; prompt: Prompt; cached: boolean }
  | { kind: 'message'; server: string; text: string; icon: string; tooltip?: string; command?: vscode.Command };

export const toolExplorerViewId = 'mcpSessions.toolExplorer';
/** How long a resolved server tooltip (its uptime) may be shown again before it is made anew. */
const tooltipLifetimeMs = 10_000;

type ServerNode = Extract<ExplorerNode, { kind: 'server' }>;
type GroupNode = Extract<ExplorerNode, { kind: 'group' }>;
type SourceNode = Extract<ExplorerNode, { kind: 'source' }>;

/** What the tree shows of a person's choices about tools. */
export interface ToolExplorerPreferences {
  pins: ToolPins;
  switches: ToolSwitches;
}

export class ToolExplorer implements vscode.TreeDataProvider<ExplorerNode>, Disposable {
  private readonly store = new DisposableStore();
  private readonly changeEmitter = this.store.add(new vscode.EventEmitter<ExplorerNode | ExplorerNode[] | undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly view: vscode.TreeView<ExplorerNode>;
  private refreshTimer: NodeJS.Timeout | undefined;
  /** One object per server, group and source: VS Code refreshes an element by identity. */
  private readonly serverNodes = new Map<string, ServerNode>();
  private readonly groupNodes = new Map<string, GroupNode>();
  private readonly sourceNodes = new Map<string, SourceNode>();
  private readonly pinsNode: ExplorerNode = { kind: 'pins' };
  /** What the root shows (sources and server names, in order) and what each server shows, as last sent. */
  private shownRoot = '';
  private shownPins = '';
  private readonly shownServers = new Map<string, string>();
  /** Servers the workbench shows expanded, as far as we know; and the ones it listed, collapsed, before the last root refresh. */
  private readonly expanded = new Set<string>();
  private readonly listedServers = new Set<string>();
  private collapsedAtRootRefresh = new Set<string>();
  private readonly tooltipExpiry = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly servers: ServerService,
    private readonly redactor: SecretRedactor,
    private readonly logger: Logger,
    private readonly preferences?: ToolExplorerPreferences,
  ) {
    this.view = this.store.add(vscode.window.createTreeView(toolExplorerViewId, { treeDataProvider: this, showCollapseAll: true }));
    this.store.add(this.view.onDidExpandElement((e) => this.onExpand(e.element)));
    this.store.add(this.view.onDidCollapseElement((e) => e.element.kind === 'server' && this.expanded.delete(e.element.server)));
    this.store.add(servers.onDidChange(() => this.scheduleRefresh()));
    if (preferences) {
      this.store.add(preferences.pins.onDidChange(() => this.scheduleRefresh()));
      this.store.add(preferences.switches.onDidChange(() => this.scheduleRefresh()));
      const decorations = this.store.add(new DisabledToolDecorations(preferences.switches));
      this.store.add(vscode.window.registerFileDecorationProvider(decorations));
    }
    this.store.add({
      dispose: () => {
        clearTimeout(this.refreshTimer);
        for (const timer of this.tooltipExpiry.values()) clearTimeout(timer);
      },
    });
  }

  /** Coalesces bursts of state and list events into one refresh. */
  private scheduleRefresh(): void {
    this.refreshTimer ??= setTimeout(() => {
      this.refreshTimer = undefined;
      this.refresh();
    }, 50);
  }

  /** Refreshes what changed: the servers whose rows or children changed, the root only when its shape did. */
  private refresh(): void {
    const views = this.servers.list();
    const root = JSON.stringify([views.map((v) => [v.name, sourceKey(v)]), (this.preferences?.pins.list().length ?? 0) > 0]);
    const shown = new Map(views.map((v) => [v.name, shownState(v, this.toolStates(v))]));
    const pins = this.pinsShown();
    const pinsChanged = pins !== this.shownPins;
    this.shownPins = pins;
    if (root !== this.shownRoot) {
      this.shownRoot = root;
      for (const name of [...this.serverNodes.keys()]) if (!shown.has(name)) this.forget(name);
      const sources = new Set(views.map(sourceKey));
      for (const key of [...this.sourceNodes.keys()]) if (!sources.has(key)) this.sourceNodes.delete(key);
      this.collapsedAtRootRefresh = new Set([...this.listedServers].filter((name) => !this.expanded.has(name)));
      this.replaceShown(shown);
      this.changeEmitter.fire(undefined);
      return;
    }
    const changed: ExplorerNode[] = views.filter((v) => this.shownServers.get(v.name) !== shown.get(v.name)).map((v) => this.serverNode(v.name));
    if (pinsChanged) changed.unshift(this.pinsNode);
    this.replaceShown(shown);
    if (changed.length > 0) this.changeEmitter.fire(changed);
  }

  /** The Pinned group as shown: each pin, its tool as listed, and whether it is disabled. */
  private pinsShown(): string {
    return JSON.stringify(
      this.pinnedTools().map((node) => node.kind === 'tool' && [node.server, node.tool, node.cached, this.preferences?.switches.isToolEnabled(node.server, node.tool.name)]),
    );
  }

  /** Which tools of a server are pinned or disabled: their rows show it. */
  private toolStates(view: ServerView): unknown {
    if (!this.preferences) return undefined;
    const { pins, switches } = this.preferences;
    return [pins.list().filter((pin) => pin.server === view.name).map((pin) => pin.tool), switches.disabledTools(view.name)];
  }

  private replaceShown(shown: Map<string, string>): void {
    this.shownServers.clear();
    for (const [name, state] of shown) this.shownServers.set(name, state);
  }

  private forget(name: string): void {
    this.serverNodes.delete(name);
    for (const group of ['tools', 'resources', 'prompts']) this.groupNodes.delete(`${name}/${group}`);
    this.expanded.delete(name);
    this.listedServers.delete(name);
  }

  private serverNode(server: string): ServerNode {
    let node = this.serverNodes.get(server);
    if (!node) this.serverNodes.set(server, (node = { kind: 'server', server }));
    return node;
  }

  private groupNode(server: string, group: GroupNode['group']): GroupNode {
    let node = this.groupNodes.get(`${server}/${group}`);
    if (!node) this.groupNodes.set(`${server}/${group}`, (node = { kind: 'group', server, group }));
    return node;
  }

  private sourceNode(view: ServerView): SourceNode {
    const key = sourceKey(view);
    let node = this.sourceNodes.get(key);
    if (!node) this.sourceNodes.set(key, (node = { kind: 'source', key, label: view.configured.raw.source.label, file: view.configured.raw.source.file }));
    return node;
  }

  private onExpand(node: ExplorerNode): void {
    if (node.kind !== 'server') return;
    this.expanded.add(node.server);
    this.collapsedAtRootRefresh.delete(node.server);
    this.startExpanded(node.server);
  }

  private startExpanded(server: string): void {
    if (this.servers.get(server)?.status !== 'stopped') return;
    this.servers.start(server, 'expanded in the Tool Explorer', false).catch((e) => {
      // The failure is the server's state now (error), shown in the tree and by the notifier.
      this.logger.debug(`Start on expand of "${server}" failed: ${(e as Error).message}`);
    });
  }

  /**
   * The workbench asks for a server's children only while it shows the server expanded. A
   * server it listed collapsed before the last root refresh, whose expansion we never heard
   * of, was expanded while the extension host had forgotten the tree: that expansion is the
   * user's, so it starts the server. Any other unannounced expansion (one restored by the
   * workbench, a refresh of an expanded server the user stopped) starts nothing.
   */
  private childrenRequested(server: string): void {
    if (this.expanded.has(server)) return;
    this.expanded.add(server);
    if (!this.collapsedAtRootRefresh.delete(server)) return;
    this.logger.debug(`"${server}" was expanded during a refresh of the Tool Explorer`);
    this.startExpanded(server);
  }

  getChildren(node?: ExplorerNode): ExplorerNode[] {
    if (node?.kind === 'server') this.childrenRequested(node.server);
    const children = this.childrenOf(node);
    if (!node || node.kind === 'source') for (const child of children) if (child.kind === 'server') this.listedServers.add(child.server);
    return children;
  }

  /** The children of a node, without noting that the workbench asked for them. */
  childrenOf(node?: ExplorerNode): ExplorerNode[] {
    if (node?.kind === 'pins') return this.pinnedTools();
    if (!node || node.kind === 'source') {
      const views = this.servers.list();
      const grouped = new Set(views.map(sourceKey)).size > 1;
      const pins: ExplorerNode[] = this.preferences && this.preferences.pins.list().length > 0 ? [this.pinsNode] : [];
      if (!node) return [...pins, ...(grouped ? [...new Map(views.map((v) => [sourceKey(v), this.sourceNode(v)])).values()] : views.map((v) => this.serverNode(v.name)))];
      return views.filter((v) => sourceKey(v) === node.key).map((v) => this.serverNode(v.name));
    }
    const view = this.servers.get(node.server);
    if (!view) return [];
    if (node.kind === 'server') return this.serverChildren(view);
    if (node.kind !== 'group' || !view.lists) return [];
    const cached = view.lists.cached;
    switch (node.group) {
      case 'tools':
        return view.lists.tools.map((tool) => ({ kind: 'tool', server: view.name, tool, cached }));
      case 'resources':
        return [
          ...view.lists.resources.map((resource): ExplorerNode => ({ kind: 'resource', server: view.name, resource, cached })),
          ...(view.resourceTemplates ?? []).map((template): ExplorerNode => ({ kind: 'resourceTemplate', server: view.name, template })),
        ];
      case 'prompts':
        return view.lists.prompts.map((prompt) => ({ kind: 'prompt', server: view.name, prompt, cached }));
    }
  }

  /** The Pinned group: each pin with its tool as last listed (a tool not listed yet shows by name). */
  private pinnedTools(): ExplorerNode[] {
    return (this.preferences?.pins.list() ?? []).map((pin): ExplorerNode => {
      const lists = this.servers.get(pin.server)?.lists;
      const tool = lists?.tools.find((t) => t.name === pin.tool);
      return { kind: 'tool', server: pin.server, tool: tool ?? { name: pin.tool, inputSchema: { type: 'object' } }, cached: !tool || lists?.cached === true, pinned: true };
    });
  }

  private serverChildren(view: ServerView): ExplorerNode[] {
    const nodes: ExplorerNode[] = [];
    const configurationNote = configurationProblemMessage(view);
    if (configurationNote) nodes.push(configurationNote);
    const note = statusMessage(view);
    if (note) nodes.push(note);
    if (view.lists) {
      nodes.push(this.groupNode(view.name, 'tools'));
      if (view.lists.resources.length > 0 || (view.resourceTemplates?.length ?? 0) > 0) nodes.push(this.groupNode(view.name, 'resources'));
      if (view.lists.prompts.length > 0) nodes.push(this.groupNode(view.name, 'prompts'));
    }
    return nodes;
  }

  getTreeItem(node: ExplorerNode): vscode.TreeItem {
    switch (node.kind) {
      case 'source': {
        const item = new vscode.TreeItem(labelText(node.label), vscode.TreeItemCollapsibleState.Expanded);
        item.id = `source/${node.key}`;
        item.iconPath = new vscode.ThemeIcon(node.file ? 'file' : 'settings-gear');
        item.tooltip = labelText(node.file ? tildify(node.file) : node.label);
        item.contextValue = 'source';
        return item;
      }
      case 'server': {
        const view = this.servers.get(node.server);
        return view ? this.serverItem(view) : new vscode.TreeItem(labelText(node.server));
      }
      case 'group':
        return this.groupItem(node);
      case 'pins': {
        const item = new vscode.TreeItem('Pinned', vscode.TreeItemCollapsibleState.Expanded);
        item.id = 'pinned';
        item.iconPath = new vscode.ThemeIcon('pinned');
        item.description = `${this.preferences?.pins.list().length ?? 0}`;
        item.contextValue = 'pins';
        return item;
      }
      case 'tool':
        return toolItem(node, this.redactor, {
          pinned: this.preferences?.pins.isPinned(node.server, node.tool.name) === true,
          disabled: this.preferences?.switches.isToolEnabled(node.server, node.tool.name) === false,
        });
      case 'resource':
        return resourceItem(node, this.redactor);
      case 'resourceTemplate':
        return resourceTemplateItem(node, this.redactor);
      case 'prompt':
        return promptItem(node, this.redactor);
      case 'message': {
        const item = new vscode.TreeItem(labelText(node.text), vscode.TreeItemCollapsibleState.None);
        item.id = `${node.server}/message/${node.text}`;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.tooltip = node.tooltip === undefined ? undefined : labelText(node.tooltip);
        item.command = node.command;
        item.contextValue = 'message';
        return item;
      }
    }
  }

  /**
   * A server's tooltip, made when it is shown, so its uptime is current. VS Code calls this
   * only for an item without a tooltip, once per refresh of the item: getTreeItem leaves it out.
   */
  resolveTreeItem(item: vscode.TreeItem, node: ExplorerNode): vscode.TreeItem {
    if (node.kind === 'server') {
      const view = this.servers.get(node.server);
      if (view) item.tooltip = this.serverTooltip(view);
      if (view?.status === 'running') this.expireTooltip(node);
    }
    return item;
  }

  /** VS Code keeps a resolved tooltip until the item is refreshed: refresh a running server's item a little later, so the next hover resolves a current uptime. */
  private expireTooltip(node: ServerNode): void {
    if (this.tooltipExpiry.has(node.server)) return;
    this.tooltipExpiry.set(
      node.server,
      setTimeout(() => {
        this.tooltipExpiry.delete(node.server);
        if (this.serverNodes.get(node.server) === node) this.changeEmitter.fire([node]);
      }, tooltipLifetimeMs),
    );
  }

  getParent(node: ExplorerNode): ExplorerNode | undefined {
    if (node.kind === 'source' || node.kind === 'pins') return undefined;
    if (node.kind === 'tool' && node.pinned) return this.pinsNode;
    if (node.kind === 'server') {
      const view = this.servers.get(node.server);
      const root = this.childrenOf(undefined);
      return view && root[0]?.kind === 'source' ? this.sourceNode(view) : undefined;
    }
    if (node.kind === 'group' || node.kind === 'message') return this.serverNode(node.server);
    return this.groupNode(node.server, node.kind === 'tool' ? 'tools' : node.kind === 'resource' || node.kind === 'resourceTemplate' ? 'resources' : 'prompts');
  }

  /** Shows a server in the view and expands it; or selects and focuses it, for a workbench command (list.expand) to expand. */
  async revealServer(server: string, options: { expand: boolean } = { expand: true }): Promise<void> {
    // The tree VS Code holds must be the current one: reveal resolves the server's parents in it.
    if (this.refreshTimer) {
      clearTimeout(this.refreshTimer);
      this.refreshTimer = undefined;
      this.refresh();
    }
    await this.view.reveal(this.serverNode(server), options.expand ? { expand: true, select: false, focus: false } : { expand: false, select: true, focus: true });
  }

  /** The tooltip the workbench shows when the pointer rests on a server `afterMs` after the item arrived: its own, else the resolved one. */
  async serverTooltipOnHover(server: string, afterMs: number): Promise<string | undefined> {
    const node = this.serverNode(server);
    const item = this.getTreeItem(node);
    await new Promise((resolve) => setTimeout(resolve, afterMs));
    const tooltip = item.tooltip ?? this.resolveTreeItem(new vscode.TreeItem(''), node).tooltip;
    return typeof tooltip === 'string' ? tooltip : tooltip?.value;
  }

  /** The tree as the workbench shows it, for the integration tests: tooltips as shown on hover. */
  async render(node?: ExplorerNode, depth = 0): Promise<RenderedNode[]> {
    return Promise.all(
      this.childrenOf(node).map(async (child) => {
        const item = this.getTreeItem(child);
        const tooltip = item.tooltip ?? this.resolveTreeItem(new vscode.TreeItem(''), child).tooltip;
        return {
          label: typeof item.label === 'string' ? item.label : (item.label?.label ?? ''),
          description: typeof item.description === 'string' ? item.description : undefined,
          tooltip: typeof tooltip === 'string' ? tooltip : tooltip?.value,
          contextValue: item.contextValue,
          command: item.command?.command,
          click: item.command && (() => vscode.commands.executeCommand(item.command!.command, ...((item.command!.arguments ?? []) as unknown[]))),
          children: depth < 3 ? await this.render(child, depth + 1) : [],
        };
      }),
    );
  }

  private serverItem(view: ServerView): vscode.TreeItem {
    const item = new vscode.TreeItem(labelText(view.name), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `server/${view.name}`;
    item.iconPath = statusIcon(view.status);
    item.description = serverDescription(view);
    item.contextValue = `server.${contextState(view.status)}`;
    item.accessibilityInformation = { label: labelText(`MCP server ${view.name}, ${serverDescription(view)}`) };
    return item;
  }

  serverTooltip(view: ServerView): vscode.MarkdownString {
    const def = shownDefinition(view.configured.availability.status === 'ready' ? view.configured.availability.definition : view.configured.raw);
    const problem = [configurationProblemText(view), statusExplanation(view)].filter(Boolean).join(' ') || undefined;
    const source = view.configured.raw.source;
    const age = view.lists?.cached ? ` (cached from ${new Date(view.lists.savedAt).toLocaleString()})` : '';
    return untrustedMarkdown(
      serverTooltipMarkdown({
        name: view.name,
        status: statusLabel(view.status),
        commandLine: this.redactor.redact(def.kind === 'stdio' ? describeDefinition(def) : redactUrl(def.url)),
        language: def.kind === 'stdio' ? 'shellscript' : 'text',
        cwd: def.kind === 'stdio' && def.cwd ? tildify(def.cwd) : undefined,
        pid: view.snapshot?.pid,
        uptime: view.snapshot?.startedAt && view.status === 'running' ? `${formatDuration(Date.now() - view.snapshot.startedAt)} (since ${new Date(view.snapshot.startedAt).toLocaleTimeString()})` : undefined,
        serverInfo: view.snapshot?.serverInfo,
        protocol: view.snapshot?.protocol && `MCP ${view.snapshot.protocol.version} (${view.snapshot.protocol.era === 'modern' ? '2026 era' : '2025 era'})`,
        legacyRestarts: view.snapshot?.legacyRestarts,
        recentCrashes: view.snapshot?.recentCrashes,
        stdoutNoiseLines: view.snapshot?.stdoutNoiseLines,
        lists: view.lists && `${view.lists.tools.length} tools, ${view.lists.resources.length} resources, ${view.lists.prompts.length} prompts${age}`,
        problem: problem && this.redactor.redact(problem),
        source: source.label,
        sourceFile: source.file && tildify(source.file),
        renamed: view.configured.renamed,
      }),
    );
  }

  private groupItem(node: Extract<ExplorerNode, { kind: 'group' }>): vscode.TreeItem {
    const view = this.servers.get(node.server);
    const count = view?.lists?.[node.group].length ?? 0;
    const label = node.group === 'tools' ? 'Tools' : node.group === 'resources' ? 'Resources' : 'Prompts';
    const item = new vscode.TreeItem(label, node.group === 'tools' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `server/${node.server}/${node.group}`;
    item.description = `${count}${view?.lists?.cached ? ' (cached)' : ''}`;
    item.iconPath = new vscode.ThemeIcon(node.group === 'tools' ? 'tools' : node.group === 'resources' ? 'files' : 'comment-discussion');
    item.contextValue = `group.${node.group}`;
    return item;
  }

  dispose(): void {
    this.store.dispose();
  }
}

export const lastValidVersionText = 'Configuration has errors — using the last valid version';

/** "Configuration has errors — using the last valid version: servers.echo.command: must be a string, got number." */
function configurationProblemText(view: ServerView): string | undefined {
  const issue = view.configured.configurationProblem;
  if (!issue) return undefined;
  return `${lastValidVersionText}: ${issue.path.length > 0 ? `${formatJsonPath(issue.path)}: ` : ''}${issue.message}.`;
}

/** A server running its last valid definition: says so, and opens the file at the error. */
function configurationProblemMessage(view: ServerView): ExplorerNode | undefined {
  const issue = view.configured.configurationProblem;
  if (!issue) return undefined;
  const file = view.configured.raw.source.file;
  // Our own command with the file and the error's range: no text of the file goes into it.
  const command: vscode.Command = file
    ? { title: 'Open Configuration', command: 'mcpSessions.openConfiguration', arguments: [file, { offset: issue.offset, length: issue.length }] }
    : { title: 'Open Configuration', command: 'mcpSessions.openConfiguration', arguments: [view.name] };
  return { kind: 'message', server: view.name, text: lastValidVersionText, icon: 'warning', tooltip: configurationProblemText(view), command };
}

/** The first child of a server that cannot show live lists: why, and what to do. */
function statusMessage(view: ServerView): ExplorerNode | undefined {
  const server = view.name;
  switch (view.status) {
    case 'untrusted':
      return {
        kind: 'message',
        server,
        text: 'Not started: the workspace is not trusted',
        icon: 'workspace-untrusted',
        tooltip: `Not started: ${view.message ?? 'the workspace is not trusted'}. It starts once you trust the workspace.`,
        command: { title: 'Manage Workspace Trust', command: 'workbench.trust.manage' },
      };
    case 'needs-input':
      return {
        kind: 'message',
        server,
        text: 'Start the server to enter its inputs',
        icon: 'key',
        command: { title: 'Start Server', command: 'mcpSessions.startServer', arguments: [server] },
      };
    case 'needs-sign-in':
      return {
        kind: 'message',
        server,
        text: 'Sign in to start this server',
        icon: 'account',
        tooltip: view.message,
        command: { title: 'Sign In', command: 'mcpSessions.signIn', arguments: [server] },
      };
    case 'invalid':
      return { kind: 'message', server, text: view.message ?? 'The configuration is invalid', icon: 'error', command: { title: 'Open Configuration', command: 'mcpSessions.openConfiguration', arguments: [server] } };
    case 'error':
      return { kind: 'message', server, text: view.message ?? 'Failed', icon: 'error', tooltip: view.message, command: { title: 'Show Logs', command: 'mcpSessions.showLogs', arguments: [server] } };
    case 'starting':
      return view.lists ? undefined : { kind: 'message', server, text: 'Starting…', icon: 'loading~spin' };
    case 'running':
      return view.lists ? undefined : { kind: 'message', server, text: 'Listing tools…', icon: 'loading~spin' };
    case 'stopped':
      return view.lists ? undefined : { kind: 'message', server, text: 'Stopped', icon: 'circle-outline', command: { title: 'Start Server', command: 'mcpSessions.startServer', arguments: [server] } };
    case 'stopping':
      return undefined;
  }
}

const toolUriScheme = 'mcp-sessions-tool';

function toolUri(server: string, tool: string): vscode.Uri {
  return vscode.Uri.from({ scheme: toolUriScheme, path: `/${encodeURIComponent(server)}/${encodeURIComponent(tool)}` });
}

/** Dims the label of a disabled tool (VS Code colours a tree item's label only through a file decoration). */
class DisabledToolDecorations implements vscode.FileDecorationProvider, Disposable {
  private readonly store = new DisposableStore();
  private readonly changeEmitter = this.store.add(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChangeFileDecorations = this.changeEmitter.event;

  constructor(private readonly switches: ToolSwitches) {
    this.store.add(switches.onDidChange(({ server, tool }) => this.changeEmitter.fire(toolUri(server, tool))));
  }

  dispose(): void {
    this.store.dispose();
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== toolUriScheme) return undefined;
    const [server, tool] = uri.path.slice(1).split('/').map(decodeURIComponent);
    return this.switches.isToolEnabled(server, tool) ? undefined : { color: new vscode.ThemeColor('disabledForeground'), tooltip: 'Disabled in this workspace' };
  }
}

/** Markdown built by itemText: never trusted, no theme icons (itemText.ts says why). */
export function untrustedMarkdown(markdown: string): vscode.MarkdownString {
  return new vscode.MarkdownString(markdown, false);
}

function itemFrom(text: TreeText, id: string): vscode.TreeItem {
  const item = new vscode.TreeItem(text.label, vscode.TreeItemCollapsibleState.None);
  item.id = id;
  item.description = text.description;
  item.tooltip = text.markdownTooltip === undefined ? text.tooltip : untrustedMarkdown(text.markdownTooltip);
  return item;
}

/**
 * A tool's row. Its contextValue is `tool`, then `.cached`, `.pinned`, `.disabled` as they
 * apply, in that order (package.json's menus match on it).
 */
function toolItem(node: Extract<ExplorerNode, { kind: 'tool' }>, redactor: SecretRedactor, state: { pinned: boolean; disabled: boolean }): vscode.TreeItem {
  const { tool } = node;
  // Redacted before it is escaped and cut for display: a server may echo a secret it was given.
  const text = toolTreeText(redactor.redactDeep(tool), node.cached);
  if (node.pinned) text.label = labelText(`${node.server}/${tool.name}`);
  if (state.disabled) text.description = ['disabled', text.description].filter(Boolean).join(' · ');
  const item = itemFrom(text, `${node.pinned ? 'pinned' : 'server'}/${node.server}/tools/${tool.name}`);
  item.iconPath = state.disabled
    ? new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground'))
    : new vscode.ThemeIcon(tool.annotations?.destructiveHint ? 'warning' : node.pinned ? 'pinned' : 'symbol-method');
  item.contextValue = `tool${node.cached ? '.cached' : ''}${state.pinned ? '.pinned' : ''}${state.disabled ? '.disabled' : ''}`;
  // Only a resource's label can be coloured (DisabledToolDecorations dims it); the label stays ours.
  item.resourceUri = toolUri(node.server, tool.name);
  item.command = { title: 'Call Tool…', command: 'mcpSessions.callTool', arguments: [node] };
  return item;
}

function resourceItem(node: Extract<ExplorerNode, { kind: 'resource' }>, redactor: SecretRedactor): vscode.TreeItem {
  const { resource } = node;
  const item = itemFrom(resourceTreeText(redactor.redactDeep(resource), node.cached), `server/${node.server}/resources/${resource.uri}`);
  item.iconPath = new vscode.ThemeIcon('file');
  item.contextValue = node.cached ? 'resource.cached' : 'resource';
  item.command = { title: 'Read Resource', command: 'mcpSessions.readResource', arguments: [node] };
  return item;
}

function resourceTemplateItem(node: Extract<ExplorerNode, { kind: 'resourceTemplate' }>, redactor: SecretRedactor): vscode.TreeItem {
  const { template } = node;
  const item = itemFrom(resourceTemplateTreeText(redactor.redactDeep(template)), `server/${node.server}/resourceTemplates/${template.uriTemplate}`);
  item.iconPath = new vscode.ThemeIcon('file-symlink-file');
  item.contextValue = 'resourceTemplate';
  item.command = { title: 'Read Resource…', command: 'mcpSessions.readResource', arguments: [node] };
  return item;
}

function promptItem(node: Extract<ExplorerNode, { kind: 'prompt' }>, redactor: SecretRedactor): vscode.TreeItem {
  const { prompt } = node;
  const item = itemFrom(promptTreeText(redactor.redactDeep(prompt), node.cached), `server/${node.server}/prompts/${prompt.name}`);
  item.iconPath = new vscode.ThemeIcon('comment-discussion');
  item.contextValue = node.cached ? 'prompt.cached' : 'prompt';
  item.command = { title: 'Get Prompt', command: 'mcpSessions.getPrompt', arguments: [node] };
  return item;
}

export function serverDescription(view: ServerView): string {
  const parts = [statusLabel(view.status)];
  if (view.lists) parts.push(`${view.lists.tools.length} tool${view.lists.tools.length === 1 ? '' : 's'}${view.lists.cached ? ' (cached)' : ''}`);
  if (view.configured.configurationProblem) parts.push('configuration has errors');
  return parts.join(' · ');
}

export function statusLabel(status: ServerStatus): string {
  switch (status) {
    case 'starting':
      return 'starting…';
    case 'stopping':
      return 'stopping…';
    case 'untrusted':
      return 'not trusted';
    case 'needs-input':
      return 'needs input';
    case 'needs-sign-in':
      return 'needs sign-in';
    case 'invalid':
      return 'invalid configuration';
    default:
      return status;
  }
}

function statusExplanation(view: ServerView): string | undefined {
  switch (view.status) {
    case 'error':
      return `Last error: ${view.message ?? 'unknown'}`;
    case 'invalid':
      return view.message;
    case 'untrusted':
      return `Not started: ${view.message ?? 'the workspace is not trusted'}. It starts once you trust the workspace.`;
    case 'needs-input':
      return 'Needs input values; they are asked for when you start it.';
    case 'needs-sign-in':
      return 'Needs you to sign in: use Sign In. It was not signed in to in the background.';
    default:
      return undefined;
  }
}

function contextState(status: ServerStatus): string {
  if (status === 'needs-input') return 'needsInput';
  return status === 'needs-sign-in' ? 'needsSignIn' : status;
}

export function statusIcon(status: ServerStatus): vscode.ThemeIcon {
  switch (status) {
    case 'running':
      return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('charts.green'));
    case 'starting':
    case 'stopping':
      return new vscode.ThemeIcon('loading~spin');
    case 'error':
    case 'invalid':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    case 'untrusted':
      return new vscode.ThemeIcon('workspace-untrusted');
    case 'needs-input':
      return new vscode.ThemeIcon('key');
    case 'needs-sign-in':
      return new vscode.ThemeIcon('account');
    case 'stopped':
      return new vscode.ThemeIcon('circle-large-outline');
  }
}

function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${m % 60}m`;
}

/** Servers are grouped by the file (or settings) that defines them. */
function sourceKey(view: ServerView): string {
  return view.configured.raw.source.file ?? view.configured.raw.source.label;
}

/** Everything a server's row and children show, to refresh only servers that changed. */
function shownState(view: ServerView, toolStates: unknown): string {
  const lists = view.lists && { tools: view.lists.tools, resources: view.lists.resources, prompts: view.lists.prompts, cached: view.lists.cached };
  return JSON.stringify([view.status, view.message, view.snapshot?.pid, view.configured.renamed, view.configured.rawFingerprint, lists, view.resourceTemplates, toolStates]);
}

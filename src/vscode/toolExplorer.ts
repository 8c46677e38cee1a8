// The Tool Explorer: servers → Tools / Resources / Prompts → items. Lists of an earlier
// session show at once, marked "cached", until the server lists them again. Expanding a
// stopped server starts it (the user expanded it) — from onDidExpandElement, never from
// getChildren, which VS Code also calls when it merely refreshes an expanded node.

import * as vscode from 'vscode';
import type { Prompt, Resource, Tool } from '../core/api';
import { formatJsonPath } from '../core/config';
import { describeDefinition, redactUrl, shownDefinition } from '../core/definitions';
import { labelText } from '../core/displayText';
import { DisposableStore, type Disposable } from '../core/lifecycle';
import type { Logger } from '../core/logger';
import { promptTreeText, resourceTreeText, serverTooltipMarkdown, toolTreeText, type TreeText } from './itemText';
import type { SecretRedactor } from '../core/redact';
import type { ServerService, ServerStatus, ServerView } from './servers';
import { tildify } from './configuration';

export type ExplorerNode =
  | { kind: 'server'; server: string }
  | { kind: 'group'; server: string; group: 'tools' | 'resources' | 'prompts' }
  | { kind: 'tool'; server: string; tool: Tool; cached: boolean }
  | { kind: 'resource'; server: string; resource: Resource; cached: boolean }
  | { kind: 'prompt'; server: string; prompt: Prompt; cached: boolean }
  | { kind: 'message'; server: string; text: string; icon: string; tooltip?: string; command?: vscode.Command };

export const toolExplorerViewId = 'mcpSessions.toolExplorer';

export class ToolExplorer implements vscode.TreeDataProvider<ExplorerNode>, Disposable {
  private readonly store = new DisposableStore();
  private readonly changeEmitter = this.store.add(new vscode.EventEmitter<ExplorerNode | undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly view: vscode.TreeView<ExplorerNode>;
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly servers: ServerService,
    private readonly redactor: SecretRedactor,
    private readonly logger: Logger,
  ) {
    this.view = this.store.add(vscode.window.createTreeView(toolExplorerViewId, { treeDataProvider: this, showCollapseAll: true }));
    this.store.add(this.view.onDidExpandElement((e) => this.onExpand(e.element)));
    this.store.add(servers.onDidChange(() => this.scheduleRefresh()));
    this.store.add({ dispose: () => clearTimeout(this.refreshTimer) });
  }

  /** Coalesces bursts of state and list events into one refresh. */
  private scheduleRefresh(): void {
    this.refreshTimer ??= setTimeout(() => {
      this.refreshTimer = undefined;
      this.changeEmitter.fire(undefined);
    }, 50);
  }

  private onExpand(node: ExplorerNode): void {
    if (node.kind !== 'server') return;
    const view = this.servers.get(node.server);
    if (view?.status !== 'stopped') return;
    this.servers.start(node.server, 'expanded in the Tool Explorer', false).catch((e) => {
      // The failure is the server's state now (error), shown in the tree and by the notifier.
      this.logger.debug(`Start on expand of "${node.server}" failed: ${(e as Error).message}`);
    });
  }

  getChildren(node?: ExplorerNode): ExplorerNode[] {
    if (!node) return this.servers.list().map((v) => ({ kind: 'server', server: v.name }));
    const view = this.servers.get(node.server);
    if (!view) return [];
    if (node.kind === 'server') return serverChildren(view);
    if (node.kind !== 'group' || !view.lists) return [];
    const cached = view.lists.cached;
    switch (node.group) {
      case 'tools':
        return view.lists.tools.map((tool) => ({ kind: 'tool', server: view.name, tool, cached }));
      case 'resources':
        return view.lists.resources.map((resource) => ({ kind: 'resource', server: view.name, resource, cached }));
      case 'prompts':
        return view.lists.prompts.map((prompt) => ({ kind: 'prompt', server: view.name, prompt, cached }));
    }
  }

  getTreeItem(node: ExplorerNode): vscode.TreeItem {
    switch (node.kind) {
      case 'server': {
        const view = this.servers.get(node.server);
        return view ? this.serverItem(view) : new vscode.TreeItem(labelText(node.server));
      }
      case 'group':
        return this.groupItem(node);
      case 'tool':
        return toolItem(node, this.redactor);
      case 'resource':
        return resourceItem(node, this.redactor);
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

  /** Recomputes the server tooltip on hover, so uptime is current. */
  resolveTreeItem(item: vscode.TreeItem, node: ExplorerNode): vscode.TreeItem {
    if (node.kind === 'server') {
      const view = this.servers.get(node.server);
      if (view) item.tooltip = this.serverTooltip(view);
    }
    return item;
  }

  getParent(node: ExplorerNode): ExplorerNode | undefined {
    if (node.kind === 'server') return undefined;
    if (node.kind === 'group' || node.kind === 'message') return { kind: 'server', server: node.server };
    const group = node.kind === 'tool' ? 'tools' : node.kind === 'resource' ? 'resources' : 'prompts';
    return { kind: 'group', server: node.server, group };
  }

  private serverItem(view: ServerView): vscode.TreeItem {
    const item = new vscode.TreeItem(labelText(view.name), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `server/${view.name}`;
    item.iconPath = statusIcon(view.status);
    item.description = serverDescription(view);
    item.tooltip = this.serverTooltip(view);
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
        uptime: view.snapshot?.startedAt && view.status === 'running' ? formatDuration(Date.now() - view.snapshot.startedAt) : undefined,
        serverInfo: view.snapshot?.serverInfo,
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

function serverChildren(view: ServerView): ExplorerNode[] {
  const nodes: ExplorerNode[] = [];
  const configurationNote = configurationProblemMessage(view);
  if (configurationNote) nodes.push(configurationNote);
  const note = statusMessage(view);
  if (note) nodes.push(note);
  if (view.lists) {
    nodes.push({ kind: 'group', server: view.name, group: 'tools' });
    if (view.lists.resources.length > 0) nodes.push({ kind: 'group', server: view.name, group: 'resources' });
    if (view.lists.prompts.length > 0) nodes.push({ kind: 'group', server: view.name, group: 'prompts' });
  }
  return nodes;
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

function toolItem(node: Extract<ExplorerNode, { kind: 'tool' }>, redactor: SecretRedactor): vscode.TreeItem {
  const { tool } = node;
  // Redacted before it is escaped and cut for display: a server may echo a secret it was given.
  const item = itemFrom(toolTreeText(redactor.redactDeep(tool), node.cached), `server/${node.server}/tools/${tool.name}`);
  item.iconPath = new vscode.ThemeIcon(tool.annotations?.destructiveHint ? 'warning' : 'symbol-method');
  item.contextValue = node.cached ? 'tool.cached' : 'tool';
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

function promptItem(node: Extract<ExplorerNode, { kind: 'prompt' }>, redactor: SecretRedactor): vscode.TreeItem {
  const { prompt } = node;
  const item = itemFrom(promptTreeText(redactor.redactDeep(prompt), node.cached), `server/${node.server}/prompts/${prompt.name}`);
  item.iconPath = new vscode.ThemeIcon('comment-discussion');
  item.contextValue = node.cached ? 'prompt.cached' : 'prompt';
  return item;
}

export function serverDescription(view: ServerView): string {
  const parts = [statusLabel(view.status)];
  if (view.lists) parts.push(`${view.lists.tools.length} tool${view.lists.tools.length === 1 ? '' : 's'}${view.lists.cached ? ' (cached)' : ''}`);
  if (view.configured.configurationProblem) parts.push('configuration has errors');
  parts.push(labelText(view.configured.sourceTag));
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

// The Call History view, under the Tool Explorer: one row per tool call made through the
// extension in this workspace, newest first (CallHistory keeps the last 500). Each row has
// Replay and Open in Form at hand, Copy Arguments and Pin Tool in its menu; the view's title
// has Show Call History (the quick pick) and Clear.
//
// Names, arguments and messages come from servers and from what was typed: they are shown
// through labelText (plain-string labels and tooltips) or markdownCodeBlock, never as Markdown.

import * as vscode from 'vscode';
import type { CallHistory, CallRecord } from '../core/callHistory';
import { labelText, markdownCodeBlock, markdownText } from '../core/displayText';
import { DisposableStore, type Disposable } from '../core/lifecycle';
import type { SecretRedactor } from '../core/redact';
import type { RenderedNode } from './api';
import { untrustedMarkdown } from './toolExplorer';

export const callHistoryViewId = 'mcpSessions.callHistory';

export class CallHistoryView implements vscode.TreeDataProvider<CallRecord>, Disposable {
  private readonly store = new DisposableStore();
  private readonly changeEmitter = this.store.add(new vscode.EventEmitter<undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;

  constructor(
    private readonly history: CallHistory,
    private readonly redactor: SecretRedactor,
  ) {
    this.store.add(vscode.window.createTreeView(callHistoryViewId, { treeDataProvider: this }));
    this.store.add(history.onDidChange(() => this.changeEmitter.fire(undefined)));
    void vscode.commands.executeCommand('setContext', 'mcpSessions.hasCallHistory', history.list().length > 0);
    this.store.add(history.onDidChange(() => void vscode.commands.executeCommand('setContext', 'mcpSessions.hasCallHistory', history.list().length > 0)));
  }

  getChildren(entry?: CallRecord): CallRecord[] {
    return entry ? [] : [...this.history.list()];
  }

  getTreeItem(entry: CallRecord): vscode.TreeItem {
    const item = new vscode.TreeItem(labelText(entry.tool), vscode.TreeItemCollapsibleState.None);
    item.id = `call/${entry.id}`;
    item.description = labelText(callDescription(entry));
    item.iconPath = outcomeIcon(entry);
    item.contextValue = 'callRecord';
    item.tooltip = untrustedMarkdown(callTooltipMarkdown(entry, this.redactor));
    item.accessibilityInformation = { label: labelText(`Call of ${entry.tool} on ${entry.server}, ${callDescription(entry)}`) };
    return item;
  }

  /** The view as shown, for the integration tests. */
  async render(): Promise<RenderedNode[]> {
    return this.getChildren().map((entry) => {
      const item = this.getTreeItem(entry);
      const tooltip = item.tooltip;
      return {
        label: typeof item.label === 'string' ? item.label : (item.label?.label ?? ''),
        description: typeof item.description === 'string' ? item.description : undefined,
        tooltip: typeof tooltip === 'string' ? tooltip : tooltip?.value,
        contextValue: item.contextValue,
        children: [],
      };
    });
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** "echo · ok · 12 ms · 14:03:22": the server, how it ended, how long it took, when. */
export function callDescription(entry: CallRecord): string {
  return `${entry.server} · ${outcomeLabel(entry)} · ${entry.durationMs} ms · ${new Date(entry.time).toLocaleTimeString()}`;
}

export function outcomeLabel(entry: CallRecord): string {
  switch (entry.outcome.kind) {
    case 'ok':
      return 'ok';
    case 'isError':
      return 'tool error';
    case 'failed':
      return entry.outcome.code === 'timeout' ? 'timed out' : entry.outcome.code === 'cancelled' ? 'cancelled' : 'failed';
  }
}

/** The arguments as one line of JSON, cut, for quick-pick details and descriptions. */
export function argumentsLine(entry: CallRecord, limit = 200): string {
  return entry.argumentsOmitted ? '(arguments too large to keep)' : labelText(JSON.stringify(entry.arguments), limit);
}

function outcomeIcon(entry: CallRecord): vscode.ThemeIcon {
  if (entry.outcome.kind === 'ok') return new vscode.ThemeIcon('pass', new vscode.ThemeColor('charts.green'));
  if (entry.outcome.kind === 'isError') return new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
  return new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
}

function callTooltipMarkdown(entry: CallRecord, redactor: SecretRedactor): string {
  const lines = [
    `**${markdownText(entry.tool)}** on **${markdownText(entry.server)}**`,
    '',
    markdownText(`${new Date(entry.time).toLocaleString()} · ${entry.durationMs} ms · ${outcomeLabel(entry)}`),
  ];
  // Redacted again: a secret the host learned after the call was recorded.
  if (entry.outcome.kind !== 'ok') lines.push('', markdownText(redactor.redact(entry.outcome.message), 500));
  if (entry.redacted.length > 0) lines.push('', markdownText(`${entry.redacted.length} value(s) were redacted; a replay asks for them.`));
  lines.push('', entry.argumentsOmitted ? markdownText('The arguments were too large to keep.') : markdownCodeBlock(JSON.stringify(redactor.redactDeep(entry.arguments), null, 2), 'json'));
  return lines.join('\n');
}

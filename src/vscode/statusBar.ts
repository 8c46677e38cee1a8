// "MCP n/m": running / configured servers. Warning background while a server is in error or
// runs its last valid definition because its configuration has errors;
// a click opens the server quick pick (mcpSessions.showServers).

import * as vscode from 'vscode';
import { DisposableStore, type Disposable } from '../core/lifecycle';
import { statusBarTooltipMarkdown } from './itemText';
import type { ServerService } from './servers';
import { statusLabel, untrustedMarkdown } from './toolExplorer';

export class ServerStatusBar implements Disposable {
  private readonly store = new DisposableStore();
  private readonly item: vscode.StatusBarItem;

  constructor(private readonly servers: ServerService) {
    this.item = this.store.add(vscode.window.createStatusBarItem('mcpSessions.status', vscode.StatusBarAlignment.Left, 10));
    this.item.name = 'MCP Sessions';
    this.item.command = 'mcpSessions.showServers';
    this.store.add(servers.onDidChange(() => this.update()));
    this.update();
  }

  private update(): void {
    const views = this.servers.list();
    if (views.length === 0) {
      this.item.hide();
      return;
    }
    const running = views.filter((v) => v.status === 'running').length;
    const failing = views.filter((v) => v.status === 'error' || v.status === 'invalid');
    const lastValid = views.filter((v) => v.configured.configurationProblem !== undefined).length;
    const busy = views.some((v) => v.status === 'starting' || v.status === 'stopping');
    this.item.text = `${busy ? '$(loading~spin)' : '$(server-process)'} MCP ${running}/${views.length}`;
    this.item.backgroundColor = failing.length > 0 || lastValid > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.tooltip = untrustedMarkdown(statusBarTooltipMarkdown(views.map((v) => ({ name: v.name, status: statusLabel(v.status) })), running, failing.length, lastValid));
    this.item.accessibilityInformation = {
      label: `MCP servers: ${running} of ${views.length} running${failing.length ? `, ${failing.length} in error` : ''}${lastValid ? `, ${lastValid} using the last valid configuration` : ''}`,
    };
    this.item.show();
  }

  /** For tests: what the item shows. */
  get state(): { text: string; warning: boolean; visible: boolean; tooltip: string } {
    const tooltip = typeof this.item.tooltip === 'string' ? this.item.tooltip : (this.item.tooltip?.value ?? '');
    return { text: this.item.text, warning: this.item.backgroundColor !== undefined, visible: this.servers.list().length > 0, tooltip };
  }

  dispose(): void {
    this.store.dispose();
  }
}

// Quick picks shared by commands: a server (with its state), a tool of a server (shown at
// once from the cache or the live list, busy while the server starts and lists).

import * as vscode from 'vscode';
import type { Tool } from '../core/api';
import { showMessage } from './messages';
import type { ServerService, ServerView } from './servers';
import { statusIcon, statusLabel } from './toolExplorer';

export async function pickServer(servers: ServerService, title: string, filter: (view: ServerView) => boolean = () => true): Promise<string | undefined> {
  const views = servers.list().filter(filter);
  if (views.length === 0) {
    void showMessage('information', servers.list().length === 0 ? 'No MCP servers are configured. Add one with "MCP Sessions: Add Server…".' : `No MCP server can be chosen for "${title}" right now.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    views.map((view) => ({
      label: view.name,
      iconPath: statusIcon(view.status),
      description: statusLabel(view.status) + (view.lists ? ` · ${view.lists.tools.length} tools` : ''),
      detail: view.message ? `${view.message}` : view.configured.raw.source.label,
    })),
    { title, placeHolder: 'Choose an MCP server', matchOnDescription: true },
  );
  return picked?.label;
}

/**
 * Picks a tool of `server`. The list shows cached tools at once; the live list replaces them
 * when the server has started (which this starts, since the user is about to call a tool).
 */
export async function pickTool(servers: ServerService, server: string): Promise<Tool | undefined> {
  const quickPick = vscode.window.createQuickPick<vscode.QuickPickItem & { tool: Tool }>();
  quickPick.title = `Call a tool on "${server}"`;
  quickPick.placeholder = 'Choose a tool';
  quickPick.matchOnDetail = true;
  const toItems = (tools: Tool[], cached: boolean) =>
    tools.map((tool) => ({ label: tool.name, description: cached ? '(cached)' : undefined, detail: tool.description?.split('\n', 1)[0], tool }));
  const cached = servers.get(server)?.lists;
  if (cached) quickPick.items = toItems(cached.tools, cached.cached);
  quickPick.busy = true;
  try {
    return await new Promise<Tool | undefined>((resolve, reject) => {
      quickPick.onDidAccept(() => {
        resolve(quickPick.selectedItems[0]?.tool);
        quickPick.hide();
      });
      quickPick.onDidHide(() => resolve(undefined));
      quickPick.show();
      servers.listTools(server, { interactive: true }).then(
        (tools) => {
          quickPick.items = toItems(tools, false);
          quickPick.busy = false;
        },
        (e) => {
          quickPick.hide();
          reject(e);
        },
      );
    });
  } finally {
    quickPick.dispose();
  }
}

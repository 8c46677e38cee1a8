// Quick picks shared by commands: a server (with its state), a tool of a server (shown at
// once from the cache or the live list, busy while the server starts and lists).

import * as vscode from 'vscode';
import type { Tool } from '../core/api';
import { iconLabelText } from '../core/displayText';
import { serverPickItem, toolPickItem } from './itemText';
import { showMessage } from './messages';
import type { ServerService, ServerView } from './servers';
import type { ToolPins, ToolSwitches } from '../core/toolPreferences';
import { statusIcon, statusLabel } from './toolExplorer';

export async function pickServer(servers: ServerService, title: string, filter: (view: ServerView) => boolean = () => true): Promise<string | undefined> {
  const views = servers.list().filter(filter);
  if (views.length === 0) {
    void showMessage('information', servers.list().length === 0 ? 'No MCP servers are configured. Add one with "MCP Sessions: Add Server…".' : `No MCP server can be chosen for "${title}" right now.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    views.map((view) => ({
      ...serverPickItem({ name: view.name, status: statusLabel(view.status), toolCount: view.lists?.tools.length, message: view.message, source: view.configured.raw.source.label }),
      iconPath: statusIcon(view.status),
    })),
    { title, placeHolder: 'Choose an MCP server', matchOnDescription: true },
  );
  return picked?.server;
}

/** The button on each tool of the tool pick that opens the tool's call form instead. */
function openFormButton(): vscode.QuickInputButton {
  return { iconPath: new vscode.ThemeIcon('preview'), tooltip: 'Open Form' };
}
/** What the tool pick honours: pinned tools come first, disabled ones are left out. */
export interface ToolPickPreferences {
  pins: ToolPins;
  switches: ToolSwitches;
}

type ToolItem = vscode.QuickPickItem & { tool?: Tool };

/** The items of the tool pick: pinned tools first (in pin order, under a separator), then the rest; no disabled tools. */
export function toolItems(server: string, tools: Tool[], cached: boolean, preferences?: ToolPickPreferences): ToolItem[] {
  const enabled = preferences ? tools.filter((tool) => preferences.switches.isToolEnabled(server, tool.name)) : tools;
  const pinned = preferences ? preferences.pins.list().flatMap((pin) => (pin.server === server ? enabled.filter((tool) => tool.name === pin.tool) : [])) : [];
  if (pinned.length === 0) return enabled.map((tool) => toolPickItem(tool, cached));
  const rest = enabled.filter((tool) => !pinned.includes(tool));
  return [
    { label: 'Pinned', kind: vscode.QuickPickItemKind.Separator },
    ...pinned.map((tool) => {
      const item = toolPickItem(tool, cached);
      return { ...item, description: ['pinned', item.description].filter(Boolean).join(' ') };
    }),
    { label: 'Tools', kind: vscode.QuickPickItemKind.Separator },
    ...rest.map((tool) => toolPickItem(tool, cached)),
  ];
}

/** The tool pick's items from the tools listed so far (for the tests). */
export function toolPickItems(servers: ServerService, server: string, preferences: ToolPickPreferences): ToolItem[] {
  const lists = servers.get(server)?.lists;
  return lists ? toolItems(server, lists.tools, lists.cached, preferences) : [];
}

/**
 * Picks a tool of `server`. The list shows cached tools at once; the live list replaces them
 * when the server has started (which this starts, since the user is about to call a tool).
 * With `onOpenForm`, each tool has an "Open Form" button: it ends the pick (undefined) and
 * hands over the tool.
 */
export async function pickTool(servers: ServerService, server: string, preferences?: ToolPickPreferences, onOpenForm?: (tool: Tool) => void): Promise<Tool | undefined> {
  const quickPick = vscode.window.createQuickPick<ToolItem>();
  quickPick.title = iconLabelText(`Call a tool on "${server}"`);
  quickPick.placeholder = 'Choose a tool';
  quickPick.matchOnDetail = true;
  const toItems = (tools: Tool[], cached: boolean) =>
    toolItems(server, tools, cached, preferences).map((item) => (item.tool && onOpenForm ? { ...item, buttons: [openFormButton()] } : item));
  const cached = servers.get(server)?.lists;
  if (cached) quickPick.items = toItems(cached.tools, cached.cached);
  quickPick.busy = true;
  try {
    return await new Promise<Tool | undefined>((resolve, reject) => {
      quickPick.onDidAccept(() => {
        resolve(quickPick.selectedItems[0]?.tool);
        quickPick.hide();
      });
      quickPick.onDidTriggerItemButton(({ item }) => {
        resolve(undefined);
        quickPick.hide();
        if (item.tool) onOpenForm?.(item.tool);
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

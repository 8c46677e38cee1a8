import * as vscode from 'vscode';
import { openConfigFile } from '../configFiles';
import { serverFromArgument, type CommandFactory } from './command';

/**
 * mcpSessions.openConfiguration(target?)
 *   a server (name or node) → its definition in its file (or the user setting);
 *   "mcp.json"             → .vscode/mcp.json of the first workspace folder, created if missing;
 *   an absolute path       → that file;
 *   nothing                → a quick pick of every configuration file and the user setting.
 */
export const openConfiguration: CommandFactory = (ctx) => async (arg?: unknown, range?: { offset: number; length: number }) => {
  const name = serverFromArgument(arg);
  const configured = name ? ctx.configuration.get(name) : undefined;
  if (configured) {
    const source = configured.raw.source;
    if (source.file) return openConfigFile(vscode.Uri.file(source.file), { jsonPath: source.jsonPath });
    return openUserSetting();
  }
  if (name === 'mcp.json') {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (folder) return openConfigFile(vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json'));
    return openUserSetting();
  }
  if (name?.startsWith('/') || (name && /^[a-zA-Z]:[\\/]/.test(name))) return openConfigFile(vscode.Uri.file(name), { range });

  const targets = ctx.configuration.configFileTargets();
  const picked = await vscode.window.showQuickPick(
    [
      ...targets.map((t) => ({ label: t.label, description: t.exists ? undefined : '(create)', detail: t.uri.fsPath, uri: t.uri })),
      { label: 'User settings', description: 'mcpSessions.servers', detail: undefined, uri: undefined },
    ],
    { title: 'Open MCP Configuration' },
  );
  if (!picked) return undefined;
  return picked.uri ? openConfigFile(picked.uri) : openUserSetting();
};

async function openUserSetting(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.openSettingsJson', { revealSetting: { key: 'mcpSessions.servers', edit: true } });
}

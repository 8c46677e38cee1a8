import * as vscode from 'vscode';
import { iconLabelText } from '../../core/displayText';
import { openConfigFile, readText } from '../configFiles';
import { confirmModal } from '../messages';
import { serverFromArgument, type CommandContext, type CommandFactory } from './command';

/**
 * mcpSessions.openConfiguration(target?)
 *   a server (name or node) → its definition in its file (or the user setting);
 *   "mcp.json"             → .vscode/mcp.json of the first workspace folder, created if missing;
 *   an absolute path       → that file, if it is an MCP configuration file (configFileTargets);
 *   nothing                → a quick pick of every configuration file and the user setting.
 * Arguments can come from a `command:` link: any other path is refused, and a file that does
 * not exist yet is created only after a modal dialog naming it.
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
    if (!folder) return openUserSetting();
    const uri = vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json');
    if (await mayCreate(ctx, uri)) return openConfigFile(uri);
    return undefined;
  }
  if (name?.startsWith('/') || (name && /^[a-zA-Z]:[\\/]/.test(name))) {
    const known = ctx.configuration.configFileTargets().find((t) => t.uri.fsPath === vscode.Uri.file(name).fsPath);
    if (!known) throw new Error(`"${name}" was not opened: it is not an MCP configuration file. Add it to mcpSessions.configFiles first.`);
    if (await mayCreate(ctx, known.uri)) return openConfigFile(known.uri, { range });
    return undefined;
  }

  const targets = ctx.configuration.configFileTargets();
  const picked = await vscode.window.showQuickPick(
    [
      ...targets.map((t) => ({ label: iconLabelText(t.label), description: t.exists ? undefined : '(create)', detail: iconLabelText(t.uri.fsPath), uri: t.uri })),
      { label: 'User settings', description: 'mcpSessions.servers', detail: undefined, uri: undefined },
    ],
    { title: 'Open MCP Configuration' },
  );
  if (!picked) return undefined;
  return picked.uri ? openConfigFile(picked.uri) : openUserSetting();
};

/** True when `uri` exists (opening writes nothing) or the user agreed to create it. */
async function mayCreate(ctx: CommandContext, uri: vscode.Uri): Promise<boolean> {
  if ((await readText(uri)) !== undefined) return true;
  ctx.log.info(`Asking before creating ${uri.fsPath} (requested by a command call)`);
  return confirmModal(`Create the MCP configuration file ${uri.fsPath}?`, 'Another extension or a link asks to create and open it.', 'Create File');
}

async function openUserSetting(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.openSettingsJson', { revealSetting: { key: 'mcpSessions.servers', edit: true } });
}

import { homedir } from 'node:os';
import { relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { resolveConfigFilePath } from '../../core/config';
import { existingConfigs, otherAppConfigs, type OtherAppConfig } from '../../core/discovery';
import { labelText } from '../../core/displayText';
import { showMessage } from '../messages';
import type { CommandFactory } from './command';

/** globalState key: the one-time offer was shown (whatever the answer). */
const offeredKey = 'mcpSessions.discovery.offered';

/** `~/…` for a file under the home folder, as mcpSessions.configFiles reads it; else the absolute path. */
function settingPath(path: string, home: string): string {
  const inHome = relative(home, path);
  return inHome && !inHome.startsWith('..') ? `~/${inHome.split(sep).join('/')}` : path;
}

/**
 * mcpSessions.importServers(options?: { apps: string[] }): checks which of the MCP configuration
 * files of Claude Desktop, Cursor, Windsurf and VS Code's user profile exist (their contents
 * are not read), lists them, and adds those the user picks to mcpSessions.configFiles in the
 * user settings, from where their servers are read. From code, `apps` picks without asking.
 * Resolves with the paths added.
 */
export const importServers: CommandFactory = (ctx) => async (options?: { apps?: unknown }) => {
  const home = homedir();
  const found = await existingConfigs(otherAppConfigs({ platform: process.platform, home, appData: process.env.APPDATA, xdgConfigHome: process.env.XDG_CONFIG_HOME }));
  const settings = vscode.workspace.getConfiguration('mcpSessions');
  const current = settings.inspect<string[]>('configFiles')?.globalValue ?? [];
  const listed = new Set(current.map((file) => resolveConfigFilePath(file, home, home)));
  const fresh = found.filter((config) => !listed.has(config.path));
  if (fresh.length === 0) {
    const message = found.length
      ? `The MCP configurations of ${found.map((c) => c.app).join(', ')} are already in mcpSessions.configFiles.`
      : 'No MCP configuration of Claude Desktop, Cursor, Windsurf or VS Code was found on this machine.';
    ctx.log.info(message);
    void showMessage('information', message);
    return [];
  }
  const apps = Array.isArray(options?.apps) ? options.apps : undefined;
  const picked: OtherAppConfig[] = apps
    ? fresh.filter((config) => apps.includes(config.app))
    : ((
        await vscode.window.showQuickPick(
          fresh.map((config) => ({ label: config.app, description: labelText(settingPath(config.path, home)), config })),
          { canPickMany: true, title: 'Import MCP Servers from Other Apps', placeHolder: 'Pick the configurations to read: they are added to mcpSessions.configFiles in your user settings' },
        )
      )?.map((item) => item.config) ?? []);
  if (picked.length === 0) return [];
  const added = picked.map((config) => settingPath(config.path, home));
  await settings.update('configFiles', [...current, ...added], vscode.ConfigurationTarget.Global);
  await ctx.configuration.reload('configuration files imported');
  const message = `Added ${picked.map((c) => c.app).join(', ')} to mcpSessions.configFiles: their servers are in the Tool Explorer.`;
  ctx.log.info(`${message} (${added.join(', ')})`);
  void showMessage('information', message);
  return picked.map((config) => config.path);
};

/**
 * Once per user (globalState), when no server is configured: offers to look for the servers of
 * other apps. Nothing is checked on the machine unless the user says yes.
 */
export async function offerImportOnce(state: vscode.Memento, hasServers: boolean): Promise<void> {
  if (hasServers || state.get<boolean>(offeredKey)) return;
  await state.update(offeredKey, true);
  const choice = await showMessage(
    'information',
    'No MCP servers are configured. Look for the MCP servers of Claude Desktop, Cursor, Windsurf and VS Code on this machine? You pick which ones are read.',
    'Look for Servers',
  );
  if (choice) await vscode.commands.executeCommand('mcpSessions.importServers');
}

// Where other apps keep their MCP server configurations, for "Import Servers from Other Apps…"
// (src/vscode/commands/importServers.ts). Only whether each file exists is checked here; a file
// is read only once the user has added it to mcpSessions.configFiles.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface OtherAppConfig {
  app: 'Claude Desktop' | 'Cursor' | 'Windsurf' | 'VS Code';
  /** Absolute path of the file. */
  path: string;
}

export interface PlatformFolders {
  platform: NodeJS.Platform;
  home: string;
  /** Windows: %APPDATA%. */
  appData?: string;
  /** Linux: $XDG_CONFIG_HOME, where Electron apps (Claude Desktop, VS Code) keep their settings. */
  xdgConfigHome?: string;
}

/** The configuration files of Claude Desktop, Cursor, Windsurf and VS Code's user profile on this platform. */
export function otherAppConfigs({ platform, home, appData, xdgConfigHome }: PlatformFolders): OtherAppConfig[] {
  const appSettings =
    platform === 'darwin'
      ? join(home, 'Library', 'Application Support')
      : platform === 'win32'
        ? (appData ?? join(home, 'AppData', 'Roaming'))
        : xdgConfigHome?.startsWith('/')
          ? xdgConfigHome
          : join(home, '.config');
  return [
    { app: 'Claude Desktop', path: join(appSettings, 'Claude', 'claude_desktop_config.json') },
    { app: 'Cursor', path: join(home, '.cursor', 'mcp.json') },
    { app: 'Windsurf', path: join(home, '.codeium', 'windsurf', 'mcp_config.json') },
    { app: 'VS Code', path: join(appSettings, 'Code', 'User', 'mcp.json') },
  ];
}

/** Those of `configs` that exist as files (checked, not read). */
export async function existingConfigs(configs: OtherAppConfig[]): Promise<OtherAppConfig[]> {
  const found = await Promise.all(configs.map(async (config) => ((await stat(config.path).catch(() => undefined))?.isFile() ? config : undefined)));
  return found.filter((config) => config !== undefined);
}

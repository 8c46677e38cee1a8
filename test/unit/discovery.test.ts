// Where "Import Servers from Other Apps…" looks, per platform, and that it checks existence only.
import * as assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existingConfigs, otherAppConfigs } from '../../src/core/discovery';

describe('discovery of other apps\' MCP configurations', () => {
  it('knows the files of Claude Desktop, Cursor, Windsurf and VS Code on Linux, macOS and Windows', () => {
    assert.deepEqual(otherAppConfigs({ platform: 'linux', home: '/home/ada' }), [
      { app: 'Claude Desktop', path: '/home/ada/.config/Claude/claude_desktop_config.json' },
      { app: 'Cursor', path: '/home/ada/.cursor/mcp.json' },
      { app: 'Windsurf', path: '/home/ada/.codeium/windsurf/mcp_config.json' },
      { app: 'VS Code', path: '/home/ada/.config/Code/User/mcp.json' },
    ]);
    assert.deepEqual(
      otherAppConfigs({ platform: 'linux', home: '/home/ada', xdgConfigHome: '/xdg' }).map((c) => c.path),
      ['/xdg/Claude/claude_desktop_config.json', '/home/ada/.cursor/mcp.json', '/home/ada/.codeium/windsurf/mcp_config.json', '/xdg/Code/User/mcp.json'],
    );
    // A relative XDG_CONFIG_HOME is invalid by the XDG spec and ignored.
    assert.equal(otherAppConfigs({ platform: 'linux', home: '/home/ada', xdgConfigHome: 'xdg' })[0].path, '/home/ada/.config/Claude/claude_desktop_config.json');
    assert.deepEqual(
      otherAppConfigs({ platform: 'darwin', home: '/Users/ada' }).map((c) => c.path),
      [
        '/Users/ada/Library/Application Support/Claude/claude_desktop_config.json',
        '/Users/ada/.cursor/mcp.json',
        '/Users/ada/.codeium/windsurf/mcp_config.json',
        '/Users/ada/Library/Application Support/Code/User/mcp.json',
      ],
    );
    const windows = otherAppConfigs({ platform: 'win32', home: '/c/Users/ada', appData: '/c/Users/ada/AppData/Roaming' }).map((c) => c.path);
    assert.equal(windows[0], join('/c/Users/ada/AppData/Roaming', 'Claude', 'claude_desktop_config.json'));
    assert.equal(windows[3], join('/c/Users/ada/AppData/Roaming', 'Code', 'User', 'mcp.json'));
  });

  it('finds the files that exist, without reading them', async () => {
    const home = mkdtempSync(join(tmpdir(), 'discovery-'));
    try {
      mkdirSync(join(home, '.cursor'));
      writeFileSync(join(home, '.cursor', 'mcp.json'), '{"mcpServers":{}}');
      chmodSync(join(home, '.cursor', 'mcp.json'), 0o000); // unreadable, still found: nothing reads it
      mkdirSync(join(home, '.codeium', 'windsurf', 'mcp_config.json'), { recursive: true }); // a folder, not a file
      const found = await existingConfigs(otherAppConfigs({ platform: 'linux', home }));
      assert.deepEqual(found, [{ app: 'Cursor', path: join(home, '.cursor', 'mcp.json') }]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

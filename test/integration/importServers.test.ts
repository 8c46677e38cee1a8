// "Import Servers from Other Apps…" in the real extension host: a Claude Desktop configuration in
// the host's XDG_CONFIG_HOME (the test runner gives each run its own) is found, added to
// mcpSessions.configFiles, and its server appears. Cursor and Windsurf live under the real home
// folder, which the runner does not change: test/unit/discovery.test.ts covers their paths.
import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { extensionApi, server, type Api } from './api';
import { eventually, stdioFixture } from '../support/processes';

const config = () => vscode.workspace.getConfiguration('mcpSessions');

describe('import servers from other apps', function () {
  this.timeout(60_000);
  let api: Api;
  const xdgConfigHome = process.env.XDG_CONFIG_HOME ?? '';
  const claudeDir = join(xdgConfigHome, 'Claude');
  const claudeConfig = join(claudeDir, 'claude_desktop_config.json');

  before(async () => {
    assert.ok(xdgConfigHome.startsWith('/'), 'the test runner sets XDG_CONFIG_HOME to its run folder');
    api = await extensionApi();
    mkdirSync(claudeDir, { recursive: true });
    writeFileSync(claudeConfig, JSON.stringify({ mcpServers: { 'from-claude': { command: 'node', args: [stdioFixture] } } }));
  });

  after(async () => {
    await config().update('configFiles', undefined, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
    rmSync(claudeDir, { recursive: true, force: true });
  });

  it('adds the Claude Desktop configuration it found to mcpSessions.configFiles, and its servers appear', async () => {
    assert.equal(server(api, 'from-claude'), undefined);
    const added = await vscode.commands.executeCommand<string[]>('mcpSessions.importServers', { apps: ['Claude Desktop'] });
    assert.deepEqual(added, [claudeConfig]);
    assert.equal(config().inspect<string[]>('configFiles')?.globalValue?.length, 1);
    await eventually(() => server(api, 'from-claude'), 10_000, 'the imported server');

    const again = await vscode.commands.executeCommand<string[]>('mcpSessions.importServers', { apps: ['Claude Desktop'] });
    assert.deepEqual(again, [], 'a file already in mcpSessions.configFiles is not offered again');
  });
});

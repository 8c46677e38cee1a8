// Activation, contributions and command registration, in the real extension host.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { McpSessionsApi, TestingApi } from '../../src/vscode/api';
import { repoRoot } from '../support/paths';

const extensionId = 'mcp-session-manager.mcp-session-manager';
/** The parts of package.json these tests read. */
interface Manifest {
  contributes: {
    commands: { command: string; title: string; category: string }[];
    viewsContainers: { activitybar: { id: string; title: string }[] };
    views: Record<string, { name: string }[]>;
    menus: Record<string, { command: string; when: string }[]>;
  };
  capabilities: { untrustedWorkspaces: { supported: string } };
}
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Manifest;

async function extensionApi(): Promise<McpSessionsApi & { testing: TestingApi }> {
  const extension = vscode.extensions.getExtension<McpSessionsApi>(extensionId);
  assert.ok(extension, `${extensionId} is loaded`);
  const api = await extension.activate();
  assert.ok(api.testing, 'the testing API is there in test mode');
  await api.testing.reloadConfiguration();
  return api as McpSessionsApi & { testing: TestingApi };
}

describe('activation', () => {
  it('runs as a workspace extension and activates quickly without starting any server', async () => {
    const api = await extensionApi();
    assert.equal(vscode.extensions.getExtension(extensionId)!.extensionKind, vscode.ExtensionKind.Workspace);
    const activated = /Activated in ([\d.]+) ms/.exec(api.testing.logText());
    assert.ok(activated, 'activation logs its duration');
    assert.ok(Number(activated[1]) < 1000, `activation took ${activated[1]} ms`);
    const states = Object.fromEntries(api.listServers().map((s) => [s.name, s.state]));
    assert.deepEqual(states, { echo: 'stopped', other: 'stopped', secret: 'needs-input', broken: 'stopped' });
  });

  it('registers every contributed command once, and only those', async () => {
    await extensionApi();
    // VS Code adds mcpSessions.toolExplorer.focus and the like for each view itself.
    const views = manifest.contributes.views.mcpSessions.map((v) => `${(v as { id?: string }).id}.`);
    const registered = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('mcpSessions.') && !views.some((view) => c.startsWith(view)));
    const contributed = manifest.contributes.commands.map((c) => c.command);
    assert.deepEqual([...registered].sort(), [...contributed].sort());
    assert.equal(new Set(registered).size, registered.length, 'no command is registered twice');
  });

  it('contributes the view container, the Tool Explorer and the commands the UI test drives', () => {
    const container = manifest.contributes.viewsContainers.activitybar[0];
    assert.equal(container.title, 'MCP Sessions');
    assert.equal(manifest.contributes.views[container.id][0].name, 'Tool Explorer');
    const callTool = manifest.contributes.commands.find((c) => c.command === 'mcpSessions.callTool');
    assert.ok(callTool);
    assert.equal(`${callTool.category}: ${callTool.title}`, 'MCP Sessions: Call Tool…');
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    // Item-only commands are hidden from the palette.
    const hidden = manifest.contributes.menus.commandPalette.filter((m) => m.when === 'false').map((m) => m.command);
    assert.deepEqual(hidden.sort(), [
      'mcpSessions.copyCallArguments',
      'mcpSessions.copyCommandLine',
      'mcpSessions.disableTool',
      'mcpSessions.enableTool',
      'mcpSessions.openCallInForm',
      'mcpSessions.pinTool',
      'mcpSessions.replayCall',
      'mcpSessions.unpinTool',
    ]);
  });

  it('shows "MCP running/configured" in the status bar', async () => {
    const api = await extensionApi();
    const running = api.listServers().filter((s) => s.state === 'running').length;
    const status = api.testing.statusBar();
    assert.equal(status.visible, true);
    assert.match(status.text, new RegExp(`MCP ${running}/4$`));
  });
});

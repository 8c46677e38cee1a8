// Text from servers and workspace files reaches notifications and progress as plain text: VS
// Code turns `[label](command:…)` there into a link that runs the command. And commands that
// write configuration or files, called with arguments (by another extension or a `command:`
// link), write nothing without a modal consent — which the test host refuses, as a user may.
//
// Named to run after the servers suite: its failures open a notification burst (notifier.ts), which would
// silence the background-failure notification that suite counts.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { extensionApi, server, serverRow, serverRows, type Api } from './api';
import { eventually, stdioFixture } from '../support/processes';

// VS Code's linkedText pattern (src/vs/base/common/linkedText.ts): what notifications turn into links.
const vscodeLink = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/i;
const hostileKey = 'evil[click me](command:workbench.action.openSettings)';

function assertPlain(text: string, words: string): void {
  assert.ok(text.includes(words), `"${words}" is shown: ${text}`);
  assert.ok(text.includes('command:workbench.action.openSettings'), `the link target is shown as text: ${text}`);
  assert.doesNotMatch(text, vscodeLink, 'no live link');
}

describe('hostile text and argument calls', function () {
  this.timeout(60_000);
  let api: Api;
  const mcpJson = join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.vscode', 'mcp.json');
  const original = readFileSync(mcpJson, 'utf8');
  const tempDir = mkdtempSync(join(tmpdir(), 'mcp-sessions-hostile-test-'));
  const config = () => vscode.workspace.getConfiguration('mcpSessions');
  const newMessage = async (since: number, find: (text: string) => boolean, what: string) =>
    eventually(() => api.testing.shownMessages().slice(since).find(find), 15_000, what);

  before(async () => {
    api = await extensionApi();
    await config().update('servers', { hostile: { command: 'node', args: [stdioFixture, '--hostile'] } }, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
    await vscode.commands.executeCommand('mcpSessions.startServer', 'hostile');
  });

  after(async () => {
    await vscode.commands.executeCommand('mcpSessions.stopServer', 'hostile');
    if (readFileSync(mcpJson, 'utf8') !== original) writeFileSync(mcpJson, original);
    await config().update('servers', undefined, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
    rmSync(tempDir, { recursive: true, force: true });
  });

  it('a server key with a command link shows in the configuration warning as plain text', async () => {
    const before = api.testing.shownMessages().length;
    writeFileSync(mcpJson, original.replace('"servers": {', `"servers": {\n    ${JSON.stringify(hostileKey)}: { "type": "stdio", "args": [1] },`));
    const warning = await newMessage(before, (m) => m.startsWith('The MCP configuration'), 'the configuration warning');
    assertPlain(warning, 'click me');
    assert.ok(api.testing.notifications().includes(warning), 'the notifier showed that text');
    writeFileSync(mcpJson, original);
    await api.testing.reloadConfiguration();
  });

  it("a tool's isError text, a JSON-RPC error message and a progress message show as plain text", async () => {
    const node = { kind: 'server', server: 'hostile' };
    let before = api.testing.shownMessages().length;
    // Called from the UI (a node, not a name), failures are notified. The isError notification
    // waits for its "Show Result" answer, so the command is not awaited.
    void vscode.commands.executeCommand('mcpSessions.callTool', node, 'hostile_error', {}, { showResult: false });
    assertPlain(await newMessage(before, (m) => m.includes('Denied'), 'the isError notification'), 'Denied. [Open settings]');

    before = api.testing.shownMessages().length;
    await vscode.commands.executeCommand('mcpSessions.callTool', node, 'hostile_throw', {}, { showResult: false });
    assertPlain(await newMessage(before, (m) => m.includes('Refused'), 'the JSON-RPC error notification'), 'Refused. [Open settings]');

    before = api.testing.shownMessages().length;
    await vscode.commands.executeCommand('mcpSessions.callTool', node, 'hostile_progress', {}, { showResult: false });
    assertPlain(await newMessage(before, (m) => m.includes('Working'), 'the progress message'), 'Working. [Open settings]');
  });

  it('tool descriptions in the Tool Explorer keep no link or icon syntax', async () => {
    await eventually(() => (server(api, 'hostile')?.tools.length ?? 0) > 9 || undefined, 15_000, 'the hostile tools to be listed');
    const tree = await api.testing.renderTree();
    const tool = serverRow(tree, 'hostile')!.children.find((n) => n.label === 'Tools')!.children.find((n) => n.label === 'hostile_error')!;
    assert.ok(tool.description?.includes('Open settings'), tool.description);
    assert.doesNotMatch(tool.tooltip ?? '', /\[Open settings\]\(command:/, 'the tooltip escapes the link');
    assert.doesNotMatch(tool.tooltip ?? '', /(^|[^\\])\$\(alert\)/, 'the tooltip escapes the icon');
  });

  it('a server name and command line from configuration show as plain text in the tree', async () => {
    const spoof = 'spoof\u202eeman [x](command:workbench.action.openSettings)';
    await config().update(
      'servers',
      { hostile: { command: 'node', args: [stdioFixture, '--hostile'] }, [spoof]: { command: 'node', args: [stdioFixture, '--note=```\n[docs](https://e.example)'] } },
      vscode.ConfigurationTarget.Global,
    );
    await api.testing.reloadConfiguration();
    const node = serverRows(await api.testing.renderTree()).find((n) => n.label.startsWith('spoof'))!;
    assert.equal(node.label, 'spoofeman [x](command:workbench.action.openSettings)', 'no bidi control in the label');
    assert.match(node.tooltip ?? '', /^````shellscript\n.*--note=```\\n\[docs\]\(https:\/\/e\.example\).*\n````$/m, 'the command line stays in its code block');
    assert.doesNotMatch(node.tooltip ?? '', /\u202e/);
  });

  it('addServer called with arguments writes nothing without consent, and only to known locations', async () => {
    const userServers = JSON.stringify(config().inspect('servers')?.globalValue);
    const request = { name: 'injected', type: 'stdio', command: 'node', args: ['-e', '1'] };
    assert.equal(await vscode.commands.executeCommand('mcpSessions.addServer', { ...request, target: 'user' }), undefined);
    assert.equal(await vscode.commands.executeCommand('mcpSessions.addServer', { ...request, target: mcpJson }), undefined);
    const elsewhere = join(tempDir, 'elsewhere.json');
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('mcpSessions.addServer', { ...request, target: elsewhere })),
      /is not an MCP configuration location/,
    );
    assert.equal(JSON.stringify(config().inspect('servers')?.globalValue), userServers, 'the user setting is unchanged');
    assert.equal(readFileSync(mcpJson, 'utf8'), original, 'mcp.json is unchanged');
    assert.equal(existsSync(elsewhere), false);
    assert.equal(server(api, 'injected'), undefined);
    assert.ok(api.testing.shownMessages().some((m) => m.startsWith('Add the MCP server "injected" to your user settings')), 'the user was asked');
  });

  it('openConfiguration called with a path creates nothing without consent, and opens only configuration files', async () => {
    const elsewhere = join(tempDir, 'created-by-a-link.json');
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('mcpSessions.openConfiguration', elsewhere)), /not an MCP configuration file/);
    assert.equal(existsSync(elsewhere), false);

    const listed = join(tempDir, 'listed.json');
    await config().update('configFiles', [listed], vscode.ConfigurationTarget.Global);
    try {
      await api.testing.reloadConfiguration();
      await vscode.commands.executeCommand('mcpSessions.openConfiguration', listed);
      assert.equal(existsSync(listed), false, 'a listed file that does not exist is created only with consent');
    } finally {
      await config().update('configFiles', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});

// Configuration sources, watching and reconciling, diagnostics and name clashes.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { isProcessAlive } from '../../src/core/processTree';
import { extensionApi, markdownAsRead, server, serverRow, type Api } from './api';
import { fixturesDir } from '../support/paths';
import { eventually } from '../support/processes';


async function runningPid(api: Api, name: string, not?: number): Promise<number> {
  return eventually(() => {
    const s = server(api, name);
    return s?.state === 'running' && s.pid !== undefined && s.pid !== not ? s.pid : undefined;
  }, 15_000, `"${name}" running${not ? ` with a pid other than ${not}` : ''}`);
}

const fixtureServer = join(fixturesDir, 'stdio-server.mjs');

describe('configuration', function () {
  this.timeout(60_000);
  let api: Api;
  const mcpJson = join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.vscode', 'mcp.json');
  const original = readFileSync(mcpJson, 'utf8');
  const tempDir = mkdtempSync(join(tmpdir(), 'mcp-sessions-config-test-'));

  before(async () => {
    api = await extensionApi();
  });

  afterEach(async () => {
    if (readFileSync(mcpJson, 'utf8') !== original) writeFileSync(mcpJson, original);
    const config = vscode.workspace.getConfiguration('mcpSessions');
    await config.update('configFiles', undefined, vscode.ConfigurationTarget.Global);
    await config.update('servers', undefined, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
  });

  after(async () => {
    await vscode.commands.executeCommand('mcpSessions.stopServer', 'echo');
    await vscode.commands.executeCommand('mcpSessions.stopServer', 'other');
    rmSync(tempDir, { recursive: true, force: true });
  });

  it('editing mcp.json restarts only the server whose definition changed', async () => {
    await vscode.commands.executeCommand('mcpSessions.startServer', 'echo');
    await vscode.commands.executeCommand('mcpSessions.startServer', 'other');
    const echoPid = await runningPid(api, 'echo');
    const otherPid = await runningPid(api, 'other');
    await eventually(() => server(api, 'other')!.tools.length === 11 || undefined, 10_000, 'other to list 9 + 2 tools');

    // Saved to disk, as an editor would: the file watcher picks it up.
    writeFileSync(mcpJson, original.replace('"--tools=2"', '"--tools=3"'));
    const newOtherPid = await runningPid(api, 'other', otherPid);
    await eventually(() => server(api, 'other')!.tools.length === 12 || undefined, 10_000, 'other to list 9 + 3 tools');
    await eventually(() => !isProcessAlive(otherPid), 3000, 'the old "other" process to be gone');
    assert.equal(server(api, 'echo')!.pid, echoPid, 'echo was not restarted');
    assert.ok(isProcessAlive(echoPid));
    assert.ok(isProcessAlive(newOtherPid));
  });

  it('an invalid server becomes a diagnostic on mcp.json and one warning, while valid servers keep running', async () => {
    await vscode.commands.executeCommand('mcpSessions.startServer', 'echo');
    const echoPid = await runningPid(api, 'echo');
    const warningsBefore = api.testing.notifications().filter((n) => n.startsWith('The MCP configuration')).length;
    const broken = original.replace('"servers": {', '"servers": {\n    "bad": { "type": "stdio", "args": [1] },');
    writeFileSync(mcpJson, broken);
    const uri = vscode.Uri.file(mcpJson);
    const diagnostics = await eventually(() => {
      const found = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'MCP Sessions');
      return found.length > 0 ? found : undefined;
    }, 10_000, 'diagnostics on mcp.json');
    const badLine = broken.split('\n').findIndex((l) => l.includes('"bad"'));
    const warnings = () => api.testing.notifications().filter((n) => n.startsWith('The MCP configuration'));
    const warned = await eventually(() => (warnings().length > warningsBefore ? warnings().slice(warningsBefore) : undefined), 5000, 'the warning');
    assert.equal(warned.length, 1);
    assert.match(warned[0], /mcp\.json has an error: servers\.bad: "command" is required/);
    // Saving again with the same problems does not warn again.
    writeFileSync(mcpJson, broken + '\n');
    await api.testing.reloadConfiguration();
    assert.equal(warnings().length - warningsBefore, 1);
    assert.ok(diagnostics.some((d) => d.severity === vscode.DiagnosticSeverity.Error && d.range.start.line === badLine), 'an error on the "bad" server\'s line');
    assert.ok(diagnostics.some((d) => /"command" is required/.test(d.message)));
    assert.equal(server(api, 'bad')?.state, 'invalid', 'the invalid server is listed, not dropped');
    assert.equal(server(api, 'echo')!.pid, echoPid, 'echo kept running');

    writeFileSync(mcpJson, original);
    await eventually(() => vscode.languages.getDiagnostics(uri).length === 0 || undefined, 10_000, 'diagnostics to clear once fixed');
  });

  it('reads mcpSessions.configFiles (mcpServers format) and the user setting, shows sources and renames the workspace\'s server on a clash', async () => {
    const claudeFile = join(tempDir, 'claude_desktop_config.json');
    writeFileSync(claudeFile, JSON.stringify({ mcpServers: { echo: { command: 'node', args: [fixtureServer] }, 'from-file': { command: 'node', args: [fixtureServer] } } }));
    const config = vscode.workspace.getConfiguration('mcpSessions');
    await config.update('configFiles', [claudeFile], vscode.ConfigurationTarget.Global);
    await config.update('servers', { 'from-settings': { command: 'node', args: [fixtureServer] } }, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();

    // The user's own file keeps the name; the workspace's server is the one renamed.
    const names = api.listServers().map((s) => s.name);
    assert.deepEqual(names, ['echo (workspace)', 'other', 'secret', 'broken', 'from-settings', 'echo', 'from-file']);
    assert.equal(server(api, 'from-settings')!.source, 'user settings (mcpSessions.servers)');
    assert.match(server(api, 'from-file')!.source, /claude_desktop_config\.json$/);
    assert.match(server(api, 'echo')!.source, /claude_desktop_config\.json$/);
    assert.equal(server(api, 'echo (workspace)')!.source, 'workspace (.vscode/mcp.json)');
    const renamed = serverRow(await api.testing.renderTree(), 'echo (workspace)')!;
    assert.match(renamed.tooltip ?? '', /also defined in .*claude.*desktop.*config.*json/);

    // The renamed server is a server of its own.
    const result = (await vscode.commands.executeCommand('mcpSessions.callTool', 'echo (workspace)', 'echo', { text: 'from the workspace' }, { showResult: false })) as {
      content: { text: string }[];
    };
    assert.equal(result.content[0].text, 'from the workspace');
    await vscode.commands.executeCommand('mcpSessions.stopServer', 'echo (workspace)');
  });

  it('a syntax error in a config file is a diagnostic on that file; the file\'s servers are not used', async () => {
    const file = join(tempDir, 'broken.json');
    writeFileSync(file, '{ "mcpServers": { "x": { "command": "node", } ');
    await vscode.workspace.getConfiguration('mcpSessions').update('configFiles', [file], vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
    const diagnostics = vscode.languages.getDiagnostics(vscode.Uri.file(file));
    assert.ok(diagnostics.length > 0, 'the broken file has diagnostics');
    assert.equal(diagnostics[0].severity, vscode.DiagnosticSeverity.Error);
    assert.equal(server(api, 'x'), undefined);
    assert.ok(server(api, 'echo'), 'the workspace servers are still there');
  });

  it('a file nested 10,000 levels deep is one diagnostic; the servers of every other source stay', async () => {
    const deep = join(tempDir, 'deep.json');
    writeFileSync(deep, `{ "mcpServers": { "deep-x": { "command": "node" } }, "x": ${'['.repeat(10_000)}${']'.repeat(10_000)} }`);
    const withBom = join(tempDir, 'bom.json');
    writeFileSync(withBom, `\ufeff${JSON.stringify({ mcpServers: { 'from-bom': { command: 'node', args: [fixtureServer] } } })}`);
    const config = vscode.workspace.getConfiguration('mcpSessions');
    await config.update('configFiles', [deep, withBom], vscode.ConfigurationTarget.Global);
    await config.update('servers', { 'from-settings': { command: 'node', args: [fixtureServer] } }, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();

    const names = api.listServers().map((s) => s.name);
    for (const name of ['echo', 'from-settings', 'from-bom']) assert.ok(names.includes(name), `${name} is listed: ${names.join(', ')}`);
    assert.ok(!names.includes('deep-x'));
    const diagnostics = vscode.languages.getDiagnostics(vscode.Uri.file(deep));
    assert.equal(diagnostics.length, 1);
    assert.match(diagnostics[0].message, /nested more than 100 levels deep/);
    assert.equal(diagnostics[0].range.start.line, 0);
    assert.deepEqual(vscode.languages.getDiagnostics(vscode.Uri.file(withBom)), []);
  });

  it('a second "servers" key in mcp.json is a warning on that key', async () => {
    writeFileSync(mcpJson, original.replace(/\n}\s*$/, ',\n  "servers": { "shadowed": { "command": "node" } }\n}\n'));
    const uri = vscode.Uri.file(mcpJson);
    const warning = await eventually(() => vscode.languages.getDiagnostics(uri).find((d) => /duplicate key "servers"/.test(d.message)), 10_000, 'the duplicate-key warning');
    assert.equal(warning.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(server(api, 'shadowed'), undefined);
    assert.ok(server(api, 'echo'));
  });

  it('cached tool lists show before a server starts again', async () => {
    const definition = { command: 'node', args: [fixtureServer, '--tools=1'] };
    const config = vscode.workspace.getConfiguration('mcpSessions');
    await config.update('servers', { cached: definition }, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
    await vscode.commands.executeCommand('mcpSessions.startServer', 'cached');
    await eventually(() => server(api, 'cached')?.tools.length === 10 || undefined, 15_000, 'the live tools of "cached"');

    // Removing it ends its session; adding it back makes a new one that has listed nothing yet.
    await config.update('servers', undefined, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
    assert.equal(server(api, 'cached'), undefined);
    await config.update('servers', { cached: definition }, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
    const cached = server(api, 'cached')!;
    assert.equal(cached.state, 'stopped');
    assert.equal(cached.toolsCached, true);
    assert.equal(cached.tools.length, 10);
    const node = serverRow(await api.testing.renderTree(), 'cached')!;
    assert.match(node.description ?? '', /10 tools \(cached\)/);
  });

  describe('while mcp.json is being edited', () => {
    const uri = vscode.Uri.file(mcpJson);
    const configWarnings = () => api.testing.notifications().filter((n) => n.startsWith('The MCP configuration'));
    const ourErrors = () => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'MCP Sessions' && d.severity === vscode.DiagnosticSeverity.Error);
    const treeNode = async (name: string) => (await api.testing.renderTree()).find((n) => n.label === name);
    const marker = /Configuration has errors — using the last valid version/;

    /** Saves `text` as an editor would and waits until the extension has read it. */
    async function save(text: string, errors: 'errors' | 'no errors'): Promise<void> {
      writeFileSync(mcpJson, text);
      await eventually(() => ((ourErrors().length > 0) === (errors === 'errors') ? true : undefined), 10_000, `mcp.json to have ${errors}`);
      await api.testing.reloadConfiguration();
    }

    async function startEchoAndOther(): Promise<{ echo: number; other: number }> {
      await vscode.commands.executeCommand('mcpSessions.startServer', 'echo');
      await vscode.commands.executeCommand('mcpSessions.startServer', 'other');
      return { echo: await runningPid(api, 'echo'), other: await runningPid(api, 'other') };
    }

    function assertStillRunning(pids: { echo: number; other: number }, when: string): void {
      for (const [name, pid] of Object.entries(pids)) {
        const info = server(api, name);
        assert.equal(info?.state, 'running', `${name} is running ${when}`);
        assert.equal(info?.pid, pid, `${name} kept its process ${when}`);
        assert.ok(isProcessAlive(pid), `${name}'s process is alive ${when}`);
      }
    }

    it('a saved syntax error stops nothing: same processes, the tree keeps every server, marked, with the error one click away', async () => {
      const pids = await startEchoAndOther();
      const names = api.listServers().map((s) => s.name);
      const warningsBefore = configWarnings().length;

      await save(original.replace('"servers": {', '"servers": { oops,'), 'errors');
      assertStillRunning(pids, 'after a syntax error');
      assert.deepEqual(api.listServers().map((s) => s.name), names, 'every server is still listed');
      const echo = (await treeNode('echo'))!;
      assert.match(echo.description ?? '', /configuration has errors/);
      assert.match(markdownAsRead(echo.tooltip), marker);
      assert.match(markdownAsRead(echo.tooltip), /invalid symbol \(line \d+, column \d+\)/);
      const note = echo.children.find((c) => marker.test(c.label));
      assert.ok(note, `a child row says so: ${echo.children.map((c) => c.label).join(' | ')}`);
      assert.equal(note.command, 'mcpSessions.openConfiguration');
      assert.match(api.testing.statusBar().tooltip, /The configuration has errors: 4 servers use their last valid version/);
      assert.equal(api.testing.statusBar().warning, true);
      await eventually(() => (configWarnings().length === warningsBefore + 1 ? true : undefined), 5000, 'one warning');
      assert.match(configWarnings().at(-1)!, /has an error: invalid symbol .*Running servers keep their last valid definition/);

      // The child row opens the file at the error.
      await note.click!();
      const editor = await eventually(() => (vscode.window.activeTextEditor?.document.uri.fsPath === mcpJson ? vscode.window.activeTextEditor : undefined), 5000, 'mcp.json to open');
      assert.equal(editor.document.getText(editor.selection), 'oops');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

      // More broken saves while typing: no process, no new warning.
      await save(original.replace('"servers": {', '"servers": { oops, "x": ,'), 'errors');
      assertStillRunning(pids, 'after a second broken save');
      assert.equal(configWarnings().length, warningsBefore + 1, 'no second warning for a source already reported');

      // Fixed: the same processes, and no trace of the problem in the tree or the status bar.
      await save(original, 'no errors');
      assertStillRunning(pids, 'after the fix');
      const fixed = (await treeNode('echo'))!;
      assert.doesNotMatch(fixed.description ?? '', /configuration has errors/);
      assert.doesNotMatch(markdownAsRead(fixed.tooltip), marker);
      assert.ok(!fixed.children.some((c) => marker.test(c.label)));
      assert.doesNotMatch(api.testing.statusBar().tooltip, /configuration has errors/);
      assert.equal(configWarnings().length, warningsBefore + 1);
    });

    it('an invalid entry keeps its last valid definition running, and fixing it keeps the process', async () => {
      const pids = await startEchoAndOther();
      const echoEntry = /("echo": \{\s*"type": "stdio",\s*"command": )"node"/;
      assert.match(original, echoEntry);
      const numericCommand = (text: string) => text.replace(echoEntry, (_, before: string) => `${before}42`);
      await save(numericCommand(original), 'errors');
      assertStillRunning(pids, 'after "command": 42');
      const echo = (await treeNode('echo'))!;
      assert.match(markdownAsRead(echo.tooltip), /servers\.echo\.command: must be a string, got number/);
      assert.ok(echo.children.some((c) => marker.test(c.label)));
      const other = (await treeNode('other'))!;
      assert.doesNotMatch(other.description ?? '', /configuration has errors/, 'only the invalid entry is marked');
      // The other servers still follow the file.
      await save(numericCommand(original).replace('"--tools=2"', '"--tools=3"'), 'errors');
      const newOther = await runningPid(api, 'other', pids.other);
      assert.equal(server(api, 'echo')!.pid, pids.echo, 'echo kept its last valid definition while "other" changed');

      await save(original.replace('"--tools=2"', '"--tools=3"'), 'no errors');
      assertStillRunning({ echo: pids.echo, other: newOther }, 'after the fix');
      assert.ok(!(await treeNode('echo'))!.children.some((c) => marker.test(c.label)));
    });

    it('an invalid entry that never was valid is listed as invalid with its reason', async () => {
      await save(original.replace('"servers": {', '"servers": {\n    "typo": { "type": "stdio", "command": 42 },'), 'errors');
      const typo = server(api, 'typo');
      assert.equal(typo?.state, 'invalid');
      assert.match(typo.message ?? '', /servers\.typo\.command: must be a string, got number/);
      const node = (await treeNode('typo'))!;
      assert.match(node.description ?? '', /invalid configuration/);
      assert.ok(node.children.some((c) => /servers\.typo\.command: must be a string, got number/.test(c.label) && c.command === 'mcpSessions.openConfiguration'));
      assert.match(api.testing.statusBar().text, /MCP \d+\/5$/, 'it counts as configured');
      await assert.rejects(Promise.resolve(vscode.commands.executeCommand('mcpSessions.startServer', 'typo')), /must be a string, got number/);
    });
  });
});


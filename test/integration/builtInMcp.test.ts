// Issue 11 §7: next to VS Code's built-in MCP client, which reads the same .vscode/mcp.json.
// The notice says so once; a second process of one of our running servers, started by VS Code's
// own client from that file, is reported once, naming the server.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { findDuplicateProcesses } from '../../src/core/duplicateProcesses';
import { isProcessAlive } from '../../src/core/processTree';
import { extensionApi, server, type Api } from './api';
import { eventually } from '../support/processes';

describe("VS Code's built-in MCP client", function () {
  this.timeout(60_000);
  let api: Api;
  let vsCodeCopy: string | undefined;

  before(async () => {
    api = await extensionApi();
  });

  after(async () => {
    if (vsCodeCopy) await vscode.commands.executeCommand('workbench.mcp.stopServer', vsCodeCopy);
    await vscode.commands.executeCommand('mcpSessions.stopServer', 'echo');
  });

  it('is detected where VS Code has it, and the notice about the shared mcp.json shows once', async () => {
    const detected = await api.testing.builtInMcp();
    const hasCommands = (await vscode.commands.getCommands(true)).includes('workbench.mcp.startServer');
    assert.equal(detected.present, hasCommands, 'present exactly when VS Code has its MCP commands');
    const notices = () => api.testing.shownMessages().filter((m) => m.includes("VS Code's built-in MCP support also reads .vscode/mcp.json"));
    if (!detected.enabled) return assert.equal(notices().length, 0, 'no notice where the built-in client is off');
    await eventually(() => notices().length === 1 || undefined, 5000, 'the notice');
    await api.testing.reloadConfiguration();
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(notices().length, 1, 'once');
  });

  it("a second copy started by VS Code's own client is reported once, naming the server", async function () {
    if (!(await api.testing.builtInMcp()).present) this.skip();
    await vscode.commands.executeCommand('mcpSessions.startServer', 'echo');
    const pid = await eventually(() => server(api, 'echo')?.pid, 15_000, 'echo running');
    assert.deepEqual(api.testing.scanForSecondCopies(), [], 'our own process is no copy');

    // What a click on VS Code's "Start" lens above "echo" in .vscode/mcp.json does. The id is
    // VS Code's: mcp.config.wf<folder>.<name> in 1.100, mcp.config.ws<folder>.<name> later.
    const warnings = () => api.testing.shownMessages().filter((m) => m.includes('A second copy of MCP server "echo" is running'));
    for (const id of ['mcp.config.ws0.echo', 'mcp.config.wf0.echo']) {
      await vscode.commands.executeCommand('workbench.mcp.startServer', id, { waitForLiveTools: true });
      if (vsCodeCopy === undefined && findDuplicateProcesses([{ name: 'echo', pid }]).length > 0) vsCodeCopy = id;
    }
    assert.ok(vsCodeCopy, "VS Code's client started its copy of echo");
    // Found by the periodic scan (every 15 s while a server runs), not by a test hook.
    const warning = await eventually(() => warnings()[0], 25_000, 'the warning about the second copy');
    const copyPid = Number(/\(pid (\d+)\)/.exec(warning)?.[1]);
    assert.ok(isProcessAlive(copyPid) && copyPid !== pid, warning);
    api.testing.scanForSecondCopies();
    assert.equal(warnings().length, 1, 'once per copy');
  });
});

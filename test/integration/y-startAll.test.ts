// Start All Servers: every stopped or failed server of the fixture workspace, asking for
// inputs (the user ran it), with one summary. Runs late (y-, before z-teardown): the fixture's
// "broken" server fails to start, and that failure notification opens the notifier's 15 s
// burst, which would silence the notifications another suite waits for.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { isProcessAlive } from '../../src/core/processTree';
import type { StartAllResult } from '../../src/vscode/commands/startAll';
import { extensionApi, server, type Api } from './api';
import { eventually } from '../support/processes';

describe('Start All Servers', function () {
  this.timeout(60_000);
  let api: Api;
  const names = ['echo', 'other', 'secret', 'broken'];

  async function stopAll(): Promise<void> {
    for (const name of names) await vscode.commands.executeCommand('mcpSessions.stopServer', name);
  }

  before(async () => {
    api = await extensionApi();
  });

  beforeEach(async () => {
    await stopAll();
    await vscode.commands.executeCommand('mcpSessions.clearStoredInputs');
  });

  after(async () => {
    api.testing.answerInputs(undefined);
    await stopAll();
    await vscode.commands.executeCommand('mcpSessions.clearStoredInputs');
  });

  it('starts every stopped server, asks for inputs, and names the one that failed in one notification', async () => {
    const asked: string[] = [];
    api.testing.answerInputs((input, name) => {
      asked.push(`${name}:${input.id}`);
      return 'start-all-token';
    });
    assert.equal(server(api, 'echo')?.state, 'stopped');
    assert.equal(server(api, 'secret')?.state, 'needs-input');
    const before = api.testing.notifications().length;

    const result = (await vscode.commands.executeCommand('mcpSessions.startAll')) as StartAllResult;
    assert.deepEqual([...result.started].sort(), ['echo', 'other', 'secret']);
    assert.deepEqual(result.failed, ['broken']);
    assert.deepEqual(result.skipped, []);
    assert.deepEqual(asked, ['secret:fixture-token']);
    for (const name of result.started) {
      const info = server(api, name);
      assert.equal(info?.state, 'running', `${name} runs`);
      assert.ok(info.pid !== undefined && isProcessAlive(info.pid), `${name} has a live process`);
    }
    const shown = await eventually(() => api.testing.notifications().slice(before).find((n) => n.includes('failed to start')), 5000, 'the summary');
    assert.match(shown, /^Started 3 MCP servers; "broken" failed to start \("broken": /);
    assert.equal(api.testing.notifications().length, before + 1, 'one notification for the whole command');

    // Run again: what runs is left alone; only the failed one is tried again.
    const pid = server(api, 'echo')!.pid;
    const again = (await vscode.commands.executeCommand('mcpSessions.startAll')) as StartAllResult;
    assert.deepEqual(again.started, []);
    assert.deepEqual(again.failed, ['broken']);
    assert.deepEqual(again.skipped.map((s) => s.name).sort(), ['echo', 'other', 'secret']);
    assert.equal(server(api, 'echo')!.pid, pid);
  });

  it('skips a server whose input prompt is dismissed and starts the others', async () => {
    api.testing.answerInputs(() => undefined);
    const result = (await vscode.commands.executeCommand('mcpSessions.startAll')) as StartAllResult;
    assert.deepEqual([...result.started].sort(), ['echo', 'other']);
    assert.deepEqual(result.skipped, [{ name: 'secret', reason: 'was not given its inputs' }]);
    assert.equal(server(api, 'secret')?.state, 'needs-input');
  });
});

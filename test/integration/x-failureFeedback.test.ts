// What the user sees while servers start and fail: a cancellable progress while a start they
// asked for runs, a crash loop whose last notification is its final state, a crash during a
// call that names the call. Servers come from the user setting mcpSessions.servers.
//
// Named x-…: runs after the servers suite, whose "notifies once per burst" test a crash loop's
// background notifications (notifier.ts burst) would silence; the y-… suites after it only
// count notifications of user actions, which are always shown.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { isProcessAlive } from '../../src/core/processTree';
import { extensionApi, server, type Api } from './api';
import { fixturesDir } from '../support/paths';
import { eventually } from '../support/processes';

/** Printed for run-tests.mjs, which then clicks the button of the notification (CLICK_NOTIFICATION_MARKER). */
const clickNotificationMarker = '@@click-notification-button';

describe('feedback while servers start and fail', function () {
  this.timeout(90_000);
  let api: Api;
  const pidDir = mkdtempSync(join(tmpdir(), 'mcp-sessions-feedback-pids-'));
  const fixture = (...flags: string[]) => ({ command: 'node', args: [join(fixturesDir, 'stdio-server.mjs'), ...flags, `--pid-dir=${pidDir}`] });
  const config = () => vscode.workspace.getConfiguration('mcpSessions');

  /** Pids the fixture servers wrote down, of the server processes only. */
  function serverPids(): number[] {
    return readdirSync(pidDir)
      .map((name) => JSON.parse(readFileSync(join(pidDir, name), 'utf8')) as { pid: number; role: string })
      .filter((entry) => entry.role === 'server')
      .map((entry) => entry.pid);
  }

  before(async () => {
    api = await extensionApi();
    await config().update(
      'servers',
      { slow: fixture('--never-initialize'), crashloop: fixture('--exit-after-init=100'), crashy: fixture() },
      vscode.ConfigurationTarget.Global,
    );
    await api.testing.reloadConfiguration();
  });

  after(async () => {
    for (const name of ['slow', 'crashloop', 'crashy']) await vscode.commands.executeCommand('mcpSessions.stopServer', name);
    await config().update('servers', undefined, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
    await eventually(() => serverPids().every((pid) => !isProcessAlive(pid)) || undefined, 5000, 'no fixture process of this suite alive');
    rmSync(pidDir, { recursive: true, force: true });
  });

  it('a start from the UI shows a cancellable "Starting" progress at once; Cancel leaves the server stopped with no process', async () => {
    const shownBefore = api.testing.shownMessages().length;
    const notifiedBefore = api.testing.notifications().length;
    // What the Tool Explorer's Start runs: a node, not a name, so it counts as the user's.
    const started = Promise.resolve(vscode.commands.executeCommand('mcpSessions.startServer', { kind: 'server', server: 'slow' }));
    await eventually(() => api.testing.shownMessages().slice(shownBefore).includes('Starting "slow"…') || undefined, 5000, 'the progress notification');
    const pid = await eventually(() => (server(api, 'slow')?.state === 'starting' ? serverPids()[0] : undefined), 10_000, 'the process of "slow"');
    assert.ok(isProcessAlive(pid));

    console.log(`${clickNotificationMarker}${JSON.stringify({ message: 'Starting "slow"', button: 'Cancel' })}`);
    await eventually(() => server(api, 'slow')?.state === 'stopped' || undefined, 20_000, '"slow" stopped after Cancel');
    await started;
    await eventually(() => !isProcessAlive(pid) || undefined, 5000, `the process ${pid} of "slow" to be gone`);
    assert.equal(server(api, 'slow')?.state, 'stopped', 'a cancelled start ends stopped, not in error');
    assert.deepEqual(api.testing.notifications().slice(notifiedBefore), [], 'a cancellation is no failure');
    assert.match(api.testing.logText(), /Start of "slow" cancelled by the user/);
  });

  it('a crash loop ends with a notification that it will not be restarted', async () => {
    // From code: the start is not a user action in flight when the crashes come.
    await vscode.commands.executeCommand('mcpSessions.startServer', 'crashloop');
    const final = await eventually(
      () => api.testing.notifications().find((n) => n.includes('"crashloop"') && n.includes('will not be restarted')),
      45_000,
      'the notification that "crashloop" will not be restarted',
    );
    assert.equal(server(api, 'crashloop')?.state, 'error');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const aboutIt = api.testing.notifications().filter((n) => n.includes('"crashloop"'));
    assert.equal(aboutIt.at(-1), final, `the last notification about "crashloop" is its final state: ${aboutIt.join('\n')}`);
    assert.match(final, /^MCP server "crashloop" crashed 5 times in the last 3 minutes and will not be restarted\. .*Last stderr output: .*simulated crash after initialization/);
  });

  it('a crash during a call from the UI names the call and quotes the last stderr lines', async () => {
    await vscode.commands.executeCommand('mcpSessions.startServer', 'crashy');
    const before = api.testing.notifications().length;
    // A tool of the Tool Explorer, with its arguments: the failure is the user's, so it is shown.
    await vscode.commands.executeCommand('mcpSessions.callTool', { kind: 'tool', server: 'crashy', tool: { name: 'crash', inputSchema: { type: 'object' } } }, 'crash', { code: 7 });
    const shown = await eventually(() => api.testing.notifications().slice(before).find((n) => n.includes('"crashy"')), 10_000, 'the failure notification');
    assert.match(shown, /^MCP server "crashy" stopped unexpectedly during the call of "crash": exited with code 7\. Last stderr output: .*fixture: crashing with exit code 7$/);
  });
});

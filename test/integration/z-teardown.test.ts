// Deactivation, the way VS Code does it: deactivate() without awaiting, then
// context.subscriptions disposed in insertion order. Named z-… because it must run last:
// the extension is gone afterwards (index.ts runs the files sorted by path).
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { isProcessAlive } from '../../src/core/processTree';
import type { McpSessionsApi, TestingApi } from '../../src/vscode/api';
import { repoRoot } from '../support/paths';
import { eventually } from '../support/processes';

type Api = McpSessionsApi & { testing: TestingApi };

const pidDir = join(repoRoot, 'out', 'integration-pids');

/** Grandchildren the fixture servers wrote down (`--spawn-child --pid-dir`), by their parent's pid. */
function grandchildrenOf(parents: number[]): number[] {
  return readdirSync(pidDir)
    .map((name) => JSON.parse(readFileSync(join(pidDir, name), 'utf8')) as { pid: number; role: string; ppid: number })
    .filter((entry) => entry.role === 'grandchild' && parents.includes(entry.ppid))
    .map((entry) => entry.pid);
}

describe('teardown (runs last)', function () {
  this.timeout(30_000);

  it('deactivate stops every server process within 3 s, in the documented order', async () => {
    const api = (await vscode.extensions.getExtension<McpSessionsApi>('mcp-session-manager.mcp-session-manager')!.activate()) as Api;
    await api.testing.reloadConfiguration();
    await vscode.commands.executeCommand('mcpSessions.startServer', 'echo');
    await vscode.commands.executeCommand('mcpSessions.startServer', 'other');
    const servers = await eventually(() => {
      const running = api.listServers().filter((s) => (s.name === 'echo' || s.name === 'other') && s.state === 'running' && s.pid);
      return running.length === 2 ? running.map((s) => s.pid!) : undefined;
    }, 15_000, 'echo and other running');
    const grandchildren = await eventually(() => {
      const found = grandchildrenOf(servers);
      return found.length > 0 ? found : undefined;
    }, 5000, 'the grandchild of "other"');
    const pids = [...servers, ...grandchildren];
    assert.ok(pids.every(isProcessAlive));

    const started = Date.now();
    const { report, steps, shutDownBeforeFirstStep } = await api.testing.teardown();
    const elapsed = Date.now() - started;

    assert.ok(elapsed <= 3000, `teardown took ${elapsed} ms`);
    assert.ok(report, 'the shutdown finished before the bound');
    assert.equal(report.deadlineReached, false);
    assert.ok(report.servers.every((s) => s.outcome !== 'survived'), JSON.stringify(report.servers));
    assert.deepEqual(steps, ['configuration', 'servers', 'commands, api', 'ui', 'registry', 'logs']);
    assert.equal(shutDownBeforeFirstStep, true, 'the registry was shutting down before anything else was disposed');
    await eventually(() => pids.every((pid) => !isProcessAlive(pid)) || undefined, 1000, `no fixture process alive (${pids.join(', ')})`);

    const commands = await vscode.commands.getCommands(true);
    assert.ok(!commands.includes('mcpSessions.callTool'), 'the commands are unregistered');
    await assert.rejects(api.callTool('echo', 'echo', { text: 'after teardown' }), (e: Error & { code?: string }) => e.code === 'shut-down');
  });

  // A window reload, as far as it can be driven from inside the host: the extension torn down
  // as VS Code does it (above), then activated again as a new instance over the same
  // workspaceState (testing.activateAgain). autoStart is "restore", the default.
  it('after a reload the servers that were running run again, and one the user stopped does not', async () => {
    const first = (await vscode.extensions.getExtension<McpSessionsApi>('mcp-session-manager.mcp-session-manager')!.activate()) as Api;
    const running = (api: Api, name: string) => api.listServers().find((s) => s.name === name && s.state === 'running' && s.pid)?.pid;

    // The previous test's teardown stopped "echo" and "other": that was no user's stop.
    const second = first.testing.activateAgain();
    await second.testing.reloadConfiguration();
    const [echoPid, otherPid] = await eventually(() => {
      const pids = [running(second, 'echo'), running(second, 'other')];
      return pids.every((pid) => pid !== undefined) ? (pids as number[]) : undefined;
    }, 20_000, '"echo" and "other" restored');
    assert.match(second.testing.logText(), /restoring the servers that were running/);
    assert.equal(second.listServers().find((s) => s.name === 'broken')?.state, 'stopped', 'a server that was not running stays stopped');

    // The user stops "other"; the next reload restores only "echo".
    await vscode.commands.executeCommand('mcpSessions.stopServer', 'other');
    await second.testing.teardown();
    await eventually(() => [echoPid, otherPid].every((pid) => !isProcessAlive(pid)) || undefined, 3000, 'the second instance\'s processes gone');

    const third = second.testing.activateAgain();
    try {
      await third.testing.reloadConfiguration();
      await eventually(() => running(third, 'echo'), 20_000, '"echo" restored again');
      // Restores start two at a time from one queue: "other" would have started with "echo".
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal(third.listServers().find((s) => s.name === 'other')?.state, 'stopped', 'the server the user stopped is not restored');
    } finally {
      const { report } = await third.testing.teardown();
      assert.ok(report?.servers.every((s) => s.outcome !== 'survived'), JSON.stringify(report?.servers));
    }
  });
});

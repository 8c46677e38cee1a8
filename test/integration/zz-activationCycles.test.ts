// 20 activate → use → deactivate cycles in the real extension host (issue 12, chaos soak): each
// cycle activates the extension as a new instance over the same ExtensionContext (what a window
// reload does, testing.activateAgain), calls a tool on two servers (one with a grandchild), and
// tears it down as VS Code does (testing.teardown). Nothing may be left alive, and the host's
// open handles stay flat. Named zz-… because it runs after z-teardown.test.ts, which tears the
// first instance down (index.ts runs the files sorted by path).
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { isProcessAlive } from '../../src/core/processTree';
import type { McpSessionsApi, TestingApi } from '../../src/vscode/api';
import { repoRoot } from '../support/paths';
import { eventually } from '../support/processes';

type Api = McpSessionsApi & { testing: TestingApi };

const pidDir = join(repoRoot, 'out', 'integration-pids');
const cycles = 20;
/** Handles of the host beyond the first cycle's count that are not counted as a leak (timers of other parts of the host). */
const handleTolerance = 8;

/**
 * The pids the fixture servers (servers and grandchildren) wrote down since `since` (epoch ms).
 * By the file's time, not by comparing pid sets: pids are reused within one suite run (pid_max
 * 32768), and a reused pid's file is written again under the same name.
 */
function fixturePidsSince(since: number): number[] {
  return readdirSync(pidDir)
    .filter((name) => statSync(join(pidDir, name)).mtimeMs >= since)
    .map((name) => (JSON.parse(readFileSync(join(pidDir, name), 'utf8')) as { pid: number }).pid);
}

function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe('activation cycles (runs after teardown)', function () {
  this.timeout(cycles * 30_000);

  it(`${cycles} activate → call → deactivate cycles leave no process and keep the host's handles flat`, async () => {
    let previous = (await vscode.extensions.getExtension<McpSessionsApi>('mcp-session-manager.mcp-session-manager')!.activate()) as Api;
    let first: Record<string, number> | undefined;
    let last: Record<string, number> = {};
    const heap: number[] = [];
    for (let cycle = 0; cycle < cycles; cycle++) {
      // Only this cycle's processes: earlier suites' pids may since belong to other processes.
      // (Whole milliseconds: a file's time may be rounded down from the clock's.)
      const cycleStart = Math.floor(Date.now()) - 1;
      const api = previous.testing.activateAgain() as Api;
      previous = api;
      try {
        await api.testing.reloadConfiguration();
        for (const name of ['echo', 'other']) {
          const result = await api.callTool(name, 'echo', { text: `cycle ${cycle}` });
          assert.deepEqual(result.content, [{ type: 'text', text: `cycle ${cycle}` }]);
        }
      } finally {
        const { report } = await api.testing.teardown();
        assert.ok(report, `cycle ${cycle}: the shutdown finished before the bound`);
        assert.ok(report.servers.every((s) => s.outcome !== 'survived'), `cycle ${cycle}: ${JSON.stringify(report.servers)}`);
      }
      const spawned = fixturePidsSince(cycleStart);
      assert.ok(spawned.length >= 3, `cycle ${cycle}: the two servers and the grandchild wrote their pids (${spawned.join(', ')})`);
      await eventually(() => spawned.every((pid) => !isProcessAlive(pid)) || undefined, 3000, `cycle ${cycle}: no fixture process alive (${spawned.filter(isProcessAlive).join(', ')})`);
      // Let the closed pipes' and sockets' handles go before counting.
      await new Promise((resolve) => setTimeout(resolve, 200));
      last = handles();
      first ??= last;
      heap.push(process.memoryUsage().heapUsed);
    }
    const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    console.log(`      activation cycles: handles ${total(first!)} → ${total(last)} (${JSON.stringify(last)}); host heap ${mib(heap[0])} → ${mib(heap[heap.length - 1])} MiB (no forced GC in the host: reported, not asserted)`);
    assert.ok(total(last) - total(first!) <= handleTolerance, `the host's handles grew: ${JSON.stringify(first)} → ${JSON.stringify(last)}`);
    assert.ok((last.ProcessWrap ?? 0) <= (first!.ProcessWrap ?? 0), `child processes are still open: ${JSON.stringify(last)}`);
  });
});

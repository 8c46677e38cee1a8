// The Tool Explorer at scale (issue 12, "Scale"): 50 servers of 100 tools each, 5,000 tools, in
// the real extension host. Prints how long the Tool Explorer's tree takes to render (every
// node's TreeItem, as testing.renderTree builds them) — measured, not asserted: speed belongs in
// the benchmark. Asserts that every tool is in the tree and that no server is left afterwards.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { isProcessAlive } from '../../src/core/processTree';
import { allNodes, extensionApi, serverRows, type Api } from './api';
import { fixturesDir } from '../support/paths';
import { eventually } from '../support/processes';

const servers = 50;
/** 9 fixed tools + 91 generated. */
const toolsPerServer = 100;
const names = Array.from({ length: servers }, (_, i) => `scale-${String(i).padStart(2, '0')}`);

function readdirSyncOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

describe('the Tool Explorer at scale', function () {
  this.timeout(180_000);
  let api: Api;
  /** A pid folder per server: it records every pid, and makes each command line unique (identical ones would be taken for second copies of one server). */
  const pidDirs = mkdtempSync(join(tmpdir(), 'mcp-sessions-scale-'));
  const spawned = () => names.flatMap((name) => readdirSyncOrEmpty(join(pidDirs, name)).map(Number));

  before(async () => {
    api = await extensionApi();
  });

  after(async () => {
    await vscode.workspace.getConfiguration('mcpSessions').update('servers', undefined, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
    const pids = spawned();
    await eventually(() => pids.every((pid) => !isProcessAlive(pid)) || undefined, 10_000, 'every scale server stopped');
    rmSync(pidDirs, { recursive: true, force: true });
  });

  it(`renders ${servers} servers with ${servers * toolsPerServer} tools (time printed)`, async () => {
    const fixture = join(fixturesDir, 'stdio-server.mjs');
    const definitions = Object.fromEntries(names.map((name) => [name, { command: 'node', args: [fixture, `--tools=${toolsPerServer - 9}`, '--page-size=50', `--pid-dir=${join(pidDirs, name)}`] }]));
    await vscode.workspace.getConfiguration('mcpSessions').update('servers', definitions, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();

    const started = Date.now();
    await Promise.all(names.map((name) => api.callTool(name, 'echo', { text: name })));
    const allRunningMs = Date.now() - started;

    const toolsIn = (tree: Awaited<ReturnType<Api['testing']['renderTree']>>) =>
      allNodes(serverRows(tree).filter((row) => names.includes(row.label)).flatMap((row) => row.children.filter((c) => c.label === 'Tools'))).filter((n) =>
        n.contextValue?.startsWith('tool'),
      ).length;
    // Each server lists its tools once it is running; the tree shows them as they arrive.
    await eventually(async () => (toolsIn(await api.testing.renderTree()) === servers * toolsPerServer) || undefined, 60_000, `${servers * toolsPerServer} tools in the tree`);
    const timings: number[] = [];
    for (let i = 0; i < 5; i++) {
      const renderStarted = performance.now();
      const tree = await api.testing.renderTree();
      timings.push(performance.now() - renderStarted);
      assert.equal(toolsIn(tree), servers * toolsPerServer, 'every tool is in the tree');
    }
    timings.sort((a, b) => a - b);
    console.log(
      `      Tool Explorer, ${servers} servers / ${servers * toolsPerServer} tools: all running after ${allRunningMs} ms; tree rendered (every node's TreeItem) in ` +
        `${timings[2].toFixed(0)} ms, median of 5 (${timings[0].toFixed(0)}–${timings[4].toFixed(0)})`,
    );
  });
});

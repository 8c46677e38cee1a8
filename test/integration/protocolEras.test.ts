// Both protocol eras in the real extension host (issue 8): a server that speaks only MCP
// 2026-07-28 (it rejects the 2025 `initialize`) is started from the Tool Explorer, listed and
// called through the API, and spawned once; a 2025 server that exits on the `server/discover`
// probe works after one restart in legacy mode. The era shows in the tooltip and the API.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { extensionApi, markdownAsRead, server, serverRow, type Api } from './api';
import { eventually, stdioFixture, textOf } from '../support/processes';
import { fixturesDir, repoRoot } from '../support/paths';

const config = () => vscode.workspace.getConfiguration('mcpSessions');
const eventsDir = join(repoRoot, 'out', 'integration-events');

function spawnsRecorded(file: string): number {
  if (!existsSync(file)) return 0;
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() && (JSON.parse(line) as { event: string }).event === 'spawn').length;
}

describe('protocol eras', function () {
  this.timeout(120_000);
  let api: Api;
  const modernEvents = join(eventsDir, 'modern.jsonl');
  const probeExitEvents = join(eventsDir, 'probe-exit.jsonl');

  before(async () => {
    api = await extensionApi();
    rmSync(eventsDir, { recursive: true, force: true });
    mkdirSync(eventsDir, { recursive: true });
    await config().update(
      'servers',
      {
        modern: { command: 'node', args: [join(fixturesDir, 'v2-stdio-server.mjs'), '--modern-only'], env: { MCP_FIXTURE_EVENTS: modernEvents } },
        'probe-exit': { command: 'node', args: [stdioFixture, '--exit-on-probe'], env: { MCP_FIXTURE_EVENTS: probeExitEvents } },
      },
      vscode.ConfigurationTarget.Global,
    );
    await api.testing.reloadConfiguration();
  });

  after(async () => {
    for (const name of ['modern', 'probe-exit']) {
      const state = server(api, name)?.state;
      if (state === 'running' || state === 'starting') await vscode.commands.executeCommand('mcpSessions.stopServer', name);
    }
    await config().update('servers', undefined, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
  });

  it('a 2026-07-28-only server starts from the Tool Explorer, once, and its tools are called through the API', async () => {
    await api.testing.revealServer('modern');
    await eventually(() => server(api, 'modern')?.state === 'running' || undefined, 20_000, 'modern started by its expansion');
    const info = server(api, 'modern')!;
    assert.deepEqual(info.protocol, { era: 'modern', version: '2026-07-28' });
    await eventually(() => server(api, 'modern')!.tools.some((t) => t.name === 'echo') || undefined, 10_000, 'the tools of modern');

    const result = await api.callTool('modern', 'echo', { text: 'hello from 2026' });
    assert.equal(textOf(result), 'hello from 2026');
    const row = serverRow(await api.testing.renderTree(), 'modern');
    assert.match(row?.description ?? '', /running/);
    const tooltip = markdownAsRead(await api.testing.serverTooltipOnHover('modern', 0));
    assert.match(tooltip, /Protocol: MCP 2026-07-28/);
    assert.equal(spawnsRecorded(modernEvents), 1, 'one process for the start: the probe ran on it');
  });

  it('a 2025 server that exits on the probe works after one restart in legacy mode, and a restart reuses the verdict', async () => {
    const result = await api.callTool('probe-exit', 'echo', { text: 'hello from 2025' });
    assert.equal(textOf(result), 'hello from 2025');
    assert.deepEqual(server(api, 'probe-exit')!.protocol, { era: 'legacy', version: '2025-11-25' });
    assert.equal(spawnsRecorded(probeExitEvents), 2, 'the probed process and the one restart in legacy mode');
    const tooltip = markdownAsRead(await api.testing.serverTooltipOnHover('probe-exit', 0));
    assert.match(tooltip, /Protocol: MCP 2025-11-25/);
    assert.match(tooltip, /Restarted in legacy mode after exiting on the protocol probe: 1/);

    await vscode.commands.executeCommand('mcpSessions.restartServer', 'probe-exit');
    await eventually(() => server(api, 'probe-exit')?.state === 'running' || undefined, 20_000, 'probe-exit running again');
    assert.equal(spawnsRecorded(probeExitEvents), 3, 'the restart starts one process, in legacy mode at once');
  });
});

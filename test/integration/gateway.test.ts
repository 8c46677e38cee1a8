// Issue 10: our servers published to VS Code's own MCP client through the loopback gateway. Where
// VS Code has the provider API (1.101 and later; run with --version 4.139.1), its client lists
// the definition, starts it through the gateway and invokes a tool, and the fixture records
// exactly one process: ours. Everywhere, the published URL and headers reach the server, and
// nothing else does.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { fixturesDir, repoRoot } from '../support/paths';
import { eventually, isAlive, textOf } from '../support/processes';
import { extensionApi, server, type Api } from './api';

const name = 'gw-echo';
/** VS Code's id for a server from an extension's provider: `<extension id>/<label>`. */
const vsCodeId = `mcp-session-manager.mcp-session-manager/${name}`;
const workDir = join(repoRoot, 'out', 'integration-gateway');
const events = join(workDir, 'events.jsonl');

function spawns(): Array<{ pid: number }> {
  if (!existsSync(events)) return [];
  return readFileSync(events, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { pid: number; event: string })
    .filter((e) => e.event === 'spawn');
}

describe('the gateway and VS Code’s MCP client', function () {
  this.timeout(90_000);
  let api: Api;
  const settings = () => vscode.workspace.getConfiguration('mcpSessions');
  let vsCodeStarted = false;

  before(async () => {
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true });
    api = await extensionApi();
    const pidDir = join(repoRoot, 'out', 'integration-pids');
    await settings().update(
      'servers',
      { [name]: { command: 'node', args: [join(fixturesDir, 'stdio-server.mjs'), `--pid-dir=${pidDir}`], env: { MCP_FIXTURE_EVENTS: events } } },
      vscode.ConfigurationTarget.Global,
    );
    await api.testing.reloadConfiguration();
  });

  after(async () => {
    if (vsCodeStarted) await vscode.commands.executeCommand('workbench.mcp.stopServer', vsCodeId);
    await vscode.commands.executeCommand('mcpSessions.stopServer', name);
    await settings().update('servers', undefined, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
    for (const { pid } of spawns()) await eventually(() => !isAlive(pid), 10_000, `fixture pid ${pid} to exit`);
  });

  it('publishes our servers except those VS Code reads itself, and the published URL and headers reach the server', async () => {
    const gateway = await eventually(() => api.testing.gateway(), 15_000, 'the gateway');
    const published = await eventually(() => (api.testing.gateway()?.published.includes(name) ? api.testing.gateway()!.published : undefined), 15_000, `"${name}" published`);
    assert.ok(!published.includes('echo'), 'servers of .vscode/mcp.json are left to VS Code (mcpSessions.gateway.publish: exceptVsCodeConfigured)');

    const client = new Client({ name: 'integration', version: '1' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url(name)), { requestInit: { headers: gateway.headers } }));
    try {
      assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { text: 'through the gateway' } })), 'through the gateway');
    } finally {
      await client.close();
    }
    const refused = await fetch(gateway.url(name), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(refused.status, 401, 'without the published headers');
    assert.equal(server(api, name)?.state, 'running');
    assert.equal(spawns().length, 1);
  });

  it("VS Code's own MCP client starts our definition through the gateway and invokes a tool: one process", async function () {
    // VS Code 1.100 has the API only as a proposal extensions cannot use; 1.101 and later take it.
    const [major, minor] = vscode.version.split('.').map(Number);
    assert.equal(api.testing.gateway()?.providerRegistered, major > 1 || minor >= 101, `provider registered in VS Code ${vscode.version}`);
    if (!api.testing.gateway()?.providerRegistered) this.skip();
    // VS Code names the tool mcp_<prefix>_echo, the prefix taken from our definition's label or
    // from the name the server gives itself (the fixture's "fixture-server", cut to 13 letters),
    // depending on what it has cached: the echo tool that appears once the server is started.
    // VS Code learns our definitions from the provider asynchronously: a start issued before it
    // has them does nothing, so the start is asked again every few seconds until the tool shows.
    const before = new Set(vscode.lm.tools.map((t) => t.name));
    const start = () => vscode.commands.executeCommand('workbench.mcp.startServer', vsCodeId, { waitForLiveTools: true });
    await start();
    vsCodeStarted = true;
    let lastStart = Date.now();
    const tool = await eventually(
      async () => {
        const found = vscode.lm.tools.find((t) => t.name.includes('gw-echo') && t.name.endsWith('_echo')) ?? vscode.lm.tools.find((t) => !before.has(t.name) && t.name.startsWith('mcp_') && t.name.endsWith('_echo'));
        if (!found && Date.now() - lastStart > 3000) {
          lastStart = Date.now();
          await start();
        }
        return found;
      },
      30_000,
      `a tool of "${name}" in vscode.lm.tools (${vscode.lm.tools.map((t) => t.name).join(', ')})`,
    );
    const result = await vscode.lm.invokeTool(tool.name, { input: { text: 'from chat' }, toolInvocationToken: undefined });
    const text = result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
    assert.match(text, /from chat/);
    assert.equal(spawns().length, 1, 'VS Code used our process; it started none of its own');

    await vscode.commands.executeCommand('workbench.mcp.stopServer', vsCodeId);
    vsCodeStarted = false;
    assert.equal(server(api, name)?.state, 'running', "VS Code's client stopping does not stop our server");
    await vscode.commands.executeCommand('mcpSessions.stopServer', name);
    const [{ pid }] = spawns();
    await eventually(() => !isAlive(pid), 10_000, 'the fixture process to exit');
  });
});

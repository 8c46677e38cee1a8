// The Tool Explorer's behaviour in the real workbench (issue 11 §5): expansions are never lost to
// a refresh, clicking a tool calls it, the tooltip's uptime is current, "(cached)" follows one
// rule, and the source shows in the tooltip (and as a level only when there are several).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionApi, markdownAsRead, server, serverRow, serverRows, type Api } from './api';
import { eventually, stdioFixture } from '../support/processes';

const config = () => vscode.workspace.getConfiguration('mcpSessions');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Tool Explorer behaviour', function () {
  this.timeout(120_000);
  let api: Api;

  before(async () => {
    api = await extensionApi();
  });

  afterEach(async () => {
    for (const info of api.listServers()) {
      if (info.state === 'running' || info.state === 'starting') await vscode.commands.executeCommand('mcpSessions.stopServer', info.name);
    }
    if (config().inspect('servers')?.globalValue !== undefined) {
      await config().update('servers', undefined, vscode.ConfigurationTarget.Global);
      await api.testing.reloadConfiguration();
    }
  });

  it('rapid expansions while other servers change state all start their servers', async () => {
    const expanded = Array.from({ length: 12 }, (_, i) => `expand-${i + 1}`);
    const churning = ['churn-a', 'churn-b', 'churn-c'];
    const servers = Object.fromEntries([...expanded, ...churning].map((name) => [name, { command: 'node', args: [stdioFixture, '--tools=1'] }]));
    await config().update('servers', servers, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
    await vscode.commands.executeCommand('workbench.view.extension.mcpSessions');

    // Other servers start and stop all the time: every change refreshes the tree.
    let churn = true;
    const churner = (async () => {
      for (let i = 0; churn; i++) {
        const name = churning[i % churning.length];
        const running = server(api, name)?.state === 'running';
        await Promise.resolve(vscode.commands.executeCommand(running ? 'mcpSessions.stopServer' : 'mcpSessions.startServer', name)).catch(() => undefined);
        await sleep(40);
      }
    })();
    try {
      for (const name of expanded) {
        // Selects the row, then expands it in the workbench as the keyboard or a click does.
        await api.testing.revealServer(name, { expand: false });
        await vscode.commands.executeCommand('list.expand');
        await sleep(300);
      }
      const notStarted = () => expanded.filter((name) => server(api, name)?.state !== 'running');
      await eventually(() => notStarted().length === 0 || undefined, 30_000, 'every expanded server to run').catch(() => {
        throw new Error(`expanded but never started: ${notStarted().join(', ')}`);
      });
    } finally {
      churn = false;
      await churner;
    }
  });

  it('clicking a tool calls it; the server context menu offers Call Tool…', async () => {
    await vscode.commands.executeCommand('mcpSessions.startServer', 'echo');
    const pid = await eventually(() => server(api, 'echo')?.pid, 15_000, 'echo running');
    await eventually(() => (server(api, 'echo')?.toolsCached === false && server(api, 'echo')!.tools.length > 0) || undefined, 10_000, 'the live tools of echo');
    const tool = serverRow(await api.testing.renderTree(), 'echo')?.children.find((c) => c.label === 'Tools')?.children.find((c) => c.label === 'pid');
    assert.ok(tool, 'the pid tool is in the tree');
    assert.equal(tool.command, 'mcpSessions.callTool', 'clicking the tool runs Call Tool…');
    const panels = api.testing.results.shown().length;
    await tool.click!();
    const panel = await eventually(() => api.testing.results.shown().slice(panels).at(-1), 10_000, 'the result of the call');
    assert.equal(panel.title, 'pid result');
    assert.deepEqual(panel.data.items, [{ kind: 'text', text: String(pid), format: 'plain' }]);

    const menus = (vscode.extensions.getExtension('mcp-session-manager.mcp-session-manager')!.packageJSON as { contributes: { menus: Record<string, { command: string; when: string }[]> } }).contributes.menus['view/item/context'];
    const whenMatches = (when: string, viewItem: string) => {
      const pattern = /viewItem =~ \/(.*)\/$/.exec(when)?.[1];
      return pattern !== undefined && new RegExp(pattern).test(viewItem);
    };
    for (const state of ['server.running', 'server.stopped']) {
      assert.ok(menus.some((m) => m.command === 'mcpSessions.callTool' && whenMatches(m.when, state)), `Call Tool… on a ${state} item`);
    }
  });

  it('the tooltip shows the uptime at the time it is shown', async () => {
    await vscode.commands.executeCommand('mcpSessions.startServer', 'echo');
    await eventually(() => server(api, 'echo')?.state === 'running' || undefined, 15_000, 'echo running');
    const tooltip = markdownAsRead(await api.testing.serverTooltipOnHover('echo', 2500));
    const uptime = /Up (\d+)s/.exec(tooltip);
    assert.ok(uptime && Number(uptime[1]) >= 2, `an uptime of 2 s or more: ${tooltip}`);
  });

  it('"(cached)" marks the lists of every server that is not running, also one the user stopped', async () => {
    await vscode.commands.executeCommand('mcpSessions.startServer', 'echo');
    await eventually(() => ((server(api, 'echo')?.tools.length ?? 0) > 0 && !server(api, 'echo')!.toolsCached) || undefined, 15_000, 'the live tools of echo');
    assert.doesNotMatch(serverRow(await api.testing.renderTree(), 'echo')?.description ?? '', /cached/);
    await vscode.commands.executeCommand('mcpSessions.stopServer', 'echo');
    const echo = serverRow(await api.testing.renderTree(), 'echo')!;
    assert.match(echo.description ?? '', /^stopped · \d+ tools \(cached\)$/);
    assert.match(echo.children.find((c) => c.label === 'Tools')?.description ?? '', /\(cached\)/);
    assert.equal(server(api, 'echo')?.toolsCached, true);
  });

  it('the source is in the tooltip; servers are grouped by source only when there are several', async () => {
    let tree = await api.testing.renderTree();
    assert.ok(tree.every((n) => n.contextValue?.startsWith('server.')), 'one source: no source level');
    for (const row of tree) {
      assert.doesNotMatch(row.description ?? '', /mcp\.json/, 'the description leaves the source out');
      assert.match(markdownAsRead(row.tooltip), /Source: workspace \(\.vscode\/mcp\.json\)/);
    }

    await config().update('servers', { 'from-settings': { command: 'node', args: [stdioFixture] } }, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
    tree = await api.testing.renderTree();
    assert.deepEqual(
      tree.map((n) => [n.contextValue, n.label]),
      [
        ['source', 'workspace (.vscode/mcp.json)'],
        ['source', 'user settings (mcpSessions.servers)'],
      ],
    );
    assert.deepEqual(tree[1].children.map((n) => n.label), ['from-settings']);
    assert.deepEqual(serverRows(tree).map((n) => n.label), ['echo', 'other', 'secret', 'broken', 'from-settings']);

    // A server under a source is revealed and started through its group.
    await api.testing.revealServer('from-settings');
    await eventually(() => server(api, 'from-settings')?.state === 'running' || undefined, 15_000, 'from-settings started by its expansion');
  });
});

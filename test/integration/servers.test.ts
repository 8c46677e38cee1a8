// The Tool Explorer, the lifecycle commands and calling tools, against the fixture servers
// of test/fixtures/workspace/.vscode/mcp.json.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { isProcessAlive } from '../../src/core/processTree';
import type { RenderedNode } from '../../src/vscode/api';
import { extensionApi, markdownAsRead, server, serverRow, type Api } from './api';
import { eventually } from '../support/processes';


async function serverNode(api: Api, name: string): Promise<RenderedNode> {
  const node = serverRow(await api.testing.renderTree(), name);
  assert.ok(node, `the tree shows "${name}"`);
  return node;
}

async function runningPid(api: Api, name: string, not?: number): Promise<number> {
  return eventually(() => {
    const info = server(api, name);
    return info?.state === 'running' && info.pid !== undefined && info.pid !== not ? info.pid : undefined;
  }, 15_000, `"${name}" running`);
}

describe('Tool Explorer and server lifecycle', function () {
  this.timeout(60_000);
  let api: Api;

  before(async () => {
    api = await extensionApi();
  });

  after(async () => {
    await vscode.commands.executeCommand('mcpSessions.stopServer', 'echo');
    await vscode.commands.executeCommand('mcpSessions.stopServer', 'broken');
    await vscode.commands.executeCommand('mcpSessions.stopServer', 'other');
  });

  it('shows every configured server with its state, source and command line', async () => {
    const tree = await api.testing.renderTree();
    assert.deepEqual(tree.map((n) => n.label), ['echo', 'other', 'secret', 'broken']);
    const echo = tree[0];
    assert.match(echo.description ?? '', /^stopped( · \d+ tools \(cached\))?$/, 'the source is in the tooltip, not the description');
    assert.equal(echo.contextValue, 'server.stopped');
    assert.match(echo.tooltip ?? '', /stdio-server\.mjs/);
    assert.match(markdownAsRead(echo.tooltip), /Source: workspace \(\.vscode\/mcp\.json\)/);
    const secret = tree.find((n) => n.label === 'secret')!;
    assert.equal(secret.contextValue, 'server.needsInput');
    assert.equal(secret.children[0]?.label, 'Start the server to enter its inputs');
  });

  it('starts, restarts and stops a server through the commands', async () => {
    await vscode.commands.executeCommand('mcpSessions.startServer', 'echo');
    const pid = await runningPid(api, 'echo');
    assert.ok(isProcessAlive(pid));
    const tools = await eventually(() => {
      const info = server(api, 'echo');
      return info && !info.toolsCached && info.tools.length > 0 ? info.tools.map((t) => t.name) : undefined;
    }, 10_000, 'the live tools of echo');
    assert.ok(tools.includes('echo') && tools.includes('slow'));
    const node = await serverNode(api, 'echo');
    assert.equal(node.contextValue, 'server.running');
    assert.match(node.tooltip ?? '', new RegExp(`PID ${pid}`));
    const toolsGroup = node.children.find((c) => c.label === 'Tools');
    assert.ok(toolsGroup?.children.some((c) => c.label === 'echo' && c.contextValue === 'tool'), 'the tools are listed under the server');

    await vscode.commands.executeCommand('mcpSessions.restartServer', 'echo');
    const restartedPid = await runningPid(api, 'echo');
    assert.notEqual(restartedPid, pid);
    await eventually(() => !isProcessAlive(pid), 3000, 'the first echo process to be gone');

    await vscode.commands.executeCommand('mcpSessions.stopServer', 'echo');
    assert.equal(server(api, 'echo')?.state, 'stopped');
    await eventually(() => !isProcessAlive(restartedPid), 3000, 'the echo process to be gone');
    assert.equal((await serverNode(api, 'echo')).contextValue, 'server.stopped');
  });

  it('Call Tool with programmatic arguments returns the result and opens it in the results view', async () => {
    const result = (await vscode.commands.executeCommand('mcpSessions.callTool', 'echo', 'echo', { text: 'hello from the test' })) as {
      content: { type: string; text: string }[];
    };
    assert.equal(result.content[0].text, 'hello from the test');
    const panel = await eventually(() => api.testing.results.shown().at(-1), 5000, 'the results panel');
    assert.equal(panel.title, 'echo result');
    assert.deepEqual(panel.data.items, [{ kind: 'text', text: 'hello from the test', format: 'plain' }]);
    assert.equal(server(api, 'echo')?.state, 'running', 'the call started the server on first use');

    const sum = (await vscode.commands.executeCommand('mcpSessions.callTool', 'echo', 'add', { a: 2, b: 40 }, { showResult: false })) as {
      structuredContent: { sum: number };
    };
    assert.equal(sum.structuredContent.sum, 42);
  });

  it('an isError result rejects with code tool-error, naming the server', async () => {
    await assert.rejects(api.callTool('echo', 'fail'), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'tool-error');
      assert.match(e.message, /"echo"/);
      assert.match(e.message, /fixture failure/);
      return true;
    });
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('mcpSessions.callTool', 'echo', 'fail', {})), /fixture failure/);
  });

  it('cancelling the API call cancels it on the server', async () => {
    const source = new vscode.CancellationTokenSource();
    const call = api.callTool('echo', 'slow', { ms: 10_000, steps: 100 }, source.token);
    setTimeout(() => source.cancel(), 500);
    const started = Date.now();
    await assert.rejects(call, (e: Error & { code?: string }) => e.code === 'cancelled');
    assert.ok(Date.now() - started < 3000, 'the call ended at once');
    await vscode.commands.executeCommand('mcpSessions.showLogs', 'echo');
    await eventually(() => /slow cancelled after \d+ of 100 steps/.test(api.testing.logText('echo')), 5000, 'the server to log the cancellation');
    assert.equal(server(api, 'echo')?.state, 'running', 'the session survives a cancelled call');
  });

  it('a server that fails to start is in error: the status bar warns, the tree and the error say why', async () => {
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('mcpSessions.startServer', 'broken')), /broken/);
    const broken = await eventually(() => (server(api, 'broken')?.state === 'error' ? server(api, 'broken') : undefined), 5000, 'broken in error');
    assert.ok(broken.message);
    assert.equal(api.testing.statusBar().warning, true);
    const node = await serverNode(api, 'broken');
    assert.equal(node.contextValue, 'server.error');
    assert.equal(node.children[0]?.contextValue, 'message');

    await vscode.commands.executeCommand('mcpSessions.showLogs', 'broken');
    assert.match(api.testing.logText('broken'), /fatal configuration error/, 'the server channel has its stderr');

    await vscode.commands.executeCommand('mcpSessions.stopServer', 'broken');
    assert.equal(server(api, 'broken')?.state, 'stopped');
    assert.equal(api.testing.statusBar().warning, false);
  });

  it('Read Resource and Get Prompt with programmatic arguments return the results and open them', async () => {
    const resource = (await vscode.commands.executeCommand('mcpSessions.readResource', 'echo', 'fixture://resource/1')) as { contents: { text: string }[] };
    assert.equal(resource.contents[0].text, 'fixture resource 1');
    await eventually(() => vscode.window.activeTextEditor?.document.getText().includes('fixture resource 1'), 5000, 'the resource editor');

    const prompt = (await vscode.commands.executeCommand('mcpSessions.getPrompt', 'echo', 'prompt_0', { topic: 'teardown' })) as { messages: { content: { text: string } }[] };
    assert.equal(prompt.messages[0].content.text, 'Prompt 0 about teardown');
    await eventually(() => vscode.window.activeTextEditor?.document.getText().includes('Prompt 0 about teardown'), 5000, 'the prompt editor');

    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('mcpSessions.readResource', 'echo', 'fixture://resource/99')), /Resource not found/);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('mcpSessions.getPrompt', 'nowhere', 'prompt_0', { topic: 'x' })), /No MCP server named "nowhere"/);
  });

  it('Restart All restarts the running servers and leaves the others stopped', async () => {
    for (const name of ['secret', 'broken']) await vscode.commands.executeCommand('mcpSessions.stopServer', name);
    await vscode.commands.executeCommand('mcpSessions.startServer', 'echo');
    await vscode.commands.executeCommand('mcpSessions.startServer', 'other');
    const before = { echo: await runningPid(api, 'echo'), other: await runningPid(api, 'other') };

    const restarted = (await vscode.commands.executeCommand('mcpSessions.restartAll')) as string[];
    assert.deepEqual([...restarted].sort(), ['echo', 'other']);
    assert.notEqual(await runningPid(api, 'echo', before.echo), before.echo);
    assert.notEqual(await runningPid(api, 'other', before.other), before.other);
    assert.equal(server(api, 'broken')?.state, 'stopped');
    await vscode.commands.executeCommand('mcpSessions.stopServer', 'other');
  });

  it('autoStart "always" starts every ready server in the background, never asks for inputs, and notifies once per burst', async () => {
    await vscode.commands.executeCommand('mcpSessions.stopServer', 'echo');
    const asked: string[] = [];
    api.testing.answerInputs((input) => {
      asked.push(input.id);
      return undefined;
    });
    const config = vscode.workspace.getConfiguration('mcpSessions');
    const shownBefore = api.testing.notifications().length;
    try {
      await config.update('autoStart', 'always', vscode.ConfigurationTarget.Global);
      await runningPid(api, 'echo');
      await runningPid(api, 'other');
      await eventually(() => server(api, 'broken')?.state === 'error' || undefined, 15_000, 'broken to fail in the background');
      assert.equal(server(api, 'secret')?.state, 'needs-input');
      assert.deepEqual(asked, [], 'a background start never prompts');
      assert.equal(api.testing.statusBar().warning, true);

      // One notification for the burst: the background failure of "broken"…
      const shown = await eventually(() => {
        const all = api.testing.notifications().slice(shownBefore);
        return all.length > 0 ? all : undefined;
      }, 5000, 'the notification about "broken"');
      assert.equal(shown.length, 1);
      assert.match(shown[0], /^MCP server "broken" exited with code 3 before it finished initializing\. Last stderr output: fixture: fatal configuration error$/);
      // …and none for a crash that follows within the burst: it goes to the log, tree and status bar.
      const echoPid = await runningPid(api, 'echo');
      await assert.rejects(api.callTool('echo', 'crash', {}), (e: Error & { code?: string }) => e.code === 'crashed');
      await eventually(() => /Not notifying about "echo"/.test(api.testing.logText()) || undefined, 5000, 'the crash to be logged without a notification');
      assert.equal(api.testing.notifications().length - shownBefore, 1);
      await runningPid(api, 'echo', echoPid); // the supervisor restarted it
    } finally {
      await config.update('autoStart', undefined, vscode.ConfigurationTarget.Global);
      api.testing.answerInputs(undefined);
    }
  });
});

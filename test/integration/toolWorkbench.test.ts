// Call history and replay, pinned tools, per-tool switches and the call timeout setting, in the
// real extension host against the fixture server "echo" (test/fixtures/workspace).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CallToolResult } from '../../src/core/api';
import type { RenderedNode } from '../../src/vscode/api';
import { eventually } from '../support/processes';
import { extensionApi, serverRow, server, type Api } from './api';

function textOf(result: CallToolResult | undefined): string {
  return (result?.content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('');
}

async function rejectionOf(promise: Thenable<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (e) {
    return e as Error & { code?: string };
  }
  assert.fail('expected a rejection');
}

/** The tool rows of a server in the Tool Explorer (its Tools group). */
async function toolRows(api: Api, name: string): Promise<RenderedNode[]> {
  const row = serverRow(await api.testing.renderTree(), name);
  return row?.children.find((c) => c.label === 'Tools')?.children ?? [];
}

describe('tool workbench: history, pins, switches, timeouts', function () {
  this.timeout(60_000);
  let api: Api;

  before(async () => {
    api = await extensionApi();
    await api.callTool('echo', 'echo', { text: 'warm-up' });
    await eventually(() => server(api, 'echo')?.tools.some((t) => t.name === 'add') || undefined, 10_000, 'the live tools of echo');
    await vscode.commands.executeCommand('mcpSessions.clearCallHistory');
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('mcpSessions.unpinTool', 'echo', 'add');
    await vscode.commands.executeCommand('mcpSessions.enableTool', 'echo', 'add');
    await vscode.commands.executeCommand('mcpSessions.clearCallHistory');
  });

  after(async () => {
    await vscode.workspace.getConfiguration('mcpSessions').update('requestTimeoutMs', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('mcpSessions.stopServer', 'echo');
  });

  describe('call history', () => {
    it('records a call made through the API: server, tool, arguments, outcome, duration, time', async () => {
      const before = Date.now();
      await api.callTool('echo', 'echo', { text: 'recorded' });
      await rejectionOf(api.callTool('echo', 'fail', {}));
      const [failed, ok] = api.testing.callHistory();
      assert.equal(ok.server, 'echo');
      assert.equal(ok.tool, 'echo');
      assert.deepEqual(ok.arguments, { text: 'recorded' });
      assert.deepEqual(ok.outcome, { kind: 'ok' });
      assert.ok(ok.durationMs >= 0 && ok.time >= before && ok.time <= Date.now(), JSON.stringify(ok));
      assert.equal(failed.tool, 'fail');
      assert.equal(failed.outcome.kind, 'isError');
      const rows = await api.testing.renderCallHistory();
      assert.deepEqual(
        rows.map((r) => r.label),
        ['fail', 'echo'],
      );
      assert.match(rows[0].description ?? '', /^echo · tool error · \d+ ms · /);
      assert.match(rows[1].description ?? '', /^echo · ok · \d+ ms · /);
      assert.equal(rows[1].contextValue, 'callRecord');
    });

    it('records calls made with Call Tool… from code, and stores secret-looking arguments redacted', async () => {
      await vscode.commands.executeCommand('mcpSessions.callTool', 'echo', 'echo', { text: 'via command', apiToken: 'tok-123' }, { showResult: false });
      const [entry] = api.testing.callHistory();
      assert.deepEqual(entry.arguments, { text: 'via command', apiToken: '[redacted argument]' });
      assert.deepEqual(entry.redacted, [['apiToken']]);
    });

    it('replays a call with the same arguments, and the replay is recorded too', async () => {
      await api.callTool('echo', 'echo', { text: 'again' });
      const [original] = api.testing.callHistory();
      const result = (await vscode.commands.executeCommand('mcpSessions.replayCall', original.id)) as CallToolResult;
      assert.equal(textOf(result), 'again');
      const [replay, first] = api.testing.callHistory();
      assert.equal(first.id, original.id);
      assert.notEqual(replay.id, original.id);
      assert.deepEqual(replay.arguments, { text: 'again' });
    });

    it('a replay of a call with redacted values needs them again, and sends what it is given', async () => {
      // A value that looks like a token is redacted, whatever its name.
      await api.callTool('echo', 'echo', { text: 'ghp_16chars0123456789abcdef' });
      const [entry] = api.testing.callHistory();
      assert.deepEqual(entry.arguments, { text: '[redacted argument]' });
      const refused = await rejectionOf(vscode.commands.executeCommand('mcpSessions.replayCall', entry.id));
      assert.match(refused.message, /had 1 redacted value\(s\) \(text\); pass them to replay it/);
      assert.equal(api.testing.callHistory().length, 1, 'nothing was sent');
      const result = (await vscode.commands.executeCommand('mcpSessions.replayCall', entry.id, ['typed again'])) as CallToolResult;
      assert.equal(textOf(result), 'typed again');
      assert.deepEqual(api.testing.callHistory()[0].arguments, { text: 'typed again' });
    });

    it('Clear Call History empties the history and the view', async () => {
      await api.callTool('echo', 'echo', { text: 'to clear' });
      assert.equal(api.testing.callHistory().length, 1);
      await vscode.commands.executeCommand('mcpSessions.clearCallHistory');
      assert.deepEqual(api.testing.callHistory(), []);
      assert.deepEqual(await api.testing.renderCallHistory(), []);
    });

    it('Open in Form hands the call to mcpSessions.openToolForm', async function () {
      if ((await vscode.commands.getCommands(true)).includes('mcpSessions.openToolForm')) this.skip(); // the form's own tests cover it
      await api.callTool('echo', 'echo', { text: 'to the form' });
      const received: unknown[] = [];
      const stand = vscode.commands.registerCommand('mcpSessions.openToolForm', (target: unknown) => received.push(target));
      try {
        await vscode.commands.executeCommand('mcpSessions.openCallInForm', api.testing.callHistory()[0].id);
      } finally {
        stand.dispose();
      }
      assert.deepEqual(received, [{ server: 'echo', tool: 'echo', arguments: { text: 'to the form' } }]);
    });
  });

  describe('pins', () => {
    it('a pinned tool leads the Tool Explorer in a Pinned group, as server/tool, and leads Call Tool…\'s pick', async () => {
      await vscode.commands.executeCommand('mcpSessions.pinTool', 'echo', 'add', { a: 1, b: 2 });
      const tree = await api.testing.renderTree();
      assert.equal(tree[0].label, 'Pinned');
      assert.deepEqual(
        tree[0].children.map((c) => [c.label, c.contextValue, c.command]),
        [['echo/add', 'tool.pinned', 'mcpSessions.callTool']],
      );
      assert.equal((await toolRows(api, 'echo')).find((r) => r.label === 'add')?.contextValue, 'tool.pinned');
      const items = api.testing.toolPickItems('echo');
      assert.deepEqual(
        items.slice(0, 3).map((i) => [i.label, i.description]),
        [
          ['Pinned', undefined],
          ['add', 'pinned'],
          ['Tools', undefined],
        ],
      );
      assert.ok(
        items.slice(3).every((i) => i.label !== 'add'),
        'listed once',
      );
      await vscode.commands.executeCommand('mcpSessions.unpinTool', 'echo', 'add');
      const after = await api.testing.renderTree();
      assert.notEqual(after[0].label, 'Pinned');
      assert.equal(api.testing.toolPickItems('echo')[0].label, 'echo');
    });
  });

  describe('tool switches', () => {
    it('a disabled tool is not listed by the API, its calls are refused, and the tree shows it disabled', async () => {
      await vscode.commands.executeCommand('mcpSessions.disableTool', 'echo', 'add');
      assert.ok(!server(api, 'echo')!.tools.some((t) => t.name === 'add'), 'not listed');
      assert.ok(server(api, 'echo')!.tools.some((t) => t.name === 'echo'), 'the others are');
      const refused = await rejectionOf(api.callTool('echo', 'add', { a: 1, b: 2 }));
      assert.equal(refused.code, 'tool-disabled');
      assert.equal(refused.message, 'The tool "add" of "echo" is disabled in this workspace. Enable it in the Tool Explorer to call it');
      assert.deepEqual(api.testing.callHistory(), [], 'a refused call is not made, so not recorded');
      const row = (await toolRows(api, 'echo')).find((r) => r.label === 'add');
      assert.equal(row?.contextValue, 'tool.disabled');
      assert.match(row?.description ?? '', /^disabled/);
      assert.ok(!api.testing.toolPickItems('echo').some((i) => i.label === 'add'), 'not offered by Call Tool…');

      await vscode.commands.executeCommand('mcpSessions.enableTool', 'echo', 'add');
      assert.ok(server(api, 'echo')!.tools.some((t) => t.name === 'add'));
      assert.equal(textOf(await api.callTool('echo', 'add', { a: 1, b: 2 })), '3');
    });
  });

  describe('timeouts', () => {
    it('mcpSessions.requestTimeoutMs applies to the next call, without a restart', async () => {
      const pid = server(api, 'echo')?.pid;
      await vscode.workspace.getConfiguration('mcpSessions').update('requestTimeoutMs', 300, vscode.ConfigurationTarget.Global);
      try {
        const error = await eventually(
          async () => {
            const e = await rejectionOf(api.callTool('echo', 'slow', { ms: 3000, steps: 1 })).catch(() => undefined);
            return e?.code === 'timeout' ? e : undefined;
          },
          15_000,
          'a timeout after 300 ms',
        );
        assert.match(error.message, /The call of "slow" on "echo" timed out after 300 ms/);
        assert.equal(api.testing.callHistory()[0].outcome.kind, 'failed');
      } finally {
        await vscode.workspace.getConfiguration('mcpSessions').update('requestTimeoutMs', undefined, vscode.ConfigurationTarget.Global);
      }
      assert.equal(server(api, 'echo')?.pid, pid, 'the server was not restarted');
    });
  });
});

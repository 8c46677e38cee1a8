// Per-server and per-call timeouts: the mcp.json fields `requestTimeoutMs` / `maxTotalTimeoutMs`
// (validated by config.ts) override the registry's defaults (the extension's settings), and a
// call's own options override both. Against the real fixture server's `slow` tool.

import * as assert from 'node:assert/strict';
import { parseConfig } from '../../src/core/config';
import type { StdioServerDefinition } from '../../src/core/definitions';
import { SessionRegistry } from '../../src/core/registry';
import { FixtureTracker, rejection, textOf } from '../support/processes';

describe('timeouts', function () {
  this.timeout(30_000);
  const fixtures = new FixtureTracker();
  let registry: SessionRegistry | undefined;

  function open(options: ConstructorParameters<typeof SessionRegistry>[0], ...servers: StdioServerDefinition[]): SessionRegistry {
    registry = new SessionRegistry({ stdinGraceMs: 300, termGraceMs: 300, connectTimeoutMs: 10_000, ...options });
    registry.reconcile(servers);
    return registry;
  }

  afterEach(async () => {
    await registry?.shutdown(2000);
    registry = undefined;
    await fixtures.assertNoneAlive();
    fixtures.cleanup();
  });

  describe('in the core', () => {
    it('a tool that sleeps longer than its server\'s requestTimeoutMs fails with a timeout naming the server and the bound', async () => {
      const sessions = open({}, { ...fixtures.stdio('sleepy'), requestTimeoutMs: 400 });
      await sessions.start('sleepy');
      const began = Date.now();
      const error = await rejection(sessions.callTool('sleepy', 'slow', { ms: 5000, steps: 1 }), 'timeout');
      assert.ok(Date.now() - began < 3000, `failed after ${Date.now() - began} ms`);
      assert.equal(error.message, 'The call of "slow" on "sleepy" timed out after 400 ms without an answer or progress (requestTimeoutMs).');
      assert.equal(textOf(await sessions.callTool('sleepy', 'echo', { text: 'still here' })), 'still here');
    });

    it('the server field overrides the registry default, and a call\'s own timeout overrides both', async () => {
      const sessions = open({ defaultCallTimeoutMs: 300 }, { ...fixtures.stdio('patient'), requestTimeoutMs: 10_000 }, fixtures.stdio('hasty'));
      assert.match(textOf(await sessions.callTool('patient', 'slow', { ms: 800, steps: 1 })), /done/);
      await rejection(sessions.callTool('hasty', 'slow', { ms: 5000, steps: 1 }), 'timeout');
      const error = await rejection(sessions.callTool('patient', 'slow', { ms: 5000, steps: 1 }, { timeoutMs: 300 }), 'timeout');
      assert.match(error.message, /after 300 ms/);
    });

    it('maxTotalTimeoutMs of a server bounds a call that keeps sending progress', async () => {
      const sessions = open({}, { ...fixtures.stdio('chatty'), requestTimeoutMs: 2000, maxTotalTimeoutMs: 800 });
      const progress: number[] = [];
      const began = Date.now();
      const error = await rejection(sessions.callTool('chatty', 'slow', { ms: 6000, steps: 60 }, { onProgress: (p) => progress.push(p.progress) }), 'timeout');
      assert.ok(Date.now() - began < 4000, `failed after ${Date.now() - began} ms`);
      assert.ok(progress.length > 0, 'progress came in before the bound');
      assert.match(error.message, /"chatty" timed out: it ran longer than 800 ms in all \(maxTotalTimeoutMs\)/);
    });

    it('a changed default applies to the next call of a running server, without a restart', async () => {
      const sessions = open({ defaultCallTimeoutMs: 10_000 }, fixtures.stdio('echo'));
      await sessions.start('echo');
      const pid = sessions.get('echo')!.snapshot().pid;
      assert.match(textOf(await sessions.callTool('echo', 'slow', { ms: 600, steps: 1 })), /done/);
      sessions.updateOptions({ defaultCallTimeoutMs: 200 });
      await rejection(sessions.callTool('echo', 'slow', { ms: 5000, steps: 1 }), 'timeout');
      assert.equal(sessions.get('echo')!.snapshot().pid, pid, 'the same process answered');
    });
  });

  describe('in mcp.json', () => {
    const source = { file: '/work/project/.vscode/mcp.json', label: 'workspace (.vscode/mcp.json)', fromWorkspace: true };

    it('reads both fields on stdio and remote servers', () => {
      const parsed = parseConfig(
        JSON.stringify({
          servers: {
            local: { command: 'node', requestTimeoutMs: 120_000, maxTotalTimeoutMs: 900_000 },
            remote: { type: 'http', url: 'https://example.com/mcp', requestTimeoutMs: 5000 },
          },
        }),
        source,
      );
      assert.deepEqual(parsed.issues, []);
      const [local, remote] = parsed.servers;
      assert.equal(local.requestTimeoutMs, 120_000);
      assert.equal(local.maxTotalTimeoutMs, 900_000);
      assert.equal(remote.requestTimeoutMs, 5000);
      assert.equal(remote.maxTotalTimeoutMs, undefined);
    });

    for (const [value, shown] of [
      ['0', '0'],
      ['-5', '-5'],
      ['1.5', '1.5'],
      ['"60000"', 'string'],
      ['86400001', '86400001'],
      ['null', 'null'],
    ] as const) {
      it(`refuses requestTimeoutMs ${value} with an error at the field, leaving the server out`, () => {
        const text = `{ "servers": { "echo": { "command": "node", "requestTimeoutMs": ${value} }, "fine": { "command": "node" } } }`;
        const parsed = parseConfig(text, source);
        const errors = parsed.issues.filter((i) => i.severity === 'error');
        assert.equal(errors.length, 1, JSON.stringify(parsed.issues));
        assert.deepEqual(errors[0].path, ['servers', 'echo', 'requestTimeoutMs']);
        assert.equal(errors[0].message, `must be a whole number of milliseconds from 1 to 86400000 (24 hours), got ${shown}`);
        assert.equal(text.slice(errors[0].offset, errors[0].offset + errors[0].length), value);
        assert.deepEqual(
          parsed.servers.map((s) => s.name),
          ['fine'],
        );
        assert.deepEqual(
          parsed.invalidServers.map((s) => s.name),
          ['echo'],
        );
      });
    }
  });
});

// The protocol fuzz campaign (test/fuzz/protocol.fuzz.ts) with a fixed seed: the same cases on
// every run, so a failure here replays. `npm run fuzz` runs it longer with other seeds.

import * as assert from 'node:assert/strict';
import { isMcpSessionError } from '../../src/core/errors';
import { SessionRegistry } from '../../src/core/registry';
import { campaign, iterations } from '../fuzz/protocol.fuzz';
import { FixtureTracker } from '../support/processes';

describe('protocol fuzzing (fixed seed)', function () {
  this.timeout(180_000);

  it('a hostile server never crashes the host, calls fail typed and in time, sessions recover, memory stays bounded', async () => {
    const lines: string[] = [];
    const report = await campaign({ seed: 0x5eed_0007, iterations: iterations.test, log: (line) => lines.push(line) });
    assert.equal(report.cases, iterations.test);
    assert.deepEqual(report.crashes, [], lines.join('\n'));
    assert.deepEqual(report.violations, [], lines.join('\n'));
  });

  describe('what it found', () => {
    const fixtures = new FixtureTracker();
    let registry: SessionRegistry | undefined;

    afterEach(async () => {
      await registry?.shutdown(2000);
      registry = undefined;
      await fixtures.assertNoneAlive();
      fixtures.cleanup();
    });

    it('a result nested 100,000 deep with protocol tracing on does not crash the host', async () => {
      registry = new SessionRegistry({ traceProtocol: true, stdinGraceMs: 200, termGraceMs: 200 });
      registry.reconcile([fixtures.hostile('deep')]);
      await registry.callTool('deep', 'fuzz', { fault: 'deep-nesting', size: 100_000 }, { timeoutMs: 2000 }).catch((e: unknown) => assert.ok(isMcpSessionError(e), String(e)));
      const trace = registry.get('deep')!.logLines().filter((l) => l.stream === 'trace');
      assert.ok(trace.some((l) => l.text.includes('[a message that cannot be shown')), trace.map((l) => l.text.slice(0, 200)).join('\n'));
      assert.equal((await registry.callTool('deep', 'ok')).isError, undefined);
    });

    it('a response that is JSON but not valid JSON-RPC fails its call at once, not at its timeout', async () => {
      registry = new SessionRegistry({ stdinGraceMs: 200, termGraceMs: 200 });
      registry.reconcile([fixtures.hostile('invalid')]);
      for (let seed = 1; seed <= 12; seed++) {
        const started = Date.now();
        const error = await registry.callTool('invalid', 'fuzz', { fault: 'wrong-result-type', seed }, { timeoutMs: 10_000 }).then(
          () => assert.fail('expected a protocol error'),
          (e: unknown) => e,
        );
        assert.ok(isMcpSessionError(error, 'protocol'), `seed ${seed}: ${String(error)}`);
        assert.ok(Date.now() - started < 5000, `seed ${seed} took ${Date.now() - started} ms`);
      }
      assert.equal((await registry.callTool('invalid', 'ok')).isError, undefined);
    });

    it('a JSON-RPC error with code -32000 from a live server is its error, not a closed connection', async () => {
      registry = new SessionRegistry({ stdinGraceMs: 200, termGraceMs: 200 });
      registry.reconcile([fixtures.hostile('coded')]);
      const error = await registry.callTool('coded', 'fuzz', { fault: 'huge-error-message', size: 10 }).then(
        () => assert.fail('expected the server error'),
        (e: unknown) => e,
      );
      assert.ok(isMcpSessionError(error, 'protocol'), String(error));
      assert.match(error.message, /"coded" answered the call of "fuzz" with an error: MCP error -32000: EEEEEEEEEE/);
      assert.equal(registry.get('coded')!.state.state, 'running');
    });
  });
});

// One server must not be able to exhaust the editor's memory: log and trace lines are cut to a
// few KiB, `instructions` are capped, and a single message over the limit (default 32 MiB)
// ends the connection with an error naming the limit — over stdio and over HTTP/SSE, without
// the message ever being held whole.

import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { RemoteServerDefinition } from '../../src/core/definitions';
import { isMcpSessionError, type McpSessionError } from '../../src/core/errors';
import { maxInstructionsChars } from '../../src/core/session';
import { SessionRegistry } from '../../src/core/registry';
import { fixturesDir } from '../support/paths';
import { FixtureTracker, eventually, rejection } from '../support/processes';

const MiB = 1024 * 1024;
/** Generous: the old code grew by 1.3 GB (log flood) and 481 MB (initialize reply). */
const maxGrowthMiB = 200;

/**
 * Samples RSS every few ms while `run` runs; returns the peak growth over the RSS before it, in
 * MiB, and prints before / peak / after for the record.
 */
async function peakGrowthMiB(what: string, run: () => Promise<void>): Promise<number> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    await run();
  } finally {
    clearInterval(timer);
  }
  const after = process.memoryUsage().rss;
  peak = Math.max(peak, after);
  const mib = (bytes: number) => Math.round(bytes / MiB);
  console.log(`      RSS during ${what}: before ${mib(baseline)} MiB, peak ${mib(peak)} MiB, after ${mib(after)} MiB`);
  return mib(peak - baseline);
}

/** The typed error `promise` rejects with, or undefined when it resolves. */
async function settled(promise: Promise<unknown>): Promise<McpSessionError | undefined> {
  return promise.then(
    () => undefined,
    (e: unknown) => {
      assert.ok(isMcpSessionError(e), `a typed error, got ${String(e)}`);
      return e;
    },
  );
}

describe('memory bounds against one server', function () {
  this.timeout(120_000);
  const fixtures = new FixtureTracker();
  let registry: SessionRegistry | undefined;
  let httpFixture: ChildProcess | undefined;

  afterEach(async () => {
    await registry?.shutdown(2000);
    registry = undefined;
    httpFixture?.kill('SIGTERM');
    httpFixture = undefined;
    await fixtures.assertNoneAlive();
    fixtures.cleanup();
  });

  const hostile = (name: string, flags: string[]) => fixtures.hostile(name, flags);

  it('100 × 4 MiB log messages: RSS stays bounded and each line is cut with a marker', async () => {
    registry = new SessionRegistry({ stdinGraceMs: 300, termGraceMs: 300 });
    registry.reconcile([hostile('flood', ['--log-flood=100', `--log-bytes=${4 * MiB}`])]);
    const growth = await peakGrowthMiB('100 × 4 MiB log messages', async () => {
      await registry!.start('flood');
      await eventually(() => registry!.get('flood')!.logLines().some((l) => l.text.includes('flood done')), 90_000, 'the end of the flood');
    });
    assert.ok(growth < maxGrowthMiB, `RSS grew by ${growth} MiB`);
    const lines = registry.get('flood')!.logLines().filter((l) => l.stream === 'notification');
    assert.ok(lines.length >= 100, `${lines.length} notification lines`);
    const big = lines.find((l) => l.text.includes('LLLL'))!;
    assert.ok(big.text.length < 5000, `a kept line has ${big.text.length} chars`);
    assert.match(big.text, /… \[truncated 4,19\d,\d{3} bytes\]$/);
  });

  it('a 100 MB initialize reply fails the start with an error naming the limit; RSS stays bounded', async () => {
    registry = new SessionRegistry({ stdinGraceMs: 300, termGraceMs: 300, connectTimeoutMs: 60_000 });
    registry.reconcile([hostile('huge-init', ['--instructions-bytes=100000000'])]);
    let error: McpSessionError | undefined;
    const growth = await peakGrowthMiB('a 100 MB initialize reply', async () => {
      error = await settled(registry!.start('huge-init'));
    });
    assert.ok(growth < maxGrowthMiB, `RSS grew by ${growth} MiB`);
    assert.equal(error?.code, 'start-failed');
    assert.match(error!.message, /"huge-init" sent a message larger than the 32 MiB limit for one message/);
    const state = registry.get('huge-init')!.state;
    assert.equal(state.state, 'error');
  });

  it('instructions under the message limit are capped with a marker', async () => {
    registry = new SessionRegistry({ stdinGraceMs: 300, termGraceMs: 300 });
    registry.reconcile([hostile('long-instructions', ['--instructions-bytes=1000000'])]);
    await registry.start('long-instructions');
    const instructions = registry.list()[0].instructions!;
    assert.ok(instructions.length < maxInstructionsChars + 100, `${instructions.length} chars kept`);
    assert.match(instructions, /^I+… \[truncated 934,464 bytes\]$/);
  });

  it('protocol trace lines are cut with a marker', async () => {
    registry = new SessionRegistry({ stdinGraceMs: 300, termGraceMs: 300, traceProtocol: true });
    registry.reconcile([hostile('traced', [])]);
    await registry.callTool('traced', 'fuzz', { fault: 'big-result', size: MiB });
    const trace = registry.get('traced')!.logLines().find((l) => l.stream === 'trace' && l.text.includes('RRRR'))!;
    assert.match(trace.text, /… \[truncated 1,04\d,\d{3} bytes\]$/);
  });

  it('a stdio message over a configured limit fails the call naming the limit, and the next call works', async () => {
    registry = new SessionRegistry({ stdinGraceMs: 300, termGraceMs: 300, maxMessageBytes: MiB, supervisor: { initialBackoffMs: 50 } });
    registry.reconcile([hostile('limited', [])]);
    await registry.start('limited');
    const small = await registry.callTool('limited', 'fuzz', { fault: 'big-result', size: 512 * 1024 });
    assert.equal((small.content as { text: string }[])[0].text.length, 512 * 1024);
    const error = await rejection(registry.callTool('limited', 'fuzz', { fault: 'huge-message', size: 3 * MiB }));
    assert.equal(error.code, 'crashed');
    assert.match(error.message, /"limited" stopped unexpectedly during the call of "fuzz": sent a message larger than the 1 MiB limit for one message/);
    const after = await registry.callTool('limited', 'ok');
    assert.equal((after.content as { text: string }[])[0].text, 'ok');
  });

  async function startHttpFixture(): Promise<{ url: string; sseUrl: string }> {
    const pidDir = fixtures.pidDir();
    const child = spawn(process.execPath, [join(fixturesDir, 'http-server.mjs'), `--pid-dir=${pidDir}`], { stdio: ['ignore', 'pipe', 'ignore'] });
    httpFixture = child;
    const first = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`http-server.mjs exited with ${code}`)));
    });
    return JSON.parse(first) as { url: string; sseUrl: string };
  }

  for (const kind of ['http', 'sse'] as const) {
    it(`a ${kind === 'http' ? 'Streamable HTTP' : 'legacy SSE'} message over the limit fails the call naming the limit, and the next call works`, async () => {
      const { url, sseUrl } = await startHttpFixture();
      const def: RemoteServerDefinition = { kind, name: `remote-${kind}`, url: kind === 'http' ? url : sseUrl, headers: {}, source: { label: 'test' } };
      registry = new SessionRegistry({ maxMessageBytes: MiB, supervisor: { initialBackoffMs: 50 }, pingIntervalMs: 0 });
      registry.reconcile([def]);
      await registry.start(def.name);
      let error: McpSessionError | undefined;
      const growth = await peakGrowthMiB(`a 50 MiB ${kind} result`, async () => {
        error = await settled(registry!.callTool(def.name, 'big', { bytes: 50 * MiB }));
      });
      assert.ok(growth < maxGrowthMiB, `RSS grew by ${growth} MiB`);
      assert.match(error?.message ?? 'no error', new RegExp(`"remote-${kind}" stopped unexpectedly during the call of "big": sent a message larger than the 1 MiB limit for one message`));
      assert.ok(growth < maxGrowthMiB, `RSS grew by ${growth} MiB`);
      const after = await registry.callTool(def.name, 'big', { bytes: 1000 });
      assert.match((after.content as { text: string }[])[0].text, /END$/);
    });
  }
});

// Protocol fuzzing: a real hostile server process (test/fixtures/fuzz-server.mjs) answers tool
// calls — and, in some cases, initialize — with mutated JSON-RPC: wrong ids and types, truncated
// and invalid lines, messages over the size limit, responses to requests never sent, unknown
// progress tokens, notification floods, exits mid-message. All through the real SessionRegistry
// with a process ledger. The guarantees checked per case:
//   - the host never crashes (no uncaught exception, no unhandled rejection);
//   - the call settles within a bound, and a failure is one of our typed errors naming the server;
//   - the session recovers (the next call works) or ends in `error`;
//   - memory stays bounded;
// and at the end, no server process is left behind.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMcpSessionError } from '../../src/core/errors';
import { SessionRegistry } from '../../src/core/registry';
import { FixtureTracker } from '../support/processes';
import { PeakMemory, SeededRandom, type Campaign, type FuzzCrash, type FuzzReport } from './campaign';

export const iterations = { test: 40, long: 1500 };

const MiB = 1024 * 1024;
const maxMessageBytes = MiB;
/** Each fuzzed call's own timeout: faults that never answer end here. */
const callTimeoutMs = 400;
/** A start that gets no usable initialize answer fails after this. */
const connectTimeoutMs = 1500;
/** A call or start must settle within this, a restart after a crash included. */
const settleBoundMs = 10_000;
/** Share of cases that fuzz initialize instead of a tool call. */
const initializeShare = 0.15;
const maxRssGrowthMiB = 200;
const server = 'fuzz';

/** Fault name → the `size` argument it gets (a byte count or a nesting depth). */
const faults: Record<string, (random: SeededRandom) => number> = {
  ok: () => 0,
  'response-to-unsent-request': () => 0,
  'wrong-id-then-silence': () => 0,
  'string-id': () => 0,
  'null-id': () => 0,
  'wrong-result-type': () => 0,
  'wrong-error-type': () => 0,
  'huge-error-message': (r) => 1 + r.int(512 * 1024),
  'invalid-json': () => 0,
  'truncated-line': () => 0,
  'truncated-then-ok': () => 0,
  'mutated-bytes': () => 0,
  'big-result': (r) => 1 + r.int(maxMessageBytes - 1024),
  'huge-message': (r) => maxMessageBytes + 1 + r.int(3 * MiB),
  'deep-nesting': (r) => 1 + r.int(100_000),
  'unknown-progress-token': () => 0,
  'notification-flood': (r) => 1 + r.int(64 * 1024),
  'unknown-notification': () => 0,
  'request-from-server': () => 0,
  'duplicate-response': () => 0,
  'no-answer': () => 0,
  'exit-mid-message': () => 0,
  'exit-after-answer': () => 0,
  'batch-array': () => 0,
  'control-characters': () => 0,
};
const faultNames = Object.keys(faults);

/** Faults of the initialize answer (fuzz-server.mjs INIT_FAULTS) → their `size`. */
const initializeFaults: Record<string, (random: SeededRandom) => number> = {
  'wrong-id': () => 0,
  'wrong-types': () => 0,
  'unsupported-version': () => 0,
  error: () => 0,
  'invalid-json': () => 0,
  'mutated-bytes': () => 0,
  'huge-message': (r) => maxMessageBytes + 1 + r.int(2 * MiB),
  'long-instructions': () => 0,
  'exit-mid-message': () => 0,
  'notification-first': () => 0,
  'request-first': () => 0,
};
const initializeFaultNames = Object.keys(initializeFaults);

type Outcome = { settled: 'resolved' } | { settled: 'rejected'; error: unknown } | { settled: 'hung' };

/** Waits for `promise` at most `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ settled: 'hung' }), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        (): Outcome => ({ settled: 'resolved' }),
        (error: unknown): Outcome => ({ settled: 'rejected', error }),
      ),
      hung,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Why `outcome` breaks a guarantee, or undefined when it keeps them all. */
function brokenGuarantee(outcome: Outcome): string | undefined {
  if (outcome.settled === 'hung') return `the call did not settle within ${settleBoundMs} ms`;
  if (outcome.settled === 'resolved') return undefined;
  const { error } = outcome;
  if (!isMcpSessionError(error)) return `the call failed with an untyped error: ${String((error as Error)?.stack ?? error)}`;
  if (error.server !== server || !error.message.includes(`"${server}"`)) return `the error does not name the server: ${error.message}`;
  return undefined;
}

export const campaign: Campaign = async ({ seed, iterations: count, log }): Promise<FuzzReport> => {
  const random = new SeededRandom(seed);
  const memory = new PeakMemory();
  const fixtures = new FixtureTracker();
  const crashes: FuzzCrash[] = [];
  const violations: FuzzCrash[] = [];
  let slowest = { case: 'none', ms: 0 };
  let current = 'setup';
  const onCrash = (error: unknown) => crashes.push({ case: current, error: String((error as Error)?.stack ?? error) });
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const sampler = setInterval(() => memory.sample(), 20);
  const baselineRss = process.memoryUsage().rss;

  const stateDir = mkdtempSync(join(tmpdir(), 'mcp-fuzz-ledger-'));
  const registry = new SessionRegistry({
    stateDir,
    stdinGraceMs: 200,
    termGraceMs: 200,
    connectTimeoutMs,
    defaultCallTimeoutMs: callTimeoutMs,
    maxMessageBytes,
    traceProtocol: true,
    // Never trip the crash-loop breaker: every case must be able to recover.
    supervisor: { initialBackoffMs: 20, maxBackoffMs: 100, maxCrashes: Number.MAX_SAFE_INTEGER },
  });
  const healthy = fixtures.hostile(server);
  registry.reconcile([healthy]);
  /** Restarts the server with a faulty initialize answer; settles like a start. */
  const startWith = async (fault: string, caseSeed: number, size: number): Promise<void> => {
    await registry.stop(server);
    registry.reconcile([fixtures.hostile(server, [`--init-fault=${fault}`, `--seed=${caseSeed}`, `--size=${size}`])]);
    try {
      await registry.start(server);
    } finally {
      await registry.stop(server);
      registry.reconcile([healthy]);
    }
  };
  try {
    for (let i = 0; i < count; i++) {
      const onInitialize = random.chance(initializeShare);
      const fault = random.pick(onInitialize ? initializeFaultNames : faultNames);
      const size = (onInitialize ? initializeFaults : faults)[fault](random);
      const caseSeed = random.int(2 ** 31);
      current = `seed ${seed} case ${i}: ${onInitialize ? 'initialize ' : ''}${fault} (size ${size}, server seed ${caseSeed})`;
      const started = Date.now();
      const outcome = await within(
        onInitialize ? startWith(fault, caseSeed, size) : registry.callTool(server, 'fuzz', { fault, seed: caseSeed, size }, { timeoutMs: callTimeoutMs }),
        settleBoundMs,
      );
      const ms = Date.now() - started;
      if (ms > slowest.ms) slowest = { case: current, ms };
      const broken = brokenGuarantee(outcome);
      if (broken) violations.push({ case: current, error: broken });

      // The session recovers (the next call works) or has ended in `error`.
      const probe = await within(registry.callTool(server, 'ok', {}, { timeoutMs: 5000 }), settleBoundMs);
      const state = registry.get(server)?.state.state;
      if (probe.settled !== 'resolved' && !(state === 'error' && probe.settled === 'rejected' && isMcpSessionError(probe.error))) {
        const why = probe.settled === 'rejected' ? String((probe.error as Error)?.message ?? probe.error) : 'it hung';
        violations.push({ case: current, error: `the session did not recover (state ${state}): the next call ${probe.settled === 'rejected' ? 'failed' : 'hung'}: ${why}` });
      }
      memory.sample();
      const growthMiB = (process.memoryUsage().rss - baselineRss) / MiB;
      if (growthMiB > maxRssGrowthMiB) violations.push({ case: current, error: `RSS grew by ${Math.round(growthMiB)} MiB` });
      log(`${current}: ${outcome.settled}${outcome.settled === 'rejected' ? ` (${isMcpSessionError(outcome.error) ? outcome.error.code : 'untyped'})` : ''} in ${ms} ms`);
    }
  } finally {
    current = 'teardown';
    await registry.shutdown(3000);
    try {
      await fixtures.assertNoneAlive(3000);
    } catch (e) {
      violations.push({ case: 'teardown', error: `a server process was left behind: ${(e as Error).message}` });
    }
    fixtures.cleanup();
    rmSync(stateDir, { recursive: true, force: true });
    clearInterval(sampler);
    // Let a late rejection surface while we still listen for it.
    await new Promise((r) => setTimeout(r, 50));
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  }
  return { campaign: 'protocol', seed, cases: count, crashes, violations, slowest, peakRssMiB: memory.mib };
};

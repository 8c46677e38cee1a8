// `npm run soak`: the chaos soak of issue 12. Plain Node against the core registry and real
// fixture processes: tool calls across 10 servers, 32 in flight, while a seeded chaos loop
// SIGKILLs server processes, stops and restarts servers, reconciles an edited configuration and
// kills an HTTP fixture in the middle of a streamed call; then registry create → use → shutdown
// cycles. Prints a table, writes test-results/soak.json and exits 1 when a bound fails.
// Method and figures: docs/RELIABILITY.md ("Chaos soak").
//
//   node --expose-gc out/bench/soak.js [--seed N] [--calls N | --duration S] [--min-chaos N] [--cycles N]
//     [--concurrency N] [--call-bound-ms MS] [--json FILE]

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CallToolResult, ServerSnapshot } from '../src/core/api';
import type { ServerDefinition, StdioServerDefinition } from '../src/core/definitions';
import { isMcpSessionError } from '../src/core/errors';
import { SessionRegistry } from '../src/core/registry';
import { fixturesDir, repoRoot } from '../test/support/paths';
import { freePort } from '../test/support/processes';
import { delay, settle } from './harness';
import { ProcessBook } from './servers';
import { MiB, renderTable } from './stats';

const { values: flags } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    calls: { type: 'string', default: '10000' },
    cycles: { type: 'string', default: '200' },
    /** Runs the chaos phase for this many seconds instead of --calls calls (0: --calls decides). */
    duration: { type: 'string', default: '0' },
    /** The chaos phase goes on until this many chaos actions ran, however fast the calls went. */
    'min-chaos': { type: 'string', default: '40' },
    concurrency: { type: 'string', default: '32' },
    /** A call still unsettled after this long is a bug: every call has its own 20 s timeout in the core. */
    'call-bound-ms': { type: 'string', default: '60000' },
    json: { type: 'string', default: join(repoRoot, 'test-results', 'soak.json') },
  },
  strict: true,
});

function positiveInt(name: keyof typeof flags, min = 0): number {
  const value = Number(flags[name]);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} expects an integer ≥ ${min}, got ${JSON.stringify(flags[name])}`);
  return value;
}

const settings = {
  seed: positiveInt('seed'),
  calls: positiveInt('calls'),
  cycles: positiveInt('cycles'),
  durationMs: positiveInt('duration') * 1000,
  minChaosActions: positiveInt('min-chaos'),
  concurrency: positiveInt('concurrency', 1),
  callBoundMs: positiveInt('call-bound-ms', 1000),
  /** The core's own timeout per call; the bound above is 3× this. */
  callTimeoutMs: 20_000,
  /** A chaos action every 150–450 ms. */
  chaosMinMs: 150,
  chaosMaxMs: 450,
  /** Flat after a forced GC: heap used within this of the start, RSS within the next. */
  heapToleranceBytes: 8 * MiB,
  rssToleranceBytes: 64 * MiB,
  /** Open handles (timers, pipes, sockets, processes) at the end ≤ start + this. */
  handleTolerance: 2,
};

// ---- seeded randomness ---------------------------------------------------------------------------

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seededRandom(settings.seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

// ---- bookkeeping -----------------------------------------------------------------------------------

const unhandled: string[] = [];
const describe = (reason: unknown) => (reason instanceof Error ? (reason.stack ?? reason.message) : JSON.stringify(reason));
process.on('unhandledRejection', (reason) => unhandled.push(`unhandled rejection: ${describe(reason)}`));
process.on('uncaughtException', (error) => unhandled.push(`uncaught exception: ${error.stack ?? String(error)}`));

const progress = (line: string) => process.stderr.write(`soak [${(performance.now() / 1000).toFixed(0).padStart(4)} s]: ${line}\n`);

interface Sample {
  heapUsed: number;
  rss: number;
  handles: Record<string, number>;
}

async function sample(): Promise<Sample> {
  await settle();
  const handles: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) handles[type] = (handles[type] ?? 0) + 1;
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss, handles };
}

const handleCount = (s: Sample) => Object.values(s.handles).reduce((a, b) => a + b, 0);

// ---- fixtures --------------------------------------------------------------------------------------

const stdioFixture = join(fixturesDir, 'stdio-server.mjs');
const v2StdioFixture = join(fixturesDir, 'v2-stdio-server.mjs');
const httpFixture = join(fixturesDir, 'http-server.mjs');
const wrappedFixture = join(fixturesDir, 'wrapped-server.sh');


/** An HTTP fixture the soak owns (the registry only connects to it), restartable on its port. */
class HttpFixture {
  private child: ChildProcess | undefined;
  private starting: Promise<void> | undefined;

  constructor(
    readonly port: number,
    private readonly pidDir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/mcp`;
  }

  start(): Promise<void> {
    this.starting ??= new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [httpFixture, `--port=${this.port}`, `--pid-dir=${this.pidDir}`], { stdio: ['ignore', 'pipe', 'ignore'] });
      this.child = child;
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('\n')) resolve();
      });
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = undefined;
        reject(new Error(`the HTTP fixture on port ${this.port} exited before listening (${signal ?? code})`));
      });
    }).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** SIGKILL, and resolves once the process is gone. */
  kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    this.child = undefined;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    return gone;
  }
}

type Flavour = 'v1' | 'v1-stubborn' | 'v1-wrapped' | 'v2' | 'http';

/** The ten servers: plain v1 stdio, a stubborn one with a grandchild, one behind sh, v2 stdio, HTTP. */
const flavours: Flavour[] = ['v1', 'v1', 'v1', 'v1', 'v1-stubborn', 'v1-wrapped', 'v2', 'v2', 'http', 'http'];

function stdioDefinition(name: string, flavour: Exclude<Flavour, 'http'>, pidDir: string, extraFlags: string[] = []): StdioServerDefinition {
  const pidFlag = `--pid-dir=${pidDir}`;
  const base = { kind: 'stdio' as const, name, env: {}, source: { label: 'soak' } };
  switch (flavour) {
    case 'v1':
      return { ...base, command: process.execPath, args: [stdioFixture, pidFlag, ...extraFlags] };
    case 'v1-stubborn':
      return { ...base, command: process.execPath, args: [stdioFixture, '--ignore-eof', '--ignore-sigterm', '--spawn-child', pidFlag, ...extraFlags] };
    case 'v1-wrapped':
      return { ...base, command: wrappedFixture, args: [pidFlag, ...extraFlags] };
    case 'v2':
      return { ...base, command: process.execPath, args: [v2StdioFixture, pidFlag] };
  }
}

/** Short graces, so stops of the stubborn server do not dominate the run; the escalation is what is tested. */
const registryOptions = (stateDir: string) => ({
  stateDir,
  connectTimeoutMs: 20_000,
  stdinGraceMs: 300,
  termGraceMs: 300,
  defaultCallTimeoutMs: settings.callTimeoutMs,
  supervisor: { restartOnCrash: true, initialBackoffMs: 50, maxBackoffMs: 500, maxCrashes: 1_000_000, windowMs: 60_000 },
});

// ---- results -----------------------------------------------------------------------------------------

const outcomes = {
  succeeded: 0,
  /** McpSessionError by code: the failures a caller can act on. */
  failedClearly: {} as Record<string, number>,
  /** Rejections that are not an McpSessionError naming the server: a bug. */
  failedUnclearly: [] as string[],
  /** A result that is not the answer to the call: a bug. */
  wrongResults: [] as string[],
  /** Calls still pending after callBoundMs: a bug. */
  unsettled: 0,
};
const chaosCounts: Record<string, number> = {};
const countChaos = (action: string) => (chaosCounts[action] = (chaosCounts[action] ?? 0) + 1);

function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

function settleWithin<T>(promise: Promise<T>, ms: number): Promise<{ settled: true; value?: T; error?: unknown } | { settled: false }> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(
      (value) => ({ settled: true as const, value }),
      (error: unknown) => ({ settled: true as const, error }),
    ),
    new Promise<{ settled: false }>((resolve) => {
      timer = setTimeout(() => resolve({ settled: false }), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** One call, checked: the answer must be the answer to this call, or a clear McpSessionError. */
async function checkedCall(registry: SessionRegistry, server: string, index: number, slowMs?: number): Promise<void> {
  const kind = slowMs !== undefined ? 'slow' : index % 2 === 0 ? 'echo' : 'add';
  const expected = kind === 'slow' ? 'done after 5 steps' : kind === 'echo' ? `call ${index} to ${server}` : String(index + 7);
  const args = kind === 'slow' ? { ms: slowMs, steps: 5 } : kind === 'echo' ? { text: expected } : { a: index, b: 7 };
  const outcome = await settleWithin(
    registry.callTool(server, kind, args, { timeoutMs: settings.callTimeoutMs, onProgress: kind === 'slow' ? () => undefined : undefined }),
    settings.callBoundMs,
  );
  if (!outcome.settled) {
    outcomes.unsettled++;
    progress(`UNSETTLED: ${kind} #${index} to ${server} still pending after ${settings.callBoundMs} ms`);
  } else if (outcome.error !== undefined) {
    if (isMcpSessionError(outcome.error) && outcome.error.server === server) {
      outcomes.failedClearly[outcome.error.code] = (outcomes.failedClearly[outcome.error.code] ?? 0) + 1;
    } else {
      outcomes.failedUnclearly.push(`${kind} #${index} to ${server}: ${describe(outcome.error)}`);
    }
  } else if (textOf(outcome.value!) !== expected) {
    outcomes.wrongResults.push(`${kind} #${index} to ${server}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(textOf(outcome.value!))}`);
  } else {
    outcomes.succeeded++;
  }
}

// ---- the chaos phase ---------------------------------------------------------------------------------

interface ChaosPhase {
  calls: number;
  durationMs: number;
  spawned: number;
}

async function chaosPhase(book: ProcessBook, stateDir: string): Promise<ChaosPhase> {
  const http = await Promise.all(flavours.filter((f) => f === 'http').map(async () => new HttpFixture(await freePort(), book.pidDir)));
  await Promise.all(http.map((h) => h.start()));
  const names = flavours.map((f, i) => `${f}-${i}`);
  let httpIndex = 0;
  const baseDefinitions: ServerDefinition[] = flavours.map((flavour, i) =>
    flavour === 'http'
      ? { kind: 'http', name: names[i], url: http[httpIndex++].url, headers: {}, source: { label: 'soak' } }
      : stdioDefinition(names[i], flavour, book.pidDir),
  );
  const httpOf = new Map(baseDefinitions.flatMap((d) => (d.kind === 'http' ? [[d.name, http.find((h) => h.url === d.url)!] as const] : [])));
  const registry = new SessionRegistry(registryOptions(stateDir));
  registry.onDidChangeState(({ current }) => {
    if (current.state === 'running' && current.pid) book.groups.add(current.pid);
  });
  // What the configuration holds now: chaos removes a server, re-adds it, edits a server's flags.
  let definitions = [...baseDefinitions];
  registry.reconcile(definitions);
  await Promise.all(names.map((n) => registry.start(n)));

  const started = performance.now();
  let issued = 0;
  let chaosActions = 0;
  let callsDone = false;
  const moreCalls = () =>
    settings.durationMs > 0 ? performance.now() - started < settings.durationMs : issued < settings.calls || chaosActions < settings.minChaosActions;
  const background = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    const tracked = p.catch((e: unknown) => unhandled.push(`chaos action failed: ${describe(e)}`)).finally(() => background.delete(tracked));
    background.add(tracked);
  };

  const outage = new Set<HttpFixture>();
  const actions: Record<string, () => Promise<void> | void> = {
    sigkill() {
      const running = registry.list().filter((s): s is ServerSnapshot & { pid: number } => s.state.state === 'running' && s.pid !== undefined);
      if (!running.length) return;
      const victim = pick(running);
      try {
        process.kill(victim.pid, 'SIGKILL');
      } catch {
        // Exited meanwhile.
      }
    },
    restart: () => registry.restart(pick(names), 'soak: restart').catch(() => undefined),
    async 'stop-start'() {
      const name = pick(names);
      await registry.stop(name, 'soak: stop').catch(() => undefined);
      await delay(50 + random() * 300);
      await registry.start(name, 'soak: start').catch(() => undefined);
    },
    'edit-config'() {
      const index = Math.floor(random() * definitions.length);
      const def = definitions[index];
      if (def.kind !== 'stdio' || def.args[0] === v2StdioFixture) return;
      // Toggling the number of extra tools changes the fingerprint: a restart with the new flags.
      const hasExtra = def.args.includes('--tools=3');
      definitions = definitions.map((d, i) => (i === index ? { ...def, args: hasExtra ? def.args.filter((a) => a !== '--tools=3') : [...def.args, '--tools=3'] } : d));
      registry.reconcile(definitions);
    },
    async 'remove-readd'() {
      const name = pick(names);
      if (!definitions.some((d) => d.name === name)) return;
      definitions = definitions.filter((d) => d.name !== name);
      registry.reconcile(definitions);
      await delay(200 + random() * 800);
      definitions = [...definitions, baseDefinitions.find((d) => d.name === name)!];
      registry.reconcile(definitions);
    },
    async 'http-kill-mid-stream'() {
      const server = pick([...httpOf.keys()]);
      const fixture = httpOf.get(server)!;
      // One outage at a time per fixture: a second kill would hit the restart of the first.
      if (outage.has(fixture)) return;
      outage.add(fixture);
      try {
        const call = checkedCall(registry, server, issued++, 1500);
        await delay(200 + random() * 400);
        await fixture.kill();
        await delay(100 + random() * 400);
        await fixture.start();
        await call;
      } finally {
        outage.delete(fixture);
      }
    },
  };
  const weighted = ['sigkill', 'sigkill', 'restart', 'stop-start', 'edit-config', 'remove-readd', 'http-kill-mid-stream', 'http-kill-mid-stream'];

  const chaos = (async () => {
    while (!callsDone) {
      await delay(settings.chaosMinMs + random() * (settings.chaosMaxMs - settings.chaosMinMs));
      if (callsDone) break;
      const action = pick(weighted);
      chaosActions++;
      countChaos(action);
      track(Promise.resolve().then(actions[action]));
    }
  })();

  const workers = Array.from({ length: settings.concurrency }, async () => {
    while (moreCalls()) {
      const index = issued++;
      await checkedCall(registry, pick(names), index);
      if (index > 0 && index % 1000 === 0) progress(`${index} calls issued; ${outcomes.succeeded} succeeded so far`);
    }
  });
  await Promise.all(workers);
  callsDone = true;
  await chaos;
  while (background.size) await Promise.all([...background]);
  const durationMs = performance.now() - started;

  // Every definition back, so shutdown stops all ten.
  registry.reconcile(baseDefinitions);
  const report = await registry.shutdown();
  if (report.deadlineReached) unhandled.push(`chaos registry: shutdown reached its deadline (${JSON.stringify(report.servers)})`);
  await Promise.all(http.map((h) => h.kill()));
  return { calls: issued, durationMs, spawned: book.spawned() };
}

// ---- create → use → shutdown cycles ------------------------------------------------------------------

async function cycle(book: ProcessBook, stateDir: string, index: number, http?: HttpFixture, only?: Exclude<Flavour, 'http'>[]): Promise<void> {
  const registry = new SessionRegistry(registryOptions(stateDir));
  registry.onDidChangeState(({ current }) => {
    if (current.state === 'running' && current.pid) book.groups.add(current.pid);
  });
  // Every fifth cycle also holds the stubborn server, whose grandchild only a group kill ends.
  const cycleFlavours: Exclude<Flavour, 'http'>[] = only ?? (index % 5 === 0 ? ['v1', 'v1-stubborn'] : ['v1']);
  const definitions: ServerDefinition[] = cycleFlavours.map((f, i) => stdioDefinition(`cycle-${f}-${i}`, f, book.pidDir));
  if (http) definitions.push({ kind: 'http', name: 'cycle-http', url: http.url, headers: {}, source: { label: 'soak' } });
  registry.reconcile(definitions);
  for (const def of registry.list()) await checkedCall(registry, def.name, index);
  const report = await registry.shutdown();
  if (report.deadlineReached) unhandled.push(`cycle ${index}: shutdown reached its deadline`);
}

// ---- main ----------------------------------------------------------------------------------------------

interface Bound {
  name: string;
  value: string;
  limit: string;
  met: boolean;
}

async function main(): Promise<number> {
  const book = new ProcessBook();
  const stateDir = mkdtempSync(join(tmpdir(), 'mcp-soak-state-'));
  const wallStart = performance.now();
  try {
    progress(`seed ${settings.seed}: ${settings.calls} calls, ${settings.concurrency} in flight, ${settings.cycles} cycles`);
    // A warm-up first, with every kind of server, so modules are loaded and code is warm before the start sample.
    const warmupHttp = new HttpFixture(await freePort(), book.pidDir);
    await warmupHttp.start();
    await cycle(book, stateDir, 0, warmupHttp, ['v1', 'v1-stubborn', 'v1-wrapped', 'v2']);
    await warmupHttp.kill();
    const start = await sample();
    const chaos = await chaosPhase(book, stateDir);
    progress(`chaos phase: ${chaos.calls} calls in ${(chaos.durationMs / 1000).toFixed(1)} s; ${chaos.spawned} processes spawned so far`);
    const cyclesStarted = performance.now();
    for (let i = 0; i < settings.cycles; i++) {
      await cycle(book, stateDir, i);
      if (i > 0 && i % 50 === 0) progress(`${i} cycles`);
    }
    const cyclesMs = performance.now() - cyclesStarted;
    // A server killed by its group is reaped by the kernel at once; 0.5 s covers the last exits' bookkeeping.
    await delay(500);
    const survivors = book.survivors();
    const end = await sample();

    const totalCalls = outcomes.succeeded + Object.values(outcomes.failedClearly).reduce((a, b) => a + b, 0) + outcomes.failedUnclearly.length + outcomes.wrongResults.length + outcomes.unsettled;
    const processHandles = (s: Sample) => (s.handles.ProcessWrap ?? 0) + (s.handles.PipeWrap ?? 0) + (s.handles.TCPSocketWrap ?? 0) + (s.handles.TCPServerWrap ?? 0);
    const bounds: Bound[] = [
      { name: 'calls never settled', value: String(outcomes.unsettled), limit: '0', met: outcomes.unsettled === 0 },
      { name: 'calls failed without a clear error', value: String(outcomes.failedUnclearly.length), limit: '0', met: outcomes.failedUnclearly.length === 0 },
      { name: 'wrong results', value: String(outcomes.wrongResults.length), limit: '0', met: outcomes.wrongResults.length === 0 },
      { name: 'calls that succeeded', value: `${outcomes.succeeded} of ${totalCalls}`, limit: '≥ 50 %', met: outcomes.succeeded >= totalCalls / 2 },
      { name: 'processes alive after shutdown', value: `${survivors.length} of ${book.spawned()} spawned`, limit: '0', met: survivors.length === 0 },
      { name: 'unhandled rejections / exceptions', value: String(unhandled.length), limit: '0', met: unhandled.length === 0 },
      {
        name: 'heap used (after forced GC)',
        value: `${(start.heapUsed / MiB).toFixed(1)} → ${(end.heapUsed / MiB).toFixed(1)} MiB`,
        limit: `+${settings.heapToleranceBytes / MiB} MiB`,
        met: end.heapUsed - start.heapUsed <= settings.heapToleranceBytes,
      },
      {
        name: 'RSS (after forced GC)',
        value: `${(start.rss / MiB).toFixed(1)} → ${(end.rss / MiB).toFixed(1)} MiB`,
        limit: `+${settings.rssToleranceBytes / MiB} MiB`,
        met: end.rss - start.rss <= settings.rssToleranceBytes,
      },
      {
        name: 'open handles',
        value: `${handleCount(start)} → ${handleCount(end)} (${JSON.stringify(end.handles)})`,
        limit: `+${settings.handleTolerance}; no process, pipe or socket`,
        met: handleCount(end) - handleCount(start) <= settings.handleTolerance && processHandles(end) <= processHandles(start),
      },
    ];

    const failures = Object.entries(outcomes.failedClearly)
      .sort((a, b) => b[1] - a[1])
      .map(([code, n]) => `${code} ${n}`)
      .join(', ');
    console.log(`\nChaos soak, seed ${settings.seed}: ${totalCalls} calls across ${flavours.length} servers (${settings.concurrency} in flight) in ${(chaos.durationMs / 1000).toFixed(1)} s; ${settings.cycles} registry cycles in ${(cyclesMs / 1000).toFixed(1)} s`);
    console.log(`Chaos actions: ${Object.entries(chaosCounts).map(([a, n]) => `${a} ${n}`).join(', ') || 'none'}`);
    console.log(`Failed with a clear error, by code: ${failures || 'none'}`);
    console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}\n`);
    console.log(renderTable(['bound', 'measured', 'limit', ''], bounds.map((b) => [b.name, b.value, b.limit, b.met ? 'ok' : 'FAILED'])));
    for (const detail of [...outcomes.failedUnclearly, ...outcomes.wrongResults, ...unhandled].slice(0, 20)) console.log(`\n${detail}`);
    if (survivors.length) console.log(`\nSurvivors: ${survivors.join(', ')}`);

    const json = {
      settings,
      machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg(), node: process.version },
      wallMs: performance.now() - wallStart,
      chaos: { ...chaos, actions: chaosCounts },
      cyclesMs,
      outcomes: { ...outcomes, total: totalCalls },
      unhandled,
      survivors,
      memory: { start, end },
      bounds,
      passed: bounds.every((b) => b.met),
    };
    mkdirSync(dirname(flags.json!), { recursive: true });
    writeFileSync(flags.json!, JSON.stringify(json, null, 2) + '\n');
    console.log(`\n${json.passed ? 'Every bound met' : 'BOUNDS FAILED'}; written to ${flags.json}`);
    return json.passed ? 0 : 1;
  } finally {
    await book.dispose();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

if (!(globalThis as { gc?: unknown }).gc) {
  console.error('soak: run with node --expose-gc (npm run soak does)');
  process.exit(2);
}
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`soak: ${describe(error)}`);
    process.exit(1);
  },
);

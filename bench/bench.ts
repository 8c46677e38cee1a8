// `npm run bench`: our session core against the raw MCP SDK (Client + StdioClientTransport, of
// the v1 line and of the v2 line) on the same fixture servers, side by side in one run; and the
// size of the minified extension bundle. Method and results: docs/benchmarks.md.
//
//   node out/bench/bench.js [--quick] [--only=warm,eras,shutdown,watchdog,heap,bundle,gateway]
//
// Rounds alternate between the sides (ABAB…) and the tables show medians over rounds: the
// machine is shared and noisy. Results are also written to bench/results.json.

import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SessionRegistry } from '../src/core/registry';
import { repoRoot } from '../test/support/paths';
import { killEverythingOnInterrupt, ProcessBook, setsidPath, type FixtureSpec } from './servers';
import { clientCostByEra } from './eras';
import { gatewayCosts } from './gateway';
import { watchdogCost } from './watchdog';
import { alternate, delay, log, settle, type Call, type Row } from './harness';
import { formatNumber, median, MiB, percentile, renderTable } from './stats';

const quick = process.argv.includes('--quick');
const sections = ['warm', 'eras', 'shutdown', 'watchdog', 'heap', 'bundle', 'gateway'] as const;
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const unknownSections = only?.filter((s) => !(sections as readonly string[]).includes(s)) ?? [];
if (unknownSections.length) throw new Error(`unknown section ${unknownSections.join(', ')}: use --only= with ${sections.join(', ')}`);
const runs = (section: (typeof sections)[number]) => !only || only.includes(section);
const settings = {
  /** A multiple of 3, so that each of the three sides goes first equally often. */
  rounds: quick ? 3 : 6,
  sequentialCalls: quick ? 500 : 2000,
  warmupCalls: 300,
  concurrency: 32,
  concurrentCalls: quick ? 2000 : 6400,
  perRequestRepeats: quick ? 4 : 10,
  shutdownServers: 20,
  shutdownRounds: quick ? 1 : 3,
  refreshes: 1000,
  extraTools: 20,
  /** ≥ every tool of the fixture (9 fixed + 20 generated), so one tools/list is one page. */
  pageSize: 50,
  eras: {
    /** ≥ 20, a multiple of the four sides. */
    rounds: 24,
    callsPerRound: quick ? 200 : 1000,
    warmupCalls: 300,
    turnWarmupCalls: 50,
    connectRepeats: quick ? 3 : 6,
  },
  /** Issue 10: a call through the gateway vs a direct registry call; the CLI through `serve` vs cold. */
  gateway: { rounds: quick ? 6 : 12, callsPerRound: quick ? 300 : 1000, cliRounds: quick ? 6 : 12 },
  /** The extension bundle, minified, with the v2 client (issue 8). */
  bundleTargetBytes: 400_000,
};

// ---- warm calls ------------------------------------------------------------------------------

async function sequential(call: Call, n: number): Promise<{ p50: number; p99: number }> {
  const latencies = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await call();
    latencies[i] = performance.now() - start;
  }
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function concurrent(call: Call, workers: number, total: number): Promise<number> {
  let issued = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (issued < total) {
        issued++;
        await call();
      }
    }),
  );
  return total / ((performance.now() - start) / 1000);
}

async function warmCalls(rows: Row[], results: Record<string, unknown>): Promise<void> {
  const book = new ProcessBook();
  const registry = new SessionRegistry({});
  try {
    registry.reconcile([book.definition('warm', { flags: [] })]);
    await registry.listTools('warm');
    // The raw side is the client our core uses (v2; on this v1 server both speak 2025).
    const raw = await book.rawV2Client({ flags: [] });
    await raw.client.listTools();
    const control = setsidPath ? await book.rawV2Client({ flags: [] }, { launcher: setsidPath }) : undefined;
    await control?.client.listTools();
    const args = { text: 'hello' };
    const calls = {
      ours: () => registry.callTool('warm', 'echo', args),
      raw: () => raw.client.callTool({ name: 'echo', arguments: args }),
      ...(control ? { rawOwnSession: () => control.client.callTool({ name: 'echo', arguments: args }) } : {}),
    } as Record<'ours' | 'raw' | 'rawOwnSession', Call>;
    const sides = Object.keys(calls) as (keyof typeof calls)[];
    for (const side of sides) {
      await sequential(calls[side], settings.warmupCalls);
      await concurrent(calls[side], settings.concurrency, settings.warmupCalls);
    }
    const perSide = <T>(measure: (call: Call) => Promise<T>) => Object.fromEntries(sides.map((side) => [side, () => measure(calls[side])])) as Record<keyof typeof calls, () => Promise<T>>;

    log(`warm sequential: ${settings.rounds} rounds × ${settings.sequentialCalls} calls per side (${sides.join(', ')})`);
    const seq = await alternate(settings.rounds, perSide((call) => sequential(call, settings.sequentialCalls)));
    log(`warm concurrent: ${settings.rounds} rounds × ${settings.concurrentCalls} calls, ${settings.concurrency} in flight`);
    const thr = await alternate(settings.rounds, perSide((call) => concurrent(call, settings.concurrency, settings.concurrentCalls)));

    type Side = keyof typeof calls;
    const p50s = (side: Side) => seq[side].map((r) => r.p50);
    const p99s = (side: Side) => seq[side].map((r) => r.p99);
    // The ratio is the median of per-round ratios: both sides of a round ran back to back,
    // so a round's ratio is less affected by the machine's load drifting between rounds.
    const pairedRatio = (ours: number[], other: number[]) => median(ours.map((x, i) => x / other[i]));
    const row = (metric: string, values: (side: Side) => number[], baseline: Side, unit: string, target: string, met: (ratio: number) => boolean): Row => {
      const ratio = pairedRatio(values('ours'), values(baseline));
      return { metric, ours: median(values('ours')), raw: median(values(baseline)), unit, ratio, target, met: met(ratio) };
    };
    const info = () => true;
    rows.push(
      row('warm call p50, sequential, vs raw v2 (both 2025)', p50s, 'raw', 'ms', '≤ 1.05×', (r) => r <= 1.05),
      row('warm call p99, sequential, vs raw v2', p99s, 'raw', 'ms', '(info)', info),
      row(`throughput, ${settings.concurrency} concurrent, vs raw v2`, (side) => thr[side], 'raw', 'calls/s', '≥ 0.95×', (r) => r >= 0.95),
    );
    if (control) {
      rows.push(
        row('  control: p50 vs raw v2, server in own session', p50s, 'rawOwnSession', 'ms', '(info)', info),
        row('  control: p99 vs raw v2, server in own session', p99s, 'rawOwnSession', 'ms', '(info)', info),
        row('  control: throughput vs raw v2, server in own session', (side) => thr[side], 'rawOwnSession', 'calls/s', '(info)', info),
      );
    }
    results.warm = { sequential: seq, throughput: thr };

    log(`per-request connection: ${settings.perRequestRepeats} × (connect, call, close)`);
    const perRequest: number[] = [];
    for (let i = 0; i < settings.perRequestRepeats; i++) {
      const start = performance.now();
      const once = await book.rawClient({ flags: [] });
      await once.client.callTool({ name: 'echo', arguments: args });
      await once.client.close();
      perRequest.push(performance.now() - start);
    }
    const perRequestMs = median(perRequest);
    const warmMs = median(p50s('ours'));
    const ratio = perRequestMs / warmMs;
    rows.push({
      metric: 'per-request connect+call+close vs warm call',
      ours: warmMs,
      raw: perRequestMs,
      unit: 'ms',
      oursLabel: `warm ${formatNumber(warmMs, 'ms')}`,
      rawLabel: `per-request ${formatNumber(perRequestMs, 'ms')}`,
      ratio,
      ratioLabel: `${ratio.toFixed(0)}× slower`,
      target: '≥ 500×',
      met: ratio >= 500,
    });
    results.perRequest = perRequest;
    await raw.client.close();
    await control?.client.close();
  } finally {
    await registry.shutdown();
    await book.dispose();
  }
}

// ---- shutdown --------------------------------------------------------------------------------

interface ShutdownRun {
  durationMs: number;
  /** Live processes when shutdown returned, and half a second later. */
  survivors: number;
  survivorsLater: number;
  outcomes?: Record<string, number>;
}

function wellBehaved(): FixtureSpec[] {
  return Array.from({ length: settings.shutdownServers }, () => ({ flags: [] }));
}

/** 10 plain, 5 that ignore stdin EOF and SIGTERM (each with a grandchild), 5 behind sh. */
function mixed(): FixtureSpec[] {
  return [
    ...Array.from({ length: 10 }, () => ({ flags: [] })),
    ...Array.from({ length: 5 }, () => ({ flags: ['--ignore-eof', '--ignore-sigterm', '--spawn-child'] })),
    ...Array.from({ length: 5 }, () => ({ flags: [], wrapped: true })),
  ];
}

async function shutdownOurs(specs: FixtureSpec[]): Promise<ShutdownRun> {
  const book = new ProcessBook();
  const registry = new SessionRegistry({});
  try {
    registry.reconcile(specs.map((spec, i) => book.definition(`s${i}`, spec)));
    await Promise.all(specs.map((_, i) => registry.start(`s${i}`)));
    for (const server of registry.list()) if (server.pid) book.groups.add(server.pid);
    await settle();
    const start = performance.now();
    const report = await registry.shutdown();
    const durationMs = performance.now() - start;
    const survivors = book.survivors().length;
    await delay(500);
    const outcomes: Record<string, number> = {};
    for (const s of report.servers) outcomes[s.outcome] = (outcomes[s.outcome] ?? 0) + 1;
    return { durationMs, survivors, survivorsLater: book.survivors().length, outcomes };
  } finally {
    await registry.shutdown();
    await book.dispose();
  }
}

async function shutdownRaw(specs: FixtureSpec[]): Promise<ShutdownRun> {
  const book = new ProcessBook();
  try {
    const clients = await Promise.all(specs.map((spec) => book.rawClient(spec)));
    await settle();
    const start = performance.now();
    await Promise.all(clients.map((c) => c.client.close()));
    const durationMs = performance.now() - start;
    const survivors = book.survivors().length;
    await delay(500);
    return { durationMs, survivors, survivorsLater: book.survivors().length };
  } finally {
    await book.dispose();
  }
}

/** The worst round: processes left when shutdown returned, and 0.5 s later. */
function mostLeft(runs: ShutdownRun[]): { atReturn: number; later: number } {
  return { atReturn: Math.max(...runs.map((r) => r.survivors)), later: Math.max(...runs.map((r) => r.survivorsLater)) };
}

function leftLabel(left: { atReturn: number; later: number }): string {
  return left.atReturn === left.later ? `${left.atReturn} left` : `${left.atReturn} left (${left.later} after 0.5 s)`;
}

async function shutdowns(rows: Row[], results: Record<string, unknown>): Promise<void> {
  log(`shutdown of ${settings.shutdownServers} well-behaved servers: ${settings.shutdownRounds} rounds each side`);
  const easy = await alternate(settings.shutdownRounds, { ours: () => shutdownOurs(wellBehaved()), raw: () => shutdownRaw(wellBehaved()) });
  const easyMs = { ours: median(easy.ours.map((r) => r.durationMs)), raw: median(easy.raw.map((r) => r.durationMs)) };
  const easySurvivors = { ours: mostLeft(easy.ours), raw: mostLeft(easy.raw) };
  rows.push({
    metric: `shutdown, ${settings.shutdownServers} well-behaved servers`,
    ...easyMs,
    unit: 'ms',
    ratio: easyMs.ours / easyMs.raw,
    target: '≤ 150 ms, 0 left',
    met: easyMs.ours <= 150 && easySurvivors.ours.atReturn === 0,
    oursLabel: `${formatNumber(easyMs.ours, 'ms')}, ${leftLabel(easySurvivors.ours)}`,
    rawLabel: `${formatNumber(easyMs.raw, 'ms')}, ${leftLabel(easySurvivors.raw)}`,
  });

  log(`shutdown of 20 servers (5 ignore EOF+SIGTERM with a grandchild, 5 behind sh): ${settings.shutdownRounds} rounds ours, 1 raw`);
  const hard = { ours: [] as ShutdownRun[], raw: [] as ShutdownRun[] };
  for (let round = 0; round < settings.shutdownRounds; round++) {
    hard.ours.push(await shutdownOurs(mixed()));
    if (round === 0) hard.raw.push(await shutdownRaw(mixed()));
  }
  const hardMs = { ours: median(hard.ours.map((r) => r.durationMs)), raw: median(hard.raw.map((r) => r.durationMs)) };
  const hardSurvivors = { ours: mostLeft(hard.ours), raw: mostLeft(hard.raw) };
  rows.push({
    metric: 'shutdown, 20 servers incl. 5 stubborn + 5 wrapped',
    ...hardMs,
    unit: 'ms',
    ratio: hardMs.ours / hardMs.raw,
    target: '≤ 1500 ms, 0 left',
    met: Math.max(...hard.ours.map((r) => r.durationMs)) <= 1500 && hardSurvivors.ours.atReturn === 0,
    oursLabel: `${formatNumber(hardMs.ours, 'ms')}, ${leftLabel(hardSurvivors.ours)}`,
    rawLabel: `${formatNumber(hardMs.raw, 'ms')}, ${leftLabel(hardSurvivors.raw)}`,
  });
  results.shutdown = { wellBehaved: easy, mixed: hard };
}

// ---- heap growth of tool-list refreshes (each side in its own process) -----------------------

interface HeapRun {
  beforeBytes: number;
  afterBytes: number;
  growthBytes: number;
  toolsPerList: number;
  pagesPerList: number;
  durationMs: number;
}

async function heapChild(side: 'ours' | 'raw'): Promise<HeapRun> {
  const book = new ProcessBook();
  const spec = { flags: ['--tools', String(settings.extraTools), '--page-size', String(settings.pageSize)] };
  const registry = new SessionRegistry({});
  let close = async () => undefined as unknown;
  try {
    let refresh: () => Promise<{ tools: number; pages: number }>;
    if (side === 'ours') {
      registry.reconcile([book.definition('heap', spec)]);
      await registry.listTools('heap');
      refresh = async () => ({ tools: (await registry.listTools('heap', { refresh: true })).length, pages: 1 });
    } else {
      const raw = await book.rawClient(spec);
      close = () => raw.client.close();
      refresh = async () => {
        let cursor: string | undefined;
        let tools = 0;
        let pages = 0;
        do {
          const page = await raw.client.listTools(cursor ? { cursor } : undefined);
          tools += page.tools.length;
          pages++;
          cursor = page.nextCursor;
        } while (cursor);
        return { tools, pages };
      };
    }
    let last = { tools: 0, pages: 0 };
    for (let i = 0; i < 50; i++) last = await refresh();
    await settle();
    const beforeBytes = process.memoryUsage().heapUsed;
    const start = performance.now();
    for (let i = 0; i < settings.refreshes; i++) last = await refresh();
    const durationMs = performance.now() - start;
    await settle();
    const afterBytes = process.memoryUsage().heapUsed;
    if (last.tools !== 9 + settings.extraTools) throw new Error(`expected ${9 + settings.extraTools} tools per list, got ${last.tools}`);
    return { beforeBytes, afterBytes, growthBytes: afterBytes - beforeBytes, toolsPerList: last.tools, pagesPerList: last.pages, durationMs };
  } finally {
    await close();
    await registry.shutdown();
    await book.dispose();
  }
}

function runHeapChild(side: 'ours' | 'raw'): HeapRun {
  const child = spawnSync(process.execPath, ['--expose-gc', __filename, '--heap-child', side], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 120_000 });
  if (child.status !== 0) throw new Error(`heap measurement (${side}) failed with ${child.status ?? child.signal}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as HeapRun;
}

function heap(rows: Row[], results: Record<string, unknown>): void {
  log(`heap: ${settings.refreshes} tools/list refreshes of ${9 + settings.extraTools} tools (${settings.extraTools} with outputSchema), page size ${settings.pageSize}, each side in its own process`);
  const ours = runHeapChild('ours');
  const raw = runHeapChild('raw');
  rows.push({
    metric: `heap growth, ${settings.refreshes} tool-list refreshes`,
    ours: ours.growthBytes / MiB,
    raw: raw.growthBytes / MiB,
    unit: 'MiB',
    ratio: ours.growthBytes / raw.growthBytes,
    target: '≤ 5 MiB',
    met: ours.growthBytes <= 5 * MiB,
  });
  results.heap = { ours, raw };
}

// ---- bundle size -----------------------------------------------------------------------------

function bundleSize(rows: Row[], results: Record<string, unknown>): void {
  log('bundle size: dist/extension.js minified (scripts/build.mjs --minified-size)');
  const child = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs'), '--minified-size'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 120_000 });
  if (child.status !== 0) throw new Error(`minified build failed with ${child.status ?? child.signal}`);
  const { bytes, packages, lazySdk } = JSON.parse(child.stdout) as { bytes: number; packages: Record<string, number>; lazySdk: { bytes: number; packages: Record<string, number> } };
  const clients = ['@modelcontextprotocol/client', '@modelcontextprotocol/sdk'].filter((p) => p in packages || p in lazySdk.packages).map((p) => (p.endsWith('/sdk') ? 'v1' : 'v2'));
  rows.push({
    metric: `bundle, dist/extension.js minified (${clients.join(' + ') || 'no'} client in dist/mcp-sdk.js, loaded on first connection)`,
    ours: bytes / 1000,
    raw: NaN,
    unit: 'kB',
    oursLabel: `${(bytes / 1000).toFixed(1)} kB (+ ${(lazySdk.bytes / 1000).toFixed(1)} kB SDK)`,
    ratio: NaN,
    target: `≤ ${settings.bundleTargetBytes / 1000} kB`,
    met: bytes <= settings.bundleTargetBytes,
    reportOnly: true,
  });
  results.bundle = { bytes, packages, lazySdk };
}

// ---- report ----------------------------------------------------------------------------------

function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '-';
  return `${ratio >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(1)}×`;
}

function render(rows: Row[]): string {
  return renderTable(
    ['metric', 'ours', 'raw SDK', 'ratio', 'target', 'met?'],
    rows.map((r) => [
      r.metric,
      r.oursLabel ?? formatNumber(r.ours, r.unit),
      r.rawLabel ?? formatNumber(r.raw, r.unit),
      r.ratioLabel ?? formatRatio(r.ratio),
      r.target,
      r.met ? 'yes' : 'NO',
    ]),
  );
}

async function main(): Promise<void> {
  killEverythingOnInterrupt();
  const started = Date.now();
  const rows: Row[] = [];
  const results: Record<string, unknown> = {};
  if (runs('warm')) await warmCalls(rows, results);
  const byEra = runs('eras') ? await clientCostByEra(settings.eras) : undefined;
  if (byEra) {
    rows.push(...byEra.rows);
    results.clientCostByEra = byEra.details;
  }
  if (runs('shutdown')) await shutdowns(rows, results);
  const watchdog = runs('watchdog') ? await watchdogCost(quick ? 3 : 10) : undefined;
  if (watchdog) {
    results.watchdog = watchdog.cost;
    rows.push({
      metric: 'host SIGKILL → 0 server processes (watchdog)',
      ours: Math.max(...watchdog.cost.hostDeathToZeroMs),
      raw: NaN,
      unit: 'ms',
      ratio: NaN,
      target: '≤ 3000 ms, 0 left',
      met: Math.max(...watchdog.cost.hostDeathToZeroMs) <= 3000 && watchdog.cost.survivorsAfterHostDeath === 0,
      oursLabel: `${formatNumber(Math.max(...watchdog.cost.hostDeathToZeroMs), 'ms')} (worst), ${watchdog.cost.survivorsAfterHostDeath} left`,
      rawLabel: '-',
      ratioLabel: '-',
    });
  }
  if (runs('heap')) heap(rows, results);
  if (runs('bundle')) bundleSize(rows, results);
  if (runs('gateway')) {
    const gateway = await gatewayCosts(settings.gateway);
    rows.push(...gateway.rows);
    results.gateway = gateway.details;
  }
  const table = render(rows);
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  const byEraText = byEra
    ? `Client cost per call, by server and client (${settings.eras.rounds} alternating rounds × ${settings.eras.callsPerRound} calls; CPU time of this process; median and IQR over rounds):\n\n${byEra.table}\n\n`
    : '';
  process.stdout.write(
    `\n${table}\n\n${byEraText}${watchdog ? `${watchdog.table}\n\n` : ''}` +
      `Medians over alternating rounds (warm-call ratios: median of per-round ratios, with their IQR where shown); ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), load average ${load}, Node ${process.version}, ${((Date.now() - started) / 1000).toFixed(0)} s.\n`,
  );
  const file = join(repoRoot, 'bench', 'results.json');
  writeFileSync(
    file,
    JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, loadAverage: loadavg(), settings, sections: only ?? sections, rows, table, byEraTable: byEra?.table, details: results }, null, 2) + '\n',
  );
  log(`results written to ${file}`);
  // Report-only targets (client cost, bundle size) are printed, never a reason to fail the run.
  if (rows.some((r) => !r.met && !r.reportOnly)) process.exitCode = 1;
}

if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
  // Heap numbers need a forced GC: run again with --expose-gc.
  const child = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, __filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
} else if (process.argv.includes('--heap-child')) {
  const side = process.argv[process.argv.indexOf('--heap-child') + 1] as 'ours' | 'raw';
  killEverythingOnInterrupt();
  void heapChild(side).then(
    (run) => process.stdout.write(`${JSON.stringify(run)}\n`),
    (e) => {
      process.stderr.write(`bench: heap (${side}) failed: ${(e as Error).stack}\n`);
      process.exitCode = 1;
    },
  );
} else {
  void main().catch((e) => {
    process.stderr.write(`bench: failed: ${(e as Error).stack}\n`);
    process.exitCode = 1;
  });
}

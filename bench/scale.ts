// `npm run bench:scale`: how the core's cost grows with the number of servers (issue 12, "Scale").
// At 10, 25 and 50 stdio fixture servers of 100 tools each (50 × 100 = 5,000 tools): the time until
// all are running, the host's RSS and heap per idle session, and the time to refresh every tool list.
// Medians over rounds with min–max, each measured in a fresh process; the per-server columns show
// whether growth is linear or better.
// Method and figures: docs/PERFORMANCE.md ("Scale").
//
//   node --expose-gc out/bench/scale.js [--rounds N] [--sizes 10,25,50] [--json FILE]

import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { SessionRegistry } from '../src/core/registry';
import { repoRoot } from '../test/support/paths';
import { log, settle } from './harness';
import { killEverythingOnInterrupt, ProcessBook } from './servers';
import { formatNumber, median, MiB, renderTable } from './stats';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    sizes: { type: 'string', default: '10,25,50' },
    json: { type: 'string', default: join(repoRoot, 'test-results', 'scale.json') },
    /** Internal: measure one size in this process and print the round as JSON. */
    child: { type: 'string' },
  },
  strict: true,
});

const rounds = Number(flags.rounds);
const sizes = flags.sizes!.split(',').map(Number);
if (!Number.isInteger(rounds) || rounds < 1 || sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--rounds and --sizes take positive integers');
/** 9 fixed tools + 91 generated = 100 tools per server; two pages of 50 per tools/list. */
const toolFlags = ['--tools=91', '--page-size=50'];
const toolsPerServer = 100;

interface Round {
  startAllMs: number;
  rssPerSessionBytes: number;
  heapPerSessionBytes: number;
  refreshAllMs: number;
  tools: number;
}

async function measure(servers: number): Promise<Round> {
  const book = new ProcessBook();
  await settle();
  const before = process.memoryUsage();
  const registry = new SessionRegistry({});
  let round: Round;
  let survivors: number;
  try {
    const names = Array.from({ length: servers }, (_, i) => `s${i}`);
    registry.reconcile(names.map((name) => book.definition(name, { flags: toolFlags })));
    let started = performance.now();
    await Promise.all(names.map((n) => registry.start(n)));
    const startAllMs = performance.now() - started;
    for (const server of registry.list()) if (server.pid) book.groups.add(server.pid);
    // The first listing fills the caches an idle session holds (what the Tool Explorer shows).
    const lists = await Promise.all(names.map((n) => registry.listTools(n)));
    const tools = lists.reduce((sum, list) => sum + list.length, 0);
    if (tools !== servers * toolsPerServer) throw new Error(`expected ${servers * toolsPerServer} tools, listed ${tools}`);
    await settle();
    const idle = process.memoryUsage();
    started = performance.now();
    await Promise.all(names.map((n) => registry.listTools(n, { refresh: true })));
    const refreshAllMs = performance.now() - started;
    round = {
      startAllMs,
      rssPerSessionBytes: (idle.rss - before.rss) / servers,
      heapPerSessionBytes: (idle.heapUsed - before.heapUsed) / servers,
      refreshAllMs,
      tools,
    };
  } finally {
    await registry.shutdown();
    survivors = book.survivors().length;
    await book.dispose();
  }
  if (survivors) throw new Error(`${survivors} processes survived the shutdown of ${servers} servers`);
  return round;
}

const spread = (values: number[], scale: number, unit: string) =>
  `${formatNumber(median(values) / scale, unit)} (${formatNumber(Math.min(...values) / scale, '')}–${formatNumber(Math.max(...values) / scale, '')})`;

/**
 * Each measurement runs in a fresh node process, so its RSS starts from the same place: in one
 * long process the pages freed by a previous round are reused and RSS deltas mean little.
 */
function measureInChild(servers: number): Promise<Round> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', __filename, `--child=${servers}`], { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`measuring ${servers} servers failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Round);
    });
  });
}

async function child(servers: number): Promise<void> {
  killEverythingOnInterrupt();
  // A discarded warm-up, so module loading and code warm-up land in no figure.
  await measure(2);
  process.stdout.write(JSON.stringify(await measure(servers)));
}

async function main(): Promise<void> {
  const results = new Map<number, Round[]>(sizes.map((n) => [n, []]));
  // Sizes alternate within a round, so the machine's load drifts over all of them alike.
  for (let round = 0; round < rounds; round++) {
    for (const servers of round % 2 === 0 ? sizes : [...sizes].reverse()) {
      log(`round ${round + 1}/${rounds}: ${servers} servers × ${toolsPerServer} tools`);
      results.get(servers)!.push(await measureInChild(servers));
    }
  }
  const smallest = sizes[0];
  const perServer = (n: number, pick: (r: Round) => number) => median(results.get(n)!.map(pick)) / n;
  const growth = (n: number, pick: (r: Round) => number) => (perServer(n, pick) / perServer(smallest, pick)).toFixed(2);
  const rows = sizes.map((n) => {
    const rs = results.get(n)!;
    return [
      `${n} servers / ${n * toolsPerServer} tools`,
      spread(rs.map((r) => r.startAllMs), 1, 'ms'),
      `${formatNumber(perServer(n, (r) => r.startAllMs), 'ms')} (×${growth(n, (r) => r.startAllMs)})`,
      spread(rs.map((r) => r.rssPerSessionBytes), MiB, 'MiB'),
      spread(rs.map((r) => r.heapPerSessionBytes), MiB, 'MiB'),
      spread(rs.map((r) => r.refreshAllMs), 1, 'ms'),
      `${formatNumber(perServer(n, (r) => r.refreshAllMs), 'ms')} (×${growth(n, (r) => r.refreshAllMs)})`,
    ];
  });
  console.log(`\nScale: medians of ${rounds} round(s) (min–max); "×" is the per-server cost relative to ${smallest} servers (≤ 1: linear or better)`);
  console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}\n`);
  console.log(
    renderTable(
      ['servers', 'all running', 'per server', 'host RSS / idle session', 'host heap / idle session', 'refresh every tool list', 'per server'],
      rows,
    ),
  );
  mkdirSync(dirname(flags.json!), { recursive: true });
  writeFileSync(
    flags.json!,
    JSON.stringify({ rounds, toolsPerServer, machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg(), node: process.version }, results: Object.fromEntries(results) }, null, 2) + '\n',
  );
}

if (!(globalThis as { gc?: unknown }).gc) {
  console.error('scale: run with node --expose-gc (npm run bench:scale does)');
  process.exit(2);
}
(flags.child ? child(Number(flags.child)) : main()).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`scale: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);

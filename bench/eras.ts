// Client cost per call in both protocol eras: ours (the SessionRegistry, as the extension uses
// it) against the raw SDK clients of both lines — v1 (`@modelcontextprotocol/sdk`, 2025 era
// only) and v2 (`@modelcontextprotocol/client` with `versionNegotiation: 'auto'`) — on a v1
// server (legacy era) and on a v2 server that serves both eras, so a client that can speaks
// 2026-07-28 to it. Method: docs/benchmarks.md.
//
// The main measure is the CPU time of this process per warm call (`process.cpuUsage`): it
// counts the work the client does and hardly moves with the machine's load, where wall-clock
// numbers swing by tens of percent between rounds on a shared machine.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { lineLogger } from '../src/core/logger';
import { SessionRegistry } from '../src/core/registry';
import { alternate, log, type Call, type Row } from './harness';
import { ProcessBook, type Era, type FixtureSpec } from './servers';
import { formatNumber, iqr, median, percentile, renderTable } from './stats';

export interface EraSettings {
  /** ≥ 20, and a multiple of 3 so that each of the three sides goes first equally often. */
  rounds: number;
  callsPerRound: number;
  warmupCalls: number;
  /** Unmeasured calls at the start of each side's turn (see docs/benchmarks.md). */
  turnWarmupCalls: number;
  connectRepeats: number;
}

const sides = ['ours', 'rawV1', 'rawV2'] as const;
type Side = (typeof sides)[number];
const sideLabel: Record<Side, string> = { ours: 'ours', rawV1: 'raw v1', rawV2: 'raw v2' };
const eraLabel: Record<Era, string> = { legacy: '2025', modern: '2026-07-28' };

interface ServerUnderTest {
  key: 'v1' | 'v2';
  label: string;
  spec: FixtureSpec;
}

const serversUnderTest: ServerUnderTest[] = [
  { key: 'v1', label: 'v1 server', spec: { flags: [] } },
  { key: 'v2', label: 'v2 server', spec: { flags: [], server: 'v2' } },
];

interface Connection {
  call: Call;
  pid: number;
  connectMs: number;
  close(): Promise<void>;
}

interface RoundCost {
  cpuMicrosPerCall: number;
  p50Ms: number;
}

const echoArgs = { text: 'hello' };

/** Our registry configured as the extension configures it: its own process ledger and a logger at info. */
function ourRegistry(stateRoot: string): SessionRegistry {
  const stateDir = mkdtempSync(join(stateRoot, 'registry-'));
  return new SessionRegistry({ logger: lineLogger(() => undefined), stateDir, clientInfo: { name: 'bench-ours', version: '1.0.0' } });
}

async function connect(side: Side, book: ProcessBook, spec: FixtureSpec, stateRoot: string): Promise<Connection> {
  if (side === 'ours') {
    const registry = ourRegistry(stateRoot);
    registry.reconcile([book.definition('echo', spec)]);
    const start = performance.now();
    await registry.start('echo');
    const connectMs = performance.now() - start;
    const pid = registry.list()[0].pid!;
    book.groups.add(pid);
    return { call: () => registry.callTool('echo', 'echo', echoArgs), pid, connectMs, close: async () => void (await registry.shutdown()) };
  }
  const start = performance.now();
  const { client, transport } = side === 'rawV1' ? await book.rawClient(spec) : await book.rawV2Client(spec);
  const connectMs = performance.now() - start;
  return { call: () => client.callTool({ name: 'echo', arguments: echoArgs }), pid: transport.pid!, connectMs, close: () => client.close() };
}

/** A call that fails fast with an error result would look cheap: check what came back. */
function assertEchoed(result: unknown): void {
  const { content, isError } = result as { content?: { text?: string }[]; isError?: boolean };
  if (isError || content?.[0]?.text !== echoArgs.text) throw new Error(`echo returned ${JSON.stringify(result)}`);
}

/** `n` sequential warm calls: this process's CPU time (user + system) per call, and the p50 latency. */
async function measure(call: Call, n: number): Promise<RoundCost> {
  const latencies = new Array<number>(n);
  let last: unknown;
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    last = await call();
    latencies[i] = performance.now() - start;
  }
  const cpu = process.cpuUsage(cpuBefore);
  assertEchoed(last);
  return { cpuMicrosPerCall: (cpu.user + cpu.system) / n, p50Ms: percentile(latencies, 50) };
}

function perSide<T>(run: (side: Side) => Promise<T>): Record<Side, () => Promise<T>> {
  return { ours: () => run('ours'), rawV1: () => run('rawV1'), rawV2: () => run('rawV2') };
}

interface ServerResult {
  eras: Record<Side, Era>;
  connectMs: Record<Side, number[]>;
  rounds: Record<Side, RoundCost[]>;
}

async function measureServer(server: ServerUnderTest, settings: EraSettings, stateRoot: string): Promise<ServerResult> {
  const book = new ProcessBook();
  const open: Connection[] = [];
  try {
    log(`client cost, ${server.label}: connect ${settings.connectRepeats} × per side`);
    const connects = await alternate(
      settings.connectRepeats,
      perSide(async (side) => {
        const connection = await connect(side, book, server.spec, stateRoot);
        await connection.close();
        return connection.connectMs;
      }),
    );

    const connections = {} as Record<Side, Connection>;
    const eras = {} as Record<Side, Era>;
    for (const side of sides) {
      const connection = await connect(side, book, server.spec, stateRoot);
      open.push(connection);
      connections[side] = connection;
      await measure(connection.call, settings.warmupCalls);
      eras[side] = book.eraOf(server.spec, connection.pid);
    }
    log(`client cost, ${server.label}: ${settings.rounds} rounds × ${settings.callsPerRound} warm calls per side (eras: ${sides.map((s) => `${sideLabel[s]} ${eraLabel[eras[s]]}`).join(', ')})`);
    const rounds = await alternate(
      settings.rounds,
      perSide(async (side) => {
        await measure(connections[side].call, settings.turnWarmupCalls);
        return measure(connections[side].call, settings.callsPerRound);
      }),
    );
    return { eras, connectMs: connects, rounds };
  } finally {
    for (const connection of open) await connection.close();
    await book.dispose();
  }
}

// ---- report ----------------------------------------------------------------------------------

function withSpread(values: number[], unit: string): string {
  const [low, high] = iqr(values);
  return `${formatNumber(median(values), unit)} (IQR ${formatNumber(low, '')}–${formatNumber(high, '')})`;
}

function ratioWithSpread(ratios: number[]): string {
  const [low, high] = iqr(ratios);
  return `${median(ratios).toFixed(2)}× (IQR ${low.toFixed(2)}–${high.toFixed(2)})`;
}

/**
 * Rows of ours against each raw client on one server. The target (≤ 1.05×) holds against the raw
 * client of the era ours spoke; against the other era the ratio is information (it is then the
 * modern-era call overhead, or its legacy counterpart). Ratios are medians of per-round ratios:
 * the three sides of a round ran back to back, under the same load.
 */
function ratioRows(server: ServerUnderTest, result: ServerResult): Row[] {
  const rows: Row[] = [];
  const measures = [
    { metric: 'CPU per call', unit: 'µs', of: (r: RoundCost) => r.cpuMicrosPerCall },
    { metric: 'warm p50', unit: 'ms', of: (r: RoundCost) => r.p50Ms },
  ];
  for (const baseline of ['rawV1', 'rawV2'] as const) {
    const sameEra = result.eras.ours === result.eras[baseline];
    for (const { metric, unit, of } of measures) {
      const ours = result.rounds.ours.map(of);
      const raw = result.rounds[baseline].map(of);
      const ratios = ours.map((value, i) => value / raw[i]);
      const ratio = median(ratios);
      const eras = sameEra ? `${eraLabel[result.eras.ours]} era` : `ours ${eraLabel[result.eras.ours]} / raw ${eraLabel[result.eras[baseline]]}`;
      rows.push({
        metric: `${metric}, ${server.label}: ours / ${sideLabel[baseline]} (${eras})`,
        ours: median(ours),
        raw: median(raw),
        unit,
        oursLabel: withSpread(ours, unit),
        rawLabel: withSpread(raw, unit),
        ratio,
        ratioLabel: ratioWithSpread(ratios),
        target: sameEra ? '≤ 1.05×' : '(info: other era)',
        met: !sameEra || ratio <= 1.05,
        reportOnly: true,
      });
    }
  }
  return rows;
}

function sideTable(results: Map<ServerUnderTest, ServerResult>): string {
  const lines: string[][] = [];
  for (const [server, result] of results) {
    for (const side of sides) {
      lines.push([
        server.label,
        sideLabel[side],
        eraLabel[result.eras[side]],
        withSpread(result.connectMs[side], 'ms'),
        withSpread(result.rounds[side].map((r) => r.cpuMicrosPerCall), 'µs'),
        withSpread(result.rounds[side].map((r) => r.p50Ms), 'ms'),
      ]);
    }
  }
  return renderTable(['server', 'client', 'era', 'connect', 'CPU per warm call', 'warm call p50'], lines);
}

/** Measures both servers; returns the ratio rows for the main table and the per-client table. */
export async function clientCostByEra(settings: EraSettings): Promise<{ rows: Row[]; table: string; details: Record<string, ServerResult> }> {
  const stateRoot = mkdtempSync(join(tmpdir(), 'mcp-bench-state-'));
  try {
    const results = new Map<ServerUnderTest, ServerResult>();
    for (const server of serversUnderTest) results.set(server, await measureServer(server, settings, stateRoot));
    return {
      rows: [...results].flatMap(([server, result]) => ratioRows(server, result)),
      table: sideTable(results),
      details: Object.fromEntries([...results].map(([server, result]) => [server.key, result])),
    };
  } finally {
    rmSync(stateRoot, { recursive: true, force: true });
  }
}

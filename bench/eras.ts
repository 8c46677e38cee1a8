// Client cost per call in both protocol eras: ours (the SessionRegistry, as the extension uses
// it; its core is on the v2 client) against the raw SDK clients of both lines — v2
// (`@modelcontextprotocol/client` with `versionNegotiation: 'auto'`: the same-era baseline) and
// v1 (`@modelcontextprotocol/sdk`, 2025 era only: the reference) — on a v1 server (legacy era)
// and on a v2 server that serves both eras, so a client that can speaks 2026-07-28 to it. Plus
// connect and restart (with a cached era verdict) per side. Method: docs/benchmarks.md.
//
// The main measure is the CPU time of this process per warm call (`process.cpuUsage`): it
// counts the work the client does and hardly moves with the machine's load, where wall-clock
// numbers swing by tens of percent between rounds on a shared machine.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { PriorDiscovery } from '@modelcontextprotocol/client';
import { lineLogger } from '../src/core/logger';
import { SecretRedactor } from '../src/core/redact';
import { SessionRegistry } from '../src/core/registry';
import { alternate, log, type Call, type Row } from './harness';
import { ProcessBook, setsidPath, type Era, type FixtureSpec } from './servers';
import { formatNumber, iqr, median, percentile, renderTable } from './stats';

export interface EraSettings {
  /** ≥ 20, and a multiple of 4 so that each of the four sides goes first equally often. */
  rounds: number;
  callsPerRound: number;
  warmupCalls: number;
  /** Unmeasured calls at the start of each side's turn (see docs/benchmarks.md). */
  turnWarmupCalls: number;
  connectRepeats: number;
}

/**
 * `rawV2` is the same-era baseline (ours is on the v2 client); `rawV2OwnSession` is the same
 * client with its server started through setsid(1), placed as ours are (its own session, so
 * its own scheduling group: see docs/benchmarks.md); `rawV1` is the reference of the v1 line.
 */
const sides = ['ours', 'rawV2', 'rawV2OwnSession', 'rawV1'] as const;
type Side = (typeof sides)[number];
const sideLabel: Record<Side, string> = { ours: 'ours', rawV2: 'raw v2', rawV2OwnSession: 'raw v2, server in own session', rawV1: 'raw v1' };
/** The sides whose connect is measured: the control differs from raw v2 only in its server's placement. */
const connectSides = ['ours', 'rawV2', 'rawV1'] as const;
type ConnectSide = (typeof connectSides)[number];
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
  /** The era the client says it negotiated (checked against the server's account). */
  clientEra: Era;
  close(): Promise<void>;
}

interface RoundCost {
  cpuMicrosPerCall: number;
  p50Ms: number;
}

/** One connect of a side with nothing known, then one restart with whatever the first taught it; each until its first call is answered. */
interface ConnectCost {
  firstMs: number;
  /** Server processes spawned for the connect (raw v2 probes on a throwaway sibling). */
  firstSpawns: number;
  /** Ours: stop, then start again (its era verdict cached). Raw v2: a new client connected with `prior`. Raw v1: connected again. */
  restartMs: number;
  restartSpawns: number;
}

const echoArgs = { text: 'hello' };

/** Our registry configured as the extension configures it: its own process ledger, a logger at info and a redactor. */
function ourRegistry(stateRoot: string): SessionRegistry {
  const stateDir = mkdtempSync(join(stateRoot, 'registry-'));
  return new SessionRegistry({ logger: lineLogger(() => undefined), stateDir, clientInfo: { name: 'bench-ours', version: '1.0.0' }, redactor: new SecretRedactor() });
}

function eraOf(era: string | undefined): Era {
  if (era !== 'legacy' && era !== 'modern') throw new Error(`no protocol era negotiated (${era})`);
  return era;
}

/** A warm connection of one side, its tools listed (as a client does before calling them; ours lists them by itself). */
async function connect(side: Side, book: ProcessBook, spec: FixtureSpec, stateRoot: string): Promise<Connection> {
  if (side === 'ours') {
    const registry = ourRegistry(stateRoot);
    registry.reconcile([book.definition('echo', spec)]);
    await registry.start('echo');
    await registry.listTools('echo');
    const { pid, protocol } = registry.list()[0];
    book.groups.add(pid!);
    return { call: () => registry.callTool('echo', 'echo', echoArgs), pid: pid!, clientEra: eraOf(protocol?.era), close: async () => void (await registry.shutdown()) };
  }
  if (side === 'rawV1') {
    const { client, transport } = await book.rawClient(spec);
    await client.listTools();
    return { call: () => client.callTool({ name: 'echo', arguments: echoArgs }), pid: transport.pid!, clientEra: 'legacy', close: () => client.close() };
  }
  const { client, transport } = await book.rawV2Client(spec, { launcher: side === 'rawV2OwnSession' ? setsidPath : undefined });
  await client.listTools();
  return { call: () => client.callTool({ name: 'echo', arguments: echoArgs }), pid: transport.pid!, clientEra: eraOf(client.getProtocolEra()), close: () => client.close() };
}

/**
 * Runs `connect` and one echo call, timed together: with a cached modern verdict the SDK's
 * `connect()` returns before the server has started (zero round trips), so only the first answer
 * says the server is usable. Counts the server processes spawned meanwhile (each fixture writes
 * a pid file as it starts; a server that answered has started).
 */
async function timedConnect(book: ProcessBook, connect: () => Promise<Call>): Promise<{ ms: number; spawns: number }> {
  const before = book.spawned();
  const start = performance.now();
  const call = await connect();
  assertEchoed(await call());
  const ms = performance.now() - start;
  return { ms, spawns: book.spawned() - before };
}

async function connectCost(side: ConnectSide, book: ProcessBook, spec: FixtureSpec, stateRoot: string): Promise<ConnectCost> {
  if (side === 'ours') {
    const registry = ourRegistry(stateRoot);
    const call = () => registry.callTool('echo', 'echo', echoArgs);
    try {
      registry.reconcile([book.definition('echo', spec)]);
      const first = await timedConnect(book, async () => (await registry.start('echo'), call));
      book.groups.add(registry.list()[0].pid!);
      await registry.stop('echo');
      const restart = await timedConnect(book, async () => (await registry.start('echo'), call));
      book.groups.add(registry.list()[0].pid!);
      return { firstMs: first.ms, firstSpawns: first.spawns, restartMs: restart.ms, restartSpawns: restart.spawns };
    } finally {
      await registry.shutdown();
    }
  }
  if (side === 'rawV1') {
    let raw: Awaited<ReturnType<ProcessBook['rawClient']>> | undefined;
    const connectV1 = async () => {
      raw = await book.rawClient(spec);
      const { client } = raw;
      return () => client.callTool({ name: 'echo', arguments: echoArgs });
    };
    const first = await timedConnect(book, connectV1);
    await raw!.client.close();
    const restart = await timedConnect(book, connectV1);
    await raw!.client.close();
    return { firstMs: first.ms, firstSpawns: first.spawns, restartMs: restart.ms, restartSpawns: restart.spawns };
  }
  let raw: Awaited<ReturnType<ProcessBook['rawV2Client']>> | undefined;
  const connectV2 = (prior?: PriorDiscovery) => async () => {
    raw = await book.rawV2Client(spec, { prior });
    const { client } = raw;
    return () => client.callTool({ name: 'echo', arguments: echoArgs });
  };
  const first = await timedConnect(book, connectV2());
  const discover = raw!.client.getDiscoverResult();
  // What a client that caches the verdict, as our core does, passes on its next connect.
  const prior: PriorDiscovery = discover ? { kind: 'modern', discover } : { kind: 'legacy' };
  await raw!.client.close();
  const restart = await timedConnect(book, connectV2(prior));
  await raw!.client.close();
  return { firstMs: first.ms, firstSpawns: first.spawns, restartMs: restart.ms, restartSpawns: restart.spawns };
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

function perSide<S extends string, T>(names: readonly S[], run: (side: S) => Promise<T>): Record<S, () => Promise<T>> {
  return Object.fromEntries(names.map((side) => [side, () => run(side)])) as Record<S, () => Promise<T>>;
}

interface ServerResult {
  /** The era each side spoke, as the server saw it and the client said (they must agree). */
  eras: Record<Side, Era>;
  connects: Record<ConnectSide, ConnectCost[]>;
  rounds: Record<Side, RoundCost[]>;
}

async function measureServer(server: ServerUnderTest, settings: EraSettings, stateRoot: string): Promise<ServerResult> {
  const book = new ProcessBook();
  const open: Connection[] = [];
  try {
    log(`client cost, ${server.label}: connect and restart ${settings.connectRepeats} × per side`);
    const connects = await alternate(
      settings.connectRepeats,
      perSide(connectSides, (side) => connectCost(side, book, server.spec, stateRoot)),
    );

    const connections = {} as Record<Side, Connection>;
    const eras = {} as Record<Side, Era>;
    for (const side of sides) {
      const connection = await connect(side, book, server.spec, stateRoot);
      open.push(connection);
      connections[side] = connection;
      await measure(connection.call, settings.warmupCalls);
      const serverEra = book.eraOf(server.spec, connection.pid);
      if (serverEra !== connection.clientEra) throw new Error(`${sideLabel[side]} on the ${server.label}: the client says ${connection.clientEra}, the server ${serverEra}`);
      eras[side] = serverEra;
    }
    log(`client cost, ${server.label}: ${settings.rounds} rounds × ${settings.callsPerRound} warm calls per side (eras: ${sides.map((s) => `${sideLabel[s]} ${eraLabel[eras[s]]}`).join(', ')})`);
    const rounds = await alternate(
      settings.rounds,
      perSide(sides, async (side) => {
        await measure(connections[side].call, settings.turnWarmupCalls);
        return measure(connections[side].call, settings.callsPerRound);
      }),
    );
    return { eras, connects, rounds };
  } finally {
    for (const connection of open) await connection.close();
    await book.dispose();
  }
}

// ---- report ----------------------------------------------------------------------------------

function withSpread(values: number[], unit: string): string {
  if (values.length === 0) return '-';
  const [low, high] = iqr(values);
  return `${formatNumber(median(values), unit)} (IQR ${formatNumber(low, '')}–${formatNumber(high, '')})`;
}

function ratioWithSpread(ratios: number[]): string {
  const [low, high] = iqr(ratios);
  return `${median(ratios).toFixed(2)}× (IQR ${low.toFixed(2)}–${high.toFixed(2)})`;
}

/** "2025" when both spoke it, else "ours 2026-07-28 / raw 2025". */
function erasOf(result: ServerResult, baseline: Side): string {
  const ours = result.eras.ours;
  return ours === result.eras[baseline] ? `both ${eraLabel[ours]}` : `ours ${eraLabel[ours]} / ${sideLabel[baseline]} ${eraLabel[result.eras[baseline]]}`;
}

/**
 * Rows of ours against each raw side on one server. The target (≤ 1.05×) holds against the raw
 * v2 client when it spoke the era ours spoke: the same client in the same era. The control and
 * raw v1 (the reference) are information. Ratios are medians of per-round ratios: the sides of
 * a round ran back to back, under the same load.
 */
function ratioRows(server: ServerUnderTest, result: ServerResult): Row[] {
  const rows: Row[] = [];
  const measures = [
    { metric: 'CPU per call', unit: 'µs', of: (r: RoundCost) => r.cpuMicrosPerCall },
    { metric: 'warm p50', unit: 'ms', of: (r: RoundCost) => r.p50Ms },
  ];
  const baselines = [
    { side: 'rawV2', prefix: '', name: 'raw v2' },
    { side: 'rawV2OwnSession', prefix: '  control: ', name: 'raw v2, server in own session' },
    { side: 'rawV1', prefix: '  reference: ', name: 'raw v1' },
  ] as const;
  for (const baseline of baselines) {
    const targeted = baseline.side === 'rawV2' && result.eras.ours === result.eras.rawV2;
    for (const { metric, unit, of } of measures) {
      const ours = result.rounds.ours.map(of);
      const raw = result.rounds[baseline.side].map(of);
      const ratios = ours.map((value, i) => value / raw[i]);
      const ratio = median(ratios);
      rows.push({
        metric: `${baseline.prefix}${metric}, ${server.label}: ours / ${baseline.name} (${erasOf(result, baseline.side)})`,
        ours: median(ours),
        raw: median(raw),
        unit,
        oursLabel: withSpread(ours, unit),
        rawLabel: withSpread(raw, unit),
        ratio,
        ratioLabel: ratioWithSpread(ratios),
        target: targeted ? '≤ 1.05×' : '(info)',
        met: !targeted || ratio <= 1.05,
        reportOnly: true,
      });
    }
  }
  const connectRow = (what: string, of: (c: ConnectCost) => number, spawnsOf: (c: ConnectCost) => number): Row => {
    const ours = median(result.connects.ours.map(of));
    const raw = median(result.connects.rawV2.map(of));
    const spawns = (side: ConnectSide) => Math.max(...result.connects[side].map(spawnsOf));
    return {
      metric: `  ${what} + first call, ${server.label}: ours / raw v2 (${erasOf(result, 'rawV2')})`,
      ours,
      raw,
      unit: 'ms',
      oursLabel: `${withSpread(result.connects.ours.map(of), 'ms')}, ${spawns('ours')} spawn`,
      rawLabel: `${withSpread(result.connects.rawV2.map(of), 'ms')}, ${spawns('rawV2')} spawn`,
      ratio: ours / raw,
      target: '(info)',
      met: true,
      reportOnly: true,
    };
  };
  rows.push(
    connectRow('connect', (c) => c.firstMs, (c) => c.firstSpawns),
    connectRow('restart, era verdict cached', (c) => c.restartMs, (c) => c.restartSpawns),
  );
  return rows;
}

function sideTable(results: Map<ServerUnderTest, ServerResult>): string {
  const lines: string[][] = [];
  for (const [server, result] of results) {
    for (const side of sides) {
      const connects = (connectSides as readonly Side[]).includes(side) ? result.connects[side as ConnectSide] : undefined;
      const spawns = (of: (c: ConnectCost) => number) => (connects ? ` ×${Math.max(...connects.map(of))}` : '');
      lines.push([
        server.label,
        sideLabel[side],
        eraLabel[result.eras[side]],
        connects ? `${withSpread(connects.map((c) => c.firstMs), 'ms')}${spawns((c) => c.firstSpawns)}` : '-',
        connects ? `${withSpread(connects.map((c) => c.restartMs), 'ms')}${spawns((c) => c.restartSpawns)}` : '-',
        withSpread(result.rounds[side].map((r) => r.cpuMicrosPerCall), 'µs'),
        withSpread(result.rounds[side].map((r) => r.p50Ms), 'ms'),
      ]);
    }
  }
  return renderTable(['server', 'client', 'era', 'connect + first call (×spawns)', 'restart, verdict cached (×spawns)', 'CPU per warm call', 'warm call p50'], lines);
}

/** Measures both servers; returns the ratio rows for the main table and the per-client table. */
export async function clientCostByEra(settings: EraSettings): Promise<{ rows: Row[]; table: string; details: Record<string, ServerResult> }> {
  if (!setsidPath) throw new Error('setsid(1) is needed for the own-session control (util-linux)');
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

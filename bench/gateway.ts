// The gateway (issue 10): what a call through it costs next to a direct registry call, and what
// the CLI gains from a running gateway. Method: docs/benchmarks.md ("Gateway").
//
// - Per call: the same registry and fixture server, called directly (`registry.callTool`) and
//   through the gateway by the v2 client over loopback HTTP (2026-07-28), in alternating rounds;
//   wall time and CPU time of this process per call (the client, the gateway and the registry
//   all run here, so the CPU column is the whole overhead a host pays).
// - CLI end to end: `node dist/cli.js call … --no-gateway` (spawns the server, handshake, call,
//   teardown) against the same command while `mcp-sessions serve` runs (no spawn, no handshake),
//   wall time per command, alternating.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { McpGateway } from '../src/core/gateway/gateway';
import { SessionRegistry } from '../src/core/registry';
import { fixturesDir, repoRoot } from '../test/support/paths';
import { alternate, log, type Row } from './harness';
import { ProcessBook } from './servers';
import { formatNumber, iqr, median } from './stats';

export interface GatewaySettings {
  rounds: number;
  callsPerRound: number;
  cliRounds: number;
}

interface PerCall {
  wallMs: number;
  cpuMs: number;
}

async function measure(calls: number, call: () => Promise<unknown>): Promise<PerCall> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < calls; i++) await call();
  const wallMs = (performance.now() - start) / calls;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 / calls };
}

function spread(values: number[], unit: string): string {
  const [low, high] = iqr(values);
  return `${formatNumber(median(values), unit)} (IQR ${formatNumber(low, unit)}–${formatNumber(high, unit)})`;
}

function row(metric: string, through: number[], baseline: number[], unit: string, labels: [string, string]): Row {
  const ratio = median(through.map((x, i) => x / baseline[i]));
  return {
    metric,
    ours: median(through),
    raw: median(baseline),
    unit,
    ratio,
    target: 'reported',
    met: true,
    reportOnly: true,
    oursLabel: `${labels[0]}: ${spread(through, unit)}`,
    rawLabel: `${labels[1]}: ${spread(baseline, unit)}`,
  };
}

async function perCall(settings: GatewaySettings): Promise<{ rows: Row[]; details: unknown }> {
  const book = new ProcessBook();
  const registry = new SessionRegistry({});
  const gateway = await McpGateway.start({ registry, version: 'bench' });
  const client = new Client({ name: 'bench', version: '1' }, { versionNegotiation: { mode: 'auto' } });
  try {
    registry.reconcile([book.definition('gw', { flags: [] })]);
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url('gw')), { requestInit: { headers: gateway.headers } }));
    const args = { text: 'hello' };
    const direct = () => registry.callTool('gw', 'echo', args);
    const through = () => client.callTool({ name: 'echo', arguments: args });
    await measure(300, direct);
    await measure(300, through);
    log(`gateway per call: ${settings.rounds} rounds × ${settings.callsPerRound} calls per side`);
    const results = await alternate(settings.rounds, { direct: () => measure(settings.callsPerRound, direct), through: () => measure(settings.callsPerRound, through) });
    const wall = (side: 'direct' | 'through') => results[side].map((r) => r.wallMs);
    const cpu = (side: 'direct' | 'through') => results[side].map((r) => r.cpuMs);
    return {
      rows: [
        row('call through the gateway vs direct registry call, wall per call', wall('through'), wall('direct'), 'ms', ['gateway', 'direct']),
        row('call through the gateway vs direct registry call, CPU per call', cpu('through'), cpu('direct'), 'ms', ['gateway', 'direct']),
      ],
      details: results,
    };
  } finally {
    await client.close().catch(() => undefined);
    await gateway.close();
    await registry.shutdown();
    await book.dispose();
  }
}

function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], { cwd, env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - start) : reject(new Error(`mcp-sessions ${args.join(' ')} exited ${code}`))));
  });
}

async function cliEndToEnd(settings: GatewaySettings): Promise<{ rows: Row[]; details: unknown }> {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-bench-gateway-'));
  const env = { ...process.env, MCP_SESSIONS_RUNTIME_DIR: join(dir, 'run') };
  mkdirSync(join(dir, '.vscode'));
  writeFileSync(join(dir, '.vscode', 'mcp.json'), JSON.stringify({ servers: { echo: { command: process.execPath, args: [join(fixturesDir, 'stdio-server.mjs')] } } }));
  const serve = spawn(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'serve'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      serve.stdout!.once('data', () => resolve());
      serve.once('exit', (code) => reject(new Error(`mcp-sessions serve exited ${code}`)));
    });
    const call = ['call', 'echo', 'echo', '--args', '{"text":"hello"}'];
    await runCli([...call, '--gateway'], dir, env);
    log(`CLI end to end: ${settings.cliRounds} rounds, cold (--no-gateway) and through "mcp-sessions serve"`);
    const results = await alternate(settings.cliRounds, { cold: () => runCli([...call, '--no-gateway'], dir, env), warm: () => runCli([...call, '--gateway'], dir, env) });
    return { rows: [row('CLI `call` end to end: through a running gateway vs cold', results.warm, results.cold, 'ms', ['through serve', 'cold'])], details: results };
  } finally {
    serve.kill('SIGTERM');
    await new Promise((resolve) => serve.once('close', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function gatewayCosts(settings: GatewaySettings): Promise<{ rows: Row[]; details: unknown }> {
  const calls = await perCall(settings);
  const cli = await cliEndToEnd(settings);
  return { rows: [...calls.rows, ...cli.rows], details: { perCall: calls.details, cli: cli.details } };
}

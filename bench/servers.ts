// Fixture servers for the benchmark, started through our registry or through a raw SDK client
// (Client + the SDK's own StdioClientTransport, of the v1 line or the v2 line), and the
// bookkeeping that proves none of them survives.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as V2Client, type PriorDiscovery } from '@modelcontextprotocol/client';
import { StdioClientTransport as V2StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { StdioServerDefinition } from '../src/core/definitions';
import { inheritedEnvironment } from '../src/core/env';
import { isGroupAlive, isProcessAlive, signalGroup } from '../src/core/processTree';
import { fixturesDir, repoRoot } from '../test/support/paths';

const stdioServer = join(fixturesDir, 'stdio-server.mjs');
const wrappedServer = join(fixturesDir, 'wrapped-server.sh');
const v2EchoServer = join(repoRoot, 'bench', 'fixtures', 'v2-echo-server.mjs');

/**
 * Our servers lead their own process group, and Node can only do that with setsid(), which
 * also starts a new session. With the kernel's autogroup scheduling a new session is a new
 * scheduling group, which on a loaded machine changes wake-up latency and CPU time. Controls
 * start a raw client's server in its own session too (through setsid(1)), to tell our code's
 * cost apart from the effect of the process placement.
 */
export const setsidPath = ['/usr/bin/setsid', '/bin/setsid'].find((p) => existsSync(p));

/** The protocol era a connection speaks: 2025-11-25 and before (`initialize`), or 2026-07-28. */
export type Era = 'legacy' | 'modern';

export interface FixtureSpec {
  flags: string[];
  /** Started through test/fixtures/wrapped-server.sh: sh → node, a real grandchild. */
  wrapped?: boolean;
  /**
   * 'v1' (default): test/fixtures/stdio-server.mjs, built with the v1 SDK, 2025 era only.
   * 'v2': bench/fixtures/v2-echo-server.mjs, built with the v2 SDK, both eras (flags are ignored).
   */
  server?: 'v1' | 'v2';
}

/**
 * Raw clients start their servers with the environment our core gives its servers. The SDK's
 * default is a short allowlist (HOME, PATH, …); the inherited one can hold variables that change
 * what a server costs to start — here NODE_EXTRA_CA_CERTS, which adds ~50 ms to each node start —
 * and connect times would then compare environments, not clients.
 */
const serverEnv = inheritedEnvironment();

function commandLine(spec: FixtureSpec, pidDir: string): { command: string; args: string[] } {
  if (spec.server === 'v2') return { command: process.execPath, args: [v2EchoServer, `--pid-dir=${pidDir}`] };
  const args = [...spec.flags, `--pid-dir=${pidDir}`];
  return spec.wrapped ? { command: wrappedServer, args } : { command: process.execPath, args: [stdioServer, ...args] };
}

/**
 * Every process the fixtures of one scenario started, from their pid files: servers, their
 * grandchildren, and the `sh` of wrapped servers (a server's parent when it is not us).
 */
export class ProcessBook {
  readonly pidDir = mkdtempSync(join(tmpdir(), 'mcp-bench-pids-'));
  /** Process groups led by servers our registry spawned. */
  readonly groups = new Set<number>();

  constructor() {
    openBooks.add(this);
  }

  definition(name: string, spec: FixtureSpec): StdioServerDefinition {
    return { kind: 'stdio', name, ...commandLine(spec, this.pidDir), env: {}, source: { label: 'bench' } };
  }

  /** A raw SDK client of its own server; `launcher` (e.g. setsid) is put in front of the command. */
  async rawClient(spec: FixtureSpec, launcher?: string): Promise<{ client: Client; transport: StdioClientTransport }> {
    const { command, args } = commandLine(spec, this.pidDir);
    const transport = new StdioClientTransport({ ...(launcher ? { command: launcher, args: [command, ...args] } : { command, args }), env: serverEnv, stderr: 'ignore' });
    const client = new Client({ name: 'bench-raw-sdk', version: '1.0.0' }, { capabilities: {} });
    await client.connect(transport);
    return { client, transport };
  }

  /**
   * A raw client of the SDK's v2 line over its own stdio transport, negotiating the era
   * (`versionNegotiation: 'auto'`). On that transport the SDK probes on a throwaway sibling
   * process of the server and then spawns the server for the session; with `prior` (a cached
   * era verdict) it does not probe. `launcher` (e.g. setsid) is put in front of the command.
   */
  async rawV2Client(spec: FixtureSpec, options: { launcher?: string; prior?: PriorDiscovery } = {}): Promise<{ client: V2Client; transport: V2StdioClientTransport }> {
    const { command, args } = commandLine(spec, this.pidDir);
    const launched = options.launcher ? { command: options.launcher, args: [command, ...args] } : { command, args };
    const transport = new V2StdioClientTransport({ ...launched, env: serverEnv, stderr: 'ignore' });
    const client = new V2Client({ name: 'bench-raw-sdk-v2', version: '1.0.0' }, { capabilities: {}, versionNegotiation: { mode: 'auto' } });
    await client.connect(transport, { prior: options.prior });
    return { client, transport };
  }

  /** How many fixture processes have started in this scenario: each writes its pid file as it starts. */
  spawned(): number {
    return readdirSync(this.pidDir).length;
  }

  /** The era the server process `pid` serves, as it wrote in its pid file; a v1 server speaks only the legacy era. */
  eraOf(spec: FixtureSpec, pid: number): Era {
    if (spec.server !== 'v2') return 'legacy';
    const entry = JSON.parse(readFileSync(join(this.pidDir, String(pid)), 'utf8')) as { era?: Era };
    if (!entry.era) throw new Error(`server ${pid} has not been asked for an era`);
    return entry.era;
  }

  pids(): number[] {
    const pids = new Set<number>();
    for (const name of readdirSync(this.pidDir)) {
      try {
        const entry = JSON.parse(readFileSync(join(this.pidDir, name), 'utf8')) as { pid: number; role: string; ppid: number };
        pids.add(entry.pid);
        if (entry.role === 'server' && entry.ppid !== process.pid) pids.add(entry.ppid);
      } catch {
        // A pid file being written right now.
      }
    }
    return [...pids];
  }

  /** Live (non-zombie) processes of this scenario, by pid file and by process group. */
  survivors(): number[] {
    const alive = new Set(this.pids().filter(isProcessAlive));
    for (const pgid of this.groups) if (isGroupAlive(pgid)) alive.add(pgid);
    return [...alive];
  }

  /** SIGKILLs whatever is left (the raw SDK's orphans) and waits until it is gone. */
  async killAll(): Promise<void> {
    for (const pgid of this.groups) signalGroup(pgid, 'SIGKILL');
    for (const pid of this.pids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    const end = Date.now() + 5000;
    while (this.survivors().length && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  }

  async dispose(): Promise<void> {
    await this.killAll();
    rmSync(this.pidDir, { recursive: true, force: true });
    openBooks.delete(this);
  }
}

const openBooks = new Set<ProcessBook>();

/** On Ctrl-C, leave nothing behind: the registry's servers are in their own groups. */
export function killEverythingOnInterrupt(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void Promise.all([...openBooks].map((b) => b.dispose())).finally(() => process.exit(130));
    });
  }
}

// The interop matrix: the core, driven through SessionRegistry, against real server processes
// of both protocol eras — v1 servers (third-party ones from node_modules and our fixtures), v2
// servers serving both eras and v2 modern-only servers — over stdio and Streamable HTTP.
// One describe per server, the same checks for each: list, call, progress, cancellation (seen
// by the server where it can tell), crash, teardown, the era the core negotiated, and exactly
// one spawn per start (a server that exits on the server/discover probe: two on its first start,
// the one counted legacy restart, and one afterwards, the verdict being cached).
//
// Every server process records itself in an events file (test/fixtures/record-events.mjs; the
// third-party servers load it with `node --import`), so spawns and server-side cancellations are
// counted, not assumed.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProgressUpdate } from '../../src/core/api';
import type { ServerDefinition } from '../../src/core/definitions';
import { McpSessionError } from '../../src/core/errors';
import { lineLogger } from '../../src/core/logger';
import { SessionRegistry } from '../../src/core/registry';
import { fixturesDir, repoRoot } from '../support/paths';
import { delay, eventually, freePort, isAlive, rejection, textOf } from '../support/processes';

type Era = 'legacy' | 'modern';

/** A tool that runs long enough to report progress and to be cancelled or crashed during. */
interface LongTool {
  tool: string;
  /** Arguments for `steps` steps over roughly `ms` milliseconds. */
  args(ms: number, steps: number): Record<string, unknown>;
  /** The server records a `cancelled` event when the call is cancelled (notifications/cancelled, or over 2026-07-28 HTTP the request aborted). */
  recordsCancellation: boolean;
}

interface MatrixServer {
  name: string;
  family: 'v1 third-party' | 'v1 fixture' | 'v2 both eras' | 'v2 modern only';
  transport: 'stdio' | 'http';
  /** The era the core must end up in: modern (2026-07-28) wherever the server offers it. */
  era: Era;
  /** The stdio command line (after `node`), or the command that starts the HTTP server. */
  args(workDir: string): string[];
  /** HTTP servers: how the URL is announced once it listens. */
  listening?: (stdout: string, stderr: string, port: number) => string | undefined;
  /** HTTP servers: the environment they need (a port, for the everything server). */
  httpEnv?: (port: number) => Record<string, string>;
  env?: (workDir: string) => Record<string, string>;
  /** Tools that must be listed. */
  tools: string[];
  call: { tool: string; args: Record<string, unknown>; expect: RegExp };
  long?: LongTool;
  /** A v1 server that exits when a request other than initialize comes first. */
  exitsOnProbe?: boolean;
}

function binOf(pkg: string): string {
  const dir = join(repoRoot, 'node_modules', '@modelcontextprotocol', pkg);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  return join(dir, Object.values(manifest.bin)[0]);
}

/** Preloaded into servers we do not own, so their spawns are recorded like our fixtures'. */
const recordEvents = ['--import', pathToFileURL(join(fixturesDir, 'record-events.mjs')).href];
const fixture = (file: string) => join(fixturesDir, file);
const printedUrl = (stdout: string) => /"url":"([^"]+)"/.exec(stdout)?.[1];

const fixtureSlow: LongTool = { tool: 'slow', args: (ms, steps) => ({ ms, steps }), recordsCancellation: true };
const fixtureCall = { tool: 'echo', args: { text: 'hi there' }, expect: /^hi there$/ };
const fixtureTools = ['echo', 'add', 'slow', 'crash', 'pid'];

const everything = {
  family: 'v1 third-party',
  era: 'legacy',
  tools: ['echo', 'get-sum', 'trigger-long-running-operation'],
  call: { tool: 'echo', args: { message: 'hi there' }, expect: /^Echo: hi there$/ },
  // Cancellation is not observable inside a server we do not own.
  long: { tool: 'trigger-long-running-operation', args: (ms, steps) => ({ duration: ms / 1000, steps }), recordsCancellation: false },
} as const satisfies Partial<MatrixServer>;

const matrix: MatrixServer[] = [
  { ...everything, name: 'everything', transport: 'stdio', args: () => [...recordEvents, binOf('server-everything')] },
  {
    ...everything,
    name: 'everything-http',
    transport: 'http',
    args: () => [...recordEvents, binOf('server-everything'), 'streamableHttp'],
    httpEnv: (port) => ({ PORT: String(port) }),
    listening: (_stdout, stderr, port) => (stderr.includes(`listening on port ${port}`) ? `http://127.0.0.1:${port}/mcp` : undefined),
  },
  {
    name: 'memory',
    family: 'v1 third-party',
    transport: 'stdio',
    era: 'legacy',
    args: () => [...recordEvents, binOf('server-memory')],
    env: (workDir) => ({ MEMORY_FILE_PATH: join(workDir, 'memory.jsonl') }),
    tools: ['create_entities', 'search_nodes', 'read_graph'],
    call: { tool: 'read_graph', args: {}, expect: /"entities"/ },
  },
  {
    name: 'filesystem',
    family: 'v1 third-party',
    transport: 'stdio',
    era: 'legacy',
    args: (workDir) => [...recordEvents, binOf('server-filesystem'), workDir],
    tools: ['read_text_file', 'list_directory', 'list_allowed_directories'],
    call: { tool: 'list_allowed_directories', args: {}, expect: /mcp-interop-/ },
  },
  {
    name: 'fixture-v1',
    family: 'v1 fixture',
    transport: 'stdio',
    era: 'legacy',
    args: () => [fixture('stdio-server.mjs')],
    tools: [...fixtureTools, 'add_tool'],
    call: fixtureCall,
    long: fixtureSlow,
  },
  {
    name: 'fixture-v1-exits-on-probe',
    family: 'v1 fixture',
    transport: 'stdio',
    era: 'legacy',
    args: () => [fixture('stdio-server.mjs'), '--exit-on-probe'],
    tools: fixtureTools,
    call: fixtureCall,
    long: fixtureSlow,
    exitsOnProbe: true,
  },
  {
    name: 'fixture-v1-http',
    family: 'v1 fixture',
    transport: 'http',
    era: 'legacy',
    args: () => [fixture('http-server.mjs')],
    listening: printedUrl,
    tools: [...fixtureTools, 'add_tool'],
    call: fixtureCall,
    long: fixtureSlow,
  },
  {
    name: 'v2-both',
    family: 'v2 both eras',
    transport: 'stdio',
    era: 'modern',
    args: () => [fixture('v2-stdio-server.mjs')],
    tools: fixtureTools,
    call: fixtureCall,
    long: fixtureSlow,
  },
  {
    name: 'v2-both-http',
    family: 'v2 both eras',
    transport: 'http',
    era: 'modern',
    args: () => [fixture('v2-http-server.mjs')],
    listening: printedUrl,
    tools: fixtureTools,
    call: fixtureCall,
    long: fixtureSlow,
  },
  {
    name: 'v2-modern',
    family: 'v2 modern only',
    transport: 'stdio',
    era: 'modern',
    args: () => [fixture('v2-stdio-server.mjs'), '--modern-only'],
    tools: fixtureTools,
    call: fixtureCall,
    long: fixtureSlow,
  },
  {
    name: 'v2-modern-http',
    family: 'v2 modern only',
    transport: 'http',
    era: 'modern',
    args: () => [fixture('v2-http-server.mjs'), '--modern-only'],
    listening: printedUrl,
    tools: fixtureTools,
    call: fixtureCall,
    long: fixtureSlow,
  },
];

// ---- helpers ----------------------------------------------------------------------------------

interface RecordedEvent {
  pid: number;
  event: 'spawn' | 'instance' | 'cancelled';
  era?: Era;
}

function readEvents(file: string): RecordedEvent[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as RecordedEvent);
}

const spawnedPids = (file: string) => readEvents(file).filter((e) => e.event === 'spawn').map((e) => e.pid);

/** Starts an HTTP server process and resolves once it announces its URL. */
async function startHttpServer(server: MatrixServer, workDir: string, eventsFile: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, server.args(workDir), {
    env: { PATH: process.env.PATH, MCP_FIXTURE_EVENTS: eventsFile, ...server.httpEnv?.(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const found = server.listening!(stdout, stderr, port);
      if (found) resolve(found);
    };
    child.stdout!.on('data', (d: Buffer) => ((stdout += d.toString()), check()));
    child.stderr!.on('data', (d: Buffer) => ((stderr += d.toString()), check()));
    child.once('exit', (code) => reject(new Error(`${server.name} exited with ${code} before listening:\n${stderr}`)));
  });
  return { child, url };
}

function definitionOf(server: MatrixServer, workDir: string, eventsFile: string, url: string | undefined): ServerDefinition {
  const source = { label: 'interop test' };
  if (server.transport === 'http') return { kind: 'http', name: server.name, url: url!, headers: {}, source };
  return {
    kind: 'stdio',
    name: server.name,
    command: process.execPath,
    args: server.args(workDir),
    env: { MCP_FIXTURE_EVENTS: eventsFile, ...server.env?.(workDir) },
    source,
  };
}

// ---- the matrix -------------------------------------------------------------------------------

describe('interop matrix: both protocol eras through SessionRegistry', function () {
  this.timeout(20_000);
  this.slow(3000);

  for (const server of matrix) {
    const label = `${server.name} (${server.family}, ${server.transport})`;

    describe(label, () => {
      const logLines: string[] = [];
      let workDir: string;
      let eventsFile: string;
      let http: { child: ChildProcess; url: string } | undefined;
      let registry: SessionRegistry;
      /** Spawns recorded when each start was made, to count spawns per start. */
      let spawnsBefore = 0;

      before(async () => {
        workDir = mkdtempSync(join(tmpdir(), 'mcp-interop-'));
        eventsFile = join(workDir, 'events.jsonl');
        if (server.transport === 'http') http = await startHttpServer(server, workDir, eventsFile);
        registry = new SessionRegistry({
          logger: lineLogger((line) => logLines.push(line), 'debug'),
          stdinGraceMs: 500,
          termGraceMs: 500,
          pingIntervalMs: 0,
          defaultCallTimeoutMs: 15_000,
          supervisor: { restartOnCrash: false },
        });
        registry.reconcile([definitionOf(server, workDir, eventsFile, http?.url)]);
      });

      after(async () => {
        await registry?.shutdown(2000);
        if (http && http.child.exitCode === null && http.child.signalCode === null) {
          http.child.kill('SIGKILL');
          await eventually(() => !isAlive(http!.child.pid!), 3000, `${server.name} to exit`).catch(() => undefined);
        }
        for (const pid of spawnedPids(eventsFile)) {
          if (isAlive(pid)) process.kill(pid, 'SIGKILL');
        }
        rmSync(workDir, { recursive: true, force: true });
      });

      const spawnsOfLastStart = () => spawnedPids(eventsFile).length - spawnsBefore;

      it('starts once and lists its tools', async () => {
        spawnsBefore = spawnedPids(eventsFile).length;
        await registry.start(server.name);
        const snapshot = registry.get(server.name)!.snapshot();
        assert.equal(snapshot.state.state, 'running', `${label}: ${JSON.stringify(snapshot.state)}`);
        const names = (await registry.listTools(server.name, { refresh: true })).map((t) => t.name);
        for (const tool of server.tools) assert.ok(names.includes(tool), `${label}: ${tool} missing from ${names.join(', ')}`);
        if (server.transport === 'stdio') {
          const spawns = spawnsOfLastStart();
          if (server.exitsOnProbe) {
            // The one restart allowed for a server that dies on the server/discover probe: counted and logged.
            assert.equal(spawns, 2, `${label}: spawned ${spawns} processes: expected the probed one and one legacy restart`);
            assert.equal(snapshot.legacyRestarts, 1, `${label}: snapshot().legacyRestarts`);
            assert.ok(logLines.some((l) => l.includes(server.name) && /legacy/i.test(l)), `${label}: restarted after the probe without a log line`);
          } else {
            assert.equal(spawns, 1, `${label}: spawned ${spawns} processes for one start`);
          }
          assert.ok(snapshot.pid && isAlive(snapshot.pid), `${label}: the server runs as pid ${snapshot.pid}`);
        }
      });

      it('calls a tool', async () => {
        const result = await registry.callTool(server.name, server.call.tool, server.call.args);
        assert.match(textOf(result), server.call.expect, `${label}: ${server.call.tool} answered ${textOf(result)}`);
      });

      it(`speaks the ${server.era} era`, () => {
        const protocol = registry.get(server.name)!.snapshot().protocol;
        assert.ok(protocol, `${label}: snapshot().protocol is missing`);
        assert.equal(protocol.era, server.era, `${label}: ${JSON.stringify(protocol)}`);
        assert.match(protocol.version, server.era === 'modern' ? /^2026-07-28$/ : /^2025-/, `${label}: ${JSON.stringify(protocol)}`);
      });

      if (server.long) {
        const long = server.long;

        it('reports progress', async () => {
          const updates: ProgressUpdate[] = [];
          await registry.callTool(server.name, long.tool, long.args(600, 3), { onProgress: (p) => updates.push(p) });
          // A progress notification arriving together with the result may be dropped by the SDK.
          assert.ok(updates.length >= 2, `${label}: ${updates.length} progress updates of 3`);
          assert.deepEqual(
            updates.map((u) => [u.progress, u.total]),
            [1, 2, 3].slice(0, updates.length).map((step) => [step, 3]),
            `${label}: progress updates`,
          );
        });

        it(`cancels a call${long.recordsCancellation ? ', and the server sees the cancellation' : ''}`, async () => {
          const controller = new AbortController();
          let updates = 0;
          const began = Date.now();
          const error = await rejection(
            registry.callTool(server.name, long.tool, long.args(20_000, 100), {
              signal: controller.signal,
              onProgress: () => {
                if (++updates === 2) controller.abort();
              },
            }),
          );
          assert.equal(error.code, 'cancelled', `${label}: ${error.code}: ${error.message}`);
          assert.ok(Date.now() - began < 5000, `${label}: the cancelled call took ${Date.now() - began} ms`);
          if (long.recordsCancellation) {
            await eventually(
              () => readEvents(eventsFile).some((e) => e.event === 'cancelled'),
              3000,
              `${label}: the server to record the cancellation`,
            );
          }
          assert.match(textOf(await registry.callTool(server.name, server.call.tool, server.call.args)), server.call.expect, `${label}: usable after a cancel`);
        });
      }

      it('reports a killed server as a clear error, without hanging', async () => {
        const pid = server.transport === 'stdio' ? registry.get(server.name)!.snapshot().pid! : http!.child.pid!;
        const inFlight = server.long
          ? registry.callTool(server.name, server.long.tool, server.long.args(20_000, 100)).then(
              () => assert.fail(`${label}: a call survived the server's death`),
              (e: unknown) => e,
            )
          : undefined;
        await delay(300);
        const began = Date.now();
        process.kill(pid, 'SIGKILL');
        if (inFlight) {
          const error = await inFlight;
          assert.ok(error instanceof McpSessionError, `${label}: ${String(error)}`);
          const expected = server.transport === 'stdio' ? ['crashed'] : ['connection', 'crashed'];
          assert.ok(expected.includes(error.code), `${label}: the in-flight call failed with ${error.code}: ${error.message}`);
          assert.match(error.message, new RegExp(`"${server.name}"`), `${label}: the error names the server`);
          assert.ok(Date.now() - began < 5000, `${label}: the in-flight call ended ${Date.now() - began} ms after the kill`);
        }
        if (server.transport === 'stdio') {
          const state = await eventually(
            () => {
              const s = registry.get(server.name)!.state;
              return s.state === 'error' ? s : undefined;
            },
            5000,
            `${label}: the error state`,
          );
          assert.equal(state.code, 'crashed', `${label}: ${JSON.stringify(state)}`);
          assert.match(state.message, /SIGKILL|killed|exited/, `${label}: ${state.message}`);
        } else {
          const error = await rejection(registry.callTool(server.name, server.call.tool, server.call.args));
          assert.ok(['connection', 'crashed', 'not-running', 'start-failed'].includes(error.code), `${label}: ${error.code}: ${error.message}`);
        }
      });

      if (server.transport === 'stdio') {
        it('starts again with one spawn', async () => {
          spawnsBefore = spawnedPids(eventsFile).length;
          await registry.start(server.name);
          assert.equal(registry.get(server.name)!.state.state, 'running');
          assert.match(textOf(await registry.callTool(server.name, server.call.tool, server.call.args)), server.call.expect);
          assert.equal(spawnsOfLastStart(), 1, `${label}: spawned ${spawnsOfLastStart()} processes for the second start`);
        });
      }

      it('shuts down leaving no process behind', async () => {
        const report = await registry.shutdown(3000);
        assert.equal(report.deadlineReached, false, `${label}: shutdown reached its deadline`);
        const outcome = report.servers.find((s) => s.server === server.name)?.outcome;
        // Over HTTP the connection died with the server in the crash check before this one.
        const clean = server.transport === 'stdio' ? ['exited-on-stdin-close', 'exited-on-sigterm', 'killed'] : ['closed', 'already-exited', 'not-running'];
        assert.ok(outcome && clean.includes(outcome), `${label}: shutdown outcome ${outcome}`);
        const spawned = spawnedPids(eventsFile);
        if (server.transport === 'stdio') assert.ok(spawned.length >= 2, `${label}: ${spawned.length} spawns recorded`);
        for (const pid of spawned) {
          await eventually(() => !isAlive(pid), 3000, `${label}: pid ${pid} to be gone`);
        }
      });
    });
  }
});

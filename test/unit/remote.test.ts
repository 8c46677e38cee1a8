// Remote servers (Streamable HTTP and legacy SSE) against real fixture processes on 127.0.0.1:
// fallback, headers, session termination, a server that dies or hangs, session expiry,
// resumable streams and clock jumps. After each test every fixture process must be dead
// (zombies count as dead).

import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { RegistryOptions } from '../../src/core/api';
import type { RemoteServerDefinition } from '../../src/core/definitions';
import { lineLogger } from '../../src/core/logger';
import { SessionRegistry } from '../../src/core/registry';
import { createRemoteConnector } from '../../src/core/remote';
import { ClockJumpDetector, type Clock, type ClockJump } from '../../src/core/remoteClock';
import { classifyRemoteFailure, isRetrySafeTool } from '../../src/core/remoteFailures';
import { fixturesDir } from '../support/paths';
import { delay, eventually, freePort, isAlive, rejection, textOf } from '../support/processes';

// ---- fixture processes --------------------------------------------------------------------

interface Fixture {
  url: string;
  sseUrl: string;
  controlUrl: string;
  port: number;
  pid: number;
  child: ChildProcess;
  stderr: string[];
}

interface JournalEntry {
  method?: string;
  path?: string;
  sessionId?: string;
  lastEventId?: string;
  headers?: Record<string, string>;
  event?: string;
  at: number;
}

const fixtures: Fixture[] = [];

async function startFixture(script: 'http-faults.mjs' | 'http-server.mjs', flags: string[] = []): Promise<Fixture> {
  const child = spawn(process.execPath, [join(fixturesDir, script), ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening: ${stderr.join('\n')}`)));
  });
  lines.close();
  const info = JSON.parse(first) as { url: string; sseUrl: string; controlUrl?: string; pid: number };
  const fixture: Fixture = { ...info, controlUrl: info.controlUrl ?? '', port: Number(new URL(info.url).port), child, stderr };
  fixtures.push(fixture);
  return fixture;
}

async function journal(fixture: Fixture): Promise<JournalEntry[]> {
  return (await (await fetch(`${fixture.controlUrl}/requests`)).json()) as JournalEntry[];
}

async function control(fixture: Fixture, action: 'forget-sessions' | 'end-sessions' | 'drop-get-streams'): Promise<void> {
  const response = await fetch(`${fixture.controlUrl}/${action}`, { method: 'POST' });
  assert.equal(response.status, 200);
}

/** Waits until the client has opened its GET stream: until then a forgotten session shows first there. */
async function getStreamOpened(fixture: Fixture): Promise<void> {
  await eventually(async () => (await journal(fixture)).some((e) => e.method === 'GET' && e.path === '/mcp'), 5000, 'the GET stream');
}

/** The server/discover probes: POSTs whose Mcp-Method header names it (the 2026-07-28 standard header). */
function probes(entries: JournalEntry[], path = '/mcp'): JournalEntry[] {
  return entries.filter((e) => e.method === 'POST' && e.path === path && e.headers?.['mcp-method'] === 'server/discover');
}

/** POSTs that carried no session id and are no probe: initialize requests (and nothing else the client sends). */
function initializations(entries: JournalEntry[], path = '/mcp'): JournalEntry[] {
  return entries.filter((e) => e.method === 'POST' && e.path === path && !e.sessionId && e.headers?.['mcp-method'] !== 'server/discover');
}

function signal(fixture: Fixture, name: NodeJS.Signals): void {
  try {
    process.kill(fixture.pid, name);
  } catch {
    // already gone
  }
}

async function stopFixtures(): Promise<void> {
  const all = fixtures.splice(0);
  for (const f of all) {
    signal(f, 'SIGCONT');
    signal(f, 'SIGTERM');
  }
  const deadline = Date.now() + 3000;
  while (all.some((f) => isAlive(f.pid)) && Date.now() < deadline) await delay(20);
  const survivors = all.filter((f) => isAlive(f.pid));
  for (const f of survivors) signal(f, 'SIGKILL');
  assert.deepEqual(
    survivors.map((f) => f.pid),
    [],
    'fixture processes were still alive after the test',
  );
}

// ---- helpers ------------------------------------------------------------------------------

function remote(name: string, url: string, options: { kind?: 'http' | 'sse'; headers?: Record<string, string> } = {}): RemoteServerDefinition {
  return { kind: options.kind ?? 'http', name, url, headers: options.headers ?? {}, source: { label: 'test' } };
}

/** A clock whose wall time and interval ticks the test moves by hand. */
class ManualClock implements Clock {
  time = 1_000_000;
  private nextId = 1;
  private readonly timers = new Map<number, { callback: () => void; ms: number; due: number }>();

  now(): number {
    return this.time;
  }

  setInterval(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { callback, ms, due: this.time + ms });
    return id;
  }

  clearInterval(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get activeTimers(): number {
    return this.timers.size;
  }

  /** Time passes with the process awake: every tick runs on schedule. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = [...this.timers.values()].filter((t) => t.due <= end).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.time = next.due;
      next.due += next.ms;
      next.callback();
    }
    this.time = end;
  }

  /** The machine sleeps: wall time moves, the monotonic timers do not. */
  sleep(ms: number): void {
    this.time += ms;
    for (const timer of this.timers.values()) timer.due += ms;
  }
}

// ---- the suite ----------------------------------------------------------------------------

describe('remote servers', function () {
  this.timeout(30_000);
  let registry: SessionRegistry | undefined;
  let logs: string[];

  function open(options: RegistryOptions = {}, connector = createRemoteConnector()): SessionRegistry {
    logs = [];
    registry = new SessionRegistry(
      {
        connectTimeoutMs: 5000,
        pingIntervalMs: 0,
        supervisor: { restartOnCrash: false },
        logger: lineLogger((line) => logs.push(line), 'trace'),
        ...options,
      },
      { http: connector, sse: connector },
    );
    return registry;
  }

  function serverLog(name: string): string[] {
    return registry!.get(name)!.logLines().map((l) => `${l.stream}: ${l.text}`);
  }

  /** Waits for the lists the session fetches in the background after a start, so no request is left in flight. */
  async function listed(name: string): Promise<void> {
    await eventually(() => registry!.get(name)!.snapshot().prompts !== undefined, 5000, `the lists of "${name}"`);
  }

  function stateOf(name: string): string {
    return registry!.get(name)!.state.state;
  }

  afterEach(async function () {
    const failed = this.currentTest?.state === 'failed';
    await registry?.shutdown(2000);
    if (failed) {
      for (const f of fixtures) console.log(`fixture ${f.pid} stderr:\n${f.stderr.join('\n')}`);
    }
    registry = undefined;
    await stopFixtures();
  });

  describe('connecting', () => {
    it('sends the configured headers on every request, never logs them, and ends the HTTP session with DELETE on stop', async () => {
      const fixture = await startFixture('http-faults.mjs');
      const secrets = { authorization: 'Bearer tok-7f3a9c2e-secret', 'x-api-key': 'key-51d0b4e8-secret' };
      open({ traceProtocol: true }).reconcile([remote('api', fixture.url, { headers: { Authorization: secrets.authorization, 'X-Api-Key': secrets['x-api-key'] } })]);
      assert.equal(textOf(await registry!.callTool('api', 'echo', { text: 'hello' })), 'hello');
      await registry!.stop('api');

      const entries = (await journal(fixture)).filter((e) => e.method);
      const initialize = initializations(entries);
      assert.equal(initialize.length, 1);
      assert.equal(probes(entries).length, 1, 'one server/discover probe before the 2025 handshake');
      const deletes = entries.filter((e) => e.method === 'DELETE');
      assert.equal(deletes.length, 1, 'the session was terminated with DELETE');
      assert.ok(deletes[0].sessionId, 'the DELETE carried the Mcp-Session-Id');
      assert.equal(deletes[0].sessionId, entries.find((e) => e.sessionId)?.sessionId);
      assert.ok(entries.some((e) => e.method === 'GET'), 'the client opened the GET stream');
      for (const e of entries) {
        assert.equal(e.headers?.authorization, secrets.authorization, `${e.method} ${e.path} carried Authorization`);
        assert.equal(e.headers?.['x-api-key'], secrets['x-api-key'], `${e.method} ${e.path} carried X-Api-Key`);
      }
      const everything = [...logs, ...serverLog('api')].join('\n');
      assert.ok(serverLog('api').some((l) => l.startsWith('trace: →')), 'the protocol trace was on');
      for (const secret of Object.values(secrets)) assert.ok(!everything.includes(secret), `a log line contains ${secret}`);
      assert.ok(!everything.includes('tok-7f3a9c2e') && !everything.includes('51d0b4e8'));
    });

    it('falls back to legacy SSE when the initialize POST answers 405', async () => {
      const fixture = await startFixture('http-server.mjs');
      open().reconcile([remote('legacy', fixture.sseUrl)]);
      assert.equal(textOf(await registry!.callTool('legacy', 'echo', { text: 'via sse' })), 'via sse');
      assert.ok(serverLog('legacy').some((l) => l.includes('failed with HTTP 405; falling back to legacy SSE')));
      assert.ok(logs.some((l) => l.includes('over SSE')));
    });

    it('falls back to legacy SSE when the initialize POST answers 404', async () => {
      const fixture = await startFixture('http-faults.mjs', ['--answer=POST:/sse:404']);
      open().reconcile([remote('legacy', fixture.sseUrl)]);
      assert.equal(textOf(await registry!.callTool('legacy', 'echo', { text: 'via sse' })), 'via sse');
      const entries = (await journal(fixture)).filter((e) => e.method);
      assert.deepEqual(
        entries.slice(0, 3).map((e) => `${e.method} ${e.path}${e.headers?.['mcp-method'] === 'server/discover' ? ' (probe)' : ''}`),
        ['POST /sse (probe)', 'POST /sse', 'GET /sse'],
      );
      assert.ok(serverLog('legacy').some((l) => l.includes('failed with HTTP 404; falling back')));
    });

    it('does not fall back on 401: the start fails and says authorization is required', async () => {
      const fixture = await startFixture('http-faults.mjs', ['--answer=POST:/sse:401']);
      open().reconcile([remote('locked', fixture.sseUrl, { headers: { Authorization: 'Bearer wrong-9d2e' } })]);
      const error = await rejection(registry!.start('locked'), 'start-failed');
      assert.match(error.message, /requires authorization \(HTTP 401\)/);
      assert.equal(error.details.retryable, false);
      assert.ok(!error.message.includes('wrong-9d2e'));
      const entries = (await journal(fixture)).filter((e) => e.method);
      assert.deepEqual(
        entries.map((e) => `${e.method} ${e.path}`),
        ['POST /sse'],
        'no SSE attempt after a 401',
      );
    });

    it('does not fall back on a network error', async () => {
      const port = await freePort();
      open().reconcile([remote('nowhere', `http://127.0.0.1:${port}/mcp`)]);
      const error = await rejection(registry!.start('nowhere'), 'start-failed');
      assert.match(error.message, /Could not connect to "nowhere"/);
      assert.ok(!serverLog('nowhere').some((l) => l.includes('falling back')));
    });

    it('uses only legacy SSE for type "sse"', async () => {
      const fixture = await startFixture('http-faults.mjs');
      open().reconcile([remote('forced', fixture.sseUrl, { kind: 'sse' })]);
      assert.equal(textOf(await registry!.callTool('forced', 'add', { a: 2, b: 3 })), '5');
      const entries = (await journal(fixture)).filter((e) => e.method);
      assert.equal(entries[0].method, 'GET');
      assert.equal(entries[0].path, '/sse');
      assert.ok(!entries.some((e) => e.path === '/mcp'), 'Streamable HTTP was never tried');
    });

    it('terminates the HTTP session when the registry shuts down', async () => {
      const fixture = await startFixture('http-faults.mjs');
      open().reconcile([remote('api', fixture.url)]);
      await registry!.start('api');
      const report = await registry!.shutdown(2000);
      assert.deepEqual(
        report.servers.map((s) => `${s.server}=${s.outcome}`),
        ['api=closed'],
      );
      const deletes = (await journal(fixture)).filter((e) => e.method === 'DELETE');
      assert.equal(deletes.length, 1);
    });
  });

  describe('a server that dies or hangs', () => {
    it('fails a call in flight at once when the server is killed, long before the call timeout', async () => {
      const fixture = await startFixture('http-faults.mjs');
      open({ defaultCallTimeoutMs: 20_000 }).reconcile([remote('api', fixture.url)]);
      await registry!.start('api');
      let progressed = false;
      const call = registry!.callTool('api', 'slow', { ms: 15_000, steps: 30 }, { onProgress: () => (progressed = true) });
      call.catch(() => undefined);
      await eventually(() => progressed, 5000, 'the first progress notification');
      const killedAt = Date.now();
      signal(fixture, 'SIGKILL');
      const error = await rejection(call, ['crashed', 'connection']);
      const elapsed = Date.now() - killedAt;
      assert.ok(elapsed < 3000, `the call failed ${elapsed} ms after the kill`);
      assert.match(error.message, /could not be reached|did not answer a heartbeat/);
      assert.equal(stateOf('api'), 'error');
    });

    it('notices a killed idle server within the ping interval plus the ping timeout', async () => {
      const fixture = await startFixture('http-faults.mjs');
      open({ pingIntervalMs: 1000, pingTimeoutMs: 1000 }).reconcile([remote('api', fixture.url)]);
      await registry!.start('api');
      const killedAt = Date.now();
      signal(fixture, 'SIGKILL');
      await eventually(() => stateOf('api') === 'error', 6000, 'the error state');
      const elapsed = Date.now() - killedAt;
      assert.ok(elapsed < 1000 + 1000 + 1500, `noticed after ${elapsed} ms`);
    });

    it('ends the connection when a ping times out (a stopped server keeps its sockets open)', async () => {
      const fixture = await startFixture('http-faults.mjs');
      open({ pingIntervalMs: 500, pingTimeoutMs: 1000 }).reconcile([remote('api', fixture.url)]);
      await registry!.start('api');
      const reasons: string[] = [];
      registry!.onDidChangeState((e) => reasons.push(`${e.current.state}: ${e.reason}: ${e.current.state === 'error' ? e.current.message : ''}`));
      const stoppedAt = Date.now();
      signal(fixture, 'SIGSTOP');
      await eventually(() => stateOf('api') === 'error', 8000, 'the error state');
      const elapsed = Date.now() - stoppedAt;
      assert.ok(elapsed >= 900, `a ping cannot time out sooner than its timeout (${elapsed} ms)`);
      assert.ok(elapsed < 500 + 1000 + 2000, `noticed after ${elapsed} ms`);
      assert.match(reasons.join('\n'), /did not answer a heartbeat within 1000 ms/);
    });

    it('the crash supervisor reconnects once the server is back on the same port', async () => {
      const fixture = await startFixture('http-faults.mjs');
      open({ supervisor: { restartOnCrash: true, initialBackoffMs: 200, maxBackoffMs: 400 } }).reconcile([remote('api', fixture.url)]);
      await registry!.start('api');
      signal(fixture, 'SIGKILL');
      await eventually(() => stateOf('api') === 'error', 5000, 'the error state');
      await startFixture('http-faults.mjs', ['--port', String(fixture.port)]);
      await eventually(() => stateOf('api') === 'running', 10_000, 'the supervisor to reconnect');
      assert.equal(textOf(await registry!.callTool('api', 'echo', { text: 'back' })), 'back');
    });
  });

  describe('session expiry', () => {
    async function running(fixture: Fixture, options: RegistryOptions = {}): Promise<void> {
      open(options).reconcile([remote('api', fixture.url)]);
      await registry!.start('api');
      // The session decides what may be retried from the tool annotations it listed.
      await listed('api');
      await getStreamOpened(fixture);
    }

    it('sends a read-only or idempotent call again, once, on a new session', async () => {
      const fixture = await startFixture('http-faults.mjs');
      await running(fixture);
      await control(fixture, 'forget-sessions');
      const result = await registry!.callTool('api', 'add', { a: 2, b: 40 });
      assert.deepEqual(result.structuredContent, { sum: 42 });
      assert.equal(initializations(await journal(fixture)).length, 2, 'one new session');
      assert.ok(serverLog('api').some((l) => l.includes('sending it again on the new session')));
      assert.equal(stateOf('api'), 'running');
    });

    it('fails a call that is not safe to repeat with session-expired, and the next call uses the new session', async () => {
      const fixture = await startFixture('http-faults.mjs');
      await running(fixture);
      await control(fixture, 'forget-sessions');
      const error = await rejection(registry!.callTool('api', 'log', { message: 'once' }), 'session-expired');
      assert.match(error.message, /not marked read-only or idempotent/);
      assert.equal(stateOf('api'), 'running');
      assert.equal(textOf(await registry!.callTool('api', 'log', { message: 'again' })), 'logged');
      assert.equal(initializations(await journal(fixture)).length, 2, 'exactly one new session');
    });

    it('starts a new session by itself when the server ends the session and closes its streams', async () => {
      const fixture = await startFixture('http-faults.mjs');
      await running(fixture);
      await control(fixture, 'end-sessions');
      // The GET stream closes; re-opening it meets a 404, which starts the new session.
      await eventually(async () => initializations(await journal(fixture)).length === 2, 8000, 'a new session');
      assert.equal(textOf(await registry!.callTool('api', 'log', { message: 'fresh' })), 'logged');
      assert.equal(stateOf('api'), 'running');
    });

    it('a ping that meets an expired session starts a new session instead of failing the server', async () => {
      const fixture = await startFixture('http-faults.mjs');
      await running(fixture, { pingIntervalMs: 300, pingTimeoutMs: 2000 });
      const states: string[] = [];
      registry!.onDidChangeState((e) => states.push(e.current.state));
      await control(fixture, 'forget-sessions');
      await eventually(async () => initializations(await journal(fixture)).length === 2, 5000, 'a new session');
      await delay(700);
      assert.deepEqual(states, [], 'the server never left running');
      assert.equal(textOf(await registry!.callTool('api', 'log', { message: 'after ping' })), 'logged');
    });

    it('a GET stream refused with 404 is not taken for an expired session', async () => {
      const fixture = await startFixture('http-faults.mjs', ['--answer=GET:/mcp:404']);
      open().reconcile([remote('api', fixture.url)]);
      await registry!.start('api');
      await listed('api');
      await eventually(() => serverLog('api').some((l) => l.includes('the server answered')), 5000, 'the ping that checks the refused stream');
      assert.equal(textOf(await registry!.callTool('api', 'log', { message: 'no stream' })), 'logged');
      assert.equal(initializations(await journal(fixture)).length, 1, 'the session was kept');
      assert.equal(stateOf('api'), 'running');
    });

    it('gives up when the server forgets every session at once, leaving the server to the crash supervisor', async () => {
      const fixture = await startFixture('http-faults.mjs');
      await running(fixture);
      for (let i = 0; i < 4; i++) {
        await control(fixture, 'forget-sessions');
        await registry!.callTool('api', 'echo', { text: `round ${i}` }).catch(() => undefined);
      }
      await eventually(() => stateOf('api') === 'error', 5000, 'the error state');
      assert.match((registry!.get('api')!.state as { message: string }).message, /ended the session 4 times/);
    });
  });

  describe('resumable streams', () => {
    it('resumes a dropped call stream with Last-Event-ID after the retry interval the server sent', async () => {
      const retryMs = 1600;
      const fixture = await startFixture('http-faults.mjs', ['--resumable', `--retry-ms=${retryMs}`, '--drop-call-stream-after=300']);
      open({ defaultCallTimeoutMs: 10_000 }).reconcile([remote('api', fixture.url)]);
      await registry!.start('api');
      const progress: number[] = [];
      const result = await registry!.callTool('api', 'slow', { ms: 2400, steps: 4 }, { onProgress: (p) => progress.push(p.progress) });
      assert.equal(textOf(result), 'done after 4 steps');
      assert.deepEqual(progress, [1, 2, 3, 4], 'no progress lost across the resume');
      const entries = await journal(fixture);
      const drop = entries.find((e) => e.event === 'drop');
      assert.ok(drop, 'the fixture dropped the call stream');
      const resume = entries.find((e) => e.method === 'GET' && e.lastEventId && e.at >= drop.at);
      assert.ok(resume, 'the client resumed with Last-Event-ID');
      const waited = resume.at - drop.at;
      // The SDK's own first delay is 1000 ms; waiting the server's 1600 ms shows `retry` was honoured.
      assert.ok(waited >= retryMs - 100, `resumed after ${waited} ms, sooner than retry: ${retryMs}`);
      assert.ok(waited < retryMs + 3000, `resumed after ${waited} ms`);
      assert.equal(stateOf('api'), 'running');
    });

    it('re-opens the standalone GET stream when the server closes it', async () => {
      const fixture = await startFixture('http-faults.mjs', ['--resumable', '--retry-ms=300']);
      open().reconcile([remote('api', fixture.url)]);
      await registry!.start('api');
      // A first call learns the server's retry interval from its stream's priming event.
      await registry!.callTool('api', 'echo', { text: 'prime' });
      await getStreamOpened(fixture);
      await control(fixture, 'drop-get-streams');
      const entries = await eventually(
        async () => {
          const all = await journal(fixture);
          const drop = all.find((e) => e.event === 'drop-get');
          return drop && all.some((e) => e.method === 'GET' && e.at > drop.at) ? all : undefined;
        },
        5000,
        'a new GET stream',
      );
      const drop = entries.find((e) => e.event === 'drop-get')!;
      const reopened = entries.find((e) => e.method === 'GET' && e.at > drop.at)!;
      assert.ok(reopened.at - drop.at < 1000, `re-opened after ${reopened.at - drop.at} ms (retry 300 ms)`);
      assert.equal(stateOf('api'), 'running');
      assert.equal(textOf(await registry!.callTool('api', 'echo', { text: 'still here' })), 'still here');
    });
  });

  describe('clock jumps', () => {
    it('fires when a tick arrives far later than scheduled, never on regular ticks', () => {
      const clock = new ManualClock();
      const detector = new ClockJumpDetector({ clock, tickMs: 2000, thresholdMs: 5000 });
      const jumps: ClockJump[] = [];
      detector.onJump((j) => jumps.push(j));
      clock.advance(60_000);
      assert.deepEqual(jumps, [], 'regular ticks');
      clock.sleep(4000);
      clock.advance(2000);
      assert.deepEqual(jumps, [], 'a gap within the threshold');
      clock.sleep(3_600_000);
      clock.advance(2000);
      assert.deepEqual(jumps, [{ elapsedMs: 3_602_000, expectedMs: 2000 }]);
      clock.time -= 600_000; // the clock was set back: no sleep
      clock.advance(4000);
      assert.equal(jumps.length, 1);
      detector.dispose();
    });

    it('ticks only while someone listens', () => {
      const clock = new ManualClock();
      const detector = new ClockJumpDetector({ clock });
      assert.equal(detector.isTicking, false);
      const a = detector.onJump(() => undefined);
      const b = detector.onJump(() => undefined);
      assert.equal(clock.activeTimers, 1);
      a.dispose();
      assert.equal(detector.isTicking, true);
      b.dispose();
      assert.equal(detector.isTicking, false);
      assert.equal(clock.activeTimers, 0);
      detector.onJump(() => undefined);
      detector.dispose();
      assert.equal(clock.activeTimers, 0);
    });

    it('after a jump every running remote server is pinged: a hung one ends, a forgotten session is renewed', async () => {
      const clock = new ManualClock();
      const detector = new ClockJumpDetector({ clock });
      const hung = await startFixture('http-faults.mjs');
      const forgetful = await startFixture('http-faults.mjs');
      open({}, createRemoteConnector({ onClockJump: detector.onJump, probeTimeoutMs: 1000 })).reconcile([remote('hung', hung.url), remote('forgetful', forgetful.url)]);
      await registry!.start('hung');
      await registry!.start('forgetful');
      await listed('forgetful');
      await getStreamOpened(forgetful);
      assert.equal(detector.isTicking, true, 'running remote connections listen for jumps');
      signal(hung, 'SIGSTOP');
      await control(forgetful, 'forget-sessions');
      await delay(1500);
      assert.equal(stateOf('hung'), 'running', 'with pings off nothing notices without a jump');
      assert.equal(initializations(await journal(forgetful)).length, 1);

      clock.sleep(3_600_000);
      clock.advance(2000);
      await eventually(() => stateOf('hung') === 'error', 4000, 'the hung server to be noticed');
      assert.match((registry!.get('hung')!.state as { message: string }).message, /clock jumped .*did not answer a heartbeat/);
      await eventually(async () => initializations(await journal(forgetful)).length === 2, 4000, 'a new session on the forgetful server');
      assert.equal(stateOf('forgetful'), 'running');
      await registry!.shutdown(2000);
      assert.equal(detector.isTicking, false, 'closed connections stop listening');
      detector.dispose();
    });
  });

  describe('failure classification', () => {
    it('reads network errors, session expiry and dropped streams from SDK errors', () => {
      const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
      assert.equal(classifyRemoteFailure(refused)?.kind, 'network');
      assert.equal(classifyRemoteFailure(new Error('SSE stream disconnected: TypeError: terminated'))?.kind, 'stream-lost');
      assert.equal(classifyRemoteFailure(new Error('Error POSTing to endpoint (HTTP 404): Session not found'))?.kind, 'session-expired');
      assert.equal(classifyRemoteFailure(new Error('something else')), undefined);
      assert.equal(classifyRemoteFailure(Object.assign(new Error('aborted'), { name: 'AbortError' })), undefined);
    });

    it('retries only tools annotated read-only or idempotent', () => {
      const tools = [
        { name: 'r', inputSchema: { type: 'object' as const }, annotations: { readOnlyHint: true } },
        { name: 'i', inputSchema: { type: 'object' as const }, annotations: { idempotentHint: true } },
        { name: 'w', inputSchema: { type: 'object' as const }, annotations: { destructiveHint: true } },
        { name: 'n', inputSchema: { type: 'object' as const } },
      ];
      assert.deepEqual(
        ['r', 'i', 'w', 'n', 'missing'].map((n) => isRetrySafeTool(tools, n)),
        [true, true, false, false, false],
      );
      assert.equal(isRetrySafeTool(undefined, 'r'), false);
    });
  });
});

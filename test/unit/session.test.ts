// The session state machine and every fixture behaviour, against real fixture processes.
// After each test, every pid a fixture wrote down must be gone (zombies count as gone).

import * as assert from 'node:assert/strict';
import type { RegistryOptions, SessionState, StateChange } from '../../src/core/api';
import { SessionRegistry } from '../../src/core/registry';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StdioServerDefinition } from '../../src/core/definitions';
import { NeverRestartPolicy } from '../../src/core/crashPolicy';
import { FixtureTracker, delay, eventually, isAlive, rejection, textOf } from '../support/processes';
import { fixturesDir } from '../support/paths';

const fast: RegistryOptions = { stdinGraceMs: 300, termGraceMs: 300, connectTimeoutMs: 10_000 };

describe('ServerSession', function () {
  this.timeout(30_000);
  const fixtures = new FixtureTracker();
  let registry: SessionRegistry;
  let transitions: StateChange[];

  function open(options: RegistryOptions = {}): SessionRegistry {
    registry = new SessionRegistry({ ...fast, ...options });
    transitions = [];
    registry.onDidChangeState((e) => transitions.push(e));
    return registry;
  }

  function statesOf(server: string): string[] {
    return transitions.filter((t) => t.server === server).map((t) => t.current.state);
  }

  afterEach(async () => {
    await registry?.shutdown(2000);
    await fixtures.assertNoneAlive();
    fixtures.cleanup();
  });

  describe('state transitions', () => {
    it('goes stopped → starting → running → stopping → stopped, with a reason each time', async () => {
      open().reconcile([fixtures.stdio('echo')]);
      assert.equal(registry.get('echo')!.state.state, 'stopped');
      await registry.start('echo', 'test start');
      const running = registry.get('echo')!.state;
      assert.equal(running.state, 'running');
      assert.ok(running.state === 'running' && running.pid && isAlive(running.pid));
      await registry.stop('echo', 'test stop');
      assert.deepEqual(statesOf('echo'), ['starting', 'running', 'stopping', 'stopped']);
      assert.deepEqual(
        transitions.map((t) => t.reason),
        ['test start', 'test start', 'test stop', 'test stop'],
      );
      assert.equal(transitions[1].previous.state, 'starting');
    });

    it('start during start returns the same pending start and spawns one process', async () => {
      const pidDir = fixtures.pidDir();
      open().reconcile([fixtures.stdio('echo', [], { pidDir })]);
      const first = registry.start('echo');
      const second = registry.start('echo');
      const third = registry.callTool('echo', 'echo', { text: 'x' });
      await Promise.all([first, second, third]);
      assert.equal(fixtures.pids().length, 1, 'exactly one server process');
      assert.deepEqual(statesOf('echo'), ['starting', 'running']);
    });

    it('stop during start cancels the attempt, waits for it and ends stopped', async () => {
      open().reconcile([fixtures.stdio('hung', ['--never-initialize'])]);
      const start = registry.start('hung');
      await eventually(() => fixtures.pids().length > 0, 5000, 'the server to spawn');
      const began = Date.now();
      await registry.stop('hung');
      assert.ok(Date.now() - began < 2000, `stop took ${Date.now() - began} ms`);
      await rejection(start, 'cancelled');
      assert.equal(registry.get('hung')!.state.state, 'stopped');
      assert.deepEqual(statesOf('hung'), ['starting', 'stopped']);
    });

    it('survives repeated start/stop cycles with a new process each time', async () => {
      open().reconcile([fixtures.stdio('echo')]);
      const pids = new Set<number>();
      for (let i = 0; i < 4; i++) {
        await registry.start('echo');
        const state = registry.get('echo')!.state;
        assert.ok(state.state === 'running' && state.pid);
        pids.add(state.pid!);
        assert.equal(textOf(await registry.callTool('echo', 'echo', { text: `round ${i}` })), `round ${i}`);
        await registry.stop('echo');
        assert.ok(!isAlive(state.pid!), 'the process is gone after stop');
      }
      assert.equal(pids.size, 4);
      assert.deepEqual(statesOf('echo'), Array(4).fill(['starting', 'running', 'stopping', 'stopped']).flat());
    });

    it('restart gives a new process and ends running', async () => {
      open().reconcile([fixtures.stdio('echo')]);
      await registry.start('echo');
      const before = registry.list()[0].pid;
      await registry.restart('echo');
      const after = registry.list()[0].pid;
      assert.ok(before && after && before !== after);
      assert.equal(registry.get('echo')!.state.state, 'running');
      assert.ok(!isAlive(before!));
    });

    it('starts on first use and serializes concurrent first calls into one start', async () => {
      open().reconcile([fixtures.stdio('echo')]);
      const results = await Promise.all([1, 2, 3, 4, 5].map((n) => registry.callTool('echo', 'add', { a: n, b: 1 })));
      assert.deepEqual(results.map(textOf), ['2', '3', '4', '5', '6']);
      assert.equal(fixtures.pids().length, 1);
    });
  });

  describe('start failures', () => {
    it('a server that exits before initialize fails with its exit code and stderr tail', async () => {
      open().reconcile([fixtures.stdio('early', ['--exit-before-init=4'])]);
      const began = Date.now();
      const error = await rejection(registry.start('early'), 'start-failed');
      assert.ok(Date.now() - began < 5000);
      assert.equal(error.details.exitCode, 4);
      assert.match(error.describe(), /fatal configuration error/);
      const state = registry.get('early')!.state;
      assert.ok(state.state === 'error' && state.retryable);
      assert.match(state.state === 'error' ? state.message : '', /exited with code 4 before it finished initializing/);
    });

    it('a server that never answers initialize fails at the connect timeout, not later', async () => {
      open({ connectTimeoutMs: 800 }).reconcile([fixtures.stdio('hung', ['--never-initialize', '--ignore-eof'])]);
      const began = Date.now();
      const error = await rejection(registry.start('hung'), 'start-failed');
      const took = Date.now() - began;
      assert.ok(took >= 700 && took < 5000, `took ${took} ms`);
      assert.match(error.message, /did not finish connecting \(server\/discover or initialize\) within 800 ms/);
    });

    it('a missing command fails at once with a clear, non-retryable error', async () => {
      open().reconcile([{ kind: 'stdio', name: 'ghost', command: 'no-such-mcp-server-command', args: [], env: {}, source: { label: 'test' } }]);
      const error = await rejection(registry.callTool('ghost', 'echo', {}), 'start-failed');
      assert.match(error.message, /"no-such-mcp-server-command" was not found on PATH/);
      const state = registry.get('ghost')!.state;
      assert.ok(state.state === 'error' && !state.retryable);
    });
  });

  describe('fixture behaviours', () => {
    it('garbage on stdout is logged and counted, not fatal', async () => {
      open().reconcile([fixtures.stdio('noisy', ['--garbage'])]);
      assert.equal(textOf(await registry.callTool('noisy', 'echo', { text: 'still works' })), 'still works');
      assert.equal(textOf(await registry.callTool('noisy', 'add', { a: 2, b: 3 })), '5');
      const snapshot = registry.list()[0];
      assert.ok(snapshot.stdoutNoiseLines >= 2, `noise lines: ${snapshot.stdoutNoiseLines}`);
      assert.ok(registry.get('noisy')!.logLines().some((l) => l.stream === 'stdout-noise' && l.text.includes('this is not json')));
    });

    it('a stderr flood is drained into a bounded log', async () => {
      open({ logCapacity: 100 }).reconcile([fixtures.stdio('flood', ['--stderr-flood=5000'])]);
      for (let i = 0; i < 5; i++) await registry.callTool('flood', 'echo', { text: 'x' });
      const lines = registry.get('flood')!.logLines();
      assert.equal(lines.length, 100);
      assert.ok(lines.some((l) => l.stream === 'stderr'));
    });

    it('a server that ignores stdin EOF is ended with SIGTERM', async () => {
      open().reconcile([fixtures.stdio('deaf', ['--ignore-eof'])]);
      await registry.start('deaf');
      const report = await registry.shutdown();
      assert.equal(report.servers[0].outcome, 'exited-on-sigterm');
    });

    it('a server that ignores EOF and SIGTERM is killed within the graces', async () => {
      open().reconcile([fixtures.stdio('stubborn', ['--ignore-eof', '--ignore-sigterm'])]);
      await registry.start('stubborn');
      const report = await registry.shutdown();
      assert.equal(report.servers[0].outcome, 'killed');
      assert.ok(report.durationMs < 2000, `took ${report.durationMs} ms`);
    });

    it('a server behind sh -c is ended with its whole process group', async () => {
      open().reconcile([fixtures.stdio('wrapped', ['--ignore-sigterm', '--ignore-eof'], { wrapped: true })]);
      const serverPid = Number(textOf(await registry.callTool('wrapped', 'pid', {})));
      const leader = registry.list()[0].pid!;
      assert.notEqual(serverPid, leader, 'the real server is a grandchild of the spawned shell');
      await registry.stop('wrapped');
      assert.ok(!isAlive(serverPid), 'the grandchild server is gone');
      assert.ok(!isAlive(leader));
    });

    it('a grandchild the server spawned is ended with the group', async () => {
      open().reconcile([fixtures.stdio('parent', ['--spawn-child=inherit', '--ignore-eof'])]);
      await registry.start('parent');
      await eventually(() => fixtures.pids().length === 2, 5000, 'the grandchild pid');
      await registry.stop('parent');
      assert.deepEqual(fixtures.alive(), []);
    });

    it('receives a 10 MB result intact', async () => {
      open().reconcile([fixtures.stdio('big')]);
      const text = textOf(await registry.callTool('big', 'big', { bytes: 10_000_000 }));
      assert.equal(text.length, 10_000_000);
      assert.ok(text.endsWith('END'));
    });

    it('follows nextCursor across pages for tools, resources and prompts', async () => {
      open().reconcile([fixtures.stdio('many', ['--tools=25', '--page-size=7', '--resources=9', '--prompts=8'])]);
      const tools = await registry.listTools('many');
      assert.equal(tools.length, 25 + 9);
      assert.equal(new Set(tools.map((t) => t.name)).size, tools.length);
      assert.equal((await registry.listResources('many')).length, 9);
      assert.equal((await registry.listPrompts('many')).length, 8);
      // Structured results are validated against the output schema of a tool from a later page.
      const result = await registry.callTool('many', 'tool_024', {});
      assert.ok(result.structuredContent);
    });

    it('reads resources and gets prompts', async () => {
      open().reconcile([fixtures.stdio('rp')]);
      const [resource] = await registry.listResources('rp');
      const read = await registry.readResource('rp', resource.uri);
      assert.ok(read.contents.length > 0);
      const [prompt] = await registry.listPrompts('rp');
      const got = await registry.getPrompt('rp', prompt.name, { topic: 'tests' });
      assert.ok(got.messages.length > 0);
    });

    it('refreshes the tool cache on list_changed', async () => {
      open().reconcile([fixtures.stdio('dyn')]);
      const before = await registry.listTools('dyn');
      let listEvents = 0;
      registry.onDidChangeLists(() => listEvents++);
      await registry.callTool('dyn', 'add_tool', { name: 'late' });
      await eventually(() => registry.list()[0].tools?.some((t) => t.name === 'late'), 5000, 'the new tool in the cache');
      assert.equal(registry.list()[0].tools!.length, before.length + 1);
      assert.ok(listEvents >= 1);
      assert.equal(textOf(await registry.callTool('dyn', 'late', {})), 'dynamic:late');
    });

    it('keeps logging notifications in the server log', async () => {
      open().reconcile([fixtures.stdio('logger')]);
      await registry.callTool('logger', 'log', { message: 'hello from the server' });
      await eventually(() => registry.get('logger')!.logLines().some((l) => l.stream === 'notification' && l.text.includes('hello from the server')), 3000, 'the log line');
    });
  });

  describe('calls', () => {
    it('a tool error rejects with code tool-error and carries the result', async () => {
      open().reconcile([fixtures.stdio('echo')]);
      const error = await rejection(registry.callTool('echo', 'fail', {}), 'tool-error');
      assert.match(error.message, /fixture failure/);
      assert.equal((error.details.result as { isError: boolean }).isError, true);
      assert.equal(error.server, 'echo');
    });

    it('an unknown tool is a protocol error naming the server', async () => {
      open().reconcile([fixtures.stdio('echo')]);
      const error = await rejection(registry.callTool('echo', 'no_such_tool', {}), 'protocol');
      assert.match(error.message, /"echo"/);
    });

    it('times out without progress, and progress resets the timeout', async () => {
      open().reconcile([fixtures.stdio('slow')]);
      const began = Date.now();
      await rejection(registry.callTool('slow', 'slow', { ms: 5000, steps: 1 }, { timeoutMs: 400 }), 'timeout');
      assert.ok(Date.now() - began < 3000);
      const updates: number[] = [];
      const result = await registry.callTool('slow', 'slow', { ms: 1500, steps: 10 }, { timeoutMs: 600, onProgress: (p) => updates.push(p.progress) });
      assert.match(textOf(result), /done/);
      assert.ok(updates.length >= 5, `progress updates: ${updates.length}`);
    });

    it('the total timeout bounds a call even while progress keeps coming', async () => {
      open().reconcile([fixtures.stdio('slow')]);
      const began = Date.now();
      await rejection(registry.callTool('slow', 'slow', { ms: 6000, steps: 60 }, { timeoutMs: 500, maxTotalTimeoutMs: 1000 }), 'timeout');
      assert.ok(Date.now() - began < 3000);
    });

    it('cancelling settles the call at once and leaves the session usable', async () => {
      open().reconcile([fixtures.stdio('slow')]);
      await registry.start('slow');
      const controller = new AbortController();
      const call = registry.callTool('slow', 'slow', { ms: 10_000 }, { signal: controller.signal });
      await delay(200);
      const began = Date.now();
      controller.abort();
      await rejection(call, 'cancelled');
      assert.ok(Date.now() - began < 500);
      await eventually(() => registry.get('slow')!.logLines().some((l) => l.text.includes('slow cancelled')), 3000, 'the server to see the cancellation');
      assert.equal(textOf(await registry.callTool('slow', 'echo', { text: 'after' })), 'after');
    });

    it('an already aborted signal never reaches the server', async () => {
      open().reconcile([fixtures.stdio('echo')]);
      await rejection(registry.callTool('echo', 'echo', { text: 'x' }, { signal: AbortSignal.abort() }), 'cancelled');
    });
  });

  describe('crash supervision', () => {
    it('a crash rejects every in-flight call at once with exit code and stderr, then restarts', async () => {
      open({ supervisor: { initialBackoffMs: 100 } }).reconcile([fixtures.stdio('fragile')]);
      await registry.start('fragile');
      const firstPid = registry.list()[0].pid!;
      const slowCalls = [1, 2, 3].map(() => registry.callTool('fragile', 'slow', { ms: 20_000 }, { timeoutMs: 30_000 }));
      await delay(100);
      const began = Date.now();
      const crash = registry.callTool('fragile', 'crash', { code: 7 });
      const errors = await Promise.all([crash, ...slowCalls].map((c) => rejection(c, 'crashed')));
      assert.ok(Date.now() - began < 2000, `settled after ${Date.now() - began} ms`);
      for (const error of errors) {
        assert.equal(error.details.exitCode, 7);
        assert.match(error.describe(), /crashing with exit code 7/);
      }
      await eventually(() => registry.get('fragile')!.state.state === 'running', 5000, 'the restart');
      assert.notEqual(registry.list()[0].pid, firstPid);
      assert.deepEqual(statesOf('fragile').slice(0, 5), ['starting', 'running', 'error', 'starting', 'running']);
      assert.equal(textOf(await registry.callTool('fragile', 'echo', { text: 'back' })), 'back');
    });

    it('a crash during a call names the call each caller made, once, and keeps the stderr tail', async () => {
      open({ supervisor: { initialBackoffMs: 100 } }).reconcile([fixtures.stdio('crashy')]);
      await registry.start('crashy');
      const slow = registry.callTool('crashy', 'slow', { ms: 20_000 }, { timeoutMs: 30_000 });
      await delay(100);
      const [crashError, slowError] = await Promise.all([rejection(registry.callTool('crashy', 'crash', { code: 7 }), 'crashed'), rejection(slow, 'crashed')]);
      assert.equal(crashError.message, '"crashy" stopped unexpectedly during the call of "crash": exited with code 7.');
      assert.equal(slowError.message, '"crashy" stopped unexpectedly during the call of "slow": exited with code 7.');
      assert.ok(crashError.details.stderrTail?.some((line) => line.includes('crashing with exit code 7')));
    });

    it('the error state says what failed and whether a restart is coming', async () => {
      open({ supervisor: { initialBackoffMs: 20, maxCrashes: 2, windowMs: 60_000 } }).reconcile([fixtures.stdio('loop', ['--exit-after-init=50'])]);
      const errors: SessionState[] = [];
      registry.onDidChangeState((e) => e.current.state === 'error' && errors.push(e.current));
      await registry.start('loop');
      await eventually(() => errors.length >= 2, 10_000, 'the breaker');
      const [first, last] = errors;
      assert.ok(first.state === 'error' && last.state === 'error');
      assert.equal(first.code, 'crashed');
      assert.equal(first.restartInMs, 20);
      assert.ok(first.stderrTail?.some((line) => line.includes('simulated crash after initialization')));
      assert.equal(last.code, 'crashed');
      assert.equal(last.restartInMs, undefined, 'the breaker tripped: no restart is coming');
      assert.match(last.message, /will not be restarted/);
    });

    it('the crash-loop breaker stops restarting until the user starts again', async () => {
      open({ supervisor: { initialBackoffMs: 20, maxCrashes: 3, windowMs: 60_000 } }).reconcile([fixtures.stdio('loop', ['--exit-after-init=50'])]);
      await registry.start('loop');
      await eventually(() => {
        const s = registry.get('loop')!.state;
        return s.state === 'error' && s.message.includes('will not be restarted') ? s : undefined;
      }, 10_000, 'the breaker');
      const state = registry.get('loop')!.state;
      assert.match(state.state === 'error' ? state.message : '', /crashed 3 times in the last 1 minute/);
      const starts = statesOf('loop').filter((s) => s === 'starting').length;
      await delay(300);
      assert.equal(statesOf('loop').filter((s) => s === 'starting').length, starts, 'no restart after the breaker tripped');
      await rejection(registry.callTool('loop', 'echo', { text: 'x' }), 'not-running');
      await registry.start('loop');
      assert.equal(registry.get('loop')!.state.state, 'running', 'a user start resets the breaker');
    });

    it('without restartOnCrash a crash ends in error and the next call starts it again', async () => {
      open({ supervisor: { restartOnCrash: false } }).reconcile([fixtures.stdio('once')]);
      await rejection(registry.callTool('once', 'crash', {}), 'crashed');
      await delay(200);
      assert.equal(registry.get('once')!.state.state, 'error');
      assert.equal(textOf(await registry.callTool('once', 'echo', { text: 'again' })), 'again');
    });
  });
  describe('protocol eras', () => {
    /** A stdio fixture of this folder by file name, recording its pids in `pidDir`. */
    function fixture(name: string, file: string, pidDir: string, flags: string[]): StdioServerDefinition {
      return { kind: 'stdio', name, command: process.execPath, args: [join(fixturesDir, file), ...flags, `--pid-dir=${pidDir}`], env: {}, source: { label: 'test' } };
    }

    /** A 2026-07-28-only server (v2 SDK) that asks for input (`confirm`) and announces new tools (`add_tool`). */
    function modernOnly(name: string, pidDir: string, flags: string[] = []): StdioServerDefinition {
      return fixture(name, 'v2-stdio-server.mjs', pidDir, ['--modern-only', '--confirm', '--add-tool', ...flags]);
    }

    /** A 2025 server (v1 SDK) that exits with code 4 when its first request is not `initialize`; `confirm` asks with a 2025 elicitation request. */
    function exitsOnProbe(name: string, pidDir: string): StdioServerDefinition {
      return fixture(name, 'stdio-server.mjs', pidDir, ['--exit-on-probe', '--confirm']);
    }

    /** Server processes spawned so far: each writes one pid file. */
    function spawnsIn(pidDir: string): number {
      return readdirSync(pidDir).length;
    }

    /** `server/discover` requests this client sent to `server`, from the protocol trace. */
    function probesSentTo(server: string): number {
      return registry
        .get(server)!
        .logLines()
        .filter((l) => l.stream === 'trace' && l.text.startsWith('→') && l.text.includes('"method":"server/discover"')).length;
    }

    it('a modern-only server (2026-07-28) lists and calls, spawned once, and says so in its state', async () => {
      const pids = fixtures.pidDir();
      open({ traceProtocol: true }).reconcile([modernOnly('modern', pids)]);
      await registry.start('modern');
      const state = registry.get('modern')!.state;
      assert.deepEqual(state.state === 'running' ? state.protocol : undefined, { era: 'modern', version: '2026-07-28' });
      assert.deepEqual(
        (await registry.listTools('modern')).map((t) => t.name),
        ['echo', 'add', 'slow', 'add_tool', 'crash', 'big', 'fail', 'log', 'pid', 'confirm'],
      );
      assert.equal(textOf(await registry.callTool('modern', 'echo', { text: 'hello 2026' })), 'hello 2026');
      assert.equal(spawnsIn(pids), 1, 'the probe ran on the one process we spawned');
      assert.equal(probesSentTo('modern'), 1);
      assert.deepEqual(registry.list()[0].protocol, { era: 'modern', version: '2026-07-28' });
      assert.ok(registry.get('modern')!.logLines().some((l) => l.stream === 'state' && l.text.includes('running (MCP 2026-07-28)')));
    });

    it('a v1 server is spoken to in the 2025 era after it refuses the probe', async () => {
      open().reconcile([fixtures.stdio('v1')]);
      await registry.start('v1');
      assert.equal(textOf(await registry.callTool('v1', 'echo', { text: 'legacy' })), 'legacy');
      assert.deepEqual(registry.list()[0].protocol, { era: 'legacy', version: '2025-11-25' });
      assert.equal(registry.list()[0].legacyRestarts, 0);
    });

    it('a legacy server that exits on the probe works after exactly one logged restart in legacy mode', async () => {
      const pids = fixtures.pidDir();
      open().reconcile([exitsOnProbe('strict', pids)]);
      await registry.start('strict');
      assert.equal(textOf(await registry.callTool('strict', 'echo', { text: 'after one restart' })), 'after one restart');
      assert.equal(spawnsIn(pids), 2);
      const snapshot = registry.list()[0];
      assert.equal(snapshot.legacyRestarts, 1);
      assert.equal(snapshot.protocol?.era, 'legacy');
      const logged = registry.get('strict')!.logLines().filter((l) => l.text.includes('on the server/discover probe'));
      assert.equal(logged.length, 1);
      assert.match(logged[0].text, /"strict" exited with code 4 on the server\/discover probe, so it speaks only MCP 2025; starting it once more in legacy mode/);
    });

    it('a restart reuses the era verdict: no probe, one spawn', async () => {
      const modernPids = fixtures.pidDir();
      const strictPids = fixtures.pidDir();
      open({ traceProtocol: true }).reconcile([modernOnly('modern', modernPids), exitsOnProbe('strict', strictPids)]);
      await registry.start('modern');
      await registry.start('strict');
      assert.equal(probesSentTo('modern'), 1);
      assert.equal(probesSentTo('strict'), 1);
      await registry.restart('modern');
      await registry.restart('strict');
      assert.equal(probesSentTo('modern'), 1, 'the modern verdict was adopted with zero round trips');
      assert.equal(probesSentTo('strict'), 1, 'the legacy verdict skipped the probe');
      assert.equal(textOf(await registry.callTool('modern', 'add', { a: 2, b: 3 })), '5');
      // A modern verdict connects with no round trip at all: the new process may not have run a line yet.
      assert.equal(spawnsIn(modernPids), 2);
      assert.equal(spawnsIn(strictPids), 3, 'two for the first start, one for the restart');
      assert.equal(registry.list().find((s) => s.name === 'strict')!.legacyRestarts, 1);
      assert.deepEqual(registry.list().find((s) => s.name === 'modern')!.protocol, { era: 'modern', version: '2026-07-28' });
    });

    it('a changed definition probes again', async () => {
      const pids = fixtures.pidDir();
      const def = exitsOnProbe('strict', pids);
      open({ traceProtocol: true }).reconcile([def]);
      await registry.start('strict');
      assert.equal(probesSentTo('strict'), 1);
      registry.reconcile([{ ...def, env: { CHANGED: '1' } }]);
      await eventually(() => registry.get('strict')!.state.state === 'running' && probesSentTo('strict') === 2, 10_000, 'a probed restart');
      assert.equal(registry.list()[0].legacyRestarts, 2);
      assert.equal(spawnsIn(pids), 4);
    });

    it('a legacy verdict past its age is probed again', async () => {
      open({ traceProtocol: true, legacyVerdictMaxAgeMs: 0 }).reconcile([fixtures.stdio('v1')]);
      await registry.start('v1');
      await registry.restart('v1');
      assert.equal(probesSentTo('v1'), 2);
    });

    it('subscriptions/listen brings list changes from a modern server, after a restart too', async () => {
      open().reconcile([modernOnly('modern', fixtures.pidDir())]);
      for (const round of ['first', 'after restart']) {
        if (round !== 'first') await registry.restart('modern');
        await registry.listTools('modern');
        await eventually(() => registry.get('modern')!.logLines().filter((l) => l.text.includes('listening for list changes')).length === (round === 'first' ? 1 : 2), 5000, 'the listen stream');
        await registry.callTool('modern', 'add_tool', { name: `late_${round === 'first' ? 1 : 2}` });
        await eventually(() => registry.list()[0].tools?.some((t) => t.name === `late_${round === 'first' ? 1 : 2}`) ?? false, 5000, `the new tool (${round})`);
      }
    });

    it('the ttlMs hint drives the list cache: a list past its ttl is fetched again on next use', async () => {
      const fetchesOf = (server: string) => registry.get(server)!.logLines().filter((l) => l.stream === 'stderr' && l.text === 'fixture: tools/list').length;
      open().reconcile([modernOnly('cached', fixtures.pidDir(), ['--ttl-ms=60000']), modernOnly('stale', fixtures.pidDir(), ['--ttl-ms=0'])]);
      for (const server of ['cached', 'stale']) {
        await registry.listTools(server);
        await eventually(() => fetchesOf(server) === 1, 5000, `the first tools/list of ${server}`);
        await registry.listTools(server);
        await registry.listTools(server);
      }
      await delay(200);
      assert.equal(fetchesOf('cached'), 1, 'served from the cache within its ttl');
      assert.equal(fetchesOf('stale'), 3, 'ttlMs 0: stale at once, fetched on every use');
    });

    it('a hung stdio server is found by the heartbeat without a call', async () => {
      open({ pingIntervalMs: 200, pingTimeoutMs: 300, crashPolicy: () => new NeverRestartPolicy() }).reconcile([fixtures.stdio('hung')]);
      await registry.start('hung');
      const state = registry.get('hung')!.state;
      const pid = state.state === 'running' ? state.pid! : 0;
      process.kill(pid, 'SIGSTOP');
      await eventually(() => registry.get('hung')!.state.state === 'error', 5000, 'the heartbeat to fail');
      const error = registry.get('hung')!.state;
      assert.match(error.state === 'error' ? error.message : '', /did not answer 2 heartbeats in a row within 300 ms/);
      await eventually(() => !isAlive(pid), 5000, 'the stopped server to be killed');
    });

    it('a stdio server that misses one heartbeat (busy, not hung) keeps running', async () => {
      open({ pingIntervalMs: 1500, pingTimeoutMs: 400, traceProtocol: true, crashPolicy: () => new NeverRestartPolicy() }).reconcile([fixtures.stdio('busy')]);
      await registry.start('busy');
      const session = registry.get('busy')!;
      const state = session.state;
      const pid = state.state === 'running' ? state.pid! : 0;
      // Right after a heartbeat is answered, pause the server across the next one (sent 1.5 s
      // later, missed 0.4 s after that) and let it go before the one after.
      await new Promise<void>((resolve) => {
        let pinged = false;
        const listener = session.onDidLog((line) => {
          if (line.stream !== 'trace') return;
          if (line.text.startsWith('→') && line.text.includes('"method":"ping"')) pinged = true;
          else if (pinged && line.text.startsWith('←')) {
            listener.dispose();
            resolve();
          }
        });
      });
      process.kill(pid, 'SIGSTOP');
      await delay(2100);
      process.kill(pid, 'SIGCONT');
      assert.ok(session.logLines().some((l) => l.stream === 'trace' && l.text.startsWith('→') && l.text.includes('"method":"ping"')));
      await delay(500);
      assert.equal(session.state.state, 'running', 'one missed heartbeat does not end a stdio server');
      assert.equal(textOf(await registry.callTool('busy', 'echo', { text: 'still here' })), 'still here');
    });

    it('input_required (2026) and elicitation requests (2025) go to the same handlers; requestState comes back byte for byte', async () => {
      const asked: string[] = [];
      open({
        clientRequests: {
          elicit: async (server, params) => {
            asked.push(`${server}: ${params.message}`);
            return { action: 'accept', content: { ok: true } };
          },
        },
      }).reconcile([modernOnly('modern', fixtures.pidDir()), exitsOnProbe('legacy', fixtures.pidDir())]);
      const modern = await registry.callTool('modern', 'confirm', { message: 'Proceed?' });
      assert.equal(textOf(modern), 'confirmed: {"action":"accept","content":{"ok":true}}; requestState echoed exactly');
      const legacy = await registry.callTool('legacy', 'confirm', { message: 'Go on?' });
      assert.equal(textOf(legacy), 'confirmed: {"action":"accept","content":{"ok":true}}');
      assert.deepEqual(asked, ['modern: Proceed?', 'legacy: Go on?']);
    });

    it('by default a request for input is refused with a message naming the server, in both eras', async () => {
      open().reconcile([modernOnly('modern', fixtures.pidDir()), exitsOnProbe('legacy', fixtures.pidDir())]);
      const error = await rejection(registry.callTool('modern', 'confirm', {}), 'protocol');
      assert.match(error.message, /"modern" asked for input \(elicitation\); answering it is not supported yet/);
      // A 2025 server gets the refusal as the error of its request and reports it in its result.
      const legacy = await rejection(registry.callTool('legacy', 'confirm', { message: 'Go on?' }), 'tool-error');
      assert.match(legacy.message, /elicitation failed: .*"legacy" asked for input \(elicitation\); answering it is not supported yet/);
    });

    it('the crash policy the registry is given decides what follows a crash', async () => {
      const crashes: string[] = [];
      open({
        crashPolicy: (server) => ({
          crashed: (_name, why) => {
            crashes.push(`${server}: ${why}`);
            return { action: 'stop', message: `policy says stop after: ${why}`, final: true };
          },
          recentCrashes: () => crashes.length,
          gaveUp: () => crashes.length > 0,
          reset: () => void crashes.splice(0),
        }),
      }).reconcile([fixtures.stdio('crashy')]);
      await rejection(registry.callTool('crashy', 'crash', {}), 'crashed');
      const state = registry.get('crashy')!.state;
      assert.equal(state.state === 'error' ? state.message : '', 'policy says stop after: "crashy" exited with code 7');
      assert.deepEqual(crashes, ['crashy: "crashy" exited with code 7']);
      assert.equal(registry.list()[0].recentCrashes, 1);
      await rejection(registry.callTool('crashy', 'echo', { text: 'x' }), 'not-running');
      await registry.start('crashy');
      assert.equal(registry.list()[0].recentCrashes, 0, 'a user start resets the policy');
    });
  });
});

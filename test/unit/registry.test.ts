// The registry: reconcile, bounded parallel shutdown, and the process ledger sweep.

import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMcpSessionError } from '../../src/core/errors';
import { lineLogger } from '../../src/core/logger';
import { noProcessTable, procTable, processStartTime, psTable } from '../../src/core/processTree';
import { ProcessLedger } from '../../src/core/ledger';
import { SessionRegistry } from '../../src/core/registry';
import { repoRoot } from '../support/paths';
import { FixtureTracker, eventually, isAlive, watchdogsOf } from '../support/processes';

describe('SessionRegistry', function () {
  this.timeout(30_000);
  const fixtures = new FixtureTracker();
  let registry: SessionRegistry | undefined;

  afterEach(async () => {
    await registry?.shutdown(2000);
    registry = undefined;
    await fixtures.assertNoneAlive();
    fixtures.cleanup();
  });

  it('reconcile adds, removes and restarts only changed servers', async () => {
    registry = new SessionRegistry({ stdinGraceMs: 300, termGraceMs: 300 });
    const a = fixtures.stdio('a');
    const b = fixtures.stdio('b');
    const c = fixtures.stdio('c');
    assert.deepEqual(registry.reconcile([a, b, c]), { added: ['a', 'b', 'c'], removed: [], changed: [], unchanged: [] });
    await Promise.all(['a', 'b', 'c'].map((n) => registry!.start(n)));
    const pid = (name: string) => registry!.list().find((s) => s.name === name)?.pid;
    const [pidA, pidB, pidC] = [pid('a'), pid('b'), pid('c')];

    const changedB = { ...b, args: [...b.args, '--tools=2'] };
    const d = fixtures.stdio('d');
    const result = registry.reconcile([a, changedB, d]);
    assert.deepEqual(result, { added: ['d'], removed: ['c'], changed: ['b'], unchanged: ['a'] });

    await eventually(() => registry!.get('b')!.state.state === 'running' && pid('b') !== pidB, 5000, 'b to restart');
    assert.equal(pid('a'), pidA, 'a unchanged keeps its process');
    assert.ok(!isAlive(pidB!), 'the old b is gone');
    await eventually(() => !isAlive(pidC!), 5000, 'c to stop');
    assert.equal(registry.get('c'), undefined);
    assert.equal(registry.get('d')!.state.state, 'stopped', 'a new server does not start by itself');
    const tools = await registry.listTools('b');
    assert.ok(tools.some((t) => t.name === 'tool_001'), 'b runs with its new definition');
  });

  it('a changed definition of a stopped server does not start it', async () => {
    registry = new SessionRegistry();
    const a = fixtures.stdio('a');
    registry.reconcile([a]);
    assert.deepEqual(registry.reconcile([{ ...a, args: [...a.args, '--garbage'] }]).changed, ['a']);
    assert.equal(registry.get('a')!.state.state, 'stopped');
    assert.deepEqual(fixtures.pids(), []);
  });

  it('unknown servers are a not-found error', async () => {
    registry = new SessionRegistry();
    await assert.rejects(registry.callTool('nope', 'echo'), (e) => isMcpSessionError(e, 'not-found') && /No MCP server named "nope"/.test(e.message));
  });

  it('shutdown is idempotent, reports each server, and refuses later calls', async () => {
    registry = new SessionRegistry({ stdinGraceMs: 300, termGraceMs: 300 });
    registry.reconcile([fixtures.stdio('up'), fixtures.stdio('idle')]);
    await registry.start('up');
    const first = registry.shutdown();
    const second = registry.shutdown();
    assert.equal(first, second);
    const report = await first;
    assert.equal(report.deadlineReached, false);
    const byName = Object.fromEntries(report.servers.map((s) => [s.server, s.outcome]));
    assert.deepEqual(byName, { up: 'exited-on-stdin-close', idle: 'not-running' });
    assert.equal(registry.isShutDown, true);
    await assert.rejects(registry.callTool('up', 'echo', { text: 'x' }), (e) => isMcpSessionError(e, 'shut-down'));
    assert.throws(() => registry!.reconcile([]), (e) => isMcpSessionError(e, 'shut-down'));
  });

  it('dispose() starts the shutdown synchronously', async () => {
    registry = new SessionRegistry({ stdinGraceMs: 300, termGraceMs: 300 });
    registry.reconcile([fixtures.stdio('up')]);
    await registry.start('up');
    registry.dispose();
    assert.equal(registry.isShutDown, true);
    await fixtures.assertNoneAlive();
  });

  it('shutdown (the host going away) ends 20 servers, stubborn ones with grandchildren and ones behind sh included: 0 left', async () => {
    // The settings' graces (2 s + 2 s) give way to the host-exit graces; timings are a benchmark row (npm run bench).
    registry = new SessionRegistry();
    const stubborn = ['--ignore-eof', '--ignore-sigterm', '--spawn-child'];
    const defs = [
      ...Array.from({ length: 10 }, (_, i) => fixtures.stdio(`good-${i}`)),
      ...Array.from({ length: 5 }, (_, i) => fixtures.stdio(`stubborn-${i}`, stubborn)),
      ...Array.from({ length: 4 }, (_, i) => fixtures.stdio(`wrapped-${i}`, ['--spawn-child'], { wrapped: true })),
      fixtures.stdio('wrapped-stubborn', stubborn, { wrapped: true }),
    ];
    registry.reconcile(defs);
    await Promise.all(defs.map((d) => registry!.start(d.name)));
    const report = await registry.shutdown();
    assert.equal(report.deadlineReached, false);
    const outcomes = Object.fromEntries(report.servers.map((s) => [s.server, s.outcome]));
    assert.equal(outcomes['good-0'], 'exited-on-stdin-close');
    assert.equal(outcomes['stubborn-0'], 'killed');
    assert.equal(outcomes['wrapped-stubborn'], 'killed');
    assert.ok(!Object.values(outcomes).includes('survived'), JSON.stringify(outcomes));
    await fixtures.assertNoneAlive(100);
  });

  it("a user's stop keeps the settings' graces; shutdown takes the shorter host-exit graces", async () => {
    const graces = { stdinGraceMs: 1500, termGraceMs: 1500 };
    registry = new SessionRegistry(graces);
    registry.reconcile([fixtures.stdio('stopped', ['--ignore-eof', '--ignore-sigterm']), fixtures.stdio('shut', ['--ignore-eof', '--ignore-sigterm'])]);
    await Promise.all([registry.start('stopped'), registry.start('shut')]);
    const began = Date.now();
    await registry.stop('stopped');
    assert.ok(Date.now() - began >= graces.stdinGraceMs + graces.termGraceMs, `stop took ${Date.now() - began} ms`);
    const report = await registry.shutdown(10_000);
    assert.equal(report.servers.find((s) => s.server === 'shut')?.outcome, 'killed');
    assert.ok(report.durationMs < graces.stdinGraceMs + graces.termGraceMs, `shutdown took ${report.durationMs} ms: the settings' graces`);
    await fixtures.assertNoneAlive(100);
  });

  it('shutdown during a hung start ends the process within the deadline', async () => {
    registry = new SessionRegistry({ connectTimeoutMs: 20_000 });
    registry.reconcile([fixtures.stdio('hung', ['--never-initialize', '--ignore-eof', '--ignore-sigterm'])]);
    const start = registry.start('hung').catch((e: unknown) => e);
    await eventually(() => fixtures.pids().length > 0, 5000, 'the server to spawn');
    const began = Date.now();
    const report = await registry.shutdown(1000);
    assert.ok(Date.now() - began < 1800, `shutdown took ${Date.now() - began} ms`);
    assert.equal(report.deadlineReached, false);
    assert.ok(isMcpSessionError(await start, 'cancelled'));
    await fixtures.assertNoneAlive(100);
  });

  it('state events name the server, the states and the reason', async () => {
    registry = new SessionRegistry();
    registry.reconcile([fixtures.stdio('ev')]);
    const events: string[] = [];
    registry.onDidChangeState((e) => events.push(`${e.server}:${e.previous.state}->${e.current.state}:${e.reason}`));
    await registry.start('ev', 'because');
    assert.deepEqual(events, ['ev:stopped->starting:because', 'ev:starting->running:because']);
  });

  describe('process ledger', () => {
    let stateDir: string;
    beforeEach(() => {
      stateDir = mkdtempSync(join(tmpdir(), 'mcp-ledger-'));
    });
    afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

    it('the next host sweeps server groups that survived a killed host', async () => {
      const pidDir = fixtures.pidDir();
      const host = join(repoRoot, 'out', 'test', 'support', 'ledger-host.js');
      // A host process that starts a stubborn server, reports, and is then SIGKILLed, its
      // watchdog first (the watchdog's own test is watchdog.test.ts): nothing can stop the server.
      const child = spawn(process.execPath, [host, stateDir, pidDir], { stdio: ['ignore', 'pipe', 'inherit'] });
      const ready = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => resolve(d.toString()));
        child.once('exit', (code) => reject(new Error(`host exited early with ${code}`)));
      });
      assert.match(ready, /running/);
      const guards = await eventually(() => watchdogsOf(child.pid!).size === 1 && [...watchdogsOf(child.pid!).values()], 5000, 'the watchdog');
      for (const guard of guards) process.kill(guard, 'SIGKILL');
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const survivors = fixtures.alive();
      assert.ok(survivors.length >= 1, 'the server outlived its host (that is what the ledger is for)');

      const messages: string[] = [];
      registry = new SessionRegistry({ stateDir, logger: lineLogger((l) => messages.push(l), 'info') });
      await registry.ready;
      await fixtures.assertNoneAlive(2000);
      assert.ok(messages.some((m) => /Ended process group \d+ of "orphan"/.test(m)), messages.join('\n'));
      assert.deepEqual((JSON.parse(readFileSync(join(stateDir, 'process-ledger.json'), 'utf8')) as { entries: unknown[] }).entries, []);
    });

    it('never signals a pid whose start time does not match (pid reuse)', async () => {
      const bystander = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
      try {
        const startTime = processStartTime(bystander.pid!)!;
        const deadHost = 999_999;
        writeFileSync(
          join(stateDir, 'process-ledger.json'),
          JSON.stringify({ version: 1, entries: [{ pid: bystander.pid, startTime: startTime + 1, server: 'x', command: 'x', hostPid: deadHost, hostStartTime: 1 }] }),
        );
        const result = await new ProcessLedger(stateDir, lineLogger(() => undefined)).sweep();
        assert.deepEqual(result.killed, []);
        assert.ok(isAlive(bystander.pid!));
      } finally {
        process.kill(-bystander.pid!, 'SIGKILL');
      }
    });

    const ledgerFile = () => join(stateDir, 'process-ledger.json');
    const writeLedger = (entries: unknown[]) => writeFileSync(ledgerFile(), JSON.stringify({ version: 1, entries }));
    const deadHost = 999_999;

    /** A detached process group whose leader exits at once, leaving one member behind. */
    async function orphanedGroup(): Promise<{ pgid: number; member: number }> {
      const script = "const c=require('child_process').spawn(process.execPath,['-e','setInterval(()=>{},1000);setTimeout(()=>process.exit(0),60000)'],{stdio:'ignore'});c.unref();console.log(c.pid)";
      const leader = spawn(process.execPath, ['-e', script], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      leader.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await new Promise((r) => leader.once('exit', r));
      return { pgid: leader.pid!, member: Number(out.trim()) };
    }

    for (const [what, text] of [
      ['a null entry', '{"version":1,"entries":[null]}'],
      ['entries of the wrong types', '{"version":1,"entries":[{"pid":"12","startTime":"x","server":1,"command":[],"hostPid":true}]}'],
      ['entries that are not a list', '{"version":1,"entries":{"pid":12}}'],
      ['truncated JSON', '{"version":1,"entries":[{"pid":'],
    ]) {
      it(`a ledger with ${what} is reset with a warning and never blocks a start`, async () => {
        writeFileSync(ledgerFile(), text);
        const messages: string[] = [];
        registry = new SessionRegistry({ stateDir, stdinGraceMs: 300, termGraceMs: 300, logger: lineLogger((l) => messages.push(l), 'warn') });
        await registry.ready;
        registry.reconcile([fixtures.stdio('a')]);
        await registry.start('a');
        const pid = registry.list()[0].pid!;
        assert.ok(messages.some((m) => /^\[warn\] The process ledger .* (was reset|had \d+ invalid entr)/.test(m)), messages.join('\n'));
        const entries = (JSON.parse(readFileSync(ledgerFile(), 'utf8')) as { entries: { pid: number }[] }).entries;
        assert.deepEqual(entries.map((e) => e.pid), [pid], 'the start was recorded in the repaired ledger');
      });
    }

    it('never signals pid 0, 1, a negative pid or the host\'s own process group', async () => {
      const ownGroup = procTable.groupOf(process.pid)!;
      const leaderStart = procTable.startTime(ownGroup);
      writeLedger([0, 1, -1, -ownGroup, ownGroup, process.pid].map((pid) => ({ pid, startTime: leaderStart, server: 'x', command: 'x', hostPid: deadHost, hostStartTime: 1 })));
      const result = await new ProcessLedger(stateDir, lineLogger(() => undefined)).sweep();
      assert.deepEqual(result.killed, []);
      assert.deepEqual((JSON.parse(readFileSync(ledgerFile(), 'utf8')) as { entries: unknown[] }).entries, []);
    });

    it('on Linux, a reused group id of an unrelated group whose members started before ours is not signalled', async () => {
      const { pgid, member } = await orphanedGroup();
      try {
        const memberStart = procTable.startTime(member)!;
        writeLedger([{ pid: pgid, startTime: memberStart + 100, server: 'x', command: 'x', hostPid: deadHost, hostStartTime: 1 }]);
        const result = await new ProcessLedger(stateDir, lineLogger(() => undefined), { processTable: procTable }).sweep();
        assert.deepEqual(result.killed, []);
        assert.equal(result.leftUnproved, 1);
        assert.ok(isAlive(member));
      } finally {
        process.kill(-pgid, 'SIGKILL');
      }
    });

    it('on Linux, an orphaned group whose members all started after our leader is ended', async () => {
      const { pgid, member } = await orphanedGroup();
      try {
        writeLedger([{ pid: pgid, startTime: procTable.startTime(member)!, server: 'x', command: 'x', hostPid: deadHost, hostStartTime: 1 }]);
        const result = await new ProcessLedger(stateDir, lineLogger(() => undefined), { processTable: procTable }).sweep();
        assert.deepEqual(result.killed.map((k) => k.pid), [pgid]);
        await eventually(() => !isAlive(member), 3000, 'the orphaned member to end');
      } finally {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          // ended by the sweep
        }
      }
    });

    it('without /proc, start times come from ps: a live host keeps its groups, a dead host\'s provable group is ended', async () => {
      const bystander = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
      try {
        const startTime = psTable.startTime(bystander.pid!);
        assert.ok(startTime, 'ps reports a start time');
        const entry = { pid: bystander.pid, startTime, clock: 'ps-lstart', server: 'x', command: 'x', hostPid: process.pid, hostStartTime: psTable.startTime(process.pid) };
        writeLedger([{ ...entry, hostPid: process.ppid, hostStartTime: psTable.startTime(process.ppid) }]);
        const live = await new ProcessLedger(stateDir, lineLogger(() => undefined), { processTable: psTable }).sweep();
        assert.deepEqual(live.killed, []);
        assert.equal(live.keptForLiveHosts, 1);
        assert.ok(isAlive(bystander.pid!));

        writeLedger([{ ...entry, hostPid: deadHost }]);
        const dead = await new ProcessLedger(stateDir, lineLogger(() => undefined), { processTable: psTable }).sweep();
        assert.deepEqual(dead.killed.map((k) => k.pid), [bystander.pid]);
        await eventually(() => !isAlive(bystander.pid!), 3000, 'the provable group to end');
      } finally {
        try {
          process.kill(-bystander.pid!, 'SIGKILL');
        } catch {
          // ended by the sweep
        }
      }
    });

    it('without any start times (no /proc, no ps), the sweep kills nothing, a live window\'s servers included', async () => {
      const bystander = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
      try {
        // What a host on such a system writes: no start times.
        writeLedger([
          { pid: bystander.pid, server: 'live window', command: 'x', hostPid: process.ppid },
          { pid: bystander.pid, server: 'dead window', command: 'x', hostPid: deadHost },
        ]);
        const result = await new ProcessLedger(stateDir, lineLogger(() => undefined), { processTable: noProcessTable }).sweep();
        assert.deepEqual(result.killed, []);
        assert.equal(result.keptForLiveHosts, 1);
        assert.equal(result.leftUnproved, 1);
        assert.ok(isAlive(bystander.pid!));
      } finally {
        process.kill(-bystander.pid!, 'SIGKILL');
      }
    });

    it('leaves the groups of a host that is still running', async () => {
      const bystander = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
      try {
        writeFileSync(
          join(stateDir, 'process-ledger.json'),
          JSON.stringify({
            version: 1,
            entries: [{ pid: bystander.pid, startTime: processStartTime(bystander.pid!), server: 'x', command: 'x', hostPid: process.ppid, hostStartTime: processStartTime(process.ppid) }],
          }),
        );
        const result = await new ProcessLedger(stateDir, lineLogger(() => undefined)).sweep();
        assert.deepEqual(result.killed, []);
        assert.equal(result.keptForLiveHosts, 1);
        assert.ok(isAlive(bystander.pid!));
      } finally {
        process.kill(-bystander.pid!, 'SIGKILL');
      }
    });
  });
});

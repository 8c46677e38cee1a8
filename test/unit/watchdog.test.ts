// The guard against the host's death (src/core/watchdog.ts), with real processes: a host that is
// SIGKILLed leaves no server process (so no server holds the write end of a guard's pipe: a
// stubborn server that did would keep its guard waiting), and the guard exits with its group,
// without a signal, when the host stops the server.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SessionRegistry } from '../../src/core/registry';
import { GroupWatchdog } from '../../src/core/watchdog';
import { repoRoot } from '../support/paths';
import { FixtureTracker, delay, eventually, isAlive, watchdogsOf } from '../support/processes';

const linux = process.platform === 'linux';

/** Every fixture pid plus the `sh` of wrapped servers (the parent of a server that is not `parentOfDirect`). */
function pidsWithShells(pidDir: string, parentOfDirect: number): number[] {
  const pids = new Set<number>();
  for (const name of readdirSync(pidDir)) {
    const entry = JSON.parse(readFileSync(join(pidDir, name), 'utf8')) as { pid: number; role: string; ppid: number };
    pids.add(entry.pid);
    if (entry.role === 'server' && entry.ppid !== parentOfDirect) pids.add(entry.ppid);
  }
  return [...pids];
}

describe('watchdog: no orphan when the host dies', function () {
  this.timeout(30_000);
  let fixtures: FixtureTracker;
  let registry: SessionRegistry | undefined;

  beforeEach(() => {
    fixtures = new FixtureTracker();
  });

  afterEach(async () => {
    await registry?.shutdown();
    registry = undefined;
    await fixtures.assertNoneAlive();
    fixtures.cleanup();
  });

  it('a SIGKILLed host leaves no server process: stubborn ones, grandchildren and `sh` end within 3 s', async function () {
    if (process.platform === 'win32') this.skip();
    const pidDir = fixtures.pidDir();
    const host = spawn(process.execPath, [join(repoRoot, 'out', 'test', 'support', 'watched-host.js'), pidDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        host.stdout.on('data', (d: Buffer) => (/running/.test(d.toString()) ? resolve() : undefined));
        host.once('exit', (code) => reject(new Error(`the host exited early with ${code}`)));
      });
      const pids = await eventually(() => {
        const seen = pidsWithShells(pidDir, host.pid!);
        // 3 servers, 2 grandchildren, 1 sh.
        return seen.length >= 6 && seen;
      }, 5000, 'every fixture pid file');
      assert.ok(pids.every(isAlive), 'every server process runs before the host dies');
      const killed = Date.now();
      host.kill('SIGKILL');
      const alive = await eventually(async () => {
        const left = pids.filter(isAlive);
        if (left.length === 0) return [];
        if (Date.now() - killed > 3000) return left;
        await delay(25);
        return undefined;
      }, 4000, 'the servers to end');
      assert.deepEqual(alive, [], `alive 3 s after the host was SIGKILLed: ${alive.join(', ')}`);
    } finally {
      host.kill('SIGKILL');
    }
  });

  it('stopping a server ends its watchdog without a signal, and the server exits on stdin EOF', async function () {
    if (!linux) this.skip();
    registry = new SessionRegistry({});
    registry.reconcile([fixtures.stdio('calm')]);
    await registry.start('calm');
    const pgid = registry.list()[0].pid!;
    const guard = watchdogsOf(process.pid).get(pgid);
    assert.ok(guard && isAlive(guard), 'the server has a watchdog');
    await registry.stop('calm');
    const closed = registry.get('calm')!.logLines().map((l) => l.text).find((t) => t.startsWith('closed:'));
    assert.match(closed ?? '', /^closed: exited-on-stdin-close/);
    await eventually(() => !isAlive(guard), 2000, 'the watchdog to exit');
  });

  it('a disarmed watchdog never signals its group', async function () {
    if (process.platform === 'win32') this.skip();
    const bystander = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
    try {
      const guard = GroupWatchdog.arm(bystander.pid!);
      assert.ok(guard?.pid);
      guard.disarm();
      await eventually(() => !isAlive(guard.pid!), 2000, 'the watchdog to exit');
      await delay(100);
      assert.ok(isAlive(bystander.pid!), 'the group outlived its disarmed watchdog');
    } finally {
      process.kill(-bystander.pid!, 'SIGKILL');
    }
  });
});

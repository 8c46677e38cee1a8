// The process-tree strategies (src/core/processStrategy.ts) against real processes: /proc and
// `ps` see the same groups, parents and zombies, and the strategy in use is the one
// MCP_SESSIONS_PROCESS_TREE forces (CI runs the teardown tests once more with `ps`).
import * as assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { hasProcfs } from '../../src/core/procfs';
import { parsePsTree, procfsStrategy, processTreeStrategy, psStrategy, windowsStrategy } from '../../src/core/processStrategy';
import { GroupProcess, isGroupAlive } from '../../src/core/processTree';
import { delay, eventually } from '../support/processes';

const posix = process.platform !== 'win32';

describe('process-tree strategies', function () {
  this.timeout(20_000);
  const children: ChildProcess[] = [];

  afterEach(() => {
    for (const child of children.splice(0)) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  });

  it('is the strategy MCP_SESSIONS_PROCESS_TREE forces, else the platform\'s', () => {
    const forced = process.env.MCP_SESSIONS_PROCESS_TREE;
    const expected = process.platform === 'win32' ? 'windows' : forced === 'ps' ? 'ps' : hasProcfs() ? 'procfs' : 'ps';
    assert.equal(processTreeStrategy().name, expected);
    assert.equal(windowsStrategy.processGroups, false);
  });

  it('parses ps rows and leaves zombies and other lines out', () => {
    const output = ['  PID  PPID  PGID STAT', '    1     0     1 Ss', ' 4242     1  4242 S+', ' 4243  4242  4242 Z', 'garbage', ' 77 1 77 R  '].join('\n');
    assert.deepEqual(parsePsTree(output), [
      { pid: 1, ppid: 0, pgid: 1 },
      { pid: 4242, ppid: 1, pgid: 4242 },
      { pid: 77, ppid: 1, pgid: 77 },
    ]);
  });

  for (const strategy of [procfsStrategy, psStrategy]) {
    describe(`${strategy.name}`, () => {
      before(function () {
        if (!posix || (strategy === procfsStrategy && !hasProcfs())) this.skip();
      });

      it('lists a group with its leader, its child and their parents', async () => {
        const leader = spawn(process.execPath, ['-e', "require('child_process').spawn(process.execPath,['-e','setInterval(()=>{},1000)'],{stdio:'ignore'});setInterval(()=>{},1000)"], { detached: true, stdio: 'ignore' });
        children.push(leader);
        const members = await eventually(() => {
          const rows = strategy.snapshot()?.filter((p) => p.pgid === leader.pid);
          return rows?.length === 2 && rows;
        }, 5000, 'the leader and its child');
        const child = members.find((p) => p.pid !== leader.pid)!;
        assert.equal(child.ppid, leader.pid);
        assert.equal(members.find((p) => p.pid === leader.pid)?.ppid, process.pid);
        assert.ok(strategy.isAlive(child.pid));
      });

      it('tells a zombie from a live process', async () => {
        // `sleep 0` ends first; its parent execs `sleep 30`, which never reaps it.
        const parent = spawn('sh', ['-c', 'sleep 0 & exec sleep 30'], { stdio: 'ignore', detached: true });
        children.push(parent);
        await delay(300);
        const zombie = await eventually(() => {
          const rows = psTreeWithZombies();
          return rows.find((p) => p.ppid === parent.pid && p.zombie);
        }, 5000, 'the zombie');
        await delay(strategy === psStrategy ? 20 : 0);
        assert.ok(!strategy.isAlive(zombie.pid));
        assert.ok(!strategy.snapshot()!.some((p) => p.pid === zombie.pid));
        assert.ok(strategy.isAlive(parent.pid!));
      });
    });
  }

  it('ends a group with a stubborn member through the strategy in use', async function () {
    if (!posix) this.skip();
    const group = await GroupProcess.spawn({ command: 'sh', args: ['-c', "trap '' TERM; sleep 30 & wait"], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    await delay(200);
    const report = await group.close({ stdinGraceMs: 50, termGraceMs: 100 });
    assert.equal(report.outcome, 'killed');
    assert.ok(!isGroupAlive(group.pid));
  });
});

/** The test's own reading of zombies, from `ps` (not the code under test's parser). */
function psTreeWithZombies(): { pid: number; ppid: number; zombie: boolean }[] {
  return execFileSync('ps', ['-A', '-o', 'pid=,ppid=,stat='], { encoding: 'utf8' })
    .split('\n')
    .flatMap((line) => {
      const match = /^\s*(\d+)\s+(\d+)\s+(\S+)/.exec(line);
      return match ? [{ pid: Number(match[1]), ppid: Number(match[2]), zombie: match[3].includes('Z') }] : [];
    });
}

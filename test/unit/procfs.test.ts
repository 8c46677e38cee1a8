// The one /proc/<pid>/stat parser (src/core/procfs.ts): against real processes, including one
// that names itself like the fields after its name, and against stat lines that are not one.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { allProcesses, hasProcfs, liveProcesses, parseProcStat, readCmdline, readProcStat } from '../../src/core/procfs';
import { isProcessAlive } from '../../src/core/processTree';
import { eventually, isAlive } from '../support/processes';

/** A real stat line's fields after the name, from proc(5): state ppid pgrp session … starttime (field 22) … */
const tail = 'S 100 200 300 0 -1 4194304 99 0 0 0 0 0 0 0 20 0 1 0 814667 3133440 389 18446744073709551615 0 0';

describe('procfs', function () {
  this.timeout(30_000);
  const children: ChildProcess[] = [];

  before(function () {
    if (!hasProcfs()) this.skip();
  });

  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.pid !== undefined && isAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
      await eventually(() => child.pid === undefined || !isAlive(child.pid), 5000, `pid ${child.pid} to end`);
    }
  });

  /** A process leading its own group that first renames itself (writes its comm) to `name`. */
  async function spawnNamed(name: string): Promise<number> {
    const script = `require('fs').writeFileSync('/proc/self/comm', ${JSON.stringify(name)}); process.stdout.write('named\\n'); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`the named process exited with ${code}`)));
    });
    return child.pid!;
  }

  describe('parseProcStat', () => {
    it('reads the fields after the name', () => {
      assert.deepEqual(parseProcStat(`42 (node) ${tail}\n`), { pid: 42, comm: 'node', state: 'S', ppid: 100, pgrp: 200, session: 300, startTime: 814667 });
    });

    it('takes a name with spaces, parentheses and newlines whole: it ends at the last ")"', () => {
      for (const comm of [') (', 'a) (Z 1 2 3', '(x)', 'two words', ')', '((', 'new\nline) (R 9']) {
        const stat = parseProcStat(`42 (${comm}) ${tail}\n`);
        assert.equal(stat?.comm, comm, JSON.stringify(comm));
        assert.equal(stat?.state, 'S');
        assert.equal(stat?.ppid, 100);
        assert.equal(stat?.pgrp, 200);
        assert.equal(stat?.startTime, 814667);
      }
    });

    it('is no process for text that is not a stat line', () => {
      const hostile = [
        '',
        '\n',
        '42',
        '42 (node)',
        `42 node ${tail}`,
        `42 (node ${tail}`,
        `x (node) ${tail}`,
        `-1 (node) ${tail}`,
        `42 (node) ${tail.split(' ').slice(0, 19).join(' ')}`,
        `42 (node) SS ${tail.slice(2)}`,
        `42 (node) ? ${tail.slice(2)}`,
        `42 (node) ${tail.replace('100', 'abc')}`,
        `42 (node) ${tail.replace('200', '-5')}`,
        `42 (node) ${tail.replace('814667', '1e400')}`,
        `42 (node) ${tail.replace('814667', '99999999999999999999')}`,
        `42 (node)  ${tail}`,
      ];
      for (const text of hostile) assert.equal(parseProcStat(text), undefined, JSON.stringify(text));
    });
  });

  describe('real processes', () => {
    it('reads this process', () => {
      const stat = readProcStat(process.pid)!;
      assert.equal(stat.pid, process.pid);
      assert.equal(stat.ppid, process.ppid);
      assert.ok(stat.state === 'R' || stat.state === 'S', stat.state);
      assert.ok(stat.startTime > 0);
    });

    it('reads a process whose name looks like the fields after it', async () => {
      // The kernel keeps 15 bytes of a name.
      const name = ') (Z 1 2 3 4 5';
      const pid = await spawnNamed(name);
      const stat = readProcStat(pid)!;
      assert.equal(stat.comm, name);
      assert.notEqual(stat.state, 'Z');
      assert.equal(stat.ppid, process.pid);
      assert.equal(stat.pgrp, pid, 'detached: it leads its own group');
      assert.ok(isProcessAlive(pid), 'not taken for a zombie');
      assert.deepEqual(
        liveProcesses()!.filter((p) => p.pgrp === pid).map((p) => p.pid),
        [pid],
      );
      assert.deepEqual(readCmdline(pid)?.slice(0, 2), [process.execPath, '-e']);
    });

    it('tells a zombie from a live process', async () => {
      // `sleep 0` ends first; its parent execs `sleep 30`, which never reaps it.
      const child = spawn('sh', ['-c', 'sleep 0 & exec sleep 30'], { stdio: 'ignore', detached: true });
      children.push(child);
      const zombie = await eventually(() => allProcesses()!.find((p) => p.ppid === child.pid && p.state === 'Z'), 5000, 'the zombie');
      assert.equal(readProcStat(zombie.pid)?.state, 'Z');
      assert.ok(!liveProcesses()!.some((p) => p.pid === zombie.pid));
      assert.ok(!isProcessAlive(zombie.pid));
      assert.ok(isProcessAlive(child.pid!));
    });

    it('is nothing for a pid that does not exist or is no pid', () => {
      for (const pid of [0, -1, 1.5, Number.NaN, 2 ** 22 + 1]) assert.equal(readProcStat(pid), undefined, String(pid));
    });
  });
});

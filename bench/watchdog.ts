// The cost of the guard against the host's death (src/core/watchdog.ts) and what it buys: the
// time a server's start spends arming it, its memory, and the time from a SIGKILLed host to no
// server process left (a host with a plain, a stubborn and a wrapped stubborn server:
// test/support/watched-host.ts). Method: docs/benchmarks.md.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isProcessAlive } from '../src/core/processTree';
import { GroupWatchdog } from '../src/core/watchdog';
import { repoRoot } from '../test/support/paths';
import { delay, log } from './harness';
import { ProcessBook } from './servers';
import { formatNumber, median, percentile, renderTable } from './stats';

export interface WatchdogCost {
  /** Processes per server group. */
  processesPerServer: number;
  /** Synchronous time of arming one guard (the fork and exec of /bin/sh); it runs after the server's first write. */
  armMs: { p50: number; p95: number };
  /** Resident memory of one guard, and its proportional share (shared pages of /bin/sh split between guards). */
  rssKiB: number;
  pssKiB: number | undefined;
  /** From SIGKILL of the host to no server process alive, per round. */
  hostDeathToZeroMs: number[];
  survivorsAfterHostDeath: number;
}

/** A `kB` field of /proc/<pid>/status or smaps_rollup; undefined off Linux. */
function kiB(file: string, field: string): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function armCost(guards: number): Promise<Pick<WatchdogCost, 'armMs' | 'rssKiB' | 'pssKiB'>> {
  // A group for the guards to watch: they are disarmed before it ends.
  const bystander = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
  const armed: GroupWatchdog[] = [];
  try {
    const times: number[] = [];
    for (let i = 0; i < guards; i++) {
      const start = performance.now();
      const guard = GroupWatchdog.arm(bystander.pid!);
      times.push(performance.now() - start);
      if (!guard) throw new Error('no watchdog on this system');
      armed.push(guard);
    }
    await delay(300);
    const rss = armed.map((g) => kiB(`/proc/${g.pid}/status`, 'VmRSS')).filter((v): v is number => v !== undefined);
    const pss = armed.map((g) => kiB(`/proc/${g.pid}/smaps_rollup`, 'Pss')).filter((v): v is number => v !== undefined);
    return { armMs: { p50: median(times), p95: percentile(times, 95) }, rssKiB: median(rss), pssKiB: pss.length ? median(pss) : undefined };
  } finally {
    for (const guard of armed) guard.disarm();
    process.kill(-bystander.pid!, 'SIGKILL');
  }
}

/** SIGKILLs a host with three servers and times until none of their processes is alive (polled every 2 ms, up to 5 s). */
async function hostDeath(): Promise<{ ms: number; survivors: number }> {
  const book = new ProcessBook();
  const host = spawn(process.execPath, [join(repoRoot, 'out', 'test', 'support', 'watched-host.js'), book.pidDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      host.stdout.on('data', (d: Buffer) => (/running/.test(d.toString()) ? resolve() : undefined));
      host.once('exit', (code) => reject(new Error(`the host exited early with ${code}`)));
    });
    // The pid files of 3 servers, 2 grandchildren, and the sh of the wrapped one.
    while (book.pids().filter((pid) => pid !== host.pid).length < 6) await delay(20);
    const pids = book.pids().filter((pid) => pid !== host.pid);
    const start = performance.now();
    host.kill('SIGKILL');
    while (pids.some(isProcessAlive) && performance.now() - start < 5000) await delay(2);
    return { ms: performance.now() - start, survivors: pids.filter(isProcessAlive).length };
  } finally {
    host.kill('SIGKILL');
    await book.dispose();
  }
}

export async function watchdogCost(rounds: number): Promise<{ cost: WatchdogCost; table: string }> {
  log(`watchdog: arming 20 guards, then ${rounds} SIGKILLed hosts`);
  const arm = await armCost(20);
  const deaths: { ms: number; survivors: number }[] = [];
  for (let i = 0; i < rounds; i++) deaths.push(await hostDeath());
  const cost: WatchdogCost = {
    processesPerServer: 1,
    ...arm,
    hostDeathToZeroMs: deaths.map((d) => d.ms),
    survivorsAfterHostDeath: Math.max(...deaths.map((d) => d.survivors)),
  };
  const table = renderTable(
    ['watchdog (one per server group)', 'value'],
    [
      ['processes per server', String(cost.processesPerServer)],
      ['arming: host thread blocked, after the first write (p50 / p95)', `${formatNumber(cost.armMs.p50, 'ms')} / ${formatNumber(cost.armMs.p95, 'ms')}`],
      ['memory per guard (RSS / PSS)', `${cost.rssKiB} KiB / ${cost.pssKiB ?? '?'} KiB`],
      [`host SIGKILL → 0 server processes (median of ${rounds}, max)`, `${formatNumber(median(cost.hostDeathToZeroMs), 'ms')}, ${formatNumber(Math.max(...cost.hostDeathToZeroMs), 'ms')}`],
      ['server processes left after host SIGKILL', String(cost.survivorsAfterHostDeath)],
    ],
  );
  return { cost, table };
}

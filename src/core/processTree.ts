// Owning a server's whole process tree on POSIX: every stdio server is spawned as the
// leader of its own process group, and ending it means ending the group — so a server
// started through `npx`, `sh -c` or `uvx` cannot leave its real process behind. How the
// platform lists processes (/proc, ps) or ends a tree without groups (Windows: taskkill) is
// the strategy's business (processStrategy.ts); a guard ends the group if the host dies
// (watchdog.ts).
//
// Stopping follows the MCP spec, applied to the group:
//   close stdin → wait (stdin grace) → SIGTERM → wait (term grace) → SIGKILL → wait for exit.

import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { CloseOptions, CloseReport } from './connection';
import { liveProcesses, readProcStat } from './procfs';
import { processTreeStrategy } from './processStrategy';
import { GroupWatchdog } from './watchdog';

const isPosix = process.platform !== 'win32';
const pollIntervalMs = 20;
/** Time kept back from a deadline for SIGKILL and the wait for exit. */
const killReserveMs = 250;
/** How long to wait for the group to vanish after SIGKILL. */
const killWaitMs = 1000;

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  /** Told when the guard against the host's death (watchdog.ts) could not be started. */
  onWatchdogError?(error: Error): void;
}

/** Sends `signal` to every process in the group led by `pgid`; false when none is left. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  // kill(-1) signals every process we may signal and kill(0) our own group: never either.
  if (!Number.isSafeInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(isPosix ? -pgid : pgid, signal);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EPERM') return true;
    return false;
  }
}

/** Live (non-zombie) members of a process group; undefined when the system cannot list processes. */
function groupMembers(pgid: number): number[] | undefined {
  return processTreeStrategy()
    .snapshot()
    ?.filter((p) => p.pgid === pgid)
    .map((p) => p.pid);
}

/**
 * True while any member of the group is alive. Zombies do not count: an orphan's zombie
 * waits for init to reap it, which on some systems takes seconds.
 */
export function isGroupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  const members = groupMembers(pgid);
  return members === undefined || members.length > 0;
}

/** True while the process exists and is not a zombie. */
export function isProcessAlive(pid: number): boolean {
  return processTreeStrategy().isAlive(pid);
}

/** The kernel's start time of a process (clock ticks since boot), to tell a pid from a reused one. */
export function processStartTime(pid: number): number | undefined {
  return readProcStat(pid)?.startTime;
}

/** A live process as a process table sees it. */
export interface ProcessRow {
  pid: number;
  pgid: number;
  /** Session id, where the table knows it. */
  sid?: number;
  startTime: number;
}

/**
 * Where start times come from. They tell a process from a later one that reused its pid; a
 * table that cannot give them (`reliable: false`) proves nothing, and the ledger then kills
 * nothing. Injectable, so tests can take the no-/proc path on Linux.
 */
export interface ProcessTable {
  /** Names the unit of `startTime`: start times from different clocks are never compared. */
  readonly clock: 'proc-ticks' | 'ps-lstart' | 'none';
  readonly reliable: boolean;
  /** The start time of a live (non-zombie) process; undefined when it is gone or unknowable. */
  startTime(pid: number): number | undefined;
  /** The process group of a live process. */
  groupOf(pid: number): number | undefined;
  /** Live members of a process group; undefined when the table cannot list them. */
  groupMembers(pgid: number): ProcessRow[] | undefined;
}

/** Linux: /proc/<pid>/stat, start time in clock ticks since boot. */
export const procTable: ProcessTable = {
  clock: 'proc-ticks',
  reliable: true,
  startTime(pid) {
    const stat = readProcStat(pid);
    return stat && stat.state !== 'Z' ? stat.startTime : undefined;
  },
  groupOf(pid) {
    const stat = readProcStat(pid);
    return stat && stat.state !== 'Z' ? stat.pgrp : undefined;
  },
  groupMembers(pgid) {
    return liveProcesses()
      ?.filter((p) => p.pgrp === pgid)
      .map((p) => ({ pid: p.pid, pgid, sid: p.session, startTime: p.startTime }));
  },
};

/** Runs ps with the C locale (so `lstart` is parseable); undefined when it fails. */
function ps(args: string[]): string | undefined {
  try {
    return execFileSync('ps', args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
  } catch {
    return undefined;
  }
}

/** `ps -o pid=,pgid=,stat=,lstart=` rows: lstart ("Mon Nov 30 11:58:32 2026") becomes epoch seconds. */
function parsePsRows(output: string | undefined): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (const line of (output ?? '').split('\n')) {
    const match = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(\S+ \S+\s+\d+ [\d:]+ \d+)\s*$/.exec(line);
    if (!match || match[3].includes('Z')) continue;
    const started = Date.parse(match[4].replace(/\s+/g, ' '));
    if (Number.isFinite(started)) rows.push({ pid: Number(match[1]), pgid: Number(match[2]), startTime: started / 1000 });
  }
  return rows;
}

/**
 * macOS and other systems without /proc: `ps -o lstart=`, to the second. A pid reused within
 * the same second as its first owner started is the one case this cannot tell apart.
 */
export const psTable: ProcessTable = {
  clock: 'ps-lstart',
  reliable: true,
  startTime(pid) {
    return parsePsRows(ps(['-o', 'pid=,pgid=,stat=,lstart=', '-p', String(pid)])).find((row) => row.pid === pid)?.startTime;
  },
  groupOf(pid) {
    return parsePsRows(ps(['-o', 'pid=,pgid=,stat=,lstart=', '-p', String(pid)])).find((row) => row.pid === pid)?.pgid;
  },
  groupMembers(pgid) {
    const output = ps(['-A', '-o', 'pid=,pgid=,stat=,lstart=']);
    return output === undefined ? undefined : parsePsRows(output).filter((row) => row.pgid === pgid);
  },
};

/** No way to tell a process from a later one with its pid (Windows, or no usable ps). */
export const noProcessTable: ProcessTable = {
  clock: 'none',
  reliable: false,
  startTime: () => undefined,
  groupOf: () => undefined,
  groupMembers: () => undefined,
};

/** The best table this system offers, by the process-tree strategy. */
export function systemProcessTable(): ProcessTable {
  const strategy = processTreeStrategy().name;
  if (strategy === 'procfs') return procTable;
  if (strategy === 'ps' && psTable.startTime(process.pid) !== undefined) return psTable;
  return noProcessTable;
}

/**
 * Descendants of `rootPid` that left its process group (a child that called setsid).
 * Where processes cannot be listed (Windows) the group is all we can reach.
 */
export function escapedDescendants(rootPid: number, pgid: number): number[] {
  // A process may end while we read; zombies are already dead.
  const processes = processTreeStrategy().snapshot();
  if (!processes) return [];
  const parentOf = new Map(processes.map((p) => [p.pid, p]));
  const descendants = new Set<number>([rootPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, info] of parentOf) {
      if (!descendants.has(pid) && descendants.has(info.ppid)) {
        descendants.add(pid);
        grew = true;
      }
    }
  }
  return [...descendants].filter((pid) => pid !== rootPid && parentOf.get(pid)?.pgid !== pgid);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `done()` holds or `ms` pass; true when it holds. */
async function waitUntil(done: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() >= end) return false;
    await delay(Math.min(pollIntervalMs, Math.max(1, end - Date.now())));
  }
  return true;
}

/** Shrinks the graces so that the whole close fits before the deadline. */
export function fitGraces(options: CloseOptions, now = Date.now()): { stdinGraceMs: number; termGraceMs: number } {
  let { stdinGraceMs, termGraceMs } = options;
  if (options.deadline !== undefined) {
    const budget = Math.max(0, options.deadline - now - killReserveMs);
    if (stdinGraceMs + termGraceMs > budget) {
      stdinGraceMs = Math.min(stdinGraceMs, Math.floor(budget / 2));
      termGraceMs = Math.min(termGraceMs, budget - stdinGraceMs);
    }
  }
  return { stdinGraceMs, termGraceMs };
}

/** A spawned server process that leads its own process group. */
export class GroupProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number;
  readonly startTime: number | undefined;
  private exitInfo: ExitInfo | undefined;
  private readonly exited: Promise<ExitInfo>;
  private closing: Promise<CloseReport> | undefined;
  /** Descendants seen outside the group while the leader was alive. */
  private escaped: number[] = [];

  /** Spawns the process; rejects when it cannot be started (command not found, bad cwd). */
  static spawn(options: SpawnOptions): Promise<GroupProcess> {
    return new Promise((resolve, reject) => {
      const child = spawn(options.command, options.args, {
        env: options.env,
        cwd: options.cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: isPosix,
        windowsHide: true,
      });
      const onError = (error: Error) => reject(error);
      child.once('error', onError);
      child.once('spawn', () => {
        child.off('error', onError);
        resolve(new GroupProcess(child, options.onWatchdogError));
      });
    });
  }

  /** Ends the group if the host dies; disarmed once the group has ended. */
  private watchdog: GroupWatchdog | undefined;

  private constructor(child: ChildProcessWithoutNullStreams, onWatchdogError?: (error: Error) => void) {
    this.child = child;
    this.pid = child.pid!;
    // Armed after the caller's first write (the initialize request): forking the guard, which
    // blocks this thread for milliseconds, then overlaps the server's own start. A group that is
    // already closing or whose leader has exited is ended by its close; it gets no guard.
    if (isPosix) {
      setImmediate(() => {
        if (this.closing === undefined && this.exitInfo === undefined) this.watchdog = GroupWatchdog.arm(this.pid, onWatchdogError);
      });
    }
    this.startTime = processStartTime(this.pid);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
    // Errors on the pipes (EPIPE after the server exits) are expected; exit is reported separately.
    child.stdin.on('error', () => undefined);
    child.stdout.on('error', () => undefined);
    child.stderr.on('error', () => undefined);
  }

  get exit(): ExitInfo | undefined {
    return this.exitInfo;
  }

  whenExited(): Promise<ExitInfo> {
    return this.exited;
  }

  /** Members seen at the last /proc scan; rescanned only once they all look dead. */
  private knownMembers: number[] = [];

  /** True while the leader or any other member of its group (or an escaped descendant) is alive. */
  isAlive(): boolean {
    if (this.exitInfo === undefined) return true;
    if (this.escaped.some(isProcessAlive)) return true;
    if (!isPosix || !signalGroup(this.pid, 0)) return false;
    // Polled every few ms while closing: check the members we know before listing processes again.
    if (this.knownMembers.some(isProcessAlive)) return true;
    const members = groupMembers(this.pid);
    if (members === undefined) return true;
    this.knownMembers = members;
    return members.length > 0;
  }

  private signalAll(signal: NodeJS.Signals): void {
    if (this.exitInfo === undefined) this.escaped = [...new Set([...this.escaped, ...escapedDescendants(this.pid, this.pid)])];
    const strategy = processTreeStrategy();
    if (strategy.processGroups) signalGroup(this.pid, signal);
    else if (this.exitInfo === undefined) strategy.endTree?.(this.pid, signal === 'SIGKILL');
    for (const pid of this.escaped) {
      try {
        process.kill(pid, signal);
      } catch {
        // Already gone.
      }
    }
  }

  /**
   * Ends the whole tree within the graces (shrunk to fit options.deadline).
   * Idempotent: later calls share the first close.
   */
  close(options: CloseOptions): Promise<CloseReport> {
    this.closing ??= this.runClose(options).then((report) => {
      // A group that survived SIGKILL keeps its guard: the host's death still ends it.
      if (report.outcome !== 'survived') this.watchdog?.disarm();
      return report;
    });
    return this.closing;
  }

  /** The pid of the group's guard against the host's death; undefined where there is none. */
  get watchdogPid(): number | undefined {
    return this.watchdog?.pid;
  }

  private async runClose(options: CloseOptions): Promise<CloseReport> {
    const started = Date.now();
    const report = (outcome: CloseReport['outcome']): CloseReport => ({ outcome, durationMs: Date.now() - started });
    const { stdinGraceMs, termGraceMs } = fitGraces(options, started);
    const leaderWasAlive = this.exitInfo === undefined;

    if (leaderWasAlive) {
      this.child.stdin.end();
      if (await waitUntil(() => !this.isAlive(), stdinGraceMs)) return report('exited-on-stdin-close');
    } else if (!this.isAlive()) {
      return report('already-exited');
    }

    this.signalAll('SIGTERM');
    if (await waitUntil(() => !this.isAlive(), termGraceMs)) return report(leaderWasAlive ? 'exited-on-sigterm' : 'already-exited');

    this.signalAll('SIGKILL');
    if (await waitUntil(() => !this.isAlive(), killWaitMs)) return report('killed');
    return report('survived');
  }
}

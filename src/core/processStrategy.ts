// How this platform lists processes and ends a process tree: the one place that knows. The
// process tree (processTree.ts), the second-copy scan (duplicateProcesses.ts) and the ledger's
// start times (processTree.ts: systemProcessTable) all choose by it.
//
//   procfs   Linux: /proc (procfs.ts). Groups are signalled with kill(-pgid).
//   ps       other POSIX systems (macOS, the BSDs): `ps -A -o pid=,ppid=,pgid=,stat=`, one run
//            shared by every caller within a poll interval. Groups as above.
//   windows  no process groups: a tree is ended with `taskkill /T [/F] /PID <leader>`, which
//            walks the tree from the leader, so children of a leader that has already exited
//            are out of reach. Nothing lists processes. Not run on Windows by our CI: written
//            from the documentation of taskkill and Node's child_process (docs/RELIABILITY.md).
//
// MCP_SESSIONS_PROCESS_TREE=ps (or procfs) forces a strategy: CI runs the teardown tests on
// Linux once more with `ps`, the path macOS takes.

import { execFile, execFileSync } from 'node:child_process';
import { hasProcfs, liveProcesses, readProcStat } from './procfs';

export type ProcessTreeStrategyName = 'procfs' | 'ps' | 'windows';

/** A live (non-zombie) process. */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
}

export interface ProcessTreeStrategy {
  readonly name: ProcessTreeStrategyName;
  /** True where a signal reaches a whole process group (POSIX). */
  readonly processGroups: boolean;
  /** Every live process; undefined when this system cannot list them. */
  snapshot(): ProcessEntry[] | undefined;
  /** True while the process exists and is not a zombie. */
  isAlive(pid: number): boolean;
  /** Ends the tree led by `pid` (Windows, where there are no groups to signal); `force` kills. */
  endTree?(pid: number, force: boolean): void;
}

/** Answers kill(pid, 0): the process exists (a zombie included). */
function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const procfsStrategy: ProcessTreeStrategy = {
  name: 'procfs',
  processGroups: true,
  snapshot() {
    return liveProcesses()?.map((p) => ({ pid: p.pid, ppid: p.ppid, pgid: p.pgrp }));
  },
  isAlive(pid) {
    if (!exists(pid)) return false;
    const stat = readProcStat(pid);
    return stat !== undefined && stat.state !== 'Z';
  },
};

/** How long one `ps` run answers for: the close loop polls every 20 ms, for every group at once. */
const psSnapshotMaxAgeMs = 15;

/** Parses `ps -o pid=,ppid=,pgid=,stat=` output; zombies are left out. */
export function parsePsTree(output: string): ProcessEntry[] {
  const rows: ProcessEntry[] = [];
  for (const line of output.split('\n')) {
    const match = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s*$/.exec(line);
    if (match && !match[4].includes('Z')) rows.push({ pid: Number(match[1]), ppid: Number(match[2]), pgid: Number(match[3]) });
  }
  return rows;
}

let psCache: { at: number; rows: ProcessEntry[] | undefined } | undefined;

export const psStrategy: ProcessTreeStrategy = {
  name: 'ps',
  processGroups: true,
  snapshot() {
    const now = Date.now();
    if (psCache && now - psCache.at <= psSnapshotMaxAgeMs) return psCache.rows;
    let rows: ProcessEntry[] | undefined;
    try {
      rows = parsePsTree(execFileSync('ps', ['-A', '-o', 'pid=,ppid=,pgid=,stat='], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }));
    } catch {
      rows = undefined;
    }
    psCache = { at: Date.now(), rows };
    return rows;
  },
  isAlive(pid) {
    if (!exists(pid)) return false;
    const rows = this.snapshot();
    // Without a table, existence is all we know.
    return rows === undefined || rows.some((row) => row.pid === pid);
  },
};

export const windowsStrategy: ProcessTreeStrategy = {
  name: 'windows',
  processGroups: false,
  snapshot: () => undefined,
  isAlive: exists,
  endTree(pid, force) {
    // Asynchronous: taskkill takes a moment, and the close loop watches the leader meanwhile.
    // Should taskkill fail to end the tree, the leader at least is terminated (TerminateProcess).
    execFile('taskkill', ['/T', ...(force ? ['/F'] : []), '/PID', String(pid)], { windowsHide: true }, (error) => {
      if (error && force && exists(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }
    });
  },
};

const strategies: Record<ProcessTreeStrategyName, ProcessTreeStrategy> = { procfs: procfsStrategy, ps: psStrategy, windows: windowsStrategy };

let chosen: ProcessTreeStrategy | undefined;

/** The strategy for this platform, or the one MCP_SESSIONS_PROCESS_TREE forces (read once). */
export function processTreeStrategy(): ProcessTreeStrategy {
  if (chosen) return chosen;
  const forced = process.env.MCP_SESSIONS_PROCESS_TREE;
  if (process.platform !== 'win32' && (forced === 'ps' || (forced === 'procfs' && hasProcfs()))) chosen = strategies[forced];
  else if (process.platform === 'win32') chosen = windowsStrategy;
  else chosen = hasProcfs() ? procfsStrategy : psStrategy;
  return chosen;
}

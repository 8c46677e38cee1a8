// Second copies of our servers: a process with the same command line as one of our running
// stdio servers, outside every process group we own. VS Code's built-in MCP client reads the
// same .vscode/mcp.json and starts its own copy when the user clicks its "Start" lens; two
// copies of a server can fight over files, ports and state, so the user is told.
//
// Linux reads /proc (argv from cmdline, group from stat); other POSIX systems ask `ps` once per
// scan; Windows finds nothing. One scan reads every process once: call it seldom.

import { execFileSync } from 'node:child_process';
import { basename } from 'node:path';
import { liveProcesses, readCmdline } from './procfs';
import { processTreeStrategy } from './processStrategy';

/** One of our running stdio servers: its process leads its own group. */
export interface OwnedServer {
  name: string;
  pid: number;
}

export interface DuplicateProcess {
  /** Our server whose command line it repeats. */
  server: string;
  pid: number;
  commandLine: string[];
}

interface ProcessInfo {
  pid: number;
  pgid: number;
  argv: string[];
}

/** What a scan reads: injectable for the tests of the no-/proc path. */
export interface ProcessLister {
  /** Every live process with its group and argv; undefined when the system cannot list them. */
  list(): ProcessInfo[] | undefined;
}

export const procLister: ProcessLister = {
  list() {
    return liveProcesses()?.flatMap((p) => {
      // Gone meanwhile, not ours to read, or a kernel thread: no command line to compare.
      const argv = readCmdline(p.pid);
      return argv ? [{ pid: p.pid, pgid: p.pgrp, argv }] : [];
    });
  },
};

/** `ps` gives the command line as one string: arguments with spaces cannot be told apart, so argv is split on spaces on both sides. */
export const psLister: ProcessLister = {
  list() {
    let output: string;
    try {
      output = execFileSync('ps', ['-A', '-ww', '-o', 'pid=,pgid=,stat=,args='], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    } catch {
      return undefined;
    }
    const rows: ProcessInfo[] = [];
    for (const line of output.split('\n')) {
      const match = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
      if (match && !match[3].includes('Z')) rows.push({ pid: Number(match[1]), pgid: Number(match[2]), argv: match[4].trim().split(/\s+/) });
    }
    return rows;
  },
};

/** By the process-tree strategy (processStrategy.ts): /proc, ps, or nothing on Windows. */
export function systemProcessLister(): ProcessLister {
  const strategy = processTreeStrategy().name;
  if (strategy === 'procfs') return procLister;
  if (strategy === 'ps') return psLister;
  return { list: () => undefined };
}

/**
 * Processes outside our servers' groups whose command line is one of our servers' command
 * lines (the executable compared by its base name: `node` and `/usr/bin/node` are one).
 */
export function findDuplicateProcesses(ours: readonly OwnedServer[], lister: ProcessLister = systemProcessLister()): DuplicateProcess[] {
  if (ours.length === 0) return [];
  const processes = lister.list();
  if (!processes) return [];
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const ownGroups = new Set(ours.map((s) => s.pid));
  const duplicates: DuplicateProcess[] = [];
  for (const server of ours) {
    const own = byPid.get(server.pid);
    if (!own) continue;
    const key = commandKey(own.argv, lister === psLister);
    for (const other of processes) {
      if (other.pid === server.pid || ownGroups.has(other.pgid) || other.pid === process.pid) continue;
      if (commandKey(other.argv, lister === psLister) === key) duplicates.push({ server: server.name, pid: other.pid, commandLine: other.argv });
    }
  }
  return duplicates;
}

function commandKey(argv: readonly string[], joined: boolean): string {
  const [executable, ...args] = argv;
  return JSON.stringify([basename(executable ?? ''), ...(joined ? args.join(' ').split(/\s+/) : args)]);
}

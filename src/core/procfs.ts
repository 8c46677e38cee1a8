// The Linux process table, read from /proc: the one parser of /proc/<pid>/stat in the product.
// The process tree (processTree.ts), the second-copy scan (duplicateProcesses.ts) and the CLI's
// teardown (cli/host.ts) all read processes through it.
//
// The command name (`comm`, field 2) is chosen by the process itself: up to 15 bytes of anything
// but NUL, spaces, parentheses and newlines included, so `) (Z 1 2` is a valid name. The kernel
// writes no ')' after it, so the name ends at the last ')'; a line that does not have the shape
// of a stat line is no process.

import { readFileSync, readdirSync } from 'node:fs';

/** The fields of /proc/<pid>/stat the product uses. */
export interface ProcStat {
  pid: number;
  /** The command name, as the process set it: display it only escaped. */
  comm: string;
  /** One letter: R running, S sleeping, D disk wait, Z zombie, T stopped, … */
  state: string;
  ppid: number;
  /** The process group. */
  pgrp: number;
  /** The session id. */
  session: number;
  /** Clock ticks since boot: tells a process from a later one that reused its pid. */
  startTime: number;
}

/** Fields after the command name, up to and including starttime (field 22 of proc(5)). */
const fieldsAfterComm = 20;
const statLine = /^(\d+) \((.*)\) (.*)$/s;

/** Parses the text of a /proc/<pid>/stat file; undefined when it is not one. */
export function parseProcStat(text: string): ProcStat | undefined {
  const line = text.endsWith('\n') ? text.slice(0, -1) : text;
  // Greedy: the name runs to the last ") " — the kernel's fields after it hold no parenthesis.
  const match = statLine.exec(line);
  if (!match) return undefined;
  const fields = match[3].split(' ');
  if (fields.length < fieldsAfterComm || !/^[A-Za-z]$/.test(fields[0])) return undefined;
  const numbers = [match[1], fields[1], fields[2], fields[3], fields[19]].map(Number);
  if (!numbers.every((n) => Number.isSafeInteger(n) && n >= 0)) return undefined;
  const [pid, ppid, pgrp, session, startTime] = numbers;
  return { pid, comm: match[2], state: fields[0], ppid, pgrp, session, startTime };
}

/** The stat of one process, zombies included; undefined when it is gone or unreadable. */
export function readProcStat(pid: number): ProcStat | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  try {
    const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return stat?.pid === pid ? stat : undefined;
  } catch {
    return undefined;
  }
}

let procfsPresent: boolean | undefined;

/** True on systems with a Linux-style /proc (checked once). */
export function hasProcfs(): boolean {
  if (procfsPresent === undefined) {
    try {
      readdirSync('/proc/self');
      procfsPresent = true;
    } catch {
      procfsPresent = false;
    }
  }
  return procfsPresent;
}

/** Every process, zombies included; undefined without /proc. Processes that end meanwhile are left out. */
export function allProcesses(): ProcStat[] | undefined {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const processes: ProcStat[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProcStat(Number(name));
    if (stat) processes.push(stat);
  }
  return processes;
}

/** Every process that is not a zombie (an ended process its parent has not reaped); undefined without /proc. */
export function liveProcesses(): ProcStat[] | undefined {
  return allProcesses()?.filter((p) => p.state !== 'Z');
}

/** A process's argv from /proc/<pid>/cmdline; undefined when it is gone, unreadable or empty (a kernel thread). */
export function readCmdline(pid: number): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
  const argv = text.split('\0');
  if (argv[argv.length - 1] === '') argv.pop();
  return argv.length > 0 ? argv : undefined;
}

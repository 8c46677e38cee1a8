// A ledger of the process groups this host spawned, kept in a state folder. If the host
// crashes (or is killed) before it can stop its servers, the next host finds the groups
// that survived and ends them.
//
// The ledger is a file anyone with access to the state folder can edit, and pids are reused,
// so a group is signalled only when the process table proves it is ours: the leader still has
// the recorded start time, or — once the leader has exited — every member of the group started
// after it and belongs to its session. Without reliable start times (no /proc and no usable
// `ps`) nothing is proved and nothing is killed. A corrupt file is reset with a warning; it
// never stops a server from starting.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from './logger';
import type { ProcessLedgerLike } from './connection';
import { errorMessage } from './errors';
import { isProcessAlive, signalGroup, systemProcessTable, type ProcessTable } from './processTree';

interface LedgerEntry {
  pid: number;
  startTime: number | undefined;
  /** The clock `startTime` and `hostStartTime` were read with; another clock proves nothing. */
  clock: ProcessTable['clock'];
  server: string;
  command: string;
  /** The host that spawned it; its groups are swept only once that host is gone. */
  hostPid: number;
  hostStartTime: number | undefined;
}

interface LedgerFile {
  version: 1;
  entries: LedgerEntry[];
}

export interface SweepResult {
  killed: { pid: number; server: string; command: string }[];
  /** Entries of hosts that are still running (another window), or that may be; left alone. */
  keptForLiveHosts: number;
  /** Groups still alive that could not be proved ours (pid reused, no start times); left alone. */
  leftUnproved: number;
}

export interface ProcessLedgerOptions {
  /** Where start times come from; default: the best this system offers. */
  processTable?: ProcessTable;
}

const ledgerFileName = 'process-ledger.json';
const clocks: readonly ProcessTable['clock'][] = ['proc-ticks', 'ps-lstart', 'none'];
const sigtermGraceMs = 500;

const isPid = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 1;
const optionalTime = (value: unknown): number | undefined | null =>
  value === undefined || value === null ? undefined : typeof value === 'number' && Number.isFinite(value) ? value : null;

/** The entry when `value` is a well-formed one, else undefined. Ledgers written before `clock` existed came from /proc. */
function parseEntry(value: unknown): LedgerEntry | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const startTime = optionalTime(v.startTime);
  const hostStartTime = optionalTime(v.hostStartTime);
  const clock = v.clock === undefined ? 'proc-ticks' : (v.clock as ProcessTable['clock']);
  if (!isPid(v.pid) || !isPid(v.hostPid) || startTime === null || hostStartTime === null || !clocks.includes(clock)) return undefined;
  if (typeof v.server !== 'string' || typeof v.command !== 'string') return undefined;
  return { pid: v.pid, startTime, clock, server: v.server, command: v.command, hostPid: v.hostPid, hostStartTime };
}

export class ProcessLedger implements ProcessLedgerLike {
  private readonly file: string;
  private readonly table: ProcessTable;
  private readonly hostStartTime: number | undefined;
  /** Our own process group: never signalled, whatever the file says. */
  private readonly hostGroup: number | undefined;

  constructor(
    stateDir: string,
    private readonly logger: Logger,
    options: ProcessLedgerOptions = {},
  ) {
    mkdirSync(stateDir, { recursive: true });
    this.file = join(stateDir, ledgerFileName);
    this.table = options.processTable ?? systemProcessTable();
    this.hostStartTime = this.table.startTime(process.pid);
    this.hostGroup = this.table.groupOf(process.pid);
  }

  /** The valid entries; a file that is not a ledger is reset, invalid entries are dropped, each with a warning. */
  private read(): LedgerEntry[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn(`Could not read the process ledger ${this.file}: ${errorMessage(e)}`);
      return [];
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      return this.reset(`it is not valid JSON (${errorMessage(e)})`);
    }
    const list = typeof raw === 'object' && raw !== null ? (raw as { entries?: unknown }).entries : undefined;
    if (!Array.isArray(list)) return this.reset('it has no list of entries');
    const entries: LedgerEntry[] = [];
    for (const item of list) {
      const entry = parseEntry(item);
      if (entry && entry.pid !== process.pid && entry.pid !== this.hostGroup) entries.push(entry);
    }
    if (entries.length !== list.length) {
      this.logger.warn(`The process ledger ${this.file} had ${list.length - entries.length} invalid entr${list.length - entries.length === 1 ? 'y' : 'ies'}; dropped them.`);
      this.write(entries);
    }
    return entries;
  }

  private reset(why: string): LedgerEntry[] {
    this.logger.warn(`The process ledger ${this.file} was reset because ${why}; processes it listed are no longer swept.`);
    this.write([]);
    return [];
  }

  private write(entries: LedgerEntry[]): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify({ version: 1, entries } satisfies LedgerFile));
      renameSync(tmp, this.file);
    } catch (e) {
      this.logger.warn(`Could not write the process ledger ${this.file}: ${errorMessage(e)}`);
    }
  }

  /** Never throws: a ledger that cannot be written must not fail (and leak) the start it records. */
  record(entry: { pid: number; server: string; command: string }): void {
    try {
      if (!isPid(entry.pid)) return;
      const entries = this.read().filter((e) => e.pid !== entry.pid);
      entries.push({ ...entry, startTime: this.table.startTime(entry.pid), clock: this.table.clock, hostPid: process.pid, hostStartTime: this.hostStartTime });
      this.write(entries);
    } catch (e) {
      this.logger.warn(`Could not record process group ${entry.pid} of "${entry.server}" in the process ledger: ${errorMessage(e)}`);
    }
  }

  remove(pid: number): void {
    try {
      const entries = this.read();
      const kept = entries.filter((e) => !(e.pid === pid && e.hostPid === process.pid));
      if (kept.length !== entries.length) this.write(kept);
    } catch (e) {
      this.logger.warn(`Could not update the process ledger: ${errorMessage(e)}`);
    }
  }

  /** Whether the host that wrote `entry` is running: 'unknown' when the table cannot tell. */
  private hostState(entry: LedgerEntry): 'this-host' | 'alive' | 'gone' | 'unknown' {
    const provable = this.table.reliable && entry.clock === this.table.clock && entry.hostStartTime !== undefined;
    if (entry.hostPid === process.pid && provable && entry.hostStartTime === this.hostStartTime) return 'this-host';
    if (!isProcessAlive(entry.hostPid)) return 'gone';
    if (!provable) return 'unknown';
    const start = this.table.startTime(entry.hostPid);
    if (start === undefined) return 'unknown';
    return start === entry.hostStartTime ? 'alive' : 'gone';
  }

  /** True only when the table proves the group led by `entry.pid` is the one we spawned. */
  private provedOurs(entry: LedgerEntry): boolean {
    if (!this.table.reliable || entry.clock !== this.table.clock || entry.startTime === undefined) return false;
    if (entry.pid === this.hostGroup || entry.pid === process.pid) return false;
    const leaderStart = this.table.startTime(entry.pid);
    if (leaderStart !== undefined) return leaderStart === entry.startTime;
    // The leader exited and left members behind. A group id is free for reuse only once all
    // of ours are gone, so the members are all ours or all someone else's: ours started after
    // the leader and stayed in the session it created.
    const members = this.table.groupMembers(entry.pid);
    if (!members?.length) return false;
    return members.every((m) => m.startTime >= entry.startTime! && (m.sid === undefined || m.sid === entry.pid));
  }

  /** Ends the groups left behind by hosts that are gone, when they are provably ours. */
  async sweep(): Promise<SweepResult> {
    const result: SweepResult = { killed: [], keptForLiveHosts: 0, leftUnproved: 0 };
    const kept: LedgerEntry[] = [];
    const toKill: LedgerEntry[] = [];
    for (const entry of this.read()) {
      const host = this.hostState(entry);
      if (host === 'this-host') {
        kept.push(entry);
        continue;
      }
      if (host === 'alive' || host === 'unknown') {
        kept.push(entry);
        result.keptForLiveHosts++;
        continue;
      }
      if (!signalGroup(entry.pid, 0)) continue;
      if (this.provedOurs(entry)) {
        toKill.push(entry);
      } else {
        result.leftUnproved++;
        this.logger.warn(`Left process group ${entry.pid} of "${entry.server}" alone: it cannot be proved to be the one a previous host started.`);
      }
    }
    for (const entry of toKill) signalGroup(entry.pid, 'SIGTERM');
    if (toKill.length) await new Promise((r) => setTimeout(r, sigtermGraceMs));
    for (const entry of toKill) {
      signalGroup(entry.pid, 'SIGKILL');
      result.killed.push({ pid: entry.pid, server: entry.server, command: entry.command });
      this.logger.warn(`Ended process group ${entry.pid} of "${entry.server}" (${entry.command}), left behind by a host that did not shut down`);
    }
    this.write(kept);
    return result;
  }
}

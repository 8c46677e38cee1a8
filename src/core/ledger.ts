// A ledger of the process groups this host spawned, kept in a state folder. If the host
// crashes (or is killed) before it can stop its servers, the next host finds the groups
// that survived and ends them. Each entry carries the process start time, so a pid that
// the system has since reused for an unrelated process is never signalled.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from './logger';
import type { ProcessLedgerLike } from './connection';
import { isGroupAlive, processStartTime, signalGroup } from './processTree';

interface LedgerEntry {
  pid: number;
  startTime: number | undefined;
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
  /** Entries of hosts that are still running (another window); left alone. */
  keptForLiveHosts: number;
}

const ledgerFileName = 'process-ledger.json';

export class ProcessLedger implements ProcessLedgerLike {
  private readonly file: string;
  private readonly hostStartTime = processStartTime(process.pid);

  constructor(
    stateDir: string,
    private readonly logger: Logger,
  ) {
    mkdirSync(stateDir, { recursive: true });
    this.file = join(stateDir, ledgerFileName);
  }

  private read(): LedgerEntry[] {
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as LedgerFile;
      return Array.isArray(parsed.entries) ? parsed.entries : [];
    } catch {
      return [];
    }
  }

  private write(entries: LedgerEntry[]): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify({ version: 1, entries } satisfies LedgerFile));
      renameSync(tmp, this.file);
    } catch (e) {
      this.logger.warn(`Could not write the process ledger ${this.file}: ${(e as Error).message}`);
    }
  }

  record(entry: { pid: number; server: string; command: string }): void {
    const entries = this.read().filter((e) => e.pid !== entry.pid);
    entries.push({ ...entry, startTime: processStartTime(entry.pid), hostPid: process.pid, hostStartTime: this.hostStartTime });
    this.write(entries);
  }

  remove(pid: number): void {
    const entries = this.read();
    const kept = entries.filter((e) => !(e.pid === pid && e.hostPid === process.pid));
    if (kept.length !== entries.length) this.write(kept);
  }

  /**
   * Ends the groups left behind by hosts that are gone. A group is signalled only when its
   * leader still has the recorded start time (or, when the leader has exited, while the group
   * id is still in use by members it left behind).
   */
  async sweep(): Promise<SweepResult> {
    const entries = this.read();
    const result: SweepResult = { killed: [], keptForLiveHosts: 0 };
    const kept: LedgerEntry[] = [];
    const toKill: LedgerEntry[] = [];
    for (const entry of entries) {
      const hostAlive = entry.hostPid !== process.pid && processStartTime(entry.hostPid) === entry.hostStartTime && entry.hostStartTime !== undefined;
      if (hostAlive) {
        kept.push(entry);
        result.keptForLiveHosts++;
        continue;
      }
      if (entry.hostPid === process.pid && entry.hostStartTime === this.hostStartTime) {
        kept.push(entry);
        continue;
      }
      const leaderStart = processStartTime(entry.pid);
      const leaderIsOurs = leaderStart !== undefined && leaderStart === entry.startTime;
      const orphanedGroup = leaderStart === undefined && isGroupAlive(entry.pid);
      if (leaderIsOurs || orphanedGroup) toKill.push(entry);
    }
    for (const entry of toKill) signalGroup(entry.pid, 'SIGTERM');
    if (toKill.length) await new Promise((r) => setTimeout(r, 500));
    for (const entry of toKill) {
      signalGroup(entry.pid, 'SIGKILL');
      result.killed.push({ pid: entry.pid, server: entry.server, command: entry.command });
      this.logger.warn(`Ended process group ${entry.pid} of "${entry.server}" (${entry.command}), left behind by a host that did not shut down`);
    }
    this.write(kept);
    return result;
  }
}

// The guard of one server's process group against the death of its host (POSIX).
//
// Next to every server group the host spawns a tiny `/bin/sh` that blocks in `read` on a pipe
// whose write end only the host holds. Nothing polls: when the host dies (SIGKILL, crash, OOM
// killer) the kernel closes that end, `read` sees EOF at once, and the shell SIGKILLs the group.
// When the host has seen the group end by itself it disarms the guard: it writes one line, and
// `read` returning a line makes the shell exit without a signal.
//
// Why the server cannot keep the guard alive: libuv opens every pipe of the host with
// O_CLOEXEC, so no later child (a server, its children) inherits the write end and an EOF can
// only mean that the host is gone (test/unit/watchdog.test.ts checks the fds of a server).
//
// Why a reused group id is not signalled: POSIX does not reuse a process group id while the
// group has a member, so an armed guard kills either our group or nothing. The one window is
// the moment between the group's last member ending and the host disarming the guard (the
// close loop polls every 20 ms); a host that dies within it leaves a guard that signals an id
// the kernel would hand out again only after cycling through every other pid. A group that
// survived SIGKILL (a process in uninterruptible sleep) keeps its guard armed.
//
// The guard runs in a session and process group of its own, neither the server's (counting
// and signalling a server's group never sees it) nor the host's: a signal to the host's whole
// group — Ctrl-C in a terminal, or `kill -9 -<pgid>` of an editor with its extension host —
// does not reach it, and it ignores SIGHUP, SIGINT and SIGTERM sent to it alone. The CLI, which
// ends every group its children lead, leaves guards out (isWatchdog). What it does not cover:
// descendants that left the server's group with setsid(), and a SIGKILL of the guard itself
// (the ledger sweep of the next host is the second line there). Windows has no process groups
// and no guard.

import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

const shell = '/bin/sh';
/** `$1` is the group id. A line means "disarmed"; EOF means the host is gone. */
const script = 'trap "" HUP INT TERM; read -r _ || kill -s KILL -- "-$1"';

/** Guards of this host that have not exited. */
const livePids = new Set<number>();

/** True when `pid` is one of this host's guards (it leads a group of its own, but no server's). */
export function isWatchdog(pid: number): boolean {
  return livePids.has(pid);
}

/** The guard of one process group; arm() returns undefined where there is none (Windows, no /bin/sh). */
export class GroupWatchdog {
  private disarmed = false;

  private constructor(private readonly child: ChildProcess) {}

  /** Starts a guard for the group `pgid`. Never throws: a host without a guard still has the ledger. */
  static arm(pgid: number, onError: (error: Error) => void = () => undefined): GroupWatchdog | undefined {
    if (process.platform === 'win32' || !Number.isSafeInteger(pgid) || pgid <= 1) return undefined;
    let child: ChildProcess;
    try {
      child = spawn(shell, ['-c', script, 'mcp-sessions-watchdog', String(pgid)], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    } catch (e) {
      onError(e as Error);
      return undefined;
    }
    child.once('error', onError);
    const pid = child.pid;
    if (pid !== undefined) {
      livePids.add(pid);
      child.once('exit', () => livePids.delete(pid));
    }
    // EPIPE when the guard has already gone; its exit needs no report.
    child.stdin!.on('error', () => undefined);
    // The guard must not keep the host alive: a host that ends with servers left is what it is for.
    child.unref();
    (child.stdin as Socket).unref();
    return new GroupWatchdog(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The group has ended: the guard exits without a signal. Idempotent. */
  disarm(): void {
    if (this.disarmed) return;
    this.disarmed = true;
    this.child.stdin?.end('\n');
  }
}

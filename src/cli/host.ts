// The CLI's host: owns the session registry for one run, the signal handlers, and teardown.
//
// Teardown order, on success, failure or the first SIGINT / SIGTERM / SIGHUP alike:
//   1. abort the in-flight request (the server gets notifications/cancelled);
//   2. registry.shutdown(): per server, close stdin → SIGTERM → SIGKILL of its process group,
//      all in parallel under one deadline;
//   3. SIGKILL any process group of ours that is still alive (belt and braces: a start
//      cancelled midway closes its process on its own schedule);
//   4. remove the signal handlers.
// A second signal during teardown SIGKILLs every server process group at once and exits.
// Every server is spawned as the leader of its own group, so Ctrl-C in the terminal reaches
// only the CLI; the servers end through this teardown, never by the terminal's signal.

import type { ShutdownReport } from '../core/api';
import { NeverRestartPolicy } from '../core/crashPolicy';
import { isGroupAlive, signalGroup } from '../core/processTree';
import { allProcesses } from '../core/procfs';
import { isWatchdog } from '../core/watchdog';
import { SessionRegistry, defaultShutdownDeadlineMs } from '../core/registry';
import { DisposableStore, toDisposable } from '../core/lifecycle';
import { lineLogger, nullLogger } from '../core/logger';
import type { SecretRedactor } from '../core/redact';
import { signalExitCodes } from './exitCodes';

export interface HostOptions {
  verbose: boolean;
  /** Learns the secrets of each definition and envFile (redact.ts); the caller redacts output with it. */
  redactor?: SecretRedactor;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxMessageBytes?: number;
  /** `serve`: a crashed server is restarted (with backoff) instead of failing the command. */
  restartOnCrash?: boolean;
  /** Answers what servers ask (elicitation …); default: refused (clientRequests.ts). */
  clientRequests?: import('../core/clientRequests').ClientRequestHandlers;
  /** Writes one diagnostic line to stderr. */
  diagnostic(line: string): void;
  /** Ends the process; only used when a second signal forces the exit. */
  exit(code: number): never;
}

type HandledSignal = keyof typeof signalExitCodes;
const handledSignals = Object.keys(signalExitCodes) as HandledSignal[];

/** Bound on teardown: servers get stdin EOF, then SIGTERM, then SIGKILL within it (host-exit graces, registry.ts). */
const shutdownDeadlineMs = defaultShutdownDeadlineMs;

export class CliHost {
  readonly registry: SessionRegistry;
  private readonly abortController = new AbortController();
  /** Aborted on the first signal: pass it to every request. */
  readonly signal = this.abortController.signal;
  /** Process groups of the servers started in this run (their leaders' pids). */
  private readonly groups = new Set<number>();
  private readonly disposables = new DisposableStore();
  private interruptedWith: number | undefined;
  private resolveInterruption!: (code: number) => void;
  private readonly interruption = new Promise<number>((resolve) => (this.resolveInterruption = resolve));
  private tearingDown = false;

  constructor(private readonly options: HostOptions) {
    this.registry = new SessionRegistry({
      logger: options.verbose ? lineLogger((line) => options.diagnostic(line)) : nullLogger,
      connectTimeoutMs: options.connectTimeoutMs,
      defaultCallTimeoutMs: options.requestTimeoutMs,
      maxMessageBytes: options.maxMessageBytes,
      stdinGraceMs: 1000,
      termGraceMs: 1000,
      // One command, one answer: a crash fails the command instead of restarting the server.
      crashPolicy: options.restartOnCrash ? undefined : () => new NeverRestartPolicy(),
      clientRequests: options.clientRequests,
      clientInfo: { name: 'mcp-sessions', version: '0.1.0' },
      redactor: options.redactor,
    });
    this.disposables.add(
      this.registry.onDidChangeState((e) => {
        if (e.current.state === 'running' && e.current.pid !== undefined) this.groups.add(e.current.pid);
      }),
    );
    if (options.verbose) {
      this.disposables.add(
        this.registry.onDidAddServer((name) => {
          this.registry.get(name)?.onDidLog((line) => {
            // Redacted before it is prefixed: a secret broken across lines is found at the line's start.
            if (line.stream === 'stderr') options.diagnostic(`[${name}] ${options.redactor?.redact(line.text) ?? line.text}`);
          });
        }),
      );
    }
    for (const signal of handledSignals) {
      const handler = () => this.onSignal(signal);
      process.on(signal, handler);
      this.disposables.add(toDisposable(() => process.off(signal, handler)));
    }
  }

  /** The exit code of the signal that interrupted the run, if one did. */
  get interrupted(): number | undefined {
    return this.interruptedWith;
  }

  /** Ends the run as if interrupted, e.g. when stdout is closed by the reader. */
  interrupt(exitCode: number): void {
    if (this.interruptedWith !== undefined) return;
    this.interruptedWith = exitCode;
    this.abortController.abort();
    this.resolveInterruption(exitCode);
  }

  private onSignal(signal: HandledSignal): void {
    if (this.interruptedWith === undefined) {
      if (this.options.verbose) this.options.diagnostic(`[info] ${signal}: stopping the servers (send it again to kill them at once)`);
      this.interrupt(signalExitCodes[signal]);
      return;
    }
    this.options.diagnostic(`mcp-sessions: ${signal} again: killing the servers`);
    this.killGroups();
    this.options.exit(this.interruptedWith);
  }

  /**
   * Runs `work`, or stops waiting for it at the first signal, then tears down. Resolves with
   * the work's exit code, or the signal's.
   */
  async run(work: (signal: AbortSignal) => Promise<number>): Promise<number> {
    const working = work(this.signal);
    // After a signal the work fails with "stopped"/"cancelled"; that is expected, not news.
    working.catch(() => undefined);
    try {
      return await Promise.race([working, this.interruption]);
    } finally {
      await this.tearDown();
    }
  }

  private async tearDown(): Promise<void> {
    if (this.tearingDown) return;
    this.tearingDown = true;
    this.abortController.abort();
    const report = await this.registry.shutdown(shutdownDeadlineMs);
    this.reportShutdown(report);
    const leftovers = this.liveGroups();
    if (leftovers.length) {
      this.options.diagnostic(`mcp-sessions: killing server process group(s) still alive after shutdown: ${leftovers.join(', ')}`);
      for (const pgid of leftovers) signalGroup(pgid, 'SIGKILL');
    }
    this.disposables.dispose();
  }

  private reportShutdown(report: ShutdownReport): void {
    for (const entry of report.servers) {
      if (entry.outcome === 'survived') this.options.diagnostic(`mcp-sessions: some processes of "${entry.server}" could not be ended`);
    }
    if (this.options.verbose && report.servers.length) {
      this.options.diagnostic(`[info] stopped in ${report.durationMs} ms: ${report.servers.map((s) => `${s.server} ${s.outcome}`).join(', ')}`);
    }
  }

  /** Groups of ours with a live (non-zombie) member: the ones we saw start, and any child we lead. */
  private liveGroups(): number[] {
    return [...new Set([...this.groups, ...childGroupLeaders()])].filter(isGroupAlive);
  }

  private killGroups(): void {
    for (const pgid of new Set([...this.groups, ...childGroupLeaders()])) signalGroup(pgid, 'SIGKILL');
  }
}

/**
 * Our direct children that lead their own process group: every stdio server, including one
 * still starting (its pid is not known to us until it runs), but not the servers' guards
 * (watchdog.ts), which end by themselves. Linux only; elsewhere empty.
 */
function childGroupLeaders(): number[] {
  // Zombies count: a leader that has ended may still have live members in its group.
  return (allProcesses() ?? []).filter((p) => p.ppid === process.pid && p.pgrp === p.pid && !isWatchdog(p.pid)).map((p) => p.pid);
}

// Knowing, not assuming, that no fixture process is left: every stdio fixture a test starts
// writes its pid (and its grandchild's) into a pid folder, and afterEach checks them all.
// Also the helpers every suite against fixture processes shares: waiting for a condition, a free
// port, the text of a tool result, the error a call rejects with.

import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StdioServerDefinition } from '../../src/core/definitions';
import { isMcpSessionError, type McpErrorCode, type McpSessionError } from '../../src/core/errors';
import { fixturesDir } from './paths';

export const stdioFixture = join(fixturesDir, 'stdio-server.mjs');
export const wrappedFixture = join(fixturesDir, 'wrapped-server.sh');
export const fuzzFixture = join(fixturesDir, 'fuzz-server.mjs');

export class FixtureTracker {
  private readonly dirs: string[] = [];

  /** A fresh pid folder for one fixture server. */
  pidDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-fixture-pids-'));
    this.dirs.push(dir);
    return dir;
  }

  /** A stdio definition of the fixture server with `flags`, recording its pids. */
  stdio(name: string, flags: string[] = [], options: { wrapped?: boolean; pidDir?: string } = {}): StdioServerDefinition {
    const pidDir = options.pidDir ?? this.pidDir();
    const args = [...flags, `--pid-dir=${pidDir}`];
    return {
      kind: 'stdio',
      name,
      command: options.wrapped ? wrappedFixture : process.execPath,
      args: options.wrapped ? args : [stdioFixture, ...args],
      env: {},
      source: { label: 'test' },
    };
  }

  /** A stdio definition of the hostile raw JSON-RPC server (fuzz-server.mjs) with `flags`, recording its pid. */
  hostile(name: string, flags: string[] = []): StdioServerDefinition {
    return { kind: 'stdio', name, command: process.execPath, args: [fuzzFixture, ...flags, `--pid-dir=${this.pidDir()}`], env: {}, source: { label: 'test' } };
  }

  /** Every pid the fixtures started so far wrote down. */
  pids(): number[] {
    return this.dirs.flatMap((dir) => {
      try {
        return readdirSync(dir).filter((n) => /^\d+$/.test(n)).map(Number);
      } catch {
        return [];
      }
    });
  }

  alive(): number[] {
    return this.pids().filter(isAlive);
  }

  /** Waits up to `withinMs` for every recorded pid to be gone; throws naming the survivors. */
  async assertNoneAlive(withinMs = 3000): Promise<void> {
    const end = Date.now() + withinMs;
    let alive = this.alive();
    while (alive.length && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 25));
      alive = this.alive();
    }
    if (alive.length) {
      for (const pid of alive) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      throw new Error(`fixture processes still alive: ${alive.join(', ')}`);
    }
  }

  cleanup(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Resolves with the first value `poll` returns that is neither undefined nor false, or throws
 * after `ms`. `poll` may be async; it is not called again before its last answer arrives.
 */
export async function eventually<T>(poll: () => T | undefined | false | Promise<T | undefined | false>, ms = 5000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await poll();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await delay(20);
  }
}

/**
 * True while `pid` exists and is not a zombie (an ended process not yet reaped still answers
 * kill(pid, 0); init here reaps orphans slowly). The tests' own reading, from
 * /proc/<pid>/status, not the product's stat parser: a check of teardown must not share the
 * code it checks. Without /proc, existence is all it knows.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' && process.platform !== 'linux';
  }
  return !/^State:\s*Z/m.test(status);
}

/** The text of a tool result: its text blocks, one per line. Fails when it has none. */
export function textOf(result: unknown): string {
  const content = (result as { content?: unknown } | undefined)?.content;
  const texts = (Array.isArray(content) ? content : []).flatMap((block) => {
    const { type, text } = (block ?? {}) as { type?: unknown; text?: unknown };
    return type === 'text' && typeof text === 'string' ? [text] : [];
  });
  if (texts.length === 0) throw new Error(`the result has no text: ${JSON.stringify(result)?.slice(0, 200)}`);
  return texts.join('\n');
}

/** A TCP port on 127.0.0.1 that nothing listens on (free a moment ago). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The McpSessionError `promise` rejects with. Fails when it resolves, rejects with anything
 * else, or, given `codes`, with an error of another code.
 */
export async function rejection(promise: Promise<unknown>, codes?: McpErrorCode | McpErrorCode[]): Promise<McpSessionError> {
  const expected = codes === undefined ? undefined : [codes].flat();
  try {
    await promise;
  } catch (e) {
    assert.ok(isMcpSessionError(e), `expected an McpSessionError, got ${String(e)}`);
    if (expected) assert.ok(expected.includes(e.code), `expected ${expected.join(' or ')}, got ${e.code}: ${e.message}`);
    return e;
  }
  assert.fail(expected ? `expected a rejection with ${expected.join(' or ')}` : 'expected the promise to reject');
}

/**
 * The guards (src/core/watchdog.ts) that `hostPid` started, by the group each guards; read from
 * /proc (argv: sh -c SCRIPT mcp-sessions-watchdog PGID). Linux only.
 */
export function watchdogsOf(hostPid: number): Map<number, number> {
  const found = new Map<number, number>();
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      if (Number(/^PPid:\s*(\d+)/m.exec(status)?.[1]) !== hostPid || /^State:\s*Z/m.test(status)) continue;
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (argv[3] === 'mcp-sessions-watchdog') found.set(Number(argv[4]), Number(name));
    } catch {
      // Ended meanwhile.
    }
  }
  return found;
}

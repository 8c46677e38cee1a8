// Knowing, not assuming, that no fixture process is left: every stdio fixture a test starts
// writes its pid (and its grandchild's) into a pid folder, and afterEach checks them all.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StdioServerDefinition } from '../../src/core/definitions';
import { isProcessAlive } from '../../src/core/processTree';
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
    return this.pids().filter(isProcessAlive);
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

/** Resolves with the first value `poll` returns that is not undefined, or throws after `ms`. */
export async function eventually<T>(poll: () => T | undefined, ms = 5000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = poll();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await delay(20);
  }
}

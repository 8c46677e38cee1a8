// How the CLI finds a running gateway: each gateway writes a discovery file (port, token,
// workspace, pid, version) with mode 0600 in a per-user runtime folder (mode 0700):
// `$XDG_RUNTIME_DIR/mcp-sessions`, else `~/.cache/mcp-sessions/run` (`$MCP_SESSIONS_RUNTIME_DIR` instead when set). The file is removed on
// close; a reader ignores files whose pid is gone, that another user owns or others can read,
// and anything that is not a discovery record (the folder is input like any other).

import { randomBytes } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { containedPath } from '../paths';
import { isProcessAlive } from '../processTree';

export interface GatewayRecord {
  port: number;
  token: string;
  /** The workspace the gateway's registry serves (its folder path), or undefined for none. */
  workspace?: string;
  pid: number;
  version: string;
  /** Who runs it: the editor or `mcp-sessions serve`. */
  host: 'editor' | 'serve';
  startedAt: number;
}

/** The per-user runtime folder of discovery files; MCP_SESSIONS_RUNTIME_DIR (absolute) overrides it, e.g. for tests. */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.MCP_SESSIONS_RUNTIME_DIR;
  if (override && override.startsWith('/')) return override;
  const xdg = env.XDG_RUNTIME_DIR;
  return xdg && xdg.startsWith('/') ? join(xdg, 'mcp-sessions') : join(homedir(), '.cache', 'mcp-sessions', 'run');
}

/** True when `path` is a real folder (not a link) that only we can use. */
function privateFolder(path: string): boolean {
  try {
    const stat = lstatSync(path);
    return stat.isDirectory() && (process.getuid === undefined || stat.uid === process.getuid()) && (stat.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

function ensureRuntimeDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!privateFolder(dir)) throw new Error(`The gateway's runtime folder ${dir} is not a private folder of this user (mode 0700); remove it or fix its mode.`);
}

/** Removes discovery files of gateways whose process is gone (a host that crashed or was killed). */
function sweepStale(dir: string): void {
  for (const name of readdirSync(dir)) {
    const pid = /^gateway-(\d+)-\d+\.json$/.exec(name)?.[1];
    if (pid !== undefined && !isProcessAlive(Number(pid))) rmSync(join(dir, name), { force: true });
  }
}

/** Writes `record` (mode 0600, atomically) and returns the path to remove on close; sweeps files of dead gateways. */
export function writeDiscoveryFile(record: GatewayRecord, dir = runtimeDir()): string {
  ensureRuntimeDir(dir);
  sweepStale(dir);
  const path = containedPath(dir, `gateway-${record.pid}-${record.port}.json`);
  const temporary = containedPath(dir, `.gateway-${randomBytes(8).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, JSON.stringify(record));
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  return path;
}

export function removeDiscoveryFile(path: string): void {
  rmSync(path, { force: true });
}

function parseRecord(text: string): GatewayRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  const valid =
    Number.isInteger(r.port) &&
    (r.port as number) > 0 &&
    (r.port as number) < 65536 &&
    typeof r.token === 'string' &&
    /^[A-Za-z0-9_-]{43}$/.test(r.token) &&
    Number.isInteger(r.pid) &&
    (r.pid as number) > 1 &&
    (r.workspace === undefined || typeof r.workspace === 'string') &&
    typeof r.version === 'string' &&
    (r.host === 'editor' || r.host === 'serve') &&
    typeof r.startedAt === 'number';
  if (!valid) return undefined;
  return { port: r.port as number, token: r.token as string, workspace: r.workspace as string | undefined, pid: r.pid as number, version: r.version as string, host: r.host as GatewayRecord['host'], startedAt: r.startedAt as number };
}

/** Live gateways serving `workspace` (all live ones when undefined is not asked for), newest first. */
export function findGateways(workspace: string | undefined, dir = runtimeDir()): GatewayRecord[] {
  if (!privateFolder(dir)) return [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => /^gateway-\d+-\d+\.json$/.test(name));
  } catch {
    return [];
  }
  const records: GatewayRecord[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      const stat = lstatSync(path);
      if (!stat.isFile() || (stat.mode & 0o077) !== 0 || (process.getuid !== undefined && stat.uid !== process.getuid())) continue;
      const record = parseRecord(readFileSync(path, 'utf8'));
      if (record && record.workspace === workspace && isProcessAlive(record.pid)) records.push(record);
    } catch {
      // Gone meanwhile, or unreadable: not a gateway we can use.
    }
  }
  return records.sort((a, b) => b.startedAt - a.startedAt);
}

// Starts code-server (the real VS Code server and its Node extension host) in an isolated run
// folder under .vscode-test/runs/, in its own process group, and stops that whole group.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { CACHE_DIR, codeServerEntry, isCodeServerInstalled, nodeBinaryFor, progress } from './install.mjs';

export const RUNS_DIR = join(CACHE_DIR, 'runs');
const KEEP_RUNS = 20;
const STOP_GRACE_MS = 5000;
let runCounter = 0;

/** User settings that keep the workbench quiet and deterministic. */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'security.workspace.trust.enabled': false,
};

/** With trust on, a folder opened for the first time is in Restricted Mode, without a modal prompt. */
export const TRUST_ON_SETTINGS = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
};

/** A port on 127.0.0.1 that was free a moment ago (preferred one first, then the next ones). */
export async function freePort(preferred) {
  const tryPort = (port) =>
    new Promise((resolvePromise) => {
      const server = createServer();
      server.once('error', () => resolvePromise(undefined));
      server.listen(port, '127.0.0.1', () => {
        const { port: bound } = server.address();
        server.close(() => resolvePromise(bound));
      });
    });
  if (preferred) {
    for (let port = preferred; port < preferred + 100; port++) {
      const bound = await tryPort(port);
      if (bound) return bound;
    }
  }
  const bound = await tryPort(0);
  if (!bound) throw new Error('no free port on 127.0.0.1');
  return bound;
}

const interruptCleanups = new Set();
let interrupting = false;

/**
 * Runs `cleanup` (with every other registered one) when the process gets SIGINT, SIGTERM or
 * SIGHUP, then exits with 128 + the signal number. Started servers register their stop()
 * here, so an interrupted test run leaves no code-server behind. Returns an unregister function.
 */
export function onInterrupt(cleanup) {
  if (interruptCleanups.size === 0 && !onInterrupt.installed) {
    onInterrupt.installed = true;
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
      process.on(signal, async () => {
        if (interrupting) return;
        interrupting = true;
        progress(`${signal}: stopping`);
        setTimeout(() => process.exit(code), 15000).unref();
        await Promise.allSettled([...interruptCleanups].map((fn) => fn()));
        process.exit(code);
      });
    }
  }
  interruptCleanups.add(cleanup);
  return () => interruptCleanups.delete(cleanup);
}

function ownerAlive(runDir) {
  try {
    const pid = Number(readFileSync(join(runDir, 'owner.pid'), 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Keeps the newest KEEP_RUNS run folders (for looking at logs afterwards) and any still in use. */
function pruneOldRuns() {
  if (!existsSync(RUNS_DIR)) return;
  const runs = [];
  for (const name of readdirSync(RUNS_DIR)) {
    try {
      runs.push({ path: join(RUNS_DIR, name), mtime: statSync(join(RUNS_DIR, name)).mtimeMs });
    } catch {}
  }
  runs.sort((a, b) => b.mtime - a.mtime);
  for (const old of runs.slice(KEEP_RUNS)) {
    if (ownerAlive(old.path)) continue;
    removeShortTmp(old.path);
    rmSync(old.path, { recursive: true, force: true });
  }
}

/**
 * A fresh run folder: own XDG dirs, user data with quiet settings, extensions dir, and a TMPDIR.
 * The TMPDIR holds VS Code's IPC sockets, whose paths must stay under 108 bytes, so it lives in
 * a short folder under /tmp, reachable as RUN/tmp and removed when the server stops.
 */
export function createRunDir(label, userSettings = {}) {
  pruneOldRuns();
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const runDir = join(RUNS_DIR, `${label}-${stamp}-${process.pid}-${++runCounter}`);
  for (const sub of ['xdg-data', 'xdg-config', 'xdg-cache', 'user-data/User', 'extensions']) {
    mkdirSync(join(runDir, sub), { recursive: true });
  }
  writeFileSync(join(runDir, 'owner.pid'), String(process.pid));
  symlinkSync(mkdtempSync('/tmp/vsch-'), join(runDir, 'tmp'));
  writeFileSync(join(runDir, 'user-data', 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...userSettings }, null, 2) + '\n');
  return runDir;
}

/** Removes the run folder's short TMPDIR under /tmp (stop() does this; call it when no server was started). */
export function releaseRunDir(runDir) {
  removeShortTmp(runDir);
}

function removeShortTmp(runDir) {
  try {
    rmSync(realpathSync(join(runDir, 'tmp')), { recursive: true, force: true });
  } catch {}
}

function isolatedEnv(runDir, env) {
  const base = { ...process.env };
  // Variables of an enclosing VS Code would otherwise leak into the server and extension host.
  for (const key of Object.keys(base)) {
    if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') delete base[key];
  }
  return {
    ...base,
    ...env,
    XDG_DATA_HOME: join(runDir, 'xdg-data'),
    XDG_CONFIG_HOME: join(runDir, 'xdg-config'),
    XDG_CACHE_HOME: join(runDir, 'xdg-cache'),
    TMPDIR: realpathSync(join(runDir, 'tmp')),
  };
}

function requireInstalled(version) {
  if (!isCodeServerInstalled(version)) {
    throw new Error(`code-server ${version} is not installed; run: node scripts/vscode-host/install.mjs --version ${version}`);
  }
}

/** Installs a packaged extension into an extensions folder with code-server's own CLI (offline). */
export function installVsix({ version, vsix, extensionsDir, runDir }) {
  requireInstalled(version);
  const result = spawnSync(
    nodeBinaryFor(version),
    [codeServerEntry(version), '--extensions-dir', extensionsDir, '--user-data-dir', join(runDir, 'user-data'), '--install-extension', vsix, '--force'],
    { env: isolatedEnv(runDir, {}), encoding: 'utf8', timeout: 120000 },
  );
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0 || !/successfully installed/i.test(output)) {
    // code-server prints the reason ("not compatible with VS Code '1.100.3'") and a stack trace.
    const reason = output.split('\n').filter((line) => line.trim() && !/^\s+at /.test(line)).join('\n');
    throw new Error(`installing ${vsix} into ${extensionsDir} failed (exit ${result.status}):\n${reason}`);
  }
  return output.trim();
}

function healthy(url) {
  return new Promise((resolvePromise) => {
    const request = get(`${url}/healthz`, (response) => {
      response.resume();
      resolvePromise(response.statusCode === 200);
    });
    request.on('error', () => resolvePromise(false));
    request.setTimeout(2000, () => request.destroy());
  });
}

/**
 * Whether any process of the group still runs. Zombies do not count: in a container whose
 * PID 1 does not reap orphans they would otherwise keep the group "alive" for ever.
 */
function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if (error.code !== 'EPERM') return false;
  }
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return true; // no /proc: trust kill(0)
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // state ppid pgrp ...
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
    } catch {
      // the process ended while we looked
    }
  }
  return false;
}

function tailOf(file, lines = 30) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts code-server and waits until /healthz answers.
 * `trustEnabled`: workspace trust on (TRUST_ON_SETTINGS, no --disable-workspace-trust), so the
 * folder opens in Restricted Mode. `userSettings` are merged into a fresh run folder's user
 * settings. `isolatedHome`: HOME is an empty RUN/home, so the extension host's home folder is
 * the run's own.
 * @param {{ version: string, workspace: string, extensionsDir?: string, env?: Record<string,string>,
 *           port?: number, runDir?: string, label?: string, startTimeoutMs?: number,
 *           trustEnabled?: boolean, userSettings?: Record<string, unknown>, isolatedHome?: boolean }} options
 * @returns {Promise<{ url: string, port: number, runDir: string, workspace: string, logFile: string, pid: number,
 *           home?: string, stop(): Promise<void>, exited: Promise<number|null> }>}
 */
export async function startCodeServer({ version, workspace, extensionsDir, env = {}, port, runDir, label = 'code-server', startTimeoutMs = 60000, trustEnabled = false, userSettings = {}, isolatedHome = false }) {
  requireInstalled(version);
  const workspacePath = resolve(workspace);
  if (!existsSync(workspacePath)) throw new Error(`workspace folder ${workspacePath} does not exist`);
  const settings = { ...(trustEnabled ? TRUST_ON_SETTINGS : {}), ...userSettings };
  if (runDir && Object.keys(settings).length > 0) throw new Error('trustEnabled and userSettings need a fresh run folder (no runDir)');
  runDir ??= createRunDir(`${label}-${version}`, settings);
  let home;
  if (isolatedHome) {
    home = join(runDir, 'home');
    mkdirSync(home, { recursive: true });
    env = { ...env, HOME: home };
  }
  extensionsDir = resolve(extensionsDir ?? join(runDir, 'extensions'));
  const boundPort = port ?? (await freePort());
  const url = `http://127.0.0.1:${boundPort}`;
  writeFileSync(join(runDir, 'config.yaml'), `bind-addr: 127.0.0.1:${boundPort}\nauth: none\ncert: false\n`);

  const logFile = join(runDir, 'code-server.log');
  const logFd = openSync(logFile, 'a');
  const args = [
    codeServerEntry(version),
    '--config', join(runDir, 'config.yaml'),
    '--bind-addr', `127.0.0.1:${boundPort}`,
    '--auth', 'none',
    '--user-data-dir', join(runDir, 'user-data'),
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    ...(trustEnabled ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--disable-proxy',
    '--ignore-last-opened',
    workspacePath,
  ];
  const child = spawn(nodeBinaryFor(version), args, {
    cwd: runDir,
    env: isolatedEnv(runDir, env),
    detached: true, // own process group: server, extension host and pty host stop together
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  const pgid = child.pid;
  const exited = new Promise((resolvePromise) => child.once('exit', (code, signal) => resolvePromise(code ?? (signal ? -1 : null))));
  let exitedAlready = false;
  exited.then(() => (exitedAlready = true));
  // A harness that dies unexpectedly must not leave the server behind.
  const killOnExit = () => {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {}
  };
  process.on('exit', killOnExit);
  const unregisterInterrupt = onInterrupt(() => stop());

  let stopping;
  const stop = () =>
    (stopping ??= (async () => {
      process.off('exit', killOnExit);
      unregisterInterrupt();
      const signalGroup = (signal) => {
        try {
          process.kill(-pgid, signal);
        } catch {}
      };
      signalGroup('SIGTERM');
      const deadline = Date.now() + STOP_GRACE_MS;
      while (groupAlive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (groupAlive(pgid)) {
        progress(`code-server ${version} (pgid ${pgid}) ignored SIGTERM for ${STOP_GRACE_MS} ms; sending SIGKILL`);
        signalGroup('SIGKILL');
        while (groupAlive(pgid)) await new Promise((r) => setTimeout(r, 50));
      }
      removeShortTmp(runDir);
    })());

  const started = Date.now();
  for (;;) {
    if (exitedAlready) {
      await stop();
      throw new Error(`code-server ${version} exited during startup; log ${logFile}:\n${tailOf(logFile)}`);
    }
    if (await healthy(url)) break;
    if (Date.now() - started > startTimeoutMs) {
      await stop();
      throw new Error(`code-server ${version} did not answer ${url}/healthz within ${startTimeoutMs} ms; log ${logFile}:\n${tailOf(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, port: boundPort, runDir, workspace: workspacePath, logFile, pid: pgid, home, stop, exited };
}

/**
 * The `[error]` lines of the server and its extension host logs in a run folder: why an
 * extension did not load ("not compatible with Code 1.100.3") shows only there.
 */
export function serverErrorLines(runDir, max = 20) {
  const logsDir = join(runDir, 'user-data', 'logs');
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/^(remoteagent|remoteexthost|exthost)\.log$/.test(entry.name)) files.push(path);
    }
  };
  try {
    walk(logsDir);
  } catch {
    return [];
  }
  const lines = files.flatMap((file) => readFileSync(file, 'utf8').split('\n').filter((line) => /\[error\]/.test(line)));
  return [...new Set(lines)].slice(0, max);
}

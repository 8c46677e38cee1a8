#!/usr/bin/env node
// `npm test`: every test stage, one after another (the machines have two cores), with a
// summary line per stage and a final "N passed, N failed". Exits non-zero when any stage
// failed. A stage whose prerequisite failed is not run and counts as failed.
//
// node scripts/test-all.mjs [--only id,id] [--skip id,id] [--list]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const node = process.execPath;
const UI_VERSION = '4.100.3';
const minutes = (n) => n * 60_000;

/** A stage that runs a mocha suite inside code-server's extension host (scripts/vscode-host/run-tests.mjs). */
const extensionHostSuite = ({ id, title, version, suite, workspace, suiteTimeoutMs, extraArgs = [] }) => ({
  id,
  title,
  needs: ['build', 'install'],
  timeoutMs: suiteTimeoutMs + minutes(2),
  command: [
    node,
    'scripts/vscode-host/run-tests.mjs',
    '--version', version,
    '--extension', root,
    '--tests', join(root, 'out', 'test', suite, 'index.js'),
    '--workspace', join(root, 'test', 'fixtures', workspace),
    ...extraArgs,
    '--timeout', String(suiteTimeoutMs),
  ],
});

const integration = (version) =>
  extensionHostSuite({
    id: `integration-${version}`,
    title: `integration tests in VS Code ${version.replace(/^4\./, '1.')} (code-server ${version})`,
    version,
    suite: 'integration',
    workspace: 'workspace',
    suiteTimeoutMs: minutes(10),
  });

const stages = [
  { id: 'build', title: 'build (esbuild)', command: ['npm', 'run', 'build'], timeoutMs: minutes(5) },
  { id: 'typecheck', title: 'typecheck (tsc --noEmit)', command: ['npm', 'run', 'typecheck'], timeoutMs: minutes(5) },
  { id: 'lint', title: 'lint (ESLint, type-aware)', command: ['npm', 'run', 'lint'], timeoutMs: minutes(5) },
  { id: 'unit', title: 'unit tests (mocha, plain Node)', needs: ['build'], command: ['npx', 'mocha', '--config', '.mocharc.json'], timeoutMs: minutes(20) },
  // The teardown tests once more with the process table read by `ps`, the path macOS takes
  // (src/core/processStrategy.ts); on Linux it is otherwise never run.
  {
    id: 'process-tree-ps',
    title: 'process-tree and teardown tests with the ps strategy (MCP_SESSIONS_PROCESS_TREE=ps)',
    needs: ['build'],
    env: { MCP_SESSIONS_PROCESS_TREE: 'ps' },
    command: [
      'npx', 'mocha', '--no-config', '--timeout', '30000',
      'out/test/unit/processStrategy.test.js', 'out/test/unit/watchdog.test.js', 'out/test/unit/registry.test.js',
      'out/test/unit/session.test.js', 'out/test/unit/cli.test.js',
      '--grep', 'process-tree|watchdog|shutdown|interruption leaves|ignores EOF|behind sh -c',
    ],
    timeoutMs: minutes(5),
  },
  // The memory bounds measure this process's RSS: in a process of their own, so the baseline is the
  // core's, not that of the 500 tests before them (whose garbage makes V8 collect later).
  {
    id: 'memory',
    title: 'memory bounds (mocha, a process of their own)',
    needs: ['build'],
    command: ['npx', 'mocha', '--no-config', '--timeout', '120000', 'out/test/unit/memory-limits.test.js'],
    timeoutMs: minutes(5),
  },
  // The chaos soak's short fixed-seed version (bench/soak.ts; `npm run soak` is the long one): 0 calls
  // unsettled, 0 processes left, 0 unhandled rejections, flat heap and handles.
  {
    id: 'soak',
    title: 'chaos soak, short fixed-seed version (≥ 1,000 calls and ≥ 40 chaos actions, 20 registry cycles)',
    needs: ['build'],
    command: [node, '--expose-gc', 'out/bench/soak.js', '--seed', '1', '--calls', '1000', '--cycles', '20'],
    timeoutMs: minutes(5),
  },
  {
    id: 'conformance',
    title: 'MCP conformance client scenarios (@modelcontextprotocol/conformance, Node 22)',
    command: [node, 'scripts/conformance.mjs'],
    timeoutMs: minutes(15),
  },
  { id: 'install', title: 'install the test host (apt packages, code-server, Node 24)', command: [node, 'scripts/vscode-host/install.mjs'], timeoutMs: minutes(30) },
  integration('4.100.3'),
  integration('4.139.1'),
  extensionHostSuite({
    id: 'trust',
    title: `workspace trust: a hostile folder opened untrusted (code-server ${UI_VERSION}, trust ON)`,
    version: UI_VERSION,
    suite: 'trust',
    workspace: 'hostile-workspace',
    suiteTimeoutMs: minutes(3),
    extraArgs: [
      '--trust-enabled',
      '--isolated-home',
      '--user-settings', join(root, 'test', 'fixtures', 'hostile-user-settings.json'),
      '--env', `MCP_SESSIONS_TEST_FIXTURES=${join(root, 'test', 'fixtures')}`,
    ],
  }),
  {
    id: 'host-death',
    title: `no orphan when the host dies: SIGKILL of the extension host, of the VS Code server, of the whole editor (code-server ${UI_VERSION})`,
    needs: ['build', 'install'],
    timeoutMs: minutes(5),
    command: [node, 'scripts/vscode-host/host-death.mjs', '--version', UI_VERSION],
  },
  {
    id: 'ui',
    title: `UI tests in chromium (code-server ${UI_VERSION})`,
    needs: ['build', 'install'],
    timeoutMs: minutes(15),
    command: [node, 'scripts/vscode-host/run-ui-tests.mjs', '--version', UI_VERSION],
  },
];

function parseArgs(argv) {
  const ids = new Set(stages.map((s) => s.id));
  const list = (value) => {
    const chosen = (value ?? '').split(',').filter(Boolean);
    for (const id of chosen) if (!ids.has(id)) throw new Error(`unknown stage "${id}"; stages: ${[...ids].join(', ')}`);
    return new Set(chosen);
  };
  const options = { only: undefined, skip: new Set() };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only') options.only = list(argv[++i]);
    else if (argv[i] === '--skip') options.skip = list(argv[++i]);
    else if (argv[i] === '--list') {
      for (const s of stages) console.log(`${s.id.padEnd(22)} ${s.title}`);
      process.exit(0);
    } else throw new Error(`unknown argument ${argv[i]}; usage: node scripts/test-all.mjs [--only id,id] [--skip id,id] [--list]`);
  }
  return options;
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

let current; // the running stage's child, for signal forwarding

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {}
}

/** Runs a stage's command in its own process group, so a timeout or Ctrl-C stops all of it. */
function runStage(stage) {
  return new Promise((resolvePromise) => {
    const [command, ...args] = stage.command;
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', detached: true, env: { ...process.env, ...stage.env } });
    current = child;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      console.error(`test-all: ${stage.id} exceeded ${seconds(stage.timeoutMs)}; stopping it`);
      signalGroup(child, 'SIGTERM');
      setTimeout(() => signalGroup(child, 'SIGKILL'), 10_000).unref();
    }, stage.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      current = undefined;
      resolvePromise({ ok: false, detail: `could not start ${command}: ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      // Whatever the stage left in its group (a stray server) goes with it.
      signalGroup(child, 'SIGKILL');
      if (timedOut) resolvePromise({ ok: false, detail: `timed out after ${seconds(stage.timeoutMs)}` });
      else if (code === 0) resolvePromise({ ok: true });
      else resolvePromise({ ok: false, detail: signal ? `killed by ${signal}` : `exit code ${code}` });
    });
  });
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.error(`\ntest-all: ${signal}: stopping`);
    if (current) {
      signalGroup(current, 'SIGTERM');
      setTimeout(() => {
        if (current) signalGroup(current, 'SIGKILL');
        process.exit(130);
      }, 8_000).unref();
      current.once('close', () => process.exit(130));
    } else {
      process.exit(130);
    }
  });
}

let options;
try {
  options = parseArgs(process.argv.slice(2));
} catch (error) {
  console.error(`test-all: ${error.message}`);
  process.exit(2);
}
const selected = stages.filter((s) => (!options.only || options.only.has(s.id)) && !options.skip.has(s.id));
if (!existsSync(join(root, 'node_modules'))) {
  console.error('test-all: node_modules is missing; run `npm ci` first');
  process.exit(1);
}

const results = [];
const failedIds = new Set();
const started = Date.now();
for (const [index, stage] of selected.entries()) {
  const blockedBy = (stage.needs ?? []).filter((id) => failedIds.has(id));
  if (blockedBy.length) {
    failedIds.add(stage.id);
    results.push({ stage, ok: false, ms: 0, detail: `not run: ${blockedBy.join(', ')} failed` });
    console.log(`\n=== [${index + 1}/${selected.length}] ${stage.title}: not run, ${blockedBy.join(', ')} failed`);
    continue;
  }
  console.log(`\n=== [${index + 1}/${selected.length}] ${stage.title}`);
  console.log(`$ ${stage.command.map((a) => (a === node ? 'node' : a.startsWith(root) ? a.slice(root.length) || '.' : a)).join(' ')}`);
  const stageStarted = Date.now();
  const result = await runStage(stage);
  const ms = Date.now() - stageStarted;
  if (!result.ok) failedIds.add(stage.id);
  results.push({ stage, ms, ...result });
  console.log(`=== ${stage.id}: ${result.ok ? 'passed' : `FAILED (${result.detail})`} in ${seconds(ms)}`);
}

console.log(`\nSummary (${seconds(Date.now() - started)} in all):`);
for (const r of results) {
  console.log(`  ${r.ok ? 'PASS' : 'FAIL'}  ${r.stage.id.padEnd(22)} ${seconds(r.ms).padStart(8)}  ${r.ok ? '' : r.detail}`.trimEnd());
}
const passed = results.filter((r) => r.ok).length;
console.log(`${passed} passed, ${results.length - passed} failed`);
process.exit(passed === results.length ? 0 : 1);

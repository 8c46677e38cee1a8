#!/usr/bin/env node
// `npm run fuzz`: builds, then runs every fuzz campaign (out/test/fuzz/*.fuzz.js) longer than
// the unit suite does, each in its own process so its peak memory is its own. Prints per
// campaign: cases, crashes, violations, the slowest case and peak memory; exits 1 on any crash
// or violation. A failure replays with the seed it prints.
//
// node scripts/fuzz.mjs [--seed N] [--iterations N] [--only name,name] [--no-build]
import { execFileSync, fork } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const fuzzDir = join(root, 'out', 'test', 'fuzz');
const usage = 'usage: node scripts/fuzz.mjs [--seed N] [--iterations N] [--only name,name] [--no-build]';
const shownFailures = 10;

function parseArgs(argv) {
  const options = { seed: undefined, iterations: undefined, only: undefined, build: true };
  const number = (flag, value) => {
    if (!/^\d+$/.test(value ?? '')) throw new Error(`${flag} needs a non-negative integer; ${usage}`);
    return Number(value);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--seed') options.seed = number(arg, argv[++i]) >>> 0;
    else if (arg === '--iterations') options.iterations = number(arg, argv[++i]);
    else if (arg === '--only') options.only = new Set((argv[++i] ?? '').split(',').filter(Boolean));
    else if (arg === '--no-build') options.build = false;
    else throw new Error(`unknown argument ${arg}; ${usage}`);
  }
  return options;
}

/** In the child: runs one campaign and sends its report. */
async function runChild(file, seed, iterations) {
  const module = await import(file);
  const { campaign, iterations: counts } = module.default ?? module;
  const report = await campaign({ seed, iterations: iterations ?? counts.long, log: (line) => console.log(`  ${line}`) });
  process.send(report, () => process.exit(0));
}

function runCampaign(file, seed, iterations) {
  return new Promise((resolve) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child', file, String(seed), String(iterations ?? '')], { stdio: 'inherit' });
    let report;
    child.on('message', (message) => (report = message));
    child.on('exit', (code, signal) => resolve(report ?? { crashed: `the campaign process ended with ${signal ?? `exit code ${code}`} before reporting` }));
  });
}

function printReport(name, report) {
  if (report.crashed) {
    console.log(`${name}: CRASHED: ${report.crashed}`);
    return false;
  }
  console.log(`${name}: ${report.cases} cases, ${report.crashes.length} crashes, ${report.violations.length} violations`);
  console.log(`  slowest: ${report.slowest.ms} ms (${report.slowest.case})`);
  console.log(`  peak memory: ${report.peakRssMiB} MiB RSS`);
  for (const [kind, list] of [['crash', report.crashes], ['violation', report.violations]]) {
    for (const failure of list.slice(0, shownFailures)) console.log(`  ${kind}: ${failure.case}\n    ${failure.error.split('\n').join('\n    ')}`);
    if (list.length > shownFailures) console.log(`  … and ${list.length - shownFailures} more ${kind === 'crash' ? 'crashes' : 'violations'}`);
  }
  return report.crashes.length === 0 && report.violations.length === 0;
}

if (process.argv[2] === '--child') {
  const [, , , file, seed, iterations] = process.argv;
  await runChild(file, Number(seed), iterations === '' ? undefined : Number(iterations));
} else {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`fuzz: ${error.message}`);
    process.exit(2);
  }
  if (options.build) execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  const files = existsSync(fuzzDir) ? readdirSync(fuzzDir).filter((f) => f.endsWith('.fuzz.js')).sort() : [];
  const chosen = files.filter((f) => !options.only || options.only.has(basename(f, '.fuzz.js')));
  if (chosen.length === 0) {
    console.error(`fuzz: no campaigns${options.only ? ` named ${[...options.only].join(', ')}` : ''} in ${fuzzDir}`);
    process.exit(2);
  }
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  console.log(`fuzz: seed ${seed} (replay with --seed ${seed}), campaigns: ${chosen.map((f) => basename(f, '.fuzz.js')).join(', ')}`);
  let ok = true;
  for (const file of chosen) {
    const name = basename(file, '.fuzz.js');
    const started = Date.now();
    console.log(`\n=== ${name}`);
    const report = await runCampaign(join(fuzzDir, file), seed, options.iterations);
    ok = printReport(name, report) && ok;
    console.log(`  time: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  console.log(`\nfuzz: ${ok ? 'no crashes or violations' : 'FAILED'} (seed ${seed})`);
  process.exit(ok ? 0 : 1);
}

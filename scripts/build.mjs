// Bundles the extension, the CLI, the tests and the benchmark with esbuild.
// Type checking is separate (`npm run typecheck`, tsc --noEmit).
import * as esbuild from 'esbuild';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const watch = process.argv.includes('--watch');

function filesUnder(dir, predicate) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  const out = [];
  for (const name of readdirSync(abs)) {
    const p = join(abs, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(relative(root, p), predicate));
    else if (predicate(p)) out.push(p);
  }
  return out;
}

/**
 * The SDK's v2 client and core packages each carry their own copy of the same zod; without this
 * the bundle holds it twice (~100 KB minified). Imports of zod from core resolve to the client's
 * copy, only while the two versions are the same.
 */
const sdkPackages = join(root, 'node_modules/@modelcontextprotocol');
const zodVersion = (pkg) => {
  try {
    return JSON.parse(readFileSync(join(sdkPackages, pkg, 'node_modules/zod/package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
};
const oneZod = {
  name: 'one-zod',
  setup(build) {
    const version = zodVersion('client');
    if (!version || version !== zodVersion('core')) return;
    build.onResolve({ filter: /^zod(\/|$)/ }, (args) => {
      if (!args.importer.includes('/node_modules/@modelcontextprotocol/core/')) return undefined;
      return build.resolve(args.path, { kind: args.kind, resolveDir: join(sdkPackages, 'client') });
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  external: ['vscode'],
  absWorkingDir: root,
  // jsonc-parser's main entry is a UMD bundle esbuild cannot follow; its ESM entry bundles cleanly.
  mainFields: ['module', 'main'],
  plugins: [oneZod],
};

const builds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' },
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  },
];

const testEntries = filesUnder('test', (p) => p.endsWith('.ts') && !p.includes('/fixtures/'));
if (testEntries.length) {
  builds.push({
    ...common,
    entryPoints: testEntries,
    outdir: 'out/test',
    outbase: 'test',
    external: ['vscode', 'mocha', 'playwright-core'],
  });
}
const benchEntries = filesUnder('bench', (p) => p.endsWith('.ts'));
if (benchEntries.length) {
  builds.push({ ...common, entryPoints: benchEntries, outdir: 'out/bench', outbase: 'bench' });
}

const existing = builds.filter((b) => (b.entryPoints ?? []).every((e) => existsSync(join(root, e)) || e.startsWith('/')));
if (watch) {
  for (const b of existing) (await esbuild.context(b)).watch();
} else {
  await Promise.all(existing.map((b) => esbuild.build(b)));
}

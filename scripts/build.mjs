// Bundles the extension, the CLI, the tests and the benchmark with esbuild.
// Type checking is separate (`npm run typecheck`, tsc --noEmit).
import * as esbuild from 'esbuild';
import { readdirSync, readFileSync, statSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
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
 * The SDK's v2 client, core and server packages each carry their own copy of the same zod; without
 * this the bundle holds it two or three times (~100 KB minified each). Imports of zod from core and
 * server resolve to the client's copy, only while the versions are the same.
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
    // The server package (the gateway) carries a third copy; it joins only while its version is the same too.
    const sharing = ['core', ...(zodVersion('server') === version ? ['server'] : [])].map((pkg) => `/node_modules/@modelcontextprotocol/${pkg}/`);
    build.onResolve({ filter: /^zod(\/|$)/ }, (args) => {
      if (!sharing.some((dir) => args.importer.includes(dir))) return undefined;
      return build.resolve(args.path, { kind: args.kind, resolveDir: join(sdkPackages, 'client') });
    });
  },
};

/**
 * The SDK picks its default JSON Schema validator through `@modelcontextprotocol/client/_shims`;
 * on Node that is Ajv (~150 KB minified), bundled even though every Client of ours is given
 * src/core/schemaValidator.ts (on @cfworker/json-schema). This gives the bundles the Node shim
 * with the cfworker engine as the default instead, so one engine is bundled. If the SDK's shim
 * gains an export, the build fails on the missing import rather than shipping without it.
 */
const sdkShims = {
  name: 'sdk-shims',
  setup(build) {
    build.onResolve({ filter: /^@modelcontextprotocol\/client\/_shims$/ }, () => ({ path: 'client-shims-node', namespace: 'sdk-shims' }));
    // The gateway's v2 Server (src/core/gateway) validates no schema of its own: same engine, same shim.
    build.onResolve({ filter: /^@modelcontextprotocol\/server\/_shims$/ }, () => ({ path: 'server-shims-node', namespace: 'sdk-shims' }));
    build.onLoad({ filter: /^server-shims-node$/, namespace: 'sdk-shims' }, () => ({
      resolveDir: root,
      loader: 'js',
      contents: [
        "export { CfWorkerJsonSchemaValidator as DefaultJsonSchemaValidator } from '@modelcontextprotocol/server/validators/cf-worker';",
        "export { default as process } from 'node:process';",
      ].join('\n'),
    }));
    build.onLoad({ filter: /^client-shims-node$/, namespace: 'sdk-shims' }, () => ({
      resolveDir: root,
      loader: 'js',
      contents: [
        '// In Node a TypeError from fetch() is a network error, never CORS (as the SDK\'s Node shim says).',
        'export const CORS_IS_POSSIBLE = false;',
        "export { CfWorkerJsonSchemaValidator as DefaultJsonSchemaValidator } from '@modelcontextprotocol/client/validators/cf-worker';",
      ].join('\n'),
    }));
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

/**
 * What ships (the extension, the CLI) is minified, with a linked source map beside it. The map
 * stays out of the .vsix (.vscodeignore); `node scripts/map-stack.mjs` maps a stack trace from a
 * log back to src/ with it. Tests and the benchmark stay unminified: their failures read as is.
 */
const shipped = { ...common, minify: true, metafile: true, plugins: [oneZod, sdkShims] };

/**
 * The MCP SDK (the v2 client, its wire schemas and zod, ~335 kB of the ~540 kB) is needed only
 * once a server connects, so the extension loads it then: src/ imports the SDK as usual, and in
 * the extension bundle those imports resolve to a facade whose exports are getters that
 * `require('./mcp-sdk.js')` on first use. dist/mcp-sdk.js holds exactly the SDK exports src/
 * uses (found by an ESM pre-build, which keeps named imports of external modules as written).
 * An SDK value used while a module loads (`class X extends SdkError` at the top level) would
 * load it at activation: test/unit/bundle.test.ts fails then. `--watch` finds the names once:
 * restart it after importing a new SDK name.
 */
const lazySdkSpecifiers = ['@modelcontextprotocol/client', '@modelcontextprotocol/client/validators/cf-worker'];
const lazySdkFile = 'mcp-sdk.js';

/** The names src/extension.ts's module graph imports from each lazily loaded SDK specifier. */
async function sdkImportsOfExtension() {
  const probe = await esbuild.build({
    ...common,
    format: 'esm',
    sourcemap: false,
    write: false,
    entryPoints: ['src/extension.ts'],
    external: ['vscode', ...lazySdkSpecifiers],
    plugins: [],
  });
  const names = new Map(lazySdkSpecifiers.map((specifier) => [specifier, new Set()]));
  const text = probe.outputFiles[0].text;
  for (const [, list, specifier] of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
    for (const item of list.split(',').map((i) => i.trim()).filter(Boolean)) names.get(specifier)?.add(item.split(/\s+as\s+/)[0]);
  }
  if (/import\s*\*\s*as\s+\w+\s+from\s*"@modelcontextprotocol\//.test(text) || /import\s+\w+\s+from\s*"@modelcontextprotocol\//.test(text)) {
    throw new Error('src/ imports the MCP SDK as a namespace or default import; import its names instead (scripts/build.mjs, lazySdk)');
  }
  const all = [...names.values()].flatMap((set) => [...set]);
  if (new Set(all).size !== all.length) throw new Error(`two SDK entry points export the same name: ${all.join(', ')}`);
  return names;
}

const sdkImports = await sdkImportsOfExtension();

const lazySdk = {
  name: 'lazy-sdk',
  setup(build) {
    const filter = new RegExp(`^(${lazySdkSpecifiers.map((s) => s.replace(/[/.]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'lazy-sdk' }));
    build.onResolve({ filter: new RegExp(`^\\./${lazySdkFile.replace('.', '\\.')}$`), namespace: 'lazy-sdk' }, (args) => ({ path: args.path, external: true }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-sdk' }, (args) => ({
      resolveDir: root,
      loader: 'js',
      contents: [
        `let sdk;`,
        `const load = () => (sdk ??= require('./${lazySdkFile}'));`,
        `Object.defineProperty(exports, '__esModule', { value: true });`,
        `for (const name of ${JSON.stringify([...sdkImports.get(args.path)])}) Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });`,
      ].join('\n'),
    }));
  },
};

const builds = [
  { ...shipped, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', plugins: [...shipped.plugins, lazySdk] },
  {
    ...shipped,
    stdin: {
      contents: lazySdkSpecifiers.map((specifier) => `export { ${[...sdkImports.get(specifier)].join(', ')} } from '${specifier}';`).join('\n'),
      resolveDir: root,
      sourcefile: 'mcp-sdk-entry.js',
      loader: 'js',
    },
    outfile: `dist/${lazySdkFile}`,
  },
  // The gateway (and the SDK's v2 server behind it) loads after activation, from its own bundle,
  // so activation does not parse it (src/vscode/gateway.ts, loadGateway).
  { ...shipped, entryPoints: ['src/core/gateway/gateway.ts'], outfile: 'dist/gateway.js' },
  {
    ...shipped,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  },
];

/**
 * Webview scripts (src/webviews/*.ts, one entry per view; shared code in sub-folders): bundled for
 * the browser into media/dist/<name>.js, minified, separate from the extension bundle. They run
 * under a strict Content Security Policy (src/vscode/webviews/html.ts) and never import vscode or
 * Node modules.
 */
const webviewEntries = readdirSync(join(root, 'src/webviews'))
  .filter((name) => name.endsWith('.ts'))
  .map((name) => join('src/webviews', name));
if (webviewEntries.length) {
  builds.push({
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    minify: true,
    sourcemap: 'linked',
    logLevel: 'warning',
    absWorkingDir: root,
    entryPoints: webviewEntries,
    outdir: 'media/dist',
  });
}

const testEntries = filesUnder('test', (p) => p.endsWith('.ts') && !p.includes('/fixtures/'));
if (testEntries.length) {
  builds.push({
    ...common,
    entryPoints: testEntries,
    outdir: 'out/test',
    outbase: 'test',
    external: ['vscode', 'mocha', 'playwright-core', 'eslint'],
    // The tests run the core as it ships; the benchmark keeps the SDK's own default for its raw clients.
    plugins: shipped.plugins,
  });
}
const benchEntries = filesUnder('bench', (p) => p.endsWith('.ts'));
if (benchEntries.length) {
  builds.push({ ...common, entryPoints: benchEntries, outdir: 'out/bench', outbase: 'bench' });
}

/** Bytes of the output per package (`(ours)` for src/), from an esbuild metafile with one output. */
function bytesPerPackage(metafile) {
  const packages = {};
  for (const [input, { bytesInOutput }] of Object.entries(Object.values(metafile.outputs).find((o) => o.entryPoint).inputs)) {
    const inPackage = input.includes('node_modules/') ? input.split('node_modules/').pop() : undefined;
    const name = inPackage ? /^(?:@[^/]+\/)?[^/]+/.exec(inPackage)[0] : '(ours)';
    packages[name] = (packages[name] ?? 0) + bytesInOutput;
  }
  return packages;
}

const existing = builds.filter((b) => (b.entryPoints ?? []).every((e) => existsSync(join(root, e)) || e.startsWith('/')));
if (process.argv.includes('--minified-size')) {
  // For the benchmark's bundle-size row: the extension bundle (what activation loads) and the
  // lazily loaded SDK bundle as they ship, less their sourceMappingURL lines; bytes in total
  // and per package. Nothing is written.
  const [extension, sdk] = await Promise.all(builds.slice(0, 2).map((b) => esbuild.build({ ...b, sourcemap: false, write: false })));
  process.stdout.write(
    `${JSON.stringify({
      bytes: extension.outputFiles[0].contents.length,
      packages: bytesPerPackage(extension.metafile),
      lazySdk: { bytes: sdk.outputFiles[0].contents.length, packages: bytesPerPackage(sdk.metafile) },
    })}\n`,
  );
} else if (watch) {
  for (const b of existing) (await esbuild.context(b)).watch();
} else {
  const [extension, sdk] = await Promise.all(existing.map((b) => esbuild.build(b)));
  // For the bundle budget test (test/unit/bundle.test.ts): which files went into the extension
  // and into the SDK bundle it loads lazily.
  mkdirSync(join(root, 'out'), { recursive: true });
  const outputs = { ...extension.metafile.outputs, ...sdk.metafile.outputs };
  const lazySdkNames = Object.fromEntries([...sdkImports].map(([specifier, names]) => [specifier, [...names]]));
  writeFileSync(join(root, 'out', 'extension.metafile.json'), JSON.stringify({ inputs: { ...extension.metafile.inputs, ...sdk.metafile.inputs }, outputs, lazySdkNames }));
}

// The shipped extension: dist/extension.js (what activation loads) minified within its budget,
// the MCP SDK in dist/mcp-sdk.js loaded on the first connection and not before, one copy of each
// library, nothing from SDK paths we do not use, and source maps beside the bundles but not in
// the .vsix. Reads what `npm run build` wrote (dist/ and out/extension.metafile.json); sizes and
// what is in them: docs/benchmarks.md, "Bundle".
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/paths';

/**
 * Bytes of dist/extension.js, the target. The SDK bundle it loads lazily is not counted
 * here; its size is reported by `node scripts/build.mjs --minified-size` and docs/benchmarks.md.
 */
const BUDGET_BYTES = 400_000;

const bundle = join(repoRoot, 'dist', 'extension.js');
const sdkBundle = join(repoRoot, 'dist', 'mcp-sdk.js');

interface Metafile {
  outputs: Record<string, { entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
  lazySdkNames: Record<string, string[]>;
}

function readMetafile(): Metafile {
  return JSON.parse(readFileSync(join(repoRoot, 'out', 'extension.metafile.json'), 'utf8')) as Metafile;
}

/** The input files that put bytes into dist/extension.js and dist/mcp-sdk.js. */
function bundledInputs(): string[] {
  const outputs = readMetafile().outputs;
  assert.ok(Object.values(outputs).some((o) => o.entryPoint === 'src/extension.ts'), 'the metafile has the extension bundle; run `npm run build`');
  assert.ok(outputs['dist/mcp-sdk.js'], 'the metafile has the SDK bundle');
  return Object.values(outputs)
    .filter((o) => o.entryPoint === 'src/extension.ts' || o === outputs['dist/mcp-sdk.js'])
    .flatMap((o) => Object.entries(o.inputs))
    .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
    .map(([input]) => input);
}

/**
 * Loads dist/extension.js in a plain Node process, with a stand-in for `vscode` that answers
 * anything, without activating it; prints which of our dist/ files Node loaded.
 */
const loadWithoutActivating = `
const Module = require('node:module');
const anything = new Proxy(function () {}, { get: (_, key) => (key === Symbol.toPrimitive ? () => '' : anything), apply: () => anything, construct: () => anything });
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) { return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest); };
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: anything };
require(process.argv[1]);
process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((f) => f.includes('dist')).map((f) => require('node:path').basename(f))));
`;

describe('the extension bundle', () => {
  it(`is minified within its budget (${BUDGET_BYTES} bytes)`, () => {
    const bytes = statSync(bundle).size;
    assert.ok(bytes <= BUDGET_BYTES, `dist/extension.js is ${bytes} bytes, over the budget of ${BUDGET_BYTES}: see what grew with \`node scripts/build.mjs --minified-size\``);
    for (const file of [bundle, sdkBundle]) assert.ok(readFileSync(file, 'utf8').split('\n').length < 1000, `${file} is minified`);
  });

  it('loads the MCP SDK only when it is first used, not with the extension', () => {
    const loaded = spawnSync(process.execPath, ['-e', loadWithoutActivating, bundle], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(loaded.status, 0, loaded.stderr);
    assert.deepEqual(JSON.parse(loaded.stdout), ['extension.js'], 'an SDK value used while a module loads pulls dist/mcp-sdk.js into activation');
    const extensionInputs = Object.keys(readMetafile().outputs['dist/extension.js'].inputs);
    assert.deepEqual(extensionInputs.filter((i) => /node_modules\/(@modelcontextprotocol|zod)\//.test(i)), [], 'no SDK code in dist/extension.js');
  });

  it('has every SDK name the extension imports in dist/mcp-sdk.js', () => {
    const names = Object.values(readMetafile().lazySdkNames).flat();
    assert.ok(names.includes('Client'), names.join(', '));
    const missing = spawnSync(process.execPath, ['-e', 'const sdk = require(process.argv[1]); process.stdout.write(JSON.stringify(process.argv.slice(2).filter((n) => sdk[n] === undefined)))', sdkBundle, ...names], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(missing.status, 0, missing.stderr);
    assert.deepEqual(JSON.parse(missing.stdout), []);
  });

  it('holds one JSON Schema engine and one zod, and no SDK code for paths we do not use', () => {
    const inputs = bundledInputs();
    assert.ok(inputs.some((i) => i.startsWith('src/')), 'our sources are in it');
    const offenders = inputs.filter((i) =>
      [
        /\/ajv/i, // the SDK's default validator (and its ajv-formats, fast-uri): ours is cfworker
        /node_modules\/@modelcontextprotocol\/sdk\//, // the v1 SDK
        /@modelcontextprotocol\/client\/dist\/stdio\./, // the SDK's stdio transport: we have our own
        /node_modules\/(cross-spawn|jose)\//, // spawning for that transport; private-key JWT and DPoP
      ].some((pattern) => pattern.test(i)),
    );
    assert.deepEqual(offenders, []);
    const zodCopies = new Set(inputs.filter((i) => i.includes('/zod/')).map((i) => i.slice(0, i.lastIndexOf('/zod/'))));
    assert.equal(zodCopies.size, 1, `zod from ${[...zodCopies].join(', ')}`);
  });

  it('has its source map beside it, naming our sources', () => {
    assert.match(readFileSync(bundle, 'utf8').slice(-100), /\/\/# sourceMappingURL=extension\.js\.map\s*$/);
    assert.match(readFileSync(sdkBundle, 'utf8').slice(-100), /\/\/# sourceMappingURL=mcp-sdk\.js\.map\s*$/);
    const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[] };
    assert.ok(map.sources.some((s) => s.endsWith('src/core/session.ts')), 'src/core/session.ts is in the map');
  });

  it('ships both bundles without their source maps in the .vsix', function () {
    this.timeout(120_000);
    const vsce = join(repoRoot, 'node_modules', '.bin', 'vsce');
    assert.ok(existsSync(vsce), vsce);
    const listed = spawnSync(vsce, ['ls', '--no-dependencies'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 100_000 });
    assert.equal(listed.status, 0, listed.stderr);
    const files = listed.stdout.split('\n').filter(Boolean);
    assert.ok(files.includes('dist/extension.js') && files.includes('dist/mcp-sdk.js'), files.join(', '));
    assert.deepEqual(files.filter((f) => f.endsWith('.map')), []);
  });
});

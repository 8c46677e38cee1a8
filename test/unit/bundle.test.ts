// The shipped extension bundle: minified within its budget, one copy of each library, nothing
// from SDK paths we do not use, and its source map beside it but not in the .vsix. Reads what
// `npm run build` wrote (dist/extension.js and out/extension.metafile.json); sizes and what is
// in them: docs/benchmarks.md, "Bundle".
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/paths';

/**
 * Bytes of dist/extension.js. The target is 400 000 bytes with the v2 client; without
 * dropping a feature the bundle reaches 540 kB (docs/benchmarks.md says what is in it), so the
 * budget holds it there. Lower it when the bundle shrinks; raise it only with a reason.
 * Raised by 10 kB for the call history, pins, tool switches and their views and commands
 * (issue 9): 18 kB of our own code, minified.
 */
const BUDGET_BYTES = 560_000;
const TARGET_BYTES = 400_000;

const bundle = join(repoRoot, 'dist', 'extension.js');

interface Metafile {
  outputs: Record<string, { entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
}

/** The input files that put bytes into dist/extension.js. */
function bundledInputs(): string[] {
  const metafile = JSON.parse(readFileSync(join(repoRoot, 'out', 'extension.metafile.json'), 'utf8')) as Metafile;
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint === 'src/extension.ts');
  assert.ok(output, 'the metafile has the extension bundle; run `npm run build`');
  return Object.entries(output.inputs)
    .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
    .map(([input]) => input);
}

describe('the extension bundle', () => {
  it(`is minified within its budget (${BUDGET_BYTES} bytes; target ${TARGET_BYTES})`, () => {
    const bytes = statSync(bundle).size;
    assert.ok(bytes <= BUDGET_BYTES, `dist/extension.js is ${bytes} bytes, over the budget of ${BUDGET_BYTES}: see what grew with \`node scripts/build.mjs --minified-size\``);
    assert.ok(readFileSync(bundle, 'utf8').split('\n').length < 1000, 'dist/extension.js is minified');
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
    const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[] };
    assert.ok(map.sources.some((s) => s.endsWith('src/core/session.ts')), 'src/core/session.ts is in the map');
  });

  it('ships without its source map in the .vsix', function () {
    this.timeout(120_000);
    const vsce = join(repoRoot, 'node_modules', '.bin', 'vsce');
    assert.ok(existsSync(vsce), vsce);
    const listed = spawnSync(vsce, ['ls', '--no-dependencies'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 100_000 });
    assert.equal(listed.status, 0, listed.stderr);
    const files = listed.stdout.split('\n').filter(Boolean);
    assert.ok(files.includes('dist/extension.js'), files.join(', '));
    assert.deepEqual(files.filter((f) => f.endsWith('.map')), []);
  });
});

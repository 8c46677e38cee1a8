#!/usr/bin/env node
// Maps the positions in a stack trace from the minified bundles (dist/extension.js, dist/mcp-sdk.js, dist/cli.js)
// back to src/, with the source maps the build writes beside them. The extension host does not
// read source maps and the .vsix does not ship them, so a stack in the extension's log names
// only `extension.js:1:<column>`; paste it here, from a build of the same commit.
//
//   node scripts/map-stack.mjs [--map dist/extension.js.map] < stack.txt
//   pbpaste | node scripts/map-stack.mjs
//
// Every `<file>.js:<line>:<column>` whose file name matches the map's bundle is replaced by
// `<source>:<line>:<column>` (and the original function name, when the map knows it); other
// lines pass through unchanged.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: { map: { type: 'string' } } });
const input = readFileSync(0, 'utf8');

// Without --map: the first bundle the stack names (extension.js, mcp-sdk.js or cli.js), else the
// extension. A stack through both extension bundles maps in two passes, one --map each.
const named = /\b(extension|mcp-sdk|cli)\.js:\d+:\d+/.exec(input)?.[1] ?? 'extension';
const mapPath = values.map ?? join(root, 'dist', `${named}.js.map`);
const map = new SourceMap(JSON.parse(readFileSync(mapPath, 'utf8')));
const bundleName = basename(mapPath, '.map');

const position = new RegExp(`([^\\s(]*${bundleName.replace('.', '\\.')}):(\\d+):(\\d+)`, 'g');
const output = input.replace(position, (whole, _file, line, column) => {
  const entry = map.findEntry(Number(line) - 1, Number(column) - 1);
  if (!entry?.originalSource) return whole;
  const source = relative(root, join(dirname(mapPath), entry.originalSource));
  const name = entry.name ? ` [${entry.name}]` : '';
  return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}${name}`;
});
process.stdout.write(output);

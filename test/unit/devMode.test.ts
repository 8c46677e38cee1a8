// Dev mode in the configuration (`dev.watch`, `dev.debug`) and what it changes about the process.
import * as assert from 'node:assert/strict';
import { parseConfig } from '../../src/core/config';
import type { StdioServerDefinition } from '../../src/core/definitions';
import { inspectArgument, inspectorPort, watchGlobProblem, withInspector } from '../../src/core/devMode';

const source = { file: '/work/project/.vscode/mcp.json', label: 'workspace (.vscode/mcp.json)', fromWorkspace: true };

function parseServer(dev: unknown) {
  return parseConfig(JSON.stringify({ servers: { app: { command: 'node', args: ['server.js'], dev } } }), source);
}

function errors(dev: unknown): string[] {
  return parseServer(dev).issues.filter((i) => i.severity === 'error').map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('dev mode', () => {
  it('reads watch (one glob or several) and debug of a stdio server', () => {
    const one = parseServer({ watch: 'src/**/*.js', debug: { type: 'node' } });
    assert.deepEqual(one.issues, []);
    assert.deepEqual((one.servers[0] as StdioServerDefinition).dev, { watch: ['src/**/*.js'], debug: { type: 'node' } });
    const several = parseServer({ watch: ['src/**', 'package.json'] });
    assert.deepEqual((several.servers[0] as StdioServerDefinition).dev, { watch: ['src/**', 'package.json'] });
  });

  it('refuses an invalid dev key with an error naming the field, and leaves the server out', () => {
    const cases: [unknown, RegExp][] = [
      ['src/**', /^servers\.app\.dev: must be an object/],
      [{ watch: '/etc/**' }, /^servers\.app\.dev\.watch: "dev\.watch" must be relative to the workspace folder/],
      [{ watch: ['src/**', '../secrets/**'] }, /^servers\.app\.dev\.watch\.1: "dev\.watch" must stay inside the workspace folder/],
      [{ watch: 'C:\\Users\\**' }, /dev\.watch" must be relative/],
      [{ watch: '~/.ssh/*' }, /dev\.watch" must be relative/],
      [{ watch: 'src/${env:HOME}' }, /dev\.watch" takes no variables/],
      [{ watch: [] }, /dev\.watch" must be a glob or a non-empty array/],
      [{ watch: 3 }, /dev\.watch" must be a glob or a non-empty array/],
      [{ debug: { type: 'python' } }, /^servers\.app\.dev\.debug: "dev\.debug" must be \{ "type": "node" \}/],
      [{ debug: true }, /"dev\.debug" must be/],
      [{ reload: true }, /^servers\.app\.dev\.reload: "dev\.reload" is unknown/],
    ];
    for (const [dev, expected] of cases) {
      const found = errors(dev);
      assert.equal(found.length, 1, `${JSON.stringify(dev)}: ${found.join('; ')}`);
      assert.match(found[0], expected);
      assert.deepEqual(parseServer(dev).servers, [], `${JSON.stringify(dev)} leaves the server out`);
    }
  });

  it('does not apply to a remote server (a warning, as for other stdio-only keys)', () => {
    const parsed = parseConfig(JSON.stringify({ servers: { web: { url: 'https://example.com/mcp', dev: { watch: 'src/**' } } } }), source);
    assert.equal(parsed.servers.length, 1);
    assert.match(parsed.issues.map((i) => i.message).join('\n'), /"dev" does not apply to an http server/);
  });

  it('accepts globs inside the folder only', () => {
    assert.equal(watchGlobProblem('src/**/*.ts'), undefined);
    assert.equal(watchGlobProblem('**/*.{js,json}'), undefined);
    assert.equal(watchGlobProblem('src/..backup/*'), undefined);
    for (const glob of ['', ' ', '/abs/**', '\\\\server\\share\\*', 'D:/x', '..', 'a/../../b', 'a\\..\\b', '~/x']) {
      assert.ok(watchGlobProblem(glob), glob);
    }
  });

  it('starts node with the inspector first, any other command through NODE_OPTIONS', () => {
    const def: StdioServerDefinition = { kind: 'stdio', name: 'app', command: '/usr/bin/node', args: ['server.js'], env: {}, source };
    assert.deepEqual(withInspector(def).args, [inspectArgument, 'server.js']);
    assert.deepEqual(def.args, ['server.js'], 'the definition itself is left as it was');
    const npx = withInspector({ ...def, command: 'npx', args: ['tsx', 'server.ts'], env: { NODE_OPTIONS: '--enable-source-maps' } });
    assert.deepEqual(npx.args, ['tsx', 'server.ts']);
    assert.equal(npx.env.NODE_OPTIONS, `--enable-source-maps ${inspectArgument}`);
    assert.equal(inspectArgument, '--inspect=127.0.0.1:0');
  });

  it('reads the inspector port from Node\'s stderr line, and nothing else', () => {
    assert.equal(inspectorPort('Debugger listening on ws://127.0.0.1:40123/6a3c6f0e-1f1d-4b8e-9d7c-0a2b3c4d5e6f'), 40123);
    assert.equal(inspectorPort('Debugger listening on ws://evil.example:40123/x'), undefined);
    assert.equal(inspectorPort('log: Debugger listening on ws://127.0.0.1:40123/x'), undefined);
    assert.equal(inspectorPort('Debugger listening on ws://127.0.0.1:99999/x'), undefined);
    assert.equal(inspectorPort('For help, see: https://nodejs.org/en/docs/inspector'), undefined);
  });
});

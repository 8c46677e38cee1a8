import * as assert from 'node:assert/strict';
import { sep } from 'node:path';
import {
  ConfigResolutionError,
  decodeConfigText,
  formatIssue,
  LineIndex,
  maxNestingDepth,
  formatJsonPath,
  parseConfig,
  parseServersObject,
  resolveServer,
  resolveServers,
  type ConfigIssue,
  type InputDefinition,
  type InputAnswers,
  type ParsedConfig,
  type RawServerDefinition,
  type VariableResolver,
} from '../../src/core/config';
import type { RemoteServerDefinition, StdioServerDefinition } from '../../src/core/definitions';

const file = '/work/project/.vscode/mcp.json';
const source = { file, label: 'workspace (.vscode/mcp.json)', fromWorkspace: true };

function parse(text: string): ParsedConfig {
  return parseConfig(text, source);
}

/** The text an issue's range covers. */
function covered(text: string, issue: ConfigIssue): string {
  return text.slice(issue.offset, issue.offset + issue.length);
}

function onlyIssue(result: ParsedConfig, severity: ConfigIssue['severity'] = 'error'): ConfigIssue {
  const matching = result.issues.filter((i) => i.severity === severity);
  assert.equal(matching.length, 1, `expected one ${severity}, got: ${JSON.stringify(result.issues, null, 2)}`);
  return matching[0];
}

function stdio(result: ParsedConfig, name: string): StdioServerDefinition {
  const server = result.servers.find((s) => s.name === name);
  assert.ok(server, `no server ${name}`);
  assert.equal(server.kind, 'stdio');
  return server as StdioServerDefinition;
}

function remote(result: ParsedConfig, name: string): RemoteServerDefinition {
  const server = result.servers.find((s) => s.name === name);
  assert.ok(server, `no server ${name}`);
  assert.notEqual(server.kind, 'stdio');
  return server as RemoteServerDefinition;
}

/** A config with one server `echo` whose body is `body`: for the one-error-per-test cases. */
function oneServer(body: string): string {
  return `{\n  "servers": {\n    "echo": ${body}\n  }\n}`;
}

describe('config: parsing', () => {
  it('reads the VS Code shape with comments and trailing commas', () => {
    const text = `{
      // VS Code's mcp.json is JSONC
      "inputs": [
        { "type": "promptString", "id": "token", "description": "API token", "password": true, },
      ],
      "servers": {
        /* a local server */
        "echo": {
          "type": "stdio",
          "command": "node",
          "args": ["server.js", "--port", "3000",],
          "env": { "DEBUG": "1", "PORT": 8080, "UNWANTED": null },
          "envFile": "\${workspaceFolder}/.env",
          "cwd": "tools",
        },
        "api": { "type": "http", "url": "https://example.com/mcp", "headers": { "Authorization": "Bearer \${input:token}" } },
        "legacy": { "type": "sse", "url": "http://localhost:8000/sse" },
      },
    }`;
    const result = parse(text);
    assert.deepEqual(result.issues, []);
    assert.deepEqual(result.inputs, [{ id: 'token', type: 'promptString', description: 'API token', password: true }]);
    assert.deepEqual(stdio(result, 'echo'), {
      kind: 'stdio',
      name: 'echo',
      command: 'node',
      args: ['server.js', '--port', '3000'],
      env: { DEBUG: '1', PORT: '8080', UNWANTED: null },
      envFile: '${workspaceFolder}/.env',
      cwd: 'tools',
      source: { label: source.label, file, jsonPath: ['servers', 'echo'], fromWorkspace: true },
    });
    assert.deepEqual(remote(result, 'api'), {
      kind: 'http',
      name: 'api',
      url: 'https://example.com/mcp',
      headers: { Authorization: 'Bearer ${input:token}' },
      source: { label: source.label, file, jsonPath: ['servers', 'api'], fromWorkspace: true },
    });
    assert.equal(remote(result, 'legacy').kind, 'sse');
    assert.deepEqual(
      result.servers.map((s) => s.name),
      ['echo', 'api', 'legacy'],
      'servers keep the order of the file',
    );
  });

  it('reads the Claude Desktop / Cursor shape, inferring the type and ignoring app settings', () => {
    const text = JSON.stringify({
      globalShortcut: 'Ctrl+Space',
      mcpServers: {
        files: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'], env: { LEVEL: 3 } },
        remote: { url: 'https://example.com/mcp' },
        streamable: { type: 'streamable-http', url: 'https://example.com/a' },
        cline: { type: 'streamableHttp', url: 'https://example.com/b' },
        events: { type: 'sse', url: 'https://example.com/sse' },
      },
    });
    const result = parse(text);
    assert.deepEqual(result.issues, []);
    const files = stdio(result, 'files');
    assert.deepEqual([files.command, files.args, files.env], ['npx', ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'], { LEVEL: '3' }]);
    assert.deepEqual(files.source.jsonPath, ['mcpServers', 'files']);
    assert.equal(remote(result, 'remote').kind, 'http');
    assert.equal(remote(result, 'streamable').kind, 'http');
    assert.equal(remote(result, 'cline').kind, 'http');
    assert.equal(remote(result, 'events').kind, 'sse');
  });

  it('treats an empty file, a comment-only file and {} as configuring nothing, without issues', () => {
    for (const text of ['', '  \n', '// nothing yet\n', '{}']) {
      assert.deepEqual(parse(text), { servers: [], inputs: [], issues: [], invalidServers: [] }, JSON.stringify(text));
    }
  });

  it('skips a disabled server with an informational note, not an error', () => {
    const text = JSON.stringify({ mcpServers: { off: { command: 'x', disabled: true }, on: { command: 'y', disabled: false } } }, null, 2);
    const result = parse(text);
    assert.deepEqual(result.servers.map((s) => s.name), ['on']);
    const note = onlyIssue(result, 'info');
    assert.deepEqual(note.path, ['mcpServers', 'off']);
    assert.match(note.message, /disabled/);
    assert.equal(covered(text, note), '"off"');
    assert.equal(result.issues.length, 1);
  });
});

describe('config: validation', () => {
  it('reports a wrong argument type with its path, a range on the value, and the documented format', () => {
    const text = oneServer('{ "command": "node", "args": ["server.js", 42] }');
    const result = parse(text);
    const issue = onlyIssue(result);
    assert.deepEqual(issue.path, ['servers', 'echo', 'args', 1]);
    assert.equal(issue.message, 'must be a string, got number');
    assert.equal(covered(text, issue), '42');
    assert.equal(formatIssue(issue), `${file}: servers.echo.args[1]: must be a string, got number`);
    assert.deepEqual(result.servers, [], 'a server with an error is not returned');
  });

  const cases: { name: string; body: string; path: (string | number)[]; message: RegExp; covers: string }[] = [
    { name: 'missing command', body: '{ "args": [] , "type": "stdio" }', path: ['servers', 'echo'], message: /^"command" is required$/, covers: '"echo"' },
    { name: 'command of the wrong type', body: '{ "command": 5 }', path: ['servers', 'echo', 'command'], message: /^must be a string, got number$/, covers: '5' },
    { name: 'empty command', body: '{ "command": "  " }', path: ['servers', 'echo', 'command'], message: /^must not be empty$/, covers: '"  "' },
    { name: 'args not an array', body: '{ "command": "x", "args": "a b" }', path: ['servers', 'echo', 'args'], message: /^must be an array of strings, got string$/, covers: '"a b"' },
    { name: 'env not an object', body: '{ "command": "x", "env": ["A=1"] }', path: ['servers', 'echo', 'env'], message: /^must be an object, got array$/, covers: '["A=1"]' },
    { name: 'env value of the wrong type', body: '{ "command": "x", "env": { "DEBUG": true } }', path: ['servers', 'echo', 'env', 'DEBUG'], message: /^must be a string, number or null, got boolean$/, covers: 'true' },
    { name: 'env name with "="', body: '{ "command": "x", "env": { "A=B": "1" } }', path: ['servers', 'echo', 'env', 'A=B'], message: /not a valid environment variable name/, covers: '"A=B"' },
    { name: 'cwd of the wrong type', body: '{ "command": "x", "cwd": false }', path: ['servers', 'echo', 'cwd'], message: /^must be a string, got boolean$/, covers: 'false' },
    { name: 'envFile of the wrong type', body: '{ "command": "x", "envFile": {} }', path: ['servers', 'echo', 'envFile'], message: /^must be a string, got object$/, covers: '{}' },
    { name: 'unknown type', body: '{ "type": "ws", "url": "ws://x" }', path: ['servers', 'echo', 'type'], message: /^must be "stdio", "http" or "sse", got "ws"$/, covers: '"ws"' },
    { name: 'type of the wrong type', body: '{ "type": 1, "command": "x" }', path: ['servers', 'echo', 'type'], message: /^must be a string, got number$/, covers: '1' },
    { name: 'missing url', body: '{ "type": "http" }', path: ['servers', 'echo'], message: /^"url" is required$/, covers: '"echo"' },
    { name: 'url that does not parse', body: '{ "type": "http", "url": "not a url" }', path: ['servers', 'echo', 'url'], message: /^must be a valid URL$/, covers: '"not a url"' },
    { name: 'url that is not http(s)', body: '{ "url": "ftp://example.com/x" }', path: ['servers', 'echo', 'url'], message: /^must be an http:\/\/ or https:\/\/ URL, got ftp:\/\/$/, covers: '"ftp://example.com/x"' },
    { name: 'header of the wrong type', body: '{ "type": "sse", "url": "https://x.test", "headers": { "X-Retries": 3 } }', path: ['servers', 'echo', 'headers', 'X-Retries'], message: /^must be a string, got number$/, covers: '3' },
    { name: 'server not an object', body: '"npx server"', path: ['servers', 'echo'], message: /^must be an object, got string$/, covers: '"npx server"' },
    { name: 'neither command nor url', body: '{ "args": ["x"] }', path: ['servers', 'echo'], message: /needs a "command" \(stdio server\) or a "url"/, covers: '"echo"' },
    { name: 'disabled that is not a boolean', body: '{ "command": "x", "disabled": "yes" }', path: ['servers', 'echo', 'disabled'], message: /^must be a boolean, got string$/, covers: '"yes"' },
  ];
  for (const c of cases) {
    it(`reports ${c.name}`, () => {
      const text = oneServer(c.body);
      const result = parse(text);
      const issue = onlyIssue(result);
      assert.deepEqual(issue.path, c.path);
      assert.match(issue.message, c.message);
      assert.equal(covered(text, issue), c.covers);
      assert.equal(issue.file, file);
      assert.deepEqual(result.servers, []);
    });
  }

  it('reports every error of a server, not only the first', () => {
    const result = parse(oneServer('{ "command": 1, "args": [2, "ok", 3] }'));
    assert.deepEqual(
      result.issues.map((i) => formatJsonPath(i.path)),
      ['servers.echo.command', 'servers.echo.args[0]', 'servers.echo.args[2]'],
    );
  });

  it('keeps the valid servers when one is broken', () => {
    const text = JSON.stringify(
      { servers: { first: { command: 'a' }, broken: { command: 'b', args: [1] }, third: { type: 'http', url: 'https://x.test/mcp' } } },
      null,
      2,
    );
    const result = parse(text);
    assert.deepEqual(result.servers.map((s) => s.name), ['first', 'third']);
    assert.equal(formatJsonPath(onlyIssue(result).path), 'servers.broken.args[0]');
  });

  it('warns about unknown properties without dropping the server', () => {
    const text = oneServer('{ "command": "x", "autoApprove": [], "url": "https://x.test" }');
    const result = parse(text);
    assert.equal(result.servers.length, 1);
    const warnings = result.issues.filter((i) => i.severity === 'warning');
    assert.deepEqual(warnings.map((w) => [formatJsonPath(w.path), covered(text, w)]), [
      ['servers.echo.autoApprove', '"autoApprove"'],
      ['servers.echo.url', '"url"'],
    ]);
    assert.match(warnings[0].message, /unknown property/);
    assert.match(warnings[1].message, /does not apply to a stdio server/);
    assert.equal(result.issues.length, 2);
  });

  it('warns about stdio keys on a remote server', () => {
    const result = parse(oneServer('{ "type": "http", "url": "https://x.test", "command": "x" }'));
    assert.match(onlyIssue(result, 'warning').message, /"command" does not apply to an http server/);
    assert.equal(result.servers.length, 1);
  });

  it('warns about unknown top-level keys in mcp.json only', () => {
    const text = '{ "servers": {}, "sevrers": {} }';
    const warning = onlyIssue(parse(text), 'warning');
    assert.deepEqual(warning.path, ['sevrers']);
    assert.equal(covered(text, warning), '"sevrers"');
    assert.match(onlyIssue(parse('{ "preferences": {} }'), 'warning').message, /no "servers" \(VS Code\) or "mcpServers"/);
  });

  it('rejects a document or a servers section of the wrong type', () => {
    const array = parse('[1, 2]');
    assert.match(onlyIssue(array).message, /must be a JSON object, got array/);
    const text = '{ "servers": [ { "command": "x" } ] }';
    const issue = onlyIssue(parse(text));
    assert.deepEqual(issue.path, ['servers']);
    assert.match(issue.message, /got array/);
    assert.equal(covered(text, issue), '[ { "command": "x" } ]');
  });

  it('reports a duplicate server name on the second definition and keeps the first', () => {
    const text = '{ "servers": {\n  "echo": { "command": "first" },\n  "echo": { "command": "second" }\n} }';
    const result = parse(text);
    assert.equal(stdio(result, 'echo').command, 'first');
    assert.equal(result.servers.length, 1);
    const issue = onlyIssue(result);
    assert.match(issue.message, /duplicate server name "echo"/);
    assert.equal(issue.offset, text.lastIndexOf('"echo"'), 'the range is on the second key');
    assert.equal(covered(text, issue), '"echo"');
  });

  it('reports a name defined in both servers and mcpServers as a duplicate', () => {
    const result = parse(JSON.stringify({ servers: { a: { command: 'x' } }, mcpServers: { a: { command: 'y' } } }));
    assert.deepEqual(onlyIssue(result).path, ['mcpServers', 'a']);
    assert.equal(stdio(result, 'a').command, 'x');
  });

  it('turns broken JSON into positioned errors and no servers', () => {
    const text = '{\n  "servers": {\n    "a": { "command": "x" }\n    "b": { "command": "y" }\n  }\n}';
    const result = parse(text);
    assert.deepEqual(result.servers, []);
    const issue = result.issues[0];
    assert.equal(issue.severity, 'error');
    assert.deepEqual(issue.path, []);
    assert.equal(issue.offset, text.indexOf('"b"'), 'the missing comma is reported where "b" starts');
    assert.match(issue.message, /^expected a comma \(line 4, column 5\)$/);
    assert.equal(formatIssue(issue), `${file}: expected a comma (line 4, column 5)`);
  });

  it('reports an unterminated file', () => {
    const text = '{ "servers": { "a": { "command": "x';
    const result = parse(text);
    assert.deepEqual(result.servers, []);
    assert.ok(result.issues.length >= 1);
    assert.ok(result.issues.every((i) => i.severity === 'error' && i.offset <= text.length));
    assert.match(result.issues[0].message, /unterminated string/);
  });

  it('warns about unknown variables, pointing at the variable inside the string', () => {
    const text = oneServer('{ "command": "x", "args": ["--root=${workspaceFolderBasename}/src", "${env:HOME}"] }');
    const result = parse(text);
    const warning = onlyIssue(result, 'warning');
    assert.deepEqual(warning.path, ['servers', 'echo', 'args', 0]);
    assert.equal(covered(text, warning), '${workspaceFolderBasename}');
    assert.match(warning.message, /unknown variable \$\{workspaceFolderBasename\} is left as is/);
    assert.equal(result.servers.length, 1, 'an unknown variable is only a warning');
  });

  it('warns about an input that is not declared', () => {
    const text = '{ "inputs": [{ "id": "known", "type": "promptString" }], "servers": { "api": { "url": "https://x.test", "headers": { "A": "${input:known}", "B": "${input:missing}" } } } }';
    const result = parse(text);
    const warning = onlyIssue(result, 'warning');
    assert.deepEqual(warning.path, ['servers', 'api', 'headers', 'B']);
    assert.equal(covered(text, warning), '${input:missing}');
    assert.match(warning.message, /input "missing" is not declared/);
  });

  it('does not check a url made of variables before it is resolved', () => {
    const result = parse(oneServer('{ "type": "http", "url": "${env:MCP_URL}" }'));
    assert.deepEqual(result.issues, []);
    assert.equal(remote(result, 'echo').url, '${env:MCP_URL}');
  });
});

describe('config: hostile input', () => {
  it('rejects a file nested 10,000 levels deep with a positioned error instead of overflowing the stack', () => {
    const text = `{ "servers": { "a": { "command": "x" } }, "deep": ${'['.repeat(10_000)}${']'.repeat(10_000)} }`;
    assert.ok(text.length > 20_000);
    const result = parse(text);
    assert.deepEqual(result.servers, []);
    const issue = onlyIssue(result);
    assert.deepEqual(issue.path, []);
    assert.equal(issue.offset, text.indexOf('[') + maxNestingDepth - 1, 'the first bracket past the limit (the document is level 1)');
    assert.match(issue.message, /^nested more than 100 levels deep, so the file is not read \(line 1, column \d+\)$/);
  });

  it('does not count brackets inside strings and comments as nesting', () => {
    const brackets = '['.repeat(500);
    const text = `// ${brackets}\n{ "servers": { "a": { "command": "x", "args": ["${brackets}"] } } /* ${brackets} */ }`;
    const result = parse(text);
    assert.deepEqual(result.issues, []);
    assert.deepEqual(stdio(result, 'a').args, [brackets]);
  });

  it('keeps the range of a syntax error inside the text (found by the fuzz campaign)', () => {
    for (const text of ['/*', '{ /*', '{"servers": {} } /* x']) {
      const issue = parse(text).issues[0];
      assert.match(issue.message, /unterminated comment/);
      assert.ok(issue.offset + issue.length <= text.length, `${JSON.stringify(text)}: ${issue.offset}+${issue.length}`);
    }
  });

  it('finds variables in linear time, even in a string of 100,000 unclosed "${"', () => {
    const result = parse(oneServer(JSON.stringify({ command: `\${env:A}${'${'.repeat(100_000)}`, args: ['${${unknown}'] })));
    assert.equal(stdio(result, 'echo').command.length, 200_008);
    assert.equal(onlyIssue(result, 'warning').message, 'unknown variable ${unknown} is left as is');
  });

  it('accepts nesting up to the limit', () => {
    const depth = maxNestingDepth - 4; // document, inputs array, input, args
    const text = `{ "inputs": [ { "id": "x", "type": "command", "command": "c", "args": ${'['.repeat(depth)}${']'.repeat(depth)} } ] }`;
    const result = parse(text);
    assert.ok(!result.issues.some((i) => i.severity === 'error'), JSON.stringify(result.issues));
    assert.equal(result.inputs.length, 1);
  });

  it('warns about a second top-level "servers" key, with its range, and reads the first', () => {
    const text = '{\n  "servers": { "a": { "command": "first" } },\n  "servers": { "b": { "command": "second" } }\n}';
    const result = parse(text);
    assert.deepEqual(result.servers.map((s) => s.name), ['a']);
    const issue = onlyIssue(result, 'warning');
    assert.deepEqual(issue.path, ['servers']);
    assert.match(issue.message, /duplicate key "servers": only the first one is read/);
    assert.equal(issue.offset, text.lastIndexOf('"servers"'));
    assert.equal(covered(text, issue), '"servers"');
  });

  it('warns about a duplicate key inside a server and reads the first, where its problems point', () => {
    const text = oneServer('{ "command": 1, "command": "second" }');
    const result = parse(text);
    const warning = onlyIssue(result, 'warning');
    assert.deepEqual(warning.path, ['servers', 'echo', 'command']);
    assert.equal(warning.offset, text.lastIndexOf('"command"'));
    const error = onlyIssue(result, 'error');
    assert.match(error.message, /must be a string, got number/);
    assert.equal(covered(text, error), '1');
  });

  it('keeps "__proto__" an ordinary key that cannot smuggle in a section', () => {
    const result = parse('{ "__proto__": { "servers": { "a": { "command": "x" } } }, "mcpServers": { "b": { "command": "y", "__proto__": { "url": 1 } } } }');
    assert.deepEqual(result.servers.map((s) => s.name), ['b']);
    assert.equal(Object.getPrototypeOf(result.servers[0]), Object.prototype);
  });

  it('decodes a file the same way for every caller: UTF-8, byte order mark dropped', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{ "servers": { "é": { "command": "x" } } }')]);
    const text = decodeConfigText(bytes);
    assert.equal(text.charCodeAt(0), '{'.charCodeAt(0));
    const result = parse(text);
    assert.deepEqual(result.issues, []);
    assert.equal(result.servers[0].name, 'é');
  });

  it('maps offsets to lines and characters with \\n, \\r\\n and \\r line breaks', () => {
    const text = 'a\nbc\r\nd\re';
    const lines = new LineIndex(text);
    assert.deepEqual([0, 1, 2, 4, 6, 8, 9, 99, -1].map((o) => lines.position(o)), [
      { line: 0, character: 0 },
      { line: 0, character: 1 },
      { line: 1, character: 0 },
      { line: 1, character: 2 },
      { line: 2, character: 0 },
      { line: 3, character: 0 },
      { line: 3, character: 1 },
      { line: 3, character: 1 },
      { line: 0, character: 0 },
    ]);
  });
});

describe('config: inputs', () => {
  it('reads the three input types, with options as strings or { label, value }', () => {
    const result = parse(
      JSON.stringify({
        servers: {},
        inputs: [
          { id: 'key', type: 'promptString', password: true, default: 'abc' },
          { id: 'region', type: 'pickString', options: ['eu', { label: 'United States', value: 'us' }] },
          { id: 'picked', type: 'command', command: 'extension.pick', args: { multi: false } },
        ],
      }),
    );
    assert.deepEqual(result.issues, []);
    // A JSON round trip: jsonc-parser builds objects without a prototype.
    assert.deepEqual(JSON.parse(JSON.stringify(result.inputs)), [
      { id: 'key', type: 'promptString', password: true, default: 'abc' },
      { id: 'region', type: 'pickString', options: ['eu', 'us'] },
      { id: 'picked', type: 'command', command: 'extension.pick', args: { multi: false } },
    ]);
  });

  it('drops invalid inputs with a positioned error and keeps the others', () => {
    const text = JSON.stringify(
      {
        servers: {},
        inputs: [
          { type: 'promptString' },
          { id: 'a', type: 'askUser' },
          { id: 'b', type: 'pickString' },
          { id: 'c', type: 'promptString', password: 'yes' },
          { id: 'ok', type: 'promptString' },
          { id: 'ok', type: 'promptString', description: 'again' },
        ],
      },
      null,
      2,
    );
    const result = parse(text);
    assert.deepEqual(result.inputs, [{ id: 'ok', type: 'promptString' }]);
    assert.deepEqual(
      result.issues.map((i) => [formatJsonPath(i.path), i.message]),
      [
        ['inputs[0]', '"id" is required'],
        ['inputs[1].type', 'must be "promptString", "pickString" or "command", got "askUser"'],
        ['inputs[2]', 'a pickString input needs a non-empty "options" array'],
        ['inputs[3].password', 'must be a boolean, got string'],
        ['inputs[5].id', 'duplicate input id "ok": this input is ignored'],
      ],
    );
    assert.equal(covered(text, result.issues[1]), '"askUser"');
  });
});

describe('config: settings object', () => {
  it('validates an already-parsed object with paths under the base path and no ranges', () => {
    const result = parseServersObject(
      { good: { command: 'node', args: ['a'] }, bad: { command: 'node', args: [1] } },
      { label: 'user settings' },
      ['mcpSessions', 'servers'],
    );
    assert.deepEqual(result.servers.map((s) => s.name), ['good']);
    assert.deepEqual(result.servers[0].source, { label: 'user settings', file: undefined, jsonPath: ['mcpSessions', 'servers', 'good'], fromWorkspace: undefined });
    const issue = onlyIssue(result);
    assert.deepEqual([issue.offset, issue.length], [0, 0]);
    assert.equal(formatIssue(issue), 'user settings: mcpSessions.servers.bad.args[0]: must be a string, got number');
  });

  it('accepts an unset setting and rejects a non-object', () => {
    assert.deepEqual(parseServersObject(undefined, { label: 's' }, ['x']), { servers: [], inputs: [], issues: [], invalidServers: [] });
    assert.match(onlyIssue(parseServersObject([], { label: 's' }, ['x'])).message, /got array/);
  });
});

describe('config: formatJsonPath', () => {
  it('quotes names that are not plain words', () => {
    assert.equal(formatJsonPath(['servers', 'my.server', 'env', 'A B', 'args', 0]), 'servers["my.server"].env["A B"].args[0]');
    assert.equal(formatJsonPath(['servers', 'my-server_2']), 'servers.my-server_2');
  });
});

describe('config: resolution', () => {
  function resolverWith(overrides: Partial<VariableResolver> & { answers?: Record<string, string | undefined> } = {}) {
    const asked: { id: string; definition: InputDefinition | undefined }[] = [];
    const answers = overrides.answers ?? {};
    const resolver: VariableResolver = {
      env: (name) => ({ HOME_DIR: '/home/dev', API_KEY: 'k-123', TRICKY: '${userHome}' })[name],
      workspaceFolder: '/work/project',
      userHome: '/home/dev',
      input: async (id, definition) => {
        asked.push({ id, definition });
        return answers[id];
      },
      ...overrides,
    };
    return { resolver, asked };
  }

  function raw(config: object): RawServerDefinition[] {
    const result = parse(JSON.stringify(config));
    assert.deepEqual(result.issues.filter((i) => i.severity === 'error'), []);
    return result.servers;
  }

  it('substitutes every variable kind in every field', async () => {
    const [server] = raw({
      servers: {
        s: {
          command: '${workspaceFolder}${/}bin${pathSeparator}run',
          args: ['--home=${userHome}', '--key=${env:API_KEY}', '--missing=${env:NOT_SET}', '${input:name}'],
          env: { A: '${env:API_KEY}', B: null, C: '${workspaceFolder}' },
          envFile: '${userHome}/.env',
          cwd: '${workspaceFolder}/tools',
        },
      },
    });
    const { resolver } = resolverWith({ answers: { name: 'Ada' } });
    const resolved = (await resolveServer(server, resolver, [])) as StdioServerDefinition;
    assert.equal(resolved.command, `/work/project${sep}bin${sep}run`);
    assert.deepEqual(resolved.args, ['--home=/home/dev', '--key=k-123', '--missing=', 'Ada']);
    assert.deepEqual(resolved.env, { A: 'k-123', B: null, C: '/work/project' });
    assert.equal(resolved.envFile, '/home/dev/.env');
    assert.equal(resolved.cwd, '/work/project/tools');
    assert.deepEqual(resolved.source, server.source);
  });

  it('substitutes url and headers of a remote server', async () => {
    const [server] = raw({ servers: { r: { type: 'http', url: 'https://${env:HOST}/mcp', headers: { Authorization: 'Bearer ${input:token}' } } } });
    const { resolver } = resolverWith({ env: (n) => (n === 'HOST' ? 'api.test' : undefined), answers: { token: 't0k' } });
    const resolved = (await resolveServer(server, resolver, [])) as RemoteServerDefinition;
    assert.equal(resolved.url, 'https://api.test/mcp');
    assert.deepEqual(resolved.headers, { Authorization: 'Bearer t0k' });
  });

  it('leaves unknown variables as they are and does not rescan substituted values', async () => {
    const [server] = raw({ servers: { s: { command: 'x', args: ['${config:editor.tabSize}', '${env:TRICKY}'] } } });
    const resolved = (await resolveServer(server, resolverWith().resolver, [])) as StdioServerDefinition;
    assert.deepEqual(resolved.args, ['${config:editor.tabSize}', '${userHome}']);
  });

  it('expands a leading ~ in command and cwd, but not ~user or a ~ elsewhere', async () => {
    const [home, other] = raw({
      servers: { home: { command: '~/bin/server', cwd: '~', args: ['~/x'] }, other: { command: '~bob/bin/server', cwd: 'a/~' } },
    });
    const { resolver } = resolverWith();
    const resolvedHome = (await resolveServer(home, resolver, [])) as StdioServerDefinition;
    assert.deepEqual([resolvedHome.command, resolvedHome.cwd, resolvedHome.args], ['/home/dev/bin/server', '/home/dev', ['~/x']]);
    const resolvedOther = (await resolveServer(other, resolver, [])) as StdioServerDefinition;
    assert.deepEqual([resolvedOther.command, resolvedOther.cwd], ['~bob/bin/server', '/work/project/a/~']);
  });

  it('resolves relative cwd and envFile against the workspace folder, else the configuration file folder', async () => {
    const [server] = raw({ servers: { s: { command: 'x', cwd: 'tools', envFile: '../secrets/.env' } } });
    const inWorkspace = (await resolveServer(server, resolverWith().resolver, [])) as StdioServerDefinition;
    assert.deepEqual([inWorkspace.cwd, inWorkspace.envFile], ['/work/project/tools', '/work/secrets/.env']);
    const noWorkspace = (await resolveServer(server, resolverWith({ workspaceFolder: undefined }).resolver, [])) as StdioServerDefinition;
    assert.deepEqual([noWorkspace.cwd, noWorkspace.envFile], ['/work/project/.vscode/tools', '/work/project/secrets/.env']);
  });

  it('fails with a ConfigResolutionError naming server and variable when there is no workspace folder', async () => {
    const [server] = raw({ servers: { s: { command: 'node', args: ['${workspaceFolder}/index.js'] } } });
    const error = await resolveServer(server, resolverWith({ workspaceFolder: undefined }).resolver, []).then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ConfigResolutionError);
    assert.equal(error.server, 's');
    assert.equal(error.variable, '${workspaceFolder}');
    assert.equal(error.cancelled, false);
    assert.match(error.message, /Server "s" uses \$\{workspaceFolder\}, but no workspace folder is open/);
  });

  it('asks each input once for several servers and passes its definition', async () => {
    const inputs: InputDefinition[] = [{ id: 'token', type: 'promptString', password: true }];
    const servers = raw({
      inputs,
      servers: {
        a: { command: 'x', env: { T: '${input:token}' }, args: ['${input:token}'] },
        b: { type: 'http', url: 'https://x.test', headers: { A: '${input:token}' } },
        c: { command: 'y', args: ['${input:other}'] },
      },
    });
    const { resolver, asked } = resolverWith({ answers: { token: 's3cret', other: 'o' } });
    const { servers: resolved, errors } = await resolveServers(servers, resolver, inputs);
    assert.deepEqual(errors, []);
    assert.deepEqual(asked, [
      { id: 'token', definition: inputs[0] },
      { id: 'other', definition: undefined },
    ]);
    assert.deepEqual((resolved[0] as StdioServerDefinition).env, { T: 's3cret' });
    assert.deepEqual((resolved[1] as RemoteServerDefinition).headers, { A: 's3cret' });
  });

  it('shares one prompt between concurrent resolutions that share answers', async () => {
    const servers = raw({ servers: { a: { command: '${input:bin}' }, b: { command: '${input:bin}' } } });
    let prompts = 0;
    const { resolver } = resolverWith({
      input: async () => {
        prompts++;
        await new Promise((r) => setTimeout(r, 10));
        return 'node';
      },
    });
    const answers: InputAnswers = new Map();
    const resolved = await Promise.all(servers.map((s) => resolveServer(s, resolver, [], answers)));
    assert.equal(prompts, 1);
    assert.deepEqual(resolved.map((s) => (s as StdioServerDefinition).command), ['node', 'node']);
  });

  it('turns a cancelled input into a cancelled ConfigResolutionError and does not ask again', async () => {
    const servers = raw({
      servers: { a: { command: 'x', args: ['${input:token}'] }, b: { command: 'y', env: { T: '${input:token}' } }, c: { command: 'z' } },
    });
    const { resolver, asked } = resolverWith({ answers: {} });
    const { servers: resolved, errors } = await resolveServers(servers, resolver, []);
    assert.deepEqual(resolved.map((s) => s.name), ['c'], 'servers without the input still resolve');
    assert.deepEqual(errors.map((e) => [e.server, e.variable, e.cancelled]), [
      ['a', '${input:token}', true],
      ['b', '${input:token}', true],
    ]);
    assert.equal(asked.length, 1);
    assert.match(errors[0].message, /input "token" was cancelled/);
  });

  it('never puts a resolved value into an error message', async () => {
    const [bad] = raw({ servers: { r: { type: 'http', url: '${input:url}' } } });
    const { resolver } = resolverWith({ answers: { url: 'not-a-url-s3cret' } });
    const error = await resolveServer(bad, resolver, []).then(
      () => assert.fail('expected an error'),
      (e: unknown) => e as ConfigResolutionError,
    );
    assert.ok(error instanceof ConfigResolutionError);
    assert.equal(error.variable, '${input:url}');
    assert.match(error.message, /Server "r": "url" does not resolve to an http\(s\) URL \(it uses \$\{input:url\}\)/);
    assert.doesNotMatch(error.message, /s3cret/);
  });

  it('rejects a command that resolves to nothing', async () => {
    const [server] = raw({ servers: { s: { command: '${env:NOT_SET}' } } });
    await assert.rejects(resolveServer(server, resolverWith().resolver, []), (e: unknown) => {
      assert.ok(e instanceof ConfigResolutionError);
      assert.equal(e.variable, '${env:NOT_SET}');
      assert.match(e.message, /"command" resolves to an empty string/);
      return true;
    });
  });
});

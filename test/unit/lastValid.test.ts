// The reconcile rules for a configuration being edited: what a source configures given what it
// parses to now and its last valid version (core/lastValid.ts).
import * as assert from 'node:assert/strict';
import { parseConfig, parseServersObject, type ParsedConfig } from '../../src/core/config';
import { definitionFingerprint } from '../../src/core/definitions';
import { withLastValid, type EffectiveServer, type ValidConfig } from '../../src/core/lastValid';

const file = '/work/project/.vscode/mcp.json';
const source = { file, label: 'workspace (.vscode/mcp.json)', fromWorkspace: true };

function parse(text: string): ParsedConfig {
  return parseConfig(text, source);
}

const valid = `{
  "inputs": [{ "id": "token", "type": "promptString", "password": true }],
  "servers": {
    "echo": { "type": "stdio", "command": "node", "args": ["echo.mjs"] },
    "memory": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"] },
    "remote": { "type": "http", "url": "https://example.com/mcp", "headers": { "Authorization": "Bearer \${input:token}" } }
  }
}`;

/** The last valid version after reading `text` with none before. */
function remembered(text: string): ValidConfig {
  const effective = withLastValid(parse(text), undefined);
  assert.ok(effective.lastValid);
  return effective.lastValid;
}

function summary(servers: EffectiveServer[]): string[] {
  return servers.map((s) => `${s.state === 'invalid' ? s.entry.name : s.raw.name}=${s.state}`);
}

function fingerprints(servers: EffectiveServer[]): string[] {
  return servers.flatMap((s) => (s.state === 'invalid' ? [] : [definitionFingerprint(s.raw)]));
}

describe('config: the last valid version of a source', () => {
  it('uses every server as written while the file is valid, and remembers them', () => {
    const effective = withLastValid(parse(valid), undefined);
    assert.deepEqual(summary(effective.servers), ['echo=current', 'memory=current', 'remote=current']);
    assert.deepEqual(effective.lastValid?.servers.map((s) => s.name), ['echo', 'memory', 'remote']);
    assert.deepEqual(effective.lastValid?.inputs.map((i) => i.id), ['token']);
  });

  it('a syntax error keeps the last valid servers and inputs, each marked with the first syntax error', () => {
    const previous = remembered(valid);
    const typo = valid.replace('"servers": {', '"servers": { oops,');
    const parsed = parse(typo);
    assert.ok(parsed.unreadable, 'a syntax error makes the file unreadable');
    const effective = withLastValid(parsed, previous);
    assert.deepEqual(summary(effective.servers), ['echo=last-valid', 'memory=last-valid', 'remote=last-valid']);
    for (const server of effective.servers) {
      assert.equal(server.state, 'last-valid');
      assert.match(server.problem.message, /^invalid symbol \(line 3, column 16\)$/);
    }
    assert.deepEqual(fingerprints(effective.servers), fingerprints(withLastValid(parse(valid), undefined).servers), 'the very definitions that run');
    assert.deepEqual(effective.inputs.map((i) => i.id), ['token']);
    assert.equal(effective.lastValid, previous, 'the last valid version stays');
  });

  it('a file that never parsed configures nothing', () => {
    const effective = withLastValid(parse('{ "servers": { oops }'), undefined);
    assert.deepEqual(effective.servers, []);
    assert.equal(effective.lastValid, undefined);
  });

  it('a file that is no object, or whose servers are no object, keeps its last valid servers too', () => {
    const previous = remembered(valid);
    for (const text of ['[]', '{ "servers": 42 }', '{ "servers": [] }']) {
      const parsed = parse(text);
      assert.ok(parsed.unreadable, text);
      assert.deepEqual(summary(withLastValid(parsed, previous).servers), ['echo=last-valid', 'memory=last-valid', 'remote=last-valid'], text);
    }
    const setting = parseServersObject(42, { label: 'user settings' }, ['mcpSessions.servers']);
    assert.ok(setting.unreadable);
  });

  it('an invalid entry keeps its last valid definition, in its place, marked with its own error', () => {
    const previous = remembered(valid);
    const edited = valid.replace('"command": "npx"', '"command": 42');
    const parsed = parse(edited);
    assert.equal(parsed.unreadable, undefined);
    assert.deepEqual(parsed.invalidServers.map((e) => [e.name, e.precedingServers]), [['memory', 1]]);
    const effective = withLastValid(parsed, previous);
    assert.deepEqual(summary(effective.servers), ['echo=current', 'memory=last-valid', 'remote=current']);
    const memory = effective.servers[1];
    assert.equal(memory.state, 'last-valid');
    assert.deepEqual(memory.problem.path, ['servers', 'memory', 'command']);
    assert.equal(memory.problem.message, 'must be a string, got number');
    assert.equal(memory.raw.kind === 'stdio' && memory.raw.command, 'npx');
    // A second edit that is still invalid keeps the same definition: the last valid one is remembered.
    const again = withLastValid(parse(edited.replace('"command": 42', '"command": 43')), effective.lastValid);
    assert.deepEqual(summary(again.servers), ['echo=current', 'memory=last-valid', 'remote=current']);
    assert.deepEqual(fingerprints(again.servers), fingerprints(withLastValid(parse(valid), undefined).servers));
  });

  it('an invalid entry that never was valid is shown as invalid with its reason, in its place', () => {
    const previous = remembered(valid);
    const added = valid.replace('"servers": {', '"servers": {\n    "first": { "command": 42 },').replace('"remote": {', '"bad": { "type": "ftp" },\n    "remote": {');
    const effective = withLastValid(parse(added), previous);
    assert.deepEqual(summary(effective.servers), ['first=invalid', 'echo=current', 'memory=current', 'bad=invalid', 'remote=current']);
    const bad = effective.servers[3];
    assert.equal(bad.state, 'invalid');
    assert.deepEqual(bad.entry.issue.path, ['servers', 'bad', 'type']);
    assert.match(bad.entry.issue.message, /must be "stdio", "http" or "sse", got "ftp"/);
    assert.deepEqual(bad.entry.source.jsonPath, ['servers', 'bad']);
    assert.deepEqual(effective.lastValid?.servers.map((s) => s.name), ['echo', 'memory', 'remote'], 'an invalid entry is not remembered');
  });

  it('fixing the file compares against the last valid version: unchanged servers have the same definitions', () => {
    const previous = remembered(valid);
    const broken = withLastValid(parse(valid.replace('"servers": {', '"servers": { oops,')), previous);
    const fixed = withLastValid(parse(valid.replace('"echo.mjs"', '"echo2.mjs"')), broken.lastValid);
    assert.deepEqual(summary(fixed.servers), ['echo=current', 'memory=current', 'remote=current']);
    const before = fingerprints(broken.servers);
    const after = fingerprints(fixed.servers);
    assert.notEqual(after[0], before[0], 'the edited server changed');
    assert.deepEqual(after.slice(1), before.slice(1), 'the others did not');
  });

  it('a server removed from a valid file is gone, and a disabled one is not invalid', () => {
    const previous = remembered(valid);
    const edited = valid.replace(/\n\s*"memory": \{[^\n]*\},/, '').replace('"command": "node",', '"command": "node", "disabled": true,');
    const parsed = parse(edited);
    assert.deepEqual(parsed.invalidServers, []);
    assert.deepEqual(summary(withLastValid(parsed, previous).servers), ['remote=current']);
  });

  it('an invalid entry of the user setting keeps its last valid definition too', () => {
    const settings = { label: 'user settings (mcpSessions.servers)', fromWorkspace: false };
    const previous = withLastValid(parseServersObject({ a: { command: 'node' }, b: { command: 'node' } }, settings, ['mcpSessions.servers']), undefined).lastValid;
    const parsed = parseServersObject({ a: { command: 'node' }, b: { command: ['node'] } }, settings, ['mcpSessions.servers']);
    assert.deepEqual(summary(withLastValid(parsed, previous).servers), ['a=current', 'b=last-valid']);
  });
});

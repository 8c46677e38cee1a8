// The resolution rules that keep a user's own servers out of an untrusted workspace:
// where relative paths of each owner resolve, where a server without `cwd` starts, and which
// user definitions depend on a workspace folder.
import * as assert from 'node:assert/strict';
import {
  isInsideFolder,
  parseConfig,
  parseServersObject,
  pathRules,
  resolveConfigFilePath,
  resolveServer,
  workspaceDependence,
  type RawServerDefinition,
  type VariableResolver,
} from '../../src/core/config';
import type { StdioServerDefinition } from '../../src/core/definitions';

const home = '/home/dev';
const workspace = '/work/repo';

function userServer(server: object): RawServerDefinition {
  const parsed = parseServersObject({ s: server }, { label: 'user settings', fromWorkspace: false }, ['mcpSessions.servers']);
  assert.deepEqual(parsed.issues.filter((i) => i.severity === 'error'), []);
  return parsed.servers[0];
}

function resolverFor(rules: { relativeTo: string; defaultCwd?: string }): VariableResolver {
  return { env: () => undefined, workspaceFolder: workspace, userHome: home, input: async () => undefined, ...rules };
}

describe('workspace trust: path rules', () => {
  it('resolves relative paths of the user settings against the home folder, never the workspace', async () => {
    const raw = userServer({ command: 'node', args: ['server.js'], envFile: '.env', cwd: 'tools' });
    const rules = pathRules({ kind: 'user-settings', home });
    const resolved = (await resolveServer(raw, resolverFor(rules), [])) as StdioServerDefinition;
    assert.equal(resolved.envFile, '/home/dev/.env');
    assert.equal(resolved.cwd, '/home/dev/tools');
  });

  it('starts a user server without cwd in the home folder', async () => {
    const raw = userServer({ command: 'node', args: ['server.js'] });
    const resolved = (await resolveServer(raw, resolverFor(pathRules({ kind: 'user-settings', home })), [])) as StdioServerDefinition;
    assert.equal(resolved.cwd, home);
    const fromUserFile = (await resolveServer(raw, resolverFor(pathRules({ kind: 'user-file', file: '/home/dev/.cursor/mcp.json', home })), [])) as StdioServerDefinition;
    assert.equal(fromUserFile.cwd, home);
  });

  it('resolves relative paths of a user file against its folder, and of the workspace against the workspace folder', async () => {
    const raw = userServer({ command: 'node', envFile: '.env' });
    const userFile = (await resolveServer(raw, resolverFor(pathRules({ kind: 'user-file', file: '/home/dev/.cursor/mcp.json', home })), [])) as StdioServerDefinition;
    assert.equal(userFile.envFile, '/home/dev/.cursor/.env');
    const inWorkspace = (await resolveServer(raw, resolverFor(pathRules({ kind: 'workspace', folder: workspace })), [])) as StdioServerDefinition;
    assert.equal(inWorkspace.envFile, '/work/repo/.env');
    assert.equal(inWorkspace.cwd, undefined, 'a workspace server without cwd keeps the host default');
  });

  it('resolves a relative user configFiles entry against the home folder', () => {
    assert.equal(resolveConfigFilePath('.cursor/mcp.json', home, home), '/home/dev/.cursor/mcp.json');
    assert.equal(resolveConfigFilePath('~/a.json', workspace, home), '/home/dev/a.json');
    assert.equal(resolveConfigFilePath('/etc/mcp.json', home, home), '/etc/mcp.json');
    assert.equal(resolveConfigFilePath('.cursor/mcp.json', workspace, home), '/work/repo/.cursor/mcp.json');
  });

  it('knows which paths are inside a folder', () => {
    assert.equal(isInsideFolder('/work/repo', workspace), true);
    assert.equal(isInsideFolder('/work/repo/.cursor/mcp.json', workspace), true);
    assert.equal(isInsideFolder('/work/repo2/mcp.json', workspace), false);
    assert.equal(isInsideFolder('/work/..repo', '/work'), true);
    assert.equal(isInsideFolder('/work', workspace), false);
  });
});

describe('workspace trust: workspace dependence', () => {
  const homeRules = pathRules({ kind: 'user-settings', home });

  it('a user server that uses ${workspaceFolder} anywhere depends on the workspace', () => {
    for (const server of [
      { command: '${workspaceFolder}/bin/server' },
      { command: 'node', args: ['--x', '${workspaceFolder}/evil.js'] },
      { command: 'node', env: { PATH: '${workspaceFolder}/bin' } },
      { command: 'node', envFile: '${workspaceFolder}/.env' },
      { command: 'node', cwd: '${workspaceFolder}' },
      { type: 'http', url: 'http://127.0.0.1/${workspaceFolder}' },
    ]) {
      const reason = workspaceDependence(userServer(server), homeRules.relativeTo, [workspace]);
      assert.match(reason ?? '', /uses \$\{workspaceFolder\} in "/, JSON.stringify(server));
    }
    assert.equal(workspaceDependence(userServer({ command: 'node', args: ['${workspaceFolder}'] }), homeRules.relativeTo, [workspace]), 'it uses ${workspaceFolder} in "args[0]"');
  });

  it('a user server with relative or home paths does not depend on the workspace', () => {
    for (const server of [{ command: 'node', envFile: '.env', cwd: 'tools' }, { command: 'node', cwd: '~/x', envFile: '${userHome}/.env' }, { command: 'node', args: ['${userHome}/s.js'] }]) {
      assert.equal(workspaceDependence(userServer(server), homeRules.relativeTo, [workspace]), undefined, JSON.stringify(server));
    }
  });

  it('a relative cwd or envFile depends on the workspace when its base lies in a workspace folder', () => {
    const raw = userServer({ command: 'node', envFile: '.env' });
    // A user file that sits inside the opened folder, or a home folder opened as the workspace.
    assert.equal(workspaceDependence(raw, '/work/repo/.cursor', [workspace]), 'its relative "envFile" resolves inside the workspace folder');
    assert.equal(workspaceDependence(userServer({ command: 'node', cwd: 'sub' }), home, [home]), 'its relative "cwd" resolves inside the workspace folder');
    assert.equal(workspaceDependence(userServer({ command: 'node', cwd: '~/sub' }), home, [home]), undefined);
  });

  it('a definition from a parsed file is checked the same way', () => {
    const parsed = parseConfig(JSON.stringify({ mcpServers: { a: { command: 'node', args: ['${workspaceFolder}/a.js'] }, b: { command: 'node' } } }), { file: '/home/dev/.cursor/mcp.json', label: '~/.cursor/mcp.json' });
    const rules = pathRules({ kind: 'user-file', file: '/home/dev/.cursor/mcp.json', home });
    assert.deepEqual(parsed.servers.map((s) => workspaceDependence(s, rules.relativeTo, [workspace])), ['it uses ${workspaceFolder} in "args[0]"', undefined]);
  });
});

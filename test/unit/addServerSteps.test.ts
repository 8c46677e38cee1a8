import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addServerStepTitle, addServerSteps, suggestServerName } from '../../src/vscode/addServerSteps';
import { repoRoot } from '../support/paths';

describe('Add Server… (step titles and the suggested name)', () => {
  it('counts every step of the guided flow: 1/4 … 4/4, never "(3/3)" followed by a fourth step', () => {
    assert.deepEqual(
      addServerSteps.map((step) => addServerStepTitle(step)),
      ['Add MCP Server (1/4): how does it run?', 'Add MCP Server (2/4): command line', 'Add MCP Server (3/4): name', 'Add MCP Server (4/4): where should it be saved?'],
    );
    assert.equal(addServerStepTitle('endpoint', 'remote'), 'Add MCP Server (2/4): URL');
  });

  it('the command asks every step through addServerStepTitle, and no title is written by hand', () => {
    const source = readFileSync(join(repoRoot, 'src/vscode/commands/addServer.ts'), 'utf8');
    for (const step of addServerSteps) assert.match(source, new RegExp(`addServerStepTitle\\('${step}'`), `step "${step}" is asked`);
    assert.doesNotMatch(source, /title: '/, 'no hand-counted title');
  });

  const cases: [string, string[], string][] = [
    ['npx', ['-y', '@scope/server-foo', '--tools', '3'], 'server-foo'],
    ['npx', ['-y', '@modelcontextprotocol/server-filesystem', '/home/me/my docs'], 'server-filesystem'],
    ['npx', ['@modelcontextprotocol/server-memory@2026.8.31'], 'server-memory'],
    ['npx', ['-y', '--package=@org/tools', 'tools-mcp', '--verbose'], 'tools-mcp'],
    ['uvx', ['mcp-server-git'], 'mcp-server-git'],
    ['uvx', ['--from', 'git+https://github.com/org/repo', 'mcp-server-fetch', '--port', '3'], 'mcp-server-fetch'],
    ['uvx', ['mcp-server-time==1.2'], 'mcp-server-time'],
    ['pipx', ['run', 'mcp-server-sqlite', '--db', 'x.db'], 'mcp-server-sqlite'],
    ['npm', ['exec', '--', '@org/weather-mcp'], 'weather-mcp'],
    ['pnpm', ['dlx', 'context7-mcp'], 'context7-mcp'],
    ['node', ['/path/to/server.js'], 'server'],
    ['node', ['${workspaceFolder}/tools/my-mcp/dist/index.js', '--tools', '3'], 'my-mcp'],
    ['node', ['--import', 'tsx', './weather.ts'], 'weather'],
    ['python3', ['-m', 'mcp_server_fetch'], 'mcp_server_fetch'],
    ['python', ['server/notes_server.py', '3'], 'notes_server'],
    ['uv', ['run', '--directory', '/srv/app', 'weather.py'], 'weather'],
    ['docker', ['run', '-i', '--rm', '-e', 'GITHUB_TOKEN', 'ghcr.io/github/github-mcp-server:latest'], 'github-mcp-server'],
    ['docker', ['run', '-i', '--rm', '-v', '/data:/data', 'mcp/filesystem', '/data'], 'filesystem'],
    ['podman', ['container', 'run', '--name', 'x', 'mcp/time@sha256:abc'], 'time'],
    ['/usr/local/bin/my-server', ['--port', '3'], 'my-server'],
    ['C:\\tools\\weather.exe', ['3'], 'weather'],
    ['https://api.example.com/mcp', [], 'api.example.com'],
  ];
  for (const [command, args, expected] of cases) {
    it(`${[command, ...args].join(' ')} → ${expected}`, () => {
      assert.equal(suggestServerName(command, args), expected);
    });
  }

  it('is unique among the existing servers and one plain line', () => {
    assert.equal(suggestServerName('uvx', ['mcp-server-git'], ['mcp-server-git', 'mcp-server-git-2']), 'mcp-server-git-3');
    assert.equal(suggestServerName('node', ['my\nserver.js']), 'my-server');
    assert.equal(suggestServerName('npx', []), 'npx');
    assert.equal(suggestServerName('', []), 'server');
  });
});

// The one rule for server names that collide across configuration sources (src/core/serverNames.ts),
// used by the extension (src/vscode/configuration.ts) and the CLI (src/cli/configuration.ts).
import * as assert from 'node:assert/strict';
import { ServerNames, type NameSource } from '../../src/core/serverNames';

const user: NameSource = { label: 'user settings (mcpSessions.servers)', suffix: 'user' };
const claude: NameSource = { label: '~/Library/Application Support/Claude/claude_desktop_config.json', suffix: 'claude_desktop_config.json' };
const repo: NameSource = { label: 'workspace (.vscode/mcp.json)', suffix: 'my-repo' };
const other: NameSource = { label: 'other/.vscode/mcp.json', suffix: 'my-repo' };

describe('server names across sources', () => {
  it('gives a free name to the server configured with it', () => {
    const names = new ServerNames();
    assert.deepEqual(names.claim('github', user), { name: 'github' });
    assert.deepEqual(names.claim('echo', repo), { name: 'echo' });
  });

  it('keeps a taken name with the first source and suffixes a later one with its source, saying why', () => {
    const names = new ServerNames();
    names.claim('github', user);
    assert.deepEqual(names.claim('github', repo), {
      name: 'github (my-repo)',
      renamed: '"github" is also defined in user settings (mcpSessions.servers), so this one is called "github (my-repo)"',
    });
    const fromClaude = names.claim('github', claude);
    assert.equal(fromClaude.name, 'github (claude_desktop_config.json)');
    assert.match(fromClaude.renamed!, /also defined in user settings/, 'the owner named is the one that kept the name');
  });

  it('numbers the suffix when the suffixed name is taken too', () => {
    const names = new ServerNames();
    names.claim('echo', user);
    assert.equal(names.claim('echo', repo).name, 'echo (my-repo)');
    assert.equal(names.claim('echo', other).name, 'echo (my-repo 2)');
    assert.equal(names.claim('echo', other).name, 'echo (my-repo 3)');
  });

  it('never moves a name configured earlier: a suffixed name already in use is skipped', () => {
    const names = new ServerNames();
    names.claim('echo', user);
    names.claim('echo (my-repo)', user);
    assert.equal(names.claim('echo', repo).name, 'echo (my-repo 2)');
  });

  it('renames a later server configured with a name an earlier rename produced', () => {
    const names = new ServerNames();
    names.claim('echo', user);
    assert.equal(names.claim('echo', repo).name, 'echo (my-repo)');
    const literal = names.claim('echo (my-repo)', claude);
    assert.equal(literal.name, 'echo (my-repo) (claude_desktop_config.json)');
    assert.match(literal.renamed!, /also defined in workspace \(\.vscode\/mcp\.json\)/);
  });

  it('compares names exactly: case and spaces make different names', () => {
    const names = new ServerNames();
    names.claim('echo', user);
    assert.deepEqual(names.claim('Echo', repo), { name: 'Echo' });
    assert.deepEqual(names.claim('echo ', repo), { name: 'echo ' });
  });

  it('gives every server of a large configuration a distinct name', () => {
    const names = new ServerNames();
    const given = Array.from({ length: 300 }, (_, i) => names.claim('s', [user, repo, other][i % 3]).name);
    assert.equal(new Set(given).size, given.length);
  });
});

// Locates the repository from compiled tests (out/test/...) and sources alike: walks up from
// __dirname to the package.json whose name is "mcp-session-manager".
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'mcp-session-manager') return dir;
      } catch {
        // unreadable or not JSON: keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`mcp-session-manager package.json not found above ${start}`);
    dir = parent;
  }
}

/** Absolute path of the repository root. */
export const repoRoot: string = findRepoRoot(__dirname);
/** Absolute path of test/fixtures (the fixture MCP servers). */
export const fixturesDir: string = join(repoRoot, 'test', 'fixtures');

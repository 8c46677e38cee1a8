// What the Marketplace and `vsce package` need from package.json, and the activation event that
// keeps the Tool Explorer from showing "There is no data provider registered" while the window
// starts.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/paths';

interface Manifest {
  license: string;
  repository?: { url: string };
  bugs?: { url: string };
  homepage?: string;
  icon?: string;
  categories: string[];
  keywords?: string[];
  activationEvents: string[];
  contributes: { views: Record<string, { id: string }[]> };
}

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Manifest;

/** The categories the Marketplace accepts (vsce rejects any other). */
const marketplaceCategories = new Set([
  'AI', 'Azure', 'Chat', 'Data Science', 'Debuggers', 'Education', 'Extension Packs', 'Formatters', 'Keymaps',
  'Language Packs', 'Linters', 'Machine Learning', 'Notebooks', 'Other', 'Programming Languages', 'SCM Providers',
  'Snippets', 'Testing', 'Themes', 'Visualization',
]);

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG', `${file} is a PNG`);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('the extension manifest', () => {
  it('activates when any of its views opens', () => {
    const views = Object.values(manifest.contributes.views).flat().map((v) => v.id);
    assert.ok(views.includes('mcpSessions.toolExplorer'));
    for (const view of views) assert.ok(manifest.activationEvents.includes(`onView:${view}`), `onView:${view} in activationEvents`);
  });

  it('has what the Marketplace shows: licence file, repository, icon, categories and keywords', () => {
    assert.equal(manifest.license, 'MIT');
    assert.match(readFileSync(join(repoRoot, 'LICENSE'), 'utf8'), /^MIT License\n\nCopyright \(c\) 2026 MCP Session Manager contributors\n/);
    assert.match(manifest.repository?.url ?? '', /^https:\/\/github\.com\//);
    assert.match(manifest.bugs?.url ?? '', /^https:\/\//);
    assert.match(manifest.homepage ?? '', /^https:\/\//);
    assert.ok(manifest.icon && existsSync(join(repoRoot, manifest.icon)), `icon ${manifest.icon}`);
    assert.deepEqual(pngSize(join(repoRoot, manifest.icon)), { width: 128, height: 128 });
    assert.deepEqual(manifest.categories.filter((c) => !marketplaceCategories.has(c)), []);
    assert.notDeepEqual(manifest.categories, ['Other']);
    assert.ok((manifest.keywords?.length ?? 0) > 0 && (manifest.keywords?.length ?? 0) <= 30);
  });
});

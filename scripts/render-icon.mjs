// Renders media/icon.svg into the 128×128 media/icon.png the Marketplace shows, with the
// chromium the UI tests use (scripts/vscode-host installs it). Run after changing the SVG and
// commit both: `node scripts/render-icon.mjs`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser } from './vscode-host/browser.mjs';

const root = new URL('..', import.meta.url).pathname;
const SIZE = 128;

const svg = readFileSync(join(root, 'media', 'icon.svg'), 'utf8');
// A throw-away browser profile: nothing is left in the home folder.
const runDir = mkdtempSync(join(tmpdir(), 'render-icon-'));
const browser = await launchBrowser({ runDir });
try {
  const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE }, deviceScaleFactor: 1 });
  await page.setContent(`<!DOCTYPE html><html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.locator('svg').screenshot({ path: join(root, 'media', 'icon.png'), omitBackground: true });
} finally {
  await browser.close();
  rmSync(runDir, { recursive: true, force: true });
}

#!/usr/bin/env node
// Browser UI tests: packages the extension as a .vsix, installs it into a fresh code-server
// run folder, opens the workbench on the demo workspace in chromium and runs the compiled
// mocha specs out/test/ui/**/*.ui.js in this process, handing them the page (test/ui/host.ts).
// Screenshots go to test-results/ui/<version>-<time>/; a failing test gets one automatically.
//
// CLI: node scripts/vscode-host/run-ui-tests.mjs [--version 4.100.3] [--extension <dir>]
//        [--workspace <dir>] [--tests <dir>] [--grep re] [--timeout ms]
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Mocha from 'mocha';
import { launchBrowser, workbenchUrl } from './browser.mjs';
import { createRunDir, installVsix, releaseRunDir, serverErrorLines, startCodeServer } from './host.mjs';
import { CODE_SERVER_VERSIONS, progress, ROOT } from './install.mjs';
import { packageExtension } from './package-vsix.mjs';

const require = createRequire(import.meta.url);
export const DEFAULT_UI_TIMEOUT_MS = 600_000;
const UI_HOST_KEY = '__mcpSessionsUiHost'; // read by test/ui/host.ts

/** demo/ (the extension author's demo workspace), else the integration tests' workspace. */
export function defaultUiWorkspace() {
  for (const candidate of ['demo', 'test/fixtures/workspace']) {
    if (existsSync(join(ROOT, candidate))) return join(ROOT, candidate);
  }
  throw new Error('neither demo/ nor test/fixtures/workspace exists');
}

function specFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return specFiles(path);
      return name.endsWith('.ui.js') ? [path] : [];
    })
    .sort();
}

function slug(text) {
  return text.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'shot';
}

/** Resolves with the exit code: 0 when every UI test passed. */
export async function runUiTests({
  version = '4.100.3',
  extensionPath = ROOT,
  workspace = defaultUiWorkspace(),
  testsDir = join(ROOT, 'out', 'test', 'ui'),
  grep,
  timeoutMs = DEFAULT_UI_TIMEOUT_MS,
} = {}) {
  if (!CODE_SERVER_VERSIONS[version]) throw new Error(`unknown --version ${version}`);
  const files = specFiles(resolve(testsDir));
  if (files.length === 0) throw new Error(`no compiled UI tests (*.ui.js) under ${testsDir}; run \`npm run build\` first`);

  const started = Date.now();
  const shotsDir = join(ROOT, 'test-results', 'ui', `${version}-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`);
  const runDir = createRunDir(`ui-${version}`);
  let server;
  let browser;
  let timer;
  try {
    const vsix = await packageExtension({ extensionPath, outDir: runDir });
    installVsix({ version, vsix, extensionsDir: join(runDir, 'extensions'), runDir });
    progress(`installed ${relative(ROOT, vsix) || vsix} into ${join(runDir, 'extensions')}`);
    server = await startCodeServer({ version, workspace, runDir, label: 'ui' });
    progress(`code-server ${version} at ${server.url}, workspace ${server.workspace}`);

    browser = await launchBrowser({ runDir });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(20_000);
    let shotCounter = 0;
    const screenshot = async (name) => {
      const path = join(shotsDir, `${String(++shotCounter).padStart(2, '0')}-${slug(name)}.png`);
      await page.screenshot({ path });
      process.stdout.write(`    screenshot: ${relative(process.cwd(), path)}\n`);
      return path;
    };

    await page.goto(workbenchUrl(server));
    await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
    progress(`workbench ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await screenshot('workbench-ready');

    globalThis[UI_HOST_KEY] = { page, url: server.url, workspace: server.workspace, vscodeVersion: version.replace(/^4\./, '1.'), screenshot };
    const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 90_000, reporter: 'spec', grep });
    for (const file of files) {
      delete require.cache[file];
      mocha.addFile(file);
    }
    mocha.suite.afterEach(async function screenshotOnFailure() {
      if (this.currentTest?.state === 'failed') await screenshot(`FAILED ${this.currentTest.fullTitle()}`).catch(() => {});
    });
    const failures = await new Promise((resolvePromise, reject) => {
      timer = setTimeout(() => reject(new Error(`UI tests timed out after ${timeoutMs} ms`)), timeoutMs);
      mocha.run((count) => resolvePromise(count));
    });
    if (failures > 0) {
      const errors = serverErrorLines(runDir);
      if (errors.length) console.error(`run-ui-tests: errors logged by code-server and its extension host:\n  ${errors.join('\n  ')}`);
      console.error(`run-ui-tests: ${failures} UI test(s) failed; screenshots in ${relative(process.cwd(), shotsDir)}, logs in ${runDir}`);
    }
    progress(`UI tests finished after ${((Date.now() - started) / 1000).toFixed(1)} s (code-server ${version})`);
    return failures > 0 ? 1 : 0;
  } finally {
    clearTimeout(timer);
    delete globalThis[UI_HOST_KEY];
    await Promise.all([browser?.close().catch(() => {}), server?.stop()]);
    releaseRunDir(runDir);
  }
}

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const next = () => {
      if (argv[i + 1] === undefined) throw new Error(`${argv[i]} needs a value`);
      return argv[++i];
    };
    switch (argv[i]) {
      case '--version': options.version = next(); break;
      case '--extension': options.extensionPath = resolve(next()); break;
      case '--workspace': options.workspace = resolve(next()); break;
      case '--tests': options.testsDir = resolve(next()); break;
      case '--grep': options.grep = next(); break;
      case '--timeout': options.timeoutMs = Number(next()); break;
      default: throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  return options;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let code = 1;
  try {
    code = await runUiTests(parseArgs(process.argv.slice(2)));
  } catch (error) {
    console.error(`run-ui-tests: ERROR ${error.message}`);
  }
  process.exit(code);
}

#!/usr/bin/env node
// Runs an extension's mocha integration tests inside the real VS Code extension host of
// code-server. code-server refuses --extensionDevelopmentPath/--extensionTestsPath, so the
// options travel through the web workbench configuration: an init script makes
// getAttribute('data-settings') of #vscode-workbench-web-configuration return the settings
// with developmentOptions { extensions, extensionTestsPath } merged in. The workbench loads
// the extension into the server's extension host, awaits the tests module's run() and calls
// window.codeAutomationExit(code).
//
// With --trust-enabled the folder opens untrusted (Restricted Mode). A test cannot click, so
// when it prints a line containing GRANT_TRUST_MARKER the runner grants trust through the UI
// (grantWorkspaceTrust); the test then sees onDidGrantWorkspaceTrust. A line with
// CLICK_NOTIFICATION_MARKER followed by JSON {message, button} has the runner click that button
// of the notification toast showing `message` (clickNotificationButton), as a user would.
//
// CLI: node scripts/vscode-host/run-tests.mjs --version 4.100.3|4.139.1 --extension <dir>
//        --tests <compiled tests index.js> --workspace <dir> [--timeout ms] [--grep re] [--verbose]
//        [--trust-enabled] [--user-settings <json file>] [--isolated-home] [--env NAME=VALUE]...
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { captureExtensionHostConsole, clickNotificationButton, grantWorkspaceTrust, launchBrowser, workbenchUrl } from './browser.mjs';
import { CODE_SERVER_VERSIONS, progress } from './install.mjs';
import { serverErrorLines, startCodeServer } from './host.mjs';

export const DEFAULT_TIMEOUT_MS = 300_000;
/** A test prints this to have the runner grant workspace trust through the UI (--trust-enabled). */
export const GRANT_TRUST_MARKER = '@@grant-workspace-trust';
/** A test prints this and JSON {message, button} to have the runner click a notification's button. */
export const CLICK_NOTIFICATION_MARKER = '@@click-notification-button';

class UsageError extends Error {}

function checkInputs({ version, extensionPath, testsPath, workspace }) {
  if (!CODE_SERVER_VERSIONS[version]) throw new UsageError(`unknown --version ${version}; use one of ${Object.keys(CODE_SERVER_VERSIONS).join(', ')}`);
  if (!existsSync(join(extensionPath, 'package.json'))) throw new UsageError(`--extension ${extensionPath} has no package.json`);
  const main = JSON.parse(readFileSync(join(extensionPath, 'package.json'), 'utf8')).main;
  if (main && !existsSync(resolve(extensionPath, main)) && !existsSync(resolve(extensionPath, `${main}.js`))) {
    throw new UsageError(`the extension's main ${resolve(extensionPath, main)} does not exist; run \`npm run build\` first`);
  }
  if (!existsSync(testsPath) || !statSync(testsPath).isFile()) {
    throw new UsageError(`tests module ${testsPath} does not exist; run \`npm run build\` to compile the integration tests`);
  }
  if (!existsSync(workspace) || !statSync(workspace).isDirectory()) throw new UsageError(`--workspace ${workspace} is not a folder`);
}

/**
 * Runs the tests; resolves with the exit code (0 all passed, 1 failures, timeout or a harness error).
 * @param {{ version: string, extensionPath: string, testsPath: string, workspace: string,
 *           timeoutMs?: number, env?: Record<string,string>, verbose?: boolean, out?: (line: string) => void,
 *           trustEnabled?: boolean, userSettings?: Record<string, unknown>, isolatedHome?: boolean }} options
 */
export async function runExtensionTests({ version, extensionPath, testsPath, workspace, timeoutMs = DEFAULT_TIMEOUT_MS, env = {}, verbose = false, out = (line) => process.stdout.write(`${line}\n`), trustEnabled = false, userSettings = {}, isolatedHome = false }) {
  extensionPath = resolve(extensionPath);
  testsPath = resolve(testsPath);
  workspace = resolve(workspace);
  checkInputs({ version, extensionPath, testsPath, workspace });

  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  let server;
  let browser;
  let timer;
  try {
    server = await startCodeServer({ version, workspace, env, label: trustEnabled ? 'trust-tests' : 'tests', trustEnabled, userSettings, isolatedHome });
    progress(`code-server ${version} at ${server.url} (run folder ${server.runDir}) after ${elapsed()}`);
    const consoleLog = join(server.runDir, 'workbench-console.log');
    writeFileSync(consoleLog, '');

    browser = await launchBrowser({ runDir: server.runDir });
    const page = await browser.newPage();
    let settle;
    const finished = new Promise((resolvePromise) => (settle = resolvePromise));
    await page.exposeFunction('codeAutomationExit', (code, logs) => {
      for (const log of Array.isArray(logs) ? logs : []) {
        if (log?.relativePath && typeof log.contents === 'string') {
          appendFileSync(consoleLog, `\n===== workbench log ${log.relativePath} =====\n${log.contents}`);
        }
      }
      settle({ code: typeof code === 'number' ? code : 1 });
    });
    let uiActions = Promise.resolve();
    await captureExtensionHostConsole(page, {
      onLine: (_level, args) => {
        const line = format(...args);
        out(line);
        if (trustEnabled && line.includes(GRANT_TRUST_MARKER)) {
          uiActions = uiActions
            .then(() => grantWorkspaceTrust(page))
            .then(() => progress('granted workspace trust through the trust editor'))
            .catch((error) => out(`run-tests: granting workspace trust failed: ${error.message}`));
        }
        const click = line.indexOf(CLICK_NOTIFICATION_MARKER);
        if (click >= 0) {
          let target;
          try {
            target = JSON.parse(line.slice(click + CLICK_NOTIFICATION_MARKER.length));
          } catch {
            out(`run-tests: ${CLICK_NOTIFICATION_MARKER} needs JSON {message, button}: ${line}`);
          }
          if (target) {
            uiActions = uiActions
              .then(() => clickNotificationButton(page, target))
              .then(() => progress(`clicked "${target.button}" on the notification "${target.message}"`))
              .catch((error) => out(`run-tests: clicking "${target.button}" failed: ${error.message}`));
          }
        }
      },
      onOther: (type, text) => {
        appendFileSync(consoleLog, `[${type}] ${text}\n`);
        if (verbose) process.stderr.write(`[workbench ${type}] ${text}\n`);
      },
    });
    page.on('pageerror', (error) => appendFileSync(consoleLog, `[pageerror] ${error.stack ?? error}\n`));
    page.on('crash', () => settle({ code: 1, reason: 'the browser page crashed' }));
    await page.addInitScript(
      ({ extensionPath: extensionFolder, testsPath: testsModule }) => {
        const original = Element.prototype.getAttribute;
        Element.prototype.getAttribute = function (name) {
          const value = original.call(this, name);
          if (name !== 'data-settings' || this.id !== 'vscode-workbench-web-configuration' || !value) return value;
          const settings = JSON.parse(value);
          const uri = (path) => ({ scheme: 'vscode-remote', authority: location.host, path, query: '', fragment: '' });
          settings.developmentOptions = {
            ...(settings.developmentOptions ?? {}),
            extensions: [uri(extensionFolder)],
            extensionTestsPath: uri(testsModule),
          };
          return JSON.stringify(settings);
        };
      },
      { extensionPath, testsPath },
    );

    const remaining = timeoutMs - (Date.now() - started);
    timer = setTimeout(() => settle({ code: 1, reason: `timed out after ${timeoutMs} ms: the tests did not finish (a run() that never settles, a hung test, or a workbench that never loaded)` }), Math.max(remaining, 0));
    await page.goto(workbenchUrl(server), { timeout: Math.max(remaining, 1) }).catch((error) => settle({ code: 1, reason: `could not open the workbench: ${error.message}` }));
    const result = await finished;
    if (result.reason) {
      console.error(`run-tests: ERROR ${result.reason}`);
      console.error(`run-tests: workbench console: ${consoleLog}; code-server log: ${server.logFile}`);
    } else {
      progress(`tests finished with exit code ${result.code} after ${elapsed()} (code-server ${version})`);
      if (result.code !== 0) progress(`workbench console: ${consoleLog}; code-server log: ${server.logFile}`);
    }
    if (result.code !== 0) {
      const errors = serverErrorLines(server.runDir);
      if (errors.length) console.error(`run-tests: errors logged by code-server and its extension host:\n  ${errors.join('\n  ')}`);
    }
    return result.code;
  } finally {
    clearTimeout(timer);
    await Promise.all([browser?.close().catch(() => {}), server?.stop()]);
  }
}

function parseArgs(argv) {
  const options = { timeoutMs: DEFAULT_TIMEOUT_MS, verbose: false, env: {}, trustEnabled: false, userSettings: {}, isolatedHome: false };
  const value = (i, name) => {
    if (argv[i + 1] === undefined) throw new UsageError(`${name} needs a value`);
    return argv[i + 1];
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    switch (arg) {
      case '--version': options.version = value(i++, arg); break;
      case '--extension': options.extensionPath = value(i++, arg); break;
      case '--tests': options.testsPath = value(i++, arg); break;
      case '--workspace': options.workspace = value(i++, arg); break;
      case '--timeout': options.timeoutMs = Number(value(i++, arg)); break;
      case '--grep': options.env.MOCHA_GREP = value(i++, arg); break;
      case '--verbose': options.verbose = true; break;
      case '--trust-enabled': options.trustEnabled = true; break;
      case '--isolated-home': options.isolatedHome = true; break;
      case '--user-settings': {
        const file = value(i++, arg);
        try {
          options.userSettings = JSON.parse(readFileSync(file, 'utf8'));
        } catch (error) {
          throw new UsageError(`--user-settings ${file}: ${error.message}`);
        }
        break;
      }
      case '--env': {
        const [name, ...rest] = value(i++, arg).split('=');
        if (!name || rest.length === 0) throw new UsageError('--env needs NAME=VALUE');
        options.env[name] = rest.join('=');
        break;
      }
      default: throw new UsageError(`unknown argument ${arg}`);
    }
  }
  for (const [key, flag] of [['version', '--version'], ['extensionPath', '--extension'], ['testsPath', '--tests'], ['workspace', '--workspace']]) {
    if (!options[key]) throw new UsageError(`missing ${flag}`);
  }
  if (!(options.timeoutMs > 0)) throw new UsageError('--timeout must be a positive number of milliseconds');
  return options;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let code = 1;
  try {
    code = await runExtensionTests(parseArgs(process.argv.slice(2)));
  } catch (error) {
    console.error(`run-tests: ERROR ${error instanceof UsageError ? error.message : error.stack ?? error}`);
    if (error instanceof UsageError) {
      console.error('usage: node scripts/vscode-host/run-tests.mjs --version 4.100.3|4.139.1 --extension <dir> --tests <index.js> --workspace <dir> [--timeout ms] [--grep re] [--verbose] [--trust-enabled] [--user-settings <json file>] [--isolated-home] [--env NAME=VALUE]');
    }
  }
  process.exit(code);
}

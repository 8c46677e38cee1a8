// Debian's chromium driven by playwright-core, pointed at a code-server workbench.
import { chromium } from 'playwright-core';
import { join } from 'node:path';
import { onInterrupt } from './host.mjs';
import { CHROMIUM_PATH } from './install.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Launches headless chromium; with a run folder, its profile-independent files (crash reports) stay there too. */
export async function launchBrowser({ runDir } = {}) {
  const env = runDir
    ? { ...process.env, XDG_CONFIG_HOME: join(runDir, 'browser', 'config'), XDG_CACHE_HOME: join(runDir, 'browser', 'cache') }
    : undefined;
  // Signals are handled by onInterrupt (host.mjs), which closes the browser and stops the server.
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, env, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
  const unregister = onInterrupt(() => browser.close().catch(() => {}));
  browser.on('disconnected', unregister);
  return browser;
}

/** The workbench URL of a code-server with the given folder open. */
export function workbenchUrl(server, folder = server.workspace) {
  return `${server.url}/?folder=${encodeURIComponent(folder).replace(/%2F/g, '/')}`;
}

/**
 * Installs, before any workbench script runs, a console wrapper that recognises the extension
 * host's console output: in a test run the workbench logs it through its log service from
 * MainThreadConsole.$logExtensionHostMessage (RPC method names survive minification), as
 * console.log('%c INFO', '<css>', ...original arguments). Those calls are handed to
 * `onLine(level, args)` with the '%c' prefix and the CSS removed; everything else goes to
 * `onOther(type, text)`.
 */
export async function captureExtensionHostConsole(page, { onLine, onOther }) {
  await page.exposeFunction('__vscodeHostExtensionHostLog', (level, args) => onLine(level, args));
  await page.addInitScript(() => {
    const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'];
    for (const method of methods) {
      const original = console[method].bind(console);
      console[method] = (...args) => {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 40;
        const stack = new Error().stack ?? '';
        Error.stackTraceLimit = limit;
        if (stack.includes('$logExtensionHostMessage')) {
          let level = method;
          let rest = args;
          if (typeof args[0] === 'string' && args[0].startsWith('%c')) {
            level = args[0].slice(2).trim().toLowerCase() || method;
            rest = args.slice(2);
          }
          try {
            window.__vscodeHostExtensionHostLog(level, JSON.parse(JSON.stringify(rest)));
            return;
          } catch {
            // not serialisable: fall through to the page console
          }
        }
        original(...args);
      };
    }
  });
  page.on('console', (message) => onOther(message.type(), message.text()));
}

/**
 * Grants workspace trust the way a user does: "Workspaces: Manage Workspace Trust" from the
 * command palette (unless the trust editor is already open), then its "Trust" button.
 */
export async function grantWorkspaceTrust(page, timeoutMs = 20_000) {
  const trustButton = page.locator('.workspace-trust-buttons .monaco-description-button[aria-label^="Trust,"] .monaco-button');
  if (!(await trustButton.isVisible())) {
    const widget = page.locator('.quick-input-widget');
    const input = widget.locator('input').first();
    await page.keyboard.press('F1');
    await widget.waitFor({ state: 'visible', timeout: timeoutMs });
    await input.fill('>Workspaces: Manage Workspace Trust');
    await widget.locator('.monaco-list-row', { hasText: 'Manage Workspace Trust' }).first().waitFor({ timeout: timeoutMs });
    await input.press('Enter');
  }
  await trustButton.click({ timeout: timeoutMs });
}

/**
 * Clicks a button of a notification toast the way a user does: the toast whose text contains
 * `message`, its button labelled `button` (e.g. a progress notification's "Cancel").
 */
export async function clickNotificationButton(page, { message, button }, timeoutMs = 20_000) {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: message }).first();
  await toast.locator('.monaco-button', { hasText: button }).first().click({ timeout: timeoutMs });
}

// What the UI test runner (scripts/vscode-host/run-ui-tests.mjs) hands to the tests: a
// chromium page on a code-server workbench with the packaged extension installed and the
// demo workspace open, and a screenshot helper that writes under test-results/.
import type { Page } from 'playwright-core';

export interface UiHost {
  readonly page: Page;
  /** code-server's base URL, e.g. http://127.0.0.1:PORT */
  readonly url: string;
  readonly workspace: string;
  readonly vscodeVersion: string;
  /** Saves a PNG of the page as test-results/ui/<run>/<nn>-<name>.png, prints and returns its path. */
  screenshot(name: string): Promise<string>;
}

const key = '__mcpSessionsUiHost';

export function uiHost(): UiHost {
  const host = (globalThis as Record<string, unknown>)[key] as UiHost | undefined;
  if (!host) throw new Error('UI tests run through `node scripts/vscode-host/run-ui-tests.mjs`, which opens the workbench for them');
  return host;
}

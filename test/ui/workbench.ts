// Small helpers over the VS Code workbench DOM (stable across VS Code 1.100 and 1.139):
// activity bar entries are role=tab, views are panes named "<view> Section", tree and quick
// pick rows are .monaco-list-row with aria-label/aria-level.
import type { Locator, Page } from 'playwright-core';

export async function openViewContainer(page: Page, title: string): Promise<void> {
  const entry = page.locator('.part.activitybar').getByRole('tab', { name: title, exact: true });
  await entry.click();
  await page.locator(`.part.sidebar .composite.title`).filter({ hasText: new RegExp(`^${escape(title)}`, 'i') }).waitFor();
}

/** The tree of a view: its pane is found by the header's aria-label "<name> Section", shown or hidden. */
export function viewTree(page: Page, name: string): Locator {
  return page.locator('.part.sidebar .pane').filter({ has: page.locator(`.pane-header[aria-label="${name} Section"]`) }).locator('.pane-body .monaco-list');
}

/** Tree rows whose label starts with `label` (rows read "<label> <description>"). */
export function treeRows(tree: Locator, label: string, level?: number): Locator {
  const levelSelector = level === undefined ? '' : `[aria-level="${level}"]`;
  return tree.locator(`.monaco-list-row${levelSelector}`).filter({ has: tree.page().locator(`.label-name`, { hasText: new RegExp(`^${escape(label)}$`) }) });
}

export function quickInput(page: Page): { widget: Locator; input: Locator; rows: Locator; title: Locator } {
  const widget = page.locator('.quick-input-widget');
  return {
    widget,
    input: widget.locator('.quick-input-box input'),
    rows: widget.locator('.quick-input-list .monaco-list-row'),
    title: widget.locator('.quick-input-title'),
  };
}

/** Runs a command from the palette (F1, ">Category: Title", Enter on the matching entry). */
export async function runCommand(page: Page, fullTitle: string): Promise<void> {
  const { widget, input, rows } = quickInput(page);
  await page.keyboard.press('F1');
  await widget.waitFor({ state: 'visible' });
  await input.fill(`>${fullTitle}`);
  await rows.filter({ hasText: fullTitle }).first().waitFor();
  await input.press('Enter');
}

/** Chooses the quick pick item with exactly this label, waiting for it to be listed. */
export async function pick(page: Page, label: string): Promise<void> {
  const { widget, input, rows } = quickInput(page);
  await widget.waitFor({ state: 'visible' });
  await input.fill(label);
  const row = rows.filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escape(label)}$`) }) }).first();
  await row.waitFor();
  await row.click();
}

/** The text of the active editor, as rendered (Monaco draws spaces as U+00A0). */
export async function activeEditorText(page: Page): Promise<string> {
  const lines = page.locator('.editor-group-container.active .monaco-editor .view-lines');
  await lines.first().waitFor();
  return (await lines.first().innerText()).replace(/\u00a0/g, ' ');
}

/**
 * Waits until the element's attribute matches, and returns it. A row's aria-label follows the
 * extension's tree refresh, which lands a moment after the status bar changes; asserting it once
 * would race that refresh.
 */
export async function attributeMatching(element: Locator, name: string, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = (await element.getAttribute(name)) ?? '';
    if (pattern.test(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

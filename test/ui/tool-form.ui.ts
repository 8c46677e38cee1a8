// The call form in a real browser, against the demo workspace: the Tool Explorer's "Open Form"
// action on echo's `configure` tool (nested object, list, enum, choice, bounds) opens the form in
// a webview; filled with a name too short and retries over the bound, Call is refused with the
// errors at those fields; fixed, the call goes out and its result opens. Screenshots:
// call-form, call-form-validation-error, call-form-result (test-results/ui/).
// Runs after tool-explorer.ui.ts (files run in name order), which opens the container.
import * as assert from 'node:assert/strict';
import type { FrameLocator, Page } from 'playwright-core';
import { uiHost } from './host';
import { visibleWebview, openViewContainer, runCommand, treeRows, viewTree } from './workbench';

/** The control of the field at a JSON pointer (its text box, select or button), inside the form. */
function field(form: FrameLocator, pointer: string, control: string) {
  return form.locator(`.field[data-pointer="${pointer}"]`).first().locator(control).first();
}

async function choose(form: FrameLocator, pointer: string, select: string, label: string): Promise<void> {
  const element = field(form, pointer, select);
  await element.click();
  await element.getByRole('option', { name: label, exact: true }).click();
}

async function openConfigureForm(page: Page): Promise<FrameLocator> {
  const tree = viewTree(page, 'Tool Explorer');
  if (!(await tree.isVisible())) await openViewContainer(page, 'MCP Sessions');
  const server = treeRows(tree, 'echo', 1);
  await server.waitFor();
  if ((await server.getAttribute('aria-expanded')) !== 'true') await server.locator('.monaco-tl-twistie').click();
  const tools = treeRows(tree, 'Tools', 2);
  await tools.waitFor({ timeout: 30_000 });
  if ((await tools.getAttribute('aria-expanded')) !== 'true') await tools.locator('.monaco-tl-twistie').click();
  const row = treeRows(tree, 'configure', 3);
  await row.waitFor({ timeout: 30_000 });
  await row.hover();
  await row.getByRole('button', { name: 'Open Form' }).click();
  const form = visibleWebview(page);
  await form.getByRole('heading', { name: /Configure — echo/ }).waitFor({ timeout: 30_000 });
  return form;
}

describe('Call form in the browser', function () {
  this.timeout(120_000);
  const name = `ui form ${Date.now()}`;

  before(async () => {
    await runCommand(uiHost().page, 'View: Close All Editors');
  });

  it('"Open Form" on a tool opens its form; nested object, list, enum and choice fields are filled', async () => {
    const { page, screenshot } = uiHost();
    const form = await openConfigureForm(page);
    await field(form, '/name', 'input').fill('a');
    await choose(form, '/mode', 'vscode-single-select', 'thorough');
    await field(form, '/retries', 'input').fill('9');
    const tags = form.locator('.field[data-pointer="/tags"]').first();
    await tags.getByRole('button', { name: /Add an item/ }).click();
    await field(form, '/tags/0', 'input').fill('alpha');
    await tags.getByRole('button', { name: /Add an item/ }).click();
    await field(form, '/tags/1', 'input').fill('beta');
    await field(form, '/options/label', 'input').fill('nested label');
    assert.equal(await field(form, '/options/depth', 'input').inputValue(), '2', 'the default of options.depth is filled in');
    await choose(form, '/target', 'vscode-single-select', 'url');
    await field(form, '/target/url', 'input').fill('https://example.com/out');
    await screenshot('call-form');
  });

  it('Call with a name too short and retries over the bound is refused at those fields', async () => {
    const { page, screenshot } = uiHost();
    const form = visibleWebview(page);
    await form.getByRole('button', { name: 'Call', exact: true }).click();
    await form.getByRole('status').getByText(/Not called: 2 fields need attention/).waitFor();
    assert.match(await form.locator('[data-error-for="/name"]').first().innerText(), /too short/i);
    assert.match(await form.locator('[data-error-for="/retries"]').first().innerText(), /greater than 5/);
    assert.equal(await form.locator('[data-error-for="/tags/0"]').first().innerText(), '', 'valid fields show no error');
    await screenshot('call-form-validation-error');
  });

  it('fixed, the call goes out and the result opens; the form keeps its values when shown again', async () => {
    const { page, screenshot } = uiHost();
    const form = visibleWebview(page);
    await field(form, '/name', 'input').fill(name);
    await field(form, '/retries', 'input').fill('3');
    assert.equal(await form.locator('[data-error-for="/retries"]').first().innerText(), '', 'the error goes once the value is fixed and checked again');
    await form.getByRole('button', { name: 'Call', exact: true }).click();

    await page.locator('.editor-group-container.active .tab.active').filter({ hasText: /configure result/ }).waitFor({ timeout: 30_000 });
    // The results view shows the arguments the server got back, as a JSON tree.
    const result = visibleWebview(page);
    await result.getByText('nested label').first().waitFor({ timeout: 30_000 });
    const shown = await result.locator('body').innerText();
    for (const expected of [name, 'thorough', 'alpha', 'nested label', 'https://example.com/out', 'retries']) {
      assert.ok(shown.includes(expected), `the result shows ${expected}; it reads:\n${shown}`);
    }
    await screenshot('call-form-result');

    // Hidden behind the result and shown again, the page is made anew: its values come from its saved state.
    await page.locator('.editor-group-container.active .tab').filter({ hasText: /configure — echo/ }).click();
    assert.equal(await field(visibleWebview(page), '/name', 'input').inputValue(), name);
    await runCommand(page, 'View: Close All Editors');
  });
});

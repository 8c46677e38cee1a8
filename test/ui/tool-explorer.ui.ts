// The Tool Explorer in a real browser, against the demo workspace (demo/.vscode/mcp.json):
// the "MCP Sessions" container, the "Tool Explorer" view, expanding the "echo" server (which
// starts it and lists its tools), and "MCP Sessions: Call Tool…" from the command palette
// calling echo {text}, add {a, b} (structured output) and swatch (an image), each result opening
// in the results view (a webview), then Reload Window bringing echo back (the default autoStart
// "restore"). Screenshots go to test-results/ui/.
import * as assert from 'node:assert/strict';
import { uiHost } from './host';
import { answerArguments, attributeMatching, openViewContainer, pick, quickInput, runCommand, treeRows, viewTree, visibleWebview } from './workbench';

describe('Tool Explorer in the browser', function () {
  this.timeout(90_000);
  const text = `hello from the UI test ${Date.now()}`;

  it('shows the MCP Sessions container with the Tool Explorer and the demo servers', async () => {
    const { page, screenshot } = uiHost();
    await openViewContainer(page, 'MCP Sessions');
    const tree = viewTree(page, 'Tool Explorer');
    await treeRows(tree, 'echo', 1).waitFor();
    await screenshot('tool-explorer');
  });

  it('expanding the echo server starts it and lists its echo tool', async () => {
    const { page, screenshot } = uiHost();
    const tree = viewTree(page, 'Tool Explorer');
    const server = treeRows(tree, 'echo', 1);
    if ((await server.getAttribute('aria-expanded')) !== 'true') await server.locator('.monaco-tl-twistie').click();
    await treeRows(tree, 'Tools', 2).waitFor();
    await treeRows(tree, 'echo', 3).waitFor({ timeout: 30_000 });
    assert.match(await attributeMatching(server, 'aria-label', /running/), /running/, 'the server row says it is running');
    await screenshot('echo-expanded');
  });

  it('"MCP Sessions: Call Tool…" calls echo with the typed text and opens the result', async () => {
    const { page, screenshot } = uiHost();
    await runCommand(page, 'MCP Sessions: Call Tool');
    await pick(page, 'echo'); // the server
    await pick(page, 'echo'); // its tool
    const { input, title } = quickInput(page);
    await title.filter({ hasText: /text/ }).waitFor(); // the input box for the `text` argument
    await screenshot('call-tool-arguments');
    await input.fill(text);
    await input.press('Enter');

    await page.locator('.editor-group-container.active .tab.active').filter({ hasText: /echo result/ }).waitFor({ timeout: 30_000 });
    const shown = visibleWebview(page).locator('pre.text');
    await shown.filter({ hasText: text }).waitFor({ timeout: 30_000 });
    assert.equal(await shown.innerText(), text, 'the results view shows the echoed text');
    await screenshot('call-tool-result');
  });

  it('an image result is shown inline in the results view', async () => {
    const { page, screenshot } = uiHost();
    await runCommand(page, 'MCP Sessions: Call Tool');
    await pick(page, 'echo');
    await pick(page, 'swatch');
    await page.locator('.editor-group-container.active .tab.active').filter({ hasText: /swatch result/ }).waitFor({ timeout: 30_000 });
    const view = visibleWebview(page);
    const image = view.locator('img.result-image');
    await image.waitFor({ timeout: 30_000 });
    // Decoded and laid out: the data: URL passed the page's Content Security Policy.
    const size = await image.evaluate(async (img: HTMLImageElement) => {
      await img.decode();
      return { width: img.naturalWidth, height: img.naturalHeight };
    });
    assert.deepEqual(size, { width: 64, height: 64 }, 'the PNG is decoded at its size');
    await view.getByText('Four colours: blue, yellow, green, red.').waitFor();
    await screenshot('result-image');
  });

  it('a structured result shows its JSON tree, checked against the outputSchema', async () => {
    const { page, screenshot } = uiHost();
    await runCommand(page, 'MCP Sessions: Call Tool');
    await pick(page, 'echo');
    await pick(page, 'add');
    await answerArguments(page, [
      ['a', '2'],
      ['b', '40'],
    ]);
    await page.locator('.editor-group-container.active .tab.active').filter({ hasText: /add result/ }).waitFor({ timeout: 30_000 });
    const view = visibleWebview(page);
    await view.getByText("Matches the tool's outputSchema").waitFor({ timeout: 30_000 });
    const tree = view.getByRole('tree', { name: 'Structured content' });
    const sum = tree.getByRole('treeitem').filter({ hasText: /^sum: 42$/ });
    await sum.waitFor();
    // Keyboard: the root collapses with ArrowLeft and opens again with ArrowRight.
    const rootItem = tree.getByRole('treeitem').first();
    await rootItem.focus();
    await rootItem.press('ArrowLeft');
    assert.equal(await rootItem.getAttribute('aria-expanded'), 'false', 'ArrowLeft collapses the tree');
    await rootItem.press('ArrowRight');
    assert.equal(await rootItem.getAttribute('aria-expanded'), 'true', 'ArrowRight expands it');
    await sum.waitFor();
    await screenshot('result-structured');
  });

  it('after "Developer: Reload Window" the server that was running runs again (autoStart "restore")', async () => {
    const { page, screenshot } = uiHost();
    const statusBar = page.locator('.part.statusbar');
    await statusBar.getByText('MCP 1/2').waitFor({ timeout: 30_000 }); // echo running, notes waiting for its input
    const reloaded = page.waitForEvent('load', { timeout: 60_000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
    // No click, no expansion of ours: the restored echo starts by itself, notes (never running) does not.
    await statusBar.getByText('MCP 1/2').waitFor({ timeout: 45_000 });
    const tree = viewTree(page, 'Tool Explorer');
    // The window comes back with the view open as it was; clicking its entry again would close it.
    if (!(await tree.isVisible())) await openViewContainer(page, 'MCP Sessions');
    const server = treeRows(tree, 'echo', 1);
    await server.waitFor();
    assert.match(await attributeMatching(server, 'aria-label', /running/), /running/, 'the echo row says it is running');
    await screenshot('restored-after-reload');
  });
});

// The results view: each tool call opens a panel titled "<tool> result" whose page is given the
// classified result (ResultViewData) and reports back what it rendered; its buttons reach the
// host as messages (driven here through testing.results.receive, as a click in the page sends
// them). Against the fixture server with --rich (one tool per kind of content). Also the
// mcp-result: text documents ("Open as Text") and the files images are written to ("Open in
// Editor").
import * as assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { relative } from 'node:path';
import * as vscode from 'vscode';
import { SecretRedactor } from '../../src/core/redact';
import type { ResultItem, ResultViewData } from '../../src/core/resultView';
import { ResultDocuments } from '../../src/vscode/results';
import { extensionApi, type Api } from './api';
import { eventually, stdioFixture } from '../support/processes';

const onePixelPng = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const renderBoundMs = 20_000;

function openedFiles(): vscode.Uri[] {
  return vscode.window.tabGroups.all.flatMap((group) =>
    group.tabs.flatMap((tab) => (tab.input instanceof vscode.TabInputCustom || tab.input instanceof vscode.TabInputText ? [tab.input.uri] : [])),
  );
}

function activeTabLabel(): string | undefined {
  return vscode.window.tabGroups.activeTabGroup.activeTab?.label;
}

describe('results', function () {
  this.timeout(60_000);
  let api: Api;
  const config = () => vscode.workspace.getConfiguration('mcpSessions');

  before(async () => {
    api = await extensionApi();
    await config().update('servers', { rich: { command: 'node', args: [stdioFixture, '--rich'] } }, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
    await vscode.commands.executeCommand('mcpSessions.startServer', 'rich');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('mcpSessions.stopServer', 'rich');
    await config().update('servers', undefined, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  /** Calls a tool as the UI does (a Tool Explorer node: isError results open too) and returns what its new panel was given and rendered. */
  async function call(tool: string, args: Record<string, unknown> = {}): Promise<{ data: ResultViewData; title: string; rendered: NonNullable<ReturnType<Api['testing']['results']['shown']>[number]['rendered']> }> {
    const before = api.testing.results.shown().length;
    await vscode.commands.executeCommand('mcpSessions.callTool', { kind: 'server', server: 'rich' }, tool, args);
    const shown = api.testing.results.shown();
    assert.equal(shown.length, before + 1, `calling ${tool} opened one new results panel`);
    const rendered = await api.testing.results.rendered(renderBoundMs);
    const newest = shown[shown.length - 1];
    return { data: newest.data, title: newest.title, rendered };
  }

  function only<K extends ResultItem['kind']>(data: ResultViewData, kind: K): Extract<ResultItem, { kind: K }> {
    const items = data.items.filter((item) => item.kind === kind);
    assert.equal(items.length, 1, `one ${kind} item in ${JSON.stringify(data.items.map((i) => i.kind))}`);
    return items[0] as Extract<ResultItem, { kind: K }>;
  }

  it('a text result opens a new panel per call, titled "<tool> result", with server, era, time, duration and size', async () => {
    const first = await call('echo', { text: 'first call' });
    const second = await call('echo', { text: 'second call' });
    assert.equal(second.title, 'echo result');
    assert.equal(activeTabLabel(), 'echo result', 'the newest panel is the active tab');
    assert.deepEqual(only(first.data, 'text'), { kind: 'text', text: 'first call', format: 'plain' });
    assert.equal(only(second.data, 'text').text, 'second call');
    assert.equal(second.data.server, 'rich');
    assert.equal(second.data.protocol?.era, 'legacy', 'the v1 fixture speaks the 2025 era');
    assert.ok(second.data.durationMs !== undefined && second.data.durationMs >= 0);
    assert.equal(second.data.bytes, Buffer.byteLength(JSON.stringify({ content: [{ type: 'text', text: 'second call' }] })));
    assert.ok(Math.abs(Date.parse(second.data.time) - Date.now()) < 60_000);
    assert.deepEqual(second.rendered.kinds, ['text']);
    assert.equal(second.rendered.error, false);
  });

  it("a hidden panel's page is discarded, and gets its result again when shown", async () => {
    await call('echo', { text: 'shown again' });
    await call('echo', { text: 'on top' });
    const [first] = api.testing.results.shown().slice(-2);
    assert.deepEqual(first.received.filter((type) => type === 'ready').length, 1);
    await vscode.commands.executeCommand('workbench.action.previousEditor');
    await eventually(() => first.received.filter((type) => type === 'ready').length === 2 || undefined, renderBoundMs, 'the page to load again');
    await eventually(() => first.received.filter((type) => type === 'rendered').length === 2 || undefined, renderBoundMs, 'the page to render again');
  });

  it('Markdown text is rendered (links only http, https, mailto), and a link opens only after a confirmation', async () => {
    const { data, rendered } = await call('markdown');
    assert.equal(only(data, 'text').format, 'markdown');
    assert.equal(rendered.markdownBlocks, 1);

    const since = api.testing.shownMessages().length;
    await api.testing.results.receive({ type: 'openLink', url: 'javascript:alert(1)' });
    void api.testing.results.receive({ type: 'openLink', url: 'https://example.com/report' });
    const asked = await eventually(() => api.testing.shownMessages().slice(since).find((m) => m.includes('example.com/report')), 10_000, 'the confirmation');
    assert.match(asked, /"markdown" from "rich" links to https:\/\/example\.com\/report\. Open it\?/);
    assert.ok(!api.testing.shownMessages().slice(since).some((m) => m.includes('javascript')), 'a javascript: link is neither opened nor offered');
  });

  it('structuredContent is shown as a tree, checked against the outputSchema', async () => {
    const valid = await call('add', { a: 2, b: 3 });
    assert.deepEqual(valid.data.structured, { value: { sum: 5 }, check: { status: 'valid' } });
    assert.equal(valid.rendered.schemaStatus, 'valid');
    assert.ok(valid.rendered.jsonTrees >= 1);

    const unschemed = await call('unschemed');
    assert.deepEqual(unschemed.data.structured?.check, { status: 'no-schema' });
    assert.equal(unschemed.rendered.schemaStatus, 'no-schema');
  });

  it('an isError result opens styled as an error; a mismatch with the outputSchema is shown with the validation errors', async () => {
    const failed = await call('fail');
    assert.equal(failed.data.isError, true);
    assert.equal(failed.rendered.error, true);
    assert.equal(only(failed.data, 'text').text, 'fixture failure');

    const mismatch = await call('mismatch_error');
    assert.equal(mismatch.data.isError, true);
    const check = mismatch.data.structured?.check;
    assert.equal(check?.status, 'invalid', JSON.stringify(check));
    assert.match((check as { errors: string }).errors, /count|integer/);
    assert.equal(mismatch.rendered.schemaStatus, 'invalid');
  });

  it('an image is shown inline; "Open in Editor" writes it to the temporary folder and opens it', async () => {
    const { data, rendered } = await call('image');
    const image = only(data, 'image');
    assert.equal(image.mimeType, 'image/png');
    assert.ok(image.bytes > 100 && Buffer.from(image.data, 'base64').subarray(1, 4).toString() === 'PNG');
    assert.equal(rendered.images, 1);
    assert.deepEqual(rendered.kinds, ['image', 'text']);

    await api.testing.results.receive({ type: 'openMedia', index: 0 });
    const file = await eventually(() => openedFiles().find((uri) => uri.scheme === 'file' && /image-\d+\.png$/.test(uri.fsPath)), 10_000, 'the image file to open');
    assert.match(relative(tmpdir(), file.fsPath), /^mcp-sessions-[^/]+\/rich\/image-\d+\.png$/);
  });

  it('audio gets a player', async () => {
    const { data, rendered } = await call('audio');
    assert.equal(only(data, 'audio').mimeType, 'audio/wav');
    assert.equal(rendered.audios, 1);
  });

  it('embedded resources: text shown (Markdown by its mimeType), a blob as its size', async () => {
    const { data, rendered } = await call('embedded_resources');
    const text = only(data, 'resource-text');
    assert.equal(text.uri, 'fixture://notes/readme.md');
    assert.equal(text.format, 'markdown');
    assert.deepEqual(only(data, 'resource-blob'), { kind: 'resource-blob', uri: 'fixture://blobs/data.bin', mimeType: 'application/octet-stream', bytes: 8, index: 1 });
    assert.deepEqual(rendered.kinds, ['resource', 'resource-blob']);
  });

  it('a resource link opens the resource through mcpSessions.readResource', async () => {
    const { data, rendered } = await call('resource_link');
    const link = only(data, 'resource-link');
    assert.equal(link.uri, 'fixture://resource/0');
    assert.ok(rendered.kinds.includes('resource-link'));
    await api.testing.results.receive({ type: 'openResource', uri: 'fixture://elsewhere/9' });
    await api.testing.results.receive({ type: 'openResource', uri: link.uri });
    const opened = await eventually(() => vscode.workspace.textDocuments.find((d) => d.getText() === 'fixture resource 0'), 15_000, 'the linked resource to open');
    assert.ok(opened);
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString().includes('elsewhere')), 'a URI the result does not link to is not read');
  });

  it('a huge text is cut for rendering, and the page still renders; copying gives all of it', async () => {
    const { data, rendered } = await call('big', { bytes: 3_000_000 });
    assert.equal(only(data, 'text').text.length, 3_000_000);
    assert.equal(rendered.truncatedTexts, 1);

    await api.testing.results.receive({ type: 'copy', what: 'text' });
    const copied = await vscode.env.clipboard.readText();
    assert.equal(copied.length, 3_000_000);
    assert.ok(copied.endsWith('END'));
  });

  it('"Copy JSON" copies the whole result; "Open as Text" opens the mcp-result document', async () => {
    await call('add', { a: 1, b: 1 });
    await api.testing.results.receive({ type: 'copy', what: 'json' });
    assert.deepEqual(JSON.parse(await vscode.env.clipboard.readText()), { content: [{ type: 'text', text: '2' }], structuredContent: { sum: 2 } });

    await api.testing.results.receive({ type: 'openAsText' });
    const editor = await eventually(() => vscode.window.activeTextEditor?.document.uri.scheme === 'mcp-result' && vscode.window.activeTextEditor, 10_000, 'the text document');
    assert.match(editor.document.getText(), /"sum": 2/);
  });

  it('an image from a server named ".." is written inside the window\'s temporary folder', async () => {
    const results = new ResultDocuments(new SecretRedactor());
    const tool = `escape-probe-${process.pid}-${Date.now()}`;
    try {
      await results.openBinary('..', tool, { type: 'image', data: onePixelPng, mimeType: 'image/png' });
      const image = openedFiles().find((uri) => uri.scheme === 'file' && uri.fsPath.includes(tool));
      assert.ok(image, `the image was opened: ${openedFiles().map((u) => u.toString()).join(', ')}`);
      const rest = relative(tmpdir(), image.fsPath);
      assert.match(rest, /^mcp-sessions-[^/]+\/__\/escape-probe-/, `written at ${image.fsPath}`);
      assert.deepEqual(readdirSync(tmpdir()).filter((name) => name.startsWith(tool)), [], 'nothing was written next to the temporary folder');
    } finally {
      results.dispose();
    }
  });
});

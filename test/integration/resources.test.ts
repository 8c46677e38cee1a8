// Resources and prompts in the real extension host (issue 9), against the fixture servers with
// `--workbench` (test/fixtures/workbench.mjs): a 2025 server (v1 SDK) and a 2026-07-28-only one
// (v2 SDK). Resources open as read-only `mcp-sessions-resource:` documents (text in a text editor,
// binary as bytes in the image preview), refresh while open when the server says they changed
// (2025 resources/subscribe, 2026 subscriptions/listen), and templates and prompts ask for their
// arguments with the server's completions.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { allNodes, extensionApi, server, type Api } from './api';
import { delay, eventually, stdioFixture } from '../support/processes';
import { fixturesDir } from '../support/paths';

const config = () => vscode.workspace.getConfiguration('mcpSessions');
const legacy = 'workbench';
const modern = 'workbench-2026';

function openTabs(): vscode.Uri[] {
  return vscode.window.tabGroups.all.flatMap((group) =>
    group.tabs.flatMap((tab) => (tab.input instanceof vscode.TabInputText || tab.input instanceof vscode.TabInputCustom ? [tab.input.uri] : [])),
  );
}

function resourceTab(fileName: string): vscode.Uri | undefined {
  return openTabs().find((uri) => uri.scheme === 'mcp-sessions-resource' && uri.path.endsWith(`/${fileName}`));
}

function documentOf(uri: vscode.Uri): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
}

/**
 * Runs a command that asks with quick picks, accepting the active (first) item of each, until
 * the command settles: the first items are the server's completions for an empty value.
 */
async function acceptingFirstItems<T>(run: () => Thenable<T>): Promise<T> {
  let settled = false;
  const result = Promise.resolve(run()).finally(() => (settled = true));
  const end = Date.now() + 30_000;
  while (!settled && Date.now() < end) {
    await delay(400);
    if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  }
  return result;
}

describe('resources and prompts', function () {
  this.timeout(120_000);
  let api: Api;

  before(async () => {
    api = await extensionApi();
    await config().update(
      'servers',
      {
        [legacy]: { command: 'node', args: [stdioFixture, '--workbench'] },
        [modern]: { command: 'node', args: [join(fixturesDir, 'v2-stdio-server.mjs'), '--modern-only', '--workbench'] },
      },
      vscode.ConfigurationTarget.Global,
    );
    await api.testing.reloadConfiguration();
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    for (const name of [legacy, modern]) {
      const state = server(api, name)?.state;
      if (state === 'running' || state === 'starting') await vscode.commands.executeCommand('mcpSessions.stopServer', name);
    }
    await config().update('servers', undefined, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
  });

  it('reads a text resource for a { server, uri } target, without asking, into a read-only document', async () => {
    const result = (await vscode.commands.executeCommand('mcpSessions.readResource', { server: legacy, uri: 'fixture://counter' })) as { contents: { text: string }[] };
    assert.equal(result.contents[0].text, 'count 0');
    const uri = await eventually(() => resourceTab('counter.txt'), 10_000, 'the counter tab');
    const document = await eventually(() => documentOf(uri), 5000, 'the counter document');
    assert.equal(document.getText(), 'count 0');
    assert.equal(document.languageId, 'plaintext');
    await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(uri, Buffer.from('changed'))), /NoPermissions|permission/i);
    assert.equal((await vscode.workspace.fs.stat(uri)).permissions, vscode.FilePermission.Readonly);
  });

  it('opens a binary resource as its bytes in the image preview', async () => {
    await vscode.commands.executeCommand('mcpSessions.readResource', { server: modern, uri: 'fixture://pixel.png' });
    const uri = await eventually(() => resourceTab('pixel.png'), 10_000, 'the image tab');
    const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.toString() === uri.toString());
    assert.ok(tab, 'a custom editor (the image preview) shows it');
    assert.equal((tab.input as vscode.TabInputCustom).viewType, 'imagePreview.previewEditor');
    const bytes = await vscode.workspace.fs.readFile(uri);
    assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  });

  for (const name of [legacy, modern]) {
    it(`an open resource document refreshes when the server changes it (${name === legacy ? '2025 resources/subscribe' : '2026 subscriptions/listen'}), until it is closed`, async () => {
      await vscode.commands.executeCommand('mcpSessions.readResource', name, 'fixture://counter');
      const uri = await eventually(() => resourceTab('counter.txt'), 10_000, 'the counter tab');
      const document = await eventually(() => documentOf(uri), 5000, 'the counter document');
      const before = document.getText();
      // The subscription is made when the tab appears: bump until the document shows a new count.
      const after = await eventually(
        async () => {
          const text = documentOf(uri)?.getText();
          if (text !== undefined && text !== before) return text;
          await api.callTool(name, 'bump');
          await delay(1000);
          return undefined;
        },
        30_000,
        'the document to show the new count',
      );
      assert.match(after, /^count [1-9]\d*$/);
      if (name === legacy) {
        // The server's log channel (opened here) has its stderr: the fixture logs what it is asked.
        await vscode.commands.executeCommand('mcpSessions.showLogs', name);
        const unsubscribes = () => api.testing.logText(name).split('\n').filter((line) => line.includes('fixture: unsubscribe fixture://counter')).length;
        assert.match(api.testing.logText(name), /fixture: subscribe fixture:\/\/counter/);
        const before = unsubscribes();
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        await eventually(() => unsubscribes() > before || undefined, 10_000, 'resources/unsubscribe after the last tab closed');
      }
    });
  }

  it('a resource template in the Tool Explorer asks for its argument with the server’s completions', async () => {
    await vscode.commands.executeCommand('mcpSessions.startServer', legacy);
    const template = await eventually(
      async () => allNodes(await api.testing.renderTree()).find((n) => n.contextValue === 'resourceTemplate' && n.label === 'greeting' && n.click),
      20_000,
      'the greeting template in the tree',
    );
    assert.equal(template.description, 'fixture://greeting/{name}');
    assert.deepEqual(await api.testing.argumentCompletions(legacy, { type: 'ref/resource', uri: 'fixture://greeting/{name}' }, 'name', 'al'), ['alice', 'albert']);
    const result = (await acceptingFirstItems(() => template.click!())) as { contents: { uri: string; text: string }[] };
    assert.deepEqual(result.contents[0], { uri: 'fixture://greeting/alice', mimeType: 'text/plain', text: 'Hello, alice!' });
    const uri = await eventually(() => resourceTab('alice.txt'), 10_000, 'the greeting tab');
    assert.equal((await eventually(() => documentOf(uri), 5000, 'the greeting document')).getText(), 'Hello, alice!');
  });

  for (const name of [legacy, modern]) {
    it(`Get Prompt… asks each argument with completions and opens the messages as Markdown (${name})`, async () => {
      assert.deepEqual(await api.testing.argumentCompletions(name, { type: 'ref/prompt', name: 'greet' }, 'name', 'b'), ['bob']);
      assert.deepEqual(await api.testing.argumentCompletions(name, { type: 'ref/prompt', name: 'greet' }, 'style', 'p', { name: 'bob' }), ['pirate']);
      const result = (await acceptingFirstItems(() => vscode.commands.executeCommand('mcpSessions.getPrompt', name, 'greet'))) as { messages: { content: { text?: string } }[] };
      assert.equal(result.messages[0].content.text, 'Greet alice in a formal style.');
      const document = await eventually(() => vscode.window.activeTextEditor?.document, 5000, 'the prompt document');
      assert.equal(document.languageId, 'markdown');
      const text = document.getText();
      assert.match(text, /^## 1\. user\n\n```text\nGreet alice in a formal style\.\n```$/m);
      assert.match(text, /^\*Image \(image\/png, \d+ bytes\)\*$/m);
      assert.match(text, /^\*Resource:\* fixture\\:\/\/counter \(text\/plain\)$/m);
    });
  }
});

// What servers ask of the client, answered by the extension in the real extension host (issue 9):
// roots (the workspace folders), elicitation (the form panel: accept, decline, cancel, closing it;
// URL mode: asked first, https only) and sampling (off by default; no model here), against a 2025
// fixture (v1 SDK: server→client requests) and a 2026-07-28 fixture (v2 SDK: input_required).
//
// This host refuses modal dialogs in test runs, so testing.clientRequests answers the modals (it
// gets the text VS Code would show) and plays the browser; the form panels are real webview
// panels, answered through the handler their page's messages reach.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ClientPrompt } from '../../src/vscode/clientRequests/handlers';
import { extensionApi, server, type Api } from './api';
import { eventually, stdioFixture, textOf } from '../support/processes';
import { fixturesDir } from '../support/paths';

const config = () => vscode.workspace.getConfiguration('mcpSessions');

/** The error a call through the API rejects with (the extension's own McpSessionError class, so matched by shape), of `code` when given. */
async function rejection(promise: Promise<unknown>, code?: string): Promise<Error & { code: string }> {
  try {
    await promise;
  } catch (e) {
    const error = e as Error & { code: string };
    if (code) assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail('expected the call to fail');
}

/** The two fixtures, by era, and how each wraps an answer in its `confirm` result. */
const eras = [
  { name: 'caps-legacy', era: 'legacy', confirmed: (answer: string) => `confirmed: ${answer}` },
  { name: 'caps-modern', era: 'modern', confirmed: (answer: string) => `confirmed: ${answer}; requestState echoed exactly` },
] as const;

describe('client capabilities: roots, elicitation, sampling', function () {
  this.timeout(120_000);
  let api: Api;
  let prompts: ClientPrompt[];
  let opened: string[];

  before(async () => {
    api = await extensionApi();
    await config().update(
      'servers',
      {
        'caps-legacy': { command: 'node', args: [stdioFixture, '--confirm', '--client-requests'] },
        'caps-modern': { command: 'node', args: [join(fixturesDir, 'v2-stdio-server.mjs'), '--modern-only', '--confirm', '--client-requests'] },
      },
      vscode.ConfigurationTarget.Global,
    );
    await api.testing.reloadConfiguration();
  });

  beforeEach(() => {
    prompts = [];
    opened = [];
    api.testing.clientRequests.openPages((url) => {
      opened.push(url);
      return true;
    });
  });

  afterEach(() => {
    api.testing.clientRequests.answerPrompts(undefined);
    api.testing.clientRequests.openPages(undefined);
  });

  after(async () => {
    for (const { name } of eras) {
      const state = server(api, name)?.state;
      if (state === 'running' || state === 'starting') await vscode.commands.executeCommand('mcpSessions.stopServer', name);
    }
    await config().update('sampling.enabled', undefined, vscode.ConfigurationTarget.Global);
    await config().update('servers', undefined, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
  });

  /** Answers every modal with `choice`, recording what it showed. */
  function answerPrompts(choice: string | undefined): void {
    api.testing.clientRequests.answerPrompts((prompt) => {
      prompts.push(prompt);
      return choice;
    });
  }

  /** The one form open, once it is. */
  async function openForm(): Promise<{ server: string; message: string; schema: unknown; visible: boolean }> {
    return eventually(() => (api.testing.clientRequests.elicitations().length === 1 ? api.testing.clientRequests.elicitations()[0] : undefined), 20_000, 'the input form');
  }

  it('roots are the workspace folders, as file URIs named as the folders, in both eras', async () => {
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => ({ uri: f.uri.toString(), name: f.name }));
    assert.ok(folders.length > 0 && folders.every((f) => f.uri.startsWith('file:///')), JSON.stringify(folders));
    const legacy = await api.callTool('caps-legacy', 'roots');
    assert.equal(textOf(legacy), `roots: ${JSON.stringify({ roots: folders, listChanged: 0 })}`);
    const modern = await api.callTool('caps-modern', 'roots');
    assert.equal(textOf(modern), `roots: ${JSON.stringify({ roots: folders })}`);
    assert.match(api.testing.logText(), /Gave "caps-legacy" the workspace folders as roots \(1\)/);
  });

  for (const { name, era, confirmed } of eras) {
    describe(`elicitation form (${era})`, () => {
      it('shows a panel naming the server; an invalid accept is refused at the field, a valid one answers', async () => {
        const call = api.callTool(name, 'confirm', { message: 'Deploy now?' });
        const form = await openForm();
        assert.equal(form.server, name);
        assert.equal(form.message, 'Deploy now?');
        assert.deepEqual(form.schema, { type: 'object', properties: { ok: { type: 'boolean' } } });
        const errors = api.testing.clientRequests.answerElicitation(0, { type: 'accept', content: { ok: 'yes' } });
        assert.ok(errors.length > 0, 'a string for a boolean is refused');
        assert.equal(api.testing.clientRequests.elicitations().length, 1, 'the form stays open');
        assert.deepEqual(api.testing.clientRequests.answerElicitation(0, { type: 'accept', content: { ok: true } }), []);
        assert.equal(textOf(await call), confirmed('{"action":"accept","content":{"ok":true}}'));
        assert.equal(api.testing.clientRequests.elicitations().length, 0, 'the panel closed');
      });

      it('Decline answers decline', async () => {
        const call = api.callTool(name, 'confirm', { message: 'Decline me' });
        await openForm();
        api.testing.clientRequests.answerElicitation(0, { type: 'decline' });
        assert.equal(textOf(await call), confirmed('{"action":"decline"}'));
      });

      it('Cancel (Escape on the page) and closing the panel answer cancel', async () => {
        const cancelled = api.callTool(name, 'confirm', { message: 'Cancel me' });
        await openForm();
        api.testing.clientRequests.answerElicitation(0, { type: 'cancel' });
        assert.equal(textOf(await cancelled), confirmed('{"action":"cancel"}'));

        const closed = api.callTool(name, 'confirm', { message: 'Close me' });
        await openForm();
        api.testing.clientRequests.closeElicitation(0);
        assert.equal(textOf(await closed), confirmed('{"action":"cancel"}'));
      });
    });
  }

  describe('elicitation, URL mode', () => {
    for (const { name, era } of eras) {
      it(`asks first, naming the server and the host, then opens the https page (${era})`, async () => {
        answerPrompts('Open Page');
        const result = await api.callTool(name, 'open_url', { url: 'https://auth.example.com/start?step=1' });
        assert.equal(textOf(result), 'opened: {"action":"accept"}');
        assert.deepEqual(opened, ['https://auth.example.com/start?step=1']);
        assert.equal(prompts.length, 1);
        assert.equal(prompts[0].server, name);
        assert.equal(prompts[0].text, `MCP server "${name}" asks you to open a page on auth.example.com.`);
        assert.match(prompts[0].detail, /Address: https:\/\/auth\.example\.com\/start\?step=1/);
      });
    }

    it('dismissed: declined, nothing opens', async () => {
      answerPrompts(undefined);
      assert.equal(textOf(await api.callTool('caps-legacy', 'open_url', { url: 'https://auth.example.com/' })), 'opened: {"action":"decline"}');
      assert.equal(prompts.length, 1);
      assert.deepEqual(opened, []);
    });

    it('anything but https is refused with a clear message, without asking', async () => {
      answerPrompts('Open Page');
      const legacy = await rejection(api.callTool('caps-legacy', 'open_url', { url: 'http://auth.example.com/' }), 'tool-error');
      assert.match(legacy.message, /"caps-legacy" asked to open a http address; only https pages are opened, so nothing was opened\./);
      const modern = await rejection(api.callTool('caps-modern', 'open_url', { url: 'file:///etc/passwd' }));
      assert.match(modern.message, /"caps-modern" asked to open a file address; only https pages are opened, so nothing was opened\./);
      assert.deepEqual(prompts, []);
      assert.deepEqual(opened, []);
      assert.ok(api.testing.shownMessages().some((m) => m.includes('only https pages are opened')), 'the user is told too');
    });
  });

  describe('sampling', () => {
    it('is off by default: declined without asking, naming the setting, in both eras', async () => {
      answerPrompts('Send');
      const legacy = await rejection(api.callTool('caps-legacy', 'sample', { prompt: 'Hi' }), 'tool-error');
      assert.match(legacy.message, /"caps-legacy" asked for a model completion \(sampling\), which is off\. Turn on the mcpSessions\.sampling\.enabled user setting/);
      const modern = await rejection(api.callTool('caps-modern', 'sample', { prompt: 'Hi' }));
      assert.match(modern.message, /"caps-modern" asked for a model completion \(sampling\), which is off/);
      assert.deepEqual(prompts, []);
    });

    it('enabled: declined when this editor has no language model; with one, shown for approval before anything is sent', async () => {
      await config().update('sampling.enabled', true, vscode.ConfigurationTarget.Global);
      answerPrompts(undefined);
      const models = (await vscode.lm?.selectChatModels?.()) ?? [];
      const error = await rejection(api.callTool('caps-legacy', 'sample', { prompt: 'What is 2 + 2?', maxTokens: 7, systemPrompt: 'Be brief.' }), 'tool-error');
      if (models.length === 0) {
        assert.match(error.message, /"caps-legacy" asked for a model completion \(sampling\), but no language model is available in this editor\./);
        assert.deepEqual(prompts, [], 'nothing to approve without a model');
      } else {
        assert.match(error.message, /the user declined it/);
        assert.equal(prompts.length, 1);
        assert.match(prompts[0].detail, /Max tokens: 7\nSystem prompt: Be brief\.\n\nMessages \(1\):\nuser: What is 2 \+ 2\?/);
      }
    });
  });
});

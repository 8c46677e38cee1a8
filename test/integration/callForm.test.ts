// The call form in the real extension host: "mcpSessions.openToolForm" opens one webview panel per
// server and tool (reused when opened again), and the form's host side checks the arguments again
// — never trusting the page — refusing invalid ones at their fields before anything reaches the
// server, and calling the tool with valid ones, whose result opens like any result. The fixture's
// `configure` tool (--configure) records each call it receives (MCP_FIXTURE_EVENTS), so "nothing
// was sent" is read from the server's side.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CallForm } from '../../src/vscode/webviews/callFormPanel';
import { fixturesDir } from '../support/paths';
import { eventually } from '../support/processes';
import { extensionApi, server, type Api } from './api';

const formServer = 'form';

function callFormTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs.filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.includes('mcpSessions.callForm')));
}

describe('call form', function () {
  this.timeout(60_000);
  let api: Api;
  const tempDir = mkdtempSync(join(tmpdir(), 'mcp-sessions-call-form-'));
  const events = join(tempDir, 'events.jsonl');
  const configureCalls = (): unknown[] =>
    existsSync(events)
      ? readFileSync(events, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { event: string; arguments?: unknown })
          .filter((e) => e.event === 'configure')
          .map((e) => e.arguments)
      : [];

  before(async () => {
    api = await extensionApi();
    const config = vscode.workspace.getConfiguration('mcpSessions');
    await config.update('servers', { [formServer]: { command: 'node', args: [join(fixturesDir, 'stdio-server.mjs'), '--configure'], env: { MCP_FIXTURE_EVENTS: events } } }, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
    assert.ok(server(api, formServer), 'the server from the settings is listed');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('mcpSessions.stopServer', formServer);
    await vscode.workspace.getConfiguration('mcpSessions').update('servers', undefined, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
    rmSync(tempDir, { recursive: true, force: true });
  });

  it('opens one panel per tool, filled with the arguments given, and reveals it when opened again', async () => {
    const form = await vscode.commands.executeCommand<CallForm>('mcpSessions.openToolForm', { server: formServer, tool: 'configure', arguments: { name: 'first' } });
    assert.ok(form, 'the command resolves with the form');
    assert.equal(form.toolName, 'configure');
    await eventually(() => callFormTabs().length === 1 || undefined, 10_000, 'the call form tab');
    assert.ok(form.visible, 'the panel is visible');
    const again = await vscode.commands.executeCommand<CallForm>('mcpSessions.openToolForm', { server: formServer, tool: 'configure', arguments: { name: 'second' } });
    assert.equal(again, form, 'the open form is reused');
    assert.equal(callFormTabs().length, 1);
  });

  it('refuses invalid arguments at their fields and sends nothing to the server', async () => {
    const form = await vscode.commands.executeCommand<CallForm>('mcpSessions.openToolForm', { server: formServer, tool: 'configure' });
    const outcome = await form.submit({ name: 'a', mode: 'slow', retries: 9, tags: ['ok', 3], options: { depth: 0 }, target: { path: '/tmp/x', url: 'https://example.com' } });
    assert.equal(outcome.status, 'invalid');
    // `target` fits neither option of its oneOf: said at the choice, and at the keys each option refuses.
    const pointers = outcome.status === 'invalid' ? [...new Set(outcome.errors.map((e) => e.pointer.replace(/^\/target\/.*/, '/target')))].sort() : [];
    assert.deepEqual(pointers, ['/mode', '/name', '/options/depth', '/retries', '/tags/1', '/target']);
    const missing = await form.submit({ mode: 'fast' });
    assert.deepEqual(missing.status === 'invalid' && missing.errors.map((e) => [e.pointer, e.message]), [
      ['/name', 'A value is required.'],
      ['/options', 'A value is required.'],
    ]);
    assert.equal((await form.submit(['not', 'an', 'object'])).status, 'invalid');
    // A valid call afterwards shows the server was reachable all along: it recorded only that one.
    const valid = await form.submit({ name: 'probe', mode: 'fast', options: { depth: 1 } });
    assert.equal(valid.status, 'done');
    assert.deepEqual(configureCalls(), [{ name: 'probe', mode: 'fast', options: { depth: 1 } }], 'the server received the valid call only');
  });

  it('calls the tool with valid nested arguments and opens the result', async () => {
    const form = await vscode.commands.executeCommand<CallForm>('mcpSessions.openToolForm', { server: formServer, tool: 'configure' });
    const args = { name: 'nested', mode: 'thorough', retries: 5, tags: ['a', 'b'], options: { depth: 10, label: 'deep' }, target: { url: 'https://example.com/out' }, notify: true };
    const outcome = await form.submit(args);
    assert.equal(outcome.status, 'done');
    assert.deepEqual(outcome.status === 'done' && outcome.result.structuredContent, args);
    assert.deepEqual(configureCalls().at(-1), args);
    await eventually(
      () => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.scheme === 'mcp-result' && t.label.includes('configure result'))) || undefined,
      10_000,
      'the result document',
    );
  });

  it('opening the form of a tool the server does not have rejects, naming the server', async () => {
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('mcpSessions.openToolForm', { server: formServer, tool: 'no_such_tool' })), /"form" has no tool named "no_such_tool"/);
  });
});

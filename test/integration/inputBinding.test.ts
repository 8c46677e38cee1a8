// A stored ${input:…} value answers only the definition that asked for it: another repository
// at the same path, a changed input or a changed server asks again.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { extensionApi, server, type Api } from './api';
import { fixturesDir } from '../support/paths';
import { eventually } from '../support/processes';

const name = 'bound-input';

function configText(options: { description?: string; extraArg?: string } = {}): string {
  return JSON.stringify({
    inputs: [{ type: 'promptString', id: 'bound-token', description: options.description ?? 'Token', password: true }],
    servers: {
      [name]: { command: 'node', args: [join(fixturesDir, 'stdio-server.mjs'), '--token=${input:bound-token}', ...(options.extraArg ? [options.extraArg] : [])] },
    },
  });
}

describe('stored inputs are bound to their definition', function () {
  this.timeout(60_000);
  let api: Api;
  const asked: string[] = [];
  const parent = mkdtempSync(join(tmpdir(), 'mcp-sessions-input-binding-'));
  const repo = join(parent, 'repo');
  const file = join(repo, 'mcp.json');

  const state = () => server(api, name)?.state;
  async function reloadedState(): Promise<string | undefined> {
    await api.testing.reloadConfiguration();
    return state();
  }
  async function answerOnce(): Promise<void> {
    const before = asked.length;
    await vscode.commands.executeCommand('mcpSessions.startServer', name);
    assert.equal(asked.length, before + 1, 'the value was asked for');
    await eventually(() => state() === 'running' || undefined, 15_000, `${name} running`);
    await vscode.commands.executeCommand('mcpSessions.stopServer', name);
    assert.equal(await reloadedState(), 'stopped', 'the stored value is used while nothing changed');
  }

  before(async () => {
    api = await extensionApi();
    await vscode.commands.executeCommand('mcpSessions.clearStoredInputs');
    api.testing.answerInputs((input) => {
      asked.push(input.id);
      return 'bound-secret-value';
    });
    mkdirSync(repo);
    writeFileSync(file, configText());
    await vscode.workspace.getConfiguration('mcpSessions').update('configFiles', [file], vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
  });

  after(async () => {
    api.testing.answerInputs(undefined);
    await vscode.commands.executeCommand('mcpSessions.stopServer', name);
    await vscode.workspace.getConfiguration('mcpSessions').update('configFiles', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('mcpSessions.clearStoredInputs');
    await api.testing.reloadConfiguration();
    rmSync(parent, { recursive: true, force: true });
  });

  it('another repository at the same path asks again', async () => {
    assert.equal(state(), 'needs-input');
    await answerOnce();

    // Same path, same file content, but a new folder: what a fresh clone of another repository looks like.
    rmSync(repo, { recursive: true, force: true });
    mkdirSync(repo);
    writeFileSync(file, configText());
    assert.equal(await reloadedState(), 'needs-input');
    await answerOnce();
  });

  it('a changed input definition asks again', async () => {
    assert.equal(await reloadedState(), 'stopped');
    writeFileSync(file, configText({ description: 'Token for something else' }));
    assert.equal(await reloadedState(), 'needs-input');
    await answerOnce();
  });

  it('a changed server definition asks again', async () => {
    writeFileSync(file, configText({ description: 'Token for something else', extraArg: '--tools=2' }));
    assert.equal(await reloadedState(), 'needs-input');
    await answerOnce();
  });
});

// Dev mode in the real extension host: `dev.watch` restarts a running server when a watched
// file in the workspace changes (a new process), and not for other files; `dev.debug` starts a
// Node server under the inspector on a loopback port and starts a debug session attaching to
// the port it printed (code-server's built-in JavaScript debugger). Breakpoints are not tested.
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { extensionApi, server, type Api } from './api';
import { eventually, stdioFixture } from '../support/processes';

const config = () => vscode.workspace.getConfiguration('mcpSessions');

async function runningPid(api: Api, name: string): Promise<number> {
  return eventually(() => (server(api, name)?.state === 'running' && server(api, name)?.pid) || undefined, 20_000, `${name} running`);
}

describe('dev mode', function () {
  this.timeout(120_000);
  let api: Api;
  const watchedDir = join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'dev-watch');

  before(async () => {
    api = await extensionApi();
    mkdirSync(watchedDir, { recursive: true });
    await config().update(
      'servers',
      {
        'dev-watch': { command: 'node', args: [stdioFixture], dev: { watch: 'dev-watch/**/*.txt' } },
        'dev-debug': { command: 'node', args: [stdioFixture], dev: { debug: { type: 'node' } } },
      },
      vscode.ConfigurationTarget.Global,
    );
    await api.testing.reloadConfiguration();
  });

  after(async () => {
    await vscode.debug.stopDebugging();
    for (const name of ['dev-watch', 'dev-debug']) {
      const state = server(api, name)?.state;
      if (state === 'running' || state === 'starting') await vscode.commands.executeCommand('mcpSessions.stopServer', name);
    }
    await config().update('servers', undefined, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
    rmSync(watchedDir, { recursive: true, force: true });
  });

  it('dev.watch restarts the running server when a watched file changes, not for other files', async () => {
    await vscode.commands.executeCommand('mcpSessions.startServer', 'dev-watch');
    const first = await runningPid(api, 'dev-watch');
    await eventually(() => api.testing.logText().includes('[dev-watch] dev.watch: restarts when dev-watch/**/*.txt') || undefined, 10_000, 'the watcher');

    writeFileSync(join(watchedDir, 'notes.md'), 'not watched\n');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(server(api, 'dev-watch')?.pid, first, 'a file outside the glob restarts nothing');

    writeFileSync(join(watchedDir, 'trigger.txt'), `${Date.now()}\n`);
    const second = await eventually(() => {
      const info = server(api, 'dev-watch');
      return (info?.state === 'running' && info.pid !== first && info.pid) || undefined;
    }, 20_000, 'a new dev-watch process after the change');
    assert.notEqual(second, first);
    assert.match(api.testing.logText(), /dev\.watch: dev-watch\/trigger\.txt changed/);
  });

  it('dev.debug starts a Node server with --inspect on a loopback port and attaches a debug session to it', async () => {
    await vscode.commands.executeCommand('mcpSessions.startServer', 'dev-debug');
    const pid = await runningPid(api, 'dev-debug');
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    assert.ok(commandLine.includes('--inspect=127.0.0.1:0'), commandLine.join(' '));
    const port = await eventually(() => /\[dev-debug\] dev\.debug: attaching the debugger to 127\.0\.0\.1:(\d+)/.exec(api.testing.logText())?.[1], 15_000, 'the attach, with the port from stderr');
    const session = await eventually(() => vscode.debug.activeDebugSession, 15_000, 'a debug session');
    assert.equal(session.name, 'MCP: dev-debug');
    assert.deepEqual([session.configuration.request, session.configuration.address, session.configuration.port], ['attach', '127.0.0.1', Number(port)]);
  });
});

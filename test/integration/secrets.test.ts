// ${input:…} values: asked once, kept in SecretStorage, never in logs, errors or tooltips.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionApi, server, serverRow, type Api } from './api';
import { eventually } from '../support/processes';


const secret = 'sk-fixture-7f3a9c1e5b';

describe('secret inputs', function () {
  this.timeout(60_000);
  let api: Api;
  const asked: string[] = [];

  before(async () => {
    api = await extensionApi();
    await vscode.commands.executeCommand('mcpSessions.clearStoredInputs');
    api.testing.answerInputs((input, serverName) => {
      asked.push(`${serverName}:${input.id}:${input.password === true}`);
      return secret;
    });
  });

  after(async () => {
    api.testing.answerInputs(undefined);
    await vscode.commands.executeCommand('mcpSessions.stopServer', 'secret');
    await vscode.commands.executeCommand('mcpSessions.clearStoredInputs');
  });

  it('asks for a password input when the server is started, once', async () => {
    assert.equal(server(api, 'secret')?.state, 'needs-input');
    await vscode.commands.executeCommand('mcpSessions.startServer', 'secret');
    assert.deepEqual(asked, ['secret:fixture-token:true']);
    await eventually(() => server(api, 'secret')?.state === 'running' || undefined, 15_000, 'secret running');

    await vscode.commands.executeCommand('mcpSessions.restartServer', 'secret');
    await eventually(() => server(api, 'secret')?.state === 'running' || undefined, 15_000, 'secret running again');
    await api.testing.reloadConfiguration();
    assert.equal(asked.length, 1, 'the stored value was used; nothing was asked again');
  });

  it('keeps the value out of tooltips, copied command lines, logs and errors', async () => {
    const node = serverRow(await api.testing.renderTree(), 'secret')!;
    assert.ok(node.tooltip?.includes('--token=${input:fixture-token}'), `the tooltip names the input instead: ${node.tooltip}`);
    assert.ok(!node.tooltip?.includes(secret));

    const copied = (await vscode.commands.executeCommand('mcpSessions.copyCommandLine', 'secret')) as string;
    assert.ok(copied.includes('${input:fixture-token}') && !copied.includes(secret));

    // The server sends the value back in a log notification; its channel shows the reference.
    await vscode.commands.executeCommand('mcpSessions.showLogs', 'secret');
    await api.callTool('secret', 'log', { message: `the token is ${secret}` });
    await eventually(() => api.testing.logText('secret').includes('the token is ${input:fixture-token}') || undefined, 5000, 'the log notification');
    assert.ok(!api.testing.logText('secret').includes(secret), 'the server channel never shows the value');

    // An error that would carry the value (here: in the tool name).
    await assert.rejects(api.callTool('secret', `lookup-${secret}`), (e: Error) => {
      assert.ok(!e.message.includes(secret), e.message);
      assert.match(e.message, /"secret"/);
      return true;
    });
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('mcpSessions.callTool', 'secret', `lookup-${secret}`, {})), (e: Error) => !e.message.includes(secret));

    const extensionLog = api.testing.logText();
    assert.ok(extensionLog.includes('secret'), 'the extension log has lines about the server');
    assert.ok(!extensionLog.includes(secret), 'the extension log never shows the value');
  });

  it('Clear Stored Inputs forgets the value: the server asks again when started', async () => {
    const cleared = await vscode.commands.executeCommand('mcpSessions.clearStoredInputs');
    assert.equal(cleared, 1);
    await eventually(() => server(api, 'secret')?.state === 'needs-input' || undefined, 10_000, 'secret to need input again');
    await vscode.commands.executeCommand('mcpSessions.startServer', 'secret');
    assert.equal(asked.length, 2);
    await eventually(() => server(api, 'secret')?.state === 'running' || undefined, 15_000, 'secret running');
  });
});

// A hostile repository opened in Restricted Mode (workspace trust ON, folder not trusted),
// with user settings that refer to relative paths and ${workspaceFolder}. Nothing from the
// folder may run: not its servers, not a file it shadows through a relative user setting, not
// a preload from its .env — even with `mcpSessions.autoStart: "always"` in its settings. Then
// the runner grants trust through the UI and the workspace's servers start.
//
// Run by `npm test` (stage `trust`): run-tests.mjs --trust-enabled --isolated-home
// --user-settings test/fixtures/hostile-user-settings.json
// --env MCP_SESSIONS_TEST_FIXTURES=<test/fixtures> --workspace test/fixtures/hostile-workspace
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import * as vscode from 'vscode';
import { restrictedSettings } from '../../src/vscode/settings';
import { extensionApi, server, serverRow, type Api } from '../integration/api';
import { delay, eventually } from '../support/processes';

/** Printed for run-tests.mjs, which then clicks "Trust" in the trust editor (GRANT_TRUST_MARKER). */
const grantTrustMarker = '@@grant-workspace-trust';
const evilKey = 'evil[click me](command:workbench.action.openSettings)';

function markers(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('hostile-marker-'));
}

/**
 * Processes running the folder's code or from inside it (Linux /proc), except VS Code's own
 * (its JSON language server runs in the folder once a settings file is edited).
 */
function processesFromFolder(folder: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      const vscodeOwn = cmdline.includes(`${sep}lib${sep}vscode${sep}`) && !cmdline.includes('evil.cjs');
      if (!vscodeOwn && (cmdline.includes('evil.cjs') || cwd === folder || cwd.startsWith(folder + sep))) found.push(`${pid} (${cwd}): ${cmdline}`);
    } catch {
      // ended meanwhile, or not ours to read
    }
  }
  return found;
}

async function runningPid(api: Api, name: string): Promise<number> {
  return eventually(() => {
    const s = server(api, name);
    return s?.state === 'running' ? s.pid : undefined;
  }, 20_000, `"${name}" running`);
}

describe('a hostile folder opened untrusted', function () {
  this.timeout(90_000);
  let api: Api;
  const folder = realpathSync(vscode.workspace.workspaceFolders![0].uri.fsPath);
  const githubOfWorkspace = `github (${vscode.workspace.workspaceFolders![0].name})`;

  before(async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'this suite needs workspace trust on: run-tests.mjs --trust-enabled');
    assert.ok(homedir().includes('/runs/'), `this suite writes into the home folder, so it needs run-tests.mjs --isolated-home (home is ${homedir()})`);
    writeFileSync(join(homedir(), '.env'), 'HOME_ENV_MARK=from-home\n');
    api = await extensionApi();
  });

  after(async () => {
    for (const s of api.listServers()) {
      if (s.state === 'running' || s.state === 'starting') await vscode.commands.executeCommand('mcpSessions.stopServer', s.name);
    }
  });

  it('runs nothing from the folder, although its settings say autoStart "always"', async () => {
    // An autoStart would have begun at activation: give it time to show.
    await delay(3000);
    assert.deepEqual(markers(), [], 'no code of the folder ran');
    assert.deepEqual(processesFromFolder(folder), []);
    const active = api.listServers().filter((s) => s.state !== 'stopped' && s.state !== 'untrusted');
    assert.deepEqual(active.map((s) => `${s.name}: ${s.state}`), [], 'nothing was started');
    // Restricted (package.json): VS Code hides the workspace's value (the last test sees it once trusted).
    assert.equal(vscode.workspace.getConfiguration('mcpSessions').get('autoStart'), 'restore', 'the default, not the workspace\'s "always"');
    const manifest = vscode.extensions.getExtension('mcp-session-manager.mcp-session-manager')!.packageJSON as { capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } } };
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, [...restrictedSettings], 'package.json restricts what settings.ts reads as restricted');
  });

  it('shows the workspace\'s servers and the user servers that depend on it as untrusted, with the reason', async () => {
    const states = Object.fromEntries(api.listServers().map((s) => [s.name, s.state]));
    assert.deepEqual(states, {
      [evilKey]: 'untrusted',
      [githubOfWorkspace]: 'untrusted',
      'home-plain': 'stopped',
      'home-env': 'stopped',
      'uses-workspace-folder': 'untrusted',
      github: 'stopped',
    });
    assert.equal(server(api, evilKey)!.message, 'it is defined in hostile-workspace/.vscode/mcp.json, and the workspace is not trusted');
    assert.match(server(api, 'uses-workspace-folder')!.message ?? '', /^it uses \$\{workspaceFolder\} in "args\[0\]", and the workspace is not trusted$/);

    const tree = await api.testing.renderTree();
    const dependent = serverRow(tree, 'uses-workspace-folder')!;
    assert.match(dependent.description ?? '', /not trusted/);
    const why = dependent.children.find((c) => c.label === 'Not started: the workspace is not trusted');
    assert.ok(why, `a child says why: ${JSON.stringify(dependent.children)}`);
    assert.match(why.tooltip ?? '', /uses \$\{workspaceFolder\} in "args\[0\]"/);
    assert.equal(why.command, 'workbench.trust.manage', 'clicking it offers Manage Workspace Trust');

    // A file named by the user that lies inside the folder is the folder's.
    const config = vscode.workspace.getConfiguration('mcpSessions');
    const userFiles = config.inspect<string[]>('configFiles')!.globalValue!;
    await config.update('configFiles', [...userFiles, join(folder, '.cursor', 'mcp.json')], vscode.ConfigurationTarget.Global);
    try {
      await api.testing.reloadConfiguration();
      assert.equal(server(api, 'cursor-evil')?.state, 'untrusted');
      assert.match(server(api, 'cursor-evil')!.message ?? '', /^it is defined in .*\/\.cursor\/mcp\.json, inside the workspace folder, and the workspace is not trusted$/);
    } finally {
      await config.update('configFiles', userFiles, vscode.ConfigurationTarget.Global);
      await api.testing.reloadConfiguration();
    }

    await assert.rejects(api.callTool(githubOfWorkspace, 'echo', { text: 'x' }), (e: Error) => {
      assert.equal(e.message, 'Server "github (hostile-workspace)" was not started: it is defined in hostile-workspace/.vscode/mcp.json, and the workspace is not trusted. Trust the workspace to start it');
      return true;
    });
    assert.deepEqual(markers(), []);
  });

  it('runs the user\'s own servers from the home folder, with the home folder\'s .env', async () => {
    // The user keeps the name "github"; the repository's server with that name was renamed.
    const result = await api.callTool('github', 'echo', { text: 'mine' });
    assert.deepEqual(result.content, [{ type: 'text', text: 'mine' }]);
    assert.ok(server(api, 'github')!.tools.some((t) => t.name === 'tool_000'), 'the user\'s server answered (it has --tools=1)');

    await vscode.commands.executeCommand('mcpSessions.startServer', 'home-plain');
    await vscode.commands.executeCommand('mcpSessions.startServer', 'home-env');
    const plainPid = await runningPid(api, 'home-plain');
    const envPid = await runningPid(api, 'home-env');
    const home = realpathSync(homedir());
    assert.equal(readlinkSync(`/proc/${plainPid}/cwd`), home, 'a user server without cwd starts in the home folder');
    assert.equal(readlinkSync(`/proc/${envPid}/cwd`), home, 'a relative cwd in the user settings is relative to the home folder');
    const environment = readFileSync(`/proc/${envPid}/environ`, 'utf8').split('\0');
    assert.ok(environment.includes('HOME_ENV_MARK=from-home'), 'the relative envFile is the home folder\'s .env');
    assert.ok(!environment.some((v) => v.startsWith('NODE_OPTIONS=')), 'nothing from the folder\'s .env');
    assert.deepEqual(markers(), []);
    assert.deepEqual(processesFromFolder(folder), []);
  });

  it('a broken mcp.json keeps its last valid servers untrusted, and Start All runs nothing from the folder', async () => {
    const mcpJson = join(folder, '.vscode', 'mcp.json');
    const original = readFileSync(mcpJson, 'utf8');
    try {
      writeFileSync(mcpJson, original.replace('"servers": {', '"servers": { oops,'));
      await eventually(() => vscode.languages.getDiagnostics(vscode.Uri.file(mcpJson)).length > 0 || undefined, 10_000, 'the syntax error to be read');
      await api.testing.reloadConfiguration();
      assert.equal(server(api, evilKey)?.state, 'untrusted', 'its last valid version is still the workspace\'s');
      assert.equal(server(api, evilKey)!.message, 'it is defined in hostile-workspace/.vscode/mcp.json, and the workspace is not trusted');
      assert.equal(server(api, githubOfWorkspace)?.state, 'untrusted');

      const result = (await vscode.commands.executeCommand('mcpSessions.startAll')) as { started: string[]; skipped: { name: string; reason: string }[] };
      for (const name of [evilKey, githubOfWorkspace, 'uses-workspace-folder']) {
        assert.ok(result.skipped.some((s) => s.name === name && s.reason === 'waits for workspace trust'), `${name} was skipped: ${JSON.stringify(result.skipped)}`);
        assert.ok(!result.started.includes(name));
      }
      assert.deepEqual(markers(), []);
      assert.deepEqual(processesFromFolder(folder), []);
    } finally {
      writeFileSync(mcpJson, original);
      await eventually(() => vscode.languages.getDiagnostics(vscode.Uri.file(mcpJson)).length === 0 || undefined, 10_000, 'the restored file to be read');
      await api.testing.reloadConfiguration();
    }
  });

  it('starts the workspace\'s servers once trust is granted in the UI', async () => {
    const granted = new Promise<void>((resolve) => {
      const listener = vscode.workspace.onDidGrantWorkspaceTrust(() => {
        listener.dispose();
        resolve();
      });
    });
    await vscode.commands.executeCommand('workbench.trust.manage');
    console.log(grantTrustMarker);
    await Promise.race([granted, delay(30_000).then(() => assert.fail('trust was not granted within 30 s: see the run-tests output'))]);
    assert.equal(vscode.workspace.isTrusted, true);
    assert.equal(vscode.workspace.getConfiguration('mcpSessions').get('autoStart'), 'always', 'the workspace value counts once trusted');

    // autoStart "always" from the workspace settings counts now, and the workspace's own
    // configFiles are read: every server starts by itself.
    for (const name of [evilKey, githubOfWorkspace, 'cursor-evil', 'uses-workspace-folder']) await runningPid(api, name);
    assert.equal(server(api, 'settings-evil'), undefined, 'mcpSessions.servers is read from the user settings only');
    assert.deepEqual(markers().map((m) => m.replace(/-\d+$/, '')).sort(), [
      'hostile-marker-cursor',
      'hostile-marker-github',
      'hostile-marker-mcp-json',
      'hostile-marker-user-workspace-folder',
    ]);
  });
});

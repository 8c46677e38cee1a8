// Canary, in the real extension host: known secrets given to servers through ${input:}, ${env:},
// envFile, a literal secret env value, headers and OAuth tokens, to fixture servers that send
// everything they were given back (the hidden `reveal` tool: in results, isError results,
// JSON-RPC errors, log notifications and stderr, in many encodings and broken across lines).
// None of it may appear in any log channel, the log files on disk, notifications, tooltips,
// result documents, errors, the API's server list, the process ledger or a copied command line.
// Runs late (y-, before z-teardown): the failure notifications it provokes open the notifier's
// 15 s burst, which would silence the notifications another suite waits for.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import * as vscode from 'vscode';
import { isProcessAlive } from '../../src/core/processTree';
import type { McpSessionsApi, TestingApi } from '../../src/vscode/api';
import type { OAuthTestingApi } from '../../src/vscode/oauth';
import { serverRow } from './api';
import { assertNoCanary, canarySecrets } from '../support/canary';
import { spawnOAuthFixture, type OAuthFixtureProcess } from '../support/oauthFixture';
import { fixturesDir } from '../support/paths';
import { eventually } from '../support/processes';

type Api = McpSessionsApi & { testing: TestingApi & { oauth: OAuthTestingApi } };

/** Every file under `dir`, read as text. */
function filesUnder(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  if (!existsSync(dir)) return files;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) Object.assign(files, filesUnder(path));
    else files[path] = readFileSync(path, 'utf8');
  }
  return files;
}

/** The user's browser, played: the fixture's authorization page approves at once. */
async function approveInBrowser(href: string): Promise<void> {
  const response = await fetch(href, { redirect: 'manual' });
  let location = new URL(response.headers.get('location')!);
  // code-server's path proxy: /proxy/<port>/<path> → 127.0.0.1:<port>/<path>.
  const proxied = /^\/proxy\/(\d+)(\/.*)$/.exec(location.pathname);
  if (proxied) location = new URL(`http://127.0.0.1:${proxied[1]}${proxied[2]}${location.search}`);
  await (await fetch(location)).text();
}

describe('secrets never reach any output (canary)', function () {
  this.timeout(120_000);
  const secrets: Record<string, string> = canarySecrets();
  const captured: Record<string, string> = {};
  const settings = () => vscode.workspace.getConfiguration('mcpSessions');
  let api: Api;
  let dir: string;
  let http: ChildProcess;
  let oauth: OAuthFixtureProcess;
  const servers = ['canary-stdio', 'canary-http', 'canary-oauth', 'canary-missing'];
  const revealArgs = (mode: string) => ({ env: ['FROM_ENV', 'API_KEY', 'FIXTURE_TOKEN'], mode });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcp-canary-'));
    const envFile = join(dir, 'server.env');
    writeFileSync(envFile, `FIXTURE_TOKEN=${secrets.envFile}\n`);
    process.env.CANARY_ENV = secrets.env;
    process.env.CANARY_COMMAND = join(dir, secrets.command);
    http = spawn(process.execPath, [join(fixturesDir, 'http-server.mjs')], { stdio: ['ignore', 'pipe', 'ignore'] });
    const line = await new Promise<string>((resolve) => createInterface({ input: http.stdout! }).once('line', resolve));
    const { url } = JSON.parse(line) as { url: string };
    oauth = await spawnOAuthFixture();

    api = (await vscode.extensions.getExtension<McpSessionsApi>('mcp-session-manager.mcp-session-manager')!.activate()) as Api;
    api.testing.answerInputs((input) => (input.id === 'canary-input' ? secrets.input : input.id === 'canary-bearer' ? secrets.bearer : undefined));
    api.testing.oauth.overrideSignIn({ open: approveInBrowser });
    await settings().update(
      'servers',
      {
        'canary-stdio': {
          command: process.execPath,
          // --describe-env: the server also leaks its envFile secret into a tool description.
          args: [join(fixturesDir, 'stdio-server.mjs'), '--token=${input:canary-input}', '${env:CANARY_ENV}', '--describe-env=FIXTURE_TOKEN'],
          env: { FROM_ENV: '${env:CANARY_ENV}', API_KEY: secrets.literalEnv },
          envFile,
        },
        'canary-http': { type: 'http', url, headers: { Authorization: 'Bearer ${input:canary-bearer}', 'X-Api-Key': secrets.header } },
        'canary-oauth': { type: 'http', url: oauth.url },
        'canary-missing': { command: '${env:CANARY_COMMAND}', args: ['--token=${input:canary-input}'] },
      },
      vscode.ConfigurationTarget.Global,
    );
    await api.testing.reloadConfiguration();
    for (const name of servers) await vscode.commands.executeCommand('mcpSessions.showLogs', name);
  });

  after(async () => {
    api.testing.answerInputs(undefined);
    api.testing.oauth.overrideSignIn({});
    await vscode.commands.executeCommand('mcpSessions.signOut', 'canary-oauth').then(undefined, () => undefined);
    await settings().update('servers', undefined, vscode.ConfigurationTarget.Global);
    await settings().update('oauth.allowedAuthorizationHosts', undefined, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    delete process.env.CANARY_ENV;
    delete process.env.CANARY_COMMAND;
    http.kill('SIGTERM');
    oauth.child.kill('SIGTERM');
    for (const pid of [http.pid!, oauth.pid]) await eventually(() => !isProcessAlive(pid) || undefined, 3000, `fixture ${pid} to exit`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts the servers with the secrets, and shows them as written', async () => {
    for (const name of ['canary-stdio', 'canary-http']) await vscode.commands.executeCommand('mcpSessions.startServer', name);
    await eventually(() => api.listServers().filter((s) => s.name === 'canary-stdio' || s.name === 'canary-http').every((s) => s.state === 'running') || undefined, 20_000, 'the canary servers running');
    // Consent as a user gives it: the authorization host allowed in user settings, then Sign In.
    await settings().update('oauth.allowedAuthorizationHosts', [new URL(oauth.issuer).host], vscode.ConfigurationTarget.Global);
    assert.equal(await vscode.commands.executeCommand('mcpSessions.signIn', 'canary-oauth'), true);
    await api.callTool('canary-oauth', 'echo', { text: 'signed in' });

    // The tree once canary-stdio's tool list (with the leaking description) is in it.
    let tree = await api.testing.renderTree();
    for (const end = Date.now() + 10_000; !JSON.stringify(tree).includes('Configured with ') && Date.now() < end; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      tree = await api.testing.renderTree();
    }
    const tooltip = serverRow(tree, 'canary-stdio')?.tooltip ?? '';
    assert.ok(tooltip.includes('--token=${input:canary-input}') && tooltip.includes('${env:CANARY_ENV}'), tooltip);
    assert.ok(JSON.stringify(tree).includes('Configured with '), 'the tool list with the leaking description is in the tree');
    captured.tree = JSON.stringify(tree);
    for (const name of servers) {
      const copied = (await vscode.commands.executeCommand('mcpSessions.copyCommandLine', name)) as string;
      captured[`copied ${name}`] = `${copied}\n${await Promise.resolve(vscode.env.clipboard.readText()).catch(() => '')}`;
    }
    assert.match(captured['copied canary-stdio'], /"--token=\$\{input:canary-input\}" "\$\{env:CANARY_ENV\}"/);
    assert.match(api.testing.logText(), /Started "canary-stdio" as process group \d+: .*--token=\$\{input:canary-input\}/);
    const ledger = join(api.testing.folders().state, 'process-ledger.json');
    captured.ledger = existsSync(ledger) ? readFileSync(ledger, 'utf8') : '';
  });

  it('servers that send every secret back: results, tool errors, JSON-RPC errors, logs and notifications', async () => {
    const record = await api.testing.oauth.storedRecord(oauth.url);
    assert.ok(record?.tokens?.access_token, 'signed in');
    secrets.accessToken = record.tokens.access_token;
    if (record.tokens.refresh_token) secrets.refreshToken = record.tokens.refresh_token;
    const clientSecret = (record.clientInformation as { client_secret?: string } | undefined)?.client_secret;
    if (clientSecret) secrets.clientSecret = clientSecret;

    const errors: string[] = [];
    for (const server of ['canary-stdio', 'canary-http', 'canary-oauth']) {
      // From code: the results view opens; isError results and errors reject.
      await vscode.commands.executeCommand('mcpSessions.callTool', server, 'reveal', revealArgs('result'));
      for (const mode of ['isError', 'error']) {
        await Promise.resolve(vscode.commands.executeCommand('mcpSessions.callTool', server, 'reveal', revealArgs(mode))).then(
          () => assert.fail(`${server} ${mode} resolved`),
          (e: Error) => errors.push(e.message),
        );
        await api.callTool(server, 'reveal', revealArgs(mode)).then(
          () => assert.fail(`${server} ${mode} resolved`),
          (e: Error) => errors.push(e.message),
        );
        // From the UI (a Tool Explorer node): an isError result opens in the results view, an error is a notification.
        const before = api.testing.notifications().length;
        const panelsBefore = api.testing.results.shown().length;
        void vscode.commands.executeCommand('mcpSessions.callTool', { kind: 'tool', server, tool: { name: 'reveal', inputSchema: { type: 'object' } } }, 'reveal', revealArgs(mode));
        if (mode === 'isError') await eventually(() => api.testing.results.shown().length > panelsBefore || undefined, 15_000, `a results panel for ${server} ${mode}`);
        else await eventually(() => api.testing.notifications().length > before || undefined, 15_000, `a notification for ${server} ${mode}`);
      }
    }
    // A start that fails: the error names the command as written.
    void vscode.commands.executeCommand('mcpSessions.startServer', { kind: 'server', server: 'canary-missing' });
    await eventually(() => api.testing.notifications().some((n) => n.includes('canary-missing')) || undefined, 15_000, 'the start failure notification');
    assert.ok(api.testing.notifications().some((n) => n.includes('${env:CANARY_COMMAND}')), api.testing.notifications().join('\n'));
    captured.errors = errors.join('\n');
    assert.match(captured.errors, /\[redacted envFile FIXTURE_TOKEN\]/, 'the servers really sent their environment back');
    assert.match(captured.errors, /\[redacted OAuth access token\]/, 'the OAuth server really sent the token back');

    // What each results panel was given (its page shows nothing else), and the "Open as Text" document of one.
    const panels = api.testing.results.shown();
    assert.ok(panels.length >= 6, 'a results panel per server, for its result and its isError result');
    await api.testing.results.receive({ type: 'openAsText' });
    const results = vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'mcp-result');
    assert.ok(results.length >= 1, 'the result document');
    captured.results = [JSON.stringify(panels), ...results.map((d) => `${d.uri.toString()}\n${d.getText()}`)].join('\n');
    assert.match(captured.results, /raw --token=\$\{input:canary-input\}/);
  });

  it('no canary, in any spelling, anywhere', async () => {
    for (const name of servers) captured[`channel ${name}`] = api.testing.logText(name);
    captured['extension log'] = api.testing.logText();
    captured.notifications = api.testing.notifications().join('\n');
    captured.api = JSON.stringify(api.listServers());
    // The log files on disk: wait until the channels have flushed what they show.
    const logs = dirname(api.testing.folders().logs);
    await eventually(
      () => Object.values(filesUnder(logs)).some((text) => text.includes('[redacted envFile FIXTURE_TOKEN]')) || undefined,
      15_000,
      'the server channel in the log files',
    );
    for (const [path, text] of Object.entries(filesUnder(logs))) captured[`log file ${path}`] = text;
    assertNoCanary(captured, secrets);
    assert.match(captured['channel canary-stdio'], /split --token=\$\{input:canary-input\}/, 'the server channel got the stderr lines');
  });
});

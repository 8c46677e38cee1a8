// OAuth for HTTP servers in the real extension host: test/fixtures/oauth-server.mjs (a real
// authorization server protecting an MCP endpoint, in a child process) is added through the
// mcpSessions.servers setting. The test plays the user's browser through testing.oauth: it
// fetches the authorization URL, which the fixture approves at once, and follows the redirect.
// Consent goes the way a user gives it: this host refuses modal dialogs in test runs (a no),
// so the test allows the fixture's authorization host in the user setting
// mcpSessions.oauth.allowedAuthorizationHosts and then runs Sign In, as a user would.
// This host is a remote one (code-server), so by default the redirect goes through the address
// vscode.env.asExternalUri gives: code-server's path proxy, which the test harness turns off
// (--disable-proxy), so the test's browser does what that proxy does.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { isProcessAlive } from '../../src/core/processTree';
import type { McpServerInfo, McpSessionsApi, TestingApi } from '../../src/vscode/api';
import type { OAuthTestingApi } from '../../src/vscode/oauth';
import { serverRow } from './api';
import { oauthFixtureStats, spawnOAuthFixture, type OAuthFixtureProcess } from '../support/oauthFixture';
import { eventually, textOf } from '../support/processes';

type Api = McpSessionsApi & { testing: TestingApi & { oauth: OAuthTestingApi } };

type Fixture = OAuthFixtureProcess;

const startFixture = (): Promise<Fixture> => spawnOAuthFixture();

const name = 'protected';

function server(api: Api, serverName = name): McpServerInfo | undefined {
  return api.listServers().find((s) => s.name === serverName);
}

/** The user's browser, played: the authorization page approves at once and redirects back. */
class Browser {
  /** Authorization URLs opened, in order. */
  readonly opened: URL[] = [];
  /** Where each redirect landed, after code-server's path proxy. */
  readonly landed: URL[] = [];
  /** Waits before following the redirect back (the user takes their time). */
  beforeRedirect: () => Promise<void> = async () => undefined;
  /** Set to leave the page open and never come back. */
  ignore = false;

  readonly open = async (href: string): Promise<void> => {
    const url = new URL(href);
    this.opened.push(url);
    if (this.ignore) return;
    const response = await fetch(url, { redirect: 'manual' });
    assert.equal(response.status, 302, `the authorization endpoint answered ${response.status}: ${await response.text()}`);
    let location = new URL(response.headers.get('location')!);
    // code-server's path proxy: /proxy/<port>/<path> on the workbench's origin → 127.0.0.1:<port>/<path>.
    const proxied = /^\/proxy\/(\d+)(\/.*)$/.exec(location.pathname);
    if (proxied) location = new URL(`http://127.0.0.1:${proxied[1]}${proxied[2]}${location.search}`);
    this.landed.push(location);
    await this.beforeRedirect();
    const landing = await fetch(location);
    assert.equal(landing.status, 200, `the redirect landed with ${landing.status}: ${await landing.text()}`);
    await landing.text();
  };
}

describe('oauth: signing in to HTTP servers', function () {
  this.timeout(60_000);
  let api: Api;
  let fixture: Fixture;
  let browser: Browser;
  let notificationsBefore: number;
  const settings = () => vscode.workspace.getConfiguration('mcpSessions');

  /** Every line of the extension's log and the server's channel. */
  function allLogs(): string {
    return `${api.testing.logText()}\n${api.testing.logText(name)}`;
  }

  before(async () => {
    fixture = await startFixture();
    api = (await vscode.extensions.getExtension<McpSessionsApi>('mcp-session-manager.mcp-session-manager')!.activate()) as Api;
    await settings().update('servers', { [name]: { type: 'http', url: fixture.url } }, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
    assert.equal(server(api)?.state, 'stopped');
    notificationsBefore = api.testing.notifications().length;
    // The server channel exists from now on, so the test can read what it shows.
    await vscode.commands.executeCommand('mcpSessions.showLogs', name);
  });

  beforeEach(() => {
    browser = new Browser();
    api.testing.oauth.overrideSignIn({ open: browser.open });
  });

  after(async () => {
    api.testing.oauth.overrideSignIn({});
    await vscode.commands.executeCommand('mcpSessions.signOut', name).then(undefined, () => undefined);
    await settings().update('servers', undefined, vscode.ConfigurationTarget.Global);
    await settings().update('oauth.redirect', undefined, vscode.ConfigurationTarget.Global);
    await settings().update('connectTimeoutMs', undefined, vscode.ConfigurationTarget.Global);
    await settings().update('oauth.allowedAuthorizationHosts', undefined, vscode.ConfigurationTarget.Global);
    await api.testing.reloadConfiguration();
    fixture.child.kill('SIGTERM');
    await eventually(() => !isProcessAlive(fixture.pid) || undefined, 3000, `the OAuth fixture (pid ${fixture.pid}) to exit`);
  });

  it('an API call never signs in: the server waits in needs-sign-in with a Sign In action, and nothing opens', async () => {
    await assert.rejects(api.callTool(name, 'echo', { text: 'in the background' }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'needs-sign-in');
      assert.equal(e.message, '"protected" needs you to sign in. It was not started in the background; use Sign In on the server.');
      return true;
    });
    await eventually(() => server(api)?.state === 'needs-sign-in' || undefined, 5000, `"${name}" in needs-sign-in`);
    const node = serverRow(await api.testing.renderTree(), name)!;
    assert.equal(node.contextValue, 'server.needsSignIn', 'the inline Sign In action shows on this item');
    assert.match(node.description ?? '', /needs sign-in/);
    assert.deepEqual(node.children.map((c) => c.label), ['Sign in to start this server']);
    assert.equal(browser.opened.length, 0, 'no browser');
    const s = await oauthFixtureStats(fixture);
    assert.equal(s.requests['GET /authorize'], undefined, 'no authorization request reached the server');
    assert.equal(s.registrations, 0, 'not even a client registration');
    assert.deepEqual(api.testing.notifications().slice(notificationsBefore), [], 'waiting for a sign-in is no failure to notify');
  });

  it('Sign In asks first: unanswered (this host refuses modal dialogs in tests), nothing opens and the server still needs sign-in', async () => {
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('mcpSessions.signIn', name)), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'needs-sign-in');
      assert.match(e.message, /Signing in to "protected" was declined/);
      return true;
    });
    // The modal was asked for, naming the server and the authorization host; this host refused to show it.
    const asked = api.testing.shownMessages().findIndex((m) => m === 'Sign in to MCP server "protected"?');
    assert.ok(asked >= 0, 'the consent dialog was passed to VS Code');
    assert.match(api.testing.shownMessages()[asked + 1] ?? '', /^Your browser will open the sign-in page of 127\.0\.0\.1:\d+:/);
    assert.equal(browser.opened.length, 0);
    assert.equal((await oauthFixtureStats(fixture)).requests['GET /authorize'], undefined, 'no authorization request reached the server');
    assert.equal(server(api)?.state, 'needs-sign-in');
  });

  it('with the authorization host allowed in user settings, Sign In opens the browser; the tokens are in SecretStorage, not in the logs', async () => {
    assert.equal(await api.testing.oauth.storedRecord(fixture.url).then((r) => r?.tokens), undefined, 'no tokens before');
    const before = await oauthFixtureStats(fixture);
    await settings().update('oauth.allowedAuthorizationHosts', [new URL(fixture.issuer).host], vscode.ConfigurationTarget.Global);
    assert.equal(await vscode.commands.executeCommand('mcpSessions.signIn', name), true);
    assert.equal(server(api)?.state, 'running');
    const result = await api.callTool(name, 'echo', { text: 'authorized' });
    assert.equal(textOf(result), 'authorized');
    assert.match(api.testing.logText(), /Signing in to "protected" at 127\.0\.0\.1:\d+: the host is in mcpSessions\.oauth\.allowedAuthorizationHosts/);

    assert.equal(browser.opened.length, 1, 'one authorization page');
    const authorization = browser.opened[0];
    assert.equal(authorization.origin + authorization.pathname, `${fixture.issuer}/authorize`);
    assert.equal(authorization.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authorization.searchParams.get('resource'), fixture.url);
    // A remote window: the redirect URI is the forwarded address of the loopback listener.
    assert.ok(vscode.env.remoteName, 'the test host is a remote one');
    const redirectUri = new URL(authorization.searchParams.get('redirect_uri')!);
    const loopbackPort = Number(browser.landed[0].port);
    const forwarded = await vscode.env.asExternalUri(vscode.Uri.parse(`http://127.0.0.1:${loopbackPort}/callback`));
    assert.equal(redirectUri.origin, new URL(forwarded.toString(true)).origin, 'the forwarded origin');
    assert.equal(redirectUri.pathname, `/proxy/${loopbackPort}/callback`, 'the proxy path, with the callback path put back');
    await assert.rejects(fetch(`http://127.0.0.1:${loopbackPort}/callback`), 'the loopback listener is closed after the sign-in');

    const s = await oauthFixtureStats(fixture);
    assert.ok(s.registrations >= 1);
    assert.equal(s.authorizations.length, before.authorizations.length + 1);
    assert.equal(s.tokens.authorization_code, before.tokens.authorization_code + 1);

    const record = await api.testing.oauth.storedRecord(fixture.url);
    assert.ok(record?.tokens?.access_token, 'an access token is stored');
    assert.ok(record.tokens.refresh_token, 'a refresh token is stored');
    assert.ok(record.clientInformation?.client_id, 'the client registration is stored');
    assert.match(api.testing.logText(), /Signed in to "protected"/);
    for (const secret of [record.tokens.access_token, record.tokens.refresh_token]) {
      assert.ok(!allLogs().includes(secret), 'no token in the extension log or the server channel');
    }
  });

  it('a second connect reuses the stored tokens without a new authorization; an expired one is refreshed', async () => {
    const before = await oauthFixtureStats(fixture);
    await vscode.commands.executeCommand('mcpSessions.restartServer', name);
    await eventually(() => server(api)?.state === 'running' || undefined, 15_000, `"${name}" running again`);
    assert.equal(textOf(await api.callTool(name, 'echo', { text: 'again' })), 'again');
    let after = await oauthFixtureStats(fixture);
    assert.equal(browser.opened.length, 0, 'no authorization page');
    assert.equal(after.authorizations.length, before.authorizations.length);
    assert.equal(after.mcp[401], before.mcp[401], 'the stored token was sent from the first request');

    const stored = (await api.testing.oauth.storedRecord(fixture.url))!.tokens!;
    assert.equal((await fetch(`${fixture.issuer}/control/expire-tokens`, { method: 'POST' })).status, 200);
    await vscode.commands.executeCommand('mcpSessions.restartServer', name);
    assert.equal(textOf(await api.callTool(name, 'echo', { text: 'refreshed' })), 'refreshed');
    after = await oauthFixtureStats(fixture);
    assert.equal(browser.opened.length, 0, 'a refresh needs no browser');
    assert.equal(after.tokens.refresh_token, before.tokens.refresh_token + 1);
    const refreshed = (await api.testing.oauth.storedRecord(fixture.url))!.tokens!;
    assert.notEqual(refreshed.access_token, stored.access_token, 'the new access token is stored');
    assert.ok(!allLogs().includes(refreshed.access_token));
  });

  it('Sign Out forgets the tokens and stops the server; the next start signs in again', async () => {
    assert.equal(server(api)?.state, 'running');
    assert.equal(await vscode.commands.executeCommand('mcpSessions.signOut', name), true);
    assert.equal(await api.testing.oauth.storedRecord(fixture.url), undefined);
    assert.equal(server(api)?.state, 'stopped');
    assert.equal(await vscode.commands.executeCommand('mcpSessions.signOut', name), false, 'nothing left to forget');

    const before = await oauthFixtureStats(fixture);
    await assert.rejects(api.callTool(name, 'echo', { text: 'background' }), /needs you to sign in/);
    assert.equal(browser.opened.length, 0, 'an API call does not sign in again by itself');
    await vscode.commands.executeCommand('mcpSessions.signIn', name);
    assert.equal(textOf(await api.callTool(name, 'echo', { text: 'signed in again' })), 'signed in again');
    const after = await oauthFixtureStats(fixture);
    assert.equal(browser.opened.length, 1);
    assert.equal(after.registrations, before.registrations + 1, 'the registration was forgotten too');
    assert.equal(after.authorizations.length, before.authorizations.length + 1);
  });

  it('with mcpSessions.oauth.redirect "loopback", the redirect URI is the loopback listener itself', async () => {
    await vscode.commands.executeCommand('mcpSessions.signOut', name);
    await settings().update('oauth.redirect', 'loopback', vscode.ConfigurationTarget.Global);
    try {
      await vscode.commands.executeCommand('mcpSessions.signIn', name);
      assert.equal(textOf(await api.callTool(name, 'echo', { text: 'loopback' })), 'loopback');
    } finally {
      await settings().update('oauth.redirect', undefined, vscode.ConfigurationTarget.Global);
    }
    const redirectUri = browser.opened[0].searchParams.get('redirect_uri')!;
    assert.match(redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    assert.equal(browser.landed[0].origin, new URL(redirectUri).origin, 'the browser came straight back');
  });

  it('a sign-in nobody completes fails after its timeout with a clear message and closes the listener', async () => {
    await vscode.commands.executeCommand('mcpSessions.signOut', name);
    browser.ignore = true;
    api.testing.oauth.overrideSignIn({ open: browser.open, timeoutMs: 1500 });
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('mcpSessions.startServer', name)), (e: Error) => {
      assert.match(e.message, /Signing in to "protected" timed out: no answer from the browser within 2 s\. Start the server again to retry\./);
      return true;
    });
    await eventually(() => server(api)?.state === 'error' || undefined, 5000, `"${name}" in error`);
    const redirectUri = new URL(browser.opened[0].searchParams.get('redirect_uri')!);
    const loopbackPort = Number(/^\/proxy\/(\d+)\//.exec(redirectUri.pathname)?.[1]);
    await assert.rejects(fetch(`http://127.0.0.1:${loopbackPort}/callback`), 'the loopback listener is closed');
    assert.equal(await api.testing.oauth.storedRecord(fixture.url).then((r) => r?.tokens), undefined, 'no tokens');
  });

  // Failures of the user's own starts are theirs to report: no notification, and no burst of
  // failures is left open for the suites that follow.
  it('the connect timeout pauses while the user signs in: a sign-in longer than the timeout starts the server', async () => {
    await vscode.commands.executeCommand('mcpSessions.stopServer', name);
    await settings().update('connectTimeoutMs', 1000, vscode.ConfigurationTarget.Global);
    try {
      // The user comes back from the browser well after the connect timeout.
      browser.beforeRedirect = () => new Promise((resolve) => setTimeout(resolve, 2500));
      const started = Date.now();
      await vscode.commands.executeCommand('mcpSessions.startServer', name);
      assert.ok(Date.now() - started >= 2500, 'the sign-in took longer than the connect timeout');
    } finally {
      await settings().update('connectTimeoutMs', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.equal(server(api)?.state, 'running');
    assert.equal(browser.opened.length, 1, 'one sign-in');
    assert.equal(textOf(await api.callTool(name, 'echo', { text: 'late' })), 'late');
    assert.deepEqual(api.testing.notifications().slice(notificationsBefore), [], 'no failure notification');
  });
});

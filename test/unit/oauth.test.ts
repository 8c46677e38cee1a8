// OAuth for remote servers, end to end: SessionRegistry → remote connector → authorizingFetch
// → OAuthProvider → the SDK's auth(), against test/fixtures/oauth-server.mjs (a real
// authorization server and protected MCP endpoint in a child process). The "browser" follows
// the authorization endpoint's redirect by hand and delivers it to the real loopback listener.
import * as assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RemoteServerDefinition } from '../../src/core/definitions';
import type { McpSessionError } from '../../src/core/errors';
import { lineLogger } from '../../src/core/logger';
import { FileTokenStore, LoopbackRedirectHandler, OAuthProvider, authorizingFetch, oauthStoreKey, type SignInConsent, type TokenStore } from '../../src/core/oauth';
import { SessionRegistry } from '../../src/core/registry';
import { oauthFixtureStats, spawnOAuthFixture, type OAuthFixtureProcess } from '../support/oauthFixture';
import { delay, eventually, rejection, textOf } from '../support/processes';

// ---- the fixture ------------------------------------------------------------------------------

type OAuthFixture = OAuthFixtureProcess;

const fixtures: OAuthFixture[] = [];

async function startOAuthFixture(flags: string[] = []): Promise<OAuthFixture> {
  const fixture = await spawnOAuthFixture(flags);
  fixtures.push(fixture);
  return fixture;
}

async function control(fixture: OAuthFixture, action: 'expire-tokens' | 'revoke-tokens'): Promise<void> {
  assert.equal((await fetch(`${fixture.issuer}/control/${action}`, { method: 'POST' })).status, 200);
}

// ---- the simulated browser ----------------------------------------------------------------------

/** Plays the user's browser: opens the authorization URL and follows its redirect to the loopback listener. */
class Browser {
  readonly opened: URL[] = [];
  /** Set to answer the next authorization with this error instead of following the redirect. */
  deny = false;
  /** Waits before following the redirect back (the user takes their time). */
  delayMs = 0;

  readonly open = async (url: URL): Promise<void> => {
    this.opened.push(url);
    const response = await fetch(url, { redirect: 'manual' });
    assert.equal(response.status, 302, `the authorization endpoint answered ${response.status}: ${await response.text()}`);
    const location = new URL(response.headers.get('location')!);
    if (this.delayMs > 0) await delay(this.delayMs);
    if (this.deny) {
      location.searchParams.delete('code');
      location.searchParams.set('error', 'access_denied');
      location.searchParams.set('error_description', 'The user said no');
    }
    const landing = await fetch(location);
    await landing.text();
  };
}

// ---- helpers --------------------------------------------------------------------------------------

const source = { label: 'oauth test' };
const cleanups: Array<() => unknown> = [];
let workDir: string;
let logLines: string[];

function definition(fixture: OAuthFixture, name = 'protected'): RemoteServerDefinition {
  return { kind: 'http', name, url: fixture.url, headers: {}, source };
}

function registryFor(
  fixture: OAuthFixture,
  store: TokenStore,
  browser: Browser,
  options: { consent?: SignInConsent; connectTimeoutMs?: number; pingIntervalMs?: number } = {},
): SessionRegistry {
  const registry = new SessionRegistry({
    logger: lineLogger((line) => logLines.push(line), 'debug'),
    pingIntervalMs: options.pingIntervalMs ?? 0,
    pingTimeoutMs: 1000,
    connectTimeoutMs: options.connectTimeoutMs ?? 15_000,
    defaultCallTimeoutMs: 15_000,
    authProviderFor: (server) =>
      new OAuthProvider({
        serverUrl: server.url,
        serverName: server.name,
        consent: options.consent,
        store,
        redirectHandler: new LoopbackRedirectHandler({ open: browser.open, timeoutMs: 10_000 }),
        logger: lineLogger((line) => logLines.push(line), 'debug'),
      }),
  });
  registry.reconcile([definition(fixture)]);
  cleanups.push(() => registry.shutdown());
  return registry;
}

/** Every line the registry and its servers logged: none may carry a token. */
function allLogText(registry: SessionRegistry): string {
  return [...logLines, ...registry.list().flatMap((s) => registry.get(s.name)!.logLines().map((l) => l.text))].join('\n');
}

// ---- the suite ----------------------------------------------------------------------------------

describe('OAuth for remote servers', function () {
  this.timeout(30_000);

  beforeEach(() => {
    workDir = mkdtempSync(join(tmpdir(), 'mcp-oauth-'));
    logLines = [];
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    rmSync(workDir, { recursive: true, force: true });
  });

  after(async () => {
    for (const fixture of fixtures.splice(0)) {
      fixture.child.kill('SIGTERM');
      if (fixture.child.exitCode === null) await new Promise((resolve) => fixture.child.once('exit', resolve));
    }
  });

  it('answers a 401 with discovery, registration, PKCE authorization and the code exchange; the call succeeds', async () => {
    const fixture = await startOAuthFixture();
    const browser = new Browser();
    const registry = registryFor(fixture, new FileTokenStore(join(workDir, 'state', 'oauth.json')), browser);

    const result = await registry.callTool('protected', 'echo', { text: 'authorized' });
    assert.equal(textOf(result), 'authorized');

    assert.equal(browser.opened.length, 1);
    const authorization = browser.opened[0]!;
    assert.equal(authorization.origin + authorization.pathname, `${fixture.issuer}/authorize`);
    assert.equal(authorization.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorization.searchParams.get('state'), 'a state parameter protects the redirect');
    assert.equal(authorization.searchParams.get('resource'), fixture.url, 'the resource indicator names the MCP server');
    assert.match(authorization.searchParams.get('redirect_uri')!, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);

    const s = await oauthFixtureStats(fixture);
    assert.equal(s.registrations, 1, 'one dynamic client registration');
    assert.deepEqual(s.authorizations.map((a) => a.scope), ['mcp:read'], 'the scope comes from scopes_supported');
    assert.equal(s.tokens.authorization_code, 1);
    assert.ok(s.mcp[401] >= 1, 'the flow started from a 401');
  });

  it('stores the tokens in a 0600 file and reuses them on the next connect without authorizing again', async () => {
    const fixture = await startOAuthFixture();
    const browser = new Browser();
    const file = join(workDir, 'state', 'oauth.json');
    const first = registryFor(fixture, new FileTokenStore(file), browser);
    await first.callTool('protected', 'echo', { text: 'one' });
    await first.shutdown();

    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(workDir, 'state')).mode & 0o777, 0o700);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { servers: Record<string, { tokens?: { access_token: string; refresh_token?: string }; clientInformation?: { client_id: string } }> };
    const record = stored.servers[oauthStoreKey(fixture.url)]!;
    assert.ok(record.tokens?.access_token && record.tokens.refresh_token);
    assert.match(record.clientInformation!.client_id, /^client-/);
    assert.ok(!allLogText(first).includes(record.tokens.access_token), 'the access token must never be logged');
    assert.ok(!allLogText(first).includes(record.tokens.refresh_token!), 'the refresh token must never be logged');

    const second = registryFor(fixture, new FileTokenStore(file), browser);
    assert.equal(textOf(await second.callTool('protected', 'echo', { text: 'two' })), 'two');
    assert.equal(browser.opened.length, 1, 'no second authorization');
    const s = await oauthFixtureStats(fixture);
    assert.equal(s.registrations, 1);
    assert.equal(s.authorizations.length, 1);
    assert.equal(s.tokens.refresh_token, 0);
  });

  it('refreshes an access token the server no longer accepts, without the browser', async () => {
    const fixture = await startOAuthFixture();
    const browser = new Browser();
    const registry = registryFor(fixture, new FileTokenStore(join(workDir, 'oauth.json')), browser);
    await registry.callTool('protected', 'echo', { text: 'before' });
    const rejectedBefore = (await oauthFixtureStats(fixture)).mcp[401];

    await control(fixture, 'expire-tokens');
    assert.equal(textOf(await registry.callTool('protected', 'echo', { text: 'after' })), 'after');

    const s = await oauthFixtureStats(fixture);
    // Background requests (list refreshes, the standalone GET stream) may meet the expired
    // token too, so count "at least one"; what matters is a refresh and no second browser trip.
    assert.ok(s.tokens.refresh_token >= 1, 'the refresh token was used');
    assert.ok(s.mcp[401] >= rejectedBefore + 1, 'a 401 (invalid_token) led to the refresh');
    assert.equal(browser.opened.length, 1, 'no new authorization in the browser');
    const serverLog = registry.get('protected')!.logLines().map((l) => l.text);
    assert.ok(serverLog.some((line) => /HTTP 401: refreshing the access token/.test(line)), serverLog.join('\n'));
  });

  it('refreshes an access token that has expired by its expires_in before sending the request', async () => {
    const fixture = await startOAuthFixture(['--token-lifetime=1']);
    const browser = new Browser();
    const registry = registryFor(fixture, new FileTokenStore(join(workDir, 'oauth.json')), browser);
    await registry.callTool('protected', 'echo', { text: 'before' });
    const rejectedBefore = (await oauthFixtureStats(fixture)).mcp[401];

    await delay(1100);
    assert.equal(textOf(await registry.callTool('protected', 'echo', { text: 'after' })), 'after');
    const s = await oauthFixtureStats(fixture);
    assert.ok(s.tokens.refresh_token >= 1);
    assert.equal(s.mcp[401], rejectedBefore, 'the expired token was not sent');
    assert.equal(browser.opened.length, 1);
  });

  it('steps up once on 403 insufficient_scope, keeping the scopes it had', async () => {
    const fixture = await startOAuthFixture(['--tool-scope=mcp:tools']);
    const browser = new Browser();
    const registry = registryFor(fixture, new FileTokenStore(join(workDir, 'oauth.json')), browser);
    await registry.start('protected');
    await registry.listTools('protected', { refresh: true });
    assert.equal(browser.opened.length, 1);

    assert.equal(textOf(await registry.callTool('protected', 'echo', { text: 'stepped up' })), 'stepped up');
    assert.equal(textOf(await registry.callTool('protected', 'echo', { text: 'again' })), 'again');

    const s = await oauthFixtureStats(fixture);
    assert.deepEqual(
      s.authorizations.map((a) => a.scope.split(' ').sort().join(' ')),
      ['mcp:read', 'mcp:read mcp:tools'],
    );
    assert.equal(s.authorizations.length, 2, 'one initial authorization and one step-up');
    assert.equal(s.mcp[403], 1, 'one 403 insufficient_scope');
    assert.equal(browser.opened[1]!.searchParams.get('scope')!.split(' ').sort().join(' '), 'mcp:read mcp:tools');
  });

  it('stops after a bounded number of authorizations when the server keeps refusing', async () => {
    const fixture = await startOAuthFixture(['--never-enough-scope']);
    const browser = new Browser();
    const registry = registryFor(fixture, new FileTokenStore(join(workDir, 'oauth.json')), browser);
    await registry.start('protected');

    const started = Date.now();
    const error = await rejection(registry.callTool('protected', 'echo', { text: 'never' }));
    assert.match(error.message, /insufficient_scope/);
    assert.match(error.message, /giving up/);
    const afterFirst = (await oauthFixtureStats(fixture)).authorizations.length;
    assert.ok(afterFirst >= 1 && afterFirst <= 3, `${afterFirst} authorizations`);

    const again = await rejection(registry.callTool('protected', 'echo', { text: 'still never' }));
    assert.match(again.message, /giving up/);
    assert.equal((await oauthFixtureStats(fixture)).authorizations.length, afterFirst, 'a challenge that step-up could not satisfy is not retried');
    assert.ok(Date.now() - started < 10_000);
    assert.equal(registry.get('protected')!.state.state, 'running', 'an authorization failure is no crash');
  });

  it('fails the start with the reason when the user denies the authorization', async () => {
    const fixture = await startOAuthFixture();
    const browser = new Browser();
    browser.deny = true;
    const registry = registryFor(fixture, new FileTokenStore(join(workDir, 'oauth.json')), browser);
    const error = await rejection(registry.start('protected'));
    assert.equal(error.code, 'start-failed');
    assert.match(error.message, /access_denied/);
    assert.match(error.message, /The user said no/);
    assert.equal(browser.opened.length, 1, 'a denial is not retried');
    assert.equal(registry.get('protected')!.state.state, 'error');
  });

  it('without an auth provider, reports that the server requires authorization', async () => {
    const fixture = await startOAuthFixture();
    const registry = new SessionRegistry({ pingIntervalMs: 0 });
    cleanups.push(() => registry.shutdown());
    registry.reconcile([definition(fixture)]);
    const error = await rejection(registry.start('protected'));
    assert.equal(error.code, 'start-failed');
    assert.match(error.message, /requires authorization \(HTTP 401\)/);
  });

  describe('URLs from hostile metadata', () => {
    /** Starts "protected" against the fixture and returns the start's error; the browser must stay closed. */
    async function refusedStart(fixture: OAuthFixture): Promise<{ error: McpSessionError; browser: Browser }> {
      const browser = new Browser();
      const registry = registryFor(fixture, new FileTokenStore(join(workDir, 'oauth.json')), browser);
      const error = await rejection(registry.start('protected'));
      assert.equal(browser.opened.length, 0, 'no browser opened');
      assert.equal((await oauthFixtureStats(fixture)).requests['GET /authorize'], undefined, 'no authorization request');
      assert.equal(registry.get('protected')!.state.state, 'error');
      return { error, browser };
    }

    for (const endpoint of ['file:///etc/passwd', 'vscode://vscode.git/clone?url=https://evil.example/repo.git']) {
      it(`refuses the authorization endpoint ${endpoint.split(':')[0]}: before anything opens`, async () => {
        const fixture = await startOAuthFixture([`--authorization-endpoint=${endpoint}`]);
        const { error } = await refusedStart(fixture);
        assert.equal(error.code, 'start-failed');
        assert.match(error.message, /^Signing in to "protected" was refused: its authorization endpoint is /);
        assert.ok(error.message.includes(new URL(endpoint).href), error.message);
        assert.match(error.message, /only https: URLs, or http: to this machine, are allowed/);
        assert.equal(error.details.retryable, false);
        assert.equal((await oauthFixtureStats(fixture)).registrations, 0, 'the metadata was refused before registering');
      });
    }

    // The SDK's metadata schema refuses these two itself, with its own message.
    for (const endpoint of ['javascript:alert(1)', 'data:text/html,<script>1</script>']) {
      it(`refuses the authorization endpoint ${endpoint.split(':')[0]}: before anything opens`, async () => {
        const fixture = await startOAuthFixture([`--authorization-endpoint=${endpoint}`]);
        const { error } = await refusedStart(fixture);
        assert.match(error.message, /authorization_endpoint/);
      });
    }

    it('refuses a registration endpoint over http to another host, without sending anything there', async () => {
      const fixture = await startOAuthFixture(['--registration-endpoint=http://metadata.internal.invalid/register']);
      const { error } = await refusedStart(fixture);
      assert.equal(error.message, 'Signing in to "protected" was refused: its registration endpoint is http://metadata.internal.invalid/register, and only https: URLs, or http: to this machine, are allowed.');
    });

    it('refuses a resource_metadata URL on another origin: the other origin gets no request', async () => {
      const elsewhere = await startOAuthFixture();
      const target = `${elsewhere.issuer}/.well-known/oauth-protected-resource/mcp`;
      const fixture = await startOAuthFixture([`--resource-metadata=${target}`]);
      const { error } = await refusedStart(fixture);
      assert.match(error.message, /protected resource metadata URL http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp is not on the server's origin/);
      assert.ok(error.message.includes(target));
      assert.deepEqual((await oauthFixtureStats(elsewhere)).requests, {}, 'nothing reached the other origin');
      assert.equal((await oauthFixtureStats(fixture)).requests['POST /register'], undefined);
    });

    it('refuses authorization server metadata whose issuer is another server', async () => {
      const fixture = await startOAuthFixture(['--issuer=https://issuer.elsewhere.example']);
      const { error } = await refusedStart(fixture);
      assert.match(error.message, /names another issuer \(https:\/\/issuer\.elsewhere\.example\)/);
      assert.equal((await oauthFixtureStats(fixture)).registrations, 0);
    });

    it('escapes a hostile URL in the message', async () => {
      const fixture = await startOAuthFixture(['--authorization-endpoint=vscode://x/[click](command:workbench.action.openSettings)']);
      const { error } = await refusedStart(fixture);
      assert.ok(!/\]\(command:/.test(error.message), error.message);
    });
  });

  describe('consent', () => {
    const background: SignInConsent = { canAsk: () => false, confirm: async () => assert.fail('nobody is there to ask') };

    it('a start nobody waits on fails with needs-sign-in before any OAuth request, and opens nothing', async () => {
      const fixture = await startOAuthFixture();
      const browser = new Browser();
      const registry = registryFor(fixture, new FileTokenStore(join(workDir, 'oauth.json')), browser, { consent: background });
      const error = await rejection(registry.start('protected'));
      assert.equal(error.code, 'needs-sign-in');
      assert.equal(error.message, '"protected" needs you to sign in. It was not started in the background; use Sign In on the server.');
      assert.equal(browser.opened.length, 0);
      assert.deepEqual(Object.keys((await oauthFixtureStats(fixture)).requests), ['POST /mcp'], 'only the MCP request that got the 401');
      assert.equal(registry.get('protected')!.state.state, 'error');
    });

    it('asks with the server and the authorization URL; a no fails with needs-sign-in and opens nothing', async () => {
      const fixture = await startOAuthFixture();
      const browser = new Browser();
      const asked: Array<{ server: string; host: string }> = [];
      const consent: SignInConsent = { canAsk: () => true, confirm: async (server, url) => (asked.push({ server, host: url.host }), false) };
      const registry = registryFor(fixture, new FileTokenStore(join(workDir, 'oauth.json')), browser, { consent });
      const error = await rejection(registry.start('protected'));
      assert.equal(error.code, 'needs-sign-in');
      assert.match(error.message, /was declined/);
      assert.deepEqual(asked, [{ server: 'protected', host: new URL(fixture.issuer).host }]);
      assert.equal(browser.opened.length, 0);
      assert.equal((await oauthFixtureStats(fixture)).requests['GET /authorize'], undefined);
    });

    it('a yes opens the browser; a background start with a refresh token at hand refreshes without asking', async () => {
      const fixture = await startOAuthFixture();
      const browser = new Browser();
      let someoneThere = true;
      const consent: SignInConsent = { canAsk: () => someoneThere, confirm: async () => true };
      const file = join(workDir, 'oauth.json');
      const first = registryFor(fixture, new FileTokenStore(file), browser, { consent });
      assert.equal(textOf(await first.callTool('protected', 'echo', { text: 'yes' })), 'yes');
      await first.shutdown();
      assert.equal(browser.opened.length, 1);

      someoneThere = false;
      await control(fixture, 'expire-tokens');
      const second = registryFor(fixture, new FileTokenStore(file), browser, { consent });
      assert.equal(textOf(await second.callTool('protected', 'echo', { text: 'refreshed' })), 'refreshed');
      assert.equal(browser.opened.length, 1, 'no browser for a refresh');
      assert.ok((await oauthFixtureStats(fixture)).tokens.refresh_token >= 1);
    });

    it('a restart after a crash, with nobody to ask, ends in needs-sign-in: no browser, no restart loop', async () => {
      const first = await startOAuthFixture();
      const port = new URL(first.url).port;
      const browser = new Browser();
      let someoneThere = true;
      const consent: SignInConsent = { canAsk: () => someoneThere, confirm: async () => true };
      const registry = registryFor(first, new FileTokenStore(join(workDir, 'oauth.json')), browser, { consent, pingIntervalMs: 200 });
      assert.equal(textOf(await registry.callTool('protected', 'echo', { text: 'signed in' })), 'signed in');
      assert.equal(browser.opened.length, 1);

      // The server restarts on the same port and has forgotten every client and token.
      someoneThere = false;
      first.child.kill('SIGTERM');
      await new Promise((resolve) => first.child.once('exit', resolve));
      const second = await startOAuthFixture([`--port=${port}`]);
      const session = registry.get('protected')!;
      await eventually(() => (session.state.state === 'error' && /needs you to sign in/.test(session.state.message)) || undefined, 15_000, 'the restart to stop at the sign-in');
      const requestsThen = (await oauthFixtureStats(second)).requests['POST /mcp'];
      await delay(2000);
      assert.equal((await oauthFixtureStats(second)).requests['POST /mcp'], requestsThen, 'no further restart attempt');
      assert.equal(session.state.state, 'error');
      assert.equal(browser.opened.length, 1, 'no browser for the restart');
      assert.equal((await oauthFixtureStats(second)).requests['GET /authorize'], undefined);
    });
  });

  describe('connect timeout', () => {
    it('pauses while the user is asked and signs in: a 4 s sign-in fits in a 1 s connect timeout', async () => {
      const fixture = await startOAuthFixture();
      const browser = new Browser();
      browser.delayMs = 2500;
      const consent: SignInConsent = { canAsk: () => true, confirm: () => new Promise((resolve) => setTimeout(() => resolve(true), 1500)) };
      const registry = registryFor(fixture, new FileTokenStore(join(workDir, 'oauth.json')), browser, { consent, connectTimeoutMs: 1000 });
      const started = Date.now();
      await registry.start('protected');
      assert.ok(Date.now() - started >= 4000, 'the sign-in took longer than the connect timeout');
      assert.equal(registry.get('protected')!.state.state, 'running');
      assert.equal(textOf(await registry.callTool('protected', 'echo', { text: 'in time' })), 'in time');
    });
  });

  describe('LoopbackRedirectHandler', () => {
    it('answers only the redirect with the expected state, then stops listening', async () => {
      let redirectUri = '';
      const handler = new LoopbackRedirectHandler({
        open: async () => {
          const stray = await fetch(`${redirectUri}?code=stolen&state=other`);
          assert.equal(stray.status, 400);
          assert.equal((await fetch(new URL('/elsewhere', redirectUri))).status, 404);
          const good = await fetch(`${redirectUri}?code=the-code&state=s1`);
          assert.equal(good.status, 200);
          assert.match(await good.text(), /close this tab/);
        },
      });
      redirectUri = await handler.prepare();
      assert.match(redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
      const response = await handler.openAuthorizationUrl(new URL('https://as.example/authorize?state=s1'));
      assert.deepEqual(response, { code: 'the-code', iss: undefined });
      await assert.rejects(fetch(redirectUri), 'the listener closed after use');
    });

    it('reuses a preferred loopback port when it is free', async () => {
      const handler = new LoopbackRedirectHandler({ open: () => undefined });
      const first = await handler.prepare();
      handler.release();
      const second = await handler.prepare(first);
      handler.release();
      assert.equal(second, first);
    });

    it('times out and releases the port', async () => {
      const handler = new LoopbackRedirectHandler({ open: () => undefined, timeoutMs: 200 });
      const uri = await handler.prepare();
      await assert.rejects(handler.openAuthorizationUrl(new URL('https://as.example/authorize?state=x')), /No authorization arrived within/);
      await assert.rejects(fetch(uri));
    });
  });

  describe('FileTokenStore', () => {
    it('keeps records per server, rewrites with 0600 even over a looser file, and deletes', async () => {
      const file = join(workDir, 'nested', 'tokens.json');
      const store = new FileTokenStore(file);
      assert.equal(await store.get('a'), undefined);
      await store.set('a', { tokens: { access_token: 'A', token_type: 'Bearer' } });
      await Promise.all([store.set('b', { tokens: { access_token: 'B', token_type: 'Bearer' } }), store.set('c', {})]);
      assert.equal((await store.get('a'))?.tokens?.access_token, 'A');
      assert.equal((await store.get('b'))?.tokens?.access_token, 'B');
      assert.equal(statSync(file).mode & 0o777, 0o600);

      writeFileSync(file, readFileSync(file), { mode: 0o644 });
      await store.delete('a');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(await store.get('a'), undefined);
      assert.deepEqual(Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { servers: object }).servers).sort(), ['b', 'c']);
    });

    it('makes an existing 0777 folder 0700 and the file 0600 on every write', async () => {
      const folder = join(workDir, 'state');
      mkdirSync(folder);
      chmodSync(folder, 0o777);
      const file = join(folder, 'tokens.json');
      const store = new FileTokenStore(file);
      await store.set('a', { tokens: { access_token: 'A', token_type: 'Bearer' } });
      assert.equal(statSync(folder).mode & 0o777, 0o700);
      assert.equal(statSync(file).mode & 0o777, 0o600);

      chmodSync(folder, 0o755);
      chmodSync(file, 0o666);
      await store.set('b', {});
      assert.equal(statSync(folder).mode & 0o777, 0o700, 'checked again on the next write');
      assert.equal(statSync(file).mode & 0o777, 0o600);
    });

    it('refuses a token file that is a symbolic link, and leaves its target alone', async () => {
      const target = join(workDir, 'elsewhere.json');
      writeFileSync(target, JSON.stringify({ version: 1, servers: { planted: { tokens: { access_token: 'P', token_type: 'Bearer' } } } }), { mode: 0o644 });
      const file = join(workDir, 'tokens.json');
      symlinkSync(target, file);
      const store = new FileTokenStore(file);
      await assert.rejects(store.set('a', { tokens: { access_token: 'A', token_type: 'Bearer' } }), /tokens\.json is a symbolic link; it was not used/);
      await assert.rejects(store.get('planted'), /is a symbolic link/);
      assert.ok(lstatSync(file).isSymbolicLink());
      assert.ok(!readFileSync(target, 'utf8').includes('"A"'), 'nothing written through the link');
      assert.equal(statSync(target).mode & 0o777, 0o644);
    });

    it('keys records by URL without query or fragment', () => {
      assert.equal(oauthStoreKey('https://mcp.example.com/v1/mcp?token=secret#x'), 'https://mcp.example.com/v1/mcp');
    });
  });

  describe('authorizingFetch', () => {
    it('passes requests through untouched when no challenge comes back', async () => {
      const seen: Headers[] = [];
      const wrapped = authorizingFetch(
        { tokens: () => undefined } as unknown as OAuthProvider,
        'http://127.0.0.1:1/mcp',
        { fetch: async (_url, init) => (seen.push(new Headers(init?.headers)), new Response('ok', { status: 200 })) },
      );
      const response = await wrapped('http://127.0.0.1:1/mcp', { headers: { 'x-custom': '1' } });
      assert.equal(await response.text(), 'ok');
      assert.equal(seen[0]!.get('x-custom'), '1');
      assert.equal(seen[0]!.get('authorization'), null);
    });
  });
});

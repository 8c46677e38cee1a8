// The loopback gateway (src/core/gateway) against a registry of real fixture server processes,
// driven by independent clients: the SDK's v1 client (2025-11-25, sessions) and its v2 client
// (2026-07-28 through `server/discover`). Raw HTTP requests check the front door: the token,
// the Host and Origin checks, the size and rate limits, the loopback-only listener.
import * as assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttp } from '@modelcontextprotocol/client';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as LegacyHttp } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, ResourceUpdatedNotificationSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { decliningClientRequests } from '../../src/core/clientRequests';
import type { StdioServerDefinition } from '../../src/core/definitions';
import { ClientRequestRouter } from '../../src/core/gateway/clientRequestRouter';
import { findGateways, removeDiscoveryFile, writeDiscoveryFile, type GatewayRecord } from '../../src/core/gateway/discovery';
import { McpGateway, type GatewayOptions } from '../../src/core/gateway/gateway';
import { SessionRegistry } from '../../src/core/registry';
import { eventually, FixtureTracker, textOf } from '../support/processes';

const clientInfo = { name: 'gateway-test', version: '1.0.0' };

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with exactly these headers (fetch would not let a test set Host). */
function raw(port: number, headers: Record<string, string>, body = '', path = '/mcp/echo', host = '127.0.0.1'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host, port, path, method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** In order, from step 1; the SDK may drop a progress notification that arrives together with the result (see interop.test.ts). */
function assertProgress(progress: number[]): void {
  assert.ok(progress.length >= 3, `${progress.length} progress updates of 4`);
  assert.deepEqual(progress, [1, 2, 3, 4].slice(0, progress.length));
}

const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo } });

describe('gateway', function () {
  this.timeout(60_000);
  const fixtures = new FixtureTracker();
  let dir: string;
  let events: string;
  let registry: SessionRegistry;
  let gateway: McpGateway;
  const disabled = new Set<string>();
  const closers: Array<() => Promise<unknown>> = [];

  const recorded = (): Array<Record<string, unknown>> =>
    existsSync(events)
      ? readFileSync(events, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Record<string, unknown>)
      : [];

  function server(name: string, flags: string[] = []): StdioServerDefinition {
    const def = fixtures.stdio(name, flags);
    return { ...def, env: { MCP_FIXTURE_EVENTS: events } };
  }

  async function startGateway(options: Partial<GatewayOptions> = {}): Promise<void> {
    gateway = await McpGateway.start({ registry, version: '0.0.0-test', router, isToolEnabled: (s, tool) => !disabled.has(`${s}/${tool}`), ...options });
  }

  let router: ClientRequestRouter;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcp-gateway-'));
    events = join(dir, 'events.jsonl');
    disabled.clear();
    router = new ClientRequestRouter(decliningClientRequests);
    registry = new SessionRegistry({ clientRequests: router, stdinGraceMs: 500, termGraceMs: 500 });
    registry.reconcile([server('echo', ['--confirm']), server('broken', ['--exit-before-init']), server('odd name/ü'), server('workbench', ['--workbench'])]);
    await startGateway();
  });

  afterEach(async () => {
    for (const close of closers.splice(0)) await close().catch(() => undefined);
    await gateway.close();
    await registry.shutdown();
    await fixtures.assertNoneAlive();
    fixtures.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  function legacyClient(capabilities = {}, serverName = 'echo'): { client: LegacyClient; transport: LegacyHttp } {
    const client = new LegacyClient(clientInfo, { capabilities });
    const transport = new LegacyHttp(new URL(gateway.url(serverName)), { requestInit: { headers: gateway.headers } });
    closers.push(() => client.close());
    return { client, transport };
  }

  function modernClient(serverName = 'echo'): { client: ModernClient; transport: ModernHttp } {
    const client = new ModernClient(clientInfo, { versionNegotiation: { mode: 'auto' } });
    const transport = new ModernHttp(new URL(gateway.url(serverName)), { requestInit: { headers: gateway.headers } });
    closers.push(() => client.close());
    return { client, transport };
  }

  it('serves a v1 (2025) client: switched-off tools hidden, calls, progress, cancellation seen by the server, list changes, elicitation', async () => {
    disabled.add('echo/fail');
    const { client, transport } = legacyClient({ elicitation: {} });
    const asked: string[] = [];
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      asked.push(request.params.message);
      return Promise.resolve({ action: 'accept', content: { ok: true } });
    });
    let listChanges = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void listChanges++);
    await client.connect(transport);

    const names = (await client.listTools()).tools.map((t) => t.name);
    assert.ok(names.includes('echo') && names.includes('slow'), names.join());
    assert.ok(!names.includes('fail'), 'a switched-off tool is not listed');
    await assert.rejects(client.callTool({ name: 'fail', arguments: {} }), /switched off/);
    assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { text: 'hello' } })), 'hello');

    const progress: number[] = [];
    await client.callTool({ name: 'slow', arguments: { ms: 200, steps: 4 } }, undefined, { onprogress: (p) => void progress.push(p.progress) });
    assertProgress(progress);

    const controller = new AbortController();
    let updates = 0;
    await assert.rejects(
      client.callTool({ name: 'slow', arguments: { ms: 20_000, steps: 100 } }, undefined, {
        signal: controller.signal,
        onprogress: () => {
          if (++updates === 2) controller.abort();
        },
      }),
    );
    await eventually(() => recorded().some((e) => e.event === 'cancelled'), 5000, 'the fixture to see the cancellation');

    // The session's GET stream (opened after initialize) carries the list change.
    await client.callTool({ name: 'add_tool', arguments: { name: 'late' } });
    await eventually(() => listChanges > 0, 5000, 'notifications/tools/list_changed');
    assert.ok((await client.listTools()).tools.some((t) => t.name === 'late'));

    assert.equal(textOf(await client.callTool({ name: 'confirm', arguments: { message: 'Go on?' } })), 'confirmed: {"action":"accept","content":{"ok":true}}');
    assert.deepEqual(asked, ['Go on?']);
    assert.equal(recorded().filter((e) => e.event === 'spawn').length, 1, 'one server process for every call');
  });

  it('serves a v2 (2026-07-28) client: calls, progress, cancellation seen by the server, list changes on subscriptions/listen', async () => {
    const { client, transport } = modernClient();
    let listChanges = 0;
    client.setNotificationHandler('notifications/tools/list_changed', () => void listChanges++);
    await client.connect(transport);
    assert.equal(client.getProtocolEra(), 'modern');
    assert.ok((await client.listTools()).tools.some((t) => t.name === 'echo'));
    assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { text: 'modern' } })), 'modern');

    const progress: number[] = [];
    await client.callTool({ name: 'slow', arguments: { ms: 200, steps: 4 } }, { onprogress: (p) => void progress.push(p.progress) });
    assertProgress(progress);

    const controller = new AbortController();
    let updates = 0;
    await assert.rejects(
      client.callTool({ name: 'slow', arguments: { ms: 20_000, steps: 100 } }, {
        signal: controller.signal,
        onprogress: () => {
          if (++updates === 2) controller.abort();
        },
      }),
    );
    await eventually(() => recorded().some((e) => e.event === 'cancelled'), 5000, 'the fixture to see the cancellation');

    await client.listen({ toolsListChanged: true });
    disabled.add('echo/echo');
    gateway.notifyToolsChanged('echo');
    await eventually(() => listChanges > 0, 5000, 'notifications/tools/list_changed on the listen stream');
    assert.ok(!(await client.listTools()).tools.some((t) => t.name === 'echo'), 'the switched-off tool is gone');
    assert.equal(recorded().filter((e) => e.event === 'spawn').length, 1);
  });

  /** The workbench server's `fixture: subscribe <uri>` / `fixture: unsubscribe <uri>` lines. */
  const subscriptionLog = (): string[] =>
    registry
      .get('workbench')!
      .logLines()
      .filter((l) => l.stream === 'stderr' && /^fixture: (un)?subscribe /.test(l.text))
      .map((l) => l.text);

  it('forwards resource templates, completions and resource subscriptions to a v1 (2025) client; unsubscribe and the session ending end them', async () => {
    const { client, transport } = legacyClient({}, 'workbench');
    const updates: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
    await client.connect(transport);
    assert.ok(client.getServerCapabilities()?.completions, 'completions declared');
    assert.equal(client.getServerCapabilities()?.resources?.subscribe, true);

    assert.deepEqual(
      (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate),
      ['fixture://greeting/{name}'],
    );
    const names = await client.complete({ ref: { type: 'ref/resource', uri: 'fixture://greeting/{name}' }, argument: { name: 'name', value: 'al' } });
    assert.deepEqual(names.completion.values, ['alice', 'albert']);
    const styles = await client.complete({ ref: { type: 'ref/prompt', name: 'greet' }, argument: { name: 'style', value: 'p' } });
    assert.deepEqual(styles.completion.values, ['pirate']);

    await client.subscribeResource({ uri: 'fixture://counter' });
    await client.callTool({ name: 'bump', arguments: {} });
    await eventually(() => updates.length === 1, 5000, 'notifications/resources/updated after bump');
    assert.deepEqual(updates, ['fixture://counter']);

    await client.unsubscribeResource({ uri: 'fixture://counter' });
    await eventually(() => subscriptionLog().includes('fixture: unsubscribe fixture://counter'), 5000, 'the server-side unsubscription');
    await client.callTool({ name: 'bump', arguments: {} });
    await client.readResource({ uri: 'fixture://counter' });
    assert.deepEqual(updates, ['fixture://counter'], 'no update after unsubscribe');

    // A session that ends takes its subscriptions with it.
    const second = legacyClient({}, 'workbench');
    await second.client.connect(second.transport);
    await second.client.subscribeResource({ uri: 'fixture://counter' });
    await second.transport.terminateSession();
    await eventually(() => subscriptionLog().filter((line) => line === 'fixture: unsubscribe fixture://counter').length === 2, 5000, 'the subscription of the ended session to end');

    // A server that offers no subscriptions: a clear error naming it.
    const plain = legacyClient();
    await plain.client.connect(plain.transport);
    await assert.rejects(plain.client.subscribeResource({ uri: 'fixture://counter' }), /"echo" does not offer resource subscriptions/);
  });

  it('forwards resource templates, completions and resource updates on subscriptions/listen to a v2 (2026-07-28) client; closing the stream ends the subscription', async () => {
    const { client, transport } = modernClient('workbench');
    const updates: string[] = [];
    client.setNotificationHandler('notifications/resources/updated', (n) => void updates.push(n.params.uri));
    await client.connect(transport);
    assert.equal(client.getProtocolEra(), 'modern');
    assert.deepEqual(
      (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate),
      ['fixture://greeting/{name}'],
    );
    const names = await client.complete({ ref: { type: 'ref/prompt', name: 'greet' }, argument: { name: 'name', value: 'b' } });
    assert.deepEqual(names.completion.values, ['bob']);

    const listening = await client.listen({ resourceSubscriptions: ['fixture://counter'] });
    await eventually(() => subscriptionLog().includes('fixture: subscribe fixture://counter'), 5000, 'the server-side subscription');
    await client.callTool({ name: 'bump', arguments: {} });
    await eventually(() => updates.length === 1, 5000, 'notifications/resources/updated on the listen stream');
    assert.deepEqual(updates, ['fixture://counter']);

    await listening.close();
    await eventually(() => subscriptionLog().includes('fixture: unsubscribe fixture://counter'), 5000, 'the server-side unsubscription when the stream closes');
  });

  it('starts a stopped server on first use, never stops it, and names the reason of a server that cannot start', async () => {
    assert.equal(registry.get('echo')!.state.state, 'stopped');
    const { client, transport } = legacyClient();
    await client.connect(transport);
    assert.equal(registry.get('echo')!.state.state, 'stopped', 'connecting alone starts nothing');
    await client.callTool({ name: 'echo', arguments: { text: 'x' } });
    assert.equal(registry.get('echo')!.state.state, 'running');
    await client.close();
    assert.equal(registry.get('echo')!.state.state, 'running', 'a gateway client going away does not stop the server');

    const broken = new LegacyClient(clientInfo);
    closers.push(() => broken.close());
    await broken.connect(new LegacyHttp(new URL(gateway.url('broken')), { requestInit: { headers: gateway.headers } }));
    await assert.rejects(broken.listTools(), /"broken".*(exited with code 3|fatal configuration error)/s);

    const odd = new LegacyClient(clientInfo);
    closers.push(() => odd.close());
    await odd.connect(new LegacyHttp(new URL(gateway.url('odd name/ü')), { requestInit: { headers: gateway.headers } }));
    assert.equal(textOf(await odd.callTool({ name: 'echo', arguments: { text: 'odd' } })), 'odd');
  });

  it('refuses requests without the token (401), with a foreign Host or any Origin (403), unknown servers (404), and sends no CORS headers', async () => {
    const auth = gateway.headers;
    const port = gateway.port;
    const ok = await raw(port, auth, initialize);
    assert.equal(ok.status, 200, ok.body);
    assert.ok(!Object.keys(ok.headers).some((h) => h.startsWith('access-control-')));

    assert.equal((await raw(port, {}, initialize)).status, 401);
    assert.equal((await raw(port, { Authorization: `Bearer ${'A'.repeat(43)}` }, initialize)).status, 401);
    assert.equal((await raw(port, { Authorization: gateway.token }, initialize)).status, 401, 'the token without the Bearer scheme');
    assert.equal((await raw(port, { ...auth, Host: `evil.example:${port}` }, initialize)).status, 403);
    assert.equal((await raw(port, { ...auth, Host: `127.0.0.1:${port + 1}` }, initialize)).status, 403);
    assert.equal((await raw(port, { ...auth, Host: `localhost:${port}` }, initialize)).status, 200);
    const cors = await raw(port, { ...auth, Origin: `http://127.0.0.1:${port}` }, initialize);
    assert.equal(cors.status, 403);
    assert.ok(!Object.keys(cors.headers).some((h) => h.startsWith('access-control-')));
    assert.equal((await raw(port, { ...auth, Origin: 'null' }, initialize)).status, 403);
    assert.equal((await raw(port, auth, initialize, '/mcp/nobody')).status, 404);
    assert.equal((await raw(port, auth, initialize, '/mcp/%E0%A4%A')).status, 404);
    assert.equal((await raw(port, auth, initialize, '/other')).status, 404);
  });

  it('refuses a body over the size limit (413) and a connection past its rate (429)', async () => {
    await gateway.close();
    await startGateway({ maxBodyBytes: 1024, rateLimit: { burst: 3, perSecond: 0.01 } });
    const tooBig = await raw(gateway.port, gateway.headers, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(2000) } }));
    assert.equal(tooBig.status, 413);

    const { Agent } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        await new Promise<number>((resolve, reject) => {
          const headers = { ...gateway.headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
          const req = httpRequest({ host: '127.0.0.1', port: gateway.port, path: '/mcp/echo', method: 'POST', agent, headers }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject);
          req.end(initialize);
        }),
      );
    }
    agent.destroy();
    assert.deepEqual(statuses.slice(0, 3), [200, 200, 200]);
    assert.equal(statuses[3], 429);
  });

  it('listens on 127.0.0.1 only', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal);
    const refused = (host: string) =>
      new Promise<string>((resolve) => {
        const socket = connect({ host, port: gateway.port });
        socket.once('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
    assert.equal(await refused('127.0.0.1'), 'connected');
    if (external) assert.equal(await refused(external.address), 'ECONNREFUSED', `connecting on ${external.address}`);
    assert.equal(await refused('::1').then((r) => r !== 'connected'), true, 'nothing on IPv6 loopback');
    assert.equal(gateway.address, '127.0.0.1');
  });

  it('writes its discovery file with mode 0600 in a 0700 folder, removes it, and readers skip dead or foreign entries', async () => {
    const runtime = join(dir, 'run');
    const record: GatewayRecord = { port: gateway.port, token: gateway.token, workspace: '/some/ws', pid: process.pid, version: '1', host: 'serve', startedAt: Date.now() };
    const path = writeDiscoveryFile(record, runtime);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(runtime).mode & 0o777, 0o700);
    assert.deepEqual(findGateways('/some/ws', runtime), [record]);
    assert.deepEqual(findGateways('/other/ws', runtime), []);

    writeFileSync(join(runtime, 'gateway-99999999-1.json'), JSON.stringify({ ...record, pid: 99_999_999 }), { mode: 0o600 });
    writeFileSync(join(runtime, 'gateway-1234-2.json'), JSON.stringify({ ...record, startedAt: Date.now() + 1 }), { mode: 0o644 });
    writeFileSync(join(runtime, 'gateway-1235-3.json'), '{"port":"x"}', { mode: 0o600 });
    assert.deepEqual(findGateways('/some/ws', runtime), [record], 'dead pids, readable files and garbage are skipped');

    writeDiscoveryFile({ ...record, port: record.port + 1 }, runtime);
    assert.equal(existsSync(join(runtime, 'gateway-99999999-1.json')), false, 'a writer sweeps files of dead gateways');
    removeDiscoveryFile(join(runtime, `gateway-${process.pid}-${record.port + 1}.json`));

    removeDiscoveryFile(path);
    assert.equal(existsSync(path), false);
    assert.deepEqual(findGateways('/some/ws', runtime), []);
  });
});

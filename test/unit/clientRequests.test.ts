// What servers ask of the client (roots, sampling, URL elicitation) reaches the one set of
// handlers the registry is given, in both protocol eras, against real fixture servers (v1 SDK:
// 2025 requests; v2 SDK: 2026-07-28 input_required). notifyRootsChanged tells running 2025
// servers only.

import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import type { RegistryOptions } from '../../src/core/api';
import type { ClientRequestHandlers } from '../../src/core/clientRequests';
import type { StdioServerDefinition } from '../../src/core/definitions';
import { SessionRegistry } from '../../src/core/registry';
import { FixtureTracker, rejection, textOf } from '../support/processes';
import { fixturesDir } from '../support/paths';

const fast: RegistryOptions = { stdinGraceMs: 300, termGraceMs: 300, connectTimeoutMs: 10_000 };

describe('client requests (roots, sampling, URL elicitation)', function () {
  this.timeout(30_000);
  const fixtures = new FixtureTracker();
  let registry: SessionRegistry | undefined;
  let roots = [{ uri: 'file:///work/one', name: 'one' }];
  const asked: string[] = [];

  const handlers: ClientRequestHandlers = {
    listRoots: async (server) => {
      asked.push(`${server}: roots`);
      return { roots };
    },
    createMessage: async (server, params) => {
      asked.push(`${server}: sampling ${params.maxTokens}`);
      return { role: 'assistant', model: 'test-model', content: { type: 'text', text: 'a completion' } };
    },
    elicit: async (server, params) => {
      asked.push(`${server}: ${params.mode} ${params.mode === 'url' ? params.url : ''}`);
      return { action: 'accept' };
    },
    capabilities: { elicitation: { form: { applyDefaults: true }, url: {} } },
  };

  /** The v1 fixture (2025 only) and the v2 fixture in its 2026-07-28-only mode, both with --client-requests. */
  function servers(): StdioServerDefinition[] {
    const modern: StdioServerDefinition = {
      kind: 'stdio',
      name: 'modern',
      command: process.execPath,
      args: [join(fixturesDir, 'v2-stdio-server.mjs'), '--modern-only', '--client-requests', `--pid-dir=${fixtures.pidDir()}`],
      env: {},
      source: { label: 'test' },
    };
    return [fixtures.stdio('legacy', ['--client-requests']), modern];
  }

  function open(clientRequests?: ClientRequestHandlers): SessionRegistry {
    registry = new SessionRegistry({ ...fast, clientRequests });
    registry.reconcile(servers());
    return registry;
  }

  afterEach(async () => {
    await registry?.shutdown(2000);
    registry = undefined;
    asked.length = 0;
    roots = [{ uri: 'file:///work/one', name: 'one' }];
    await fixtures.assertNoneAlive();
    fixtures.cleanup();
  });

  it('roots reach a 2025 server (roots/list) and a 2026-07-28 server (input_required) from one handler', async () => {
    open(handlers);
    const legacy = await registry!.callTool('legacy', 'roots');
    assert.equal(textOf(legacy), `roots: ${JSON.stringify({ roots, listChanged: 0 })}`);
    const modern = await registry!.callTool('modern', 'roots');
    assert.equal(textOf(modern), `roots: ${JSON.stringify({ roots })}`);
    assert.deepEqual(asked, ['legacy: roots', 'modern: roots']);
  });

  it('notifyRootsChanged tells the running 2025 server, not the 2026-07-28 one, and the next roots/list has the new folders', async () => {
    open(handlers);
    await registry!.start('legacy');
    await registry!.start('modern');
    roots = [...roots, { uri: 'file:///work/two', name: 'two' }];
    assert.deepEqual(await registry!.notifyRootsChanged(), ['legacy']);
    const legacy = await registry!.callTool('legacy', 'roots');
    assert.equal(textOf(legacy), `roots: ${JSON.stringify({ roots, listChanged: 1 })}`);
    assert.match(registry!.get('legacy')!.logLines().map((l) => l.text).join('\n'), /told the server that the roots changed/);
  });

  it('a stopped server is not told, and a registry without a roots handler tells nobody', async () => {
    open({ elicit: handlers.elicit });
    await registry!.start('legacy');
    assert.deepEqual(await registry!.notifyRootsChanged(), []);
    await registry!.shutdown(2000);
    open(handlers);
    assert.deepEqual(await registry!.notifyRootsChanged(), [], 'nothing is running');
  });

  it('sampling and URL elicitation reach the handlers in both eras', async () => {
    open(handlers);
    const completion = { role: 'assistant', model: 'test-model', content: { type: 'text', text: 'a completion' } };
    for (const server of ['legacy', 'modern']) {
      const sampled = textOf(await registry!.callTool(server, 'sample', { prompt: 'Hi', maxTokens: 42 }));
      assert.deepEqual(JSON.parse(sampled.replace(/^sampled: /, '')), completion);
      assert.equal(textOf(await registry!.callTool(server, 'open_url', { url: 'https://example.com/auth' })), 'opened: {"action":"accept"}');
    }
    assert.deepEqual(asked, [
      'legacy: sampling 42',
      'legacy: url https://example.com/auth',
      'modern: sampling 42',
      'modern: url https://example.com/auth',
    ]);
  });

  it('a pending prompt learns through its signal that the call was cancelled (2026-07-28) or the server stopped (2025)', async () => {
    const aborted: string[] = [];
    let asking!: () => void;
    const pendingUntilAborted: ClientRequestHandlers = {
      elicit: (server, _params, signal) =>
        new Promise((_resolve, reject) => {
          asking();
          signal?.addEventListener('abort', () => {
            aborted.push(server);
            reject(new Error('prompt closed'));
          });
        }),
      capabilities: handlers.capabilities,
    };
    open(pendingUntilAborted);
    const controller = new AbortController();
    let asked = new Promise<void>((resolve) => (asking = resolve));
    const modernCall = registry!.callTool('modern', 'open_url', { url: 'https://example.com/' }, { signal: controller.signal });
    await asked;
    controller.abort();
    await rejection(modernCall, 'cancelled');
    assert.deepEqual(aborted, ['modern']);

    asked = new Promise<void>((resolve) => (asking = resolve));
    const legacyCall = registry!.callTool('legacy', 'open_url', { url: 'https://example.com/' });
    await asked;
    const legacyFailed = rejection(legacyCall);
    await registry!.stop('legacy');
    await legacyFailed;
    assert.deepEqual(aborted, ['modern', 'legacy']);
  });

  it('without handlers (the CLI) roots and sampling are not offered: 2025 servers get an error, 2026 calls fail naming the server', async () => {
    open();
    const legacy = await rejection(registry!.callTool('legacy', 'roots'), 'tool-error');
    assert.match(legacy.message, /roots failed: MCP error -32601: Method not found/);
    const modern = await rejection(registry!.callTool('modern', 'sample', { prompt: 'Hi' }));
    assert.match(modern.message, /^"modern" refused the call of "sample": it needs a client capability this client does not offer \(MCP error -32021/);
  });
});

// Sanity suite for the fixtures of both protocol eras (v2-stdio-server.mjs, v2-http-server.mjs,
// stdio-server.mjs --exit-on-probe --confirm), driven by the RAW SDK clients (v2 with version negotiation,
// v1 for 2025), so a failure here is a fixture problem, not a product problem.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttp } from '@modelcontextprotocol/client';
import { StdioClientTransport as ModernStdio } from '@modelcontextprotocol/client/stdio';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as LegacyStdio } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as LegacyHttp } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { fixturesDir } from '../support/paths';
import { eventually, isAlive, textOf } from '../support/processes';

const V2_STDIO = join(fixturesDir, 'v2-stdio-server.mjs');
const V2_HTTP = join(fixturesDir, 'v2-http-server.mjs');
const STDIO = join(fixturesDir, 'stdio-server.mjs');
const V2_TOOLS = ['echo', 'add', 'slow', 'crash', 'big', 'fail', 'log', 'pid'];
const clientInfo = { name: 'fixtures-v2-test', version: '1.0.0' };

interface RecordedEvent {
  pid: number;
  event: string;
  era?: string;
}

describe('fixture MCP servers of both eras (v2 SDK)', function () {
  this.timeout(20_000);
  let dir: string;
  let events: string;
  const children: ChildProcess[] = [];
  /** Clients to close after each test, so a failed assertion leaves no stdio server running. */
  const clients: Array<{ close(): Promise<void> }> = [];
  function tracked<T extends { close(): Promise<void> }>(client: T): T {
    clients.push(client);
    return client;
  }

  const recorded = (): RecordedEvent[] =>
    existsSync(events) ? readFileSync(events, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RecordedEvent) : [];
  const env = () => ({ PATH: process.env.PATH ?? '', MCP_FIXTURE_EVENTS: events });

  async function startHttp(args: string[]): Promise<string> {
    const child = spawn(process.execPath, [V2_HTTP, ...args], { env: env(), stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(child);
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout!.once('data', (d: Buffer) => resolve(d.toString()));
      child.once('exit', (code) => reject(new Error(`v2-http-server exited with ${code}`)));
    });
    return (JSON.parse(line) as { url: string }).url;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcp-fixtures-v2-'));
    events = join(dir, 'events.jsonl');
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close().catch(() => undefined);
    for (const child of children.splice(0)) child.kill('SIGTERM');
    for (const { pid } of recorded()) await eventually(() => !isAlive(pid), 3000, `fixture pid ${pid} to exit`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('v2-stdio-server serves 2026-07-28 to a negotiating client and 2025-11-25 to a v1 client', async () => {
    const modern = tracked(new ModernClient(clientInfo, { versionNegotiation: { mode: 'auto' } }));
    await modern.connect(new ModernStdio({ command: process.execPath, args: [V2_STDIO], env: env(), stderr: 'ignore' }));
    assert.equal(modern.getProtocolEra(), 'modern');
    assert.deepEqual((await modern.listTools()).tools.map((t) => t.name), V2_TOOLS);
    await modern.close();

    const legacy = tracked(new LegacyClient(clientInfo));
    await legacy.connect(new LegacyStdio({ command: process.execPath, args: [V2_STDIO], env: env(), stderr: 'ignore' }));
    assert.deepEqual((await legacy.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).structuredContent, { sum: 5 });
    await legacy.close();
    assert.deepEqual(recorded().filter((e) => e.event === 'instance').map((e) => e.era).slice(-1), ['legacy']);
  });

  it('v2-stdio-server --modern-only answers the 2025 handshake with -32022', async () => {
    const legacy = tracked(new LegacyClient(clientInfo));
    await assert.rejects(
      legacy.connect(new LegacyStdio({ command: process.execPath, args: [V2_STDIO, '--modern-only'], env: env(), stderr: 'ignore' })),
      /-32022: Unsupported protocol version: 2025-11-25/,
    );
    await legacy.close();
  });

  it('v2-stdio-server --confirm asks for input the way each era asks; --add-tool and --ttl-ms shape the tool list', async () => {
    const asked: string[] = [];
    const elicit = (era: string) => (request: { params: { message: string } }) => {
      asked.push(`${era}: ${request.params.message}`);
      return Promise.resolve({ action: 'accept' as const, content: { ok: true } });
    };
    const args = [V2_STDIO, '--confirm', '--add-tool', '--ttl-ms=60000'];
    const modern = tracked(new ModernClient(clientInfo, { versionNegotiation: { mode: 'auto' }, capabilities: { elicitation: { form: {} } } }));
    modern.setRequestHandler('elicitation/create', elicit('modern'));
    await modern.connect(new ModernStdio({ command: process.execPath, args, env: env(), stderr: 'ignore' }));
    const listed = await modern.listTools();
    assert.deepEqual(listed.tools.map((t) => t.name), ['echo', 'add', 'slow', 'add_tool', 'crash', 'big', 'fail', 'log', 'pid', 'confirm']);
    assert.equal((listed as { ttlMs?: number }).ttlMs, 60_000);
    assert.equal(textOf(await modern.callTool({ name: 'confirm', arguments: { message: 'Proceed?' } })), 'confirmed: {"action":"accept","content":{"ok":true}}; requestState echoed exactly');
    await modern.close();

    const legacy = tracked(new LegacyClient(clientInfo, { capabilities: { elicitation: {} } }));
    legacy.setRequestHandler(ElicitRequestSchema, elicit('legacy'));
    await legacy.connect(new LegacyStdio({ command: process.execPath, args, env: env(), stderr: 'ignore' }));
    assert.equal(textOf(await legacy.callTool({ name: 'confirm', arguments: { message: 'Go on?' } })), 'confirmed: {"action":"accept","content":{"ok":true}}');
    assert.equal(textOf(await legacy.callTool({ name: 'add_tool', arguments: { name: 'late' } })), 'added late');
    assert.equal(textOf(await legacy.callTool({ name: 'late', arguments: {} })), 'dynamic:late');
    await legacy.close();
    assert.deepEqual(asked, ['modern: Proceed?', 'legacy: Go on?']);
  });

  it('v2-http-server serves both eras and sees a 2026-07-28 cancellation; --modern-only refuses 2025', async () => {
    const url = new URL(await startHttp([]));
    const modern = tracked(new ModernClient(clientInfo, { versionNegotiation: { mode: 'auto' } }));
    await modern.connect(new ModernHttp(url));
    assert.equal(modern.getProtocolEra(), 'modern');
    const controller = new AbortController();
    let updates = 0;
    await assert.rejects(
      modern.callTool({ name: 'slow', arguments: { ms: 10_000, steps: 50 } }, {
        signal: controller.signal,
        onprogress: () => {
          if (++updates === 2) controller.abort();
        },
      }),
    );
    await eventually(() => recorded().some((e) => e.event === 'cancelled'), 3000, 'the server to record the cancellation');
    await modern.close();

    const legacy = tracked(new LegacyClient(clientInfo));
    await legacy.connect(new LegacyHttp(url));
    assert.equal(((await legacy.callTool({ name: 'echo', arguments: { text: 'old' } })).content as Array<{ text: string }>)[0]!.text, 'old');
    await legacy.close();

    const strict = tracked(new LegacyClient(clientInfo));
    await assert.rejects(strict.connect(new LegacyHttp(new URL(await startHttp(['--modern-only'])))), /-32022|Unsupported protocol version/);
  });

  it('stdio-server --exit-on-probe exits when server/discover comes first and serves initialize first (--confirm: a 2025 elicitation)', async () => {
    const child = spawn(process.execPath, [STDIO, '--exit-on-probe'], { env: env(), stdio: ['pipe', 'pipe', 'ignore'] });
    children.push(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.stdin!.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'server/discover', params: {} }) + '\n');
    assert.equal(await exited, 4);

    const legacy = tracked(new LegacyClient(clientInfo, { capabilities: { elicitation: {} } }));
    legacy.setRequestHandler(ElicitRequestSchema, (request) => Promise.resolve({ action: 'decline', content: { asked: request.params.message } }));
    await legacy.connect(new LegacyStdio({ command: process.execPath, args: [STDIO, '--exit-on-probe', '--confirm'], env: env(), stderr: 'ignore' }));
    assert.ok((await legacy.listTools()).tools.some((t) => t.name === 'echo'));
    assert.equal(textOf(await legacy.callTool({ name: 'confirm', arguments: { message: 'Go on?' } })), 'confirmed: {"action":"decline","content":{"asked":"Go on?"}}');
    await legacy.close();
    assert.equal(recorded().filter((e) => e.event === 'spawn').length, 2, 'each process records its spawn');
  });
});

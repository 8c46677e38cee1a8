// Sanity suite for the fixture MCP servers in test/fixtures, driven by the RAW SDK client
// (no session-manager code), so a failure here is a fixture problem, not a product problem.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  LoggingMessageNotificationSchema,
  ToolListChangedNotificationSchema,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { fixturesDir } from '../support/paths';
import { eventually, isAlive, textOf } from '../support/processes';

const STDIO = join(fixturesDir, 'stdio-server.mjs');
const HTTP = join(fixturesDir, 'http-server.mjs');
const WRAPPED = join(fixturesDir, 'wrapped-server.sh');
const FIXED_TOOLS = ['echo', 'add', 'slow', 'add_tool', 'crash', 'big', 'fail', 'log', 'pid'];

// ---- process helpers ----------------------------------------------------------------------

const waitDead = (pid: number, ms = 5000) => eventually(() => !isAlive(pid), ms, `pid ${pid} to die`);

/** Every pid this suite caused to exist; all must be dead at the end. */
const pids = new Set<number>();
const cleanups: Array<() => Promise<void> | void> = [];
const tmpDirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-fixtures-'));
  tmpDirs.push(dir);
  return dir;
}

function pidFiles(dir: string): Array<{ pid: number; role: string }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { pid: number; role: string });
}

function kill(pid: number, signal: NodeJS.Signals = 'SIGKILL') {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

// ---- client helpers -----------------------------------------------------------------------

async function connect(transport: Transport): Promise<Client> {
  const client = new Client({ name: 'fixtures-test', version: '0.0.0' });
  await client.connect(transport);
  cleanups.push(() => client.close().catch(() => {}));
  return client;
}

function stdioTransport(command: string, args: string[]): { transport: StdioClientTransport; stderr: () => string } {
  const transport = new StdioClientTransport({ command, args, stderr: 'pipe' });
  let text = '';
  transport.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  return { transport, stderr: () => text };
}

async function stdioClient(args: string[] = [], command = process.execPath, script: string | undefined = STDIO) {
  const { transport, stderr } = stdioTransport(command, script ? [script, ...args] : args);
  const client = await connect(transport);
  const pid = transport.pid!; // transport.pid becomes null once the transport is closed
  pids.add(pid);
  return { client, transport, pid, stderr };
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
  return textOf(await client.callTool({ name, arguments: args }));
}

interface HttpInfo {
  url: string;
  sseUrl: string;
  pid: number;
}

async function startHttp(args: string[] = []): Promise<{ child: ChildProcess; info: HttpInfo }> {
  const child = spawn(process.execPath, [HTTP, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  pids.add(child.pid!);
  cleanups.push(() => kill(child.pid!));
  child.stderr!.resume();
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (l) => {
      rl.close();
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`http fixture exited early with ${code}`)));
  });
  const info = JSON.parse(line) as HttpInfo;
  assert.deepEqual(Object.keys(info), ['url', 'sseUrl', 'pid']);
  assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  assert.equal(info.pid, child.pid);
  return { child, info };
}

// ---- the suite ----------------------------------------------------------------------------

describe('fixture MCP servers', function () {
  this.timeout(20000);

  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  after(async () => {
    for (const pid of pids) {
      if (isAlive(pid)) kill(pid);
    }
    for (const pid of pids) await waitDead(pid, 3000).catch(() => {});
    for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
    const survivors = [...pids].filter(isAlive);
    assert.deepEqual(survivors, [], `fixture processes still alive: ${survivors.join(', ')}`);
  });

  describe('stdio', () => {
    it('answers echo and pid, and exits when stdin closes', async () => {
      const { client, pid: spawned } = await stdioClient();
      assert.equal(await call(client, 'echo', { text: 'hello fixture' }), 'hello fixture');
      const pid = Number(await call(client, 'pid'));
      assert.equal(pid, spawned);
      const started = Date.now();
      await client.close();
      await waitDead(pid);
      assert.ok(Date.now() - started < 1500, 'a clean stdin EOF must not need the SIGTERM fallback');
    });

    it('paginates tools, resources and prompts across pages', async () => {
      const { client } = await stdioClient(['--tools', '25', '--page-size', '7', '--resources', '12', '--prompts', '3']);
      const tools: Tool[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await client.listTools(cursor ? { cursor } : {});
        assert.ok(page.tools.length <= 7);
        tools.push(...page.tools);
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      const names = tools.map((t) => t.name);
      const extra = Array.from({ length: 25 }, (_, i) => `tool_${String(i).padStart(3, '0')}`);
      assert.deepEqual(names, [...FIXED_TOOLS, ...extra]);
      assert.equal(pages, Math.ceil(names.length / 7));
      assert.ok(tools.find((t) => t.name === 'tool_024')?.outputSchema);
      // The client validates structuredContent against the cached outputSchema.
      const r = await client.callTool({ name: 'tool_024', arguments: { value: 'v' } });
      assert.deepEqual(r.structuredContent, { index: 24, name: 'tool_024', value: 'v', ok: true });

      const r1 = await client.listResources();
      assert.equal(r1.resources.length, 7);
      const r2 = await client.listResources({ cursor: r1.nextCursor! });
      assert.equal(r2.resources.length, 5);
      assert.equal(r2.nextCursor, undefined);
      const read = await client.readResource({ uri: 'fixture://resource/11' });
      assert.equal((read.contents[0] as { text: string }).text, 'fixture resource 11');
      const prompts = await client.listPrompts();
      assert.deepEqual(prompts.prompts.map((p) => p.name), ['prompt_0', 'prompt_1', 'prompt_2']);
      const got = await client.getPrompt({ name: 'prompt_2', arguments: { topic: 'tests' } });
      assert.equal((got.messages[0].content as { text: string }).text, 'Prompt 2 about tests');
      await assert.rejects(client.listTools({ cursor: 'bogus' }), /Invalid tools cursor/);
    });

    it('implements add, fail, big, log, add_tool and slow (progress + cancellation)', async () => {
      const { client, stderr } = await stdioClient();
      const add = await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } });
      assert.equal(textOf(add), '42');
      assert.deepEqual(add.structuredContent, { sum: 42 });

      const fail = await client.callTool({ name: 'fail', arguments: {} });
      assert.equal(fail.isError, true);
      assert.equal(textOf(fail), 'fixture failure');

      const big = await call(client, 'big', { bytes: 1_000_000 });
      assert.equal(big.length, 1_000_000);
      assert.ok(big.endsWith('xEND'));

      const logs: string[] = [];
      client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(String(n.params.data)));
      assert.equal(await call(client, 'log', { message: 'hello log' }), 'logged');
      assert.deepEqual(logs, ['hello log']);

      let listChanged = 0;
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => void listChanged++);
      assert.equal(await call(client, 'add_tool', { name: 'late' }), 'added late');
      assert.equal(listChanged, 1);
      assert.ok((await client.listTools()).tools.some((t) => t.name === 'late'));
      assert.equal(await call(client, 'late'), 'dynamic:late');

      const progress: number[] = [];
      const done = await client.callTool({ name: 'slow', arguments: { ms: 100, steps: 4 } }, undefined, {
        onprogress: (p) => progress.push(p.progress),
      });
      assert.equal(textOf(done), 'done after 4 steps');
      // The SDK client dispatches notifications a microtask later but responses synchronously, so a
      // final progress notification read in the same chunk as the response can be dropped.
      assert.deepEqual(progress, [1, 2, 3, 4].slice(0, progress.length));
      assert.ok(progress.length >= 3, `progress: ${progress.join(',')}`);

      const abort = new AbortController();
      const pending = client.callTool({ name: 'slow', arguments: { ms: 10_000, steps: 10 } }, undefined, { signal: abort.signal });
      setTimeout(() => abort.abort('test cancel'), 300);
      await assert.rejects(pending);
      await eventually(() => /slow cancelled after \d+ of 10 steps/.test(stderr()), 5000, 'the server to see the cancellation');
      assert.equal(await call(client, 'echo', { text: 'still alive' }), 'still alive');
    });

    it('--exit-before-init makes connect fail with the message on stderr and the exit code', async () => {
      const { transport, stderr } = stdioTransport(process.execPath, [STDIO, '--exit-before-init']);
      const client = new Client({ name: 'fixtures-test', version: '0.0.0' });
      await assert.rejects(client.connect(transport));
      await eventually(() => stderr().includes('fixture: fatal configuration error'), 5000, 'stderr');
      await client.close().catch(() => {});

      const r = spawnSync(process.execPath, [STDIO, '--exit-before-init=5'], { encoding: 'utf8', timeout: 5000 });
      assert.equal(r.status, 5);
      assert.equal(r.stderr, 'fixture: fatal configuration error\n');
    });

    it('--garbage and --stderr-flood do not break a client', async () => {
      const { client, stderr } = await stdioClient(['--garbage', '--stderr-flood=300']);
      for (let i = 0; i < 3; i++) assert.equal(await call(client, 'echo', { text: `t${i}` }), `t${i}`);
      await eventually(() => (stderr().match(/stderr flood line/g) ?? []).length >= 300 + 3 * 30, 5000, 'flood lines');
    });

    it('--exit-after-init crashes with code 9', async () => {
      const { client, pid } = await stdioClient(['--exit-after-init=100']);
      await new Promise<void>((resolve) => (client.onclose = resolve));
      await waitDead(pid);

      // The exit code, seen by a raw parent that performs the handshake itself.
      const child = spawn(process.execPath, [STDIO, '--exit-after-init=50'], { stdio: ['pipe', 'ignore', 'ignore'] });
      pids.add(child.pid!);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const send = (m: object) => child.stdin!.write(JSON.stringify(m) + '\n');
      send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '0' } } });
      send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      assert.equal(await exited, 9);
    });
  });

  describe('wrapped-server.sh', () => {
    it('runs the server as a grandchild; a clean close ends all of them', async () => {
      const dir = tempDir();
      const { client, pid: shPid, stderr } = await stdioClient(['--spawn-child', `--pid-dir=${dir}`], WRAPPED, undefined);
      const serverPid = Number(await call(client, 'pid'));
      assert.notEqual(serverPid, shPid, 'the server must be a child of the shell, not exec-ed');
      const files = pidFiles(dir);
      const grandchild = files.find((f) => f.role === 'grandchild')!.pid;
      assert.ok(stderr().includes(`fixture: child pid ${grandchild}`));
      assert.deepEqual(files.map((f) => f.pid).sort(), [serverPid, grandchild].sort());
      for (const p of [serverPid, grandchild]) pids.add(p);
      await client.close();
      for (const p of [shPid, serverPid, grandchild]) await waitDead(p);
    });

    it('killing only the shell leaves the server alive; killing the process group ends all', async () => {
      const dir = tempDir();
      const sh = spawn(WRAPPED, ['--ignore-eof', '--ignore-sigterm', '--spawn-child', `--pid-dir=${dir}`], {
        detached: true, // own process group, so the test can signal the group without hitting mocha
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      let err = '';
      sh.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      pids.add(sh.pid!);
      cleanups.push(() => kill(-sh.pid!));
      await eventually(() => pidFiles(dir).length === 2, 5000, 'pid files');
      const files = pidFiles(dir);
      const server = files.find((f) => f.role === 'server')!.pid;
      const grandchild = files.find((f) => f.role === 'grandchild')!.pid;
      const all = [server, grandchild];
      all.forEach((p) => pids.add(p));
      await eventually(() => err.includes('stdio server pid'), 5000, 'the server to start');

      sh.stdin!.end(); // --ignore-eof: EOF does not end it
      await eventually(() => err.includes('stdin closed, ignoring EOF'), 5000, 'EOF to be ignored');
      kill(sh.pid!, 'SIGTERM');
      await waitDead(sh.pid!);
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(all.every(isAlive), 'server and grandchild outlive the wrapper');

      kill(-sh.pid!, 'SIGTERM'); // --ignore-sigterm: the server survives the group SIGTERM
      await eventually(() => err.includes('fixture: ignoring SIGTERM'), 5000, 'SIGTERM to be ignored');
      await waitDead(grandchild);
      assert.ok(isAlive(server));

      kill(-sh.pid!, 'SIGKILL');
      for (const p of all) await waitDead(p);
    });
  });

  describe('http', () => {
    it('answers over Streamable HTTP and SSE, deletes sessions, and exits on SIGTERM', async () => {
      const { child, info } = await startHttp();
      const http = new StreamableHTTPClientTransport(new URL(info.url));
      const c1 = await connect(http);
      assert.ok(http.sessionId);
      assert.equal(await call(c1, 'echo', { text: 'over http' }), 'over http');
      assert.equal(Number(await call(c1, 'pid')), info.pid);
      const logs: string[] = [];
      c1.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(String(n.params.data)));
      await call(c1, 'log', { message: 'http log' });
      assert.deepEqual(logs, ['http log']);

      const c2 = await connect(new SSEClientTransport(new URL(info.sseUrl)));
      assert.equal(await call(c2, 'echo', { text: 'over sse' }), 'over sse');

      await http.terminateSession(); // DELETE /mcp
      const res = await fetch(info.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': http.sessionId! },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
      });
      assert.equal(res.status, 404);

      const started = Date.now();
      child.kill('SIGTERM');
      await waitDead(info.pid);
      assert.ok(Date.now() - started < 2000, 'SIGTERM must end the HTTP fixture promptly');
    });

    it('--sse-only refuses Streamable HTTP (405) so a client falls back to SSE', async () => {
      const { info } = await startHttp(['--sse-only']);
      const streamable = new Client({ name: 'fixtures-test', version: '0.0.0' });
      await assert.rejects(streamable.connect(new StreamableHTTPClientTransport(new URL(info.url))), (err: { code?: number }) => {
        assert.equal(err.code, 405);
        return true;
      });
      await streamable.close().catch(() => {});
      const sse = await connect(new SSEClientTransport(new URL(info.sseUrl)));
      assert.equal(await call(sse, 'echo', { text: 'fallback' }), 'fallback');
    });
  });
});

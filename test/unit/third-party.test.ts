// Third-party MCP servers from node_modules, driven through SessionRegistry: the reference
// "everything" server over stdio and over its Streamable HTTP mode, "memory" and
// "filesystem". Each is started with `node <bin>` (no npx, no network). None of them pages
// its lists (the SDK's McpServer answers in one page without a cursor), so here the
// registry's paging loop only has to stop after that page; the fixture suites cover lists
// spread over many pages.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProgressUpdate } from '../../src/core/api';
import type { ServerDefinition } from '../../src/core/definitions';
import { lineLogger } from '../../src/core/logger';
import { liveProcesses } from '../../src/core/procfs';
import { SessionRegistry } from '../../src/core/registry';
import { repoRoot } from '../support/paths';
import { eventually, freePort, isAlive, rejection, textOf } from '../support/processes';

function binOf(pkg: string): string {
  const dir = join(repoRoot, 'node_modules', '@modelcontextprotocol', pkg);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  return join(dir, Object.values(manifest.bin)[0]);
}

const EVERYTHING = binOf('server-everything');
const MEMORY = binOf('server-memory');
const FILESYSTEM = binOf('server-filesystem');

// ---- processes ------------------------------------------------------------------------------

/** Live members of a process group: a server's children die with it or they leak. */
function liveGroupMembers(pgid: number): number[] {
  return (liveProcesses() ?? []).filter((p) => p.pgrp === pgid).map((p) => p.pid);
}

/** Starts the everything server in Streamable HTTP mode and waits until it listens. */
async function startEverythingHttp(): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], {
    env: { PATH: process.env.PATH, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes(`listening on port ${port}`)) {
        child.stderr!.off('data', onData);
        child.stderr!.resume();
        resolve();
      }
    };
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`everything (streamableHttp) exited with ${code} before listening:\n${stderr}`)));
  });
  return { child, url: `http://127.0.0.1:${port}/mcp` };
}

// ---- helpers ----------------------------------------------------------------------------------

const source = { label: 'third-party test' };

function stdio(name: string, bin: string, args: string[] = [], env: Record<string, string> = {}): ServerDefinition {
  return { kind: 'stdio', name, command: process.execPath, args: [bin, ...args], env, source };
}

// ---- the suite --------------------------------------------------------------------------------

describe('third-party MCP servers through SessionRegistry', function () {
  this.timeout(60_000);
  this.slow(10_000);

  const logLines: string[] = [];
  let registry: SessionRegistry;
  let workDir: string;
  let httpServer: { child: ChildProcess; url: string };
  /** Every server pid seen while running; all must be gone at the end. */
  const serverPids = new Map<string, number>();

  before(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'mcp-third-party-'));
    mkdirSync(join(workDir, 'files', 'nested'), { recursive: true });
    writeFileSync(join(workDir, 'files', 'hello.txt'), 'hello from the filesystem server\n');
    writeFileSync(join(workDir, 'files', 'nested', 'deep.txt'), 'deep\n');
    httpServer = await startEverythingHttp();
    registry = new SessionRegistry({
      logger: lineLogger((line) => logLines.push(line), 'debug'),
      stdinGraceMs: 1000,
      termGraceMs: 1000,
      pingIntervalMs: 0,
      defaultCallTimeoutMs: 20_000,
    });
    registry.reconcile([
      stdio('everything', EVERYTHING),
      { kind: 'http', name: 'everything-http', url: httpServer.url, headers: {}, source },
      stdio('memory', MEMORY, [], { MEMORY_FILE_PATH: join(workDir, 'memory.jsonl') }),
      stdio('filesystem', FILESYSTEM, [join(workDir, 'files')]),
    ]);
  });

  after(async () => {
    const report = await registry?.shutdown();
    if (httpServer && httpServer.child.exitCode === null) {
      httpServer.child.kill('SIGINT');
      await eventually(() => !isAlive(httpServer.child.pid!), 5000, 'the HTTP everything server to exit').catch(() => httpServer.child.kill('SIGKILL'));
    }
    if (workDir) rmSync(workDir, { recursive: true, force: true });
    assert.equal(report?.deadlineReached, false, 'shutdown reached its deadline');
  });

  for (const name of ['everything', 'everything-http']) {
    describe(name, () => {
      it('starts and lists every tool, resource and prompt', async () => {
        await registry.start(name);
        const snapshot = registry.get(name)!.snapshot();
        assert.equal(snapshot.state.state, 'running');
        assert.equal(snapshot.serverInfo?.name, 'mcp-servers/everything');
        if (name === 'everything') {
          assert.ok(snapshot.pid && isAlive(snapshot.pid), 'the stdio server runs as a child process');
          serverPids.set(name, snapshot.pid);
        } else {
          assert.equal(snapshot.pid, undefined);
          assert.ok(logLines.some((l) => l.includes(`Connected to "${name}"`) && l.includes('over Streamable HTTP')), 'connected without falling back to SSE');
        }

        const tools = await registry.listTools(name, { refresh: true });
        const toolNames = tools.map((t) => t.name);
        for (const expected of ['echo', 'get-sum', 'trigger-long-running-operation', 'get-structured-content']) {
          assert.ok(toolNames.includes(expected), `${expected} missing from ${toolNames.join(', ')}`);
        }
        assert.equal(new Set(toolNames).size, toolNames.length, 'paging must not repeat tools');

        const resources = await registry.listResources(name, { refresh: true });
        assert.ok(resources.length >= 5, `only ${resources.length} resources`);
        assert.ok(resources.every((r) => r.uri.startsWith('demo://resource/static/document/')));

        const prompts = await registry.listPrompts(name, { refresh: true });
        assert.deepEqual(
          prompts.map((p) => p.name).sort(),
          ['args-prompt', 'completable-prompt', 'resource-prompt', 'simple-prompt'],
        );
        assert.deepEqual(registry.get(name)!.snapshot().tools?.map((t) => t.name), toolNames, 'the snapshot holds the listed tools');
      });

      it('calls tools: text, structured content and arguments', async () => {
        assert.equal(textOf(await registry.callTool(name, 'echo', { message: 'hi there' })), 'Echo: hi there');
        assert.match(textOf(await registry.callTool(name, 'get-sum', { a: 19, b: 23 })), /\b42\b/);
        const structured = await registry.callTool(name, 'get-structured-content', { location: 'New York' });
        const content = structured.structuredContent as { temperature: number; conditions: string };
        assert.equal(typeof content.temperature, 'number');
        assert.equal(typeof content.conditions, 'string');
      });

      it('reports progress of a long-running operation', async () => {
        const updates: ProgressUpdate[] = [];
        const started = Date.now();
        const result = await registry.callTool(name, 'trigger-long-running-operation', { duration: 1.2, steps: 4 }, { onProgress: (p) => updates.push(p) });
        assert.match(textOf(result), /Long running operation completed/);
        // The SDK dispatches notifications a microtask later than responses, so a progress
        // notification that arrives together with the result can be dropped: expect 3 or 4.
        assert.ok(updates.length >= 3, `only ${updates.length} progress updates`);
        assert.deepEqual(
          updates.map((u) => [u.progress, u.total]),
          [1, 2, 3, 4].slice(0, updates.length).map((step) => [step, 4]),
        );
        assert.ok(Date.now() - started >= 1100, 'the operation took its duration');
      });

      it('cancels a long-running call midway and stays usable', async () => {
        const controller = new AbortController();
        const updates: ProgressUpdate[] = [];
        const call = registry.callTool(name, 'trigger-long-running-operation', { duration: 20, steps: 40 }, {
          signal: controller.signal,
          onProgress: (p) => {
            updates.push(p);
            if (updates.length === 2) controller.abort();
          },
        });
        const started = Date.now();
        const error = await rejection(call);
        assert.equal(error.code, 'cancelled');
        assert.equal(error.server, name);
        assert.equal(updates.length, 2);
        assert.ok(Date.now() - started < 3000, 'the call was not left running to completion');
        assert.equal(registry.get(name)!.state.state, 'running');
        assert.equal(textOf(await registry.callTool(name, 'echo', { message: 'still here' })), 'Echo: still here');
      });

      it('reads resources and gets prompts', async () => {
        const uri = 'demo://resource/static/document/features.md';
        const read = await registry.readResource(name, uri);
        const first = read.contents[0] as { uri: string; mimeType?: string; text?: string };
        assert.equal(first.uri, uri);
        assert.equal(first.mimeType, 'text/markdown');
        assert.ok(first.text && first.text.length > 100);

        const prompt = await registry.getPrompt(name, 'args-prompt', { city: 'Lyon' });
        assert.match(JSON.stringify(prompt.messages), /Lyon/);

        const error = await rejection(registry.readResource(name, 'demo://resource/static/document/no-such-file.md'));
        assert.equal(error.code, 'protocol');
      });

      it('rejects unknown tools as protocol errors or tool errors, naming the server', async () => {
        const error = await rejection(registry.callTool(name, 'no-such-tool', {}));
        assert.ok(['protocol', 'tool-error'].includes(error.code), error.code);
        assert.match(error.message, new RegExp(`"${name}"`));
      });
    });
  }

  describe('memory', () => {
    it('lists its tools and its graph resource', async () => {
      const tools = (await registry.listTools('memory', { refresh: true })).map((t) => t.name);
      for (const expected of ['create_entities', 'add_observations', 'search_nodes', 'read_graph', 'delete_entities']) {
        assert.ok(tools.includes(expected), `${expected} missing`);
      }
      assert.deepEqual((await registry.listResources('memory', { refresh: true })).map((r) => r.uri), ['memory://knowledge-graph']);
      assert.deepEqual(await registry.listPrompts('memory', { refresh: true }), [], 'no prompts capability: an empty list');
      serverPids.set('memory', registry.get('memory')!.snapshot().pid!);
    });

    it('stores entities, relations and observations in its file and finds them', async () => {
      await registry.callTool('memory', 'create_entities', {
        entities: [
          { name: 'Ada', entityType: 'person', observations: ['wrote the first program'] },
          { name: 'Analytical Engine', entityType: 'machine', observations: [] },
        ],
      });
      await registry.callTool('memory', 'create_relations', { relations: [{ from: 'Ada', to: 'Analytical Engine', relationType: 'programmed' }] });
      await registry.callTool('memory', 'add_observations', { observations: [{ entityName: 'Analytical Engine', contents: ['designed by Babbage'] }] });

      const found = await registry.callTool('memory', 'search_nodes', { query: 'Babbage' });
      assert.match(textOf(found), /Analytical Engine/);
      assert.doesNotMatch(textOf(found), /"name": ?"Ada"/);

      const graph = JSON.parse(textOf(await registry.callTool('memory', 'read_graph', {}))) as { entities: unknown[]; relations: unknown[] };
      assert.equal(graph.entities.length, 2);
      assert.equal(graph.relations.length, 1);

      const resource = await registry.readResource('memory', 'memory://knowledge-graph');
      assert.match((resource.contents[0] as { text: string }).text, /programmed/);
      assert.match(readFileSync(join(workDir, 'memory.jsonl'), 'utf8'), /designed by Babbage/);
    });
  });

  describe('filesystem', () => {
    it('lists, reads and writes inside its allowed directory', async () => {
      const root = join(workDir, 'files');
      const tools = (await registry.listTools('filesystem', { refresh: true })).map((t) => t.name);
      for (const expected of ['read_text_file', 'write_file', 'list_directory', 'directory_tree', 'list_allowed_directories']) {
        assert.ok(tools.includes(expected), `${expected} missing`);
      }
      serverPids.set('filesystem', registry.get('filesystem')!.snapshot().pid!);

      assert.match(textOf(await registry.callTool('filesystem', 'list_allowed_directories', {})), new RegExp(root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      const listing = textOf(await registry.callTool('filesystem', 'list_directory', { path: root }));
      assert.match(listing, /\[FILE\] hello\.txt/);
      assert.match(listing, /\[DIR\] nested/);
      assert.equal(textOf(await registry.callTool('filesystem', 'read_text_file', { path: join(root, 'hello.txt') })), 'hello from the filesystem server\n');

      await registry.callTool('filesystem', 'write_file', { path: join(root, 'written.txt'), content: 'written through MCP' });
      assert.equal(readFileSync(join(root, 'written.txt'), 'utf8'), 'written through MCP');
      assert.match(textOf(await registry.callTool('filesystem', 'directory_tree', { path: root })), /deep\.txt/);
    });

    it('refuses paths outside its allowed directory as a tool error', async () => {
      const outside = join(workDir, 'outside.txt');
      writeFileSync(outside, 'not for the server');
      const error = await rejection(registry.callTool('filesystem', 'read_text_file', { path: outside }));
      assert.equal(error.code, 'tool-error');
      assert.match(error.message, /denied|outside allowed/i);
      assert.doesNotMatch(error.message, /not for the server/);
    });
  });

  describe('teardown', () => {
    it('shuts every server down and leaves no process behind', async () => {
      assert.deepEqual([...serverPids.keys()].sort(), ['everything', 'filesystem', 'memory']);
      for (const [name, pid] of serverPids) assert.ok(isAlive(pid), `${name} (${pid}) should still run before shutdown`);
      const report = await registry.shutdown();
      assert.equal(report.deadlineReached, false);
      const outcomes = Object.fromEntries(report.servers.map((s) => [s.server, s.outcome]));
      assert.equal(outcomes['everything-http'], 'closed');
      for (const name of serverPids.keys()) {
        assert.ok(['exited-on-stdin-close', 'exited-on-sigterm', 'killed'].includes(outcomes[name]!), `${name}: ${outcomes[name]}`);
      }
      for (const [name, pid] of serverPids) {
        await eventually(() => !isAlive(pid) && liveGroupMembers(pid).length === 0, 3000, `${name} (${pid}) to be gone`);
      }
      assert.equal(httpServer.child.exitCode, null, 'closing a remote session leaves the remote server running');
    });
  });
});

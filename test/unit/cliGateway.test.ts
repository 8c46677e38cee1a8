// The CLI and the gateway, as real processes: `mcp-sessions serve` runs the workspace's servers
// behind a gateway; the other commands find it through its discovery file and call through it
// (no spawn); `--no-gateway` and a gateway that is gone fall back to a run of their own;
// `--gateway` insists (a gateway whose pid is gone: gateway.test.ts). A gateway of an editor window (here: one this test process runs over its
// own registry) serves the CLI the same way. Every spawn is recorded (MCP_FIXTURE_EVENTS).
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDiscoveryFile, writeDiscoveryFile } from '../../src/core/gateway/discovery';
import { McpGateway } from '../../src/core/gateway/gateway';
import { SessionRegistry } from '../../src/core/registry';
import { fixturesDir, repoRoot } from '../support/paths';
import { eventually, isAlive } from '../support/processes';

const cli = join(repoRoot, 'dist', 'cli.js');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('mcp-sessions and the gateway', function () {
  this.timeout(30_000);
  let dir: string;
  let runtime: string;
  let events: string;
  let pidDir: string;
  const running = new Set<ChildProcess>();

  beforeEach(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'mcp-cli-gateway-')));
    runtime = join(dir, 'run');
    events = join(dir, 'events.jsonl');
    pidDir = join(dir, 'pids');
    mkdirSync(pidDir);
    mkdirSync(join(dir, '.vscode'));
    const server = { command: process.execPath, args: [join(fixturesDir, 'stdio-server.mjs'), `--pid-dir=${pidDir}`], env: { MCP_FIXTURE_EVENTS: events } };
    writeFileSync(join(dir, '.vscode', 'mcp.json'), JSON.stringify({ servers: { echo: server } }));
  });

  afterEach(async () => {
    for (const child of running) child.kill('SIGKILL');
    running.clear();
    const pids = () => readdirSync(pidDir).map(Number).filter(isAlive);
    await eventually(() => pids().length === 0, 5000, 'no fixture process left').catch(() => undefined);
    const survivors = pids();
    for (const pid of survivors) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(survivors, [], 'fixture processes outlived the CLI');
  });

  const spawns = () => (existsSync(events) ? readFileSync(events, 'utf8').split('\n').filter((line) => line.includes('"spawn"')).length : 0);

  function start(args: string[]): { child: ChildProcess; done: Promise<CliRun>; stdout: () => string } {
    const child = spawn(process.execPath, [cli, ...args], { cwd: dir, env: { ...process.env, MCP_SESSIONS_RUNTIME_DIR: runtime }, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<CliRun>((resolve) => child.on('close', (code) => (running.delete(child), resolve({ code, stdout, stderr }))));
    return { child, done, stdout: () => stdout };
  }

  const run = (args: string[]) => start(args).done;

  async function serve(args: string[] = []) {
    const handle = start(['serve', ...args]);
    const line = await eventually(() => handle.stdout().split('\n')[0] || undefined, 10_000, 'serve to print where it listens');
    return { ...handle, listening: JSON.parse(line) as { url: string; servers: string[]; discovery: string; pid: number } };
  }

  it('serve: calls go through it warm (one spawn for all); --no-gateway runs its own; SIGTERM removes the discovery file and leaves no process', async () => {
    const served = await serve();
    assert.deepEqual(served.listening.servers, ['echo']);
    assert.match(served.listening.url, /^http:\/\/127\.0\.0\.1:\d+\/mcp\/$/);
    assert.equal(readFileSync(served.listening.discovery, 'utf8').includes('"host":"serve"'), true);

    for (const text of ['one', 'two']) {
      const call = await run(['call', 'echo', 'echo', '--args', JSON.stringify({ text }), '--verbose']);
      assert.equal(call.code, 0, call.stderr);
      assert.equal(call.stdout.trim(), text);
      assert.match(call.stderr, /using the MCP gateway of "mcp-sessions serve"/);
    }
    const tools = await run(['tools', 'echo', '--gateway', '--json']);
    assert.equal(tools.code, 0, tools.stderr);
    assert.ok((JSON.parse(tools.stdout) as Array<{ name: string }>).some((t) => t.name === 'slow'));
    assert.equal(spawns(), 1, 'the served server, started once, answered every command');

    const failing = await run(['call', 'echo', 'fail']);
    assert.equal(failing.code, 1, 'a tool error through the gateway exits 1 as without it');

    const own = await run(['call', 'echo', 'echo', '--args', '{"text":"own"}', '--no-gateway']);
    assert.equal(own.stdout.trim(), 'own');
    assert.equal(spawns(), 2, '--no-gateway starts its own server');

    served.child.kill('SIGTERM');
    const ended = await served.done;
    assert.equal(ended.code, 143, ended.stderr);
    assert.equal(existsSync(served.listening.discovery), false, 'the discovery file is removed');
  });

  it('serve --idle-timeout exits 0 by itself once idle; then calls fall back to a run of their own, and --gateway fails with exit 2', async () => {
    const served = await serve(['--idle-timeout', '400']);
    const call = await run(['call', 'echo', 'echo', '--args', '{"text":"warm"}']);
    assert.equal(call.stdout.trim(), 'warm');
    const ended = await served.done;
    assert.equal(ended.code, 0, ended.stderr);
    assert.equal(existsSync(served.listening.discovery), false);

    const fallback = await run(['call', 'echo', 'echo', '--args', '{"text":"cold"}']);
    assert.equal(fallback.code, 0, fallback.stderr);
    assert.equal(fallback.stdout.trim(), 'cold');
    const insisted = await run(['call', 'echo', 'echo', '--gateway']);
    assert.equal(insisted.code, 2);
    assert.match(insisted.stderr, /no MCP gateway runs for/);
  });

  it("uses an editor window's gateway for the same workspace, also for a server only the editor has, and not one of another workspace", async () => {
    const registry = new SessionRegistry({ stdinGraceMs: 500, termGraceMs: 500 });
    const config = JSON.parse(readFileSync(join(dir, '.vscode', 'mcp.json'), 'utf8')) as { servers: { echo: { command: string; args: string[]; env: Record<string, string> } } };
    const server = config.servers.echo;
    registry.reconcile([{ kind: 'stdio', name: 'editor-only', ...server, source: { label: 'test' } }]);
    const gateway = await McpGateway.start({ registry, version: 'test' });
    const record = { port: gateway.port, token: gateway.token, workspace: dir, pid: process.pid, version: 'test', host: 'editor' as const, startedAt: Date.now() };
    const file = writeDiscoveryFile(record, runtime);
    try {
      // A server only the editor has: the CLI's own configuration does not name it.
      const call = await run(['call', 'editor-only', 'echo', '--args', '{"text":"from the editor"}']);
      assert.equal(call.code, 0, call.stderr);
      assert.equal(call.stdout.trim(), 'from the editor');
      assert.equal(registry.get('editor-only')!.state.state, 'running', 'the call ran on the editor registry');

      removeDiscoveryFile(file);
      writeDiscoveryFile({ ...record, workspace: join(dir, 'elsewhere') }, runtime);
      const other = await run(['call', 'editor-only', 'echo']);
      assert.equal(other.code, 2, 'a gateway of another workspace is not used');
    } finally {
      await gateway.close();
      await registry.shutdown();
    }
  });
});

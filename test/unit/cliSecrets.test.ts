// Canary: the mcp-sessions CLI, run as a real process against real fixture servers that echo
// everything they are given (the hidden `reveal` tool: arguments, environment, HTTP headers,
// in many encodings, on stderr, in a log notification, in results and errors), never prints a
// secret given through ${input:}, ${env:}, envFile, a literal secret env value or headers —
// on stdout or stderr, with -v, in list, list --status, results, tool errors and start errors.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { assertNoCanary, canarySecrets } from '../support/canary';
import { fixturesDir, repoRoot } from '../support/paths';
import { isAlive } from '../support/processes';

const cli = join(repoRoot, 'dist', 'cli.js');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('mcp-sessions CLI: secrets never reach its output (canary)', function () {
  this.timeout(60_000);
  const secrets = canarySecrets();
  const captured: Record<string, string> = {};
  let dir: string;
  let config: string;
  let http: ChildProcess | undefined;
  let pidDir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcp-cli-secrets-'));
    pidDir = join(dir, 'pids');
    mkdirSync(pidDir);
    const envFile = join(dir, 'server.env');
    writeFileSync(envFile, `FIXTURE_TOKEN=${secrets.envFile}\n`);
    http = spawn(process.execPath, [join(fixturesDir, 'http-server.mjs')], { stdio: ['ignore', 'pipe', 'ignore'] });
    const [line] = await new Promise<string[]>((resolve) => createInterface({ input: http!.stdout! }).once('line', (l) => resolve([l])));
    const { url } = JSON.parse(line) as { url: string };
    config = join(dir, 'mcp.json');
    writeFileSync(
      config,
      JSON.stringify({
        inputs: [
          { id: 'token', type: 'promptString', password: true },
          { id: 'bearer', type: 'promptString' },
        ],
        servers: {
          fx: {
            command: process.execPath,
            args: [join(fixturesDir, 'stdio-server.mjs'), '--token=${input:token}', '${env:CANARY_ENV}', `--pid-dir=${pidDir}`],
            env: { FROM_ENV: '${env:CANARY_ENV}', API_KEY: secrets.literalEnv },
            envFile,
          },
          remote: { type: 'http', url, headers: { Authorization: 'Bearer ${input:bearer}', 'X-Api-Key': secrets.header } },
          missing: { command: '${env:CANARY_COMMAND}', args: ['--token=${input:token}'] },
        },
      }),
    );
  });

  after(async () => {
    if (http && http.exitCode === null) {
      const exited = new Promise((resolve) => http!.once('exit', resolve));
      http.kill('SIGTERM');
      await exited;
    }
    // Every fixture server the CLI started has ended with it.
    const pids = readdirSync(pidDir).map(Number);
    const alive = pids.filter((pid) => isAlive(pid));
    rmSync(dir, { recursive: true, force: true });
    assert.ok(pids.length > 0, 'the fixture servers wrote their pids');
    assert.deepEqual(alive, [], 'fixture servers outlived the CLI');
  });

  function run(args: string[]): Promise<CliRun> {
    const child = spawn(process.execPath, [cli, '--config', config, ...args], {
      cwd: dir,
      env: {
        ...process.env,
        CANARY_ENV: secrets.env,
        CANARY_COMMAND: join(dir, secrets.command),
        MCP_INPUT_TOKEN: secrets.input,
        MCP_INPUT_BEARER: secrets.bearer,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  }

  async function capture(name: string, args: string[]): Promise<CliRun> {
    const result = await run(args);
    captured[`${name} stdout`] = result.stdout;
    captured[`${name} stderr`] = result.stderr;
    return result;
  }

  const revealArgs = (mode: string) => ['--args', JSON.stringify({ env: ['FROM_ENV', 'API_KEY', 'FIXTURE_TOKEN'], mode })];

  it('list shows ${env:} and ${input:} as written', async () => {
    const table = await capture('list', ['list']);
    assert.match(table.stdout, /--token=\$\{input:token\}/);
    assert.match(table.stdout, /\$\{env:CANARY_COMMAND\}/);
    const json = await capture('list --json', ['list', '--json']);
    assert.match(json.stdout, /\$\{env:CANARY_ENV\}/);
  });

  it('list --status and its errors show the templates', async () => {
    const table = await capture('list --status', ['-v', 'list', '--status']);
    assert.match(table.stdout, /fx +stdio +running/);
    assert.match(table.stdout, /remote +http +running/);
    assert.match(table.stdout, /--token=\$\{input:token\}/);
    assert.match(table.stderr, /missing: Could not start "missing": the command "\$\{env:CANARY_COMMAND\}" was not found/);
    await capture('list --status --json', ['list', '--status', '--json']);
  });

  it('a server that echoes its arguments, environment and headers back, in results, tool errors and errors', async () => {
    for (const mode of ['result', 'isError', 'error']) {
      const local = await capture(`call fx reveal ${mode}`, ['-v', 'call', 'fx', 'reveal', ...revealArgs(mode)]);
      assert.match(local.stdout + local.stderr, /raw --token=\$\{input:token\}/, 'the server really sent its arguments back');
      assert.match(local.stdout + local.stderr, /\[redacted envFile FIXTURE_TOKEN\]/);
      const remote = await capture(`call remote reveal ${mode}`, ['-v', 'call', 'remote', 'reveal', ...revealArgs(mode), '--json']);
      // A JSON-RPC error from a tool not in tools/list is reported as an unknown tool, without the server's message.
      if (mode !== 'error') assert.match(remote.stdout + remote.stderr, /\[redacted header X-Api-Key\]/, 'the server really sent its headers back');
    }
  });

  it('a start error names the command as written', async () => {
    const result = await capture('tools missing', ['-v', 'tools', 'missing']);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /the command "\$\{env:CANARY_COMMAND\}" was not found/);
  });

  it('no canary, in any spelling, in anything the CLI wrote', () => {
    assert.ok(Object.keys(captured).length >= 18, 'every run above was captured');
    assertNoCanary(captured, secrets);
  });
});

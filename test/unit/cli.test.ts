// The mcp-sessions CLI as users run it: `node dist/cli.js …` as a real process against the
// fixture servers, checking stdout, stderr, exit codes, and that no server process outlives it.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturesDir, repoRoot } from '../support/paths';
import { delay, isAlive } from '../support/processes';

const cli = join(repoRoot, 'dist', 'cli.js');
const stdioServer = join(fixturesDir, 'stdio-server.mjs');
const wrappedServer = join(fixturesDir, 'wrapped-server.sh');

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

describe('mcp-sessions CLI', function () {
  this.timeout(20_000);
  let dir: string;
  let pidDir: string;
  const running = new Set<ChildProcess>();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcp-cli-test-'));
    pidDir = join(dir, 'pids');
    mkdirSync(pidDir);
  });

  afterEach(async () => {
    for (const child of running) child.kill('SIGKILL');
    running.clear();
    const survivors = await waitForNoSurvivors(3000);
    for (const pid of survivors) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(survivors, [], 'fixture processes outlived the CLI');
  });

  /** Every pid the fixtures wrote, plus the `sh` of wrapped servers (the ppid of their server). */
  function fixturePids(): number[] {
    const pids = new Set<number>();
    for (const name of readdirSync(pidDir)) {
      const entry = JSON.parse(readFileSync(join(pidDir, name), 'utf8')) as { pid: number; role: string; ppid: number };
      pids.add(entry.pid);
      if (entry.role === 'server' && entry.ppid !== process.pid) pids.add(entry.ppid);
    }
    return [...pids];
  }

  async function waitForNoSurvivors(ms: number): Promise<number[]> {
    const end = Date.now() + ms;
    let alive = fixturePids().filter(isAlive);
    while (alive.length && Date.now() < end) {
      await delay(25);
      alive = fixturePids().filter(isAlive);
    }
    return alive;
  }

  function fixture(flags: string[] = []): { command: string; args: string[] } {
    return { command: process.execPath, args: [stdioServer, ...flags, `--pid-dir=${pidDir}`] };
  }

  function wrapped(flags: string[] = []): { command: string; args: string[] } {
    return { command: wrappedServer, args: [...flags, `--pid-dir=${pidDir}`] };
  }

  function writeConfig(config: unknown, name = 'mcp.json'): string {
    const file = join(dir, name);
    writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
    return file;
  }

  function start(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { child: ChildProcess; done: Promise<CliRun>; stderr: () => string } {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: options.cwd ?? dir,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<CliRun>((resolve) => {
      child.on('close', (code, signal) => {
        running.delete(child);
        resolve({ code, signal, stdout, stderr });
      });
    });
    return { child, done, stderr: () => stderr };
  }

  const run = (args: string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }) => start(args, options).done;

  async function waitForStderr(handle: { stderr: () => string }, pattern: RegExp, ms = 10_000): Promise<void> {
    const end = Date.now() + ms;
    while (!pattern.test(handle.stderr())) {
      if (Date.now() > end) throw new Error(`stderr never matched ${pattern}:\n${handle.stderr()}`);
      await delay(20);
    }
  }

  describe('usage', () => {
    it('prints help for the program and for each command, exit 0', async () => {
      const main = await run(['--help']);
      assert.equal(main.code, 0);
      assert.match(main.stdout, /Usage: mcp-sessions <command>/);
      assert.match(main.stdout, /130 +interrupted/);
      const call = await run(['call', '--help']);
      assert.equal(call.code, 0);
      assert.match(call.stdout, /Usage: mcp-sessions call <server> <tool> \[--args JSON\]/);
    });

    it('rejects a missing command, an unknown option and missing operands with exit 2', async () => {
      for (const args of [[], ['--bogus'], ['-x'], ['list', '--timeout'], ['list', '--workspace', '--json'], ['tools'], ['call', 'a'], ['list', '--args', '{}'], ['call', 'a', 'b', '--timeout', 'soon']]) {
        const result = await run(args);
        assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
        assert.match(result.stderr, /^mcp-sessions: /);
        assert.equal(result.stdout, '');
      }
    });
  });

  describe('list', () => {
    it('lists servers with kind, command or URL and source, without starting them', async () => {
      const config = writeConfig({ servers: { fx: fixture(), remote: { type: 'http', url: 'http://127.0.0.1:9/mcp?token=secret' } } });
      const result = await run(['--config', config, 'list']);
      assert.equal(result.code, 0, result.stderr);
      const [header, fx, remote] = result.stdout.trimEnd().split('\n');
      assert.match(header, /^NAME +KIND +COMMAND \/ URL +SOURCE$/);
      assert.match(fx, new RegExp(`^fx +stdio +${process.execPath.replace(/[/.]/g, '\\$&')} .*stdio-server\\.mjs.* mcp\\.json$`));
      assert.match(remote, /^remote +http +HTTP http:\/\/127\.0\.0\.1:9\/mcp\?token=\S+ +mcp\.json$/);
      assert.doesNotMatch(result.stdout, /token=secret/);
      assert.deepEqual(readdirSync(pidDir), [], 'list must not start servers');
    });

    it('--json gives machine-readable definitions; ${env:} stays unresolved', async () => {
      const config = writeConfig({ mcpServers: { fx: { ...fixture(), env: { TOKEN: '${env:HOME}' } }, other: { command: 'x', args: ['${env:HOME}'] } } });
      const result = await run(['--config', config, 'list', '--json']);
      assert.equal(result.code, 0, result.stderr);
      const servers = JSON.parse(result.stdout) as { name: string; kind: string; command: string; args: string[]; source: string }[];
      assert.deepEqual(
        servers.map((s) => [s.name, s.kind, s.source]),
        [
          ['fx', 'stdio', 'mcp.json'],
          ['other', 'stdio', 'mcp.json'],
        ],
      );
      assert.deepEqual(servers[1].args, ['${env:HOME}']);
    });

    it('--status starts every server and shows state and tool count; a failed start exits 3', async () => {
      const config = writeConfig({ servers: { fx: fixture(['--tools', '4']), broken: fixture(['--exit-before-init']) } });
      const result = await run(['--config', config, 'list', '--status', '--json']);
      assert.equal(result.code, 3, result.stderr);
      const servers = JSON.parse(result.stdout) as { name: string; state: string; tools?: number; protocol?: string; error?: string }[];
      const fx = servers.find((s) => s.name === 'fx')!;
      assert.equal(fx.state, 'running');
      assert.equal(fx.tools, 13);
      assert.equal(fx.protocol, 'MCP 2025-11-25', 'the v1 fixture speaks the 2025 era');
      const broken = servers.find((s) => s.name === 'broken')!;
      assert.equal(broken.state, 'error');
      assert.match(broken.error!, /exited with code 3 before it finished initializing[\s\S]*fatal configuration error/);
    });

    it('reads .vscode/mcp.json of the current folder by default, with ${workspaceFolder} = that folder', async () => {
      mkdirSync(join(dir, '.vscode'));
      mkdirSync(join(dir, 'servers'));
      writeFileSync(join(dir, 'servers', 'link.mjs'), `import ${JSON.stringify(stdioServer)};\n`);
      writeConfig({ servers: { local: { command: process.execPath, args: ['${workspaceFolder}/servers/link.mjs', `--pid-dir=${pidDir}`] } } }, '.vscode/mcp.json');
      const result = await run(['tools', 'local', '--json']);
      assert.equal(result.code, 0, result.stderr);
      assert.ok((JSON.parse(result.stdout) as { name: string }[]).some((t) => t.name === 'echo'));
    });

    it('reads several --config files in both shapes; a name taken by an earlier file gets the later file\'s name as a suffix', async () => {
      const a = writeConfig({ servers: { one: fixture() } }, 'a.json');
      const b = writeConfig({ mcpServers: { two: fixture(), one: fixture(['--tools=2']) } }, 'b.json');
      const result = await run(['--config', a, '--config', b, 'list', '--json']);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(
        (JSON.parse(result.stdout) as { name: string; source: string }[]).map((s) => `${s.name}@${s.source}`),
        ['one@a.json', 'two@b.json', 'one (b.json)@b.json'],
      );
      assert.match(result.stderr, /^warning: .*b\.json: mcpServers\.one: server "one" is also defined in a\.json, so this one is called "one \(b\.json\)"$/m);
      // The name stays with the first file's server; the second is reached by its new name.
      const toolCount = async (server: string) => {
        const tools = await run(['--config', a, '--config', b, 'tools', server, '--json']);
        assert.equal(tools.code, 0, tools.stderr);
        return (JSON.parse(tools.stdout) as unknown[]).length;
      };
      assert.equal(await toolCount('one'), 9);
      assert.equal(await toolCount('one (b.json)'), 11);
    });
  });

  describe('tools and call', () => {
    it('lists tools, as a table and as JSON', async () => {
      const config = writeConfig({ servers: { fx: fixture() } });
      const table = await run(['--config', config, 'tools', 'fx']);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /^echo \{text\} +Returns its text argument unchanged\.$/m);
      assert.match(table.stdout, /^slow \{ms, steps\?\} /m);
      const asJson = await run(['--config', config, 'tools', 'fx', '--json']);
      const tools = JSON.parse(asJson.stdout) as { name: string; inputSchema: unknown }[];
      assert.deepEqual(
        tools.map((t) => t.name),
        ['echo', 'add', 'slow', 'add_tool', 'crash', 'big', 'fail', 'log', 'pid'],
      );
    });

    it('call prints text content plainly and exits 0', async () => {
      const config = writeConfig({ servers: { fx: fixture() } });
      const result = await run(['--config', config, 'call', 'fx', 'echo', '--args', '{"text":"hello, world"}']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, 'hello, world\n');
    });

    it('call --json prints the whole result, structured content included; --args @file works', async () => {
      const config = writeConfig({ servers: { fx: fixture() } });
      writeFileSync(join(dir, 'args.json'), '{"a": 2, "b": 40}');
      const result = await run(['--config', config, 'call', 'fx', 'add', '--args', '@args.json', '--json']);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout), { content: [{ type: 'text', text: '42' }], structuredContent: { sum: 42 } });
    });

    it('a tool result with isError exits 1, the error text on stderr (on stdout with --json)', async () => {
      const config = writeConfig({ servers: { fx: fixture() } });
      const plain = await run(['--config', config, 'call', 'fx', 'fail']);
      assert.equal(plain.code, 1);
      assert.equal(plain.stdout, '');
      assert.match(plain.stderr, /^fixture failure$/m);
      const asJson = await run(['--config', config, 'call', 'fx', 'fail', '--json']);
      assert.equal(asJson.code, 1);
      assert.equal((JSON.parse(asJson.stdout) as { isError: boolean }).isError, true);
    });

    it('resources, read, prompts and prompt', async () => {
      const config = writeConfig({ servers: { fx: fixture() } });
      const resources = await run(['--config', config, 'resources', 'fx']);
      assert.match(resources.stdout, /^fixture:\/\/resource\/0 +resource_0 +text\/plain /m);
      const read = await run(['--config', config, 'read', 'fx', 'fixture://resource/1']);
      assert.equal(read.stdout, 'fixture resource 1\n');
      const prompts = await run(['--config', config, 'prompts', 'fx']);
      assert.match(prompts.stdout, /^prompt_0 \{topic\} +Fixture prompt 0$/m);
      const prompt = await run(['--config', config, 'prompt', 'fx', 'prompt_1', '--args', '{"topic":"tests"}']);
      assert.equal(prompt.code, 0, prompt.stderr);
      assert.equal(prompt.stdout, 'user: Prompt 1 about tests\n');
    });
  });

  describe('failures', () => {
    it('a configuration with a syntax error exits 2 and names the file', async () => {
      const config = writeConfig('{ "servers": { "fx": { "command": "node", } ');
      const result = await run(['--config', config, 'call', 'fx', 'echo']);
      assert.equal(result.code, 2);
      assert.ok(result.stderr.includes(`error: ${config}: expected a closing brace`), result.stderr);
      assert.ok(result.stderr.includes(`mcp-sessions: the configuration file ${config} cannot be used`), result.stderr);
    });

    it('an invalid server exits 2 with the path of the problem; the valid ones still work', async () => {
      const config = writeConfig({ servers: { fx: fixture(), bad: { command: 42 } } });
      const bad = await run(['--config', config, 'call', 'bad', 'echo']);
      assert.equal(bad.code, 2);
      assert.ok(bad.stderr.includes(`error: ${config}: servers.bad.command: must be a string, got number`), bad.stderr);
      assert.match(bad.stderr, /the server "bad" cannot be used: its configuration has errors/);
      const good = await run(['--config', config, 'call', 'fx', 'echo', '--args', '{"text":"ok"}']);
      assert.equal(good.code, 0, good.stderr);
      assert.equal(good.stdout, 'ok\n');
    });

    it('a missing configuration file exits 2 and names it', async () => {
      const missing = await run(['--config', join(dir, 'nope.json'), 'list']);
      assert.equal(missing.code, 2);
      assert.ok(missing.stderr.includes(join(dir, 'nope.json')));
      const noDefault = await run(['list']);
      assert.equal(noDefault.code, 2);
      assert.ok(noDefault.stderr.includes(join(dir, '.vscode', 'mcp.json')), noDefault.stderr);
    });

    it('an unknown server or tool is a usage error (2) that lists what exists', async () => {
      const config = writeConfig({ servers: { fx: fixture() } });
      const server = await run(['--config', config, 'call', 'nope', 'echo']);
      assert.equal(server.code, 2);
      assert.match(server.stderr, /no server named "nope" in mcp\.json; configured: fx/);
      const tool = await run(['--config', config, 'call', 'fx', 'nope']);
      assert.equal(tool.code, 2);
      assert.match(tool.stderr, /the server "fx" has no tool named "nope"; its tools: echo, add/);
    });

    it('a command that does not exist exits 3 and names it', async () => {
      const config = writeConfig({ servers: { gone: { command: 'mcp-no-such-command-xyz' } } });
      const result = await run(['--config', config, 'tools', 'gone']);
      assert.equal(result.code, 3);
      assert.match(result.stderr, /the command "mcp-no-such-command-xyz" was not found on PATH/);
    });

    it('a server that crashes mid-call exits 3 with its stderr tail', async () => {
      const config = writeConfig({ servers: { fx: fixture() } });
      const result = await run(['--config', config, 'call', 'fx', 'crash']);
      assert.equal(result.code, 3);
      assert.match(result.stderr, /"fx" stopped unexpectedly during the call of "crash": exited with code 7[\s\S]*Last stderr lines of "fx":\n[\s\S]*fixture: crashing with exit code 7/);
    });

    it('a call past --timeout exits 4 promptly', async () => {
      const config = writeConfig({ servers: { fx: fixture() } });
      const started = Date.now();
      const result = await run(['--config', config, 'call', 'fx', 'slow', '--args', '{"ms":20000,"steps":1}', '--timeout', '300']);
      assert.equal(result.code, 4, result.stderr);
      assert.match(result.stderr, /timed out after 300 ms/);
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    });

    it('bad --args exit 2', async () => {
      const config = writeConfig({ servers: { fx: fixture() } });
      for (const args of ['{bad', '[1]', '@missing.json']) {
        const result = await run(['--config', config, 'call', 'fx', 'echo', '--args', args]);
        assert.equal(result.code, 2, `${args}: ${result.stderr}`);
      }
    });
  });

  describe('hostile input', () => {
    const escape = '\u001b]0;owned\u0007\u001b[2J';
    const bidi = 'admin\u202e\u2066txt.exe';

    it('a file nested 10,000 levels deep is a configuration error (exit 2), not a crash', async () => {
      const config = writeConfig(`{ "servers": { "fx": { "command": "node" } }, "x": ${'['.repeat(10_000)}${']'.repeat(10_000)} }`);
      const result = await run(['--config', config, 'list']);
      assert.equal(result.code, 2, result.stderr);
      assert.ok(result.stderr.includes(`error: ${config}: nested more than 100 levels deep, so the file is not read (line 1, column `), result.stderr);
      assert.ok(result.stderr.includes(`mcp-sessions: the configuration file ${config} cannot be used`), result.stderr);
      assert.doesNotMatch(result.stderr, /call stack/);
    });

    it('reads a file with a UTF-8 byte order mark, as the extension does', async () => {
      const config = writeConfig(`\ufeff${JSON.stringify({ servers: { fx: fixture() } })}`);
      const result = await run(['--config', config, 'list', '--json']);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual((JSON.parse(result.stdout) as { name: string }[]).map((s) => s.name), ['fx']);
    });

    it('lists 200,000 servers', async function () {
      this.timeout(90_000);
      const servers: Record<string, unknown> = {};
      for (let i = 0; i < 200_000; i++) servers[`s${i}`] = { command: 'x' };
      const result = await run(['--config', writeConfig({ servers }), 'list']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.split('\n').length, 200_002);
    });

    it('shows control and bidi characters of names and messages as escapes; --json stays JSON with the same names', async () => {
      const config = writeConfig({ servers: { [`fx${escape}`]: fixture(), [bidi]: { command: 'x' }, [`bad${escape}`]: { command: 1 } } });
      const result = await run(['--config', config, 'list']);
      assert.equal(result.code, 2);
      for (const output of [result.stdout, result.stderr]) assert.doesNotMatch(output, /[\u001b\u0007\u202e\u2066]/u);
      assert.match(result.stdout, /^fx\\u\{1b\}\]0;owned\\u\{7\}\\u\{1b\}\[2J +stdio/m);
      assert.match(result.stdout, /^admin\\u\{202e\}\\u\{2066\}txt\.exe +stdio/m);
      assert.ok(result.stderr.includes('servers["bad\\u001b]0;owned\\u0007\\u001b[2J"].command: must be a string'), result.stderr);

      const asJson = await run(['--config', config, 'list', '--json']);
      assert.doesNotMatch(asJson.stdout, /[\u001b\u0007\u202e\u2066]/u);
      assert.deepEqual((JSON.parse(asJson.stdout) as { name: string }[]).map((s) => s.name), [`fx${escape}`, bidi]);
    });

    it('prints tool output as it is to a pipe, and escaped to a terminal', async function () {
      const config = writeConfig({ servers: { fx: fixture() } });
      const args = ['--config', config, 'call', 'fx', 'echo', '--args', JSON.stringify({ text: `red${escape}\r\nnext\tline` })];
      const piped = await run(args);
      assert.equal(piped.code, 0, piped.stderr);
      assert.equal(piped.stdout, `red${escape}\r\nnext\tline\n`);

      const script = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p));
      if (!script) this.skip();
      const command = [process.execPath, cli, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
      const child = spawn(script!, ['-q', '-e', '-c', command, '/dev/null'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      running.add(child);
      let transcript = '';
      child.stdout!.on('data', (d: Buffer) => (transcript += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      running.delete(child);
      assert.equal(code, 0, transcript);
      assert.ok(transcript.includes('red\\u{1b}]0;owned\\u{7}\\u{1b}[2J'), transcript);
      assert.ok(!transcript.includes('\u001b]0;owned'), transcript);
      assert.ok(transcript.includes('next\tline'), transcript);
    });
  });

  describe('inputs', () => {
    const withInput = () =>
      writeConfig({
        inputs: [{ id: 'tool-count', type: 'promptString', description: 'How many extra tools' }],
        servers: { fx: fixture(['--tools', '${input:tool-count}']) },
      });

    it('without a terminal or MCP_INPUT_<ID>, a needed input is a usage error naming it', async () => {
      const result = await run(['--config', withInput(), 'tools', 'fx'], { env: { MCP_INPUT_TOOL_COUNT: undefined } });
      assert.equal(result.code, 2);
      assert.match(result.stderr, /the server "fx" needs the input "tool-count" \(How many extra tools\): set MCP_INPUT_TOOL_COUNT/);
      assert.deepEqual(readdirSync(pidDir), []);
    });

    it('asks on a terminal, without echo for a password input', async function () {
      const script = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p));
      if (!script) this.skip();
      const config = writeConfig({
        inputs: [{ id: 'tool-count', type: 'promptString', description: 'How many extra tools', password: true }],
        servers: { fx: fixture(['--tools', '${input:tool-count}']) },
      });
      // script(1) gives the CLI a pseudo-terminal; the answer is typed once the question is up.
      const command = [process.execPath, cli, '--config', config, 'tools', 'fx'].map((a) => `'${a}'`).join(' ');
      const child = spawn(script!, ['-q', '-e', '-c', command, '/dev/null'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
      running.add(child);
      let transcript = '';
      let answered = false;
      child.stdout!.on('data', (d: Buffer) => {
        transcript += d.toString();
        if (!answered && transcript.includes('How many extra tools: ')) {
          answered = true;
          child.stdin!.write('0002\r');
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      running.delete(child);
      assert.equal(code, 0, transcript);
      assert.equal(transcript.match(/^tool_\d{3} /gm)?.length, 2, transcript);
      assert.ok(!transcript.includes('0002'), `the answer was echoed:\n${transcript}`);
    });

    it('takes the value from MCP_INPUT_<ID>', async () => {
      const result = await run(['--config', withInput(), 'tools', 'fx', '--json'], { env: { MCP_INPUT_TOOL_COUNT: '2' } });
      assert.equal(result.code, 0, result.stderr);
      assert.equal((JSON.parse(result.stdout) as unknown[]).length, 11);
    });
  });

  describe('interruption leaves no process behind', () => {
    const slowCall = ['call', 'fx', 'slow', '--args', '{"ms":60000,"steps":60}', '--verbose'];

    for (const [label, server] of [
      ['a direct server with a grandchild', () => fixture(['--spawn-child'])],
      ['a server behind sh (wrapped-server.sh)', () => wrapped(['--spawn-child'])],
    ] as const) {
      it(`SIGINT mid-call exits 130 and ends ${label}`, async () => {
        const config = writeConfig({ servers: { fx: server() } });
        const cliRun = start(['--config', config, ...slowCall]);
        await waitForStderr(cliRun, /starting → running/);
        await delay(300);
        const pids = fixturePids();
        assert.ok(pids.length >= (label.includes('sh') ? 3 : 2), `pids: ${pids.join(', ')}`);
        assert.ok(pids.every(isAlive));
        cliRun.child.kill('SIGINT');
        const result = await cliRun.done;
        assert.equal(result.code, 130, result.stderr);
        assert.equal(result.stdout, '');
        assert.match(result.stderr, /slow cancelled after/, 'the server should get notifications/cancelled');
        assert.deepEqual(await waitForNoSurvivors(1000), []);
      });
    }

    it('SIGTERM exits 143 and escalates to SIGKILL for a server that ignores EOF and SIGTERM', async () => {
      const config = writeConfig({ servers: { fx: fixture(['--ignore-eof', '--ignore-sigterm', '--spawn-child']) } });
      const cliRun = start(['--config', config, ...slowCall]);
      await waitForStderr(cliRun, /starting → running/);
      const started = Date.now();
      cliRun.child.kill('SIGTERM');
      const result = await cliRun.done;
      assert.equal(result.code, 143, result.stderr);
      assert.ok(Date.now() - started < 4500, `teardown took ${Date.now() - started} ms`);
      assert.match(result.stderr, /fx=killed/);
      assert.deepEqual(await waitForNoSurvivors(1000), []);
    });

    it('a second SIGINT during teardown kills the process groups at once, still without orphans', async () => {
      const config = writeConfig({ servers: { fx: wrapped(['--ignore-eof', '--ignore-sigterm', '--spawn-child']) } });
      const cliRun = start(['--config', config, ...slowCall]);
      await waitForStderr(cliRun, /starting → running/);
      cliRun.child.kill('SIGINT');
      await waitForStderr(cliRun, /ignoring EOF/);
      const second = Date.now();
      cliRun.child.kill('SIGINT');
      const result = await cliRun.done;
      assert.equal(result.code, 130, result.stderr);
      assert.ok(Date.now() - second < 500, `exit took ${Date.now() - second} ms after the second SIGINT`);
      assert.match(result.stderr, /SIGINT again: killing the servers/);
      assert.deepEqual(await waitForNoSurvivors(1000), []);
    });

    it('SIGKILL mid-call leaves nothing: the watchdogs end stubborn servers, `sh` and grandchildren', async function () {
      if (process.platform === 'win32') this.skip();
      const stubborn = ['--ignore-eof', '--ignore-sigterm', '--spawn-child'];
      const config = writeConfig({ servers: { fx: fixture(stubborn) } });
      const cliRun = start(['--config', config, ...slowCall]);
      await waitForStderr(cliRun, /starting → running/);
      await delay(300);
      // The server, its grandchild, and the CLI itself (the server's parent).
      const pids = fixturePids();
      assert.equal(pids.length, 3, `pids: ${pids.join(', ')}`);
      assert.ok(pids.every(isAlive));
      cliRun.child.kill('SIGKILL');
      await cliRun.done;
      assert.deepEqual(await waitForNoSurvivors(3000), []);
    });

    it('SIGKILL while a stubborn server behind sh is still starting leaves nothing', async function () {
      if (process.platform === 'win32') this.skip();
      const config = writeConfig({ servers: { fx: wrapped(['--never-initialize', '--ignore-eof', '--ignore-sigterm', '--spawn-child']) } });
      const cliRun = start(['--config', config, 'tools', 'fx', '--verbose']);
      await waitForStderr(cliRun, /never initializes/);
      await delay(300);
      // sh (the parent of the server), the server and its grandchild.
      assert.equal(fixturePids().length, 3, `pids: ${fixturePids().join(', ')}`);
      assert.ok(fixturePids().every(isAlive));
      cliRun.child.kill('SIGKILL');
      await cliRun.done;
      assert.deepEqual(await waitForNoSurvivors(3000), []);
    });

    it('SIGINT while the server is still starting ends it too', async () => {
      const config = writeConfig({ servers: { fx: fixture(['--never-initialize', '--ignore-eof']) } });
      const cliRun = start(['--config', config, 'tools', 'fx', '--verbose']);
      await waitForStderr(cliRun, /never initializes/);
      cliRun.child.kill('SIGINT');
      const result = await cliRun.done;
      assert.equal(result.code, 130, result.stderr);
      assert.deepEqual(await waitForNoSurvivors(1000), []);
    });
  });
});

// The command-line parser of mcp-sessions (src/cli/args.ts) on its own: what each command line
// runs, and the message of every kind of usage error. test/unit/cli.test.ts runs the real CLI.
import * as assert from 'node:assert/strict';
import { commandHelp, mainHelp, parseCommandLine, type CliOptions } from '../../src/cli/args';

const defaults: CliOptions = { configs: [], json: false, verbose: false, status: false, gateway: 'auto' };

function runs(argv: string[]) {
  const result = parseCommandLine(argv);
  assert.equal(result.kind, 'run', `${argv.join(' ')}: ${JSON.stringify(result)}`);
  // Unset options are left undefined: compare what is set.
  return { ...result.commandLine, options: JSON.parse(JSON.stringify(result.commandLine.options)) as CliOptions };
}

function fails(argv: string[], message: string, command?: string): void {
  assert.deepEqual(parseCommandLine(argv), { kind: 'error', message, ...(command ? { command } : {}) }, argv.join(' '));
}

describe('mcp-sessions command line', () => {
  it('reads every option, before or after the command, in both spellings', () => {
    const args = ['call', 's', 't', '--args={"a":1}', '--json', '--workspace', '/w', '--timeout', '100', '--connect-timeout=200', '--max-message-size', '3', '-v'];
    assert.deepEqual(runs(args), {
      command: 'call',
      operands: ['s', 't'],
      options: { ...defaults, json: true, verbose: true, args: '{"a":1}', workspace: '/w', timeoutMs: 100, connectTimeoutMs: 200, maxMessageMiB: 3 },
    });
    assert.deepEqual(runs(['--status', '--config', 'a', 'list', '--config=b']), { command: 'list', operands: [], options: { ...defaults, status: true, configs: ['a', 'b'] } });
  });

  it('takes everything after -- as operands, and "-" as an operand or value', () => {
    assert.deepEqual(runs(['tools', '--', '-s']).operands, ['-s']);
    assert.deepEqual(runs(['--', 'read', 's', '--json']).operands, ['s', '--json']);
    assert.equal(runs(['call', 's', 't', '--args', '-']).options.args, '-');
    assert.equal(runs(['call', 's', 't', '--args=-x']).options.args, '-x');
  });

  it('shows help and the version', () => {
    for (const argv of [['--help'], ['-h'], ['help']]) assert.deepEqual(parseCommandLine(argv), { kind: 'help', text: mainHelp() });
    for (const argv of [['call', '--help'], ['-h', 'call'], ['help', 'call'], ['-vh', 'call']]) assert.deepEqual(parseCommandLine(argv), { kind: 'help', text: commandHelp('call') });
    assert.deepEqual(parseCommandLine(['--version']), { kind: 'version' });
    // Every description starts in one column, after the longest flag.
    assert.match(mainHelp(), /\n {6}--max-message-size MIB {2}Largest single message/);
    assert.match(mainHelp(), /\n {2}-v, --verbose {15}Log server lifecycle/);
    assert.match(commandHelp('call'), /Usage: mcp-sessions call <server> <tool> \[--args JSON\] \[options\]/);
  });

  it('names the option that is unknown, lacks its value or has one it does not take', () => {
    fails(['--bogus'], 'unknown option "--bogus"');
    fails(['--bogus=1', 'list'], 'unknown option "--bogus"');
    fails(['-x'], 'unknown option "-x"');
    fails(['-vx', 'list'], 'unknown option "-x" in "-vx"');
    fails(['--__proto__', 'list'], 'unknown option "--__proto__"');
    fails(['--no-json', 'list'], 'unknown option "--no-json"');
    fails(['list', '--config'], '--config needs a value (FILE)');
    fails(['call', 'a', 'b', '--args'], '--args needs a value (JSON)');
    fails(['--json=1', 'list'], '--json takes no value');
    fails(['--help=x'], '--help takes no value');
  });

  it('does not take the next option as a value', () => {
    fails(['--workspace', '--json', 'list'], '--workspace needs a value (DIR), got the option "--json" (write --workspace=--json if that is the value)');
    fails(['--timeout', '-5', 'list'], '--timeout needs a value (MS), got the option "-5" (write --timeout=-5 if that is the value)');
  });

  it('rejects repeated options (but --config), bad numbers, and options of other commands', () => {
    fails(['--json', '--json', 'list'], '--json is given twice');
    fails(['-v', '--verbose', 'list'], '--verbose is given twice');
    fails(['call', 'a', 'b', '--timeout', 'soon'], '--timeout expects a positive number of milliseconds, got "soon"');
    fails(['--timeout=-5', 'list'], '--timeout expects a positive number of milliseconds, got "-5"');
    fails(['--connect-timeout', '1.5', 'list'], '--connect-timeout expects a positive number of milliseconds, got "1.5"');
    fails(['--connect-timeout', '99999999999999999999', 'list'], '--connect-timeout expects a positive number of milliseconds, got "99999999999999999999"');
    fails(['--max-message-size', '0', 'list'], '--max-message-size expects a positive number of MiB, got "0"');
    fails(['list', '--args', '{}'], '--args does not apply to "list"', 'list');
    fails(['tools', 's', '--status'], '--status does not apply to "tools"', 'tools');
    fails(['--version', 'list'], '--version does not apply to "list"', 'list');
  });

  it('checks the command and its operands', () => {
    fails([], 'no command given');
    fails(['bogus'], 'unknown command "bogus"');
    fails(['help', 'bogus'], 'unknown command "bogus"');
    fails(['--', '--help'], 'unknown command "--help"');
    fails(['tools'], '"tools" needs <server>', 'tools');
    fails(['call'], '"call" needs <server> and <tool>', 'call');
    fails(['call', 'a', 'b', 'c'], 'unexpected argument "c" for "call"', 'call');
    fails(['list', '--', '--json'], 'unexpected argument "--json" for "list"', 'list');
  });
});

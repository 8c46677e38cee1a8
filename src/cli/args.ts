// Command-line parsing for mcp-sessions: commands, options and their help texts.
// node:util parseArgs (strict) reads the options; options may come before or after the command,
// `--name=value` and `--name value` both work, short flags combine (`-vh`), `--` ends the options.

import { parseArgs } from 'node:util';

export type CommandName = 'list' | 'tools' | 'call' | 'resources' | 'read' | 'prompts' | 'prompt' | 'serve';

export interface CliOptions {
  /** Configuration files in the order given; empty means the default `.vscode/mcp.json`. */
  configs: string[];
  workspace?: string;
  json: boolean;
  verbose: boolean;
  /** `list --status`: start the servers and show their state. */
  status: boolean;
  /** `call` / `prompt`: the arguments as JSON, `@file` or `@-` (stdin). */
  args?: string;
  timeoutMs?: number;
  connectTimeoutMs?: number;
  /** Largest single message accepted from a server, in MiB. */
  maxMessageMiB?: number;
  /** `--gateway` / `--no-gateway`: whether commands go through a running gateway (gatewaySessions.ts). */
  gateway: 'auto' | 'required' | 'off';
  /** `serve --idle-timeout`: exit after this long without a request; undefined: never. */
  idleTimeoutMs?: number;
}

export interface CommandLine {
  command: CommandName;
  /** The command's operands: server, tool, URI, prompt. */
  operands: string[];
  options: CliOptions;
}

export type ParseResult =
  | { kind: 'run'; commandLine: CommandLine }
  | { kind: 'help'; text: string }
  | { kind: 'version' }
  | { kind: 'error'; message: string; command?: CommandName };

interface CommandSpec {
  operands: string[];
  summary: string;
  /** Options of this command beyond the global ones. */
  options: OptionName[];
  details?: string;
}

/** An option as parseArgs reads it, with what help texts say about it. */
interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Placeholder of a string option's value in help texts and errors. */
  valueName?: string;
  help: string;
}

const optionSpecs = {
  config: { type: 'string', multiple: true, valueName: 'FILE', help: 'A configuration file: .vscode/mcp.json ("servers") or Claude Desktop / Cursor ("mcpServers"). Repeatable. Default: .vscode/mcp.json in the current folder.' },
  workspace: { type: 'string', valueName: 'DIR', help: 'The value of ${workspaceFolder}. Default: the folder holding .vscode/ for a .vscode/mcp.json, else the current folder.' },
  json: { type: 'boolean', help: 'Print machine-readable JSON on stdout.' },
  verbose: { type: 'boolean', short: 'v', help: "Log server lifecycle and the servers' stderr to stderr." },
  status: { type: 'boolean', help: 'Start every server and show its state and number of tools.' },
  args: { type: 'string', valueName: 'JSON', help: 'Arguments as a JSON object, @FILE to read them from a file, or @- to read stdin.' },
  timeout: { type: 'string', valueName: 'MS', help: 'Fail with exit code 4 when a request takes longer. Default 60000.' },
  'connect-timeout': { type: 'string', valueName: 'MS', help: 'How long a server may take to start and initialize. Default 30000.' },
  'max-message-size': { type: 'string', valueName: 'MIB', help: 'Largest single message accepted from a server, in MiB; a larger one fails the command. Default 32.' },
  gateway: { type: 'boolean', help: 'Use the running MCP gateway of this workspace (an editor window or "mcp-sessions serve"); fail if none runs or it lacks the server.' },
  'no-gateway': { type: 'boolean', help: 'Never use a running gateway: start the server in this run.' },
  'idle-timeout': { type: 'string', valueName: 'MS', help: 'Exit after this long without a request in flight. Default: never.' },
  help: { type: 'boolean', short: 'h', help: 'Show help.' },
  version: { type: 'boolean', help: 'Show the version.' },
} as const satisfies Record<string, OptionSpec>;

type OptionName = keyof typeof optionSpecs;

function optionSpec(name: OptionName): OptionSpec {
  return optionSpecs[name];
}

const globalOptions: OptionName[] = ['config', 'workspace', 'json', 'verbose', 'timeout', 'connect-timeout', 'max-message-size', 'gateway', 'no-gateway', 'help'];

const commands: Record<CommandName, CommandSpec> = {
  list: {
    operands: [],
    summary: 'List the configured servers (kind, command or URL, source) without starting them.',
    options: ['status'],
    details: 'With --status, starts every server and shows its state and number of tools; exits 3 when any failed.',
  },
  tools: { operands: ['server'], summary: "List a server's tools.", options: [] },
  call: {
    operands: ['server', 'tool'],
    summary: 'Call a tool and print its result.',
    options: ['args'],
    details: 'Text content is printed as is; other content is described; --json prints the whole result.\nExits 1 when the tool reports an error (isError), 4 on timeout.',
  },
  resources: { operands: ['server'], summary: "List a server's resources.", options: [] },
  read: { operands: ['server', 'uri'], summary: 'Read a resource and print its contents.', options: [] },
  prompts: { operands: ['server'], summary: "List a server's prompts.", options: [] },
  prompt: { operands: ['server', 'name'], summary: 'Get a prompt and print its messages.', options: ['args'] },
  serve: {
    operands: [],
    summary: 'Run the servers headless behind an MCP gateway on 127.0.0.1 that the other commands (and any MCP client with the token) use.',
    options: ['idle-timeout'],
    details:
      'Prints one JSON line when listening: {"url","servers","discovery","pid"}. Servers start on first use and are restarted after a crash.\nSIGINT / SIGTERM: stops every server and exits 0. Without --gateway/--no-gateway, the other commands use it when no --config is given.',
  },
};

const exitCodesHelp = `Exit codes:
  0    success
  1    the tool reported an error (isError)
  2    usage or configuration error (bad option, unusable config, unknown server or tool, missing input)
  3    a server failed: could not start, crashed, connection lost
  4    timeout
  130  interrupted (SIGINT); 143 on SIGTERM, 129 on SIGHUP`;

function flagText(name: OptionName): string {
  const spec = optionSpec(name);
  return `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.valueName ? ` ${spec.valueName}` : ''}`;
}

/** Help texts line up after the longest flag. */
const flagColumn = Math.max(...(Object.keys(optionSpecs) as OptionName[]).map((name) => flagText(name).length)) + 2;

function optionLine(name: OptionName): string {
  return `  ${flagText(name).padEnd(flagColumn)}${optionSpec(name).help}`;
}

export function usageLine(name: CommandName): string {
  const spec = commands[name];
  const own = spec.options.map((o) => `[--${o}${optionSpec(o).valueName ? ` ${optionSpec(o).valueName}` : ''}]`);
  return ['mcp-sessions', name, ...spec.operands.map((o) => `<${o}>`), ...own, '[options]'].join(' ');
}

export function mainHelp(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return `Usage: mcp-sessions <command> [options]

Runs the MCP servers of a configuration file and uses them from the command line.

Commands:
${Object.entries(commands)
  .map(([name, spec]) => `  ${name.padEnd(width + 2)}${spec.summary}`)
  .join('\n')}

Options:
${[...globalOptions, 'version' as const].map(optionLine).join('\n')}

Variables in the configuration: \${env:NAME}, \${workspaceFolder}, \${userHome}, \${input:ID}.
An input is read from the environment variable MCP_INPUT_<ID> (upper case, non-alphanumerics
as "_"), else asked on the terminal, else its default; otherwise the command fails with code 2.

${exitCodesHelp}

Run "mcp-sessions <command> --help" for a command's options.`;
}

export function commandHelp(name: CommandName): string {
  const spec = commands[name];
  return `Usage: ${usageLine(name)}

${spec.summary}${spec.details ? `\n${spec.details}` : ''}

Options:
${[...spec.options, ...globalOptions].map(optionLine).join('\n')}

${exitCodesHelp}`;
}

function isCommand(word: string): word is CommandName {
  return Object.hasOwn(commands, word);
}

function isOption(name: string): name is OptionName {
  return Object.hasOwn(optionSpecs, name);
}

/** A mistake in the command line, told as the CLI tells usage errors (exit code 2). */
class UsageError extends Error {}

function positiveInteger(option: OptionName, value: string | undefined, unit: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0) throw new UsageError(`--${option} expects a positive number of ${unit}, got "${value}"`);
  return n;
}

/**
 * What strict parseArgs rejected, said the CLI's way: the first option that is unknown, lacks
 * its value, has one it does not take, or would swallow the next option as its value. Found
 * again in parseArgs' own tokens (non-strict), in the order strict parsing checks them.
 */
function optionError(argv: string[], error: unknown): string {
  const { tokens } = parseArgs({ args: argv, options: optionSpecs, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (!isOption(token.name)) {
      const written = argv[token.index];
      return `unknown option "${token.rawName}"${written.startsWith(`${token.rawName}=`) || written === token.rawName ? '' : ` in "${written}"`}`;
    }
    const spec = optionSpec(token.name);
    const flag = `--${token.name}`;
    if (spec.type === 'boolean' && token.value !== undefined) return `${flag} takes no value`;
    if (spec.type === 'string' && token.value === undefined) return `${flag} needs a value (${spec.valueName})`;
    if (spec.type === 'string' && !token.inlineValue && token.value !== undefined && token.value.length > 1 && token.value.startsWith('-')) {
      return `${flag} needs a value (${spec.valueName}), got the option "${token.value}" (write ${flag}=${token.value} if that is the value)`;
    }
  }
  return error instanceof Error ? error.message : String(error);
}

export function parseCommandLine(argv: string[]): ParseResult {
  try {
    return parseOrThrow(argv);
  } catch (e) {
    if (e instanceof UsageError) return { kind: 'error', message: e.message };
    throw e;
  }
}

function parseOrThrow(argv: string[]): ParseResult {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: optionSpecs, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    throw new UsageError(optionError(argv, e));
  }
  const { values, positionals, tokens } = parsed;

  // Options in the order given, each once: only --config may repeat.
  const given: OptionName[] = [];
  for (const token of tokens) {
    if (token.kind !== 'option' || !isOption(token.name)) continue;
    if (given.includes(token.name)) {
      if (optionSpec(token.name).multiple) continue;
      throw new UsageError(`--${token.name} is given twice`);
    }
    given.push(token.name);
  }
  const options: CliOptions = {
    configs: values.config ?? [],
    workspace: values.workspace,
    json: values.json ?? false,
    verbose: values.verbose ?? false,
    status: values.status ?? false,
    args: values.args,
    timeoutMs: positiveInteger('timeout', values.timeout, 'milliseconds'),
    connectTimeoutMs: positiveInteger('connect-timeout', values['connect-timeout'], 'milliseconds'),
    maxMessageMiB: positiveInteger('max-message-size', values['max-message-size'], 'MiB'),
    gateway: values.gateway ? 'required' : values['no-gateway'] ? 'off' : 'auto',
    idleTimeoutMs: positiveInteger('idle-timeout', values['idle-timeout'], 'milliseconds'),
  };
  if (values.gateway && values['no-gateway']) throw new UsageError('--gateway and --no-gateway cannot both be given');

  let help = values.help ?? false;
  let [command, ...operands] = positionals;
  if (command === 'help') {
    help = true;
    [command, ...operands] = operands;
  }
  if (values.version && command === undefined) return { kind: 'version' };
  if (command === undefined) return help ? { kind: 'help', text: mainHelp() } : { kind: 'error', message: 'no command given' };
  if (!isCommand(command)) return { kind: 'error', message: `unknown command "${command}"` };
  if (help) return { kind: 'help', text: commandHelp(command) };

  const spec = commands[command];
  for (const option of given) {
    if (!globalOptions.includes(option) && !spec.options.includes(option)) {
      return { kind: 'error', command, message: `--${option} does not apply to "${command}"` };
    }
  }
  if (operands.length < spec.operands.length) {
    const missing = spec.operands.slice(operands.length).map((o) => `<${o}>`);
    return { kind: 'error', command, message: `"${command}" needs ${missing.join(' and ')}` };
  }
  if (operands.length > spec.operands.length) {
    return { kind: 'error', command, message: `unexpected argument "${operands[spec.operands.length]}" for "${command}"` };
  }
  return { kind: 'run', commandLine: { command, operands, options } };
}

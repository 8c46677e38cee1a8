// Command-line parsing for mcp-sessions: commands, options and their help texts.
// Options may come before or after the command; `--name=value` and `--name value` both work;
// `--` ends the options.

export type CommandName = 'list' | 'tools' | 'call' | 'resources' | 'read' | 'prompts' | 'prompt';

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

type OptionName = 'config' | 'workspace' | 'json' | 'verbose' | 'status' | 'args' | 'timeout' | 'connect-timeout' | 'max-message-size' | 'help' | 'version';

interface OptionSpec {
  value?: string;
  short?: string;
  help: string;
}

const optionSpecs: Record<OptionName, OptionSpec> = {
  config: { value: 'FILE', help: 'A configuration file: .vscode/mcp.json ("servers") or Claude Desktop / Cursor ("mcpServers"). Repeatable. Default: .vscode/mcp.json in the current folder.' },
  workspace: { value: 'DIR', help: 'The value of ${workspaceFolder}. Default: the folder holding .vscode/ for a .vscode/mcp.json, else the current folder.' },
  json: { help: 'Print machine-readable JSON on stdout.' },
  verbose: { short: 'v', help: "Log server lifecycle and the servers' stderr to stderr." },
  status: { help: 'Start every server and show its state and number of tools.' },
  args: { value: 'JSON', help: 'Arguments as a JSON object, @FILE to read them from a file, or @- to read stdin.' },
  timeout: { value: 'MS', help: 'Fail with exit code 4 when a request takes longer. Default 60000.' },
  'connect-timeout': { value: 'MS', help: 'How long a server may take to start and initialize. Default 30000.' },
  'max-message-size': { value: 'MIB', help: 'Largest single message accepted from a server, in MiB; a larger one fails the command. Default 32.' },
  help: { short: 'h', help: 'Show help.' },
  version: { help: 'Show the version.' },
};

const globalOptions: OptionName[] = ['config', 'workspace', 'json', 'verbose', 'timeout', 'connect-timeout', 'max-message-size', 'help'];

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
};

const exitCodesHelp = `Exit codes:
  0    success
  1    the tool reported an error (isError)
  2    usage or configuration error (bad option, unusable config, unknown server or tool, missing input)
  3    a server failed: could not start, crashed, connection lost
  4    timeout
  130  interrupted (SIGINT); 143 on SIGTERM, 129 on SIGHUP`;

function optionLine(name: OptionName): string {
  const spec = optionSpecs[name];
  const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`;
  return `  ${flag.padEnd(26)}${spec.help}`;
}

export function usageLine(name: CommandName): string {
  const spec = commands[name];
  const own = spec.options.map((o) => `[--${o}${optionSpecs[o].value ? ` ${optionSpecs[o].value}` : ''}]`);
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

function positiveInteger(option: string, value: string): number | string {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0) return `--${option} expects a positive number of milliseconds, got "${value}"`;
  return n;
}

export function parseCommandLine(argv: string[]): ParseResult {
  const options: CliOptions = { configs: [], json: false, verbose: false, status: false };
  const words: string[] = [];
  const seen = new Set<OptionName>();
  let help = false;
  let version = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      words.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
    } else {
      const long = (Object.keys(optionSpecs) as OptionName[]).find((o) => optionSpecs[o].short === arg.slice(1));
      if (!long) return { kind: 'error', message: `unknown option "${arg}"` };
      name = long;
    }
    if (!Object.hasOwn(optionSpecs, name)) return { kind: 'error', message: `unknown option "--${name}"` };
    const option = name as OptionName;
    const spec = optionSpecs[option];
    let value: string | undefined;
    if (spec.value) {
      value = inline ?? argv[++i];
      if (value === undefined) return { kind: 'error', message: `--${option} needs a value (${spec.value})` };
    } else if (inline !== undefined) {
      return { kind: 'error', message: `--${option} takes no value` };
    }
    if (seen.has(option) && option !== 'config') return { kind: 'error', message: `--${option} is given twice` };
    seen.add(option);

    switch (option) {
      case 'config':
        options.configs.push(value!);
        break;
      case 'workspace':
        options.workspace = value;
        break;
      case 'args':
        options.args = value;
        break;
      case 'timeout':
      case 'connect-timeout':
      case 'max-message-size': {
        const parsed = positiveInteger(option, value!);
        if (typeof parsed === 'string') return { kind: 'error', message: parsed };
        if (option === 'timeout') options.timeoutMs = parsed;
        else if (option === 'connect-timeout') options.connectTimeoutMs = parsed;
        else options.maxMessageMiB = parsed;
        break;
      }
      case 'json':
        options.json = true;
        break;
      case 'verbose':
        options.verbose = true;
        break;
      case 'status':
        options.status = true;
        break;
      case 'help':
        help = true;
        break;
      case 'version':
        version = true;
        break;
    }
  }

  let [command, ...operands] = words;
  if (command === 'help') {
    help = true;
    [command, ...operands] = operands;
  }
  if (version && command === undefined) return { kind: 'version' };
  if (command === undefined) return help ? { kind: 'help', text: mainHelp() } : { kind: 'error', message: 'no command given' };
  if (!isCommand(command)) return { kind: 'error', message: `unknown command "${command}"` };
  if (help) return { kind: 'help', text: commandHelp(command) };

  const spec = commands[command];
  for (const option of seen) {
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


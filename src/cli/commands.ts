// The commands of mcp-sessions over the core's registry. Each returns its exit code; results
// go to stdout, diagnostics to stderr.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CallOptions, GetPromptResult, ReadResourceResult, RegistryApi } from '../core/api';
import { formatIssue, type ConfigIssue } from '../core/config';
import { describeDefinition, shownDefinition, type ServerDefinition } from '../core/definitions';
import { terminalText } from '../core/displayText';
import type { SecretRedactor } from '../core/redact';
import { errorMessage, isMcpSessionError, McpSessionError } from '../core/errors';
import type { CommandLine } from './args';
import { findServer, shownServer, loadConfiguration, ServerResolver, type ConfiguredServer, type LoadedConfiguration } from './configuration';
import { CliError, ExitCode, exitCodeFor, usageError } from './exitCodes';
import { formatPromptResult, formatPrompts, formatResourceContents, formatResources, formatToolResult, formatTools, json, table, terminalContent } from './format';
import { cliWorkspaceId, findGateway, GatewaySessions } from './gatewaySessions';
import type { CliHost } from './host';
import { serve } from './serve';
import type { InputReader } from './inputs';

export interface CommandContext {
  commandLine: CommandLine;
  host: CliHost;
  cwd: string;
  env: NodeJS.ProcessEnv;
  inputs: InputReader;
  /** Told every `${env:…}` and `${input:…}` value resolved; stdout and stderr are redacted with it. */
  redactor?: SecretRedactor;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Reads all of stdin, for `--args @-`. */
  readStdin(): string;
  /** The router the host's registry answers servers' questions with; `serve` gives it to the gateway. */
  clientRequests?: import('../core/gateway/clientRequestRouter').ClientRequestRouter;
  /** Whether progress may be drawn on stderr. */
  showProgress: boolean;
  /** Whether stdout / stderr is a terminal: result content written there is escaped. */
  stdoutIsTerminal: boolean;
  stderrIsTerminal: boolean;
}

export async function runCommand(context: CommandContext, signal: AbortSignal): Promise<number> {
  const { commandLine } = context;
  const reported = new Set<string>();
  const config = loadConfiguration(commandLine.options.configs, {
    cwd: context.cwd,
    workspace: commandLine.options.workspace,
    report(issue) {
      // A syntax error can be reported twice at one spot (one per unclosed object).
      const line = `${severityLabel[issue.severity]}: ${terminalText(formatIssue(issue))}\n`;
      if (!reported.has(line)) context.stderr(line);
      reported.add(line);
    },
  });
  if (commandLine.command === 'list') return commandLine.options.status ? listWithStatus(context, config) : list(context, config);
  if (commandLine.command === 'serve') return serve(context, config, signal);

  const [serverName] = commandLine.operands;
  const gateway = await gatewayFor(context, serverName);
  try {
    return await runServerCommand(context, gateway ?? (await locally(context, config, serverName)), signal);
  } finally {
    await gateway?.close();
  }
}

/** What the server commands use: the registry of this run, or a running gateway's sessions. */
type ServerVerbs = Pick<RegistryApi, 'listTools' | 'listResources' | 'listPrompts' | 'readResource' | 'getPrompt' | 'callTool'>;

async function locally(context: CommandContext, config: LoadedConfiguration, serverName: string): Promise<ServerVerbs> {
  const definition = await new ServerResolver(context.inputs, context.env, context.redactor).resolve(findServer(config, serverName));
  context.host.registry.reconcile([definition]);
  return context.host.registry;
}

/**
 * The running gateway of this workspace when it serves `server`: with --gateway always (or fail),
 * by default only when no --config is given (then the editor and this run read the same
 * .vscode/mcp.json), never with --no-gateway.
 */
async function gatewayFor(context: CommandContext, server: string): Promise<GatewaySessions | undefined> {
  const { gateway: mode, configs, workspace, verbose } = context.commandLine.options;
  if (mode === 'off' || (mode === 'auto' && configs.length > 0)) return undefined;
  const workspaceId = cliWorkspaceId(context.cwd, workspace);
  const record = findGateway(workspaceId, context.env);
  if (!record) {
    if (mode === 'required') throw usageError(`no MCP gateway runs for ${workspaceId}; start one with "mcp-sessions serve" or open the folder in VS Code`);
    return undefined;
  }
  const sessions = new GatewaySessions(record, { name: 'mcp-sessions', version: '0.1.0' });
  try {
    if (await sessions.serves(server)) {
      if (verbose) context.stderr(`[info] using the MCP gateway of ${record.host === 'editor' ? 'an editor window' : '"mcp-sessions serve"'} (pid ${record.pid}) for "${terminalText(server)}"\n`);
      return sessions;
    }
    if (mode === 'required') throw usageError(`the MCP gateway (pid ${record.pid}) has no server named "${server}"`);
  } catch (e) {
    if (mode === 'required') throw e;
    if (verbose) context.stderr(`[info] the MCP gateway (pid ${record.pid}) is not usable, so "${terminalText(server)}" starts here: ${terminalText(errorMessage(e))}\n`);
  }
  await sessions.close();
  return undefined;
}

async function runServerCommand(context: CommandContext, registry: ServerVerbs, signal: AbortSignal): Promise<number> {
  const { commandLine } = context;
  const [serverName] = commandLine.operands;
  const { json: asJson, timeoutMs } = commandLine.options;
  const requestOptions: CallOptions = { signal, timeoutMs, maxTotalTimeoutMs: timeoutMs };
  const print = (value: unknown, text: (v: never) => string) => context.stdout(asJson ? json(value) : text(value as never));

  switch (commandLine.command) {
    case 'tools':
      print(await registry.listTools(serverName), formatTools);
      return ExitCode.ok;
    case 'resources':
      print(await registry.listResources(serverName), formatResources);
      return ExitCode.ok;
    case 'prompts':
      print(await registry.listPrompts(serverName), formatPrompts);
      return ExitCode.ok;
    case 'read':
      print(await registry.readResource(serverName, commandLine.operands[1], requestOptions), (result: ReadResourceResult) => shownContent(formatResourceContents(result), context.stdoutIsTerminal));
      return ExitCode.ok;
    case 'prompt': {
      const args = readArguments(context);
      for (const [key, value] of Object.entries(args)) {
        if (typeof value !== 'string') throw usageError(`prompt arguments must be strings; "${key}" is ${typeof value}`);
      }
      print(await registry.getPrompt(serverName, commandLine.operands[1], args as Record<string, string>, requestOptions), (result: GetPromptResult) => shownContent(formatPromptResult(result), context.stdoutIsTerminal));
      return ExitCode.ok;
    }
    case 'call':
      return call(context, registry, serverName, commandLine.operands[1], requestOptions);
    default:
      throw usageError(`"${commandLine.command}" takes no server`);
  }
}

async function call(context: CommandContext, registry: ServerVerbs, server: string, tool: string, requestOptions: CallOptions): Promise<number> {
  const args = readArguments(context);
  const asJson = context.commandLine.options.json;
  const progress = context.showProgress ? new ProgressLine(context) : undefined;
  try {
    const result = await registry.callTool(server, tool, args, { ...requestOptions, onProgress: progress?.update });
    progress?.clear();
    context.stdout(asJson ? json(result) : shownContent(formatToolResult(result), context.stdoutIsTerminal));
    return ExitCode.ok;
  } catch (e) {
    progress?.clear();
    if (isMcpSessionError(e, 'tool-error')) {
      const result = e.details.result as Parameters<typeof formatToolResult>[0];
      if (asJson) context.stdout(json(result));
      else context.stderr(shownContent(formatToolResult(result), context.stderrIsTerminal));
      context.stderr(`mcp-sessions: the tool "${terminalText(tool)}" on "${terminalText(server)}" reported an error\n`);
      return ExitCode.toolError;
    }
    if (isMcpSessionError(e, 'protocol')) await explainUnknownTool(registry, server, tool);
    throw e;
  }
}

/** Result content: escaped for a terminal, exactly as the server sent it for a pipe or a file. */
function shownContent(text: string, toTerminal: boolean): string {
  return toTerminal ? terminalContent(text) : text;
}

/** A call that failed with a protocol error may just name a tool the server does not have. */
async function explainUnknownTool(registry: ServerVerbs, server: string, tool: string): Promise<void> {
  const tools = await registry.listTools(server).catch(() => undefined);
  if (tools && !tools.some((t) => t.name === tool)) {
    throw usageError(`the server "${server}" has no tool named "${tool}"; its tools: ${tools.map((t) => t.name).join(', ') || '(none)'}`);
  }
}

/** --args: a JSON object given inline, in a file (@FILE) or on stdin (@-). Default {}. */
function readArguments(context: CommandContext): Record<string, unknown> {
  const spec = context.commandLine.options.args;
  if (spec === undefined) return {};
  let text = spec;
  let origin = '--args';
  if (spec.startsWith('@')) {
    const file = spec.slice(1);
    origin = file === '-' ? 'stdin' : resolve(context.cwd, file);
    try {
      text = file === '-' ? context.readStdin() : readFileSync(origin, 'utf8');
    } catch (e) {
      throw usageError(`cannot read the arguments from ${origin}: ${errorMessage(e)}`);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw usageError(`the arguments in ${origin} are not valid JSON: ${errorMessage(e)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw usageError(`the arguments in ${origin} must be a JSON object`);
  return value as Record<string, unknown>;
}

// ---- list ------------------------------------------------------------------------------------

function sourceOf(server: ConfiguredServer): string {
  return server.displayFile;
}

function definitionJson(resolved: ServerDefinition, server: ConfiguredServer): Record<string, unknown> {
  const def = shownDefinition(resolved);
  const common = { name: def.name, kind: def.kind, source: sourceOf(server) };
  return def.kind === 'stdio' ? { ...common, command: def.command, args: def.args, ...(def.cwd ? { cwd: def.cwd } : {}) } : { ...common, url: def.url };
}

function configErrorsExitCode(config: LoadedConfiguration): number {
  return config.hasErrors ? ExitCode.usage : ExitCode.ok;
}

/** Lists the servers without starting them or asking for inputs (see describableServer). */
async function list(context: CommandContext, config: LoadedConfiguration): Promise<number> {
  const { servers } = config;
  const definitions = servers.map(shownServer);
  if (context.commandLine.options.json) {
    context.stdout(json(definitions.map((d, i) => definitionJson(d, servers[i]))));
  } else if (servers.length === 0) {
    context.stderr('mcp-sessions: no servers are configured\n');
  } else {
    context.stdout(table(['NAME', 'KIND', 'COMMAND / URL', 'SOURCE'], definitions.map((d, i) => [d.name, d.kind, describeDefinition(d), sourceOf(servers[i])])));
  }
  return configErrorsExitCode(config);
}

interface ServerStatus {
  definition: ServerDefinition;
  state: string;
  tools?: number;
  pid?: number;
  /** "MCP 2026-07-28", the revision the server speaks. */
  protocol?: string;
  error?: string;
  exitCode: number;
}

async function listWithStatus(context: CommandContext, config: LoadedConfiguration): Promise<number> {
  const resolver = new ServerResolver(context.inputs, context.env, context.redactor);
  const registry = context.host.registry;
  const statuses: ServerStatus[] = [];
  // Inputs are asked one after another; the servers then start in parallel.
  for (const server of config.servers) {
    try {
      statuses.push({ definition: await resolver.resolve(server), state: 'stopped', exitCode: ExitCode.ok });
    } catch (e) {
      if (!(e instanceof CliError) || e.exitCode !== ExitCode.usage) throw e;
      statuses.push({ definition: shownServer(server), state: 'error', error: e.message, exitCode: e.exitCode });
    }
  }
  registry.reconcile(statuses.filter((s) => s.exitCode === ExitCode.ok).map((s) => s.definition));
  await Promise.all(
    statuses.map(async (status) => {
      if (status.exitCode !== ExitCode.ok) return;
      const name = status.definition.name;
      try {
        status.tools = (await registry.listTools(name)).length;
        status.state = 'running';
      } catch (e) {
        status.state = 'error';
        status.error = isMcpSessionError(e) ? e.describe() : errorMessage(e);
        status.exitCode = exitCodeFor(e);
      }
      const snapshot = registry.get(name)?.snapshot();
      status.pid = snapshot?.pid;
      status.protocol = snapshot?.protocol && `MCP ${snapshot.protocol.version}`;
    }),
  );
  if (context.commandLine.options.json) {
    context.stdout(
      json(
        statuses.map((s, i) => ({
          ...definitionJson(s.definition, config.servers[i]),
          state: s.state,
          ...(s.pid !== undefined ? { pid: s.pid } : {}),
          ...(s.protocol !== undefined ? { protocol: s.protocol } : {}),
          ...(s.tools !== undefined ? { tools: s.tools } : {}),
          ...(s.error !== undefined ? { error: s.error } : {}),
        })),
      ),
    );
  } else {
    const rows = statuses.map((s, i) => [
      s.definition.name,
      s.definition.kind,
      s.state,
      s.protocol ?? '-',
      s.tools === undefined ? '-' : String(s.tools),
      describeDefinition(s.definition),
      sourceOf(config.servers[i]),
    ]);
    context.stdout(table(['NAME', 'KIND', 'STATE', 'PROTOCOL', 'TOOLS', 'COMMAND / URL', 'SOURCE'], rows));
    for (const s of statuses) if (s.error) context.stderr(`mcp-sessions: ${terminalText(`${s.definition.name}: ${s.error}`)}\n`);
  }
  if (statuses.some((s) => s.exitCode === ExitCode.serverFailure || s.exitCode === ExitCode.timeout)) return ExitCode.serverFailure;
  return Math.max(configErrorsExitCode(config), ...statuses.map((s) => (s.exitCode === ExitCode.ok ? ExitCode.ok : ExitCode.usage)));
}

// ---- diagnostics -----------------------------------------------------------------------------

const severityLabel: Record<ConfigIssue['severity'], string> = { error: 'error', warning: 'warning', info: 'note' };

/** One self-overwriting progress line on a terminal's stderr. */
class ProgressLine {
  private shown = false;

  constructor(private readonly context: CommandContext) {}

  readonly update = (p: { progress: number; total?: number; message?: string }): void => {
    const amount = p.total ? `${p.progress}/${p.total}` : String(p.progress);
    this.context.stderr(`\r\u001b[2K… ${amount}${p.message ? ` ${terminalText(p.message)}` : ''}`);
    this.shown = true;
  };

  clear(): void {
    if (this.shown) this.context.stderr('\r\u001b[2K');
    this.shown = false;
  }
}

/** The message for a failure: the core's error with the server's stderr tail, or ours. */
export function failureMessage(error: unknown): string {
  if (error instanceof McpSessionError) return error.describe();
  return errorMessage(error);
}

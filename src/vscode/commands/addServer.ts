import * as vscode from 'vscode';
import { displayTextLimit, iconLabelText } from '../../core/displayText';
import { addServerToFile, addServerToUserSettings, serverJson, splitCommandLine, type NewServer } from '../configFiles';
import { addServerStepTitle, suggestServerName } from '../addServerSteps';
import { confirmModal, showMessage } from '../messages';
import type { CommandContext, CommandFactory } from './command';

export interface AddServerRequest extends NewServer {
  /** "user", or the path of a configuration file (e.g. a folder's .vscode/mcp.json). */
  target: string;
}

/**
 * mcpSessions.addServer(request?) → the server's name
 *
 * Guided: command line or URL, name, then where to write it (a workspace folder's
 * .vscode/mcp.json, a file from mcpSessions.configFiles, or the user setting). Files are
 * edited with jsonc-parser, keeping comments. From code, pass an AddServerRequest: it can also
 * come from a `command:` link, so it is only written to a known configuration location (the
 * user setting or a file of configFileTargets) and only after a modal dialog that shows what
 * goes where. Resolves undefined when the user (or a host that refuses dialogs) says no.
 */
export const addServer: CommandFactory = (ctx) => async (request?: AddServerRequest) => {
  const targets = ctx.configuration.configFileTargets();
  if (request !== undefined) {
    const checked = checkRequest(request, targets);
    if (!(await confirmAddition(ctx, checked.server, checked.target, checked.format))) return undefined;
  }
  const server = request ?? (await askForServer(ctx.configuration.list().map((s) => s.name)));
  if (!server) return undefined;
  const target = request?.target ?? (await askForTarget(targets));
  if (!target) return undefined;
  if (target === 'user') {
    await addServerToUserSettings(server);
  } else {
    const known = targets.find((t) => t.uri.fsPath === target);
    await addServerToFile(vscode.Uri.file(target), server, known?.format ?? 'servers');
  }
  await ctx.configuration.reload(`server "${server.name}" added`);
  ctx.log.info(`Added server "${server.name}" to ${target === 'user' ? 'user settings' : target}`);
  if (!request) {
    void showMessage('information', `Added MCP server "${server.name}".`, 'Start Server', 'Open Configuration').then((choice) => {
      if (choice === 'Start Server') void vscode.commands.executeCommand('mcpSessions.startServer', { kind: 'server', server: server.name });
      if (choice === 'Open Configuration') void vscode.commands.executeCommand('mcpSessions.openConfiguration', server.name);
    });
  }
  return server.name;
};

type Target = ReturnType<CommandContext['configuration']['configFileTargets']>[number];

/** A request from code or a link, checked: a well-formed server for a known location. Throws otherwise. */
function checkRequest(request: AddServerRequest, targets: Target[]): { server: NewServer; target: string; format: 'servers' | 'mcpServers' } {
  const isStrings = (v: unknown) => v === undefined || (Array.isArray(v) && v.every((a) => typeof a === 'string'));
  const isStringMap = (v: unknown) => v === undefined || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((a) => typeof a === 'string'));
  const wellFormed =
    typeof request === 'object' &&
    request !== null &&
    typeof request.name === 'string' &&
    request.name.trim() !== '' &&
    (request.type === 'stdio' ? typeof request.command === 'string' && isStrings(request.args) && isStringMap(request.env) : (request.type === 'http' || request.type === 'sse') && typeof request.url === 'string' && isStringMap(request.headers));
  if (!wellFormed) throw new Error('MCP server not added: the request needs a name, a type ("stdio", "http" or "sse") and a command or URL');
  if (request.target === 'user') return { server: request, target: 'user', format: 'servers' };
  const known = targets.find((t) => t.uri.fsPath === request.target);
  if (!known) {
    const places = ['"user"', ...targets.map((t) => t.uri.fsPath)].join(', ');
    throw new Error(`MCP server not added: "${String(request.target)}" is not an MCP configuration location. Use one of: ${places}`);
  }
  return { server: request, target: known.uri.fsPath, format: known.format };
}

function confirmAddition(ctx: CommandContext, server: NewServer, target: string, format: 'servers' | 'mcpServers'): Promise<boolean> {
  const where = target === 'user' ? 'your user settings (mcpSessions.servers)' : target;
  const definition = JSON.stringify(serverJson(server, format));
  // The dialog must show all of what would be written: displayText cuts longer text.
  if (definition.length + server.name.length > displayTextLimit / 2) {
    throw new Error(`MCP server "${server.name.slice(0, 100)}" not added: its definition is too long to show for confirmation. Add it in the configuration file instead`);
  }
  ctx.log.info(`Asking before adding server "${server.name}" to ${where} (requested by a command call)`);
  return confirmModal(`Add the MCP server "${server.name}" to ${where}?`, `Another extension or a link asks to write this server definition: ${definition}`, 'Add Server');
}

async function askForServer(existing: string[]): Promise<NewServer | undefined> {
  const kind = await vscode.window.showQuickPick(
    [
      { label: '$(terminal) Command (stdio)', description: 'Run a program, e.g. npx -y @modelcontextprotocol/server-memory', type: 'stdio' as const },
      { label: '$(globe) HTTP', description: 'A Streamable HTTP server URL (falls back to SSE)', type: 'http' as const },
      { label: '$(globe) Server-Sent Events', description: 'A legacy SSE server URL', type: 'sse' as const },
    ],
    { title: addServerStepTitle('kind'), ignoreFocusOut: true },
  );
  if (!kind) return undefined;
  let server: NewServer;
  if (kind.type === 'stdio') {
    const line = await vscode.window.showInputBox({
      title: addServerStepTitle('endpoint', 'stdio'),
      prompt: 'The command and its arguments. Variables such as ${workspaceFolder} and ${input:…} work.',
      placeHolder: 'npx -y @modelcontextprotocol/server-memory',
      ignoreFocusOut: true,
      validateInput: (v) => (splitCommandLine(v).length === 0 ? 'Enter a command' : undefined),
    });
    if (!line) return undefined;
    const [command, ...args] = splitCommandLine(line);
    server = { name: suggestServerName(command, args, existing), type: 'stdio', command, args };
  } else {
    const url = await vscode.window.showInputBox({
      title: addServerStepTitle('endpoint', 'remote'),
      placeHolder: 'https://example.com/mcp',
      ignoreFocusOut: true,
      validateInput: (v) => (/^https?:\/\/\S+$/.test(v) || v.includes('${') ? undefined : 'Enter an http:// or https:// URL'),
    });
    if (!url) return undefined;
    server = { name: suggestServerName(url, [], existing), type: kind.type, url };
  }
  const name = await vscode.window.showInputBox({
    title: addServerStepTitle('name'),
    value: server.name,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' ? 'Enter a name' : existing.includes(v.trim()) ? `A server named "${v.trim()}" already exists` : undefined),
  });
  if (!name) return undefined;
  return { ...server, name: name.trim() };
}

async function askForTarget(targets: { label: string; uri: vscode.Uri; exists: boolean }[]): Promise<string | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      ...targets.map((t) => ({ label: iconLabelText(t.label), description: t.exists ? undefined : '(will be created)', detail: iconLabelText(t.uri.fsPath), target: t.uri.fsPath })),
      { label: 'User settings', description: 'mcpSessions.servers: every workspace', detail: undefined, target: 'user' },
    ],
    { title: addServerStepTitle('target'), ignoreFocusOut: true },
  );
  return picked?.target;
}

import * as vscode from 'vscode';
import { iconLabelText } from '../../core/displayText';
import { pickServer } from '../pickers';
import type { CommandFactory } from './command';

/** mcpSessions.showServers(): the status bar's quick pick: a server with its state, then what to do with it. */
export const showServers: CommandFactory = (ctx) => async () => {
  const server = await pickServer(ctx.servers, 'MCP Servers');
  const view = server ? ctx.servers.get(server) : undefined;
  if (!server || !view) return undefined;
  const active = view.status === 'running' || view.status === 'starting';
  const actions = [
    !active && view.status !== 'untrusted' && view.status !== 'invalid' && { label: '$(debug-start) Start Server', command: 'mcpSessions.startServer' },
    active && { label: '$(debug-stop) Stop Server', command: 'mcpSessions.stopServer' },
    (active || view.status === 'error') && { label: '$(debug-restart) Restart Server', command: 'mcpSessions.restartServer' },
    view.status !== 'untrusted' && view.status !== 'invalid' && { label: '$(play) Call Tool…', command: 'mcpSessions.callTool' },
    { label: '$(output) Show Logs', command: 'mcpSessions.showLogs' },
    { label: '$(gear) Open Configuration', command: 'mcpSessions.openConfiguration' },
  ].filter((a): a is { label: string; command: string } => Boolean(a));
  const picked = await vscode.window.showQuickPick(actions, { title: iconLabelText(`MCP server "${server}": ${view.message ?? view.status}`) });
  // Passed as a node, not a name: the command then behaves as run from the UI (failures are shown).
  if (picked) await vscode.commands.executeCommand(picked.command, { kind: 'server', server });
  return server;
};

import { pickServer } from '../pickers';
import { serverFromArgument, type CommandFactory } from './command';

/** mcpSessions.showLogs(server?: string | node): the server's "MCP: <name>" channel. */
export const showLogs: CommandFactory = (ctx) => async (arg?: unknown) => {
  const server = serverFromArgument(arg) ?? (await pickServer(ctx.servers, 'Show Logs'));
  if (server) ctx.serverLogs.show(server);
};

/** mcpSessions.showExtensionLog(): the extension's own "MCP Sessions" channel. */
export const showExtensionLog: CommandFactory = (ctx) => () => ctx.log.show();

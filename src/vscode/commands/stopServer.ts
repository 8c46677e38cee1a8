import { pickServer } from '../pickers';
import { isProgrammatic, runForServer, serverFromArgument, type CommandFactory } from './command';

/** mcpSessions.stopServer(server?: string | node) */
export const stopServer: CommandFactory = (ctx) => async (arg?: unknown) => {
  const server = serverFromArgument(arg) ?? (await pickServer(ctx.servers, 'Stop Server', (v) => v.status === 'running' || v.status === 'starting'));
  if (!server) return;
  await runForServer(ctx, server, isProgrammatic(arg), () => ctx.servers.stop(server, 'stopped by the user'));
};

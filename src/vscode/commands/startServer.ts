import { pickServer } from '../pickers';
import { isProgrammatic, runForServer, serverFromArgument, type CommandFactory } from './command';

/** mcpSessions.startServer(server?: string | node) */
export const startServer: CommandFactory = (ctx) => async (arg?: unknown) => {
  const server = serverFromArgument(arg) ?? (await pickServer(ctx.servers, 'Start Server', (v) => v.status !== 'running' && v.status !== 'starting'));
  if (!server) return;
  await runForServer(ctx, server, isProgrammatic(arg), () => ctx.servers.start(server, 'started by the user'));
};

import { pickServer } from '../pickers';
import { isProgrammatic, runForServer, serverFromArgument, type CommandFactory } from './command';

/** mcpSessions.restartServer(server?: string | node) */
export const restartServer: CommandFactory = (ctx) => async (arg?: unknown) => {
  const server = serverFromArgument(arg) ?? (await pickServer(ctx.servers, 'Restart Server', (v) => v.status !== 'untrusted' && v.status !== 'invalid'));
  if (!server) return;
  await runForServer(ctx, server, isProgrammatic(arg), () => ctx.servers.restart(server, 'restarted by the user'));
};

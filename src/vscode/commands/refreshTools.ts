import { withViewProgress } from '../messages';
import { toolExplorerViewId } from '../toolExplorer';
import { isProgrammatic, runForServer, serverFromArgument, type CommandFactory } from './command';

/**
 * mcpSessions.refreshTools(server?): lists the server's tools, resources and prompts again
 * (starting it if needed). Without a server: reloads the configuration and relists every
 * running server.
 */
export const refreshTools: CommandFactory = (ctx) => async (arg?: unknown) => {
  const server = serverFromArgument(arg);
  if (server) return runForServer(ctx, server, isProgrammatic(arg), () => ctx.servers.refreshLists(server));
  await ctx.configuration.reload('refresh requested');
  const running = ctx.servers.list().filter((v) => v.status === 'running');
  await withViewProgress(toolExplorerViewId, () =>
    Promise.allSettled(running.map((v) => ctx.servers.refreshLists(v.name))),
  );
  return undefined;
};

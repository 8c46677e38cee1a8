import { withProgressNotification } from '../messages';
import type { ExplorerNode } from '../toolExplorer';
import { isProgrammatic, runForServer, serverFromArgument, type CommandFactory } from './command';

/** mcpSessions.readResource(node | server | { server, uri }, uri?) → ReadResourceResult: opens the resource's contents. */
export const readResource: CommandFactory = (ctx) => async (arg?: unknown, uri?: string) => {
  const server = serverFromArgument(arg);
  const node = arg as ExplorerNode | undefined;
  const resourceUri = uri ?? (node && typeof node === 'object' ? (node.kind === 'resource' ? node.resource.uri : uriOf(arg)) : undefined);
  if (!server || !resourceUri) return undefined;
  return runForServer(ctx, server, isProgrammatic(arg), async () => {
    const result = await withProgressNotification(`Reading ${resourceUri} from "${server}"`, (_report, signal) =>
      ctx.servers.readResource(server, resourceUri, { signal }, !isProgrammatic(arg)),
    );
    await ctx.results.showResource(server, resourceUri, result);
    return result;
  });
};

/** The `uri` of a `{ server, uri }` target (the results view's resource links). */
function uriOf(arg: unknown): string | undefined {
  return arg && typeof arg === 'object' && 'uri' in arg && typeof arg.uri === 'string' ? arg.uri : undefined;
}

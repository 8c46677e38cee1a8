import { McpSessionError } from '../../core/errors';
import { pickServer } from '../pickers';
import { isProgrammatic, runForServer, serverFromArgument, type CommandFactory } from './command';

/**
 * mcpSessions.signIn(server?: string | node): starts a remote server as a user action, so its
 * sign-in may ask for consent and open the browser (oauthConsent.ts). The way out of
 * "needs sign-in". Resolves with true once the server runs.
 */
export const signIn: CommandFactory = (ctx) => async (arg?: unknown) => {
  const remote = new Set(ctx.oauth.remoteServers().map((s) => s.name));
  const server = serverFromArgument(arg) ?? (await pickServer(ctx.servers, 'Sign In to Server', (v) => remote.has(v.name) && v.status !== 'running'));
  if (!server) return undefined;
  return runForServer(ctx, server, isProgrammatic(arg), async () => {
    if (!remote.has(server)) throw new McpSessionError('not-found', server, `"${server}" is not a remote (http or sse) server, so it has no sign-in.`);
    await ctx.servers.start(server, 'sign-in requested by the user');
    return true;
  });
};

import * as vscode from 'vscode';
import { iconLabelText } from '../../core/displayText';
import { showMessage } from '../messages';
import type { OAuthService } from '../oauth';
import { isProgrammatic, runForServer, serverFromArgument, type CommandFactory } from './command';

/**
 * mcpSessions.signOut(server?: string | node): forgets the OAuth tokens and client
 * registration stored for the server's URL and stops the servers of that URL; they sign in
 * again when started. Resolves with true when something was stored.
 */
export const signOut: CommandFactory = (ctx) => async (arg?: unknown) => {
  const server = serverFromArgument(arg) ?? (await pickSignedInServer(ctx.oauth));
  if (!server) return undefined;
  const programmatic = isProgrammatic(arg);
  const stored = await runForServer(ctx, server, programmatic, () => ctx.oauth.signOut(server));
  if (stored === undefined || programmatic) return stored;
  void showMessage(
    'information',
    stored ? `Signed out of MCP server "${server}". It signs in again when it starts.` : `MCP server "${server}" had no stored sign-in.`,
  );
  return stored;
};

async function pickSignedInServer(oauth: OAuthService): Promise<string | undefined> {
  const signedIn = new Set(oauth.store.keys());
  const servers = oauth.remoteServers().filter((s) => signedIn.has(s.key));
  if (servers.length === 0) {
    void showMessage('information', 'No MCP server has a stored sign-in.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    servers.map((s) => ({ label: iconLabelText(s.name), description: iconLabelText(s.key), server: s.name })),
    { title: 'Sign Out of Server', placeHolder: 'Choose the MCP server whose sign-in to forget' },
  );
  return picked?.server;
}

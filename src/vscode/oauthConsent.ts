// The consent before an OAuth sign-in opens the browser: the extension's SignInConsent (the
// core asks it, oauth.ts). It is the one owner of that decision.
//
// - canAsk: only while a person waits on the server through a user action (a command run for
//   it: Start, Restart, Sign In, Call Tool…; the notifier counts them). Background starts
//   (autoStart, trust granted, crash restarts, expanding the tree) and API callers never
//   sign in: the server goes to "needs sign-in" and waits for the user's Sign In.
// - confirm: a modal naming the server and the authorization host. An authorization host
//   listed in the user's own `mcpSessions.oauth.allowedAuthorizationHosts` (its user-level
//   value only; "Always Allow" on the dialog adds to it) is not asked about again. A dialog
//   that cannot be shown (VS Code refuses modals in extension test runs) is a no.

import * as vscode from 'vscode';
import { labelText } from '../core/displayText';
import type { Logger } from '../core/logger';
import type { SignInConsent } from '../core/oauth';
import { askModal } from './messages';

const section = 'mcpSessions';
export const allowedHostsKey = 'oauth.allowedAuthorizationHosts';

/** The authorization hosts the user allowed, from user settings only: a workspace cannot answer for the user. */
function allowedHosts(): string[] {
  const value = vscode.workspace.getConfiguration(section).inspect<unknown>(allowedHostsKey)?.globalValue;
  return Array.isArray(value) ? value.filter((h): h is string => typeof h === 'string').map((h) => h.toLowerCase()) : [];
}

export class SignInConsentPrompt implements SignInConsent {
  constructor(
    private readonly isUserWaiting: (server: string) => boolean,
    private readonly log: Logger,
  ) {}

  canAsk(server: string): boolean {
    return this.isUserWaiting(server);
  }

  async confirm(server: string, authorizationUrl: URL): Promise<boolean> {
    const host = authorizationUrl.host.toLowerCase();
    if (allowedHosts().includes(host)) {
      this.log.info(`Signing in to "${server}" at ${host}: the host is in ${section}.${allowedHostsKey}`);
      return true;
    }
    const open = 'Open Browser';
    const always = `Always Allow ${labelText(host, 100)}`;
    const choice = await askModal(
      `Sign in to MCP server "${server}"?`,
      `Your browser will open the sign-in page of ${host}:\n${authorizationUrl.origin + authorizationUrl.pathname}\n\nContinue only if you expect this server to sign in there.`,
      open,
      always,
    );
    if (choice === always) {
      await vscode.workspace.getConfiguration(section).update(allowedHostsKey, [...new Set([...allowedHosts(), host])], vscode.ConfigurationTarget.Global);
    }
    this.log.info(`Signing in to "${server}" at ${host}: ${choice === undefined ? 'declined' : 'allowed by the user'}`);
    return choice !== undefined;
  }
}

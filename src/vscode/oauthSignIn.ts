// The browser step of an OAuth sign-in, in VS Code. The authorization code comes back to the
// core's LoopbackRedirectHandler: a listener on 127.0.0.1 of the extension host, on an
// ephemeral port, open only while one sign-in waits for it. What the authorization server
// gets as redirect_uri depends on where the browser is:
//
// - Local window: the browser runs on the extension host's machine, so the loopback URI
//   itself (http://127.0.0.1:<port>/callback, RFC 8252 §7.3).
// - Remote window (SSH, WSL, containers, code-server, Codespaces): the extension host's
//   loopback is not the browser's. vscode.env.asExternalUri forwards the port and gives the
//   address the browser can reach: a forwarded loopback port on desktop, a proxy URL in the
//   web (code-server's /proxy/<port>/, which drops the path, so it is put back). Setting
//   mcpSessions.oauth.redirect to "loopback" keeps the plain loopback URI, for authorization
//   servers that refuse the forwarded one when the browser runs on the extension host's machine.
//
// The page opens with vscode.env.openExternal under a cancellable progress notification,
// bounded by signInTimeoutMs.

import * as vscode from 'vscode';
import { McpSessionError } from '../core/errors';
import type { Disposable } from '../core/lifecycle';
import type { Logger } from '../core/logger';
import { LoopbackRedirectHandler, type AuthorizationResponse, type RedirectHandler } from '../core/oauthRedirect';
import { withProgressNotification } from './messages';

export const signInTimeoutMs = 5 * 60_000;

export type RedirectMode = 'auto' | 'loopback';

/** What integration tests put in place of the browser and the clock. */
export interface SignInOverrides {
  /** Plays the browser: receives the authorization URL instead of vscode.env.openExternal. */
  open?(url: string): Promise<void>;
  timeoutMs?: number;
}

function redirectMode(): RedirectMode {
  return vscode.workspace.getConfiguration('mcpSessions').get<string>('oauth.redirect') === 'loopback' ? 'loopback' : 'auto';
}

function duration(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}` : `${Math.round(ms / 1000)} s`;
}

/** The browser side of every sign-in of the window: redirect URIs, the page, the progress. */
export class SignInPrompts implements Disposable {
  overrides: SignInOverrides = {};
  /** Forwarded redirect URIs handed out in this window → the loopback URI behind each. */
  private readonly forwarded = new Map<string, string>();
  /** Sign-ins waiting for the browser; disposing abandons them. */
  private readonly waiting = new Set<() => void>();
  private disposed = false;

  constructor(private readonly log: Logger) {}

  /** A redirect handler for one server; the OAuth provider of each connection gets one. */
  handlerFor(server: string): SignInRedirectHandler {
    return new SignInRedirectHandler(server, this);
  }

  /** The loopback URI behind a redirect URI handed out earlier, so its port can be reused. */
  loopbackBehind(redirectUri: string | undefined): string | undefined {
    return redirectUri === undefined ? undefined : (this.forwarded.get(redirectUri) ?? redirectUri);
  }

  /** The redirect URI for a loopback URI: the loopback URI, or what the browser reaches it by. */
  async exposed(server: string, loopbackUri: string): Promise<string> {
    if (!vscode.env.remoteName || redirectMode() === 'loopback') return loopbackUri;
    let external: vscode.Uri;
    try {
      external = await vscode.env.asExternalUri(vscode.Uri.parse(loopbackUri));
    } catch (e) {
      this.log.warn(`Could not forward the sign-in redirect of "${server}" (${(e as Error).message}); using ${loopbackUri}`);
      return loopbackUri;
    }
    const path = new URL(loopbackUri).pathname;
    if (!external.path.endsWith(path)) external = external.with({ path: external.path.replace(/\/?$/, path) });
    const redirectUri = external.toString(true);
    this.forwarded.set(redirectUri, loopbackUri);
    this.log.debug(`Sign-in redirect of "${server}": ${redirectUri} (forwarded to ${loopbackUri})`);
    return redirectUri;
  }

  /** Opens the authorization page in the browser, or hands it to the test's browser. */
  async open(url: URL): Promise<void> {
    if (this.overrides.open) return this.overrides.open(url.href);
    // Given as the string it is: a vscode.Uri decodes the query and encodes it again, which
    // mangles the percent-encoded redirect_uri (microsoft/vscode#85930, #248416). openExternal
    // opens a string as is (and still forwards a localhost authorization server in a remote window).
    if (!(await vscode.env.openExternal(url.href as unknown as vscode.Uri))) throw new Error('the browser was not opened');
  }

  /**
   * Shows "Signing in…" while `redirect` waits for the browser. Cancelling, the timeout and
   * disposal end the wait with an error and `abandon()` closes the loopback listener.
   */
  whileSigningIn<T>(server: string, url: URL, redirect: () => Promise<T>, abandon: () => void): Promise<T> {
    if (this.disposed) return Promise.reject(new McpSessionError('shut-down', server, `Signing in to "${server}" was not started: the extension is shutting down.`));
    const timeoutMs = this.overrides.timeoutMs ?? signInTimeoutMs;
    return Promise.resolve(
      withProgressNotification(`Signing in to MCP server "${server}"`, (report, signal) => {
        report(`Continue in your browser (${url.host}).`);
        return new Promise<T>((resolve, reject) => {
          const end = (error: Error | undefined, response?: T) => {
            if (!this.waiting.delete(abandonAtShutdown)) return;
            clearTimeout(timer);
            signal.removeEventListener('abort', cancel);
            if (!error) return resolve(response!);
            abandon();
            reject(error);
          };
          const abandonAtShutdown = () => end(new McpSessionError('shut-down', server, `Signing in to "${server}" was abandoned: the extension is shutting down.`));
          this.waiting.add(abandonAtShutdown);
          const timer = setTimeout(
            () => end(new McpSessionError('start-failed', server, `Signing in to "${server}" timed out: no answer from the browser within ${duration(timeoutMs)}. Start the server again to retry.`)),
            timeoutMs,
          );
          const cancel = () => end(new McpSessionError('cancelled', server, `Signing in to "${server}" was cancelled.`));
          signal.addEventListener('abort', cancel, { once: true });
          redirect().then(
            (response) => end(undefined, response),
            (e: Error) => end(new McpSessionError('start-failed', server, `Signing in to "${server}" failed: ${e.message}`, { cause: e })),
          );
        });
      }),
    );
  }

  dispose(): void {
    this.disposed = true;
    for (const abandon of [...this.waiting]) abandon();
  }
}

/** The RedirectHandler of one connection's OAuth provider. */
export class SignInRedirectHandler implements RedirectHandler {
  /** The redirect URI prepared for the authorization under way, if any. */
  redirectUri: string | undefined;
  /** Set once the authorization under way sent the user to the browser. */
  wentToBrowser = false;
  private readonly loopback: LoopbackRedirectHandler;

  constructor(
    private readonly server: string,
    private readonly prompts: SignInPrompts,
  ) {
    // The listener's own deadline is a backstop: the prompt's timeout ends the wait first.
    this.loopback = new LoopbackRedirectHandler({ open: (url) => prompts.open(url), timeoutMs: 2 * signInTimeoutMs });
  }

  async prepare(preferred?: string): Promise<string> {
    this.wentToBrowser = false;
    const loopbackUri = await this.loopback.prepare(this.prompts.loopbackBehind(preferred));
    this.redirectUri = await this.prompts.exposed(this.server, loopbackUri);
    return this.redirectUri;
  }

  openAuthorizationUrl(url: URL): Promise<AuthorizationResponse> {
    this.wentToBrowser = true;
    const redirect = this.loopback.openAuthorizationUrl(url);
    // After a cancel or a timeout the listener is closed but its promise ends only at its own deadline.
    redirect.catch(() => undefined);
    return this.prompts.whileSigningIn(this.server, url, () => redirect, () => this.loopback.release());
  }

  release(): void {
    this.redirectUri = undefined;
    this.loopback.release();
  }
}

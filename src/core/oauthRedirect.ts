// How an authorization code comes back from the user's browser. The CLI and the tests use
// LoopbackRedirectHandler: an HTTP listener on 127.0.0.1 (RFC 8252 §7.3) that exists only
// for the duration of one authorization. The extension can supply its own handler (a URI
// handler behind vscode.env.asExternalUri).

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { notificationText } from './displayText';
import { isAllowedOAuthUrl } from './oauthUrls';

/** What the authorization server redirected back with: the code, and its issuer when it named one (RFC 9207). */
export interface AuthorizationResponse {
  code: string;
  iss?: string;
}

export interface RedirectHandler {
  /**
   * Makes the redirect URI ready to receive a redirect and returns it. Called before every
   * authorization attempt; `preferred` is the URI registered earlier, worth reusing when the
   * authorization server compares redirect URIs exactly.
   */
  prepare(preferred?: string): Promise<string>;
  /**
   * Sends the user to `url` and resolves with the authorization code the authorization
   * server redirected back with. Rejects when the user denies, the state does not match, or
   * nobody answers in time.
   */
  openAuthorizationUrl(url: URL): Promise<AuthorizationResponse>;
  /** Releases what prepare() set up. Idempotent; called after every attempt. */
  release(): void;
}

export interface LoopbackRedirectOptions {
  /** Opens the URL in a browser (or, in tests, plays the browser). */
  open(url: URL): void | Promise<void>;
  /** How long to wait for the redirect. Default 5 minutes. */
  timeoutMs?: number;
  /** Path of the redirect URI. Default /callback. */
  path?: string;
}

const page = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif"><h1>${title}</h1><p>${text}</p></body>`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export class LoopbackRedirectHandler implements RedirectHandler {
  private server: Server | undefined;
  private redirectUri: string | undefined;

  constructor(private readonly options: LoopbackRedirectOptions) {}

  async prepare(preferred?: string): Promise<string> {
    this.release();
    const path = this.options.path ?? '/callback';
    const server = createServer();
    const preferredPort = loopbackPort(preferred, path);
    try {
      await listen(server, preferredPort ?? 0);
    } catch (e) {
      if (preferredPort === undefined || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      await listen(server, 0);
    }
    this.server = server;
    this.redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
    return this.redirectUri;
  }

  openAuthorizationUrl(url: URL): Promise<AuthorizationResponse> {
    const server = this.server;
    const redirectUri = this.redirectUri;
    if (!server || !redirectUri) return Promise.reject(new Error('The redirect listener is not ready: prepare() was not called.'));
    // The last gate before a browser: OAuthProvider checked the URL already (oauthUrls.ts).
    if (!isAllowedOAuthUrl(url)) return Promise.reject(new Error(`Refused to open the authorization page ${notificationText(url.href, 300)}: only https: URLs, or http: to this machine, are allowed.`));
    const expectedState = url.searchParams.get('state');
    const expectedPath = new URL(redirectUri).pathname;
    const timeoutMs = this.options.timeoutMs ?? 5 * 60_000;

    return new Promise<AuthorizationResponse>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`No authorization arrived within ${Math.round(timeoutMs / 1000)} s.`)), timeoutMs);
      const finish = (error: Error | undefined, response?: AuthorizationResponse) => {
        clearTimeout(timer);
        server.off('request', onRequest);
        if (this.server === server) this.release();
        if (error) reject(error);
        else resolve(response!);
      };
      const onRequest = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
        const callback = new URL(req.url ?? '/', redirectUri);
        if (req.method !== 'GET' || callback.pathname !== expectedPath) {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
          return;
        }
        const params = callback.searchParams;
        // A redirect without our state is not the answer to this authorization (RFC 6749 §10.12).
        if (expectedState !== null && params.get('state') !== expectedState) {
          res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' }).end(page('Authorization failed', 'The response did not match the request. Start the sign-in again.'));
          return;
        }
        const error = params.get('error');
        const code = params.get('code');
        if (error || !code) {
          const description = params.get('error_description');
          res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' }).end(page('Authorization failed', escapeHtml(description ?? error ?? 'No authorization code was returned.')));
          finish(new Error(`The authorization server refused the authorization: ${error ?? 'no code'}${description ? ` (${description})` : ''}.`));
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' }).end(page('Signed in', 'You can close this tab and return to MCP Session Manager.'));
        finish(undefined, { code, iss: params.get('iss') ?? undefined });
      };
      server.on('request', onRequest);
      Promise.resolve()
        .then(() => this.options.open(url))
        .catch((e) => finish(new Error(`Could not open the authorization page: ${(e as Error).message}`)));
    });
  }

  release(): void {
    const server = this.server;
    this.server = undefined;
    this.redirectUri = undefined;
    if (!server) return;
    server.close();
    server.closeAllConnections();
  }
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The port of a loopback redirect URI on `path`, or undefined for anything else. */
function loopbackPort(uri: string | undefined, path: string): number | undefined {
  if (!uri) return undefined;
  try {
    const url = new URL(uri);
    if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1' || url.pathname !== path || !url.port) return undefined;
    return Number(url.port);
  } catch {
    return undefined;
  }
}

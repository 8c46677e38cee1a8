// Which URLs an OAuth sign-in may fetch or open. Every one of them comes from the server or
// from metadata the server points at, so each is checked before it is used:
//
// - Scheme: only https:, or http: to this machine (127.0.0.0/8, ::1, localhost), for every
//   metadata document, endpoint and the authorization page. file:, vscode:, javascript:,
//   data: and http: to another host are refused: opened in a browser or by the editor they
//   run or read something local, and fetched they reach services inside the user's network.
// - Protected resource metadata (RFC 9728) must be on the MCP server's own origin: the
//   well-known location is derived from the server's URL (§3), and a `resource_metadata` from
//   WWW-Authenticate that points elsewhere would make the client fetch any URL the server names.
// - Authorization server metadata (RFC 8414 §3.3) must name as `issuer` the authorization
//   server it was fetched for; the endpoints in it are checked by scheme. A server without
//   protected resource metadata (the 2025-03-26 fallback: the metadata is read from the MCP
//   server's own origin) may name an issuer with a path, but on that same origin.
//
// The checks throw OAuthUrlError, whose message names the server and the URL (made safe for
// notifications, since a URL is text from the server).

import { notificationText } from './displayText';
import { McpSessionError } from './errors';

/** A refused URL: the start fails, and trying again cannot help until the server changes. */
export class OAuthUrlError extends McpSessionError {
  constructor(server: string, message: string) {
    super('start-failed', server, message, { retryable: false });
  }
}

const allowedRule = 'only https: URLs, or http: to this machine, are allowed';

function shown(url: string | URL): string {
  return notificationText(String(url), 300);
}

/** True for 127.0.0.0/8, ::1 and localhost, as the URL parser normalizes them. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** True when `url` is https:, or http: to a loopback host. */
export function isAllowedOAuthUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

/**
 * Parses `url` and checks its scheme. `what` names the URL's role ("authorization endpoint",
 * "token endpoint", …) for the message. Throws OAuthUrlError.
 */
export function checkOAuthUrl(server: string, what: string, url: string | URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OAuthUrlError(server, `Signing in to "${server}" was refused: its ${what} "${shown(url)}" is not a valid URL.`);
  }
  if (!isAllowedOAuthUrl(parsed)) {
    throw new OAuthUrlError(server, `Signing in to "${server}" was refused: its ${what} is ${shown(parsed.href)}, and ${allowedRule}.`);
  }
  return parsed;
}

/** The protected resource metadata URL a server named in WWW-Authenticate: allowed scheme, the server's origin. */
export function checkResourceMetadataUrl(server: string, serverUrl: string | URL, url: URL): URL {
  const checked = checkOAuthUrl(server, 'protected resource metadata URL', url);
  const origin = new URL(serverUrl).origin;
  if (checked.origin !== origin) {
    throw new OAuthUrlError(
      server,
      `Signing in to "${server}" was refused: its protected resource metadata URL ${shown(checked.href)} is not on the server's origin ${shown(origin)} (RFC 9728).`,
    );
  }
  return checked;
}

/** The endpoints of authorization server metadata that the client uses or may be sent to. */
const checkedEndpoints = ['authorization_endpoint', 'token_endpoint', 'registration_endpoint', 'revocation_endpoint', 'jwks_uri'] as const;

const endpointNames: Record<(typeof checkedEndpoints)[number], string> = {
  authorization_endpoint: 'authorization endpoint',
  token_endpoint: 'token endpoint',
  registration_endpoint: 'registration endpoint',
  revocation_endpoint: 'revocation endpoint',
  jwks_uri: 'JWKS URL',
};

function withoutTrailingSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/**
 * Checks authorization server metadata fetched for `authorizationServerUrl`: its issuer is
 * that URL (RFC 8414 §3.3), or for the 2025-03-26 fallback (`legacyFallback`: no protected
 * resource metadata) on its origin, and every endpoint has an allowed scheme.
 */
export function checkAuthorizationServerMetadata(server: string, authorizationServerUrl: string, metadata: Record<string, unknown>, legacyFallback = false): void {
  checkOAuthUrl(server, 'authorization server', authorizationServerUrl);
  const issuer = metadata.issuer;
  const matches =
    typeof issuer === 'string' &&
    (legacyFallback ? sameOrigin(issuer, authorizationServerUrl) : withoutTrailingSlash(issuer) === withoutTrailingSlash(authorizationServerUrl));
  if (!matches) {
    throw new OAuthUrlError(
      server,
      `Signing in to "${server}" was refused: the metadata of the authorization server ${shown(authorizationServerUrl)} names another issuer (${shown(String(issuer))}) (RFC 8414).`,
    );
  }
  for (const field of checkedEndpoints) {
    const value = metadata[field];
    if (value !== undefined) checkOAuthUrl(server, endpointNames[field], typeof value === 'string' ? value : JSON.stringify(value));
  }
}

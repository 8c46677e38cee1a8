// OAuth for remote (Streamable HTTP / SSE) servers, built on the SDK's `auth()`, which does
// protected-resource and authorization-server metadata discovery (with the 2025-03-26
// fallbacks), dynamic client registration or client ID metadata documents, PKCE, the code
// exchange and token refresh. This file adds what the SDK leaves to the application:
//
// - OAuthProvider: an OAuthClientProvider whose tokens and registration live in a TokenStore
//   (oauthStore.ts) and whose browser step goes through a RedirectHandler (oauthRedirect.ts),
//   so one call of authorize() runs a whole authorization, browser included.
// - Every URL the sign-in fetches or opens is checked first (oauthUrls.ts): https: or loopback
//   http: only, protected resource metadata on the server's origin, the issuer of
//   authorization server metadata matching. A refused URL fails the sign-in, before any
//   request to it and before any browser opens.
// - Consent (SignInConsent): with one, the browser opens only when a person can be asked
//   (canAsk) and said yes (confirm); otherwise the sign-in fails with `needs-sign-in` before
//   any discovery or registration request. Time spent waiting for the person is reported to
//   onUserInteraction, so a connect timeout can pause meanwhile.
// - authorizingFetch(): the fetch given to the SDK transports. It adds the bearer token,
//   refreshes an access token that has expired, answers a 401 by authorizing and a 403
//   insufficient_scope by authorizing again with the scope asked for (step-up), and then
//   repeats the request. It stops after `maxAuthorizations` per request, and never repeats an
//   interactive authorization that did not help, so a server that keeps refusing cannot make
//   it loop. The SDK transports' own `authProvider` option is not used: on a challenge that
//   needs the browser they throw UnauthorizedError and leave the retry to the caller, which
//   would have to happen in the middle of any request (step-up comes on tools/call).

import { randomBytes } from 'node:crypto';
import {
  auth,
  extractWWWAuthenticateParams,
  type FetchLike,
  type OAuthClientInformationMixed,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type OAuthTokens,
} from '@modelcontextprotocol/client';
import { McpSessionError } from './errors';
import { nullLogger, type Logger } from './logger';
import type { AuthorizationResponse, RedirectHandler } from './oauthRedirect';
import { oauthStoreKey, type OAuthRecord, type TokenStore } from './oauthStore';
import { OAuthUrlError, checkAuthorizationServerMetadata, checkOAuthUrl, checkResourceMetadataUrl } from './oauthUrls';

export type { RedirectHandler } from './oauthRedirect';
export { LoopbackRedirectHandler } from './oauthRedirect';
export { FileTokenStore, MemoryTokenStore, oauthStoreKey, type OAuthRecord, type TokenStore } from './oauthStore';
export { OAuthUrlError, checkOAuthUrl } from './oauthUrls';

/** Whether the browser may open for a sign-in: the one place that decides (see the consent in the extension). */
export interface SignInConsent {
  /** True when a person waits on `server` now and can be asked; false for background work. */
  canAsk(server: string): boolean;
  /** Asks before the browser opens; resolves false when the person declines. */
  confirm(server: string, authorizationUrl: URL): Promise<boolean>;
}

export interface OAuthProviderOptions {
  /** The MCP server's URL; its store key is derived from it. */
  serverUrl: string | URL;
  store: TokenStore;
  redirectHandler: RedirectHandler;
  /** Shown by the authorization server on its consent page. */
  clientName?: string;
  /** The server's name, for messages. Default: its store key. */
  serverName?: string;
  /** Asked before the browser opens. Without one, the browser opens whenever authorization needs it. */
  consent?: SignInConsent;
  /** A client registered out of band; dynamic registration is skipped. */
  preRegisteredClient?: { client_id: string; client_secret?: string };
  /**
   * An HTTPS URL of a client ID metadata document (SEP-991), used as client_id by
   * authorization servers that announce client_id_metadata_document_supported.
   */
  clientMetadataUrl?: string;
  /** Scope asked for when neither the server's challenge nor its metadata names one. */
  scope?: string;
  logger?: Logger;
  /** For tests. */
  now?: () => number;
}

export interface AuthorizeRequest {
  /** From the resource server's WWW-Authenticate challenge. */
  resourceMetadataUrl?: URL;
  scope?: string;
  /** The fetch used for discovery, registration and token requests. */
  fetchFn?: FetchLike;
  /** Told true while the sign-in waits for a person (consent, browser), false when it stops waiting. */
  onUserInteraction?(waiting: boolean): void;
}

/** A provider that can run a whole authorization, the browser step included. */
export interface InteractiveOAuthClientProvider extends OAuthClientProvider {
  authorize(request: AuthorizeRequest): Promise<void>;
  /** True when the access token has expired (or is about to) and a refresh token is at hand. */
  needsRefresh(): Promise<boolean>;
}

export function isInteractiveProvider(provider: OAuthClientProvider): provider is InteractiveOAuthClientProvider {
  return typeof (provider as Partial<InteractiveOAuthClientProvider>).authorize === 'function';
}

/** Placeholder until the redirect handler is prepared: the SDK reads redirectUrl synchronously. */
const unpreparedRedirectUri = 'http://127.0.0.1/callback';

export class OAuthProvider implements InteractiveOAuthClientProvider {
  readonly clientMetadataUrl: string | undefined;
  private readonly key: string;
  private readonly logger: Logger;
  private readonly now: () => number;
  private record: OAuthRecord | undefined;
  private loaded: Promise<void> | undefined;
  private redirectUri: string | undefined;
  private verifier: string | undefined;
  private authorizationResponse: AuthorizationResponse | undefined;
  private discovery: OAuthDiscoveryState | undefined;
  /** The first URL refused during the authorization under way; the SDK swallows some fetch errors. */
  private refused: OAuthUrlError | undefined;
  private readonly interactionListeners = new Set<(waiting: boolean) => void>();
  private waitingForUser = false;
  protected readonly serverName: string;

  constructor(private readonly options: OAuthProviderOptions) {
    this.key = oauthStoreKey(options.serverUrl);
    this.serverName = options.serverName ?? this.key;
    this.logger = options.logger ?? nullLogger;
    this.now = options.now ?? Date.now;
    this.clientMetadataUrl = options.clientMetadataUrl;
  }

  private async load(): Promise<OAuthRecord> {
    this.loaded ??= this.options.store.get(this.key).then((record) => {
      this.record = record ?? {};
    });
    await this.loaded;
    return this.record!;
  }

  private async update(change: (record: OAuthRecord) => OAuthRecord): Promise<void> {
    this.record = change(await this.load());
    await this.options.store.set(this.key, this.record);
  }

  // ---- OAuthClientProvider ------------------------------------------------------------------

  get redirectUrl(): string {
    return this.redirectUri ?? unpreparedRedirectUri;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.options.clientName ?? 'MCP Session Manager',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      // A native app cannot keep a secret (RFC 8252 §8.4); PKCE protects the code instead.
      token_endpoint_auth_method: 'none',
      ...(this.options.scope ? { scope: this.options.scope } : {}),
    };
  }

  state(): string {
    return randomBytes(16).toString('base64url');
  }

  async clientInformation(): Promise<OAuthClientInformationMixed | undefined> {
    return this.options.preRegisteredClient ?? (await this.load()).clientInformation;
  }

  async saveClientInformation(clientInformation: OAuthClientInformationMixed): Promise<void> {
    if (this.options.preRegisteredClient && clientInformation.client_id === this.options.preRegisteredClient.client_id) return;
    await this.update((record) => ({ ...record, clientInformation }));
  }

  async tokens(): Promise<OAuthTokens | undefined> {
    return (await this.load()).tokens;
  }

  async saveTokens(tokens: OAuthTokens): Promise<void> {
    await this.update((record) => ({ ...record, tokens, tokensSavedAt: this.now() }));
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    this.refuse(() => checkOAuthUrl(this.serverName, 'authorization endpoint', authorizationUrl));
    const consent = this.options.consent;
    if (consent && !consent.canAsk(this.serverName)) throw this.needsSignIn(authorizationUrl);
    this.setWaitingForUser(true);
    try {
      if (consent && !(await consent.confirm(this.serverName, authorizationUrl))) {
        throw new McpSessionError('needs-sign-in', this.serverName, `Signing in to "${this.serverName}" was declined. Use Sign In on the server to sign in.`, { retryable: false });
      }
      this.logger.info(`Opening the authorization page of ${authorizationUrl.origin} for ${this.key}`);
      this.authorizationResponse = await this.options.redirectHandler.openAuthorizationUrl(authorizationUrl);
    } finally {
      this.setWaitingForUser(false);
    }
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.verifier = codeVerifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('No PKCE code verifier: no authorization is in progress.');
    return this.verifier;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    if (state.authorizationServerMetadata) {
      const metadata = state.authorizationServerMetadata as unknown as Record<string, unknown>;
      const legacyFallback = state.resourceMetadata === undefined;
      this.refuse(() => checkAuthorizationServerMetadata(this.serverName, state.authorizationServerUrl, metadata, legacyFallback));
    }
    this.discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }

  async invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): Promise<void> {
    if (scope === 'all' || scope === 'verifier') this.verifier = undefined;
    if (scope === 'all' || scope === 'discovery') this.discovery = undefined;
    if (scope === 'all' || scope === 'client' || scope === 'tokens') {
      await this.update((record) => ({
        ...record,
        ...(scope === 'all' || scope === 'tokens' ? { tokens: undefined, tokensSavedAt: undefined } : {}),
        ...(scope === 'all' || scope === 'client' ? { clientInformation: undefined } : {}),
      }));
    }
  }

  // ---- the whole authorization --------------------------------------------------------------

  async needsRefresh(): Promise<boolean> {
    const { tokens, tokensSavedAt } = await this.load();
    if (!tokens?.refresh_token || tokens.expires_in === undefined || tokensSavedAt === undefined) return false;
    const lifetimeMs = tokens.expires_in * 1000;
    // Refresh a little early, so a token does not expire on its way to the server.
    const marginMs = Math.min(30_000, lifetimeMs / 10);
    return this.now() >= tokensSavedAt + lifetimeMs - marginMs;
  }

  /** Gets a usable access token (see runAuthorization), reporting waits for a person to the request. */
  authorize(request: AuthorizeRequest): Promise<void> {
    return this.reportingUserInteraction(request, () => this.runAuthorization(request));
  }

  /** Runs `work`, telling request.onUserInteraction whenever this provider waits for a person meanwhile. */
  protected async reportingUserInteraction<T>(request: AuthorizeRequest, work: () => Promise<T>): Promise<T> {
    const listener = request.onUserInteraction;
    if (!listener || this.interactionListeners.has(listener)) return work();
    this.interactionListeners.add(listener);
    if (this.waitingForUser) listener(true);
    try {
      return await work();
    } finally {
      this.interactionListeners.delete(listener);
      if (this.waitingForUser) listener(false);
    }
  }

  private setWaitingForUser(waiting: boolean): void {
    if (this.waitingForUser === waiting) return;
    this.waitingForUser = waiting;
    for (const listener of [...this.interactionListeners]) listener(waiting);
  }

  private needsSignIn(authorizationUrl?: URL): McpSessionError {
    const where = authorizationUrl ? ` at ${authorizationUrl.host}` : '';
    return new McpSessionError(
      'needs-sign-in',
      this.serverName,
      `"${this.serverName}" needs you to sign in${where}. It was not started in the background; use Sign In on the server.`,
      { retryable: false },
    );
  }

  /** Runs a URL check; a refusal is remembered, so it surfaces even where the SDK swallows errors. */
  private refuse(check: () => unknown): void {
    try {
      check();
    } catch (e) {
      if (e instanceof OAuthUrlError) this.refused ??= e;
      throw e;
    }
  }

  /** The fetch given to the SDK: refuses every URL outside the rules of oauthUrls.ts before it is requested. */
  private checkedFetch(fetchFn: FetchLike | undefined): FetchLike {
    const base = fetchFn ?? ((url, init) => fetch(url, init));
    return (url, init) => {
      this.refuse(() => checkOAuthUrl(this.serverName, this.roleOf(String(url)), String(url)));
      return base(url, init);
    };
  }

  private roleOf(url: string): string {
    const metadata = this.discovery?.authorizationServerMetadata as Record<string, unknown> | undefined;
    if (metadata?.token_endpoint === url) return 'token endpoint';
    if (metadata?.registration_endpoint === url) return 'registration endpoint';
    return metadata ? 'OAuth endpoint' : 'OAuth metadata URL';
  }

  /**
   * Gets a usable access token: refreshes it when a refresh token is at hand, otherwise sends
   * the user through the authorization page and exchanges the code it returns.
   */
  protected async runAuthorization(request: AuthorizeRequest): Promise<void> {
    this.refused = undefined;
    if (request.resourceMetadataUrl) checkResourceMetadataUrl(this.serverName, this.options.serverUrl, request.resourceMetadataUrl);
    // Without a refresh token only the browser can help: a background start asks nothing of anyone.
    if (this.options.consent && !(await this.tokens())?.refresh_token && !this.options.consent.canAsk(this.serverName)) throw this.needsSignIn();
    const registered = (await this.clientInformation()) as { redirect_uris?: string[] } | undefined;
    this.redirectUri = await this.options.redirectHandler.prepare(registered?.redirect_uris?.[0]);
    // The issuer check (RFC 8414 §3.3) is ours, in saveDiscoveryState: it also knows the 2025-03-26
    // fallback rule and names the server in its message. The SDK's own would speak first otherwise.
    const options = {
      serverUrl: this.options.serverUrl,
      resourceMetadataUrl: request.resourceMetadataUrl,
      scope: request.scope,
      fetchFn: this.checkedFetch(request.fetchFn),
      skipIssuerMetadataValidation: true,
    };
    try {
      this.authorizationResponse = undefined;
      // Discovery is kept only for one authorization (it must survive the redirect): a new one
      // reads the protected resource metadata again, so a server that moved to another
      // authorization server is followed there, and registered with anew (SEP-2352).
      this.discovery = undefined;
      let result = await auth(this, options);
      if (result === 'REDIRECT') {
        const response = this.authorizationResponse as AuthorizationResponse | undefined;
        if (!response) throw new Error('The authorization ended without an authorization code.');
        // iss goes to the SDK's RFC 9207 check: compared with the issuer we discovered, never normalized.
        result = await auth(this, { ...options, authorizationCode: response.code, iss: response.iss });
      }
      if (result !== 'AUTHORIZED') throw new Error('The authorization did not complete.');
    } catch (e) {
      throw this.refused ?? e;
    } finally {
      this.authorizationResponse = undefined;
      this.verifier = undefined;
      this.options.redirectHandler.release();
    }
  }
}

// ---- the fetch the transports use -----------------------------------------------------------

export class AuthorizationFailedError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'AuthorizationFailedError';
  }
}

export interface AuthorizingFetchOptions {
  /** The fetch that reaches the network. Default: global fetch. */
  fetch?: FetchLike;
  /** Authorizations (refreshes included) one request may trigger before it fails. Default 3. */
  maxAuthorizations?: number;
  /** Transport diagnostics; never given tokens. */
  log?(line: string): void;
  /** Told while an authorization waits for a person (see AuthorizeRequest.onUserInteraction). */
  onUserInteraction?(waiting: boolean): void;
}

type Challenge = { kind: 'unauthorized' | 'insufficient-scope'; header: string; resourceMetadataUrl?: URL; scope?: string };

function challengeOf(response: Response): Challenge | undefined {
  if (response.status !== 401 && response.status !== 403) return undefined;
  const header = response.headers.get('www-authenticate') ?? '';
  const { resourceMetadataUrl, scope, error } = extractWWWAuthenticateParams(response);
  if (response.status === 401) return { kind: 'unauthorized', header, resourceMetadataUrl, scope };
  return error === 'insufficient_scope' ? { kind: 'insufficient-scope', header, resourceMetadataUrl, scope } : undefined;
}

/** The challenged scope plus the scopes already granted, so a step-up does not lose any. */
function stepUpScope(challenged: string | undefined, granted: string | undefined): string | undefined {
  if (!challenged) return granted;
  const scopes = new Set([...(granted?.split(' ') ?? []), ...challenged.split(' ')].filter(Boolean));
  return [...scopes].join(' ');
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | null | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * A fetch for the SDK transports of one connection that authorizes through `provider`.
 * Concurrent requests that hit a challenge share one authorization.
 */
export function authorizingFetch(provider: OAuthClientProvider, serverUrl: string | URL, options: AuthorizingFetchOptions = {}): FetchLike {
  const baseFetch = options.fetch ?? ((url, init) => fetch(url, init));
  const maxAuthorizations = options.maxAuthorizations ?? 3;
  const log = options.log ?? (() => undefined);
  /** Challenges an interactive authorization already failed to satisfy on this connection. */
  const unsatisfiable = new Set<string>();
  let pending: Promise<void> | undefined;

  const authorizeOnce = (request: AuthorizeRequest): Promise<void> => {
    pending ??= (async () => {
      if (isInteractiveProvider(provider)) return provider.authorize(request);
      const result = await auth(provider, { serverUrl, ...request, skipIssuerMetadataValidation: true });
      if (result !== 'AUTHORIZED') throw new AuthorizationFailedError('The server requires an authorization in a browser, which this client cannot open.', 401);
    })().finally(() => (pending = undefined));
    return pending;
  };

  return async (url, init) => {
    let authorizations = 0;
    let interactiveTried = false;
    const triedChallenges = new Set<string>();
    for (;;) {
      if (pending) await abortable(pending.catch(() => undefined), init?.signal);
      else if (authorizations === 0 && isInteractiveProvider(provider) && (await provider.needsRefresh())) {
        log('The access token has expired; refreshing it');
        authorizations++;
        await abortable(authorizeOnce({ fetchFn: baseFetch }), init?.signal).catch((e) => log(`Refreshing the access token failed: ${(e as Error).message}`));
      }
      const tokens = await provider.tokens();
      const headers = new Headers(init?.headers);
      if (tokens?.access_token) headers.set('authorization', `Bearer ${tokens.access_token}`);
      const response = await baseFetch(url, { ...init, headers });
      const challenge = challengeOf(response);
      if (!challenge) return response;

      const what = challenge.kind === 'unauthorized' ? 'HTTP 401' : `HTTP 403 insufficient_scope${challenge.scope ? ` (scope "${challenge.scope}")` : ''}`;
      const repeated = triedChallenges.has(challenge.header) && interactiveTried;
      if (authorizations >= maxAuthorizations || repeated || unsatisfiable.has(challenge.header)) {
        await response.body?.cancel().catch(() => undefined);
        if (interactiveTried) unsatisfiable.add(challenge.header);
        throw new AuthorizationFailedError(
          `The server still answers ${what} after ${authorizations} authorization attempt${authorizations === 1 ? '' : 's'}; giving up.`,
          response.status,
        );
      }
      await response.body?.cancel().catch(() => undefined);
      triedChallenges.add(challenge.header);
      authorizations++;

      let scope = challenge.scope;
      if (challenge.kind === 'insufficient-scope') {
        // A refresh keeps the old scope: step-up needs a new authorization.
        scope = stepUpScope(challenge.scope, tokens?.scope);
        await provider.invalidateCredentials?.('tokens');
      }
      const interactive = !(await provider.tokens())?.refresh_token;
      log(`${what}: ${interactive ? 'authorizing' : 'refreshing the access token'}`);
      await abortable(authorizeOnce({ resourceMetadataUrl: challenge.resourceMetadataUrl, scope, fetchFn: baseFetch, onUserInteraction: options.onUserInteraction }), init?.signal);
      interactiveTried ||= interactive;
    }
  };
}

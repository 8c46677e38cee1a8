// OAuth for remote (http / sse) servers in the extension. The core does the protocol
// (oauth.ts: discovery, dynamic registration, PKCE, refresh, step-up); this supplies what
// belongs to VS Code: the TokenStore in SecretStorage (oauthStore.ts), the browser step
// (oauthSignIn.ts), one sign-in at a time per server URL, and Sign Out.
//
// The registry asks for a provider on every connection attempt (authProviderFor). A fresh
// provider reads the stored record afresh, so tokens saved by an earlier connection or
// another window are used. While a provider is signing in, later attempts for the same URL
// get that provider and wait for its sign-in instead of opening the browser again.
//
// The browser opens only with consent (oauthConsent.ts): while a user action waits on the
// server, after a modal or for an authorization host the user allowed. Otherwise the sign-in
// fails with `needs-sign-in` and the server shows "needs sign-in" until the user signs in.
//
// The connect timeout pauses while the user is asked and signs in (core: remote.ts). Other
// connections of the same URL that failed while the sign-in was under way are started again,
// once, when it succeeds.

import type { OAuthClientInformationMixed } from '@modelcontextprotocol/client';
import type * as vscode from 'vscode';
import type { RegistryApi } from '../core/api';
import type { RemoteServerDefinition } from '../core/definitions';
import { isMcpSessionError } from '../core/errors';
import { DisposableStore, Emitter, type Disposable } from '../core/lifecycle';
import type { Logger } from '../core/logger';
import { OAuthProvider, type AuthorizeRequest, type SignInConsent } from '../core/oauth';
import { oauthStoreKey, type OAuthRecord } from '../core/oauthStore';
import { SecretTokenStore } from './oauthStore';
import { SignInPrompts, type SignInOverrides, type SignInRedirectHandler } from './oauthSignIn';

/** What the integration tests reach through `testing.oauth`. Not available in production. */
export interface OAuthTestingApi {
  /** Plays the browser and shortens the sign-in timeout; `{}` restores both. */
  overrideSignIn(overrides: SignInOverrides): void;
  /** The record SecretStorage holds for a server URL (read through the store). */
  storedRecord(serverUrl: string): Promise<OAuthRecord | undefined>;
}

interface SignInEvents {
  started(provider: SignInProvider): void;
  ended(provider: SignInProvider, outcome: 'signed-in' | 'needs-sign-in' | 'failed', throughBrowser: boolean): void;
}

/** The core's provider, plus: concurrent authorizations share one, and a stale registration is replaced. */
class SignInProvider extends OAuthProvider {
  private pending: Promise<void> | undefined;

  constructor(
    readonly storeKey: string,
    readonly server: string,
    private readonly handler: SignInRedirectHandler,
    private readonly events: SignInEvents,
    options: ConstructorParameters<typeof OAuthProvider>[0],
  ) {
    super(options);
  }

  get isSigningIn(): boolean {
    return this.pending !== undefined;
  }

  override authorize(request: AuthorizeRequest): Promise<void> {
    this.pending ??= (async () => {
      this.events.started(this);
      let outcome: 'signed-in' | 'needs-sign-in' | 'failed' = 'failed';
      try {
        await this.runAuthorization(request);
        outcome = 'signed-in';
      } catch (e) {
        if (isMcpSessionError(e, 'needs-sign-in')) outcome = 'needs-sign-in';
        throw e;
      } finally {
        this.events.ended(this, outcome, this.handler.wentToBrowser);
      }
    })().finally(() => (this.pending = undefined));
    // Every connection waiting on this sign-in hears when it waits for the user (its connect timeout pauses).
    const pending = this.pending;
    return this.reportingUserInteraction(request, () => pending);
  }

  /**
   * A registration made for another redirect URI (another port, a forwarded address from an
   * earlier window) would make the authorization server refuse the redirect: register again.
   * A refresh does not use the redirect URI, and its refresh token belongs to the old client.
   */
  override async clientInformation(): Promise<OAuthClientInformationMixed | undefined> {
    const information = await super.clientInformation();
    const redirectUri = this.handler.redirectUri;
    if (!information || redirectUri === undefined || (await this.tokens())?.refresh_token) return information;
    const registered = (information as { redirect_uris?: unknown }).redirect_uris;
    return Array.isArray(registered) && !registered.includes(redirectUri) ? undefined : information;
  }
}

export class OAuthService implements Disposable {
  readonly store: SecretTokenStore;
  private readonly prompts: SignInPrompts;
  /** Providers signing in, by store key; a new connection attempt joins instead of starting another. */
  private readonly signingIn = new Map<string, SignInProvider>();
  /** Servers that went to error while their URL's sign-in was under way, by store key. */
  private readonly failedDuringSignIn = new Map<string, Set<string>>();
  /** Store keys whose last authorization needed a person who was not asked or said no. */
  private readonly waitingForSignIn = new Set<string>();
  private readonly changeEmitter = new Emitter<void>();
  /** Fired when a server starts or stops needing a sign-in. */
  readonly onDidChangeSignIns = this.changeEmitter.event;
  private readonly disposables = new DisposableStore();

  constructor(
    secrets: vscode.SecretStorage,
    globalState: vscode.Memento,
    private readonly registry: RegistryApi,
    private readonly consent: SignInConsent,
    private readonly log: Logger,
  ) {
    this.disposables.add(this.changeEmitter);
    this.store = new SecretTokenStore(secrets, globalState);
    this.prompts = this.disposables.add(new SignInPrompts(log));
    this.disposables.add(
      registry.onDidChangeState((e) => {
        if (e.current.state !== 'error') return;
        const key = this.keyOf(e.server);
        if (key !== undefined && this.signingIn.has(key)) this.failedDuringSignIn.get(key)?.add(e.server);
      }),
    );
  }

  /** RegistryOptions.authProviderFor. A server whose headers carry Authorization authenticates itself. */
  providerFor(server: RemoteServerDefinition): OAuthProvider | undefined {
    if (Object.keys(server.headers).some((name) => name.toLowerCase() === 'authorization')) return undefined;
    const key = oauthStoreKey(server.url);
    const current = this.signingIn.get(key);
    if (current?.isSigningIn) return current;
    const handler = this.prompts.handlerFor(server.name);
    return new SignInProvider(
      key,
      server.name,
      handler,
      { started: (provider) => this.onSignInStarted(provider), ended: (provider, outcome, throughBrowser) => this.onSignInEnded(provider, outcome, throughBrowser) },
      {
        serverUrl: server.url,
        serverName: server.name,
        consent: this.consent,
        store: this.store,
        redirectHandler: handler,
        clientName: 'MCP Session Manager (VS Code)',
        logger: this.log,
      },
    );
  }

  /** True when the server's last start stopped at a sign-in that only the user can give. */
  needsSignIn(server: string): boolean {
    const key = this.keyOf(server);
    return key !== undefined && this.waitingForSignIn.has(key);
  }

  /** Remote servers of the registry, by name, with their store keys. */
  remoteServers(): { name: string; key: string }[] {
    return this.registry.list().flatMap((s) => (s.definition.kind === 'stdio' ? [] : [{ name: s.name, key: oauthStoreKey(s.definition.url) }]));
  }

  /**
   * Forgets the tokens and client registration stored for the server's URL, and stops the
   * servers of that URL (they sign in again when started). False when nothing was stored.
   */
  async signOut(server: string): Promise<boolean> {
    const key = this.keyOf(server);
    if (key === undefined) return false;
    const stored = (await this.store.get(key)) !== undefined;
    await this.store.delete(key);
    this.setWaitingForSignIn(key, false);
    const affected = this.remoteServers().filter((s) => s.key === key && this.registry.get(s.name)?.state.state !== 'stopped');
    await Promise.all(affected.map((s) => this.registry.stop(s.name, 'signed out')));
    this.log.info(`Signed out of ${key} (server "${server}")${stored ? '' : ': nothing was stored'}`);
    return stored;
  }

  get testing(): OAuthTestingApi {
    return {
      overrideSignIn: (overrides) => {
        this.prompts.overrides = overrides;
      },
      storedRecord: (serverUrl) => this.store.get(oauthStoreKey(serverUrl)),
    };
  }

  private keyOf(server: string): string | undefined {
    const definition = this.registry.get(server)?.definition;
    return definition && definition.kind !== 'stdio' ? oauthStoreKey(definition.url) : undefined;
  }

  private onSignInStarted(provider: SignInProvider): void {
    this.signingIn.set(provider.storeKey, provider);
    this.failedDuringSignIn.set(provider.storeKey, new Set());
  }

  private setWaitingForSignIn(key: string, waiting: boolean): void {
    if (this.waitingForSignIn.has(key) === waiting) return;
    if (waiting) this.waitingForSignIn.add(key);
    else this.waitingForSignIn.delete(key);
    this.changeEmitter.fire();
  }

  private onSignInEnded(provider: SignInProvider, outcome: 'signed-in' | 'needs-sign-in' | 'failed', throughBrowser: boolean): void {
    // The server's status follows the last authorization: a failure other than a missing sign-in is an error.
    this.setWaitingForSignIn(provider.storeKey, outcome === 'needs-sign-in');
    if (this.signingIn.get(provider.storeKey) !== provider) return;
    this.signingIn.delete(provider.storeKey);
    const failed = this.failedDuringSignIn.get(provider.storeKey) ?? new Set<string>();
    this.failedDuringSignIn.delete(provider.storeKey);
    if (outcome !== 'signed-in' || !throughBrowser) return;
    this.log.info(`Signed in to "${provider.server}" (${provider.storeKey})`);
    for (const name of failed) {
      if (this.registry.isShutDown || this.registry.get(name)?.state.state !== 'error') continue;
      this.log.info(`Starting "${name}" again: its start failed while the sign-in was under way`);
      this.registry.start(name, 'signed in').catch((e) => this.log.warn(`Starting "${name}" after the sign-in failed: ${(e as Error).message}`));
    }
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

// OAuth state of remote servers (tokens and the dynamic client registration) in VS Code's
// SecretStorage: one entry per server URL, keyed by the core's oauthStoreKey (the URL
// without query or fragment). SecretStorage cannot list its keys, so the keys (never the
// values) are also kept in globalState: Sign Out offers them and a context key shows whether
// there are any. Nothing here logs a record.

import * as vscode from 'vscode';
import type { OAuthRecord, TokenStore } from '../core/oauthStore';

const indexKey = 'mcpSessions.oauthServers';
const secretPrefix = 'mcpSessions.oauth:';
/** True while at least one server's sign-in is stored: enables "Sign Out of Server…". */
export const hasSignInsContextKey = 'mcpSessions.hasOAuthSignIns';

export class SecretTokenStore implements TokenStore {
  /** Index updates are read-modify-write on a Memento: one at a time. */
  private indexQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly index: vscode.Memento,
  ) {
    void this.updateContextKey();
  }

  async get(key: string): Promise<OAuthRecord | undefined> {
    const text = await this.secrets.get(secretPrefix + key);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as OAuthRecord;
    } catch {
      // Unreadable: as good as absent; the next sign-in overwrites it.
      return undefined;
    }
  }

  async set(key: string, record: OAuthRecord): Promise<void> {
    await this.secrets.store(secretPrefix + key, JSON.stringify(record));
    await this.updateIndex((keys) => keys.add(key));
  }

  async delete(key: string): Promise<void> {
    await this.secrets.delete(secretPrefix + key);
    await this.updateIndex((keys) => keys.delete(key));
  }

  /** Server URLs (store keys) with a stored record. */
  keys(): string[] {
    return this.index.get<string[]>(indexKey, []);
  }

  private updateIndex(change: (keys: Set<string>) => unknown): Promise<void> {
    const next = this.indexQueue.then(async () => {
      const keys = new Set(this.keys());
      change(keys);
      await this.index.update(indexKey, [...keys].sort());
      await this.updateContextKey();
    });
    this.indexQueue = next.catch(() => undefined);
    return next;
  }

  private async updateContextKey(): Promise<void> {
    await vscode.commands.executeCommand('setContext', hasSignInsContextKey, this.keys().length > 0);
  }
}

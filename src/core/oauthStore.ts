// Where OAuth state for remote servers lives between connections. The core defines the
// interface; the CLI uses FileTokenStore (one JSON file, mode 0600, under its state dir) and
// the extension supplies a SecretStorage-backed store. Records hold secrets (tokens, client
// secrets): implementations must never log them.

import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';

/** What is kept for one server (keyed by oauthStoreKey(url)). */
export interface OAuthRecord {
  tokens?: OAuthTokens;
  /** Epoch ms when `tokens` were saved; with `expires_in` it dates the access token's expiry. */
  tokensSavedAt?: number;
  /** A dynamically registered client (or a client ID metadata document URL used as client_id). */
  clientInformation?: OAuthClientInformationMixed;
}

export interface TokenStore {
  get(key: string): Promise<OAuthRecord | undefined>;
  set(key: string, record: OAuthRecord): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The key of a server's record: its URL without query or fragment (which may carry secrets). */
export function oauthStoreKey(serverUrl: string | URL): string {
  const url = new URL(serverUrl);
  return `${url.origin}${url.pathname}`;
}

export class MemoryTokenStore implements TokenStore {
  private readonly records = new Map<string, string>();

  async get(key: string): Promise<OAuthRecord | undefined> {
    const text = this.records.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as OAuthRecord);
  }

  async set(key: string, record: OAuthRecord): Promise<void> {
    this.records.set(key, JSON.stringify(record));
  }

  async delete(key: string): Promise<void> {
    this.records.delete(key);
  }
}

interface TokenFile {
  version: 1;
  servers: Record<string, OAuthRecord>;
}

/**
 * All records in one JSON file, readable by its owner only (0600, folder 0700). Writes go to
 * a temporary file that is renamed over the old one, so a crash never leaves half a file, and
 * are serialized within the process.
 */
export class FileTokenStore implements TokenStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {}

  private async read(): Promise<TokenFile> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, servers: {} };
      throw e;
    }
    const parsed = JSON.parse(text) as Partial<TokenFile>;
    return { version: 1, servers: parsed.servers ?? {} };
  }

  private async write(file: TokenFile): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(file, null, 2), { mode: 0o600 });
    // writeFile's mode is masked by the umask and ignored for an existing file: set it explicitly.
    await chmod(temporary, 0o600);
    await rename(temporary, this.path);
  }

  private serialized<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  get(key: string): Promise<OAuthRecord | undefined> {
    return this.serialized(async () => (await this.read()).servers[key]);
  }

  set(key: string, record: OAuthRecord): Promise<void> {
    return this.serialized(async () => {
      const file = await this.read();
      file.servers[key] = record;
      await this.write(file);
    });
  }

  delete(key: string): Promise<void> {
    return this.serialized(async () => {
      const file = await this.read();
      if (!(key in file.servers)) return;
      delete file.servers[key];
      await this.write(file);
    });
  }
}

// Where OAuth state for remote servers lives between connections. The core defines the
// interface; the CLI uses FileTokenStore (one JSON file, mode 0600, under its state dir) and
// the extension supplies a SecretStorage-backed store. Records hold secrets (tokens, client
// secrets): implementations must never log them.

import { chmod, lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/client';

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
 * All records in one JSON file, readable by its owner only. Every write makes the folder 0700
 * and the file 0600, whatever they were before (another tool, an older version or a umask may
 * have loosened them). The file must be a plain file: a symbolic link there is refused, since
 * it would make the store read or reveal what it points at. Writes go to a temporary file
 * (created exclusively, so no planted link is followed) that is renamed over the old one, so a
 * crash never leaves half a file, and are serialized within the process.
 */
export class FileTokenStore implements TokenStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {}

  /** Refuses a token file that is not a plain file. False when there is none yet. */
  private async checkFile(): Promise<boolean> {
    let stats;
    try {
      stats = await lstat(this.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
    if (!stats.isFile()) {
      throw new Error(`The OAuth token file ${this.path} is ${stats.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}; it was not used. Remove it to sign in again.`);
    }
    return true;
  }

  private async read(): Promise<TokenFile> {
    let text: string;
    try {
      if (!(await this.checkFile())) return { version: 1, servers: {} };
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, servers: {} };
      throw e;
    }
    const parsed = JSON.parse(text) as Partial<TokenFile>;
    return { version: 1, servers: parsed.servers ?? {} };
  }

  private async write(file: TokenFile): Promise<void> {
    const folder = dirname(this.path);
    // mkdir's mode applies only to folders it creates, and is masked by the umask.
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await chmod(folder, 0o700);
    await this.checkFile();
    const temporary = `${this.path}.${process.pid}.tmp`;
    await rm(temporary, { force: true });
    await writeFile(temporary, JSON.stringify(file, null, 2), { mode: 0o600, flag: 'wx' });
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

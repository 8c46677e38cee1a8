// Resources open as read-only documents on the `mcp-sessions-resource:` file system (resourceNames.ts
// says how a path names a server's resource). Text opens in a text editor with the language of
// its MIME type; binary content is served as its bytes, so VS Code's image preview (or its
// binary/hex handling) shows it. Text is redacted: a server may send back a secret it was given.
//
// While a tab shows a resource, its server is subscribed to it (ServerService →
// the registry's subscribeResource: 2025 `resources/subscribe`, 2026 `subscriptions/listen`,
// renewed after restarts). An update reads the resource again and fires onDidChangeFile, and
// VS Code reloads the document. The subscription ends when the last tab of the resource closes.
//
// Lifetime: one instance for the extension; dispose() ends every subscription.

import * as vscode from 'vscode';
import type { ReadResourceResult } from '../core/api';
import { errorMessage } from '../core/errors';
import { DisposableStore, type Disposable } from '../core/lifecycle';
import type { SecretRedactor } from '../core/redact';
import type { ExtensionLog } from './log';
import { parseResourceDocumentPath, resourceDocumentPath, resourceFileName, resourceKey, resourceScheme, type ResourceAddress } from './resourceNames';
import type { ServerService } from './servers';

interface ResourceEntry {
  address: ResourceAddress;
  bytes: Uint8Array;
  mtime: number;
}

interface Watched {
  address: ResourceAddress;
  subscription: Disposable;
}

/** The bytes of a read and the file name its documents get. */
export function resourceContent(address: ResourceAddress, result: ReadResourceResult, redact: (text: string) => string): { bytes: Uint8Array; fileName: string } {
  const contents = result.contents;
  const single = contents.length === 1 ? contents[0] : undefined;
  if (single && 'blob' in single && typeof single.blob === 'string') {
    return { bytes: Buffer.from(single.blob, 'base64'), fileName: resourceFileName(address.uri, single.mimeType, true) };
  }
  const text = contents
    .map((content) =>
      'text' in content && typeof content.text === 'string'
        ? content.text
        : `[binary content of ${content.uri}, ${content.mimeType ?? 'unknown type'}: open that resource by itself to see it]`,
    )
    .join('\n\n');
  const mimeType = single?.mimeType ?? (contents.length > 1 ? 'text/plain' : undefined);
  return { bytes: Buffer.from(redact(text), 'utf8'), fileName: resourceFileName(address.uri, mimeType, false) };
}

export class ResourceDocuments implements vscode.FileSystemProvider, Disposable {
  private readonly store = new DisposableStore();
  private readonly changeEmitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changeEmitter.event;
  /** The last read of each resource, by resourceKey. */
  private readonly entries = new Map<string, ResourceEntry>();
  /** Subscriptions of the resources a tab shows, by resourceKey. */
  private readonly watched = new Map<string, Watched>();

  constructor(
    private readonly servers: ServerService,
    private readonly redactor: SecretRedactor,
    private readonly log: ExtensionLog,
  ) {
    this.store.add(this.changeEmitter);
    this.store.add(vscode.workspace.registerFileSystemProvider(resourceScheme, this, { isReadonly: true, isCaseSensitive: true }));
    this.store.add(vscode.window.tabGroups.onDidChangeTabs(() => this.watchOpenTabs()));
  }

  /** Shows a resource that was just read: its document opens (or is brought forward) with these contents. */
  async show(server: string, uri: string, result: ReadResourceResult): Promise<vscode.Uri> {
    const address = { server, uri };
    const { fileName } = this.remember(address, result);
    const document = vscode.Uri.from({ scheme: resourceScheme, path: resourceDocumentPath(address, fileName) });
    // A document already open shows what was just read.
    this.fireChanged(address);
    await vscode.commands.executeCommand('vscode.open', document, { preview: true });
    this.watchOpenTabs();
    return document;
  }

  /** The server and resource URI of an `mcp-sessions-resource:` URI, or undefined. */
  addressOf(uri: vscode.Uri): ResourceAddress | undefined {
    return uri.scheme === resourceScheme ? parseResourceDocumentPath(uri.path) : undefined;
  }

  private remember(address: ResourceAddress, result: ReadResourceResult): { entry: ResourceEntry; fileName: string } {
    const { bytes, fileName } = resourceContent(address, result, (text) => this.redactor.redact(text));
    const key = resourceKey(address);
    const previous = this.entries.get(key);
    // Strictly later than the last version: VS Code reloads a document whose mtime changed.
    const entry = { address, bytes, mtime: Math.max(Date.now(), (previous?.mtime ?? 0) + 1) };
    this.entries.set(key, entry);
    return { entry, fileName };
  }

  private async entryFor(uri: vscode.Uri): Promise<ResourceEntry> {
    const address = this.addressOf(uri);
    if (!address) throw vscode.FileSystemError.FileNotFound(uri);
    const cached = this.entries.get(resourceKey(address));
    if (cached) return cached;
    return this.read(address);
  }

  private async read(address: ResourceAddress): Promise<ResourceEntry> {
    try {
      const result = await this.servers.readResource(address.server, address.uri, {}, false);
      return this.remember(address, result).entry;
    } catch (e) {
      throw vscode.FileSystemError.Unavailable(this.redactor.redact(`Could not read ${address.uri} from "${address.server}": ${errorMessage(e)}`));
    }
  }

  // ---- subscriptions ---------------------------------------------------------------------------

  /** Every `mcp-sessions-resource:` document a tab shows, text or custom editor (image preview, hex). */
  private openDocuments(): vscode.Uri[] {
    return vscode.window.tabGroups.all.flatMap((group) =>
      group.tabs.flatMap((tab) => {
        const input = tab.input;
        const uri = input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined;
        return uri?.scheme === resourceScheme ? [uri] : [];
      }),
    );
  }

  /** Subscribes to the resources tabs show and ends the subscriptions of those no tab shows; forgets their contents. */
  private watchOpenTabs(): void {
    const open = new Map<string, ResourceAddress>();
    for (const document of this.openDocuments()) {
      const address = this.addressOf(document);
      if (address) open.set(resourceKey(address), address);
    }
    for (const [key, address] of open) {
      if (this.watched.has(key)) continue;
      let subscription;
      try {
        subscription = this.servers.subscribeResource(address.server, address.uri, (update) => void this.refresh(address, update.reason));
      } catch (e) {
        // A server no longer configured, or the extension shutting down: the document stays as it is.
        this.log.debug(`[${address.server}] not watching ${address.uri}: ${errorMessage(e)}`);
        continue;
      }
      subscription.ready.then(
        () => this.log.debug(`[${address.server}] watching ${address.uri} for changes`),
        (e) => this.log.info(this.redactor.redact(`[${address.server}] ${address.uri} will not refresh by itself: ${errorMessage(e)}`)),
      );
      this.watched.set(key, { address, subscription });
    }
    for (const [key, watched] of this.watched) {
      if (open.has(key)) continue;
      watched.subscription.dispose();
      this.watched.delete(key);
      this.entries.delete(key);
    }
  }

  /** The resource changed on the server: read it again, then tell VS Code, which reloads its documents. */
  private async refresh(address: ResourceAddress, reason: string): Promise<void> {
    try {
      await this.read(address);
    } catch (e) {
      this.log.warn(`[${address.server}] reading ${address.uri} again after it changed failed: ${errorMessage(e)}`);
      return;
    }
    const refreshed = this.fireChanged(address);
    this.log.debug(`[${address.server}] ${address.uri} ${reason === 'updated' ? 'changed' : 'was subscribed to again'}; refreshed ${refreshed} document(s)`);
  }

  /** Tells VS Code that the open documents of a resource changed; returns how many there are. */
  private fireChanged(address: ResourceAddress): number {
    const key = resourceKey(address);
    const changed = this.openDocuments().filter((document) => {
      const open = this.addressOf(document);
      return open !== undefined && resourceKey(open) === key;
    });
    if (changed.length > 0) this.changeEmitter.fire(changed.map((uri) => ({ type: vscode.FileChangeType.Changed, uri })));
    return changed.length;
  }

  // ---- FileSystemProvider ---------------------------------------------------------------------

  watch(): vscode.Disposable {
    // Subscriptions follow the tabs (watchOpenTabs): VS Code asks to watch only visible editors.
    return new vscode.Disposable(() => undefined);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    if (!this.addressOf(uri)) {
      // The folders above a document exist, so VS Code's explorer-style lookups do not fail.
      if (uri.path.split('/').length < 4) return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0, permissions: vscode.FilePermission.Readonly };
      throw vscode.FileSystemError.FileNotFound(uri);
    }
    const entry = await this.entryFor(uri);
    return { type: vscode.FileType.File, ctime: entry.mtime, mtime: entry.mtime, size: entry.bytes.byteLength, permissions: vscode.FilePermission.Readonly };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    return (await this.entryFor(uri)).bytes;
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  writeFile(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  delete(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  dispose(): void {
    for (const watched of this.watched.values()) watched.subscription.dispose();
    this.watched.clear();
    this.entries.clear();
    this.store.dispose();
  }
}

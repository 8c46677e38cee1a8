// Tool, resource and prompt lists from earlier sessions, kept in workspaceState so the Tool
// Explorer shows them at once (marked "cached") before a server has started in this window.
// Entries are keyed by server name and checked against a hash of the definition as written
// (variables unresolved), so no resolved value, secret or not, is ever stored.

import { createHash } from 'node:crypto';
import type * as vscode from 'vscode';
import type { Prompt, Resource, Tool } from '../core/api';

const stateKey = 'mcpSessions.lists';
/** Keeps workspaceState small: tool schemas can be large. */
const maxServers = 50;

export interface CachedLists {
  tools: Tool[];
  resources: Resource[];
  prompts: Prompt[];
  savedAt: number;
}

interface Entry extends CachedLists {
  definitionHash: string;
}

export class ListCache {
  constructor(private readonly state: vscode.Memento) {}

  get(server: string, rawFingerprint: string): CachedLists | undefined {
    const entry = this.entries()[server];
    return entry && entry.definitionHash === hash(rawFingerprint) ? entry : undefined;
  }

  async save(server: string, rawFingerprint: string, lists: Omit<CachedLists, 'savedAt'>): Promise<void> {
    const entries = this.entries();
    entries[server] = { ...lists, savedAt: Date.now(), definitionHash: hash(rawFingerprint) };
    const kept = Object.entries(entries)
      .sort((a, b) => b[1].savedAt - a[1].savedAt)
      .slice(0, maxServers);
    await this.state.update(stateKey, Object.fromEntries(kept));
  }

  private entries(): Record<string, Entry> {
    return { ...this.state.get<Record<string, Entry>>(stateKey, {}) };
  }
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

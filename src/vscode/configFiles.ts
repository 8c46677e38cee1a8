// Reading and writing configuration files: opening a file at a server's definition, creating
// `.vscode/mcp.json`, and adding a server with jsonc-parser's modify/applyEdits so comments
// and formatting survive. Settings are written through the configuration API.

import * as vscode from 'vscode';
import { applyEdits, findNodeAtLocation, modify, parseTree } from 'jsonc-parser/lib/esm/main.js';
import type { JsonPath } from '../core/config';

const formatting = { insertSpaces: true, tabSize: 2, eol: '\n' };

export const mcpJsonSkeleton = '{\n  "servers": {},\n  "inputs": []\n}\n';

export async function readText(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

async function writeText(uri: vscode.Uri, text: string): Promise<void> {
  await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(uri, '..'));
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
}

/** Opens a configuration file, creating `.vscode/mcp.json` when missing, and selects `jsonPath` (or `range`). */
export async function openConfigFile(uri: vscode.Uri, options: { jsonPath?: JsonPath; range?: { offset: number; length: number } } = {}): Promise<void> {
  let text = await readText(uri);
  if (text === undefined) {
    text = mcpJsonSkeleton;
    await writeText(uri, text);
  }
  const document = await vscode.workspace.openTextDocument(uri);
  let selection: vscode.Range | undefined;
  if (options.range) {
    selection = new vscode.Range(document.positionAt(options.range.offset), document.positionAt(options.range.offset + options.range.length));
  } else if (options.jsonPath) {
    const root = parseTree(document.getText());
    const node = root && findNodeAtLocation(root, options.jsonPath);
    const key = node?.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
    const target = key ?? node;
    if (target) selection = new vscode.Range(document.positionAt(target.offset), document.positionAt(target.offset + target.length));
  }
  await vscode.window.showTextDocument(document, { selection, preview: false });
}

export interface NewServer {
  name: string;
  type: 'stdio' | 'http' | 'sse';
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  url?: string;
  headers?: Record<string, string>;
}

/** The JSON written for a server, in the shape of the target (VS Code `servers` or `mcpServers`). */
export function serverJson(server: NewServer, format: 'servers' | 'mcpServers'): Record<string, unknown> {
  if (server.type === 'stdio') {
    return {
      ...(format === 'servers' ? { type: 'stdio' } : {}),
      command: server.command,
      args: server.args ?? [],
      ...(server.env && Object.keys(server.env).length ? { env: server.env } : {}),
    };
  }
  return {
    type: server.type,
    url: server.url,
    ...(server.headers && Object.keys(server.headers).length ? { headers: server.headers } : {}),
  };
}

/** Adds (or replaces) a server in a configuration file, keeping its comments and layout. */
export async function addServerToFile(uri: vscode.Uri, server: NewServer, format: 'servers' | 'mcpServers'): Promise<void> {
  const text = (await readText(uri)) ?? (format === 'servers' ? mcpJsonSkeleton : '{\n  "mcpServers": {}\n}\n');
  const edits = modify(text, [format, server.name], serverJson(server, format), { formattingOptions: formatting });
  await writeText(uri, applyEdits(text, edits));
}

/** Adds (or replaces) a server in the `mcpSessions.servers` user setting. */
export async function addServerToUserSettings(server: NewServer): Promise<void> {
  const config = vscode.workspace.getConfiguration('mcpSessions');
  const current = config.inspect<Record<string, unknown>>('servers')?.globalValue ?? {};
  await config.update('servers', { ...current, [server.name]: serverJson(server, 'servers') }, vscode.ConfigurationTarget.Global);
}

/** Splits a command line into words, honouring single and double quotes and backslash escapes. */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      current += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

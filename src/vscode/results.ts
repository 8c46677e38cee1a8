// Read-only documents on the `mcp-result:` scheme: plain text, JSON when the result is JSON or
// structured, Markdown when it mixes kinds of content. A tool call's result is shown in the
// results view (src/vscode/webviews/resultsPanel.ts); its "Open as Text" opens the result here,
// and its "Open in Editor" on an image or audio writes that block to a temporary folder of this
// window and opens it with `vscode.open` (VS Code's image preview). Resources and prompts open
// here directly, binary resources through the same temporary folder. Text is redacted: a server
// may send back a secret it was given.

import * as vscode from 'vscode';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult, GetPromptResult } from '../core/api';
import type { Disposable } from '../core/lifecycle';
import type { SecretRedactor } from '../core/redact';
import { parseJsonText } from '../core/resultView';
import { resultDocumentPath } from './itemText';
import { renderPromptMarkdown } from './promptDocument';
import { containedPath, safeFileName } from '../core/paths';

export const resultScheme = 'mcp-result';
/** Documents kept for the content provider; older ones are dropped (their tabs show empty). */
const maxDocuments = 50;

type Content = CallToolResult['content'][number];

export class ResultDocuments implements vscode.TextDocumentContentProvider, Disposable {
  private readonly documents = new Map<string, string>();
  private readonly registration: vscode.Disposable;
  private counter = 0;
  private binaryDir: string | undefined;

  constructor(private readonly redactor: SecretRedactor) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(resultScheme, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.documents.get(uri.toString()) ?? 'This result is no longer available. Call the tool again.';
  }

  /** Opens the result of a tool call as text; returns the document's URI. */
  async showToolResult(server: string, tool: string, result: CallToolResult): Promise<vscode.Uri> {
    const { extension, text } = renderToolResult(result);
    const uri = this.add(resultDocumentPath(server, `${tool} result`, ++this.counter, extension), text);
    await this.open(uri);
    return uri;
  }

  /** Writes an image, audio or binary resource block to the temporary folder and opens it in VS Code's own editor. */
  async openBinary(server: string, name: string, content: Content): Promise<void> {
    await this.openBinaries(server, name, [content]);
  }

  async showPrompt(server: string, prompt: string, result: GetPromptResult, args: Record<string, string> = {}): Promise<vscode.Uri> {
    const uri = this.add(resultDocumentPath(server, `${prompt} prompt`, ++this.counter, 'md'), renderPromptMarkdown(server, prompt, args, result));
    await this.open(uri);
    return uri;
  }

  private add(path: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: resultScheme, path: this.redactor.redact(path) });
    this.documents.set(uri.toString(), this.redactor.redact(text));
    while (this.documents.size > maxDocuments) this.documents.delete(this.documents.keys().next().value!);
    return uri;
  }

  private async open(uri: vscode.Uri): Promise<void> {
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: true, preserveFocus: false });
  }

  private async openBinaries(server: string, name: string, contents: Content[]): Promise<void> {
    for (const content of contents) {
      const binary = binaryOf(content);
      if (!binary) continue;
      this.binaryDir ??= mkdtempSync(join(tmpdir(), 'mcp-sessions-'));
      const folder = containedPath(this.binaryDir, safeFileName(server, 'server'));
      mkdirSync(folder, { recursive: true });
      const file = containedPath(folder, `${safeFileName(name, 'result')}-${++this.counter}.${extensionFor(binary.mimeType)}`);
      writeFileSync(file, Buffer.from(binary.data, 'base64'));
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file), { preview: true, viewColumn: vscode.ViewColumn.Beside });
    }
  }

  dispose(): void {
    this.registration.dispose();
    this.documents.clear();
    if (this.binaryDir) rmSync(this.binaryDir, { recursive: true, force: true });
  }
}

/** How a tool result reads as a document: its file extension (language) and text. */
export function renderToolResult(result: CallToolResult): { extension: 'txt' | 'json' | 'md'; text: string } {
  const content = result.content ?? [];
  const texts = content.filter((c): c is Extract<Content, { type: 'text' }> => c.type === 'text');
  if (content.length === 0) {
    return { extension: 'json', text: JSON.stringify(result.structuredContent ?? {}, null, 2) };
  }
  if (content.length === 1 && texts.length === 1) {
    const text = texts[0].text;
    const json = parseJsonText(text);
    if (json !== undefined) return { extension: 'json', text: JSON.stringify(json, null, 2) };
    if (result.structuredContent === undefined) return { extension: 'txt', text };
  }
  const sections = content.map((c) => renderContent(c));
  if (result.structuredContent !== undefined) {
    sections.push('Structured content:\n\n```json\n' + JSON.stringify(result.structuredContent, null, 2) + '\n```');
  }
  return { extension: 'md', text: sections.join('\n\n---\n\n') + '\n' };
}

function renderContent(content: Content): string {
  switch (content.type) {
    case 'text':
      return content.text;
    case 'image':
    case 'audio':
      return `[${content.type}, ${content.mimeType}]`;
    case 'resource_link':
      return `[resource link] ${content.name}: ${content.uri}`;
    case 'resource': {
      const resource = content.resource as { uri: string; text?: string; blob?: string; mimeType?: string };
      return resource.text !== undefined ? `Resource ${resource.uri}:\n\n${resource.text}` : `[binary resource ${resource.uri}, ${resource.mimeType ?? 'unknown type'}]`;
    }
    default:
      return '```json\n' + JSON.stringify(content, null, 2) + '\n```';
  }
}

function binaryOf(content: Content): { data: string; mimeType?: string } | undefined {
  if (content.type === 'image' || content.type === 'audio') return { data: content.data, mimeType: content.mimeType };
  if (content.type === 'resource') {
    const resource = content.resource as { blob?: string; mimeType?: string };
    if (typeof resource.blob === 'string') return { data: resource.blob, mimeType: resource.mimeType };
  }
  return undefined;
}


function extensionFor(mimeType: string | undefined): string {
  const known: Record<string, string> = {
    'image/png': 'png',
    'image/jpeg': 'jpg',
    'image/gif': 'gif',
    'image/webp': 'webp',
    'image/svg+xml': 'svg',
    'audio/wav': 'wav',
    'audio/mpeg': 'mp3',
    'application/pdf': 'pdf',
  };
  return (mimeType && known[mimeType]) ?? 'bin';
}

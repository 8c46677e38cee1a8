// The results view: one webview panel per tool call, titled "<tool> result". The host turns the
// result into ResultViewData (src/core/resultView.ts) — redacted, classified, its
// structuredContent checked against the tool's outputSchema — and posts it to the page, which
// renders it with text nodes (src/webviews/results.ts). The page asks the host for everything
// that leaves it: copying, opening a link (after a confirmation), reading a linked resource,
// saving an embedded blob, opening an image in VS Code's image preview, and "Open as Text" (the
// mcp-result: document of src/vscode/results.ts).
//
// Each panel keeps its call's data while it is open, and posts it again whenever its page loads
// (a hidden panel's page is discarded: retainContextWhenHidden is off).

import { homedir } from 'node:os';
import * as vscode from 'vscode';
import type { CallToolResult } from '../../core/api';
import { labelText } from '../../core/displayText';
import { DisposableStore, Emitter, type Disposable } from '../../core/lifecycle';
import { checkStructuredContent } from '../../core/outputCheck';
import type { SecretRedactor } from '../../core/redact';
import { classifyContent, isAllowedLink, resultText, type RenderedSummary, type ResultViewData, type ResultsToHost, type ResultsToWebview } from '../../core/resultView';
import { CachingSchemaValidator } from '../../core/schemaValidator';
import type { ExtensionLog } from '../log';
import { showMessage } from '../messages';
import type { ResultDocuments } from '../results';
import { webviewHtml, webviewOptions } from './html';

/** A finished tool call, as the results view shows it. */
export interface ToolCallRecord {
  server: string;
  tool: string;
  result: CallToolResult;
  /** Epoch ms when the call started. */
  startedAt: number;
  durationMs?: number;
  protocol?: { era: 'modern' | 'legacy'; version: string };
  /** The tool's outputSchema, as listed by the server. */
  outputSchema?: unknown;
}

/** An open results panel: its title, what it was given, and what its page reported rendering. */
export interface ShownResult {
  title: string;
  data: ResultViewData;
  rendered?: RenderedSummary;
  /** Messages the page sent, oldest first (bounded). */
  received: ResultsToHost['type'][];
}

export const resultsViewType = 'mcpSessions.result';

export class ResultsPanels implements Disposable {
  private readonly panels = new Set<ResultPanel>();
  private readonly validator = new CachingSchemaValidator(64);

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly documents: ResultDocuments,
    private readonly redactor: SecretRedactor,
    private readonly log: ExtensionLog,
  ) {}

  /** Opens a new panel for this call. */
  show(call: ToolCallRecord): ShownResult {
    const result = this.redactor.redactDeep(call.result);
    const structured =
      result.structuredContent === undefined ? undefined : { value: result.structuredContent, check: checkStructuredContent(this.validator, result.structuredContent, call.outputSchema) };
    const data: ResultViewData = {
      server: this.redactor.redact(call.server),
      tool: this.redactor.redact(call.tool),
      protocol: call.protocol,
      time: new Date(call.startedAt).toISOString(),
      durationMs: call.durationMs,
      bytes: Buffer.byteLength(JSON.stringify(call.result)),
      isError: result.isError === true,
      items: (result.content ?? []).map((content, index) => classifyContent(content, index)),
      structured,
    };
    const panel = new ResultPanel(this.extensionUri, { ...call, result }, data, this.documents, this.log, () => this.panels.delete(panel));
    this.panels.add(panel);
    return panel.shown;
  }

  /** Open panels, oldest first. */
  shown(): ShownResult[] {
    return [...this.panels].map((panel) => panel.shown);
  }

  /** Acts on a message as if the page of the newest panel had sent it (tests drive the host side with it). */
  receive(message: ResultsToHost): Promise<void> {
    const newest = [...this.panels].pop();
    if (!newest) return Promise.reject(new Error('no results panel is open'));
    return newest.receive(message);
  }

  /** Resolves when the newest panel's page has rendered; with its summary. */
  async rendered(timeoutMs: number): Promise<RenderedSummary> {
    const newest = [...this.panels].pop();
    if (!newest) throw new Error('no results panel is open');
    return newest.whenRendered(timeoutMs);
  }

  dispose(): void {
    for (const panel of [...this.panels]) panel.dispose();
  }
}

const receivedLimit = 50;

class ResultPanel implements Disposable {
  readonly shown: ShownResult;
  private readonly store = new DisposableStore();
  private readonly panel: vscode.WebviewPanel;
  private readonly renderedEmitter = this.store.add(new Emitter<RenderedSummary>());

  constructor(
    extensionUri: vscode.Uri,
    private readonly call: ToolCallRecord,
    private readonly data: ResultViewData,
    private readonly documents: ResultDocuments,
    private readonly log: ExtensionLog,
    onDispose: () => void,
  ) {
    const title = `${labelText(data.tool, 80)} result`;
    this.shown = { title, data, received: [] };
    this.panel = vscode.window.createWebviewPanel(resultsViewType, title, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, webviewOptions(extensionUri));
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, 'results', title);
    this.store.add(this.panel.webview.onDidReceiveMessage((message: unknown) => void this.receive(message as ResultsToHost)));
    this.store.add(
      this.panel.onDidDispose(() => {
        onDispose();
        this.store.dispose();
      }),
    );
  }

  whenRendered(timeoutMs: number): Promise<RenderedSummary> {
    if (this.shown.rendered) return Promise.resolve(this.shown.rendered);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        listener.dispose();
        reject(new Error(`the results page did not render within ${timeoutMs} ms (it sent: ${this.shown.received.join(', ') || 'nothing'})`));
      }, timeoutMs);
      const listener = this.renderedEmitter.event((summary) => {
        clearTimeout(timer);
        listener.dispose();
        resolve(summary);
      });
    });
  }

  async receive(message: ResultsToHost): Promise<void> {
    if (!message || typeof message !== 'object' || typeof message.type !== 'string') return;
    this.shown.received.push(message.type);
    if (this.shown.received.length > receivedLimit) this.shown.received.shift();
    const { server, tool, result } = this.call;
    try {
      switch (message.type) {
        case 'ready':
          await this.post({ type: 'show', data: this.data });
          return;
        case 'rendered':
          this.shown.rendered = message.summary;
          this.renderedEmitter.fire(message.summary);
          return;
        case 'copy':
          await vscode.env.clipboard.writeText(message.what === 'json' ? JSON.stringify(result, null, 2) : resultText(result));
          vscode.window.setStatusBarMessage(message.what === 'json' ? 'Copied the result as JSON' : 'Copied the result text', 3000);
          return;
        case 'openLink':
          await this.openLink(String(message.url));
          return;
        case 'openResource': {
          const uri = String(message.uri);
          // Only a resource this result links to: the page asks for nothing else.
          if (!this.data.items.some((item) => item.kind === 'resource-link' && item.uri === uri)) return;
          await vscode.commands.executeCommand('mcpSessions.readResource', { server, uri });
          return;
        }
        case 'saveBlob':
          await this.saveBlob(Number(message.index));
          return;
        case 'openMedia': {
          const content = result.content?.[Number(message.index)];
          if (content && (content.type === 'image' || content.type === 'audio')) await this.documents.openBinary(server, tool, content);
          return;
        }
        case 'openAsText':
          await this.documents.showToolResult(server, tool, result);
          return;
      }
    } catch (e) {
      this.log.warn(`The results view of "${tool}" on "${server}" could not ${message.type}: ${e instanceof Error ? e.message : String(e)}`);
      void showMessage('error', `The result of "${tool}" on "${server}" could not be used (${message.type}): ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private post(message: ResultsToWebview): Thenable<boolean> {
    return this.panel.webview.postMessage(message);
  }

  /** Web and mail links only, and only after the user says so: a server wrote them. */
  private async openLink(url: string): Promise<void> {
    const { server, tool } = this.call;
    if (!isAllowedLink(url)) {
      this.log.warn(`The results view of "${tool}" on "${server}" refused to open a link that is not http, https or mailto`);
      return;
    }
    const choice = await showMessage('information', `The result of "${tool}" from "${server}" links to ${url}. Open it?`, 'Open Link');
    if (choice === 'Open Link') await vscode.env.openExternal(vscode.Uri.parse(url.trim()));
  }

  private async saveBlob(index: number): Promise<void> {
    const content = this.call.result.content?.[index];
    if (content?.type !== 'resource') return;
    const resource = content.resource as { uri?: string; blob?: unknown };
    if (typeof resource.blob !== 'string') return;
    const name = (resource.uri ?? '').split(/[/\\]/).pop()?.replace(/[^\w.-]+/g, '_') || 'resource.bin';
    const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir()), name), title: `Save ${name}` });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(resource.blob, 'base64'));
  }

  dispose(): void {
    this.panel.dispose();
  }
}

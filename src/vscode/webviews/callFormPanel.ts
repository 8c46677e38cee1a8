// The call form's host side: one webview panel per server and tool (opening it again reveals it),
// its page in src/webviews/callForm.ts. A submit from the page is checked again here against the
// tool's inputSchema (the page is never trusted) and refused at the fields when invalid; a valid
// one is called through ServerService with the page's Cancel as its AbortSignal and the server's
// progress streamed to the page; the result opens where every tool result opens (showResult).

import * as vscode from 'vscode';
import type { CallToolResult, Tool } from '../../core/api';
import { labelText } from '../../core/displayText';
import { isMcpSessionError } from '../../core/errors';
import type { Disposable } from '../../core/lifecycle';
import type { Logger } from '../../core/logger';
import type { SecretRedactor } from '../../core/redact';
import type { CallFormHostMessage, CallFormPageMessage } from '../../webviews/shared/callFormMessages';
import { argumentValidator, type ArgumentValidator, type FieldError } from '../../webviews/shared/schemaForm/validation';
import type { ResultDocuments } from '../results';
import type { ServerService } from '../servers';
import { webviewHtml, webviewOptions } from './html';

export const callFormViewType = 'mcpSessions.callForm';
/** Characters of a result's text shown in the form under "Done". */
const summaryLimit = 2_000;

export type CallFormOutcome =
  | { status: 'invalid'; errors: FieldError[] }
  | { status: 'done'; result: CallToolResult; isError: boolean }
  | { status: 'failed'; message: string }
  | { status: 'cancelled' }
  | { status: 'busy' };

export interface CallFormDependencies {
  readonly extensionUri: vscode.Uri;
  readonly servers: Pick<ServerService, 'callTool'>;
  readonly results: Pick<ResultDocuments, 'showToolResult'>;
  readonly redactor: SecretRedactor;
  readonly log: Logger;
}

export class CallFormPanels implements Disposable {
  private readonly forms = new Map<string, CallForm>();

  constructor(private readonly deps: CallFormDependencies) {}

  /** Opens (or reveals) the form of `tool` on `server`; `args` replace what it shows. */
  open(server: string, tool: Tool, args?: Record<string, unknown>): CallForm {
    const key = JSON.stringify([server, tool.name]);
    let form = this.forms.get(key);
    if (!form) {
      form = new CallForm(server, tool, this.deps, () => this.forms.delete(key));
      this.forms.set(key, form);
    }
    form.show(tool, args);
    return form;
  }

  /** The open form of `tool` on `server`. */
  get(server: string, tool: string): CallForm | undefined {
    return this.forms.get(JSON.stringify([server, tool]));
  }

  dispose(): void {
    for (const form of [...this.forms.values()]) form.dispose();
    this.forms.clear();
  }
}

export class CallForm implements Disposable {
  private readonly panel: vscode.WebviewPanel;
  private tool: Tool;
  private validator: ArgumentValidator;
  private shownArguments: Record<string, unknown> | undefined;
  /** Bumped whenever the extension sets the arguments, so the page drops the ones it saved. */
  private argumentsVersion = 0;
  private call: AbortController | undefined;
  private disposed = false;

  constructor(
    readonly server: string,
    tool: Tool,
    private readonly deps: CallFormDependencies,
    private readonly onDispose: () => void,
  ) {
    this.tool = tool;
    this.validator = argumentValidator(tool.inputSchema);
    const title = this.title();
    this.panel = vscode.window.createWebviewPanel(callFormViewType, title, vscode.ViewColumn.Active, webviewOptions(deps.extensionUri));
    this.panel.webview.html = webviewHtml(this.panel.webview, deps.extensionUri, 'callForm', title);
    this.panel.webview.onDidReceiveMessage((message: CallFormPageMessage) => this.onMessage(message));
    this.panel.onDidDispose(() => this.dispose());
  }

  get toolName(): string {
    return this.tool.name;
  }

  get visible(): boolean {
    return !this.disposed && this.panel.visible;
  }

  show(tool: Tool, args: Record<string, unknown> | undefined): void {
    this.tool = tool;
    this.validator = argumentValidator(tool.inputSchema);
    if (args !== undefined) {
      this.shownArguments = args;
      this.argumentsVersion++;
      this.post(this.initMessage());
    }
    this.panel.reveal();
  }

  /**
   * What the page's Call does: checks `args` against the tool's inputSchema and sends nothing
   * when they are invalid; else calls the tool, streaming its progress to the page, and opens
   * the result. Cancel on the page aborts it.
   */
  async submit(args: unknown): Promise<CallFormOutcome> {
    if (this.call) return { status: 'busy' };
    const errors = isArgumentObject(args) ? this.validator(args) : [{ pointer: '', message: 'The arguments must be a JSON object.' }];
    if (errors.length > 0) {
      this.deps.log.info(`Call of "${this.tool.name}" on "${this.server}" refused before sending: ${errors.length} invalid argument(s)`);
      this.post({ type: 'invalid', errors: this.deps.redactor.redactDeep(errors) });
      return { status: 'invalid', errors };
    }
    const call = new AbortController();
    this.call = call;
    this.post({ type: 'running' });
    const started = Date.now();
    try {
      const result = await this.deps.servers.callTool(
        this.server,
        this.tool.name,
        args as Record<string, unknown>,
        {
          signal: call.signal,
          onProgress: (p) => {
            const counter = p.total ? `${p.progress}/${p.total}` : `${p.progress}`;
            this.post({ type: 'progress', text: this.deps.redactor.redact(p.message ? `${p.message} (${counter})` : counter) });
          },
        },
        true,
      );
      await this.finish(result, false, Date.now() - started);
      return { status: 'done', result, isError: false };
    } catch (e) {
      if (isMcpSessionError(e, 'tool-error') && e.details.result) {
        const result = e.details.result as CallToolResult;
        await this.finish(result, true, Date.now() - started);
        return { status: 'done', result, isError: true };
      }
      if (isMcpSessionError(e, 'cancelled') || call.signal.aborted) {
        this.post({ type: 'cancelled' });
        return { status: 'cancelled' };
      }
      const message = this.deps.redactor.redact(e instanceof Error ? e.message : String(e));
      this.post({ type: 'failed', message });
      return { status: 'failed', message };
    } finally {
      this.call = undefined;
    }
  }

  /** What the page's Cancel does. */
  cancel(): void {
    this.call?.abort(new Error('cancelled from the call form'));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // Closing the form cancels its call: nothing is left to show the outcome in.
    this.cancel();
    this.onDispose();
    this.panel.dispose();
  }

  private async finish(result: CallToolResult, isError: boolean, durationMs: number): Promise<void> {
    this.post({ type: 'done', isError, summary: this.summary(result), durationMs });
    await this.showResult(result);
  }

  /** The one place a result leaves the form: where every tool result opens. */
  private showResult(result: CallToolResult): Promise<unknown> {
    return this.deps.results.showToolResult(this.server, this.tool.name, result);
  }

  private summary(result: CallToolResult): string {
    const texts = (result.content ?? []).flatMap((c) => (c.type === 'text' ? [c.text] : []));
    const text = texts.length > 0 ? texts.join('\n') : result.structuredContent !== undefined ? JSON.stringify(result.structuredContent, null, 2) : `${result.content?.length ?? 0} content item(s)`;
    const redacted = this.deps.redactor.redact(text);
    return redacted.length > summaryLimit ? `${redacted.slice(0, summaryLimit)}…` : redacted;
  }

  private onMessage(message: CallFormPageMessage): void {
    switch (message?.type) {
      case 'ready':
        this.post(this.initMessage());
        break;
      case 'submit':
        void this.submit(message.arguments);
        break;
      case 'cancel':
        this.cancel();
        break;
    }
  }

  private initMessage(): CallFormHostMessage {
    const tool = this.deps.redactor.redactDeep(this.tool);
    return {
      type: 'init',
      server: this.server,
      tool: tool.name,
      title: tool.title ?? tool.annotations?.title,
      description: tool.description,
      schema: tool.inputSchema,
      arguments: this.shownArguments,
      argumentsVersion: this.argumentsVersion,
    };
  }

  private title(): string {
    return labelText(this.deps.redactor.redact(`${this.tool.name} — ${this.server}`), 60);
  }

  private post(message: CallFormHostMessage): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }
}

function isArgumentObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

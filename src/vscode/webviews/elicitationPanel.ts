// Form-mode elicitation: one webview panel per request, its page in src/webviews/elicitation.ts.
// The panel names the server that asks and shows its message and a form of its requestedSchema
// (the shared schema form, src/webviews/shared/schemaForm), filled with the schema's defaults. Accept is checked again here against the schema (the page
// is never trusted) and refused at the fields when invalid; Decline and Cancel answer at once;
// Escape on the page and closing the panel cancel. When the request ends first (the server
// cancelled it, the call ended, the connection closed), the panel closes.

import type { ElicitResult } from '@modelcontextprotocol/client';
import * as vscode from 'vscode';
import { labelText, stripInvisible } from '../../core/displayText';
import type { Disposable } from '../../core/lifecycle';
import type { Logger } from '../../core/logger';
import type { SecretRedactor } from '../../core/redact';
import type { ElicitationHostMessage, ElicitationPageMessage } from '../../webviews/shared/elicitationMessages';
import { argumentValidator, type ArgumentValidator, type FieldError } from '../../webviews/shared/schemaForm/validation';
import type { FormElicitParams } from '../clientRequests/policy';
import { webviewHtml, webviewOptions } from './html';

export const elicitationViewType = 'mcpSessions.elicitation';
let requests = 0;

export interface ElicitationDependencies {
  readonly extensionUri: vscode.Uri;
  readonly redactor: SecretRedactor;
  readonly log: Logger;
}

export class ElicitationPanels implements Disposable {
  private readonly panels = new Set<ElicitationPanel>();

  constructor(private readonly deps: ElicitationDependencies) {}

  /** Shows the form and resolves with the user's answer. */
  ask(server: string, params: FormElicitParams, signal?: AbortSignal): Promise<ElicitResult> {
    const panel = new ElicitationPanel(server, params, this.deps, () => this.panels.delete(panel));
    this.panels.add(panel);
    if (signal?.aborted) panel.close('the request ended');
    else signal?.addEventListener('abort', () => panel.close('the request ended'), { once: true });
    return panel.answer;
  }

  /** The open forms, oldest first (tests answer them). */
  get open(): readonly ElicitationPanel[] {
    return [...this.panels];
  }

  dispose(): void {
    for (const panel of [...this.panels]) panel.close('the extension is shutting down');
  }
}

export class ElicitationPanel {
  readonly answer: Promise<ElicitResult>;
  private settle!: (result: ElicitResult) => void;
  private readonly panel: vscode.WebviewPanel;
  private readonly validator: ArgumentValidator;
  private readonly request = ++requests;
  private settled = false;

  constructor(
    readonly server: string,
    readonly params: FormElicitParams,
    private readonly deps: ElicitationDependencies,
    private readonly onClose: () => void,
  ) {
    this.answer = new Promise((resolve) => (this.settle = resolve));
    this.validator = argumentValidator(params.requestedSchema);
    const title = labelText(`Input for ${server}`, 60);
    this.panel = vscode.window.createWebviewPanel(elicitationViewType, title, vscode.ViewColumn.Active, webviewOptions(deps.extensionUri));
    this.panel.webview.html = webviewHtml(this.panel.webview, deps.extensionUri, 'elicitation', title);
    this.panel.webview.onDidReceiveMessage((message: ElicitationPageMessage) => this.receive(message));
    // Closing the panel is the user's cancel.
    this.panel.onDidDispose(() => this.finish({ action: 'cancel' }, 'the panel was closed'));
  }

  /** What the page sent; tests send the page's messages through here too. Returns the errors of a refused accept. */
  receive(message: ElicitationPageMessage): FieldError[] {
    switch (message?.type) {
      case 'ready':
        this.post(this.initMessage());
        return [];
      case 'accept': {
        const content = message.content;
        const errors = content !== null && typeof content === 'object' && !Array.isArray(content) ? this.validator(content) : [{ pointer: '', message: 'The answer must be an object.' }];
        if (errors.length > 0) {
          this.deps.log.info(`Input for "${this.server}" refused before answering: ${errors.length} invalid field(s)`);
          this.post({ type: 'invalid', errors: this.deps.redactor.redactDeep(errors) });
          return errors;
        }
        this.finish({ action: 'accept', content: content as ElicitResult['content'] }, 'accepted');
        return [];
      }
      case 'decline':
        this.finish({ action: 'decline' }, 'declined');
        return [];
      case 'cancel':
        this.finish({ action: 'cancel' }, 'cancelled');
        return [];
      default:
        return [];
    }
  }

  get visible(): boolean {
    return !this.settled && this.panel.visible;
  }

  /** Closes the panel, as its close button does (the answer is cancel). */
  closePanel(): void {
    this.panel.dispose();
  }

  /** Ends the request without an answer from the page: the panel closes, the answer is cancel. */
  close(why: string): void {
    this.finish({ action: 'cancel' }, why);
  }

  private finish(result: ElicitResult, why: string): void {
    if (this.settled) return;
    this.settled = true;
    this.deps.log.debug(`Input form for "${this.server}" closed: ${why}`);
    this.settle(result);
    this.onClose();
    this.panel.dispose();
  }

  private initMessage(): ElicitationHostMessage {
    return {
      type: 'init',
      request: this.request,
      server: labelText(this.server, 200),
      message: stripInvisible(this.deps.redactor.redact(this.params.message)),
      schema: this.deps.redactor.redactDeep(this.params.requestedSchema),
    };
  }

  private post(message: ElicitationHostMessage): void {
    if (!this.settled) void this.panel.webview.postMessage(message);
  }
}

// The extension's answers to what servers ask of the client (the core's ClientRequestHandlers),
// the same for 2025 server→client requests and 2026-07-28 `input_required` rounds:
//
// - roots: the workspace folders (file URIs, named as the folders); watchWorkspaceRoots tells the
//   running 2025 servers when they change.
// - elicitation, form mode: a webview form of `requestedSchema` (elicitationPanel.ts); Accept,
//   Decline, Cancel (Escape, or closing the panel, cancels).
// - elicitation, URL mode: a modal that names the server and the page's host asks first; only
//   https addresses without credentials are opened, with vscode.env.openExternal.
// - sampling: off unless the user setting `mcpSessions.sampling.enabled` is on (application scope:
//   a workspace cannot turn it on); then each request is shown in a modal (server, model, max
//   tokens, system prompt, messages) and sent to the vscode.lm model only when approved.
//
// Every prompt names the server that asks; the modals escape it (messages.ts).

import * as vscode from 'vscode';
import type { ClientRequestHandlers } from '../../core/clientRequests';
import type { ElicitResult, ListRootsResult } from '@modelcontextprotocol/client';
import { labelText } from '../../core/displayText';
import type { Disposable } from '../../core/lifecycle';
import type { Logger } from '../../core/logger';
import { askModal, showMessage } from '../messages';
import type { ElicitationPanels } from '../webviews/elicitationPanel';
import { answerSampling, samplingText, urlConsentPrompt, urlElicitationVerdict, type ElicitParams, type SamplingParams, type UrlElicitParams } from './policy';

const section = 'mcpSessions';
export const samplingEnabledKey = 'sampling.enabled';

/** A modal question as asked: its escaped text and detail, the actions offered. Tests answer these. */
export interface ClientPrompt {
  server: string;
  kind: 'open-url' | 'sampling';
  text: string;
  detail: string;
  actions: string[];
}

/** Sampling only when the user's own settings say so: the workspace value is never read. */
function samplingEnabled(): boolean {
  return vscode.workspace.getConfiguration(section).inspect<unknown>(samplingEnabledKey)?.globalValue === true;
}

export class ClientRequestsUi implements ClientRequestHandlers {
  readonly capabilities = { elicitation: { form: { applyDefaults: true }, url: {} }, roots: { listChanged: true }, sampling: {} };
  /** Set by tests: answers the modals instead of VS Code (which refuses modal dialogs in test runs). */
  promptOverride: ((prompt: ClientPrompt) => string | undefined) | undefined;
  /** Set by tests: receives the pages to open instead of the browser; true when "opened". */
  openOverride: ((url: string) => boolean) | undefined;

  constructor(
    private readonly forms: ElicitationPanels,
    private readonly log: Logger,
  ) {}

  // Arrow properties: the core takes the handlers out of this object.
  listRoots = async (server: string): Promise<ListRootsResult> => {
    const roots = workspaceRoots();
    this.log.info(`Gave "${server}" the workspace folders as roots (${roots.length})`);
    return { roots };
  };

  elicit = async (server: string, params: ElicitParams, signal?: AbortSignal): Promise<ElicitResult> => {
    if (params.mode === 'url') return this.openUrl(server, params);
    this.log.info(`"${server}" asks for input (elicitation form)`);
    const result = await this.forms.ask(server, params, signal);
    this.log.info(`"${server}" input: ${result.action}`);
    return result;
  };

  createMessage = (server: string, params: SamplingParams, signal?: AbortSignal) =>
    answerSampling(
      server,
      params,
      {
        enabled: samplingEnabled,
        models: async () => (await vscode.lm?.selectChatModels?.()) ?? [],
        approve: async (prompt) => {
          const send = 'Send';
          return (await this.ask({ server, kind: 'sampling', ...prompt, actions: [send] })) === send;
        },
        send: (model, request, abort) => sendToModel(model, request, abort),
      },
      signal,
    ).then(
      (result) => {
        this.log.info(`Sampling for "${server}" answered by ${result.model}`);
        return result;
      },
      (error: Error) => {
        this.log.info(`Sampling for "${server}": ${error.message}`);
        throw error;
      },
    );

  private async openUrl(server: string, params: UrlElicitParams): Promise<ElicitResult> {
    const verdict = urlElicitationVerdict(server, params.url);
    if (!verdict.ok) {
      this.log.warn(verdict.reason);
      void showMessage('warning', verdict.reason);
      throw new Error(verdict.reason);
    }
    const open = 'Open Page';
    const choice = await this.ask({ server, kind: 'open-url', ...urlConsentPrompt(server, params, verdict.host), actions: [open] });
    if (choice !== open) {
      this.log.info(`"${server}" asked to open a page on ${verdict.host}: declined`);
      return { action: 'decline' };
    }
    const opened = await this.openPage(verdict.url);
    this.log.info(`"${server}" asked to open a page on ${verdict.host}: ${opened ? 'opened' : 'the editor did not open it'}`);
    return { action: opened ? 'accept' : 'cancel' };
  }

  /** Opens the page, or hands it to the test's browser. */
  private openPage(url: string): Thenable<boolean> {
    if (this.openOverride) return Promise.resolve(this.openOverride(url));
    // Given as the string it is, as oauthSignIn.ts does: a vscode.Uri would decode and re-encode the query.
    return vscode.env.openExternal(url as unknown as vscode.Uri);
  }

  /** A modal, or the test's answer. The prompt is recorded as shown (escaped) either way. */
  private async ask(prompt: ClientPrompt): Promise<string | undefined> {
    const shown: ClientPrompt = { ...prompt, server: labelText(prompt.server, 200) };
    if (this.promptOverride) return this.promptOverride(shown);
    return askModal(shown.text, shown.detail, ...shown.actions);
  }
}

/** The workspace folders on disk, as MCP roots. Virtual folders (no file: URI) are left out. */
function workspaceRoots(): ListRootsResult['roots'] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => ({ uri: f.uri.toString(), name: f.name }));
}

/** Tells the running 2025 servers when the workspace folders change. */
export function watchWorkspaceRoots(registry: { notifyRootsChanged(): Promise<string[]> }, log: Logger): Disposable {
  return vscode.workspace.onDidChangeWorkspaceFolders(() => {
    void registry.notifyRootsChanged().then((told) => {
      if (told.length) log.info(`Workspace folders changed: told ${told.map((s) => `"${s}"`).join(', ')}`);
    });
  });
}

async function sendToModel(model: vscode.LanguageModelChat, params: SamplingParams, signal: AbortSignal | undefined): Promise<string> {
  // vscode.lm has no system role: the system prompt goes first, as a user message.
  const messages = [
    ...(params.systemPrompt ? [vscode.LanguageModelChatMessage.User(params.systemPrompt)] : []),
    ...params.messages.map((m) =>
      m.role === 'assistant' ? vscode.LanguageModelChatMessage.Assistant(samplingText(m.content)) : vscode.LanguageModelChatMessage.User(samplingText(m.content)),
    ),
  ];
  const cancellation = new vscode.CancellationTokenSource();
  const abort = () => cancellation.cancel();
  signal?.addEventListener('abort', abort, { once: true });
  try {
    const response = await model.sendRequest(messages, { justification: 'An MCP server asked for a completion (sampling) and you approved it.' }, cancellation.token);
    let text = '';
    for await (const chunk of response.text) text += chunk;
    return text;
  } finally {
    signal?.removeEventListener('abort', abort);
    cancellation.dispose();
  }
}

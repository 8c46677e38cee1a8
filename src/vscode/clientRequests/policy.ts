// The rules for what servers ask of the client, decided without `vscode` so they are unit-tested
// in plain Node: which page a URL-mode elicitation may open, what a sampling approval shows,
// which model answers. handlers.ts shows and sends what these return.
//
// Everything here that quotes a server (its name, its message, its URL's host, the messages it
// wants sampled) is text for a modal's message and detail, which messages.ts escapes line by line.

import type { CreateMessageRequest, ElicitRequest } from '@modelcontextprotocol/client';
import { labelText } from '../../core/displayText';

export type SamplingParams = CreateMessageRequest['params'];
export type ElicitParams = ElicitRequest['params'];
export type FormElicitParams = Extract<ElicitParams, { requestedSchema: unknown }>;
export type UrlElicitParams = Extract<ElicitParams, { mode: 'url' }>;

/** A page a URL-mode elicitation may open (https, no credentials in the address), or why not. */
export type UrlVerdict = { ok: true; url: string; host: string } | { ok: false; reason: string };

export function urlElicitationVerdict(server: string, address: string): UrlVerdict {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return { ok: false, reason: `"${server}" asked to open a page, but "${labelText(address, 200)}" is not a valid address; nothing was opened.` };
  }
  if (url.protocol !== 'https:') {
    return { ok: false, reason: `"${server}" asked to open a ${labelText(url.protocol.replace(/:$/, ''), 40)} address; only https pages are opened, so nothing was opened.` };
  }
  if (url.username || url.password) {
    // "https://bank.example@evil.example" reads as the bank and opens the other host.
    return { ok: false, reason: `"${server}" asked to open an address with a user name or password in it; such addresses are not opened.` };
  }
  // URL gives the host in ASCII (IDN as punycode), so look-alike letters show as xn--….
  return { ok: true, url: url.href, host: url.host };
}

/** The modal that asks before a URL-mode elicitation opens its page. */
export function urlConsentPrompt(server: string, params: UrlElicitParams, host: string): { text: string; detail: string } {
  return {
    text: `MCP server "${server}" asks you to open a page on ${host}.`,
    detail: [`Its message: ${params.message}`, '', `Address: ${params.url}`, '', `Open it only if you expect "${server}" to send you to ${host}.`].join('\n'),
  };
}

/** Longest part of one sampled message shown in the approval. */
const shownMessageChars = 600;
/** Longest approval detail; the rest is cut with a note. */
const shownDetailChars = 4000;

type SamplingContent = SamplingParams['messages'][number]['content'];

function contentBlocks(content: SamplingContent): readonly { type: string; text?: string; mimeType?: string }[] {
  return (Array.isArray(content) ? content : [content]) as { type: string; text?: string; mimeType?: string }[];
}

/** Why this sampling request cannot be answered here (only text messages, no tool use), or undefined. */
export function unsupportedSampling(server: string, params: SamplingParams): string | undefined {
  if (params.tools?.length || params.toolChoice) return `"${server}" asked for a model completion with tools; tool use in sampling is not supported, so it was declined.`;
  const other = params.messages.flatMap((m) => contentBlocks(m.content)).find((block) => block.type !== 'text');
  if (other) return `"${server}" asked for a model completion of ${other.type} content; only text can be sent to a model here, so it was declined.`;
  return undefined;
}

/** The text of the messages, as the model gets them. */
export function samplingText(content: SamplingContent): string {
  return contentBlocks(content)
    .map((block) => block.text ?? '')
    .join('\n');
}

/** What the approval shows before anything is sent: server, model, max tokens, system prompt and every message. */
export function samplingApprovalPrompt(server: string, model: string, params: SamplingParams): { text: string; detail: string } {
  const lines = [`Model: ${model}`, `Max tokens: ${params.maxTokens}`];
  if (params.systemPrompt) lines.push(`System prompt: ${quoted(params.systemPrompt)}`);
  lines.push('', `Messages (${params.messages.length}):`);
  for (const message of params.messages) lines.push(`${message.role}: ${quoted(samplingText(message.content))}`);
  let detail = lines.join('\n');
  if (detail.length > shownDetailChars) detail = `${detail.slice(0, shownDetailChars)}\n… (cut: the request is longer than shown)`;
  return { text: `MCP server "${server}" asks to use a language model (sampling). Send this request to ${model}?`, detail };
}

/** A server's text in the approval: cut, and its later lines indented, so it cannot pass for a line of ours ("Max tokens: …"). */
function quoted(text: string): string {
  const cut = text.length > shownMessageChars ? `${text.slice(0, shownMessageChars - 1)}…` : text;
  return cut.replace(/\r\n|\r|\n/g, '\n    ');
}

export interface ChatModelInfo {
  id: string;
  name: string;
  family: string;
  vendor: string;
}

/** The model the server's hints name (by id, family or name, in the hints' order), else the first. */
export function pickModel<M extends ChatModelInfo>(models: readonly M[], params: SamplingParams): M | undefined {
  for (const hint of params.modelPreferences?.hints ?? []) {
    const wanted = hint.name?.toLowerCase();
    if (!wanted) continue;
    const match = models.find((m) => [m.id, m.family, m.name].some((v) => v.toLowerCase().includes(wanted)));
    if (match) return match;
  }
  return models[0];
}

/** Messages for the decline of a sampling request, by why. */
export const samplingDeclined = {
  disabled: (server: string) =>
    `"${server}" asked for a model completion (sampling), which is off. Turn on the mcpSessions.sampling.enabled user setting to be asked each time.`,
  noModel: (server: string) => `"${server}" asked for a model completion (sampling), but no language model is available in this editor.`,
  refused: (server: string) => `"${server}" asked for a model completion (sampling); the user declined it.`,
};

/** What answering a sampling request needs from the editor (handlers.ts gives vscode.lm and a modal). */
export interface SamplingHost<M extends ChatModelInfo> {
  /** The user setting, read when the request arrives. */
  enabled(): boolean;
  /** The language models available now; none when the editor has no vscode.lm or no model. */
  models(): Promise<readonly M[]>;
  /** Shows the request and resolves true only when the user approves it. */
  approve(prompt: { text: string; detail: string }): Promise<boolean>;
  /** Sends the approved request to the model; resolves with its text. */
  send(model: M, params: SamplingParams, signal: AbortSignal | undefined): Promise<string>;
}

/**
 * Answers `sampling/createMessage`: off unless enabled, declined without a model or for content
 * that cannot be sent, and never sent before the user approved this very request. A decline
 * throws with a message that names the server and why.
 */
export async function answerSampling<M extends ChatModelInfo>(
  server: string,
  params: SamplingParams,
  host: SamplingHost<M>,
  signal?: AbortSignal,
): Promise<{ role: 'assistant'; model: string; content: { type: 'text'; text: string }; stopReason: 'endTurn' }> {
  if (!host.enabled()) throw new Error(samplingDeclined.disabled(server));
  const unsupported = unsupportedSampling(server, params);
  if (unsupported) throw new Error(unsupported);
  const model = pickModel(await host.models(), params);
  if (!model) throw new Error(samplingDeclined.noModel(server));
  if (!(await host.approve(samplingApprovalPrompt(server, `${model.name} (${model.vendor})`, params)))) throw new Error(samplingDeclined.refused(server));
  const text = await host.send(model, params, signal);
  return { role: 'assistant', model: model.id, content: { type: 'text', text }, stopReason: 'endTurn' };
}

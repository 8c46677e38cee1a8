// Asking for the arguments of a prompt or a resource template, one step per argument. Each
// step is a quick pick whose items are the server's suggestions (`completion/complete`) for
// what has been typed so far, asked again as the user types (debounced; a late answer for an
// older value is dropped), with the typed text itself as the first item, so any value can be
// given. A server that offers no completions gets the same steps with the typed text only.

import * as vscode from 'vscode';
import type { CompletionReference, Prompt, ResourceTemplate } from '../core/api';
import { UriTemplate } from '@modelcontextprotocol/client';
import { iconLabelText } from '../core/displayText';
import { errorMessage } from '../core/errors';
import type { ServerService } from './servers';

/** Pause after a keystroke before the server is asked for suggestions. */
const completionDebounceMs = 150;
/** Suggestions that take longer are given up: the typed text can always be used. */
const completionTimeoutMs = 5000;

/** Suggestions for `value`; the signal aborts when they are no longer wanted. */
export type CompletionSource = (value: string, signal: AbortSignal) => Promise<string[]>;

/** How the server's suggestions for one argument are asked, given the arguments already chosen. */
export function completionSource(servers: ServerService, server: string, ref: CompletionReference, argument: string, context: Record<string, string>): CompletionSource {
  return async (value, signal) => (await servers.complete(server, ref, { name: argument, value }, context, { signal, timeoutMs: completionTimeoutMs })).values;
}

interface ArgumentStep {
  title: string;
  step: number;
  totalSteps: number;
  /** The argument's description, from the server. */
  description?: string;
  required: boolean;
  complete: CompletionSource;
}

type ValueItem = vscode.QuickPickItem & { value: string };

/** One argument: the chosen or typed value, or undefined when the user cancelled. */
export async function askArgument(question: ArgumentStep): Promise<string | undefined> {
  const quickPick = vscode.window.createQuickPick<ValueItem>();
  quickPick.title = iconLabelText(question.title);
  quickPick.step = question.step;
  quickPick.totalSteps = question.totalSteps;
  quickPick.ignoreFocusOut = true;
  const hint = question.required ? 'required' : 'optional: press Enter to leave it out';
  quickPick.placeholder = iconLabelText(question.description ? `${question.description} (${hint})` : `Type a value (${hint})`);
  let suggestions: string[] = [];
  let asked = 0;
  let pending: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  const showItems = () => {
    const typed = quickPick.value;
    const items: ValueItem[] = suggestions.map((value) => ({ label: iconLabelText(value), value, alwaysShow: true }));
    if (typed !== '' && !suggestions.includes(typed)) items.unshift({ label: iconLabelText(typed), description: 'the value as typed', value: typed, alwaysShow: true });
    quickPick.items = items;
  };
  const ask = () => {
    pending?.abort();
    const controller = (pending = new AbortController());
    const turn = ++asked;
    quickPick.busy = true;
    question.complete(quickPick.value, controller.signal).then(
      (values) => {
        if (turn !== asked) return;
        suggestions = values;
        quickPick.busy = false;
        showItems();
      },
      (e) => {
        if (turn !== asked) return;
        suggestions = [];
        quickPick.busy = false;
        quickPick.placeholder = iconLabelText(`No suggestions: ${errorMessage(e)}`);
        showItems();
      },
    );
  };
  try {
    return await new Promise<string | undefined>((resolve) => {
      quickPick.onDidChangeValue(() => {
        showItems();
        clearTimeout(timer);
        timer = setTimeout(ask, completionDebounceMs);
      });
      quickPick.onDidAccept(() => {
        // Enter before anything is shown or typed is ambiguous: it waits for the suggestions (bounded by their timeout).
        if (quickPick.busy && quickPick.value === '' && quickPick.selectedItems.length === 0) return;
        const value = quickPick.selectedItems[0]?.value ?? quickPick.value;
        if (value === '' && question.required) {
          quickPick.placeholder = 'A value is required';
          return;
        }
        resolve(value);
        quickPick.hide();
      });
      quickPick.onDidHide(() => resolve(undefined));
      quickPick.show();
      ask();
    });
  } finally {
    clearTimeout(timer);
    pending?.abort();
    quickPick.dispose();
  }
}

/** The arguments of a prompt, asked one after another; undefined when the user cancelled. */
export async function askPromptArguments(servers: ServerService, server: string, prompt: Prompt): Promise<Record<string, string> | undefined> {
  const args: Record<string, string> = {};
  const list = prompt.arguments ?? [];
  for (const [index, argument] of list.entries()) {
    const value = await askArgument({
      title: `Prompt "${prompt.name}" of "${server}": ${argument.name}`,
      step: index + 1,
      totalSteps: list.length,
      description: argument.description,
      required: argument.required === true,
      complete: completionSource(servers, server, { type: 'ref/prompt', name: prompt.name }, argument.name, { ...args }),
    });
    if (value === undefined) return undefined;
    if (value !== '') args[argument.name] = value;
  }
  return args;
}

/** The URI a resource template makes from the values asked for its variables; undefined when cancelled. */
export async function askTemplateUri(servers: ServerService, server: string, template: ResourceTemplate): Promise<string | undefined> {
  const uriTemplate = new UriTemplate(template.uriTemplate);
  const names = uriTemplate.variableNames;
  const values: Record<string, string> = {};
  for (const [index, name] of names.entries()) {
    const value = await askArgument({
      title: `Resource "${template.name}" of "${server}": ${name}`,
      step: index + 1,
      totalSteps: names.length,
      description: template.description,
      required: true,
      complete: completionSource(servers, server, { type: 'ref/resource', uri: template.uriTemplate }, name, { ...values }),
    });
    if (value === undefined) return undefined;
    values[name] = value;
  }
  return uriTemplate.expand(values);
}

// The one way text reaches a notification, a modal dialog or a progress notification. VS Code
// renders `[label](command:…)` in them as a link that runs the command when clicked, so the
// whole text goes through notificationText: our own wording never holds a link, and the parts
// from servers and workspace files inside it lose theirs. scripts/lint.mjs keeps vscode.window's
// message and progress functions out of every other file.

import * as vscode from 'vscode';
import { notificationText } from '../core/displayText';
import { RingBuffer } from '../core/logger';
import { abortSignalOf } from './cancellation';

export type MessageSeverity = 'information' | 'warning' | 'error';

/** Every notification, dialog and progress text as passed to VS Code, newest last (for tests). */
const passedToVsCode = new RingBuffer<string>(200);

export function shownMessages(): string[] {
  return passedToVsCode.toArray();
}

function shown(text: string): string {
  const safe = notificationText(text);
  passedToVsCode.push(safe);
  return safe;
}

export function showMessage(severity: MessageSeverity, text: string, ...actions: string[]): Thenable<string | undefined> {
  const safe = shown(text);
  switch (severity) {
    case 'information':
      return vscode.window.showInformationMessage(safe, ...actions);
    case 'warning':
      return vscode.window.showWarningMessage(safe, ...actions);
    case 'error':
      return vscode.window.showErrorMessage(safe, ...actions);
  }
}

/**
 * A modal question. Resolves to the action chosen, or undefined when the dialog was dismissed
 * or the host refuses to show modal dialogs (VS Code running extension tests rejects them).
 * The detail keeps its line breaks; each line is escaped.
 */
export async function askModal(text: string, detail: string, ...actions: string[]): Promise<string | undefined> {
  try {
    const safeText = shown(text);
    const safeDetail = detail.split('\n').map((line) => notificationText(line)).join('\n');
    passedToVsCode.push(safeDetail);
    return await vscode.window.showWarningMessage(safeText, { modal: true, detail: safeDetail }, ...actions);
  } catch {
    return undefined;
  }
}

/** Asks before something is written that the user did not ask for in our own UI: true only when the user chose `action`. */
export async function confirmModal(text: string, detail: string, action: string): Promise<boolean> {
  return (await askModal(text, detail, action)) === action;
}

export type ReportProgress = (message: string, increment?: number) => void;

/**
 * A cancellable progress notification; `title` and every reported message are escaped. Cancel
 * aborts the task's signal.
 */
export function withProgressNotification<R>(title: string, task: (report: ReportProgress, signal: AbortSignal) => Thenable<R>): Thenable<R> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: shown(title), cancellable: true }, async (progress, token) => {
    const cancellation = abortSignalOf(token);
    try {
      return await task((message, increment) => progress.report({ message: shown(message), increment }), cancellation.signal);
    } finally {
      cancellation.dispose();
    }
  });
}

/** The busy indicator of a view: no text. */
export function withViewProgress<R>(viewId: string, task: () => Thenable<R>): Thenable<R> {
  return vscode.window.withProgress({ location: { viewId } }, task);
}

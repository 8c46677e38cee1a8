// The call history's commands: Show Call History (a quick pick, newest first, with Replay,
// Open in Form and Copy Arguments on each entry), Clear Call History (with Undo), and the
// per-entry actions of the Call History view. An entry is given as its id (from code) or as
// the view's element.

import * as vscode from 'vscode';
import type { CallToolResult } from '../../core/api';
import { formatArgumentPath, withValuesAt, type CallRecord } from '../../core/callHistory';
import { iconLabelText } from '../../core/displayText';
import { showMessage } from '../messages';
import { argumentsLine, callDescription } from '../callHistoryView';
import { callAndShow } from './callTool';
import { runForServer, type CommandContext, type CommandFactory } from './command';

/** The history entry a command is about: an id, or the Call History view's element. */
function entryFrom(ctx: CommandContext, arg: unknown): CallRecord | undefined {
  if (typeof arg === 'string') return ctx.history.get(arg);
  if (arg && typeof arg === 'object' && 'id' in arg && typeof arg.id === 'string') return ctx.history.get(arg.id);
  return undefined;
}

function missingEntry(arg: unknown): Error {
  return new Error(`No call ${typeof arg === 'string' ? `"${arg}" ` : ''}is in the call history any more. Open "MCP Sessions: Show Call History" to choose one`);
}

/**
 * The arguments to send again: the recorded ones, with each redacted value asked for again
 * (a password box per value, entered as text) or, from code, taken from `values` in order.
 */
async function replayArguments(entry: CallRecord, programmatic: boolean, values: unknown[] | undefined): Promise<Record<string, unknown> | undefined> {
  if (entry.argumentsOmitted) {
    throw new Error(`The arguments of this call of "${entry.tool}" on "${entry.server}" were too large to keep, so it cannot be replayed. Call the tool again with Call Tool…`);
  }
  if (entry.redacted.length === 0) return entry.arguments;
  if (programmatic) {
    if (values?.length !== entry.redacted.length) {
      throw new Error(`This call of "${entry.tool}" on "${entry.server}" had ${entry.redacted.length} redacted value(s) (${entry.redacted.map(formatArgumentPath).join(', ')}); pass them to replay it`);
    }
    return withValuesAt(entry.arguments, entry.redacted, values);
  }
  const answers: string[] = [];
  for (const [index, path] of entry.redacted.entries()) {
    const answer = await vscode.window.showInputBox({
      title: iconLabelText(`Replay "${entry.tool}" on "${entry.server}": ${formatArgumentPath(path)} (${index + 1}/${entry.redacted.length})`),
      prompt: 'This value was redacted in the call history. Enter it again to replay the call (as text), or press Escape to cancel.',
      password: true,
      ignoreFocusOut: true,
    });
    if (answer === undefined) return undefined;
    answers.push(answer);
  }
  return withValuesAt(entry.arguments, entry.redacted, answers);
}

/**
 * mcpSessions.replayCall(entry, values?) → CallToolResult | undefined
 *
 * Calls the tool again with the recorded arguments, asking first for any value that was
 * redacted. From code, `entry` is a history id and `values` the redacted values in order; it
 * resolves with the result and rejects on failure.
 */
export const replayCall: CommandFactory =
  (ctx) =>
  async (arg?: unknown, values?: unknown[]): Promise<CallToolResult | undefined> => {
    const programmatic = typeof arg === 'string';
    const entry = entryFrom(ctx, arg);
    if (!entry) {
      if (programmatic) throw missingEntry(arg);
      return undefined;
    }
    return runForServer(ctx, entry.server, programmatic, async () => {
      const args = await replayArguments(entry, programmatic, values);
      if (!args) return undefined;
      ctx.log.info(`Replaying a call of "${entry.tool}" on "${entry.server}" from the call history`);
      return callAndShow(ctx, entry.server, entry.tool, args, programmatic, !programmatic);
    });
  };

/** mcpSessions.openCallInForm(entry): the call form of the entry's tool, filled with its arguments (redacted values as they were stored). */
export const openCallInForm: CommandFactory = (ctx) => async (arg?: unknown) => {
  const entry = entryFrom(ctx, arg);
  if (!entry) throw missingEntry(arg);
  await vscode.commands.executeCommand('mcpSessions.openToolForm', { server: entry.server, tool: entry.tool, arguments: entry.arguments });
};

/** mcpSessions.copyCallArguments(entry): the arguments as JSON on the clipboard (redacted values as they were stored). */
export const copyCallArguments: CommandFactory = (ctx) => async (arg?: unknown) => {
  const entry = entryFrom(ctx, arg);
  if (!entry) throw missingEntry(arg);
  await vscode.env.clipboard.writeText(JSON.stringify(entry.arguments, null, 2));
  vscode.window.setStatusBarMessage(`Copied the arguments of "${entry.tool}"${entry.redacted.length > 0 ? ' (with redacted values)' : ''}`, 3000);
};

/** mcpSessions.clearCallHistory: empties the history of this workspace; the notification that follows offers Undo. */
export const clearCallHistory: CommandFactory = (ctx) => async () => {
  const cleared = [...ctx.history.list()];
  await ctx.history.clear();
  if (cleared.length === 0) return;
  ctx.log.info(`Cleared ${cleared.length} calls from the call history`);
  void showMessage('information', `Cleared ${cleared.length} call${cleared.length === 1 ? '' : 's'} from the MCP call history.`, 'Undo').then((choice) => {
    if (choice === 'Undo') void ctx.history.restore(cleared);
  });
};

type EntryItem = vscode.QuickPickItem & { entry: CallRecord };


/**
 * mcpSessions.showCallHistory: the calls of this workspace, newest first. Enter opens a call in
 * the form (to edit and run it); its buttons replay it, open it in the form, or copy its arguments.
 */
export const showCallHistory: CommandFactory = (ctx) => async () => {
  const entries = ctx.history.list();
  if (entries.length === 0) {
    void showMessage('information', 'No MCP tool calls have been made in this workspace yet.');
    return;
  }
  // Made here, not when the module loads: the extension loads before any vscode object is needed.
  const replayButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('debug-rerun'), tooltip: 'Replay' };
  const formButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('edit'), tooltip: 'Open in Form' };
  const copyButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('copy'), tooltip: 'Copy Arguments' };
  const quickPick = vscode.window.createQuickPick<EntryItem>();
  quickPick.title = 'MCP Call History';
  quickPick.placeholder = 'Choose a call to open it in the form; the buttons replay it or copy its arguments';
  quickPick.matchOnDescription = true;
  quickPick.matchOnDetail = true;
  quickPick.items = entries.map((entry) => ({
    label: iconLabelText(entry.tool),
    description: iconLabelText(callDescription(entry)),
    detail: iconLabelText(argumentsLine(entry)),
    buttons: [replayButton, formButton, copyButton],
    entry,
  }));
  const chosen = await new Promise<{ entry: CallRecord; action: vscode.QuickInputButton } | undefined>((resolve) => {
    quickPick.onDidAccept(() => resolve(quickPick.selectedItems[0] && { entry: quickPick.selectedItems[0].entry, action: formButton }));
    quickPick.onDidTriggerItemButton((e) => resolve({ entry: e.item.entry, action: e.button }));
    quickPick.onDidHide(() => resolve(undefined));
    quickPick.show();
  });
  quickPick.dispose();
  if (!chosen) return;
  const command = chosen.action === replayButton ? 'mcpSessions.replayCall' : chosen.action === formButton ? 'mcpSessions.openCallInForm' : 'mcpSessions.copyCallArguments';
  // The view's element, not the id: from the UI, failures are shown rather than thrown.
  await vscode.commands.executeCommand(command, chosen.entry);
};

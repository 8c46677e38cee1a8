// Commands are registered once, each through this helper, which always puts the
// registration on the extension's subscriptions. Availability comes from `when` clauses.
//
// Every command takes programmatic arguments (a server name first) so code and tests can
// drive it without quick picks. Failures of a command run from the UI are shown to the user;
// run from code, they reject (with secrets redacted) and show nothing.

import * as vscode from 'vscode';
import { isMcpSessionError } from '../../core/errors';
import type { ConfigurationService } from '../configuration';
import type { InputStore } from '../inputs';
import type { ExtensionLog, ServerLogChannels } from '../log';
import type { FailureNotifier } from '../notifier';
import type { OAuthService } from '../oauth';
import type { SecretRedactor } from '../../core/redact';
import type { ResourceDocuments } from '../resourceDocuments';
import type { CallHistory } from '../../core/callHistory';
import type { ToolPins, ToolSwitches } from '../../core/toolPreferences';
import type { ResultDocuments } from '../results';
import type { ServerService } from '../servers';
import type { ResultsPanels } from '../webviews/resultsPanel';
import type { CallFormPanels } from '../webviews/callFormPanel';

/** What commands use. Servers are reached through `servers` only (test/unit/layers.test.ts). */
export interface CommandContext {
  readonly servers: ServerService;
  readonly configuration: ConfigurationService;
  readonly inputs: InputStore;
  readonly results: ResultDocuments;
  /** The results view: one panel per tool call. */
  readonly resultsView: ResultsPanels;
  /** Resources as read-only `mcp-sessions-resource:` documents, refreshed while open. */
  readonly resources: ResourceDocuments;
  readonly notifier: FailureNotifier;
  readonly serverLogs: ServerLogChannels;
  readonly log: ExtensionLog;
  readonly redactor: SecretRedactor;
  /** Sign-in and sign-out of remote servers. */
  readonly oauth: OAuthService;
  /** The call forms (webviews), one per server and tool. */
  readonly callForms: CallFormPanels;
  /** Tool calls made so far in this workspace (ServerService records them). */
  readonly history: CallHistory;
  readonly toolSwitches: ToolSwitches;
  readonly toolPins: ToolPins;
}

// Command arguments come from menus, the palette, keybindings and other extensions, untyped;
// each command declares what it takes (`never[]` admits any signature, unlike `unknown[]`).
export type CommandFactory = (ctx: CommandContext) => (...args: never[]) => unknown;

export function registerCommands(ctx: CommandContext, commands: Record<string, CommandFactory>): vscode.Disposable {
  return vscode.Disposable.from(...Object.entries(commands).map(([id, factory]) => vscode.commands.registerCommand(id, factory(ctx))));
}

/** The server a command is about: a name, a Tool Explorer node, or undefined (ask). */
export function serverFromArgument(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && 'server' in arg && typeof arg.server === 'string') return arg.server;
  return undefined;
}

export function isProgrammatic(arg: unknown): boolean {
  return typeof arg === 'string';
}

/**
 * Runs a user's action on `server`. From the UI, a start it needs shows a cancellable progress,
 * a failure is shown (naming the server, with the actions that fit it) and the command resolves;
 * from code, it rejects. A cancellation is silent.
 */
export async function runForServer<T>(ctx: CommandContext, server: string, programmatic: boolean, action: () => Promise<T>): Promise<T | undefined> {
  try {
    // From the UI, a start the action needs shows as a cancellable progress; code gets no UI.
    return await ctx.notifier.duringUserAction(server, programmatic ? action : () => ctx.servers.withStartProgress(server, action));
  } catch (e) {
    if (programmatic) throw ctx.redactor.redactError(e);
    if (!isMcpSessionError(e, 'cancelled')) void ctx.notifier.userFailure(server, e);
    return undefined;
  }
}

// The API other extensions get from `vscode.extensions.getExtension(...).activate()`.
// It uses the same persistent sessions as the Tool Explorer and the commands.
//
//   const api = await vscode.extensions.getExtension<McpSessionsApi>('mcp-session-manager.mcp-session-manager')!.activate();
//   const result = await api.callTool('echo', 'echo', { text: 'hi' }, token);

import type * as vscode from 'vscode';
import type { CallToolResult, CompletionReference, ShutdownReport } from '../core/api';
import type { InputDefinition } from '../core/config';
import type { RenderedSummary, ResultsToHost } from '../core/resultView';
import type { ShownResult } from './webviews/resultsPanel';
import type { ElicitationPageMessage } from '../webviews/shared/elicitationMessages';
import type { ClientPrompt } from './clientRequests/handlers';

export type { CallToolResult };

export type McpServerState = 'running' | 'starting' | 'stopping' | 'stopped' | 'error' | 'untrusted' | 'needs-input' | 'needs-sign-in' | 'invalid';

export interface McpServerInfo {
  name: string;
  state: McpServerState;
  /** The error of a server in `error`, `needs-sign-in` or `invalid`; why a server in `untrusted` waits for workspace trust. */
  message?: string;
  /** Where it is configured, e.g. "workspace (.vscode/mcp.json)". */
  source: string;
  /** Process id of a running stdio server. */
  pid?: number;
  /** The MCP revision a running server speaks: `modern` is 2026-07-28 and later, `legacy` the 2025 `initialize` era. */
  protocol?: { era: 'modern' | 'legacy'; version: string };
  /** Tools of the running server, else of an earlier session (`toolsCached`), else none; never those disabled in this workspace. */
  tools: { name: string; description?: string; inputSchema: unknown }[];
  toolsCached: boolean;
}

export interface McpSessionsApi {
  /** Every configured server, in configuration order. */
  listServers(): McpServerInfo[];
  /** Fired when servers are added or removed, change state, or list new tools. */
  readonly onDidChangeServers: vscode.Event<void>;
  /**
   * Calls a tool, starting the server on first use. Rejects with an Error whose `code` is
   * one of the core's McpErrorCode values (`tool-error` for an isError result, `tool-disabled`
   * for a tool switched off in this workspace, which is never sent) and whose
   * message names the server. Cancelling `token` cancels the call on the server. A call never
   * signs in to a server: one that needs an OAuth sign-in rejects with `needs-sign-in` and
   * waits (state `needs-sign-in`) until the user signs in with "Sign In to Server…".
   */
  callTool(server: string, tool: string, args?: Record<string, unknown>, token?: vscode.CancellationToken): Promise<CallToolResult>;
  /** Present only when the extension runs in development or test mode. */
  readonly testing?: TestingApi;
}

/** What the integration tests need beyond the public API. Not available in production. */
export interface TestingApi {
  /** Resolves when the configuration has been (re)loaded and reconciled. */
  reloadConfiguration(): Promise<void>;
  /** The Tool Explorer, rendered: [sources →] servers and their children as TreeItems, tooltips as shown on hover. */
  renderTree(): Promise<RenderedNode[]>;
  /** What the argument pickers of Get Prompt… and resource templates suggest for `value` (the server's `completion/complete`). */
  argumentCompletions(server: string, ref: CompletionReference, argument: string, value: string, context?: Record<string, string>): Promise<string[]>;
  /** The Call History view, rendered: one node per call, newest first. */
  renderCallHistory(): Promise<RenderedNode[]>;
  /** The stored call history (redacted), newest first. */
  callHistory(): import('../core/callHistory').CallRecord[];
  /** The items of Call Tool…'s tool pick for `server`, in order, from the tools listed so far. */
  toolPickItems(server: string): { label: string; description?: string }[];
  /** Reveals a server in the Tool Explorer and expands it (TreeView.reveal); with `expand: false`, selects and focuses it instead. */
  revealServer(server: string, options?: { expand: boolean }): Promise<void>;
  /** The tooltip the workbench shows on hover `afterMs` after it received the server's item. */
  serverTooltipOnHover(server: string, afterMs: number): Promise<string | undefined>;
  /** Whether this VS Code has its built-in MCP client, and whether its settings switch it on. */
  builtInMcp(): Promise<{ present: boolean; enabled: boolean }>;
  /** Looks for second copies of our running servers now (as the periodic scan does), warning once per copy. */
  scanForSecondCopies(): { server: string; pid: number }[];
  /** Everything written to the extension's log channel and to the server's, when given. */
  logText(server?: string): string;
  /** Answers input prompts instead of the UI; counts how often it was asked. */
  answerInputs(answer: ((input: InputDefinition, server: string) => string | undefined) | undefined): void;
  /** What servers ask of the client, answered in place of the user. */
  clientRequests: {
    /** Answers the modals (open a page, approve sampling) instead of VS Code, which refuses modal dialogs in test runs: the action chosen, or undefined to dismiss. */
    answerPrompts(answer: ((prompt: ClientPrompt) => string | undefined) | undefined): void;
    /** Receives the pages a URL-mode elicitation opens, instead of the browser (true: opened). */
    openPages(open: ((url: string) => boolean) | undefined): void;
    /** The elicitation forms open now, oldest first. */
    elicitations(): { server: string; message: string; schema: unknown; visible: boolean }[];
    /** Sends the form `index` a message as its page would (`accept` with content, `decline`, `cancel`); the errors of a refused accept. */
    answerElicitation(index: number, message: ElicitationPageMessage): { pointer: string; message: string }[];
    /** Closes the form `index` as its close button does. */
    closeElicitation(index: number): void;
  };
  statusBar(): { text: string; warning: boolean; visible: boolean; tooltip: string };
  /** Texts of the failure and configuration notifications shown so far, newest last. */
  notifications(): string[];
  /** Every notification, modal dialog and progress title or message as passed to VS Code, newest last. */
  shownMessages(): string[];
  /** The results view: its open panels (what each page was given and reported rendering), oldest first. */
  results: {
    shown(): ShownResult[];
    /** Resolves with the newest panel's render report once its page has rendered. */
    rendered(timeoutMs: number): Promise<RenderedSummary>;
    /** Handles a message as the newest panel's page would send it (a click in the page). */
    receive(message: ResultsToHost): Promise<void>;
  };
  /** The running gateway: the URL of a server on it, the headers a client sends, the servers published to VS Code's MCP client and whether VS Code took the provider. */
  gateway(): { url(server: string): string; headers: Record<string, string>; published: string[]; providerRegistered: boolean } | undefined;
  /** Where the extension writes: its log folder (the log channels' files) and its state folder (the process ledger). */
  folders(): { logs: string; state: string };
  /**
   * What VS Code does at deactivation: calls deactivate(), disposes context.subscriptions in
   * order without waiting, then waits for deactivate's promise. The extension is gone after.
   */
  teardown(): Promise<{ report: ShutdownReport | undefined; steps: string[]; shutDownBeforeFirstStep: boolean }>;
  /**
   * What a window reload does after teardown(): activates the extension again with the same
   * ExtensionContext (workspaceState, storage), as a new instance. Its API is returned; tear it
   * down too. Only meaningful after teardown().
   */
  activateAgain(): McpSessionsApi & { testing: TestingApi };
}

export interface RenderedNode {
  label: string;
  description?: string;
  tooltip?: string;
  contextValue?: string;
  /** The id of the command the item runs when clicked. */
  command?: string;
  /** Runs that command with the item's arguments, as a click does (not part of the node's JSON). */
  click?: () => Thenable<unknown>;
  children: RenderedNode[];
}

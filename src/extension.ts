// Entry point: wiring only. Nothing here starts a server; the configuration loads in the
// background and servers start on first use, or in the background after activation: with
// mcpSessions.autoStart "restore" (the default) those that were running before the window
// closed, with "always" all of them. See src/vscode/sessionsExtension.ts for the teardown order.

import * as vscode from 'vscode';
import type { McpSessionsApi } from './vscode/api';
import { SessionsExtension } from './vscode/sessionsExtension';

export type { McpServerInfo, McpServerState, McpSessionsApi } from './vscode/api';

let extension: SessionsExtension | undefined;

export function activate(context: vscode.ExtensionContext): McpSessionsApi {
  const started = performance.now();
  extension = new SessionsExtension(context);
  extension.log.info(`Activated in ${(performance.now() - started).toFixed(1)} ms (${vscode.env.appName} ${vscode.version}, ${vscode.env.remoteName ?? 'local'})`);
  return extension.api;
}

/** The registry's bounded shutdown; VS Code disposes context.subscriptions right after calling this. */
export async function deactivate(): Promise<void> {
  await extension?.deactivate();
}

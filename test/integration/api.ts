// The extension's API as the integration tests see it, shared by every suite.
import * as vscode from 'vscode';
import type { McpServerInfo, McpSessionsApi, TestingApi } from '../../src/vscode/api';

export type Api = McpSessionsApi & { testing: TestingApi };

/** Activates the extension (once) and waits for its configuration to be loaded. */
export async function extensionApi(): Promise<Api> {
  const api = await vscode.extensions.getExtension<McpSessionsApi>('mcp-session-manager.mcp-session-manager')!.activate();
  await api.testing!.reloadConfiguration();
  return api as Api;
}

/** A Markdown tooltip as it reads: without the backslash escapes that keep server text from acting as Markdown. */
export function markdownAsRead(markdown: string | undefined): string {
  return (markdown ?? '').replace(/\\(.)/g, '$1');
}

export function server(api: Api, name: string): McpServerInfo | undefined {
  return api.listServers().find((s) => s.name === name);
}

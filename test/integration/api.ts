// The extension's API as the integration tests see it, shared by every suite.
import * as vscode from 'vscode';
import type { McpServerInfo, McpSessionsApi, RenderedNode, TestingApi } from '../../src/vscode/api';

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

/** Every node of a rendered tree, depth first: servers wherever the tree puts them (at the root, or under their source). */
export function allNodes(tree: RenderedNode[]): RenderedNode[] {
  return tree.flatMap((node) => [node, ...allNodes(node.children)]);
}

/** The server rows of a rendered tree, in order, with or without source groups. */
export function serverRows(tree: RenderedNode[]): RenderedNode[] {
  return tree.flatMap((node) => (node.contextValue === 'source' ? node.children : [node]));
}

/** A server's row, wherever the tree puts it. */
export function serverRow(tree: RenderedNode[], name: string): RenderedNode | undefined {
  return serverRows(tree).find((n) => n.label === name);
}

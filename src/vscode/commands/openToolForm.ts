import type { Tool } from '../../core/api';
import { McpSessionError } from '../../core/errors';
import { pickServer, pickTool } from '../pickers';
import type { CallForm } from '../webviews/callFormPanel';
import { runForServer, type CommandFactory } from './command';

/** What code passes: the tool to open and, optionally, the arguments to fill in. */
export interface OpenToolFormTarget {
  server: string;
  tool: string;
  arguments?: Record<string, unknown>;
}

/**
 * mcpSessions.openToolForm(target?) → the form (CallForm) | undefined
 *
 * Opens the call form of a tool, generated from its inputSchema, filled with `target.arguments`
 * when given. From code, `{ server, tool, arguments? }` (failures reject); from a tool in the Tool
 * Explorer, that tool; from the palette, asks for a server and a tool.
 */
export const openToolForm: CommandFactory = (ctx) => async (target?: unknown) => {
  const fromCode = isTarget(target);
  const node = !fromCode && isToolNode(target) ? target : undefined;
  const server = fromCode ? target.server : (node?.server ?? (await pickServer(ctx.servers, 'Open Tool Form', (v) => v.status !== 'untrusted' && v.status !== 'invalid')));
  if (!server) return undefined;
  return runForServer(ctx, server, fromCode, async (): Promise<CallForm | undefined> => {
    const name = fromCode ? target.tool : (node?.tool.name ?? (await pickTool(ctx.servers, server))?.name);
    if (!name) return undefined;
    // The live schema: the tool may have changed since the tree or the cache listed it.
    const tool = (await ctx.servers.listTools(server, { interactive: !fromCode })).find((t) => t.name === name);
    if (!tool) throw new McpSessionError('not-found', server, `Server "${server}" has no tool named "${name}". Refresh its tools and try again`);
    return ctx.callForms.open(server, tool, fromCode ? target.arguments : undefined);
  });
};

function isTarget(value: unknown): value is OpenToolFormTarget {
  if (!value || typeof value !== 'object') return false;
  const target = value as Partial<OpenToolFormTarget>;
  const args = target.arguments;
  return typeof target.server === 'string' && typeof target.tool === 'string' && (args === undefined || (typeof args === 'object' && args !== null && !Array.isArray(args)));
}

function isToolNode(value: unknown): value is { kind: 'tool'; server: string; tool: Tool } {
  return !!value && typeof value === 'object' && (value as { kind?: unknown }).kind === 'tool' && typeof (value as { server?: unknown }).server === 'string';
}

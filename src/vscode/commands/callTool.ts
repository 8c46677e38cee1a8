import * as vscode from 'vscode';
import type { CallToolResult, Tool } from '../../core/api';
import { McpSessionError, isMcpSessionError } from '../../core/errors';
import { withProgressNotification } from '../messages';
import { pickServer, pickTool } from '../pickers';
import { askForArguments } from '../toolArguments';
import type { ExplorerNode } from '../toolExplorer';
import { isProgrammatic, runForServer, serverFromArgument, type CommandContext, type CommandFactory } from './command';

export interface CallToolOptions {
  /** Open the result in the results view. Default true. */
  showResult?: boolean;
}

/**
 * mcpSessions.callTool(server?, tool?, args?, options?) → CallToolResult | undefined
 *
 * From the palette: picks a server, a tool (each has an "Open Form" button, for tools whose
 * arguments read better in the call form), then asks for its arguments. From a tool in the
 * Tool Explorer: asks for the arguments. From code, `(server, tool, args)` calls directly and
 * resolves with the result (rejecting on failure, `code: 'tool-error'` for isError results).
 * The call runs under a cancellable progress notification that shows the server's progress.
 * The result opens in the results view, a new panel per call; from the UI an isError result
 * opens there too, styled as an error (notified instead when `showResult` is false).
 */
export const callTool: CommandFactory =
  (ctx) =>
  async (arg?: unknown, toolName?: string, args?: Record<string, unknown>, options: CallToolOptions = {}): Promise<CallToolResult | undefined> => {
    const programmatic = isProgrammatic(arg);
    const server = serverFromArgument(arg) ?? (await pickServer(ctx.servers, 'Call Tool', (v) => v.status !== 'untrusted' && v.status !== 'invalid'));
    if (!server) return undefined;
    const node = arg as ExplorerNode | undefined;
    let tool: Tool | undefined = node && typeof node === 'object' && node.kind === 'tool' ? node.tool : undefined;
    const name = toolName ?? tool?.name;

    return runForServer(ctx, server, programmatic, async () => {
      if (!name) tool = await pickTool(ctx.servers, server, { pins: ctx.toolPins, switches: ctx.toolSwitches }, (picked) => {
        vscode.commands.executeCommand('mcpSessions.openToolForm', { server, tool: picked.name }).then(undefined, (e: unknown) => void ctx.notifier.userFailure(server, e));
      });
      const chosen = name ?? tool?.name;
      if (!chosen) return undefined;
      ctx.servers.assertToolEnabled(server, chosen);
      let callArgs = args;
      if (callArgs === undefined && programmatic) callArgs = {};
      if (callArgs === undefined) {
        // The schema of the live server, if the node came from the cache.
        const live = (await ctx.servers.listTools(server, { interactive: true })).find((t) => t.name === chosen);
        tool = live ?? tool;
        if (!tool) throw new McpSessionError('not-found', server, `Server "${server}" has no tool named "${chosen}". Refresh its tools and try again`);
        // A pinned tool starts from its saved arguments.
        callArgs = await askForArguments(server, tool, ctx.toolPins.get(server, chosen)?.arguments);
        if (!callArgs) return undefined;
      }
      return callAndShow(ctx, server, chosen, callArgs, programmatic, options.showResult !== false);
    });
  };

/**
 * Calls a tool under a progress notification and opens its result in the results view. From the
 * UI an isError result opens there too (with `showResult` false it is notified instead, with
 * "Show Result"); from code it rejects.
 */
export async function callAndShow(ctx: CommandContext, server: string, tool: string, args: Record<string, unknown>, programmatic: boolean, showResult: boolean): Promise<CallToolResult | undefined> {
  const startedAt = Date.now();
  const show = (result: CallToolResult) => showInResultsView(ctx, server, tool, result, startedAt);
  try {
    const result = await callWithProgress(ctx, server, tool, args, !programmatic);
    if (showResult) show(result);
    return result;
  } catch (e) {
    if (programmatic || !isMcpSessionError(e, 'tool-error')) throw e;
    if (showResult) {
      show(e.details.result as CallToolResult);
      return undefined;
    }
    // An isError result not to be shown: say so, and offer to open it like any result.
    const choice = await ctx.notifier.userFailure(server, e, ['Show Result']);
    if (choice === 'Show Result') show(e.details.result as CallToolResult);
    return undefined;
  }
}

function showInResultsView(ctx: CommandContext, server: string, tool: string, result: CallToolResult, startedAt: number): void {
  const view = ctx.servers.get(server);
  ctx.resultsView.show({
    server,
    tool,
    result,
    startedAt,
    durationMs: Date.now() - startedAt,
    protocol: view?.snapshot?.protocol,
    outputSchema: view?.lists?.tools.find((t) => t.name === tool)?.outputSchema,
  });
}

async function callWithProgress(ctx: CommandContext, server: string, tool: string, args: Record<string, unknown>, interactive: boolean): Promise<CallToolResult> {
  return withProgressNotification(
    `Calling "${tool}" on "${server}"`,
    (report, signal) => {
      signal.addEventListener('abort', () => ctx.log.info(`Call of "${tool}" on "${server}" cancelled by the user`), { once: true });
      let reported = 0;
      return ctx.servers.callTool(
        server,
        tool,
        args,
        {
          signal,
          onProgress: (p) => {
            const increment = p.total ? Math.max(0, ((p.progress - reported) / p.total) * 100) : undefined;
            reported = p.progress;
            const counter = p.total ? `${p.progress}/${p.total}` : `${p.progress}`;
            report(ctx.redactor.redact(p.message ? `${p.message} (${counter})` : counter), increment);
          },
        },
        interactive,
      );
    },
  );
}

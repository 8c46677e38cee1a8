// Pin Tool / Unpin Tool and Enable Tool / Disable Tool, on tools in the Tool Explorer and on
// calls in the Call History. From code: `(server, tool)`, and for pinTool the arguments to save.

import * as vscode from 'vscode';
import type { CallRecord } from '../../core/callHistory';
import { iconLabelText } from '../../core/displayText';
import type { ToolRef } from '../../core/toolPreferences';
import { argumentsLine } from '../callHistoryView';
import type { CommandContext, CommandFactory } from './command';

/** The tool a command is about: `(server, tool)`, a tool node of the Tool Explorer, or a call of the Call History. */
function toolFrom(arg: unknown, toolName: unknown): ToolRef | undefined {
  if (typeof arg === 'string') return typeof toolName === 'string' ? { server: arg, tool: toolName } : undefined;
  if (!arg || typeof arg !== 'object' || !('server' in arg) || typeof arg.server !== 'string' || !('tool' in arg)) return undefined;
  if (typeof arg.tool === 'string') return { server: arg.server, tool: arg.tool };
  const tool = arg.tool as { name?: unknown } | null;
  return tool && typeof tool.name === 'string' ? { server: arg.server, tool: tool.name } : undefined;
}

function refused(arg: unknown): Error {
  return new Error(`Name a tool: (server, tool), got ${typeof arg}`);
}

/**
 * Which call's arguments to save with a pin: the one it was pinned from, else the last call of
 * the tool; the user chooses whether to keep them. Undefined: pin without; null: cancelled.
 */
async function argumentsToSave(ctx: CommandContext, target: ToolRef, from: CallRecord | undefined): Promise<Record<string, unknown> | undefined | null> {
  const call = from ?? ctx.history.list().find((entry) => entry.server === target.server && entry.tool === target.tool);
  if (!call || call.argumentsOmitted || Object.keys(call.arguments).length === 0) return undefined;
  const withArguments = { label: from ? 'Pin with the arguments of this call' : 'Pin with the arguments of its last call', detail: iconLabelText(argumentsLine(call)), save: true };
  const picked = await vscode.window.showQuickPick([withArguments, { label: 'Pin without arguments', save: false }], {
    title: iconLabelText(`Pin "${target.tool}" of "${target.server}"`),
    placeHolder: 'A pinned tool is called with its saved arguments filled in',
  });
  if (!picked) return null;
  return picked.save ? call.arguments : undefined;
}

/** mcpSessions.pinTool(server, tool, args?): pinned tools lead the Tool Explorer and Call Tool…'s pick. */
export const pinTool: CommandFactory = (ctx) => async (arg?: unknown, toolName?: unknown, args?: Record<string, unknown>) => {
  const target = toolFrom(arg, toolName);
  if (!target) throw refused(arg);
  if (typeof arg === 'string') {
    await ctx.toolPins.pin(target.server, target.tool, args);
    return;
  }
  const from = arg && typeof arg === 'object' && 'id' in arg ? ctx.history.get(String(arg.id)) : undefined;
  const saved = await argumentsToSave(ctx, target, from);
  if (saved === null) return;
  await ctx.toolPins.pin(target.server, target.tool, saved);
};

export const unpinTool: CommandFactory = (ctx) => async (arg?: unknown, toolName?: unknown) => {
  const target = toolFrom(arg, toolName);
  if (!target) throw refused(arg);
  await ctx.toolPins.unpin(target.server, target.tool);
};

/** mcpSessions.disableTool(server, tool): the tool is no longer listed by the API nor offered by Call Tool…, and its calls are refused. */
export const disableTool: CommandFactory = (ctx) => async (arg?: unknown, toolName?: unknown) => {
  const target = toolFrom(arg, toolName);
  if (!target) throw refused(arg);
  ctx.log.info(`Tool "${target.tool}" of "${target.server}" disabled in this workspace`);
  await ctx.toolSwitches.setToolEnabled(target.server, target.tool, false);
};

export const enableTool: CommandFactory = (ctx) => async (arg?: unknown, toolName?: unknown) => {
  const target = toolFrom(arg, toolName);
  if (!target) throw refused(arg);
  ctx.log.info(`Tool "${target.tool}" of "${target.server}" enabled in this workspace`);
  await ctx.toolSwitches.setToolEnabled(target.server, target.tool, true);
};

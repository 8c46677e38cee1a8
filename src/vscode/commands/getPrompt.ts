import * as vscode from 'vscode';
import type { GetPromptResult, Prompt } from '../../core/api';
import { iconLabelText } from '../../core/displayText';
import { McpSessionError } from '../../core/errors';
import { askPromptArguments } from '../argumentPicker';
import { showMessage } from '../messages';
import { pickServer } from '../pickers';
import type { ExplorerNode } from '../toolExplorer';
import { isProgrammatic, runForServer, serverFromArgument, type CommandContext, type CommandFactory } from './command';

/**
 * mcpSessions.getPrompt(node | server?, prompt?, args?) → GetPromptResult | undefined: asks
 * for the prompt's arguments (suggesting values when the server offers completions) and opens
 * the messages it produces as a Markdown document. From code, `(server, prompt, args)` asks
 * nothing; `(server, prompt)` asks for the arguments; a server alone picks a prompt; nothing
 * picks a server first.
 */
export const getPrompt: CommandFactory = (ctx) => async (arg?: unknown, promptName?: string, args?: Record<string, string>) => {
  const programmatic = isProgrammatic(arg);
  const server = serverFromArgument(arg) ?? (await pickServer(ctx.servers, 'Get Prompt', (v) => v.status !== 'untrusted' && v.status !== 'invalid'));
  if (!server) return undefined;
  const node = arg as ExplorerNode | undefined;
  const fromTree = node && typeof node === 'object' && node.kind === 'prompt' ? node.prompt : undefined;
  return runForServer(ctx, server, programmatic, async () => {
    let promptArgs = args;
    let name = promptName ?? fromTree?.name;
    if (!promptArgs) {
      const prompt = name ? await livePrompt(ctx, server, name) : await pickPrompt(ctx, server);
      if (!prompt) return undefined;
      name = prompt.name;
      promptArgs = await askPromptArguments(ctx.servers, server, prompt);
      if (!promptArgs) return undefined;
    }
    if (!name) return undefined;
    const result: GetPromptResult = await ctx.servers.getPrompt(server, name, promptArgs, !programmatic);
    await ctx.results.showPrompt(server, name, result, promptArgs);
    return result;
  });
};

/** The prompt as the running server lists it: its arguments may have changed since the tree showed it. */
async function livePrompt(ctx: CommandContext, server: string, name: string): Promise<Prompt> {
  const prompt = (await ctx.servers.listPrompts(server, true)).find((p) => p.name === name);
  if (!prompt) throw new McpSessionError('not-found', server, `"${server}" has no prompt named "${name}". Refresh its lists and try again.`);
  return prompt;
}

async function pickPrompt(ctx: CommandContext, server: string): Promise<Prompt | undefined> {
  const prompts = await ctx.servers.listPrompts(server, true);
  if (prompts.length === 0) {
    void showMessage('information', `"${server}" offers no prompts.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    prompts.map((prompt) => ({ label: iconLabelText(prompt.title ?? prompt.name), detail: prompt.description && iconLabelText(prompt.description), prompt })),
    { title: iconLabelText(`Get a prompt of "${server}"`), placeHolder: 'Choose a prompt', matchOnDetail: true },
  );
  return picked?.prompt;
}

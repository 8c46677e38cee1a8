import * as vscode from 'vscode';
import { iconLabelText } from '../../core/displayText';
import type { ExplorerNode } from '../toolExplorer';
import { isProgrammatic, runForServer, serverFromArgument, type CommandFactory } from './command';

/**
 * mcpSessions.getPrompt(node | server, prompt?, args?) → GetPromptResult: asks for the
 * prompt's arguments (from a node) and opens the messages it produces.
 */
export const getPrompt: CommandFactory = (ctx) => async (arg?: unknown, promptName?: string, args?: Record<string, string>) => {
  const server = serverFromArgument(arg);
  const node = arg as ExplorerNode | undefined;
  const prompt = node && typeof node === 'object' && node.kind === 'prompt' ? node.prompt : undefined;
  const name = promptName ?? prompt?.name;
  if (!server || !name) return undefined;
  let promptArgs = args;
  if (!promptArgs) {
    promptArgs = {};
    for (const argument of prompt?.arguments ?? []) {
      const value = await vscode.window.showInputBox({
        title: iconLabelText(`Prompt "${name}" of "${server}": ${argument.name}`),
        prompt: iconLabelText([argument.description, argument.required ? 'required' : 'optional'].filter(Boolean).join(' — ')),
        ignoreFocusOut: true,
        validateInput: (v) => (argument.required && v === '' ? 'A value is required' : undefined),
      });
      if (value === undefined) return undefined;
      if (value !== '') promptArgs[argument.name] = value;
    }
  }
  return runForServer(ctx, server, isProgrammatic(arg), async () => {
    const result = await ctx.servers.getPrompt(server, name, promptArgs, !isProgrammatic(arg));
    await ctx.results.showPrompt(server, name, result);
    return result;
  });
};

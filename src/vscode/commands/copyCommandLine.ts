import * as vscode from 'vscode';
import { describeDefinition, shownDefinition } from '../../core/definitions';
import { pickServer } from '../pickers';
import { serverFromArgument, type CommandFactory } from './command';

/**
 * mcpSessions.copyCommandLine(server?: string | node): copies the command line (or URL).
 * As written: `${input:id}` and `${env:NAME}` are copied as such, never as their values.
 */
export const copyCommandLine: CommandFactory = (ctx) => async (arg?: unknown) => {
  const server = serverFromArgument(arg) ?? (await pickServer(ctx.servers, 'Copy Command Line'));
  const configured = server ? ctx.configuration.get(server) : undefined;
  if (!configured) return undefined;
  const definition = shownDefinition(configured.availability.status === 'ready' ? configured.availability.definition : configured.raw);
  const text = ctx.redactor.redact(definition.kind === 'stdio' ? describeDefinition(definition) : definition.url);
  await vscode.env.clipboard.writeText(text);
  return text;
};

import * as vscode from 'vscode';
import type { ReadResourceResult, Resource, ResourceTemplate } from '../../core/api';
import { iconLabelText } from '../../core/displayText';
import { askTemplateUri } from '../argumentPicker';
import { showMessage, withProgressNotification } from '../messages';
import { pickServer } from '../pickers';
import type { ExplorerNode } from '../toolExplorer';
import { isProgrammatic, runForServer, serverFromArgument, type CommandContext, type CommandFactory } from './command';

type ResourceChoice = { resource: Resource } | { template: ResourceTemplate };

/**
 * mcpSessions.readResource(target?, uri?) → ReadResourceResult | undefined: reads a resource
 * and opens it as a read-only `mcp-sessions-resource:` document (resourceDocuments.ts), which refreshes
 * while open when the server announces changes.
 *
 * - `{ server, uri }` (e.g. a resource link in a result), a resource in the Tool Explorer, or
 *   `(server, uri)` from code: opens that resource without asking.
 * - a resource template in the Tool Explorer: asks for its arguments, then opens the resource.
 * - a server name alone: picks one of its resources or templates; nothing: picks a server first.
 */
export const readResource: CommandFactory = (ctx) => async (arg?: unknown, uri?: string) => {
  const programmatic = isProgrammatic(arg);
  const server = serverFromArgument(arg) ?? (await pickServer(ctx.servers, 'Read Resource', (v) => v.status !== 'untrusted' && v.status !== 'invalid'));
  if (!server) return undefined;
  const target = resourceTarget(arg, uri);
  return runForServer(ctx, server, programmatic, async () => {
    const choice: ResourceChoice | string | undefined = target ?? (await pickResource(ctx, server));
    if (choice === undefined) return undefined;
    const resourceUri = typeof choice === 'string' ? choice : 'resource' in choice ? choice.resource.uri : await askTemplateUri(ctx.servers, server, choice.template);
    if (resourceUri === undefined) return undefined;
    return openResource(ctx, server, resourceUri, !programmatic);
  });
};

/** What the arguments name: a URI, a template to fill in, or nothing (ask). */
function resourceTarget(arg: unknown, uri: string | undefined): ResourceChoice | string | undefined {
  if (typeof uri === 'string') return uri;
  if (!arg || typeof arg !== 'object') return undefined;
  const node = arg as ExplorerNode;
  if (node.kind === 'resource') return node.resource.uri;
  if (node.kind === 'resourceTemplate') return { template: node.template };
  // `{ server, uri }` from another view or extension.
  const link = arg as { uri?: unknown };
  return typeof link.uri === 'string' ? link.uri : undefined;
}

async function openResource(ctx: CommandContext, server: string, uri: string, interactive: boolean): Promise<ReadResourceResult> {
  const result = await withProgressNotification(`Reading ${uri} from "${server}"`, (_report, signal) => ctx.servers.readResource(server, uri, { signal }, interactive));
  await ctx.resources.show(server, uri, result);
  return result;
}

/** A resource or template of `server`, listed live (which starts the server). */
async function pickResource(ctx: CommandContext, server: string): Promise<ResourceChoice | undefined> {
  const { resources, templates } = await ctx.servers.listResources(server, true);
  if (resources.length === 0 && templates.length === 0) {
    void showMessage('information', `"${server}" offers no resources.`);
    return undefined;
  }
  type Item = vscode.QuickPickItem & { choice?: ResourceChoice };
  const items: Item[] = [
    ...resources.map((resource): Item => ({ label: iconLabelText(resource.title ?? resource.name), description: iconLabelText(resource.uri), detail: resource.description && iconLabelText(resource.description), choice: { resource } })),
    ...(templates.length > 0 ? [{ label: 'Templates', kind: vscode.QuickPickItemKind.Separator }] : []),
    ...templates.map((template): Item => ({ label: iconLabelText(template.title ?? template.name), description: iconLabelText(template.uriTemplate), detail: template.description && iconLabelText(template.description), choice: { template } })),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: iconLabelText(`Read a resource of "${server}"`), placeHolder: 'Choose a resource or a template', matchOnDescription: true });
  return picked?.choice;
}

// What a server may ask of the client: elicitation (ask the user), roots (which folders) and
// sampling (ask a model). One set of handlers serves both eras: 2025 servers send them as
// server→client requests; 2026-07-28 servers answer a call with `input_required`, which the
// SDK fulfils through these same handlers and then retries the call, echoing `requestState`
// byte for byte. The registry is given one ClientRequestHandlers (RegistryOptions.clientRequests);
// a capability is declared only for a handler that is present.
//
// The extension answers them with its UI (src/vscode/clientRequests/); the registry's default,
// kept by the CLI, is `decliningClientRequests`, which refuses elicitation with a message that
// names the server and what it asked for. A handler returns the MCP result (an elicitation may
// `accept`, `decline` or `cancel`) or throws; a throw reaches the server as an error, and on 2026
// servers fails the call with that message.
//
// Roots are declared with `listChanged`: the registry's notifyRootsChanged() tells every running
// 2025 server when the folders change (2026-07-28 has no such notification; its servers ask again
// through input_required).

import type { Client, ClientCapabilities, CreateMessageRequest, CreateMessageResult, ElicitRequest, ElicitResult, ListRootsResult } from '@modelcontextprotocol/client';
import { McpSessionError } from './errors';

/**
 * Each handler gets the request's `signal`: aborted when the server cancels the request, the call
 * that asked (2026-07-28) ends or the connection closes, so a prompt still open can close itself.
 */
export interface ClientRequestHandlers {
  /** `elicitation/create`: ask the user for input (a form, or a URL to open). */
  elicit?(server: string, params: ElicitRequest['params'], signal?: AbortSignal): Promise<ElicitResult>;
  /** `roots/list`: the folders the server may work in. */
  listRoots?(server: string, signal?: AbortSignal): Promise<ListRootsResult>;
  /** `sampling/createMessage`: a completion from a model. */
  createMessage?(server: string, params: CreateMessageRequest['params'], signal?: AbortSignal): Promise<CreateMessageResult>;
  /** Declared instead of the defaults (elicitation `{ form: {} }`, roots `{ listChanged: true }`, sampling `{}`), e.g. elicitation with applyDefaults. */
  capabilities?: Pick<ClientCapabilities, 'elicitation' | 'roots' | 'sampling'>;
}

function notSupported(server: string, what: string): McpSessionError {
  return new McpSessionError('protocol', server, `"${server}" asked for input (${what}); answering it is not supported yet.`);
}

/**
 * Refuses elicitation with a clear message: the default of the extension and the CLI. Roots and
 * sampling are not declared at all, so servers do not ask for them (both are deprecated in 2026-07-28).
 */
export const decliningClientRequests: ClientRequestHandlers = {
  elicit: (server) => Promise.reject(notSupported(server, 'elicitation')),
};

/** The client capabilities declared for these handlers: one for each handler present. */
export function declaredCapabilities(handlers: ClientRequestHandlers): ClientCapabilities {
  const { elicit, listRoots, createMessage, capabilities = {} } = handlers;
  return {
    ...(elicit && { elicitation: capabilities.elicitation ?? { form: {} } }),
    ...(listRoots && { roots: capabilities.roots ?? { listChanged: true } }),
    ...(createMessage && { sampling: capabilities.sampling ?? {} }),
  };
}

/** Declares the capabilities of the handlers present and routes the SDK's requests to them. */
export function installClientRequestHandlers(client: Client, server: string, handlers: ClientRequestHandlers): void {
  const { elicit, listRoots, createMessage } = handlers;
  client.registerCapabilities(declaredCapabilities(handlers));
  if (elicit) client.setRequestHandler('elicitation/create', (request, ctx) => elicit(server, request.params, ctx.mcpReq.signal));
  if (listRoots) client.setRequestHandler('roots/list', (_request, ctx) => listRoots(server, ctx.mcpReq.signal));
  if (createMessage) client.setRequestHandler('sampling/createMessage', (request, ctx) => createMessage(server, request.params, ctx.mcpReq.signal));
}

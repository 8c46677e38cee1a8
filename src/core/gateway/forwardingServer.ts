// One MCP server instance that answers a gateway client for one of our servers by forwarding to
// the registry's persistent session. The SDK's v2 `Server` does the protocol (both eras); this
// file only maps requests to registry verbs and registry errors to MCP errors.
//
// The registry stays the only owner of the process: nothing here starts, stops or restarts a
// server. A stopped server starts on first use, exactly as for our own commands (the registry's
// verbs start on demand); a server the crash policy gave up on answers with its error.
//
// A 2025 session's resource subscriptions belong to that session: `resources/unsubscribe` or the
// session closing disposes them (2026-07-28 subscriptions live on `subscriptions/listen` streams,
// see serverEndpoint.ts).

import { ProtocolError, ProtocolErrorCode, Server, type CallToolResult, type ServerContext } from '@modelcontextprotocol/server';
import type { CallOptions, ProgressUpdate, RegistryApi, ResourceSubscription } from '../api';
import { isMcpSessionError } from '../errors';
import { DisposableMap } from '../lifecycle';
import type { SecretRedactor } from '../redact';
import type { ClientRequestRouter, GatewayCallAnswers } from './clientRequestRouter';

export interface ForwardingOptions {
  registry: RegistryApi;
  router?: ClientRequestRouter;
  /** Hides tools a person switched off; absent means every tool is enabled. */
  isToolEnabled?(server: string, tool: string): boolean;
  redactor?: SecretRedactor;
  version: string;
}

/** Registry error codes a client may act on, sent as `data.code` of the MCP error. */
function toProtocolError(e: unknown, redactor: SecretRedactor | undefined): ProtocolError {
  if (e instanceof ProtocolError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const shown = redactor ? redactor.redact(message) : message;
  const code = isMcpSessionError(e) ? e.code : undefined;
  return new ProtocolError(code === 'not-found' ? ProtocolErrorCode.InvalidParams : ProtocolErrorCode.InternalError, shown, code ? { code } : undefined);
}

/** `run`, with its errors as MCP errors. */
function guard<T>(run: () => Promise<T>, redactor: SecretRedactor | undefined): () => Promise<T> {
  return async () => {
    try {
      return await run();
    } catch (e) {
      throw toProtocolError(e, redactor);
    }
  };
}

/**
 * `resources/subscribe` and `resources/unsubscribe` of one 2025 session: each URI is one registry
 * subscription, whose updates become this client's `notifications/resources/updated`. They end
 * with the session.
 */
function forwardSubscriptions(server: Server, serverName: string, registry: RegistryApi, redactor: SecretRedactor | undefined): void {
  const subscriptions = new DisposableMap<string, ResourceSubscription>();
  server.onclose = () => subscriptions.dispose();
  server.setRequestHandler('resources/subscribe', (request) =>
    guard(async () => {
      const { uri } = request.params;
      if (subscriptions.has(uri)) return {};
      const subscription = registry.subscribeResource(serverName, uri, () => void server.sendResourceUpdated({ uri }).catch(() => undefined));
      subscriptions.set(uri, subscription);
      try {
        await subscription.ready;
      } catch (e) {
        if (subscriptions.get(uri) === subscription) subscriptions.deleteAndDispose(uri);
        throw e;
      }
      return {};
    }, redactor)(),
  );
  server.setRequestHandler('resources/unsubscribe', (request) =>
    guard(async () => {
      subscriptions.deleteAndDispose(request.params.uri);
      return {};
    }, redactor)(),
  );
}

/** What the client of a 2025 session declared it can answer (2026-07-28 clients are answered by the host). */
function answersOf(server: Server, ctx: ServerContext, era: 'legacy' | 'modern'): GatewayCallAnswers {
  if (era !== 'legacy') return {};
  const declared = server.getClientCapabilities() ?? {};
  return {
    ...(declared.elicitation && { elicit: (params) => ctx.mcpReq.elicitInput(params) }),
    ...(declared.sampling && { createMessage: async (params) => (await ctx.mcpReq.requestSampling(params)) as never }),
    ...(declared.roots && { listRoots: () => ctx.mcpReq.send({ method: 'roots/list' }) as never }),
  };
}

/** A fresh v2 Server for one request (modern era) or one 2025 session, forwarding to `serverName`. */
export function createForwardingServer(serverName: string, era: 'legacy' | 'modern', options: ForwardingOptions): Server {
  const { registry, router, isToolEnabled = () => true, redactor } = options;
  const server = new Server(
    { name: serverName, version: options.version },
    // Completions and subscriptions are declared whatever the server offers: the registry answers
    // a completion with no values when the server has none, and a subscription it cannot make
    // with an error naming the server.
    { capabilities: { tools: { listChanged: true }, resources: { listChanged: true, subscribe: true }, prompts: { listChanged: true }, completions: {} } },
  );
  const guarded = <T>(run: () => Promise<T>) => guard(run, redactor);
  const callOptions = (ctx: ServerContext): CallOptions => ({ signal: ctx.mcpReq.signal });

  server.setRequestHandler('tools/list', () => guarded(async () => ({ tools: (await registry.listTools(serverName)).filter((tool) => isToolEnabled(serverName, tool.name)) }))());

  server.setRequestHandler('tools/call', (request, ctx) =>
    guarded(async (): Promise<CallToolResult> => {
      const { name, arguments: args } = request.params;
      if (!isToolEnabled(serverName, name)) {
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, `The tool "${name}" of "${serverName}" is switched off in MCP Session Manager; switch it on there to use it.`);
      }
      const progressToken = ctx.mcpReq._meta?.progressToken;
      const tracking = router?.track(serverName, answersOf(server, ctx, era));
      // Progress sent before the result must reach the client before it: the result ends the stream.
      let progressSent = Promise.resolve();
      const onProgress = (update: ProgressUpdate) => {
        const sent = ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: progressToken!, ...update } }).catch(() => undefined);
        progressSent = progressSent.then(() => sent);
      };
      try {
        const result = await registry.callTool(serverName, name, args ?? {}, { ...callOptions(ctx), onProgress: progressToken === undefined ? undefined : onProgress });
        await progressSent;
        return result;
      } catch (e) {
        // A tool's own error is a result the client should see as such, not a protocol failure.
        if (isMcpSessionError(e, 'tool-error') && e.details.result) return e.details.result as CallToolResult;
        throw e;
      } finally {
        tracking?.dispose();
      }
    })(),
  );

  server.setRequestHandler('resources/list', () => guarded(async () => ({ resources: await registry.listResources(serverName) }))());
  server.setRequestHandler('resources/read', (request, ctx) => guarded(() => registry.readResource(serverName, request.params.uri, callOptions(ctx)))());
  server.setRequestHandler('resources/templates/list', (_request, ctx) =>
    guarded(async () => ({ resourceTemplates: await registry.listResourceTemplates(serverName, callOptions(ctx)) }))(),
  );
  server.setRequestHandler('completion/complete', (request, ctx) =>
    guarded(async () => {
      const { ref, argument, context } = request.params;
      return { completion: await registry.complete(serverName, ref, argument, context?.arguments, callOptions(ctx)) };
    })(),
  );

  // 2026-07-28 clients subscribe on `subscriptions/listen` (serverEndpoint.ts).
  if (era === 'legacy') forwardSubscriptions(server, serverName, registry, redactor);
  server.setRequestHandler('prompts/list', () => guarded(async () => ({ prompts: await registry.listPrompts(serverName) }))());
  server.setRequestHandler('prompts/get', (request, ctx) => guarded(() => registry.getPrompt(serverName, request.params.name, request.params.arguments ?? {}, callOptions(ctx)))());
  return server;
}

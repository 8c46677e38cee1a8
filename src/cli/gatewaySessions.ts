// The CLI's warm path: the commands' verbs (list, call, read, prompt) answered by a running
// gateway — an editor window or `mcp-sessions serve` for the same workspace — instead of a
// server this run would spawn. One v2 Client per server, over Streamable HTTP with the gateway's
// token; the server process, its handshake and its caches stay where they are.
//
// Failures read like the registry's (McpSessionError with the server's name), so the commands
// and exit codes are the same either way; a tool's own error is `tool-error` with its result.

import { Client, ProtocolError, StreamableHTTPClientTransport, type CallToolResult } from '@modelcontextprotocol/client';
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CallOptions, GetPromptResult, Prompt, ReadResourceResult, Resource, Tool } from '../core/api';
import { McpSessionError } from '../core/errors';
import { findGateways, runtimeDir, type GatewayRecord } from '../core/gateway/discovery';

/** `--gateway`: only through a gateway; `--no-gateway`: never; default: when one runs for this workspace. */
export type GatewayMode = 'auto' | 'required' | 'off';

/** The workspace a gateway serves, named the way the editor names it: the real path of the folder. */
export function cliWorkspaceId(cwd: string, workspace: string | undefined): string {
  const folder = resolve(cwd, workspace ?? '.');
  try {
    return realpathSync(folder);
  } catch {
    return folder;
  }
}

/** The newest live gateway for `workspace`, if any. */
export function findGateway(workspace: string, env: NodeJS.ProcessEnv): GatewayRecord | undefined {
  return findGateways(workspace, runtimeDir(env))[0];
}

export class GatewaySessions {
  private readonly clients = new Map<string, Promise<Client>>();

  constructor(
    readonly gateway: GatewayRecord,
    private readonly clientInfo: { name: string; version: string },
  ) {}

  url(server: string): URL {
    return new URL(`http://127.0.0.1:${this.gateway.port}/mcp/${encodeURIComponent(server)}`);
  }

  /** Connected once per server; a server the gateway does not serve fails with `not-found`. */
  private client(server: string): Promise<Client> {
    let client = this.clients.get(server);
    if (!client) {
      client = this.connect(server);
      this.clients.set(server, client);
    }
    return client;
  }

  private async connect(server: string): Promise<Client> {
    const client = new Client(this.clientInfo, { versionNegotiation: { mode: 'auto' } });
    const transport = new StreamableHTTPClientTransport(this.url(server), { requestInit: { headers: { Authorization: `Bearer ${this.gateway.token}` } } });
    try {
      await client.connect(transport);
    } catch (e) {
      const status = (e as { code?: unknown }).code;
      if (status === 404) throw new McpSessionError('not-found', server, `The MCP gateway (pid ${this.gateway.pid}) has no server named "${server}".`, { cause: e });
      throw new McpSessionError('connection', server, `The MCP gateway (pid ${this.gateway.pid}) could not be reached for "${server}": ${(e as Error).message}`, { cause: e });
    }
    return client;
  }

  /** True when the gateway serves `server` (connects to find out). */
  async serves(server: string): Promise<boolean> {
    try {
      await this.client(server);
      return true;
    } catch (e) {
      this.clients.delete(server);
      if (e instanceof McpSessionError && e.code === 'not-found') return false;
      throw e;
    }
  }

  private async request<T>(server: string, what: string, send: (client: Client) => Promise<T>): Promise<T> {
    const client = await this.client(server);
    try {
      return await send(client);
    } catch (e) {
      if (e instanceof McpSessionError) throw e;
      const message = e instanceof Error ? e.message : String(e);
      if (e instanceof ProtocolError) throw new McpSessionError('protocol', server, `"${server}" refused the ${what}: ${message}`, { cause: e });
      if ((e as Error)?.name === 'AbortError') throw new McpSessionError('cancelled', server, `The ${what} on "${server}" was cancelled.`, { cause: e });
      if (/timed? ?out/i.test(message)) throw new McpSessionError('timeout', server, `The ${what} on "${server}" timed out.`, { cause: e });
      throw new McpSessionError('connection', server, `The ${what} on "${server}" through the MCP gateway failed: ${message}`, { cause: e });
    }
  }

  private static requestOptions(options: CallOptions = {}) {
    return {
      signal: options.signal,
      timeout: options.timeoutMs,
      maxTotalTimeout: options.maxTotalTimeoutMs,
      resetTimeoutOnProgress: true,
      onprogress: options.onProgress && ((p: { progress: number; total?: number; message?: string }) => options.onProgress!({ progress: p.progress, total: p.total, message: p.message })),
    };
  }

  async listTools(server: string): Promise<Tool[]> {
    return this.request(server, 'tool list', async (c) => (await c.listTools()).tools);
  }

  async listResources(server: string): Promise<Resource[]> {
    return this.request(server, 'resource list', async (c) => (await c.listResources()).resources);
  }

  async listPrompts(server: string): Promise<Prompt[]> {
    return this.request(server, 'prompt list', async (c) => (await c.listPrompts()).prompts);
  }

  readResource(server: string, uri: string, options?: CallOptions): Promise<ReadResourceResult> {
    return this.request(server, `read of "${uri}"`, (c) => c.readResource({ uri }, GatewaySessions.requestOptions(options)));
  }

  getPrompt(server: string, prompt: string, args: Record<string, string>, options?: CallOptions): Promise<GetPromptResult> {
    return this.request(server, `prompt "${prompt}"`, (c) => c.getPrompt({ name: prompt, arguments: args }, GatewaySessions.requestOptions(options)));
  }

  async callTool(server: string, tool: string, args: Record<string, unknown>, options?: CallOptions): Promise<CallToolResult> {
    const result = (await this.request(server, `call of "${tool}"`, (c) => c.callTool({ name: tool, arguments: args }, GatewaySessions.requestOptions(options)))) as CallToolResult;
    if (result.isError) throw new McpSessionError('tool-error', server, `The tool "${tool}" on "${server}" reported an error.`, { result });
    return result;
  }

  async close(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(clients.map(async (c) => (await c.catch(() => undefined))?.close().catch(() => undefined)));
  }
}

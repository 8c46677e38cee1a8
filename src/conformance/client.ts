// The client under test for @modelcontextprotocol/conformance (run by scripts/conformance.mjs):
//
//   node out/conformance/client.js <server-url>
//
// The conformance tool sets MCP_CONFORMANCE_SCENARIO and, for scenarios that need it (e.g.
// pre-registered client credentials), MCP_CONFORMANCE_CONTEXT (JSON). This entry point is
// thin on purpose: it drives the same core as the extension and the CLI (SessionRegistry,
// the remote connector, OAuthProvider with a loopback redirect) and does what a user would:
// start the server, list its tools and call each of them (with the arguments the scenario
// hands out in MCP_CONFORMANCE_CONTEXT's toolCalls, else with values drawn from the tool's
// input schema). Exit code 0 when everything succeeded, 1 otherwise; the log goes to stderr.
//
// Two things are specific to this harness: the "browser" follows the authorization
// endpoint's redirect by itself (the conformance authorization servers approve at once), and
// the client answers elicitation requests by accepting with no content, declaring that it
// applies the schema's defaults (SEP-1034), which the SDK client then fills in.

import type { Tool } from '@modelcontextprotocol/client';
import type { ClientRequestHandlers } from '../core/clientRequests';
import type { RemoteServerDefinition } from '../core/definitions';
import { isMcpSessionError } from '../core/errors';
import { lineLogger } from '../core/logger';
import { LoopbackRedirectHandler, MemoryTokenStore, OAuthProvider } from '../core/oauth';
import { SessionRegistry } from '../core/registry';

/** Used as client_id by authorization servers that accept client ID metadata documents (SEP-991). */
const clientMetadataUrl = 'https://conformance-test.local/client-metadata.json';
const serverName = 'conformance';

interface ConformanceContext {
  client_id?: string;
  client_secret?: string;
  /** The arguments to call some tools with (http-custom-headers: values that test header encoding and null omission). */
  toolCalls?: { name: string; arguments: Record<string, unknown> }[];
}

const log = lineLogger((line) => process.stderr.write(`${line}\n`), 'debug');

function readContext(): ConformanceContext {
  const raw = process.env.MCP_CONFORMANCE_CONTEXT;
  return raw ? (JSON.parse(raw) as ConformanceContext) : {};
}

/** Plays the browser: the authorization endpoint redirects at once; deliver that redirect to the loopback listener. */
async function followAuthorizationRedirect(url: URL): Promise<void> {
  const response = await fetch(url, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (!location) throw new Error(`The authorization endpoint answered ${response.status} without a redirect.`);
  await (await fetch(new URL(location, url))).text();
}

/** Accepts elicitations with no content, declaring applyDefaults, so the SDK fills in the schema's defaults (both eras). */
const acceptWithDefaults: ClientRequestHandlers = {
  capabilities: { elicitation: { form: { applyDefaults: true } } },
  elicit: async (_server, params) => {
    log.info(`Elicitation "${params.message}": accepting with the defaults`);
    return { action: 'accept', content: {} };
  },
};

/**
 * json-schema-2020-12-preservation: its echo tool is called with the input schema the core
 * listed for the scenario's focal tool, so the scenario sees whether every JSON Schema 2020-12
 * keyword survived the core ($schema, $defs, $anchor, composition, conditionals).
 */
function schemaEchoArguments(tool: Tool, tools: readonly Tool[]): Record<string, unknown> | undefined {
  if (tool.name !== 'json_schema_echo') return undefined;
  const focal = tools.find((t) => t.name === 'json_schema_2020_12_tool');
  return focal && { schema: focal.inputSchema };
}

/** Arguments for a tool call from its input schema: the default, the first enum value, or a plain value per type. */
function sampleArguments(tool: Tool): Record<string, unknown> {
  const properties = (tool.inputSchema.properties ?? {}) as Record<string, { type?: string; default?: unknown; enum?: unknown[] }>;
  const samples: Record<string, unknown> = { number: 2, integer: 3, string: 'conformance', boolean: true, object: {}, array: [] };
  return Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, schema.default ?? schema.enum?.[0] ?? samples[schema.type ?? 'string'] ?? null]));
}

async function run(url: string): Promise<void> {
  const context = readContext();
  const definition: RemoteServerDefinition = { kind: 'http', name: serverName, url, headers: {}, source: { label: 'conformance' } };
  const registry = new SessionRegistry(
    {
      logger: log,
      pingIntervalMs: 0,
      clientInfo: { name: 'mcp-session-manager', version: '0.1.0' },
      authProviderFor: (server) =>
        new OAuthProvider({
          serverUrl: server.url,
          store: new MemoryTokenStore(),
          redirectHandler: new LoopbackRedirectHandler({ open: followAuthorizationRedirect, timeoutMs: 10_000 }),
          clientMetadataUrl,
          preRegisteredClient: context.client_id ? { client_id: context.client_id, client_secret: context.client_secret } : undefined,
          logger: log,
        }),
      clientRequests: acceptWithDefaults,
    },
  );
  try {
    registry.reconcile([definition]);
    registry.get(serverName)!.onDidLog((line) => process.stderr.write(`[${line.stream}] ${line.text}\n`));
    await registry.start(serverName, 'conformance scenario');
    const tools = await registry.listTools(serverName, { refresh: true });
    log.info(`Tools: ${tools.map((t) => t.name).join(', ') || '(none)'}`);
    // Every tool is called, also after one fails, so one broken tool does not hide what the
    // scenario would observe of the others. Any failure fails the run at the end.
    const failed: string[] = [];
    for (const tool of tools) {
      const args = context.toolCalls?.find((call) => call.name === tool.name)?.arguments ?? schemaEchoArguments(tool, tools) ?? sampleArguments(tool);
      try {
        const result = await registry.callTool(serverName, tool.name, args);
        log.info(`Called "${tool.name}": ${JSON.stringify(result.content).slice(0, 200)}`);
      } catch (e) {
        log.error(isMcpSessionError(e) ? e.describe() : String(e));
        failed.push(tool.name);
      }
    }
    if (failed.length) throw new Error(`${failed.length} of ${tools.length} tool calls failed: ${failed.join(', ')}.`);
  } finally {
    const report = await registry.shutdown();
    log.info(`Shut down: ${report.servers.map((s) => `${s.server}=${s.outcome}`).join(', ')}`);
  }
}

const url = process.argv[2];
if (!url) {
  process.stderr.write('usage: client.js <server-url> (with MCP_CONFORMANCE_SCENARIO set)\n');
  process.exit(2);
}
log.info(`Scenario ${process.env.MCP_CONFORMANCE_SCENARIO ?? '(unset)'} against ${url}`);
run(url).then(
  () => process.exit(0),
  (e) => {
    log.error(isMcpSessionError(e) ? e.describe() : String((e as Error)?.stack ?? e));
    process.exit(1);
  },
);

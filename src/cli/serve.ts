// `mcp-sessions serve`: the configured servers, headless, behind the same loopback gateway the
// editor runs (src/core/gateway), for terminals and CI. Other commands of this workspace find it
// through its discovery file and use it: their calls are warm (no spawn, no handshake).
//
// Servers start on first use and are restarted after a crash (the host's registry is built with
// the default crash policy for `serve`). The run ends at the first SIGINT / SIGTERM / SIGHUP
// (the host's signal, exit 130 / 143 / 129) or, with --idle-timeout, once no request has been
// in flight for that long (exit 0). Either way: the discovery file is removed, the gateway
// closed, and the host stops every server (host.ts teardown), leaving no process.

import { version } from '../../package.json';
import { errorMessage } from '../core/errors';
import { removeDiscoveryFile, runtimeDir, writeDiscoveryFile } from '../core/gateway/discovery';
import { McpGateway } from '../core/gateway/gateway';
import { lineLogger, nullLogger } from '../core/logger';
import type { ServerDefinition } from '../core/definitions';
import type { CommandContext } from './commands';
import { ServerResolver, type LoadedConfiguration } from './configuration';
import { CliError, ExitCode } from './exitCodes';
import { cliWorkspaceId } from './gatewaySessions';

export async function serve(context: CommandContext, config: LoadedConfiguration, signal: AbortSignal): Promise<number> {
  const { options } = context.commandLine;
  const resolver = new ServerResolver(context.inputs, context.env, context.redactor);
  const definitions: ServerDefinition[] = [];
  for (const server of config.servers) {
    try {
      definitions.push(await resolver.resolve(server));
    } catch (e) {
      if (!(e instanceof CliError) || e.exitCode !== ExitCode.usage) throw e;
      context.stderr(`mcp-sessions: "${server.raw.name}" is not served: ${e.message}\n`);
    }
  }
  const registry = context.host.registry;
  registry.reconcile(definitions);

  const gateway = await McpGateway.start({
    registry,
    router: context.clientRequests,
    redactor: context.redactor,
    version,
    logger: options.verbose ? lineLogger((line) => context.stderr(`${line}\n`)) : nullLogger,
  });
  let discovery: string | undefined;
  try {
    const workspace = cliWorkspaceId(context.cwd, options.workspace);
    discovery = writeDiscoveryFile({ port: gateway.port, token: gateway.token, workspace, pid: process.pid, version, host: 'serve', startedAt: Date.now() }, runtimeDir(context.env));
    // Where it listens, not the token: that stays in the discovery file (mode 0600).
    context.stdout(`${JSON.stringify({ url: `http://127.0.0.1:${gateway.port}/mcp/`, servers: definitions.map((d) => d.name), workspace, discovery, pid: process.pid })}\n`);
    await untilStopped(gateway, signal, options.idleTimeoutMs);
    if (options.verbose && !signal.aborted) context.stderr(`[info] no request for ${options.idleTimeoutMs} ms: stopping\n`);
    return ExitCode.ok;
  } catch (e) {
    throw new CliError(ExitCode.serverFailure, `the gateway failed: ${errorMessage(e)}`);
  } finally {
    if (discovery) removeDiscoveryFile(discovery);
    await gateway.close();
  }
}

/** Resolves at the first signal, or once the gateway has been idle for `idleTimeoutMs`. */
function untilStopped(gateway: McpGateway, signal: AbortSignal, idleTimeoutMs: number | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer =
      idleTimeoutMs === undefined
        ? undefined
        : setInterval(
            () => {
              if (gateway.idleForMs() >= idleTimeoutMs) done();
            },
            Math.min(1000, Math.max(50, idleTimeoutMs / 4)),
          );
    const done = () => {
      clearInterval(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done);
  });
}

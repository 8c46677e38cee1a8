// Runs one parsed command line in a CliHost and turns its outcome into an exit code, writing
// the failure (with the server's stderr tail) to stderr.

import { readFileSync } from 'node:fs';
import type { CommandLine } from './args';
import { failureMessage, runCommand } from './commands';
import { ExitCode, exitCodeFor } from './exitCodes';
import { CliHost } from './host';
import { CliInputReader } from './inputs';
import { processTerminal } from './prompt';

/** Exit code of a CLI whose reader closed stdout (`… | head`), as if killed by SIGPIPE. */
const brokenPipeExitCode = 141;

export async function execute(commandLine: CommandLine): Promise<number> {
  const diagnostic = (line: string) => process.stderr.write(`${line}\n`);
  const host = new CliHost({
    verbose: commandLine.options.verbose,
    connectTimeoutMs: commandLine.options.connectTimeoutMs,
    requestTimeoutMs: commandLine.options.timeoutMs,
    maxMessageBytes: commandLine.options.maxMessageMiB === undefined ? undefined : commandLine.options.maxMessageMiB * 1024 * 1024,
    diagnostic,
    exit: (code) => process.exit(code),
  });
  let stdoutBroken = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    stdoutBroken = true;
    host.interrupt(brokenPipeExitCode);
  });
  const terminal = processTerminal();
  try {
    return await host.run((signal) =>
      runCommand(
        {
          commandLine,
          host,
          cwd: process.cwd(),
          env: process.env,
          inputs: new CliInputReader(process.env, terminal),
          stdout: (text) => {
            if (!stdoutBroken) process.stdout.write(text);
          },
          stderr: (text) => process.stderr.write(text),
          readStdin: () => readFileSync(0, 'utf8'),
          showProgress: process.stderr.isTTY === true,
        },
        signal,
      ),
    );
  } catch (e) {
    if (host.interrupted !== undefined) return host.interrupted;
    const code = exitCodeFor(e);
    diagnostic(`mcp-sessions: ${failureMessage(e)}`);
    return code === ExitCode.ok ? ExitCode.serverFailure : code;
  }
}

// Runs one parsed command line in a CliHost and turns its outcome into an exit code, writing
// the failure (with the server's stderr tail) to stderr. Everything written to stdout and
// stderr goes through one SecretRedactor, which learns each secret as it is resolved.

import { readFileSync } from 'node:fs';
import type { CommandLine } from './args';
import { failureMessage, runCommand } from './commands';
import { ExitCode, exitCodeFor } from './exitCodes';
import { terminalText } from '../core/displayText';
import { CliHost } from './host';
import { decliningClientRequests } from '../core/clientRequests';
import { ClientRequestRouter } from '../core/gateway/clientRequestRouter';
import { CliInputReader } from './inputs';
import { processTerminal } from './prompt';
import { SecretRedactor } from '../core/redact';

/** Exit code of a CLI whose reader closed stdout (`… | head`), as if killed by SIGPIPE. */
const brokenPipeExitCode = 141;

export async function execute(commandLine: CommandLine): Promise<number> {
  const redactor = new SecretRedactor();
  // Diagnostics carry server names, server stderr and error messages: redacted, then escaped, always.
  const diagnostic = (line: string) => process.stderr.write(`${terminalText(redactor.redact(line), true)}\n`);
  // `serve`: a server's question goes back to the gateway client whose call it is, when that client can answer.
  const clientRequests = new ClientRequestRouter(decliningClientRequests);
  const host = new CliHost({
    redactor,
    verbose: commandLine.options.verbose,
    connectTimeoutMs: commandLine.options.connectTimeoutMs,
    requestTimeoutMs: commandLine.options.timeoutMs,
    maxMessageBytes: commandLine.options.maxMessageMiB === undefined ? undefined : commandLine.options.maxMessageMiB * 1024 * 1024,
    restartOnCrash: commandLine.command === 'serve',
    clientRequests,
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
          redactor,
          stdout: (text) => {
            if (!stdoutBroken) process.stdout.write(redactor.redact(text));
          },
          stderr: (text) => process.stderr.write(redactor.redact(text)),
          readStdin: () => readFileSync(0, 'utf8'),
          clientRequests,
          showProgress: process.stderr.isTTY === true,
          stdoutIsTerminal: process.stdout.isTTY === true,
          stderrIsTerminal: process.stderr.isTTY === true,
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

// mcp-sessions: parse the command line, run the command, exit with its code (docs/cli.md).

import { parseCommandLine, usageLine } from './args';
import { ExitCode } from './exitCodes';
import { execute } from './run';
import { version } from '../../package.json';

async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv);
  switch (parsed.kind) {
    case 'help':
      process.stdout.write(`${parsed.text}\n`);
      return ExitCode.ok;
    case 'version':
      process.stdout.write(`${version}\n`);
      return ExitCode.ok;
    case 'error': {
      const usage = parsed.command ? `Usage: ${usageLine(parsed.command)}\n` : '';
      process.stderr.write(`mcp-sessions: ${parsed.message}\n${usage}Run "mcp-sessions ${parsed.command ? `${parsed.command} ` : ''}--help" for help.\n`);
      return ExitCode.usage;
    }
    case 'run':
      return execute(parsed.commandLine);
  }
}

// Exit once stdout has taken everything written to it.
void main(process.argv.slice(2)).then((code) => process.stdout.write('', () => process.exit(code)));

// Values for ${input:ID}: from the environment variable MCP_INPUT_<ID>, else asked on the
// terminal, else the input's default. With none of those the command cannot run: a usage
// error that names the input and the variable to set.

import type { InputDefinition } from '../core/config';
import { terminalText } from '../core/displayText';
import { usageError } from './exitCodes';
import { ask, type Terminal } from './prompt';

export interface InputReader {
  /** The value of one input; undefined when the user ended the input (Ctrl-D). */
  read(id: string, definition: InputDefinition | undefined, server: string): Promise<string | undefined>;
}

/** `notes-owner` → `MCP_INPUT_NOTES_OWNER`. */
export function inputVariableName(id: string): string {
  return `MCP_INPUT_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

export class CliInputReader implements InputReader {
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly terminal: Terminal | undefined,
  ) {}

  async read(id: string, definition: InputDefinition | undefined, server: string): Promise<string | undefined> {
    const variable = inputVariableName(id);
    const fromEnv = this.env[variable];
    const needs = `the server "${server}" needs the input "${id}"${definition?.description ? ` (${definition.description})` : ''}`;
    if (fromEnv !== undefined) {
      if (definition?.type === 'pickString' && definition.options && !definition.options.includes(fromEnv)) {
        throw usageError(`${variable} must be one of ${definition.options.map((o) => JSON.stringify(o)).join(', ')}; ${needs}`);
      }
      return fromEnv;
    }
    if (definition?.type === 'command') {
      throw usageError(`${needs}, which runs the VS Code command "${definition.command}"; the CLI cannot run it. Set ${variable}.`);
    }
    if (this.terminal) return this.ask(this.terminal, id, definition);
    if (definition?.default !== undefined) return definition.default;
    throw usageError(`${needs}: set ${variable}, or run in a terminal to be asked`);
  }

  private async ask(terminal: Terminal, id: string, definition: InputDefinition | undefined): Promise<string | undefined> {
    // Description, options and default come from the configuration file: escaped on the terminal.
    const label = terminalText(definition?.description ?? id);
    const fallback = definition?.default;
    if (definition?.type === 'pickString' && definition.options?.length) {
      const options = definition.options;
      terminal.output.write(`${label}:\n${options.map((o, i) => `  ${i + 1}) ${terminalText(o)}`).join('\n')}\n`);
      for (;;) {
        const answer = await ask(terminal, `Choose 1-${options.length}${fallback !== undefined ? ` [${terminalText(fallback)}]` : ''}: `);
        if (answer === undefined) return undefined;
        if (answer === '' && fallback !== undefined) return fallback;
        const picked = options[Number(answer) - 1] ?? options.find((o) => o === answer);
        if (picked !== undefined) return picked;
      }
    }
    const hidden = definition?.password === true;
    const shownDefault = fallback !== undefined && !hidden ? ` [${terminalText(fallback)}]` : '';
    const answer = await ask(terminal, `${label}${shownDefault}: `, { hidden });
    if (answer === '' && fallback !== undefined) return fallback;
    return answer;
  }
}

// `${input:id}` values. Asked once (an input box, masked for password inputs; a quick pick for
// pickString) and kept in SecretStorage; `command` inputs run their command each time they are
// needed and are kept in memory for this window only. Every value that could be a secret
// (password and command inputs) is registered with the SecretRedactor before it is used anywhere.
//
// A stored value is bound to what asked for it (InputBinding): the file that declares the
// input, the input's definition, the server definition that uses it and the identity of the
// folder holding the file. Change any of them — edit the server or the input, or clone another
// repository to the same path — and the value is asked for again instead of being handed to
// something the user never gave it to.

import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import type { InputDefinition } from '../core/config';
import { iconLabelText, labelText } from '../core/displayText';
import type { Logger } from '../core/logger';
import type { SecretRedactor } from '../core/redact';

const indexKey = 'mcpSessions.storedInputs';

/** What a stored input value is bound to; see the top of this file. */
export interface InputBinding {
  /** The file that declares the input (or "user" for the user settings). */
  scope: string;
  /** Fingerprint of the server definition as written, variables unresolved. */
  definition: string;
  /** Device, inode and birth time of the folder that holds the file. */
  folderIdentity: string;
}

/** Answers input prompts instead of the UI; set by integration tests only. */
export type InputPromptOverride = (input: InputDefinition, server: string) => string | undefined;

export class InputStore {
  private readonly commandResults = new Map<string, string>();
  promptOverride: InputPromptOverride | undefined;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    /** globalState: the list of stored keys, since SecretStorage cannot enumerate its own. */
    private readonly index: vscode.Memento,
    private readonly redactor: SecretRedactor,
    private readonly logger: Logger,
  ) {}

  private key(binding: InputBinding, input: InputDefinition): string {
    const fingerprint = createHash('sha256').update(JSON.stringify([input, binding.definition, binding.folderIdentity])).digest('hex').slice(0, 32);
    return `mcpSessions.input:${binding.scope}#${input.id}@${fingerprint}`;
  }

  /** The stored value, or undefined when the input was never answered for this binding. Never prompts. */
  async get(binding: InputBinding, input: InputDefinition): Promise<string | undefined> {
    const key = this.key(binding, input);
    const value = input.type === 'command' ? this.commandResults.get(key) : await this.secrets.get(key);
    if (value !== undefined && isSecret(input)) this.redactor.add(value, `\${input:${input.id}}`);
    return value;
  }

  /** Asks for the value (on behalf of `server`) and stores it; undefined when the user cancelled. */
  async ask(binding: InputBinding, input: InputDefinition, server: string): Promise<string | undefined> {
    const value = await this.prompt(input, server);
    if (value === undefined) return undefined;
    if (isSecret(input)) this.redactor.add(value, `\${input:${input.id}}`);
    const key = this.key(binding, input);
    if (input.type === 'command') {
      this.commandResults.set(key, value);
    } else {
      await this.secrets.store(key, value);
      const keys = new Set(this.index.get<string[]>(indexKey, []));
      keys.add(key);
      await this.index.update(indexKey, [...keys]);
    }
    this.logger.info(`Stored the value of input "${input.id}" (asked for server "${server}")`);
    return value;
  }

  /** Deletes every stored value; returns how many there were. */
  async clear(): Promise<number> {
    const keys = this.index.get<string[]>(indexKey, []);
    await Promise.all(keys.map((key) => this.secrets.delete(key)));
    await this.index.update(indexKey, []);
    const count = keys.length + this.commandResults.size;
    this.commandResults.clear();
    return count;
  }

  private async prompt(input: InputDefinition, server: string): Promise<string | undefined> {
    if (this.promptOverride) return this.promptOverride(input, server);
    // Server names and input definitions come from workspace files; these surfaces render links and icons.
    const title = iconLabelText(`MCP server "${server}": ${input.description ?? input.id}`);
    switch (input.type) {
      case 'pickString': {
        const items = (input.options ?? []).map((option) => ({ label: iconLabelText(option), option }));
        const placeHolder = input.default === undefined ? undefined : iconLabelText(input.default);
        const picked = await vscode.window.showQuickPick(items, { title, placeHolder, ignoreFocusOut: true });
        return picked?.option;
      }
      case 'command': {
        if (!input.command) return undefined;
        const result: unknown = await vscode.commands.executeCommand(input.command, ...(input.args === undefined ? [] : [input.args]));
        return typeof result === 'string' ? result : result === undefined ? undefined : JSON.stringify(result);
      }
      default:
        return vscode.window.showInputBox({
          title,
          prompt: iconLabelText(`Value of \${input:${input.id}}. It is kept in VS Code's secret storage; "MCP Sessions: Clear Stored Inputs" forgets it.`),
          value: input.password || input.default === undefined ? undefined : labelText(input.default),
          password: input.password === true,
          ignoreFocusOut: true,
        });
    }
  }
}

function isSecret(input: InputDefinition): boolean {
  return input.password === true || input.type === 'command';
}

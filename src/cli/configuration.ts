// Reads the configuration files named on the command line (or the default .vscode/mcp.json),
// and resolves the variables of the servers a command uses — only those, so `call a …` never
// asks for an input that only server b needs.

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, relative, resolve } from 'node:path';
import { decodeConfigText, parseConfig, resolveServer, shownForm, ConfigResolutionError, type ConfigIssue, type InputAnswers, type InputDefinition, type RawServerDefinition } from '../core/config';
import type { ServerDefinition } from '../core/definitions';
import { ServerNames } from '../core/serverNames';
import { usageError } from './exitCodes';
import type { SecretRedactor } from '../core/redact';
import type { InputReader } from './inputs';

export interface ConfiguredServer {
  raw: RawServerDefinition;
  /** The inputs declared by the file the server comes from. */
  inputs: InputDefinition[];
  workspaceFolder: string;
  /** The file as shown to the user: relative to the current folder when inside it. */
  displayFile: string;
}

export interface LoadedConfiguration {
  servers: ConfiguredServer[];
  /** True when any file had an error (its broken servers are left out). */
  hasErrors: boolean;
  /** Servers left out because their definitions have errors. */
  brokenServers: Set<string>;
  /** The files read, as shown to the user. */
  displayFiles: string[];
}

export const defaultConfigFile = '.vscode/mcp.json';

/**
 * ${workspaceFolder} is the folder above `.vscode/` for a `.vscode/mcp.json`, as in VS Code;
 * for any other file it is the current folder, unless --workspace says otherwise.
 */
function workspaceFolderOf(file: string, cwd: string, override: string | undefined): string {
  if (override !== undefined) return resolve(cwd, override);
  if (basename(dirname(file)) === '.vscode') return dirname(dirname(file));
  return cwd;
}

function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') ? rel : file;
}

/** Reads and validates the files; each problem goes to `report` as soon as it is found. */
export function loadConfiguration(configs: string[], options: { cwd: string; workspace?: string; report(issue: ConfigIssue): void }): LoadedConfiguration {
  const { cwd, report } = options;
  const explicit = configs.length > 0;
  const files = (explicit ? configs : [defaultConfigFile]).map((f) => resolve(cwd, f));
  const loaded: LoadedConfiguration = { servers: [], hasErrors: false, brokenServers: new Set(), displayFiles: files.map((f) => displayPath(f, cwd)) };
  const names = new ServerNames();

  for (const file of files) {
    let text: string;
    try {
      text = decodeConfigText(readFileSync(file));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !explicit) {
        throw usageError(`no configuration: ${file} does not exist. Pass --config FILE (a .vscode/mcp.json, or a Claude Desktop / Cursor configuration).`);
      }
      throw usageError(code === 'ENOENT' ? `the configuration file ${file} does not exist` : `the configuration file ${file} cannot be read: ${(e as Error).message}`);
    }
    const displayFile = displayPath(file, cwd);
    const parsed = parseConfig(text, { file, label: displayFile });
    parsed.issues.forEach(report);
    if (parsed.issues.some((i) => i.severity === 'error')) loaded.hasErrors = true;
    if (parsed.issues.some((i) => i.severity === 'error' && i.path.length === 0)) {
      // Syntax errors or a file that is not an object: nothing in it can be trusted.
      throw usageError(`the configuration file ${file} cannot be used (see the errors above)`);
    }
    for (const issue of parsed.issues) {
      const [section, name] = issue.path;
      if (issue.severity === 'error' && (section === 'servers' || section === 'mcpServers') && typeof name === 'string') loaded.brokenServers.add(name);
    }
    const workspaceFolder = workspaceFolderOf(file, cwd, options.workspace);
    // A .vscode/mcp.json is named by its folder, as in the extension; any other file by its name.
    const suffix = basename(dirname(file)) === '.vscode' ? basename(dirname(dirname(file))) : basename(file);
    for (const raw of parsed.servers) {
      const { name, renamed } = names.claim(raw.name, { label: displayFile, suffix });
      if (renamed) report({ file, path: raw.source.jsonPath ?? [], message: `server ${renamed}`, severity: 'warning', offset: 0, length: 0 });
      loaded.servers.push({ raw: renamed ? { ...raw, name } : raw, inputs: parsed.inputs, workspaceFolder, displayFile });
    }
  }
  return loaded;
}

/** The configured server called `name`, or a usage error that says why there is none. */
export function findServer(config: LoadedConfiguration, name: string): ConfiguredServer {
  const server = config.servers.find((s) => s.raw.name === name);
  if (server) return server;
  if (config.brokenServers.has(name)) throw usageError(`the server "${name}" cannot be used: its configuration has errors (see above)`);
  const names = config.servers.map((s) => s.raw.name);
  throw usageError(`no server named "${name}" in ${config.displayFiles.join(', ')}${names.length ? `; configured: ${names.join(', ')}` : ''}`);
}

/**
 * The server as `list` shows it: ${workspaceFolder} and ${userHome} substituted, but
 * ${env:…} and ${input:…} left as written — they may hold secrets, and listing asks nothing.
 */
export function shownServer(server: ConfiguredServer): ServerDefinition {
  return shownForm(server.raw, { workspaceFolder: server.workspaceFolder, userHome: homedir() });
}

/** Substitutes variables; inputs are asked once per run and shared between servers. */
export class ServerResolver {
  private readonly answers: InputAnswers = new Map();

  constructor(
    private readonly inputs: InputReader,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly redactor?: SecretRedactor,
  ) {}

  async resolve(server: ConfiguredServer): Promise<ServerDefinition> {
    const name = server.raw.name;
    try {
      return await resolveServer(
        server.raw,
        {
          env: (variable) => this.env[variable],
          workspaceFolder: server.workspaceFolder,
          userHome: homedir(),
          input: (id, definition) => this.inputs.read(id, definition, name),
          secret: (value, variable) => this.redactor?.add(value, variable),
        },
        server.inputs,
        this.answers,
      );
    } catch (e) {
      if (e instanceof ConfigResolutionError) throw usageError(`${e.message} (${server.displayFile})`);
      throw e;
    }
  }
}

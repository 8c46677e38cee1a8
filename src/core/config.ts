// Parses, validates and resolves server configuration files: VS Code's mcp.json
// (`servers` + `inputs`) and the Claude Desktop / Cursor shape (`mcpServers`).
// Every problem carries a JSON path and a text range so the extension can show it as a
// diagnostic; one bad server never hides the valid ones. See docs/configuration.md.

// The package's UMD entry point (its "main") cannot be bundled by esbuild: it requires its
// modules through a local `require` that the bundle does not provide. The ESM build can.
import { createScanner, getNodeValue, parseTree, printParseErrorCode, SyntaxKind, type Node, type ParseError } from 'jsonc-parser/lib/esm/main.js';
import { dirname, isAbsolute, relative, resolve as resolvePath, sep } from 'node:path';
import { maxTimeoutMs, type DefinitionSource, type DevMode, type RemoteServerDefinition, type ServerDefinition, type StdioServerDefinition } from './definitions';
import { watchGlobProblem } from './devMode';
import { secretVariable } from './redact';

export type JsonPath = (string | number)[];

export interface ConfigIssue {
  /** The file, or the setting's label when the configuration did not come from a file. */
  file: string;
  path: JsonPath;
  message: string;
  severity: 'error' | 'warning' | 'info';
  /** Range in the file's text; 0/0 when the configuration was not parsed from text. */
  offset: number;
  length: number;
}

export interface InputDefinition {
  id: string;
  type: 'promptString' | 'pickString' | 'command';
  description?: string;
  password?: boolean;
  default?: string;
  /** For `pickString`: the values to pick from. */
  options?: string[];
  /** For `command`: the VS Code command whose result is the value, and its arguments. */
  command?: string;
  args?: unknown;
}

/**
 * A server as written: the ServerDefinition shape, but with `${…}` variables, a leading `~`
 * and relative paths still unresolved. Pass it through `resolveServer` before starting it.
 */
export type RawServerDefinition = ServerDefinition;

export interface ParsedConfig {
  servers: RawServerDefinition[];
  inputs: InputDefinition[];
  issues: ConfigIssue[];
  /** Server entries left out for an error of their own, in file order (see lastValid.ts). */
  invalidServers: InvalidServerEntry[];
  /**
   * Set when the file as a whole could not be read (a syntax error, too deep, not an object, a
   * server section that is not an object): the first such error. It configures no servers then,
   * which says nothing about the servers it had: the extension keeps their last valid version.
   */
  unreadable?: ConfigIssue;
}

/** A server entry that was not read because of an error of its own (e.g. `"command": 42`). */
export interface InvalidServerEntry {
  name: string;
  /** The entry's first error. */
  issue: ConfigIssue;
  source: DefinitionSource;
  /** How many of the file's valid servers come before it, so the file's order can be kept. */
  precedingServers: number;
}

export interface ConfigSource {
  /** Absolute path of the file; absent for settings. */
  file?: string;
  label: string;
  fromWorkspace?: boolean;
}

/**
 * Deepest nesting of objects and arrays a configuration may have. Real files need a handful
 * of levels; the cap keeps the recursive parser far from the stack's end.
 */
export const maxNestingDepth = 100;

/**
 * The text of a configuration file's bytes: UTF-8 without its byte order mark, the way the
 * extension and the CLI both read files (malformed bytes become U+FFFD).
 */
export function decodeConfigText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

/** Parses a JSONC configuration file (comments and trailing commas allowed) in either shape. Never throws. */
export function parseConfig(text: string, source: ConfigSource & { file: string }): ParsedConfig {
  const lines = new LineIndex(text);
  const syntaxIssue = (message: string, at: number, length: number): ConfigIssue => {
    // jsonc-parser can place an error past the end (an unterminated comment at the very end).
    const offset = Math.min(at, text.length);
    const { line, character } = lines.position(offset);
    return { file: source.file, path: [], message: `${message} (line ${line + 1}, column ${character + 1})`, severity: 'error', offset, length: Math.min(length, text.length - offset) };
  };
  const tooDeep = firstOffsetDeeperThan(text, maxNestingDepth);
  if (tooDeep !== undefined) {
    const issue = syntaxIssue(`nested more than ${maxNestingDepth} levels deep, so the file is not read`, tooDeep, 1);
    return { servers: [], inputs: [], issues: [issue], invalidServers: [], unreadable: issue };
  }
  const syntaxErrors: ParseError[] = [];
  const root = parseTree(text, syntaxErrors, { allowTrailingComma: true, allowEmptyContent: true });
  if (syntaxErrors.length > 0) {
    // A tree built around syntax errors can hold half-read values (a truncated string, a
    // missing property), so a broken file contributes no servers at all.
    const issues = syntaxErrors.map((e) => syntaxIssue(syntaxErrorMessages[printParseErrorCode(e.error)] ?? 'invalid JSON', e.offset, e.length));
    return { servers: [], inputs: [], issues, invalidServers: [], unreadable: issues[0] };
  }
  const result: ParsedConfig = { servers: [], inputs: [], issues: [], invalidServers: [] };
  if (!root) return result; // an empty file (or only comments) configures nothing
  const locator = textLocator(text, root);
  const reader = new ConfigReader(source, locator, result);

  if (root.type !== 'object') {
    result.unreadable = reader.report('error', [], `the configuration must be a JSON object, got ${typeName(getNodeValue(root))}`);
    return result;
  }
  const duplicateKey = (path: JsonPath, key: Node) =>
    reader.report('warning', path, `duplicate key "${String(key.value)}": only the first one is read`, 'key', { offset: key.offset, length: key.length });
  const topLevel = locator.properties(root, (key) => duplicateKey([key.value as string], key));
  const hasServers = topLevel.has('servers');
  const hasMcpServers = topLevel.has('mcpServers');
  if (!hasServers && !hasMcpServers && topLevel.size > 0) {
    reader.report('warning', [], 'no "servers" (VS Code) or "mcpServers" (Claude Desktop, Cursor) object: this file configures no servers');
  }
  // Claude Desktop's file also holds the app's own settings, so only VS Code's mcp.json,
  // whose keys are all ours, gets warnings for keys it does not know.
  if (hasServers && !hasMcpServers) {
    for (const key of topLevel.keys()) {
      if (key !== 'servers' && key !== 'inputs') reader.report('warning', [key], `unknown property "${key}" is ignored`, 'key');
    }
  }
  const inputsNode = topLevel.get('inputs');
  if (inputsNode) result.inputs = reader.readInputs(nodeValue(inputsNode, ['inputs'], duplicateKey));

  const seenNames = new Set<string>();
  for (const section of ['servers', 'mcpServers']) {
    const sectionNode = topLevel.get(section);
    if (!sectionNode) continue;
    if (sectionNode.type !== 'object') {
      result.unreadable ??= reader.report('error', [section], `must be an object mapping server names to servers, got ${typeName(getNodeValue(sectionNode))}`);
      continue;
    }
    // Walk the properties rather than take the section's value: that would keep only one of two
    // servers of the same name, and readServers reports the second.
    const entries = (sectionNode.children ?? []).map((property) => {
      const [key, value] = property.children as [Node, Node];
      const name = key.value as string;
      return { name, value: nodeValue(value, [section, name], duplicateKey), keyRange: { offset: key.offset, length: key.length } };
    });
    reader.readServers(entries, [section], seenNames, new Set(result.inputs.map((i) => i.id)));
  }
  return result;
}

/** Zero-based line and character of offsets in a text; the line starts are found once. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(private readonly text: string) {
    // \r\n, \r and \n each end a line, as in VS Code's documents.
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 13 && text.charCodeAt(i + 1) === 10) i++;
      if (ch === 13 || ch === 10) this.starts.push(i + 1);
    }
  }

  /** The position of `offset`, clamped to the text. */
  position(offset: number): { line: number; character: number } {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.starts[middle] <= clamped) low = middle;
      else high = middle - 1;
    }
    return { line: low, character: clamped - this.starts[low] };
  }
}

/**
 * The offset of the first `{` or `[` that opens a level deeper than `limit`, outside strings
 * and comments; undefined when the text stays within it. One pass, no recursion.
 */
function firstOffsetDeeperThan(text: string, limit: number): number | undefined {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let token = scanner.scan(); token !== SyntaxKind.EOF; token = scanner.scan()) {
    if (token === SyntaxKind.OpenBraceToken || token === SyntaxKind.OpenBracketToken) {
      if (++depth > limit) return scanner.getTokenOffset();
    } else if (token === SyntaxKind.CloseBraceToken || token === SyntaxKind.CloseBracketToken) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

/**
 * A node's value, like jsonc-parser's getNodeValue, except that of two equal keys the first
 * wins (as in the locator, so a problem's range points at the value that was read) and each
 * later one is reported, and that every key is an own property (`__proto__` included).
 */
function nodeValue(node: Node, path: JsonPath, onDuplicate: (path: JsonPath, key: Node) => void): unknown {
  // Paths are built only for containers: the primitives, most of a file, need none.
  const child = (value: Node, segment: string | number): unknown => (value.type === 'object' || value.type === 'array' ? nodeValue(value, [...path, segment], onDuplicate) : value.value);
  switch (node.type) {
    case 'array':
      return (node.children ?? []).map(child);
    case 'object': {
      const value: Record<string, unknown> = {};
      for (const property of node.children ?? []) {
        const [key, valueNode] = property.children as [Node, Node | undefined];
        const name = key.value as string;
        if (Object.hasOwn(value, name)) onDuplicate([...path, name], key);
        else Object.defineProperty(value, name, { value: valueNode && child(valueNode, name), enumerable: true, writable: true, configurable: true });
      }
      return value;
    }
    default:
      return node.value;
  }
}

/**
 * Validates servers given as an already-parsed object, e.g. the `mcpSessions.servers` user
 * setting: `{ name: server }` in the VS Code shape. Issues have no text range (offset and length 0).
 */
export function parseServersObject(value: unknown, source: ConfigSource, basePath: JsonPath): ParsedConfig {
  const result: ParsedConfig = { servers: [], inputs: [], issues: [], invalidServers: [] };
  if (value === undefined || value === null) return result;
  const reader = new ConfigReader(source, noTextLocator, result);
  if (!isPlainObject(value)) {
    result.unreadable = reader.report('error', basePath, `must be an object mapping server names to servers, got ${typeName(value)}`);
    return result;
  }
  const entries = Object.entries(value).map(([name, server]) => ({ name, value: server }));
  reader.readServers(entries, basePath, new Set(), new Set());
  return result;
}

/** "file: servers.echo.args[1]: must be a string, got number". */
export function formatIssue(issue: ConfigIssue): string {
  return issue.path.length > 0 ? `${issue.file}: ${formatJsonPath(issue.path)}: ${issue.message}` : `${issue.file}: ${issue.message}`;
}

/** `servers.echo.args[1]`; names that are not plain words are quoted: `servers["my.server"]`. */
export function formatJsonPath(path: JsonPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[\w$-]+$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Validation

interface TextRange {
  offset: number;
  length: number;
}

/** Maps JSON paths to text ranges: of the value, of its property name, or of a substring of a string value. */
interface Locator {
  at(path: JsonPath, part: 'key' | 'value'): TextRange;
  substring(path: JsonPath, needle: string): TextRange;
}

const noTextLocator: Locator = { at: () => ({ offset: 0, length: 0 }), substring: () => ({ offset: 0, length: 0 }) };

interface TextLocator extends Locator {
  /** An object node's properties by name, the first of equal keys winning; later keys go to `onDuplicate`. */
  properties(node: Node, onDuplicate?: (key: Node) => void): Map<string, Node>;
}

/**
 * Finds nodes by path through a map of each object's properties, built once per object: with
 * thousands of servers in a section, a linear search per problem would make reporting quadratic.
 */
function textLocator(text: string, root: Node): TextLocator {
  const propertyMaps = new WeakMap<Node, Map<string, Node>>();
  const properties = (node: Node, onDuplicate?: (key: Node) => void): Map<string, Node> => {
    let map = propertyMaps.get(node);
    if (map) return map;
    map = new Map();
    for (const property of node.children ?? []) {
      const [key, value] = property.children as [Node, Node | undefined];
      const name = key.value as string;
      if (map.has(name)) onDuplicate?.(key);
      else if (value) map.set(name, value);
    }
    propertyMaps.set(node, map);
    return map;
  };
  const nodeAt = (path: JsonPath): Node | undefined => {
    let node: Node | undefined = root;
    for (let i = 0; node && i < path.length; i++) {
      const segment = path[i];
      if (typeof segment === 'number') node = node.type === 'array' ? node.children?.[segment] : undefined;
      else node = node.type === 'object' ? properties(node).get(segment) : undefined;
    }
    return node;
  };
  const at = (path: JsonPath, part: 'key' | 'value'): TextRange => {
    const node = nodeAt(path);
    if (!node) return { offset: 0, length: 0 };
    const key = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
    if (part === 'key' && key) return { offset: key.offset, length: key.length };
    // The whole document would underline the whole file; its opening brace is enough.
    if (path.length === 0) return { offset: node.offset, length: 1 };
    return { offset: node.offset, length: node.length };
  };
  return {
    properties,
    at,
    substring(path, needle) {
      const node = nodeAt(path);
      // Searched within the value only, so many problems never rescan the rest of the file.
      const found = node ? text.slice(node.offset, node.offset + node.length).indexOf(needle) : -1;
      // A needle written with JSON escapes is not found verbatim: fall back to the whole string.
      if (!node || found < 0) return at(path, 'value');
      return { offset: node.offset + found, length: needle.length };
    },
  };
}

const timeoutKeys = ['requestTimeoutMs', 'maxTotalTimeoutMs'] as const;
const stdioKeys = new Set(['type', 'command', 'args', 'env', 'envFile', 'cwd', 'dev', 'disabled', ...timeoutKeys]);
const remoteKeys = new Set(['type', 'url', 'headers', 'disabled', ...timeoutKeys]);
const inputKeys = new Set(['id', 'type', 'description', 'password', 'default', 'options', 'command', 'args']);

const serverTypes: Record<string, 'stdio' | 'http' | 'sse'> = {
  stdio: 'stdio',
  http: 'http',
  sse: 'sse',
  // Spellings used by Cursor, Cline and others for Streamable HTTP.
  'streamable-http': 'http',
  streamableHttp: 'http',
};

/** Reads servers and inputs out of plain values, reporting each problem once with its path and range. */
class ConfigReader {
  private readonly file: string;
  /** Errors reported so far: a server or input with an error of its own is left out. */
  private errors = 0;

  constructor(
    private readonly source: ConfigSource,
    private readonly locator: Locator,
    private readonly result: ParsedConfig,
  ) {
    this.file = source.file ?? source.label;
  }

  report(severity: ConfigIssue['severity'], path: JsonPath, message: string, part: 'key' | 'value' = 'value', range?: TextRange): ConfigIssue {
    const { offset, length } = range ?? this.locator.at(path, part);
    if (severity === 'error') this.errors++;
    const issue: ConfigIssue = { file: this.file, path, message, severity, offset, length };
    this.result.issues.push(issue);
    return issue;
  }

  readServers(entries: { name: string; value: unknown; keyRange?: TextRange }[], basePath: JsonPath, seenNames: Set<string>, inputIds: Set<string>): void {
    for (const { name, value, keyRange } of entries) {
      const path = [...basePath, name];
      if (seenNames.has(name)) {
        this.report('error', path, `duplicate server name "${name}": this definition is ignored`, 'key', keyRange);
        continue;
      }
      seenNames.add(name);
      const issuesBefore = this.result.issues.length;
      const server = this.readServer(name, value, path, inputIds);
      if (server) {
        this.result.servers.push(server);
        continue;
      }
      // A disabled server is left out on purpose, and one without a name cannot be shown.
      const issue = this.result.issues.slice(issuesBefore).find((i) => i.severity === 'error');
      if (issue && name.trim() !== '') {
        const source: DefinitionSource = { label: this.source.label, file: this.source.file, jsonPath: path, fromWorkspace: this.source.fromWorkspace };
        this.result.invalidServers.push({ name, issue, source, precedingServers: this.result.servers.length });
      }
    }
  }

  private readServer(name: string, value: unknown, path: JsonPath, inputIds: Set<string>): RawServerDefinition | undefined {
    if (name.trim() === '') {
      this.report('error', path, 'a server name must not be empty', 'key');
      return undefined;
    }
    if (!isPlainObject(value)) {
      this.report('error', path, `must be an object, got ${typeName(value)}`);
      return undefined;
    }
    if ('disabled' in value) {
      if (typeof value.disabled !== 'boolean') {
        this.report('error', [...path, 'disabled'], `must be a boolean, got ${typeName(value.disabled)}`);
        return undefined;
      }
      if (value.disabled) {
        this.report('info', path, `server "${name}" is disabled ("disabled": true) and is skipped`, 'key');
        return undefined;
      }
    }
    const kind = this.readKind(value, path);
    if (!kind) return undefined;

    const own = kind === 'stdio' ? stdioKeys : remoteKeys;
    const other = kind === 'stdio' ? remoteKeys : stdioKeys;
    for (const key of Object.keys(value)) {
      if (own.has(key)) continue;
      const why = other.has(key) ? `does not apply to ${kind === 'stdio' ? 'a stdio' : `an ${kind}`} server and is ignored` : 'is an unknown property and is ignored';
      this.report('warning', [...path, key], `"${key}" ${why}`, 'key');
    }

    const errorsBefore = this.errorCount();
    const source: DefinitionSource = { label: this.source.label, file: this.source.file, jsonPath: path, fromWorkspace: this.source.fromWorkspace };
    let server: RawServerDefinition;
    if (kind === 'stdio') {
      const definition: StdioServerDefinition = {
        kind,
        name,
        command: this.requiredString(value, 'command', path) ?? '',
        args: this.stringArray(value.args, [...path, 'args']),
        env: this.environment(value.env, [...path, 'env']),
        source,
      };
      const envFile = this.optionalString(value.envFile, [...path, 'envFile']);
      const cwd = this.optionalString(value.cwd, [...path, 'cwd']);
      if (envFile !== undefined) definition.envFile = envFile;
      if (cwd !== undefined) definition.cwd = cwd;
      const dev = this.devMode(value.dev, [...path, 'dev']);
      if (dev !== undefined) definition.dev = dev;
      server = definition;
    } else {
      const definition: RemoteServerDefinition = {
        kind,
        name,
        url: this.url(value, path) ?? '',
        headers: this.stringRecord(value.headers, [...path, 'headers']),
        source,
      };
      server = definition;
    }
    for (const key of timeoutKeys) {
      const timeout = this.timeout(value[key], [...path, key]);
      if (timeout !== undefined) server[key] = timeout;
    }
    if (this.errorCount() > errorsBefore) return undefined;
    this.checkVariables(server, path, inputIds);
    return server;
  }

  private readKind(value: Record<string, unknown>, path: JsonPath): 'stdio' | 'http' | 'sse' | undefined {
    if (value.type === undefined) {
      // Claude Desktop and Cursor omit `type`: a command means stdio, a url means Streamable HTTP.
      if ('command' in value) return 'stdio';
      if ('url' in value) return 'http';
      this.report('error', path, 'needs a "command" (stdio server) or a "url" (http/sse server)', 'key');
      return undefined;
    }
    if (typeof value.type !== 'string') {
      this.report('error', [...path, 'type'], `must be a string, got ${typeName(value.type)}`);
      return undefined;
    }
    const kind = Object.hasOwn(serverTypes, value.type) ? serverTypes[value.type] : undefined;
    if (!kind) this.report('error', [...path, 'type'], `must be "stdio", "http" or "sse", got "${value.type}"`);
    return kind;
  }

  private requiredString(value: Record<string, unknown>, key: string, path: JsonPath): string | undefined {
    if (value[key] === undefined) {
      this.report('error', path, `"${key}" is required`, 'key');
      return undefined;
    }
    const text = this.optionalString(value[key], [...path, key]);
    if (text !== undefined && text.trim() === '') {
      this.report('error', [...path, key], 'must not be empty');
      return undefined;
    }
    return text;
  }

  private optionalString(value: unknown, path: JsonPath): string | undefined {
    if (value === undefined || typeof value === 'string') return value;
    this.report('error', path, `must be a string, got ${typeName(value)}`);
    return undefined;
  }

  private timeout(value: unknown, path: JsonPath): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > maxTimeoutMs) {
      this.report('error', path, `must be a whole number of milliseconds from 1 to ${maxTimeoutMs} (24 hours), got ${typeof value === 'number' ? value : typeName(value)}`);
      return undefined;
    }
    return value;
  }

  private stringArray(value: unknown, path: JsonPath): string[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.report('error', path, `must be an array of strings, got ${typeName(value)}`);
      return [];
    }
    return value.flatMap((item, i) => this.optionalString(item, [...path, i]) ?? []);
  }

  private stringRecord(value: unknown, path: JsonPath): Record<string, string> {
    const record: Record<string, string> = {};
    if (value === undefined) return record;
    if (!isPlainObject(value)) {
      this.report('error', path, `must be an object of strings, got ${typeName(value)}`);
      return record;
    }
    for (const [key, item] of Object.entries(value)) {
      const text = this.optionalString(item, [...path, key]);
      if (text !== undefined) record[key] = text;
    }
    return record;
  }

  private environment(value: unknown, path: JsonPath): Record<string, string | null> {
    const env: Record<string, string | null> = {};
    if (value === undefined) return env;
    if (!isPlainObject(value)) {
      this.report('error', path, `must be an object, got ${typeName(value)}`);
      return env;
    }
    for (const [name, item] of Object.entries(value)) {
      if (name === '' || name.includes('=')) {
        this.report('error', [...path, name], `"${name}" is not a valid environment variable name`, 'key');
      } else if (typeof item === 'string' || item === null) {
        env[name] = item;
      } else if (typeof item === 'number') {
        env[name] = String(item);
      } else {
        this.report('error', [...path, name], `must be a string, number or null, got ${typeName(item)}`);
      }
    }
    return env;
  }

  /** `dev`: `watch` (a glob or globs inside the workspace folder) and `debug` (`{ "type": "node" }`). */
  private devMode(value: unknown, path: JsonPath): DevMode | undefined {
    if (value === undefined) return undefined;
    if (!isPlainObject(value)) {
      this.report('error', path, `must be an object with "watch" and/or "debug", got ${typeName(value)}`);
      return undefined;
    }
    const dev: DevMode = {};
    for (const key of Object.keys(value)) {
      if (key !== 'watch' && key !== 'debug') this.report('error', [...path, key], `"dev.${key}" is unknown: "dev" takes "watch" (a glob) and "debug" ({ "type": "node" })`, 'key');
    }
    if (value.watch !== undefined) {
      const globs = typeof value.watch === 'string' ? [value.watch] : Array.isArray(value.watch) ? value.watch : undefined;
      if (!globs || globs.length === 0) {
        this.report('error', [...path, 'watch'], `"dev.watch" must be a glob or a non-empty array of globs, got ${typeName(value.watch)}`);
      } else {
        const watchPath = typeof value.watch === 'string' ? [...path, 'watch'] : undefined;
        const valid = globs.flatMap((glob: unknown, i) => {
          const at = watchPath ?? [...path, 'watch', i];
          const problem = typeof glob === 'string' ? watchGlobProblem(glob) : `must be a string, got ${typeName(glob)}`;
          if (problem) this.report('error', at, `"dev.watch" ${problem}`);
          return problem ? [] : [glob as string];
        });
        if (valid.length === globs.length) dev.watch = valid;
      }
    }
    if (value.debug !== undefined) {
      if (!isPlainObject(value.debug) || value.debug.type !== 'node' || Object.keys(value.debug).some((k) => k !== 'type')) {
        this.report('error', [...path, 'debug'], `"dev.debug" must be { "type": "node" } (only Node servers can be debugged), got ${JSON.stringify(value.debug)?.slice(0, 80)}`);
      } else {
        dev.debug = { type: 'node' };
      }
    }
    return dev;
  }

  private url(value: Record<string, unknown>, path: JsonPath): string | undefined {
    const url = this.requiredString(value, 'url', path);
    // A URL built from variables can only be checked once they are resolved (resolveServer does).
    if (url === undefined || variablesIn(url).length > 0) return url;
    const problem = urlProblem(url);
    if (problem) {
      this.report('error', [...path, 'url'], problem);
      return undefined;
    }
    return url;
  }

  /** Warns about `${…}` variables that resolution would leave as they are, and inputs never declared. */
  private checkVariables(server: RawServerDefinition, path: JsonPath, inputIds: Set<string>): void {
    for (const [fieldPath, text] of substitutableFields(server)) {
      for (const { text: variableText, variable } of variablesIn(text)) {
        const at = [...path, ...fieldPath];
        if (!variable) {
          this.report('warning', at, `unknown variable ${variableText} is left as is`, 'value', this.locator.substring(at, variableText));
        } else if (variable.kind === 'input' && !inputIds.has(variable.id)) {
          this.report('warning', at, `input "${variable.id}" is not declared in "inputs"`, 'value', this.locator.substring(at, variableText));
        }
      }
    }
  }

  readInputs(value: unknown): InputDefinition[] {
    if (!Array.isArray(value)) {
      this.report('error', ['inputs'], `must be an array, got ${typeName(value)}`);
      return [];
    }
    const inputs: InputDefinition[] = [];
    const ids = new Set<string>();
    value.forEach((item, index) => {
      const input = this.readInput(item, ['inputs', index]);
      if (!input) return;
      if (ids.has(input.id)) {
        this.report('error', ['inputs', index, 'id'], `duplicate input id "${input.id}": this input is ignored`);
      } else {
        ids.add(input.id);
        inputs.push(input);
      }
    });
    return inputs;
  }

  private readInput(value: unknown, path: JsonPath): InputDefinition | undefined {
    if (!isPlainObject(value)) {
      this.report('error', path, `must be an object, got ${typeName(value)}`);
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!inputKeys.has(key)) this.report('warning', [...path, key], `"${key}" is an unknown property and is ignored`, 'key');
    }
    const errorsBefore = this.errorCount();
    const id = this.requiredString(value, 'id', path);
    const type = this.requiredString(value, 'type', path);
    if (type !== undefined && type !== 'promptString' && type !== 'pickString' && type !== 'command') {
      this.report('error', [...path, 'type'], `must be "promptString", "pickString" or "command", got "${type}"`);
    }
    const input: InputDefinition = { id: id ?? '', type: type as InputDefinition['type'] };
    const description = this.optionalString(value.description, [...path, 'description']);
    const defaultValue = this.optionalString(value.default, [...path, 'default']);
    if (description !== undefined) input.description = description;
    if (defaultValue !== undefined) input.default = defaultValue;
    if (value.password !== undefined) {
      if (typeof value.password === 'boolean') input.password = value.password;
      else this.report('error', [...path, 'password'], `must be a boolean, got ${typeName(value.password)}`);
    }
    if (type === 'pickString') input.options = this.pickOptions(value, path);
    if (type === 'command') {
      input.command = this.requiredString(value, 'command', path);
      if (value.args !== undefined) input.args = value.args;
    }
    return this.errorCount() > errorsBefore ? undefined : input;
  }

  /** VS Code accepts options as strings or as `{ label, value }` objects; the value is what counts. */
  private pickOptions(value: Record<string, unknown>, path: JsonPath): string[] {
    if (!Array.isArray(value.options) || value.options.length === 0) {
      this.report('error', value.options === undefined ? path : [...path, 'options'], 'a pickString input needs a non-empty "options" array', value.options === undefined ? 'key' : 'value');
      return [];
    }
    return value.options.flatMap((option, i) => {
      if (typeof option === 'string') return [option];
      if (isPlainObject(option) && typeof option.value === 'string') return [option.value];
      this.report('error', [...path, 'options', i], `must be a string or an object with a string "value", got ${typeName(option)}`);
      return [];
    });
  }

  private errorCount(): number {
    return this.errors;
  }
}

const syntaxErrorMessages: Record<string, string> = {
  InvalidSymbol: 'invalid symbol',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected a colon',
  CommaExpected: 'expected a comma',
  CloseBraceExpected: 'expected a closing brace',
  CloseBracketExpected: 'expected a closing bracket',
  EndOfFileExpected: 'expected the end of the file',
  InvalidCommentToken: 'invalid comment',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid unicode escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character',
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Why `url` is not usable as a server URL (the URL itself is not repeated: it may hold a token). */
function urlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be a valid URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `must be an http:// or https:// URL, got ${parsed.protocol}//`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Variables

type Variable =
  | { kind: 'env'; name: string }
  | { kind: 'input'; id: string }
  | { kind: 'workspaceFolder' }
  | { kind: 'userHome' }
  | { kind: 'pathSeparator' };

// No `{` inside: with `[^}]*`, every unclosed `${` would scan to the end of the string, and a
// string of many of them would take quadratic time.
const variablePattern = /\$\{([^{}]*)\}/g;

/** The variables in `text`; `variable` is undefined for one we do not know. */
function variablesIn(text: string): { text: string; variable: Variable | undefined; index: number }[] {
  return [...text.matchAll(variablePattern)].map((m) => ({ text: m[0], variable: parseVariable(m[1]), index: m.index }));
}

function parseVariable(body: string): Variable | undefined {
  if (body === 'workspaceFolder') return { kind: 'workspaceFolder' };
  if (body === 'userHome') return { kind: 'userHome' };
  if (body === 'pathSeparator' || body === '/') return { kind: 'pathSeparator' };
  const scoped = /^(env|input):(.+)$/.exec(body);
  if (scoped?.[1] === 'env') return { kind: 'env', name: scoped[2] };
  if (scoped?.[1] === 'input') return { kind: 'input', id: scoped[2] };
  return undefined;
}

/** Every string of a definition that variables are substituted in, with its path relative to the server. */
function substitutableFields(server: RawServerDefinition): [JsonPath, string][] {
  if (server.kind !== 'stdio') {
    return [[['url'], server.url], ...Object.entries(server.headers).map(([k, v]): [JsonPath, string] => [['headers', k], v])];
  }
  const fields: [JsonPath, string][] = [[['command'], server.command]];
  server.args.forEach((arg, i) => fields.push([['args', i], arg]));
  for (const [name, value] of Object.entries(server.env)) if (value !== null) fields.push([['env', name], value]);
  if (server.envFile !== undefined) fields.push([['envFile'], server.envFile]);
  if (server.cwd !== undefined) fields.push([['cwd'], server.cwd]);
  return fields;
}

// ---------------------------------------------------------------------------------------------
// Resolution

/** What variable substitution needs from its host: VS Code's environment and UI, or the CLI's. */
export interface VariableResolver {
  env(name: string): string | undefined;
  workspaceFolder?: string;
  userHome: string;
  /** Asks for an input's value; undefined means the user cancelled. */
  input(id: string, definition: InputDefinition | undefined): Promise<string | undefined>;
  /** Told each secret `${env:…}` or `${input:…}` value substituted (a password or command input, or secretVariable), with the variable as written: register it with the SecretRedactor. */
  secret?(value: string, variable: string): void;
  /** The folder a relative `cwd` or `envFile` resolves against (see pathRules); default: workspaceFolder, else the file's folder. */
  relativeTo?: string;
  /** The working directory of a stdio server without `cwd`; default: the host's own. */
  defaultCwd?: string;
}

/**
 * Who wrote a definition, which decides where its relative paths point:
 * - `workspace`: `.vscode/mcp.json` or a file named by workspace settings: the workspace folder.
 * - `user-settings`: the `mcpSessions.servers` user setting: the home folder, never a workspace.
 * - `user-file`: a file named by the user's `mcpSessions.configFiles`: that file's folder.
 */
export type DefinitionOwner =
  | { kind: 'workspace'; folder: string }
  | { kind: 'user-settings'; home: string }
  | { kind: 'user-file'; file: string; home: string };

/** Where relative paths of an owner's definitions resolve, and where its stdio servers start without `cwd`. */
export function pathRules(owner: DefinitionOwner): { relativeTo: string; defaultCwd?: string } {
  switch (owner.kind) {
    case 'workspace':
      return { relativeTo: owner.folder };
    case 'user-settings':
      return { relativeTo: owner.home, defaultCwd: owner.home };
    case 'user-file':
      return { relativeTo: dirname(owner.file), defaultCwd: owner.home };
  }
}

/** A relative entry of `mcpSessions.configFiles`: a user's resolves against the home folder, a workspace's against its folder. */
export function resolveConfigFilePath(file: string, relativeTo: string, home: string): string {
  const expanded = file.replace(/^~(?=$|[\\/])/, home);
  return isAbsolute(expanded) ? expanded : resolvePath(relativeTo, expanded);
}

/** True when `path` is `folder` or inside it (both absolute). */
export function isInsideFolder(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * Why a definition the user wrote would run something from a workspace folder, or undefined
 * when it would not: `${workspaceFolder}` in any field, or a relative `cwd`/`envFile` whose
 * base (`relativeTo`, from pathRules) lies in one of `workspaceFolders`. Such a server must not
 * start while the workspace is untrusted.
 */
export function workspaceDependence(raw: RawServerDefinition, relativeTo: string, workspaceFolders: readonly string[]): string | undefined {
  for (const [fieldPath, text] of substitutableFields(raw)) {
    if (variablesIn(text).some((v) => v.variable?.kind === 'workspaceFolder')) {
      return `it uses \${workspaceFolder} in "${formatJsonPath(fieldPath)}"`;
    }
  }
  if (raw.kind !== 'stdio' || !workspaceFolders.some((folder) => isInsideFolder(relativeTo, folder))) return undefined;
  for (const key of ['cwd', 'envFile'] as const) {
    const path = raw[key];
    if (path !== undefined && !/^(~|\$\{userHome\})(?=$|[\\/])/.test(path) && !isAbsolute(path)) {
      return `its relative "${key}" resolves inside the workspace folder`;
    }
  }
  return undefined;
}

/** A server could not be resolved. The message names the server and the variable, never a resolved value. */
export class ConfigResolutionError extends Error {
  constructor(
    readonly server: string,
    /** The variable as written, e.g. "${input:token}", when one variable is to blame. */
    readonly variable: string | undefined,
    message: string,
    /** True when the user cancelled an input: callers should not report it as a failure. */
    readonly cancelled = false,
  ) {
    super(message);
    this.name = 'ConfigResolutionError';
  }
}

/**
 * Answers to `${input:…}` shared by servers resolved together, so each input is asked once;
 * a cancelled input stays cancelled. Promises, so concurrent resolutions share one prompt.
 */
export type InputAnswers = Map<string, Promise<string | undefined>>;

/**
 * Substitutes variables in command, args, env values, envFile, cwd, url and headers, expands a
 * leading `~` in command, cwd and envFile, makes a relative cwd/envFile absolute (against
 * `relativeTo`, else the workspace folder, else the configuration file's folder) and sets a
 * missing cwd to `defaultCwd`. Throws ConfigResolutionError.
 */
export async function resolveServer(
  raw: RawServerDefinition,
  resolver: VariableResolver,
  inputs: InputDefinition[],
  answers: InputAnswers = new Map(),
): Promise<ServerDefinition> {
  const substitute = (template: string) => substituteVariables(template, raw.name, resolver, inputs, answers);
  if (raw.kind !== 'stdio') {
    const url = await substitute(raw.url);
    if (urlProblem(url)) {
      const used = variablesIn(raw.url).map((v) => v.text);
      throw new ConfigResolutionError(raw.name, used.length === 1 ? used[0] : undefined, `Server "${raw.name}": "url" does not resolve to an http(s) URL${usedVariables(used)}`);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw.headers)) headers[name] = await substitute(value);
    return { ...raw, url, headers, shown: shownForm(raw, resolver) };
  }

  const command = await substitute(expandHome(raw.command));
  if (command.trim() === '') {
    const used = variablesIn(raw.command).map((v) => v.text);
    throw new ConfigResolutionError(raw.name, used.length === 1 ? used[0] : undefined, `Server "${raw.name}": "command" resolves to an empty string${usedVariables(used)}`);
  }
  const args: string[] = [];
  for (const arg of raw.args) args.push(await substitute(arg));
  const env: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(raw.env)) env[name] = value === null ? null : await substitute(value);

  const absolute = (path: string): string => {
    const base = resolver.relativeTo ?? resolver.workspaceFolder ?? (raw.source.file ? dirname(raw.source.file) : undefined);
    return isAbsolute(path) || base === undefined ? path : resolvePath(base, path);
  };
  const resolved: StdioServerDefinition = { ...raw, command, args, env, shown: shownForm(raw, resolver) };
  if (raw.envFile !== undefined) resolved.envFile = absolute(await substitute(expandHome(raw.envFile)));
  if (raw.cwd !== undefined) resolved.cwd = absolute(await substitute(expandHome(raw.cwd)));
  else if (resolver.defaultCwd !== undefined) resolved.cwd = resolver.defaultCwd;
  return resolved;
}

/**
 * The server as it is shown and logged: `${workspaceFolder}`, `${userHome}`, `~` and
 * `${pathSeparator}` substituted, `${env:…}` and `${input:…}` left as written, since their
 * values may be secrets. Asks for nothing and never throws.
 */
export function shownForm<T extends RawServerDefinition>(raw: T, context: { workspaceFolder?: string; userHome: string }): T {
  const show = (template: string) =>
    template.replace(variablePattern, (text, body: string) => {
      const variable = parseVariable(body);
      if (variable?.kind === 'workspaceFolder') return context.workspaceFolder ?? text;
      if (variable?.kind === 'userHome') return context.userHome;
      if (variable?.kind === 'pathSeparator') return sep;
      return text;
    });
  const def: RawServerDefinition = raw;
  if (def.kind !== 'stdio') {
    return { ...def, url: show(def.url), headers: Object.fromEntries(Object.entries(def.headers).map(([k, v]) => [k, show(v)])) } as T;
  }
  const shown: StdioServerDefinition = {
    ...def,
    command: show(expandHome(def.command)),
    args: def.args.map(show),
    env: Object.fromEntries(Object.entries(def.env).map(([k, v]) => [k, v === null ? null : show(v)])),
  };
  if (def.envFile !== undefined) shown.envFile = show(expandHome(def.envFile));
  if (def.cwd !== undefined) shown.cwd = show(expandHome(def.cwd));
  return shown as T;
}

/**
 * Resolves several servers with shared input answers. A server that fails (a cancelled input,
 * no workspace folder) lands in `errors` without stopping the others.
 */
export async function resolveServers(
  raws: RawServerDefinition[],
  resolver: VariableResolver,
  inputs: InputDefinition[],
): Promise<{ servers: ServerDefinition[]; errors: ConfigResolutionError[] }> {
  const answers: InputAnswers = new Map();
  const servers: ServerDefinition[] = [];
  const errors: ConfigResolutionError[] = [];
  for (const raw of raws) {
    try {
      servers.push(await resolveServer(raw, resolver, inputs, answers));
    } catch (e) {
      if (!(e instanceof ConfigResolutionError)) throw e;
      errors.push(e);
    }
  }
  return { servers, errors };
}

// Written as a variable so the rest of the string goes through the same substitution.
function expandHome(path: string): string {
  return path.replace(/^~(?=$|[\\/])/, '${userHome}');
}

function usedVariables(used: string[]): string {
  return used.length > 0 ? ` (it uses ${used.join(', ')})` : '';
}

// Resolved values are not scanned again, so a value containing "${…}" stays literal.
async function substituteVariables(
  template: string,
  server: string,
  resolver: VariableResolver,
  inputs: InputDefinition[],
  answers: InputAnswers,
): Promise<string> {
  let out = '';
  let last = 0;
  for (const { text, variable, index } of variablesIn(template)) {
    out += template.slice(last, index) + (await variableValue(text, variable, server, resolver, inputs, answers));
    last = index + text.length;
  }
  return out + template.slice(last);
}

async function variableValue(
  text: string,
  variable: Variable | undefined,
  server: string,
  resolver: VariableResolver,
  inputs: InputDefinition[],
  answers: InputAnswers,
): Promise<string> {
  switch (variable?.kind) {
    case undefined:
      return text; // unknown: left as is (parseConfig warned about it)
    case 'env': {
      const value = resolver.env(variable.name) ?? ''; // like VS Code: a missing variable is empty
      // Registering every value would garble "root" or "8080" everywhere they appear in output.
      if (secretVariable(variable.name, value)) resolver.secret?.(value, text);
      return value;
    }
    case 'userHome':
      return resolver.userHome;
    case 'pathSeparator':
      return sep;
    case 'workspaceFolder':
      if (resolver.workspaceFolder === undefined) {
        throw new ConfigResolutionError(server, text, `Server "${server}" uses ${text}, but no workspace folder is open`);
      }
      return resolver.workspaceFolder;
    case 'input': {
      let answer = answers.get(variable.id);
      if (!answer) {
        answer = resolver.input(variable.id, inputs.find((i) => i.id === variable.id));
        answers.set(variable.id, answer);
      }
      const value = await answer;
      if (value === undefined) {
        throw new ConfigResolutionError(server, text, `Server "${server}" was not started: input "${variable.id}" was cancelled`, true);
      }
      const definition = inputs.find((i) => i.id === variable.id);
      if (definition?.password || definition?.type === 'command' || secretVariable(variable.id, value)) resolver.secret?.(value, text);
      return value;
    }
  }
}

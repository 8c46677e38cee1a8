// The typed model of a server definition after parsing and variable substitution.
// Parsing and validation live in config.ts; this file is the contract every part shares.

/** Where a definition came from, shown to the user and used for "Open Configuration". */
export interface DefinitionSource {
  /** A short label: "workspace (.vscode/mcp.json)", "user settings", a file path. */
  label: string;
  /** Absolute path of the file, when the definition came from a file. */
  file?: string;
  /** JSON path of the server inside that file, e.g. ["servers", "echo"]. */
  jsonPath?: (string | number)[];
  /** True when the file belongs to the workspace (subject to workspace trust). */
  fromWorkspace?: boolean;
}

/**
 * Per-server call timeouts (mcp.json fields of the same names), overriding the host's defaults
 * (the extension's settings, the CLI's `--timeout`); a call's own options override both.
 */
export interface ServerTimeouts {
  /** A request fails after this long without an answer or progress. */
  requestTimeoutMs?: number;
  /** A request fails after this long, progress or not. */
  maxTotalTimeoutMs?: number;
}

/** Bounds of a timeout in the configuration: a whole number of milliseconds, from 1 ms to 24 hours. */
export const maxTimeoutMs = 24 * 60 * 60 * 1000;

export interface StdioServerDefinition extends ServerTimeouts {
  kind: 'stdio';
  name: string;
  command: string;
  args: string[];
  /** Added to the inherited environment; `null` removes a variable. */
  env: Record<string, string | null>;
  /** A dotenv file read at start; `env` wins over it. */
  envFile?: string;
  cwd?: string;
  /** Dev mode (`dev` in mcp.json, as in VS Code): honoured by the extension in a trusted workspace only. */
  dev?: DevMode;
  source: DefinitionSource;
  /** Set by resolveServer: this server with `${env:…}` and `${input:…}` as written (config.ts shownForm). */
  shown?: StdioServerDefinition;
}

/** The `dev` key of a stdio server (src/core/devMode.ts; src/vscode/devMode.ts runs it). */
export interface DevMode {
  /** Globs relative to the workspace folder: a change to a matching file restarts the server. */
  watch?: string[];
  /** Start the server under the Node inspector and attach VS Code's debugger to it. */
  debug?: { type: 'node' };
}

export interface RemoteServerDefinition extends ServerTimeouts {
  /** `http`: Streamable HTTP, falling back to legacy SSE on a 4xx initialize; `sse`: legacy SSE only. */
  kind: 'http' | 'sse';
  name: string;
  url: string;
  headers: Record<string, string>;
  source: DefinitionSource;
  /** Set by resolveServer: this server with `${env:…}` and `${input:…}` as written (config.ts shownForm). */
  shown?: RemoteServerDefinition;
}

export type ServerDefinition = StdioServerDefinition | RemoteServerDefinition;

/** The parts of a definition that decide whether a running server must restart when it changes. */
export function definitionFingerprint(def: ServerDefinition): string {
  const stable = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(stable);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.keys(value as object)
          .sort()
          .map((k) => [k, stable((value as Record<string, unknown>)[k])]),
      );
    }
    return value;
  };
  const { source: _source, shown: _shown, ...rest } = def;
  return JSON.stringify(stable(rest));
}

/**
 * What every display and log site shows of a server: the definition as written (secrets as
 * their `${env:…}` / `${input:…}` templates), never the resolved values.
 */
export function shownDefinition<T extends ServerDefinition>(def: T): T {
  return (def.shown as T | undefined) ?? def;
}

/** A one-line, secret-free description: the command line or the URL, as written. */
export function describeDefinition(def: ServerDefinition): string {
  const shown = shownDefinition(def);
  if (shown.kind === 'stdio') {
    return [shown.command, ...shown.args].map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a)).join(' ');
  }
  return `${shown.kind === 'sse' ? 'SSE' : 'HTTP'} ${redactUrl(shown.url)}`;
}

/**
 * Drops user info, literal query values and the fragment from a URL, which may carry tokens. A query value
 * that is a `${…}` template stays: it names the variable, not its value.
 */
export function redactUrl(url: string): string {
  const parts = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^@/?#]*@)?([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(url);
  if (!parts) return url;
  const [, scheme, rest, query, fragment] = parts;
  const redactedQuery = query
    ?.slice(1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals < 0) return pair;
      const value = pair.slice(equals + 1);
      return `${pair.slice(0, equals)}=${/^(\$\{[^}]*\})+$/.test(value) ? value : 'REDACTED'}`;
    })
    .join('&');
  return `${scheme}${rest}${redactedQuery === undefined ? '' : `?${redactedQuery}`}${fragment ? '#REDACTED' : ''}`;
}

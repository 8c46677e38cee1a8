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

export interface StdioServerDefinition {
  kind: 'stdio';
  name: string;
  command: string;
  args: string[];
  /** Added to the inherited environment; `null` removes a variable. */
  env: Record<string, string | null>;
  /** A dotenv file read at start; `env` wins over it. */
  envFile?: string;
  cwd?: string;
  source: DefinitionSource;
}

export interface RemoteServerDefinition {
  /** `http`: Streamable HTTP, falling back to legacy SSE on a 4xx initialize; `sse`: legacy SSE only. */
  kind: 'http' | 'sse';
  name: string;
  url: string;
  headers: Record<string, string>;
  source: DefinitionSource;
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
  const { source: _source, ...rest } = def;
  return JSON.stringify(stable(rest));
}

/** A one-line, secret-free description: the command line or the URL. */
export function describeDefinition(def: ServerDefinition): string {
  if (def.kind === 'stdio') {
    return [def.command, ...def.args].map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a)).join(' ');
  }
  return `${def.kind === 'sse' ? 'SSE' : 'HTTP'} ${redactUrl(def.url)}`;
}

/** Drops user info and query values from a URL, which may carry tokens. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    for (const key of [...u.searchParams.keys()]) u.searchParams.set(key, 'REDACTED');
    return u.toString();
  } catch {
    return url;
  }
}

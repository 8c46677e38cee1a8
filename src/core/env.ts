// The environment a stdio server starts with. The policy (docs/configuration.md) is an
// allow-list: the SDK's minimal set drops proxy, locale and CA variables, so servers started
// through npx/uvx fail behind corporate proxies, while passing everything leaks the
// extension host's secrets and its ELECTRON_RUN_AS_NODE / VSCODE_* / NODE_OPTIONS, which
// make child Node processes behave like (or attach to) the extension host.

import { readFile } from 'node:fs/promises';

/** Variables inherited by exact name (matched case-insensitively, see `isInherited`). */
const inheritedNames = new Set(
  [
    // The SDK's defaults (getDefaultEnvironment) on POSIX and Windows.
    'HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER',
    'APPDATA', 'HOMEDRIVE', 'HOMEPATH', 'LOCALAPPDATA', 'PROCESSOR_ARCHITECTURE', 'PROGRAMFILES',
    'SYSTEMDRIVE', 'SYSTEMROOT', 'TEMP', 'USERNAME', 'USERPROFILE',
    // Windows: npx/uvx are .cmd shims that need cmd.exe and PATHEXT to be found and run.
    'COMSPEC', 'PATHEXT', 'WINDIR', 'TMP', 'PROGRAMDATA', 'PROGRAMFILES(X86)', 'PROGRAMW6432',
    // Locale, time zone and temp dir: output encoding and temp files.
    'LANG', 'LANGUAGE', 'TZ', 'TMPDIR',
    // Proxies: without them every npx/uvx download and remote API call fails behind a proxy.
    'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY',
    // Custom CA bundles (corporate TLS interception) for Node, OpenSSL, Python requests and curl.
    'NODE_EXTRA_CA_CERTS', 'NODE_USE_SYSTEM_CA', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE',
    // Toolchain locators, so version-manager shims on PATH find their installs. Only locations:
    // npm's registry/cache/userconfig but no other npm_config_* (they can hold `_authToken`).
    'NVM_DIR', 'NVM_BIN', 'VOLTA_HOME', 'PNPM_HOME',
    'NPM_CONFIG_REGISTRY', 'NPM_CONFIG_CACHE', 'NPM_CONFIG_USERCONFIG',
    'PYENV_ROOT', 'VIRTUAL_ENV',
  ].map((name) => name.toUpperCase()),
);

/** Families inherited by prefix: locale categories and XDG base directories, all non-secret paths or names. */
const inheritedPrefixes = ['LC_', 'XDG_'];

// Proxy and npm variables are conventionally set in lower case too (http_proxy, npm_config_cache),
// and Windows names are case-insensitive (Path), so the allow-list ignores case.
function isInherited(name: string): boolean {
  const upper = name.toUpperCase();
  return inheritedNames.has(upper) || inheritedPrefixes.some((prefix) => upper.startsWith(prefix));
}

/**
 * The allow-listed part of `source`. Anything not listed is dropped, notably tokens and keys
 * (*_TOKEN, *_KEY, AWS_*, GITHUB_*…), VSCODE_* / ELECTRON_RUN_AS_NODE, NODE_OPTIONS and
 * PYTHONPATH/PYTHONHOME; a server that needs one names it in its `env`, e.g.
 * `"GITHUB_TOKEN": "${env:GITHUB_TOKEN}"`.
 */
export function inheritedEnvironment(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    // Values starting with "()" are exported shell functions (the Shellshock vector); the SDK skips them too.
    if (value === undefined || value.startsWith('()') || !isInherited(name)) continue;
    env[name] = value;
  }
  return env;
}

const doubleQuoteEscapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\', $: '$' };

/**
 * Parses a dotenv file: `KEY=VALUE` and `export KEY=VALUE` lines, `#` comments (whole-line, or
 * after whitespace in an unquoted value), single quotes (literal), double quotes (with \n, \r,
 * \t, \", \\ escapes; may span lines). No `${VAR}` expansion. Lines that are not assignments are
 * ignored, as the dotenv package does; a later assignment of the same key wins.
 */
export function parseDotenv(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const source = text.replace(/\r\n?/g, '\n');
  const assignment = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*/gm;
  let match: RegExpExecArray | null;
  while ((match = assignment.exec(source))) {
    const key = match[1];
    const valueStart = assignment.lastIndex;
    const quote = source[valueStart];
    let value: string;
    let end: number;
    if (quote === '"' || quote === "'") {
      const parsed = readQuoted(source, valueStart, quote);
      if (!parsed) {
        // An unterminated quote: keep the rest of the line literally rather than swallow the file.
        end = lineEnd(source, valueStart);
        value = source.slice(valueStart, end).trim();
      } else {
        ({ value, end } = parsed);
      }
    } else {
      end = lineEnd(source, valueStart);
      value = source.slice(valueStart, end).replace(/(^|[ \t])#.*$/, '').trim();
    }
    result[key] = value;
    assignment.lastIndex = lineEnd(source, end);
  }
  return result;
}

function lineEnd(text: string, from: number): number {
  const newline = text.indexOf('\n', from);
  return newline === -1 ? text.length : newline;
}

function readQuoted(text: string, start: number, quote: string): { value: string; end: number } | undefined {
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === quote) return { value, end: i + 1 };
    if (ch === '\\' && quote === '"' && i + 1 < text.length) {
      const next = text[i + 1];
      value += doubleQuoteEscapes[next] ?? `\\${next}`;
      i++;
    } else {
      value += ch;
    }
  }
  return undefined;
}

// Windows environment names are case-insensitive: setting PATH must replace an inherited "Path"
// rather than add a second entry that the child may or may not see.
const caseInsensitiveNames = process.platform === 'win32';

function setVariable(env: Record<string, string>, name: string, value: string | null): void {
  if (caseInsensitiveNames) {
    for (const existing of Object.keys(env)) {
      if (existing !== name && existing.toUpperCase() === name.toUpperCase()) delete env[existing];
    }
  }
  if (value === null) delete env[name];
  else env[name] = value;
}

/**
 * The environment for one server: `base` (normally `inheritedEnvironment()`), then the
 * variables of `envFile`, then `env`, where `null` removes a variable. `envFile` must be an
 * absolute path (resolveServer makes it one); a missing or unreadable file throws an Error naming it.
 */
export async function serverEnvironment(
  base: Record<string, string>,
  def: { env: Record<string, string | null>; envFile?: string },
  /** Told each variable read from `envFile`, so secret ones can be registered for redaction. */
  onFileVariable?: (name: string, value: string) => void,
): Promise<Record<string, string>> {
  const env = { ...base };
  if (def.envFile !== undefined) {
    let text: string;
    try {
      text = await readFile(def.envFile, 'utf8');
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(e as Error).message})`;
      throw new Error(`envFile "${def.envFile}" ${reason}`, { cause: e });
    }
    for (const [name, value] of Object.entries(parseDotenv(text))) {
      onFileVariable?.(name, value);
      setVariable(env, name, value);
    }
  }
  for (const [name, value] of Object.entries(def.env)) setVariable(env, name, value);
  return env;
}

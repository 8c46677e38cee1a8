// The second line of defence for secrets: whatever is shown or written (log lines, errors,
// notifications, tooltips, result documents, CLI output) goes through a SecretRedactor, which
// replaces every registered secret value by a label saying where it came from — the variable
// as written (`${input:token}`, `${env:GH_TOKEN}`) or `[redacted …]`. The first line is to
// display definitions as written (definitions.ts, `shownDefinition`), so most text never
// contains a resolved value to begin with.
//
// What is registered: every `${input:…}` and `${env:…}` value substituted into a definition
// (resolveServer's `secret` callback), header, `env` and `envFile` values that are secret
// (`secretVariable`), and OAuth tokens and client secrets (`addOAuthRecord`).
//
// Spellings covered, for a secret of 3 characters or more: as is; JSON-escaped once, twice and
// three times; `\uXXXX`-escaped (every character, or only non-ASCII ones); percent-encoded
// (encodeURIComponent and form encoding with `+`, upper- and lower-case hex); HTML-escaped
// (`&amp; &lt; &gt; &quot;` with `&#39;` or `&#x27;`); and, from 6 characters, base64 and
// base64url of it and of its JSON spelling at each of the three byte alignments, so the secret
// is found inside a longer encoded text such as the Basic credentials `user:secret`.
// Limits, by design:
// - A secret broken across lines is redacted where each piece at the line edge is at least
//   `edgePieceLength` characters; a shorter piece (at most 5 characters of it) can remain.
//   Each text given to `redact` is one unit, and each of its lines (also lines broken by an
//   escaped `\n` in JSON text) is checked at both ends,
//   so callers redact a server's line before they prefix it (`[server] …`).
// - A secret under 3 characters is replaced only where it is the whole value of a field: after
//   `=`, `:` or a quote, and followed by a quote, separator, whitespace or the end of the text.
//   Replacing it everywhere would garble every log line that contains those characters.

import type { ServerDefinition } from './definitions';
import type { OAuthRecord } from './oauthStore';

const minimumLength = 3;
const minimumBase64Length = 6;
const edgePieceLength = 6;

/**
 * Whether a variable or header holds a secret: its name says so (tokens, keys, passwords,
 * credentials, cookies), or its value looks like a token (16+ characters without spaces, with
 * letters and digits, not a path, URL or command-line flag). Registering every value instead would redact words
 * such as "production" or "true" from every log line.
 */
export function secretVariable(name: string, value: string): boolean {
  if (/token|secret|passw|pwd|pass$|(^|[-_])(api|access|private|secret)?[-_]?key($|[-_])|apikey|auth|credential|cookie|session|signature|bearer|(^|[-_])pat$/i.test(name)) return true;
  return value.length >= 16 && !/\s/.test(value) && /[a-z]/i.test(value) && /\d/.test(value) && !/^[-/~.]|:\/\/|^[a-z]:\\/i.test(value);
}

/** Deeper than any schema a person reads; what lies below is left as it is (the server's nesting is unbounded). */
const maxRedactDepth = 64;

export class SecretRedactor {
  /** Each spelling of a secret (3 characters or more) → the label that replaces it. */
  private readonly replacements = new Map<string, string>();
  /** Secrets under 3 characters → label; replaced only as a whole field value. */
  private readonly shortSecrets = new Map<string, string>();
  /** Spellings checked at line edges for a secret broken across lines. */
  private readonly edgeSpellings = new Map<string, string>();
  private pattern: RegExp | undefined;

  /** Registers a secret `value`; `label` replaces it, e.g. `${input:token}`. */
  add(value: string, label: string): void {
    if (value.length === 0) return;
    if (value.length < minimumLength) {
      if (this.shortSecrets.get(value) !== label) this.pattern = undefined;
      this.shortSecrets.set(value, label);
      return;
    }
    for (const spelling of spellings(value)) {
      if (this.replacements.has(spelling)) continue;
      this.replacements.set(spelling, label);
      this.pattern = undefined;
    }
    for (const spelling of [value, jsonEscaped(value)]) {
      if (spelling.length > edgePieceLength && !this.edgeSpellings.has(spelling)) this.edgeSpellings.set(spelling, label);
    }
  }

  /**
   * Registers the secrets a resolved definition carries in the clear: header and `env`
   * values that are secret (`secretVariable`), and the credentials inside them (the token
   * after `Bearer`, the password of `Basic` credentials).
   */
  addDefinition(def: ServerDefinition): void {
    const values = def.kind === 'stdio' ? Object.entries(def.env) : Object.entries(def.headers);
    const what = def.kind === 'stdio' ? 'env' : 'header';
    for (const [name, value] of values) {
      if (value === null || !secretVariable(name, value)) continue;
      this.addCredential(value, `[redacted ${what} ${name}]`);
    }
  }

  /** Registers a credential value, and the secret part of an `Authorization`-style value. */
  addCredential(value: string, label: string): void {
    this.add(value, label);
    const scheme = /^(\w+)\s+(\S+)$/.exec(value);
    if (!scheme) return;
    this.add(scheme[2], label);
    if (scheme[1].toLowerCase() === 'basic') {
      const decoded = Buffer.from(scheme[2], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) this.add(decoded.slice(colon + 1), label);
    }
  }

  /** Registers the tokens and the client secret of an OAuth record (oauthStore.ts). */
  addOAuthRecord(record: OAuthRecord): void {
    const { tokens, clientInformation } = record;
    if (tokens?.access_token) this.add(tokens.access_token, '[redacted OAuth access token]');
    if (tokens?.refresh_token) this.add(tokens.refresh_token, '[redacted OAuth refresh token]');
    if (tokens?.id_token) this.add(tokens.id_token, '[redacted OAuth ID token]');
    const clientSecret = (clientInformation as { client_secret?: string } | undefined)?.client_secret;
    if (clientSecret) this.add(clientSecret, '[redacted OAuth client secret]');
  }

  redact(text: string): string {
    if (text.length === 0 || (this.replacements.size === 0 && this.shortSecrets.size === 0)) return text;
    this.pattern ??= this.buildPattern();
    const replaced = text.replace(this.pattern, (match) => this.replacements.get(match) ?? this.shortSecrets.get(match) ?? match);
    // Line breaks, and escaped ones (`\n` in JSON text, `\\n` in JSON inside JSON), end a line.
    return this.edgeSpellings.size === 0 ? replaced : replaced.split(/(\r?\n|(?:\\+r)?\\+n)/).map((part) => this.redactEdges(part)).join('');
  }

  /**
   * A copy of `value` with every string in it redacted: for what a server sent (a tool, a
   * resource, a prompt) before any part of it is escaped or cut for display — a secret that is
   * Markdown-escaped or cut in two can no longer be recognised.
   */
  redactDeep<T>(value: T): T {
    if (this.replacements.size === 0 && this.shortSecrets.size === 0) return value;
    const walk = (item: unknown, depth: number): unknown => {
      if (typeof item === 'string') return this.redact(item);
      if (item === null || typeof item !== 'object' || depth > maxRedactDepth) return item;
      if (Array.isArray(item)) return item.map((element) => walk(element, depth + 1));
      return Object.fromEntries(Object.entries(item).map(([key, element]) => [this.redact(key), walk(element, depth + 1)]));
    };
    return walk(value, 0) as T;
  }

  /** An error safe to show or rethrow: same name, code and server, redacted message. */
  redactError(error: unknown): Error {
    if (!(error instanceof Error)) return new Error(this.redact(String(error)));
    const message = this.redact(error.message);
    if (message === error.message) return error;
    const copy = new Error(message);
    copy.name = error.name;
    for (const key of ['code', 'server'] as const) {
      if (key in error) (copy as unknown as Record<string, unknown>)[key] = (error as unknown as Record<string, unknown>)[key];
    }
    return copy;
  }

  private buildPattern(): RegExp {
    const long = [...this.replacements.keys()]
      .sort((a, b) => b.length - a.length) // longest first, so a secret containing another is replaced whole
      .map(escapeRegExp);
    const short = [...this.shortSecrets.keys()].map((s) => `(?<=(?:^|[=:]\\s*|["'])|^)${escapeRegExp(s)}(?=["'&,;}\\]\\s]|$)`);
    return new RegExp([...long, ...short].join('|'), 'g');
  }

  /**
   * A line that ends with the start of a secret, or starts with its end (the rest is on the
   * next line). Indentation and trailing spaces do not count.
   */
  private redactEdges(line: string): string {
    if (line.length < edgePieceLength) return line;
    const [, indent, body, trailing] = /^(\s*)([\s\S]*?)(\s*)$/.exec(line)!;
    let result = body;
    for (const [spelling, label] of this.edgeSpellings) {
      // Candidate pieces end (or start) with the line's last (or first) character: few of them.
      const last = result[result.length - 1];
      for (let length = Math.min(spelling.length - 1, result.length); length >= edgePieceLength; length--) {
        if (spelling[length - 1] === last && result.endsWith(spelling.slice(0, length))) {
          result = result.slice(0, result.length - length) + label;
          break;
        }
      }
      const first = result[0];
      for (let length = Math.min(spelling.length - 1, result.length); length >= edgePieceLength; length--) {
        if (spelling[spelling.length - length] === first && result.startsWith(spelling.slice(spelling.length - length))) {
          result = label + result.slice(length);
          break;
        }
      }
    }
    return indent + result + trailing;
  }
}

function spellings(value: string): Set<string> {
  const json1 = jsonEscaped(value);
  const json2 = jsonEscaped(json1);
  const forms = [value, json1, json2, jsonEscaped(json2), unicodeEscaped(value, true), unicodeEscaped(value, false)];
  forms.push(unicodeEscaped(value, true).toUpperCase().replace(/\\U/g, '\\u'));
  const percent = encodeURIComponent(value);
  const form = new URLSearchParams({ v: value }).toString().slice(2);
  for (const encoded of [percent, form, percent.replace(/%20/g, '+')]) forms.push(encoded, lowerHex(encoded));
  for (const apostrophe of ['&#39;', '&#x27;', "'"]) forms.push(htmlEscaped(value, apostrophe));
  // Base64 of the value, and of its JSON spelling for a JSON document that was base64-encoded.
  for (const plain of new Set([value, json1])) if (Buffer.byteLength(plain) >= minimumBase64Length) forms.push(...base64Fragments(plain));
  return new Set(forms.filter((f) => f.length >= minimumLength));
}

function jsonEscaped(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/** `\uXXXX` for every character (`all`), or only for non-ASCII ones as Python's json.dumps does. */
function unicodeEscaped(value: string, all: boolean): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    out += all || code > 0x7e ? `\\u${code.toString(16).padStart(4, '0')}` : jsonEscaped(value[i]);
  }
  return out;
}

function lowerHex(encoded: string): string {
  return encoded.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());
}

function htmlEscaped(value: string, apostrophe: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, apostrophe);
}

/**
 * The base64 characters that depend only on the secret's bytes, for each of the three ways
 * the secret can be aligned inside a longer encoded text, in base64 and base64url.
 */
function base64Fragments(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const fragments: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const start = Math.ceil((offset * 8) / 6);
    const end = Math.floor(((offset + bytes.length) * 8) / 6);
    const fragment = encoded.slice(start, end);
    if (fragment.length < minimumBase64Length) continue;
    fragments.push(fragment, fragment.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return fragments;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Keeps secret input values out of everything the extension shows or writes: log channels,
// error messages, tooltips and copied command lines. A secret is replaced by the reference
// it came from, `${input:id}`, so the text still says what was there.

const minimumSecretLength = 3;

export class SecretRedactor {
  /** Each secret spelling (raw, JSON-escaped, URL-encoded) → its replacement. */
  private readonly replacements = new Map<string, string>();
  private pattern: RegExp | undefined;

  /** Registers a secret value of the input `id`. Values shorter than 3 characters are not redacted. */
  add(value: string, id: string): void {
    if (value.length < minimumSecretLength) return;
    const replacement = `\${input:${id}}`;
    const spellings = new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]);
    let changed = false;
    for (const spelling of spellings) {
      if (this.replacements.get(spelling) === replacement) continue;
      this.replacements.set(spelling, replacement);
      changed = true;
    }
    if (changed) this.pattern = undefined;
  }

  redact(text: string): string {
    if (this.replacements.size === 0 || text.length === 0) return text;
    this.pattern ??= new RegExp(
      [...this.replacements.keys()]
        .sort((a, b) => b.length - a.length) // longest first, so a secret containing another is replaced whole
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|'),
      'g',
    );
    return text.replace(this.pattern, (match) => this.replacements.get(match) ?? match);
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
}

// Canary secrets: known values given to servers through every channel, then searched for in
// everything a host wrote, in every spelling a server or an encoder can produce. Written
// independently of core/redact.ts, so a spelling the redactor misses fails the test.
import * as assert from 'node:assert/strict';

/** Each canary is 24+ characters with letters and digits, so any 6-character piece of it is unique. */
export function canary(what: string): string {
  return `canary-${what}-${Math.random().toString(36).slice(2, 10)}Q7x9L`;
}

function html(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The ways a secret can show up in text: encodings, and each half of it when broken across lines. */
/** One fresh secret for each way a secret reaches a server: what both canaries (extension and CLI) give their servers. */
export function canarySecrets() {
  return {
    input: canary('input'),
    env: canary('env'),
    envFile: canary('envfile'),
    literalEnv: canary('literal'),
    bearer: canary('bearer'),
    header: canary('header'),
    command: canary('command'),
  };
}

export function spellingsOf(secret: string): string[] {
  const bytes = Buffer.from(secret);
  const base64: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const fragment = encoded.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + bytes.length) * 8) / 6));
    base64.push(fragment, fragment.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  const half = Math.ceil(secret.length / 2);
  return [
    secret,
    JSON.stringify(secret).slice(1, -1),
    JSON.stringify(JSON.stringify(secret)).slice(1, -1),
    encodeURIComponent(secret),
    new URLSearchParams({ v: secret }).toString().slice(2),
    html(secret),
    [...secret].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
    ...base64,
    secret.slice(0, half),
    secret.slice(half),
  ];
}

/** Fails naming the place and the spelling when any canary shows up in any captured text. */
export function assertNoCanary(captured: Record<string, string>, secrets: Record<string, string>): void {
  const leaks: string[] = [];
  for (const [place, text] of Object.entries(captured)) {
    for (const [what, secret] of Object.entries(secrets)) {
      for (const spelling of spellingsOf(secret)) {
        const at = text.indexOf(spelling);
        if (at >= 0) leaks.push(`${what} (as "${spelling}") in ${place}: …${text.slice(Math.max(0, at - 60), at + spelling.length + 20)}…`);
      }
    }
  }
  assert.deepEqual(leaks, [], `secrets leaked:\n${leaks.join('\n')}`);
}

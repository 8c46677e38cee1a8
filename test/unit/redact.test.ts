// The SecretRedactor (core/redact.ts), the second line of defence for secrets: every spelling
// of a registered secret that a server, a library or an encoder can produce is replaced.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SecretRedactor, secretVariable } from '../../src/core/redact';
import { truncateText } from '../../src/core/logger';
import { describeDefinition, redactUrl } from '../../src/core/definitions';
import { resolveServer, shownForm, type RawServerDefinition } from '../../src/core/config';

const secret = 'sk-Fixture/7f3a+9c1e "5b" <&\'é>';
const label = '${input:token}';

function redactorWith(value = secret): SecretRedactor {
  const redactor = new SecretRedactor();
  redactor.add(value, label);
  return redactor;
}

function htmlEscape(value: string, apostrophe: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, apostrophe);
}

describe('SecretRedactor', () => {
  const spellings: [string, string][] = [
    ['as is', secret],
    ['JSON-escaped', JSON.stringify(secret).slice(1, -1)],
    ['JSON-escaped twice', JSON.stringify(JSON.stringify({ token: secret }))],
    ['JSON-escaped three times', JSON.stringify(JSON.stringify(JSON.stringify({ token: secret })))],
    ['\\u-escaped, lower-case hex', [...secret].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')],
    ['\\u-escaped, upper-case hex', [...secret].map((c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`).join('')],
    ['\\u-escaped non-ASCII only (Python json.dumps)', JSON.stringify(secret).slice(1, -1).replace(/é/g, '\\u00e9')],
    ['encodeURIComponent', `https://h/p?token=${encodeURIComponent(secret)}`],
    ['percent-encoded, lower-case hex', encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())],
    ['form-encoded', new URLSearchParams({ token: secret, other: 'x' }).toString()],
    ['form-encoded, lower-case hex', new URLSearchParams({ token: secret }).toString().replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())],
    ['HTML-escaped with &#39;', `<p title="${htmlEscape(secret, '&#39;')}">`],
    ['HTML-escaped with &#x27;', htmlEscape(secret, '&#x27;')],
    ['base64', Buffer.from(secret).toString('base64')],
    ['Basic credentials user:secret', `Authorization: Basic ${Buffer.from(`user:${secret}`).toString('base64')}`],
    ['Basic credentials, another user length', `Basic ${Buffer.from(`alice:${secret}`).toString('base64')}`],
    ['inside base64 JSON', Buffer.from(JSON.stringify({ a: 1, token: secret })).toString('base64')],
    ['base64url', Buffer.from(`ab${secret}`).toString('base64url')],
  ];
  for (const [name, text] of spellings) {
    it(`redacts the secret ${name}`, () => {
      const redacted = redactorWith().redact(text);
      assert.notEqual(redacted, text, `${name} was not redacted: ${text}`);
      assert.ok(redacted.includes(label), redacted);
      // What is left must not decode back to the secret in any of the encodings either.
      for (const decoded of [redacted, decodeURIComponent(redacted.replace(/\+/g, ' ').replace(/%(?![0-9a-f]{2})/gi, '%25'))]) {
        assert.ok(!decoded.includes(secret), decoded);
      }
      assert.ok(!Buffer.from(redacted.replace(/^.*Basic /, ''), 'base64').toString('utf8').includes(secret));
    });
  }

  it('redacts a secret broken across lines where each piece at the line edge is 6 characters or more', () => {
    const redactor = redactorWith('sk-fixture-7f3a9c1e5b');
    assert.equal(redactor.redact('token: sk-fixture-7f\n3a9c1e5b done'), `token: ${label}\n${label} done`);
    assert.equal(redactor.redact('token: sk-fixt'), `token: ${label}`);
    assert.equal(redactor.redact('ure-7f3a9c1e5b is the rest'), `${label} is the rest`);
    assert.equal(redactor.redact('ends with sk-f'), 'ends with sk-f', 'a piece under 6 characters stays (documented limit)');
    assert.equal(redactor.redact(JSON.stringify({ text: 'token: sk-fixture-7f\n3a9c1e5b done' })), JSON.stringify({ text: `token: ${label}\n${label} done` }));
  });

  it('replaces a secret under 3 characters only where it is the whole value of a field', () => {
    const redactor = redactorWith('q7');
    assert.equal(redactor.redact('--pin=q7 "pin":"q7" pin: q7'), `--pin=${label} "pin":"${label}" pin: ${label}`);
    assert.equal(redactor.redact('q7'), label);
    assert.equal(redactor.redact('aq7b, q7s and Q7 stay'), 'aq7b, q7s and Q7 stay');
  });

  it('leaves text without secrets alone, also with many secrets registered', () => {
    const redactor = new SecretRedactor();
    for (let i = 0; i < 200; i++) redactor.add(createHash('sha256').update(String(i)).digest('hex'), `\${input:t${i}}`);
    const line = 'Started "echo" as process group 1234: node server.mjs --flag=value';
    assert.equal(redactor.redact(line), line);
  });

  it('learns Bearer and Basic credentials of secret headers, and OAuth records', () => {
    const redactor = new SecretRedactor();
    redactor.addDefinition({
      kind: 'http',
      name: 'remote',
      url: 'https://example.test/mcp',
      headers: { Authorization: `Basic ${Buffer.from('me:pa55-word!').toString('base64')}`, 'X-Api-Key': 'key-1234', Accept: 'application/json' },
      source: { label: 'test' },
    });
    redactor.addOAuthRecord({ tokens: { access_token: 'at-0123456789', refresh_token: 'rt-0123456789', token_type: 'Bearer' }, clientInformation: { client_id: 'id', client_secret: 'cs-0123456789' } });
    const redacted = redactor.redact('pa55-word! key-1234 application/json at-0123456789 rt-0123456789 cs-0123456789');
    assert.equal(redacted, '[redacted header Authorization] [redacted header X-Api-Key] application/json [redacted OAuth access token] [redacted OAuth refresh token] [redacted OAuth client secret]');
  });

  it('treats variables as secret by name or by a token-like value, not every value', () => {
    assert.ok(secretVariable('GITHUB_TOKEN', 'x'));
    assert.ok(secretVariable('FIXTURE_API_KEY', 'x'));
    assert.ok(secretVariable('DB_PASSWORD', 'x'));
    assert.ok(secretVariable('ANYTHING', 'ghp_16charsAnd123456'));
    assert.ok(!secretVariable('NODE_ENV', 'production'));
    assert.ok(!secretVariable('LOG_DIR', '/var/log/server-2024-11'));
    assert.ok(!secretVariable('MONKEY', 'true'));
    assert.ok(!secretVariable('NODE_OPTIONS', '--max-old-space-size=4096'));
  });

  it('redacts the message of an error and keeps its code and server', () => {
    const error = Object.assign(new Error(`failed with ${secret}`), { code: 'tool-error', server: 'srv' });
    const redacted = redactorWith().redactError(error) as Error & { code: string; server: string };
    assert.equal(redacted.message, `failed with ${label}`);
    assert.equal(redacted.code, 'tool-error');
    assert.equal(redacted.server, 'srv');
  });

  it('redacts every string of an object a server sent, before anything escapes or cuts it', () => {
    const tool = { name: 'echo', description: `Configured with ${secret}.`, inputSchema: { type: 'object', properties: { [secret]: { default: secret } } } };
    const redacted = redactorWith().redactDeep(tool);
    assert.equal(redacted.description, `Configured with ${label}.`);
    assert.deepEqual(redacted.inputSchema, { type: 'object', properties: { [label]: { default: label } } });
    assert.ok(!JSON.stringify(redacted).includes(secret));
    assert.equal(tool.description, `Configured with ${secret}.`, 'the original is left as it was');
  });

  it('redacts a secret in a long text before cutting it', () => {
    const text = `${'x'.repeat(4090)}${secret} and more`;
    const cut = truncateText(text, 4096, (t) => redactorWith().redact(t));
    assert.ok(!cut.includes(secret.slice(0, 6)), cut.slice(4080));
    assert.ok(cut.startsWith(`${'x'.repeat(4090)}${label}`.slice(0, 4096)));
  });
});

describe('definitions shown as written', () => {
  const raw: RawServerDefinition = {
    kind: 'stdio',
    name: 'gh',
    command: '${workspaceFolder}/bin/server',
    args: ['--token=${env:GH_TOKEN}', '--pin', '${input:pin}'],
    env: { GH_TOKEN: '${env:GH_TOKEN}' },
    cwd: '~/work',
    source: { label: 'test' },
  };

  it('resolveServer keeps the template, and describeDefinition shows it, never the values', async () => {
    const told: string[] = [];
    const resolved = await resolveServer(
      raw,
      { env: () => 'ghp_secretvalue123', workspaceFolder: '/ws', userHome: '/home/u', input: async () => '4242', secret: (value, variable) => told.push(`${variable}=${value}`) },
      [{ id: 'pin', type: 'promptString', password: true }],
    );
    assert.deepEqual(resolved.kind === 'stdio' && resolved.args, ['--token=ghp_secretvalue123', '--pin', '4242']);
    assert.equal(describeDefinition(resolved), '/ws/bin/server "--token=${env:GH_TOKEN}" --pin "${input:pin}"');
    assert.deepEqual(told.sort(), ['${env:GH_TOKEN}=ghp_secretvalue123', '${env:GH_TOKEN}=ghp_secretvalue123', '${input:pin}=4242']);
    assert.equal(shownForm(raw, { userHome: '/home/u' }).cwd, '/home/u/work');
  });

  it('registers only values that are secret: a password or command input, or a secret-looking name or value', async () => {
    const told: string[] = [];
    const plain: RawServerDefinition = { ...raw, args: ['--owner', '${env:USER}', '--greeting', '${input:greeting}', '--key', '${input:key}'], env: {} };
    const inputs = [{ id: 'greeting', type: 'promptString' as const, default: 'hello' }];
    await resolveServer(
      plain,
      { env: () => 'root', workspaceFolder: '/ws', userHome: '/home/u', input: async (id) => (id === 'key' ? 'k3yValueThatLooksLikeAToken1' : 'hello'), secret: (value, variable) => told.push(`${variable}=${value}`) },
      inputs,
    );
    assert.deepEqual(told, ['${input:key}=k3yValueThatLooksLikeAToken1'], 'neither "root" nor "hello" would be replaced in every output');
  });

  it('redactUrl drops credentials, literal query values and the fragment, and keeps templates', () => {
    assert.equal(redactUrl('https://u:p@h.test/mcp?key=abc&t=${input:t}#access_token=x'), 'https://h.test/mcp?key=REDACTED&t=${input:t}#REDACTED');
    assert.equal(redactUrl('https://${env:HOST}/a/${input:path}'), 'https://${env:HOST}/a/${input:path}');
  });
});

import * as assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inheritedEnvironment, parseDotenv, serverEnvironment } from '../../src/core/env';

describe('env: inheritedEnvironment', () => {
  const hostEnvironment: NodeJS.ProcessEnv = {
    // kept
    PATH: '/usr/bin:/bin',
    HOME: '/home/dev',
    USER: 'dev',
    SHELL: '/bin/bash',
    TERM: 'xterm-256color',
    LANG: 'en_US.UTF-8',
    LC_ALL: 'en_US.UTF-8',
    LC_CTYPE: 'UTF-8',
    TZ: 'Europe/Paris',
    TMPDIR: '/tmp/dev',
    XDG_CONFIG_HOME: '/home/dev/.config',
    XDG_RUNTIME_DIR: '/run/user/1000',
    HTTP_PROXY: 'http://proxy:3128',
    https_proxy: 'http://proxy:3128',
    no_proxy: 'localhost,127.0.0.1',
    ALL_PROXY: 'socks5://proxy:1080',
    NODE_EXTRA_CA_CERTS: '/etc/ssl/corp.pem',
    SSL_CERT_FILE: '/etc/ssl/cert.pem',
    REQUESTS_CA_BUNDLE: '/etc/ssl/cert.pem',
    NVM_DIR: '/home/dev/.nvm',
    npm_config_cache: '/home/dev/.npm',
    VIRTUAL_ENV: '/work/.venv',
    // dropped
    GITHUB_TOKEN: 'ghp_secret',
    GH_TOKEN: 'gh_secret',
    OPENAI_API_KEY: 'sk-secret',
    AWS_SECRET_ACCESS_KEY: 'aws-secret',
    AWS_PROFILE: 'prod',
    DATABASE_PASSWORD: 'pw',
    npm_config__authToken: 'npm-secret',
    'npm_config_//registry.npmjs.org/:_authToken': 'npm-secret',
    VSCODE_PID: '123',
    VSCODE_IPC_HOOK: '/run/vscode.sock',
    VSCODE_INSPECTOR_OPTIONS: '{}',
    ELECTRON_RUN_AS_NODE: '1',
    NODE_OPTIONS: '--require /opt/js-debug/bootloader.js',
    PYTHONPATH: '/work/src',
    COLORTERM: 'truecolor',
    BASH_FUNC_greet: '() {  echo hi\n}',
    UNSET: undefined,
  };

  it('keeps the SDK defaults, locale, XDG dirs, proxies (either case), CA bundles and toolchain locators', () => {
    const env = inheritedEnvironment(hostEnvironment);
    for (const name of [
      'PATH', 'HOME', 'USER', 'SHELL', 'TERM', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'XDG_CONFIG_HOME', 'XDG_RUNTIME_DIR',
      'HTTP_PROXY', 'https_proxy', 'no_proxy', 'ALL_PROXY', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE',
      'NVM_DIR', 'npm_config_cache', 'VIRTUAL_ENV',
    ]) {
      assert.equal(env[name], hostEnvironment[name], `${name} should be inherited`);
    }
  });

  it('drops secrets, VS Code / Electron variables, NODE_OPTIONS, PYTHONPATH and anything unlisted', () => {
    const env = inheritedEnvironment(hostEnvironment);
    for (const name of [
      'GITHUB_TOKEN', 'GH_TOKEN', 'OPENAI_API_KEY', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE', 'DATABASE_PASSWORD',
      'npm_config__authToken', 'npm_config_//registry.npmjs.org/:_authToken', 'VSCODE_PID', 'VSCODE_IPC_HOOK',
      'VSCODE_INSPECTOR_OPTIONS', 'ELECTRON_RUN_AS_NODE', 'NODE_OPTIONS', 'PYTHONPATH', 'COLORTERM', 'UNSET',
    ]) {
      assert.ok(!(name in env), `${name} should be dropped`);
    }
    assert.ok(!Object.values(env).some((v) => v.includes('secret')));
  });

  it('drops exported shell functions even under an allowed name', () => {
    assert.deepEqual(inheritedEnvironment({ TERM: '() { :; }; echo pwned', LANG: 'C' }), { LANG: 'C' });
    assert.ok(!('BASH_FUNC_greet' in inheritedEnvironment(hostEnvironment)));
  });

  it('reads process.env by default', () => {
    assert.equal(inheritedEnvironment().PATH, process.env.PATH);
  });
});

describe('env: parseDotenv', () => {
  it('reads plain, exported, quoted and empty assignments, skipping comments and blank lines', () => {
    const text = [
      '# a comment',
      '',
      'PLAIN=value',
      'export EXPORTED=yes',
      '  SPACED  =  padded value  ',
      'EMPTY=',
      "SINGLE='literal \\n ${NOT_EXPANDED} # not a comment'",
      'DOUBLE="line1\\nline2\\ttab \\"quoted\\" back\\\\slash"',
      'INLINE=value # trailing comment',
      'HASH=abc#def',
      'URL=https://example.com/?a=1&b=2',
      'dotted.name-1=ok',
      'not an assignment',
      '=nokey',
    ].join('\n');
    assert.deepEqual(parseDotenv(text), {
      PLAIN: 'value',
      EXPORTED: 'yes',
      SPACED: 'padded value',
      EMPTY: '',
      SINGLE: 'literal \\n ${NOT_EXPANDED} # not a comment',
      DOUBLE: 'line1\nline2\ttab "quoted" back\\slash',
      INLINE: 'value',
      HASH: 'abc#def',
      URL: 'https://example.com/?a=1&b=2',
      'dotted.name-1': 'ok',
    });
  });

  it('reads multi-line quoted values, CRLF files and trailing text after a closing quote', () => {
    const text = 'KEY="-----BEGIN KEY-----\r\nabc\r\n-----END KEY-----"\r\nAFTER=1\r\nQUOTED="x" # comment\r\n';
    assert.deepEqual(parseDotenv(text), { KEY: '-----BEGIN KEY-----\nabc\n-----END KEY-----', AFTER: '1', QUOTED: 'x' });
  });

  it('lets a later assignment win and keeps an unterminated quote literally instead of swallowing the file', () => {
    assert.deepEqual(parseDotenv('A=1\nA=2\nB="open\nC=3'), { A: '2', B: '"open', C: '3' });
  });
});

describe('env: serverEnvironment', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcp-env-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('applies base, then envFile, then env, where null deletes', async () => {
    const envFile = join(dir, '.env');
    await writeFile(envFile, 'FROM_FILE=file\nOVERRIDDEN=file\nDELETED_FROM_FILE=file\nPATH=/file/bin\n');
    const base = { PATH: '/usr/bin', HOME: '/home/dev', KEEP: 'base', DELETED_FROM_BASE: 'base' };
    const env = await serverEnvironment(base, {
      envFile,
      env: { OVERRIDDEN: 'env', DELETED_FROM_FILE: null, DELETED_FROM_BASE: null, NEW: 'env' },
    });
    assert.deepEqual(env, { PATH: '/file/bin', HOME: '/home/dev', KEEP: 'base', FROM_FILE: 'file', OVERRIDDEN: 'env', NEW: 'env' });
    assert.deepEqual(base, { PATH: '/usr/bin', HOME: '/home/dev', KEEP: 'base', DELETED_FROM_BASE: 'base' }, 'base is not modified');
  });

  it('works without an envFile', async () => {
    assert.deepEqual(await serverEnvironment({ A: '1' }, { env: { B: '2', A: null } }), { B: '2' });
  });

  it('throws an error naming a missing envFile', async () => {
    const missing = join(dir, 'missing.env');
    await assert.rejects(serverEnvironment({}, { env: {}, envFile: missing }), (e: Error) => {
      assert.equal(e.message, `envFile "${missing}" does not exist`);
      return true;
    });
  });

  it('throws an error naming an unreadable envFile', async () => {
    await assert.rejects(serverEnvironment({}, { env: {}, envFile: dir }), (e: Error) => {
      assert.match(e.message, new RegExp(`^envFile "${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" cannot be read`));
      return true;
    });
  });
});

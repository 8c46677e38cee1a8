// Configuration fuzzing: mutated mcp.json (`servers` + `inputs`) and Claude Desktop / Cursor
// (`mcpServers`) documents go through the same steps as in the extension and the CLI —
// decodeConfigText, parseConfig, a LineIndex position and formatIssue for every problem — and
// the settings path (parseServersObject) gets the same values.
//
// Each document holds valid "sibling" servers and one "victim". Mutations change only the
// victim (wrong types, duplicate or unknown keys, hostile and huge strings, deep nesting, random
// character edits inside its text) or the document around it (a byte order mark, a second
// section, random edits anywhere). Checked for every document:
// - nothing throws (a crash);
// - every problem has a message and a range inside the text; a file-level error means no servers;
// - broken input is reported: text that strict JSON rejects, using no JSONC extension, has an error;
// - a mutation that leaves the file readable leaves every sibling loading as it was written;
// - the expected problem is reported (a wrong type is an error on the victim's path, a duplicate
//   key a warning, nesting past the limit one file-level error);
// - time (CPU time of the process): at most `documentBoundMs(size)`; the 1 MB document with
//   16,000 problems, made every `bigDocumentEvery` cases (alternately semantic problems and
//   syntax errors), at most `bigDocumentBoundMs`.
// A broken guarantee is a violation; an exception is a crash.

import { stripComments } from 'jsonc-parser/lib/esm/main.js';
import { performance } from 'node:perf_hooks';
import {
  decodeConfigText,
  formatIssue,
  LineIndex,
  maxNestingDepth,
  parseConfig,
  parseServersObject,
  type ConfigIssue,
  type JsonPath,
  type ParsedConfig,
} from '../../src/core/config';
import type { ServerDefinition } from '../../src/core/definitions';
import { PeakMemory, SeededRandom, type Campaign, type FuzzCrash, type FuzzReport } from './campaign';

export const iterations = { test: 2_000, long: 50_000 };

/** Per-document bound: generous for a loaded two-core machine, and linear in the size. */
export function documentBoundMs(textLength: number): number {
  return 250 + textLength / 1024;
}
export const bigDocumentBoundMs = 1_000;
const bigDocumentEvery = 1_000;

type Section = 'servers' | 'mcpServers';

interface Sibling {
  name: string;
  valueText: string;
  expected: { kind: string; command?: string; args?: string[]; url?: string };
}

interface Document {
  description: string[];
  text: string;
  section: Section;
  siblings: Sibling[];
  victim: string;
  /** Problems that must be among the result's: a path prefix and a severity. */
  expectations: { path: JsonPath; severity: ConfigIssue['severity'] | 'file'; why: string }[];
  /** Whether the siblings must load when the file reads at all (no file-level error). */
  siblingsMustLoad: boolean;
  /** False when a mutation may have broken the file as a whole (random edits, nesting past the limit). */
  fileMustRead: boolean;
  /** Bound in ms for this document. */
  boundMs?: number;
}

const hostileTexts = [
  '\u001b]0;owned\u0007',
  '\u001b[2J\u001b[H',
  'admin\u202e\u2066cod.exe',
  '\u200b\u200d\ufeff',
  '\u0000\u0001\u007f\u0085\u009b',
  'line\nbreak\r\u2028\u2029',
  '[click](command:workbench.action.openSettings)',
  '$(alert) $(x',
  '${env:HOME}',
  '${input:missing}',
  '${unknown}',
  '${',
  '..',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'серверы',
  '服务器',
  '🚀🔥',
  '\ud800',
  '',
  ' ',
];

const editAlphabet = ['{', '}', '[', ']', '"', ',', ':', '\\', '/', '*', '/*', '//', '\n', ' ', 'a', '1', '-', 'null', 'true', '\u0000', '\u001b', '\ufeff', '\u202e', 'é', '😀', '\ud800'];

function hostileText(random: SeededRandom): string {
  if (random.chance(0.02)) return random.pick(['x', '${', '${input:', '\u0000']).repeat(random.pick([10_000, 100_000, 250_000]));
  let text = '';
  for (let i = 1 + random.int(3); i > 0; i--) text += random.pick(hostileTexts);
  return text;
}

function letters(random: SeededRandom, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += String.fromCharCode(97 + random.int(26));
  return out;
}

function validServer(random: SeededRandom, section: Section): { value: Record<string, unknown>; expected: Sibling['expected'] } {
  if (random.chance(0.7)) {
    const command = random.pick(['node', 'npx', '/usr/local/bin/server', 'uvx', 'python3']);
    const args = Array.from({ length: random.int(4) }, () => random.pick(['--stdio', 'server.js', '-y', '@scope/pkg@1.2.3', '${userHome}/x', 'é']));
    const value: Record<string, unknown> = { command, args };
    if (section === 'servers' || random.chance(0.5)) value.type = 'stdio';
    if (random.chance(0.4)) value.env = { TOKEN: '${env:TOKEN}', MODE: 'fast' };
    if (random.chance(0.2)) value.cwd = '${workspaceFolder}';
    return { value, expected: { kind: 'stdio', command, args } };
  }
  const url = random.pick(['https://example.com/mcp', 'http://127.0.0.1:3000/mcp', 'https://api.example.com/sse?x=1']);
  const kind = url.endsWith('1') ? 'sse' : 'http';
  const value: Record<string, unknown> = { type: kind, url };
  if (random.chance(0.4)) value.headers = { Authorization: 'Bearer ${env:TOKEN}' };
  return { value, expected: { kind, url } };
}

/** A field of the victim set to a wrong type: always an error on the victim's path. */
const wrongFields: [string, unknown[]][] = [
  ['command', [1, true, null, [], {}]],
  ['args', ['x', 1, {}, [1], [null], [[]]]],
  ['env', [[], 'x', { A: {} }, { '': 'x' }, { 'A=B': 'x' }, { A: [] }]],
  ['cwd', [1, [], {}, false]],
  ['envFile', [1, [], {}]],
  ['type', [1, 'ftp', '', [], 'STDIO']],
  ['disabled', ['yes', 1, null]],
];

const wrongRemoteFields: [string, unknown[]][] = [
  ['url', [1, 'not a url', 'file:///etc/passwd', 'javascript:alert(1)', '', []]],
  ['headers', [[], 'x', { h: 1 }, { h: {} }]],
];

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

function siblingName(random: SeededRandom, index: number): string {
  return `sibling-${index}-${letters(random, 6)}`;
}

/** Builds one document: siblings around a victim, then mutations. */
function makeDocument(random: SeededRandom): Document {
  const section: Section = random.chance(0.5) ? 'servers' : 'mcpServers';
  const siblingCount = 1 + random.int(4);
  const siblings: Sibling[] = Array.from({ length: siblingCount }, (_, i) => {
    const { value, expected } = validServer(random, section);
    return { name: siblingName(random, i), valueText: JSON.stringify(value, null, random.pick([0, 2])), expected };
  });
  const victim = random.chance(0.3) ? `victim${hostileText(random)}` : `victim-${letters(random, 5)}`;
  const base = validServer(random, section);
  let victimValue: Record<string, unknown> = base.value;
  let victimText: string | undefined;
  const description: string[] = [`${section}, ${siblingCount} siblings`];
  const expectations: Document['expectations'] = [];
  const victimPath: JsonPath = [section, victim];
  let siblingsMustLoad = true;
  let fileMustRead = true;
  let wrongField: string | undefined;
  let extraTopLevel = '';
  let extraEntries = '';
  let bom = false;

  // Mutations of the victim's value first, then at most one of its text, then of the document.
  const valueKinds = ['hostile-strings', 'wrong-field', 'unknown-key'].filter(() => random.chance(0.35));
  const textKind = random.pick(['wrong-type', 'duplicate-key', 'deep', 'none', 'none']);
  const documentKinds = ['bom', 'duplicate-section', 'duplicate-name'].filter(() => random.chance(0.15));
  for (const kind of [...valueKinds, textKind, ...documentKinds]) {
    if (kind === 'none') continue;
    description.push(kind);
    switch (kind) {
      case 'hostile-strings':
        victimValue = { ...victimValue, ...('url' in victimValue ? { headers: { [hostileText(random)]: hostileText(random) } } : { command: hostileText(random), args: [hostileText(random), hostileText(random)] }) };
        break;
      case 'wrong-field': {
        const fields = 'url' in victimValue ? [...wrongRemoteFields, ...wrongFields.filter(([f]) => f === 'type' || f === 'disabled')] : wrongFields;
        const [field, values] = random.pick(fields);
        victimValue = { ...victimValue, [field]: random.pick(values) };
        wrongField = field;
        expectations.push({ path: victimPath, severity: 'error', why: `a wrong "${field}"` });
        break;
      }
      case 'unknown-key':
        victimValue = { ...victimValue, [`extra${letters(random, 3)}`]: hostileText(random) };
        // Keys are checked once the kind of server is known: not when "type" or "disabled" is wrong.
        if (wrongField !== 'type' && wrongField !== 'disabled') expectations.push({ path: victimPath, severity: 'warning', why: 'an unknown key' });
        break;
      case 'wrong-type':
        victimText = JSON.stringify(random.pick([42, 'str', [], null, true, [{ command: 'x' }]]));
        expectations.length = 0;
        expectations.push({ path: victimPath, severity: 'error', why: 'a server that is not an object' });
        break;
      case 'duplicate-key':
        victimText = `{ "command": ${JSON.stringify(hostileText(random))}, "command": "second", ${JSON.stringify(victimValue).slice(1)}`;
        // The first "command" is read, so a wrong one written later is never looked at.
        if (wrongField === 'command') expectations.splice(expectations.findIndex((e) => e.why === 'a wrong "command"'), 1);
        expectations.push({ path: [...victimPath, 'command'], severity: 'warning', why: 'a duplicate key' });
        break;
      case 'deep': {
        const depth = random.pick([5, 50, maxNestingDepth - 3, maxNestingDepth - 2, 150, 10_000]);
        // Arrays where strings (args) or an object (headers) belong: an error on the victim.
        const key = 'url' in victimValue ? 'headers' : 'args';
        victimText = `{ "${key}": ${nested(depth)}, ${JSON.stringify(victimValue).slice(1)}`;
        description.push(`depth ${depth}`);
        // The document, the section and the victim are three levels above the arrays.
        if (3 + depth > maxNestingDepth) {
          expectations.length = 0;
          expectations.push({ path: [], severity: 'file', why: 'nesting past the limit' });
          fileMustRead = false;
        } else {
          expectations.push({ path: victimPath, severity: 'error', why: 'nested arrays where strings belong' });
        }
        break;
      }
      case 'bom':
        bom = true;
        break;
      case 'duplicate-section':
        extraTopLevel = `,\n  ${JSON.stringify(section)}: { "shadowed": { "command": "x" } }`;
        expectations.push({ path: [section], severity: 'warning', why: 'a second section' });
        break;
      case 'duplicate-name': {
        const first = random.pick(siblings);
        extraEntries = `,\n    ${JSON.stringify(first.name)}: { "command": "duplicate" }`;
        expectations.push({ path: [section, first.name], severity: 'error', why: 'a duplicate server name' });
        break;
      }
    }
  }
  victimText ??= JSON.stringify(victimValue);

  // Random character edits inside the victim's text: if the file still reads, siblings load.
  if (random.chance(0.35)) {
    const edits = 1 + random.int(4);
    victimText = editText(random, victimText, edits);
    description.push(`${edits} edits in the victim`);
    expectations.length = 0; // what the victim turned into is unknown
    fileMustRead = false;
  }

  const position = random.int(siblings.length + 1);
  const entries = siblings.map((s) => `${JSON.stringify(s.name)}: ${s.valueText}`);
  entries.splice(position, 0, `${JSON.stringify(victim)}: ${victimText}`);
  const inputs = section === 'servers' && random.chance(0.5) ? '  "inputs": [{ "id": "token", "type": "promptString", "password": true }],\n' : '';
  let text = `{\n${inputs}  ${JSON.stringify(section)}: {\n    ${entries.join(',\n    ')}${extraEntries}\n  }${extraTopLevel}\n}\n`;

  // Random edits anywhere: the file may break as a whole.
  if (random.chance(0.15)) {
    const edits = 1 + random.int(3);
    text = editText(random, text, edits);
    description.push(`${edits} edits anywhere`);
    expectations.length = 0;
    siblingsMustLoad = false;
    fileMustRead = false;
  }
  if (bom) text = `\ufeff${text}`;
  return { description, text, section, siblings, victim, expectations, siblingsMustLoad, fileMustRead };
}

function editText(random: SeededRandom, text: string, edits: number): string {
  let out = text;
  for (let i = 0; i < edits; i++) {
    const at = random.int(out.length + 1);
    switch (random.int(5)) {
      case 0:
        out = out.slice(0, at) + out.slice(at + 1 + random.int(8));
        break;
      case 1:
        out = out.slice(0, at) + random.pick(editAlphabet) + out.slice(at);
        break;
      case 2:
        out = out.slice(0, at) + random.pick(editAlphabet) + out.slice(at + 1);
        break;
      case 3:
        out = out.slice(0, at);
        break;
      default: {
        const from = random.int(out.length + 1);
        out = out.slice(0, at) + out.slice(from, from + random.int(20)) + out.slice(at);
      }
    }
  }
  return out;
}

/** About 1 MB with 16,000 problems: semantic ones (siblings still load) or syntax errors. */
function bigDocument(random: SeededRandom, syntax: boolean): Document {
  const section: Section = 'servers';
  const first = { name: 'sibling-first', valueText: '{ "command": "node", "args": ["first.js"] }', expected: { kind: 'stdio', command: 'node', args: ['first.js'] } };
  const last = { name: 'sibling-last', valueText: '{ "type": "http", "url": "https://example.com/mcp" }', expected: { kind: 'http', url: 'https://example.com/mcp' } };
  const padding = 'p'.repeat(8 + random.int(4));
  const broken = Array.from({ length: 16_000 }, (_, i) =>
    syntax ? `"broken-${i}": { "command": "x" "args": ["${padding}"] }` : `"broken-${i}": { "command": ${i}, "args": ["${padding}"] }`,
  );
  const entries = [`"${first.name}": ${first.valueText}`, ...broken, `"${last.name}": ${last.valueText}`];
  const text = `{\n  "servers": {\n    ${entries.join(',\n    ')}\n  }\n}\n`;
  return {
    description: [`${(text.length / 1e6).toFixed(2)} MB, 16,000 ${syntax ? 'syntax errors' : 'invalid servers'}`],
    text,
    section,
    siblings: syntax ? [] : [first, last],
    victim: 'broken-0',
    expectations: [{ path: syntax ? [] : [section, 'broken-0'], severity: syntax ? 'file' : 'error', why: 'the broken servers' }],
    siblingsMustLoad: !syntax,
    fileMustRead: !syntax,
    boundMs: bigDocumentBoundMs,
  };
}

function startsWith(path: JsonPath, prefix: JsonPath): boolean {
  return prefix.every((segment, i) => path[i] === segment);
}

/** What the result breaks of the stated guarantees; empty when it keeps them. */
function check(document: Document, text: string, parsed: ParsedConfig): string[] {
  const problems: string[] = [];
  const fileLevel = parsed.issues.some((i) => i.severity === 'error' && i.path.length === 0);
  for (const issue of parsed.issues) {
    if (!issue.message) problems.push(`an issue without a message at ${issue.offset}`);
    if (!(issue.offset >= 0 && issue.length >= 0 && issue.offset + issue.length <= text.length)) {
      problems.push(`issue "${issue.message.slice(0, 80)}" has range ${issue.offset}+${issue.length} outside the text (${text.length})`);
    }
  }
  if (fileLevel && parsed.servers.length > 0) problems.push(`a file-level error, yet ${parsed.servers.length} servers were read`);

  // Strict JSON is the oracle once comments are gone; trailing commas (JSONC allows them) skip it.
  const strict = stripComments(text);
  if (strict.trim() !== '' && !/,\s*[}\]]/.test(strict) && !parsed.issues.some((i) => i.severity === 'error')) {
    try {
      JSON.parse(strict);
    } catch (e) {
      problems.push(`strict JSON rejects the text (${(e as Error).message.slice(0, 80)}) but no error was reported`);
    }
  }

  if (document.siblingsMustLoad && !fileLevel) {
    for (const sibling of document.siblings) {
      const server = parsed.servers.find((s) => s.name === sibling.name);
      if (!server) {
        problems.push(`sibling "${sibling.name}" did not load`);
        continue;
      }
      const actual = server.kind === 'stdio' ? { kind: server.kind, command: server.command, args: server.args } : { kind: server.kind, url: server.url };
      if (JSON.stringify(actual) !== JSON.stringify(sibling.expected)) problems.push(`sibling "${sibling.name}" loaded as ${JSON.stringify(actual)}, written as ${JSON.stringify(sibling.expected)}`);
    }
  }
  if (document.fileMustRead && fileLevel) problems.push(`a file-level error where only the victim was changed: ${parsed.issues[0].message.slice(0, 120)}`);

  // Nesting past the limit stops the file being read, so nothing else about it is reported.
  const fileExpected = document.expectations.filter((e) => e.severity === 'file');
  for (const expected of fileExpected.length > 0 ? fileExpected : document.expectations) {
    const found = parsed.issues.some((i) =>
      expected.severity === 'file' ? i.severity === 'error' && i.path.length === 0 : i.severity === expected.severity && startsWith(i.path, expected.path),
    );
    if (!found) problems.push(`no ${expected.severity} at ${JSON.stringify(expected.path).slice(0, 120)} for ${expected.why}`);
  }
  return problems;
}

/** The steps the extension and the CLI take for a file's bytes. */
function readLikeTheProduct(bytes: Uint8Array): { text: string; parsed: ParsedConfig } {
  const text = decodeConfigText(bytes);
  const parsed = parseConfig(text, { file: '/fuzz/.vscode/mcp.json', label: 'fuzz' });
  const lines = new LineIndex(text);
  for (const issue of parsed.issues) {
    lines.position(issue.offset);
    lines.position(issue.offset + issue.length);
    formatIssue(issue);
  }
  return { text, parsed };
}

/** The settings path: the same servers as an already-parsed object, when the text is JSON. */
function readAsSetting(text: string): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return;
  }
  const servers = value !== null && typeof value === 'object' ? ((value as Record<string, unknown>).servers ?? (value as Record<string, unknown>).mcpServers) : value;
  const result = parseServersObject(servers, { label: 'user settings' }, ['mcpSessions.servers']);
  result.servers.forEach((server: ServerDefinition) => server.name);
}

/**
 * Time is the process's CPU time, not the wall clock: on a machine shared with other work the
 * wall clock measures the neighbours; CPU time is what the document costs.
 */
function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

export const campaign: Campaign = async ({ seed, iterations: count, log }) => {
  const random = new SeededRandom(seed);
  const memory = new PeakMemory();
  const crashes: FuzzCrash[] = [];
  const violations: FuzzCrash[] = [];
  const slowest = { case: '', ms: 0 };
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const big = i % bigDocumentEvery === bigDocumentEvery - 1;
    const document = big ? bigDocument(random, Math.floor(i / bigDocumentEvery) % 2 === 1) : makeDocument(random);
    const label = `seed ${seed} case ${i}: ${document.description.join(', ')}`;
    try {
      const wallBefore = performance.now();
      const cpuBefore = process.cpuUsage();
      const { text, parsed } = readLikeTheProduct(Buffer.from(document.text, 'utf8'));
      const ms = cpuMs(process.cpuUsage(cpuBefore));
      const wallMs = performance.now() - wallBefore;
      const timing = `${ms.toFixed(0)} ms of CPU, ${wallMs.toFixed(0)} ms wall`;
      if (ms > slowest.ms) Object.assign(slowest, { case: `${label} (${document.text.length} chars; ${timing})`, ms: Math.round(ms * 10) / 10 });
      if (big) log(`config: ${document.description[0]}: ${timing}, ${parsed.issues.length} problems`);
      const bound = document.boundMs ?? documentBoundMs(text.length);
      const problems = check(document, text, parsed);
      if (ms > bound) problems.push(`took ${timing}, over the bound of ${bound.toFixed(0)} ms`);
      if (problems.length > 0) violations.push({ case: label, error: problems.join('; ') });
      readAsSetting(text);
    } catch (e) {
      crashes.push({ case: label, error: (e as Error).stack ?? String(e) });
    }
    memory.sample();
    if (i > 0 && i % 5_000 === 0) log(`config: ${i} documents, ${crashes.length} crashes, ${violations.length} violations, ${((performance.now() - started) / 1000).toFixed(1)} s`);
    // Let timers and I/O run between documents, as the extension host would.
    if (i % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
  }
  const report: FuzzReport = { campaign: 'config', seed, cases: count, crashes, violations, slowest, peakRssMiB: memory.mib };
  return report;
};

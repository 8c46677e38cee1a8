// The project's lint rules (eslint.config.mjs) as ESLint applies them: each offending snippet,
// linted as if it were a file of the layer it names, gets the rule's message; each allowed one
// gets no message at all. The snippets take the place of real files' text (lintText), so the
// type-aware rules see them in the project's TypeScript program. ESLint runs in a child process
// (test/support/lint-worker.mjs) so its TypeScript program does not stay in this one.
import * as assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../support/paths';

interface LintMessage {
  line: number;
  column: number;
  ruleId: string | null;
  message: string;
}

const vscodeInCore = /must not import vscode/;
const extensionInCore = /must not import the extension \(src\/vscode\)/;
const entryPointInCore = /must not import the extension entry point/;
const cliOutsideCli = /Only the CLI imports src\/cli/;
const viaMessages = /notifications and progress go through src\/vscode\/messages\.ts; no MarkdownString is trusted/;
const viaUntrustedMarkdown = /MarkdownStrings are made by untrustedMarkdown\(\) in toolExplorer\.ts/;

describe('lint rules (eslint.config.mjs)', function () {
  // The first lint builds the TypeScript program of the whole project.
  this.timeout(180_000);
  let worker: ChildProcess;
  let nextId = 0;
  const pending = new Map<number, { resolve(messages: LintMessage[]): void; reject(error: Error): void }>();

  before(() => {
    worker = fork(join(repoRoot, 'test', 'support', 'lint-worker.mjs'), [repoRoot], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    worker.on('message', (reply: { id: number; messages?: LintMessage[]; error?: string }) => {
      const request = pending.get(reply.id);
      pending.delete(reply.id);
      if (reply.error !== undefined) request?.reject(new Error(reply.error));
      else request?.resolve(reply.messages ?? []);
    });
    worker.on('exit', (code) => {
      for (const request of pending.values()) request.reject(new Error(`the lint worker exited with code ${code}`));
      pending.clear();
    });
  });

  after(() => {
    worker.disconnect();
  });

  function lint(file: string, code: string): Promise<LintMessage[]> {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.send({ id, file: `${repoRoot}/${file}`, code });
    });
  }

  async function assertReported(file: string, code: string, message: RegExp): Promise<void> {
    const messages = await lint(file, code);
    assert.ok(
      messages.some((m) => message.test(m.message)),
      `${file}: expected ${message} for\n${code}\ngot: ${JSON.stringify(messages.map((m) => `${m.ruleId}: ${m.message}`))}`,
    );
  }

  async function assertClean(file: string, code: string): Promise<void> {
    const messages = await lint(file, code);
    assert.deepEqual(messages.map((m) => `${m.line}:${m.column} ${m.ruleId}: ${m.message}`), [], `${file}:\n${code}`);
  }

  describe('layers', () => {
    it('src/core imports neither vscode, src/vscode, src/cli nor src/extension', async () => {
      const core = 'src/core/config.ts';
      await assertReported(core, "import * as vscode from 'vscode';\nexport const api = vscode.version;\n", vscodeInCore);
      await assertReported(core, "import type * as vscode from 'vscode';\nexport type Uri = vscode.Uri;\n", vscodeInCore);
      await assertReported(core, "export const api: unknown = require('vscode');\n", vscodeInCore);
      await assertReported(core, "export const api = import('vscode');\n", vscodeInCore);
      await assertReported(core, "export { showMessage } from '../vscode/messages';\n", extensionInCore);
      await assertReported(core, "import { usageLine } from '../cli/args';\nexport const usage = usageLine('list');\n", cliOutsideCli);
      await assertReported(core, "import { activate } from '../extension';\nexport const start = activate;\n", entryPointInCore);
      await assertReported(core, "import { activate } from './../extension.js';\nexport const start = activate;\n", entryPointInCore);
      await assertReported(core, "export * from './../vscode/messages';\n", extensionInCore);
      await assertClean(core, "import { join } from 'node:path';\nimport { labelText } from './displayText';\nexport const shown = labelText(join('a', 'b'));\n");
    });

    it('src/cli does not import vscode or src/vscode', async () => {
      const cli = 'src/cli/format.ts';
      await assertReported(cli, "import * as vscode from 'vscode';\nexport const api = vscode.version;\n", vscodeInCore);
      await assertReported(cli, "export { showMessage } from '../vscode/messages';\n", extensionInCore);
      await assertReported(cli, "import { activate } from '../extension';\nexport const start = activate;\n", entryPointInCore);
      await assertClean(cli, "import { usageLine } from './args';\nimport { terminalText } from '../core/displayText';\nexport const usage = terminalText(usageLine('list'));\n");
    });

    it('src/vscode does not import src/cli, at any depth', async () => {
      await assertReported('src/vscode/servers.ts', "import { usageLine } from '../cli/args';\nexport const usage = usageLine('list');\n", cliOutsideCli);
      await assertReported('src/vscode/commands/startAll.ts', "import { usageLine } from '../../cli/args';\nexport const usage = usageLine('list');\n", cliOutsideCli);
      await assertClean('src/vscode/commands/startAll.ts', "import * as vscode from 'vscode';\nimport { labelText } from '../../core/displayText';\nexport const shown = labelText(vscode.version);\n");
    });
  });

  describe('notifications and Markdown', () => {
    const notify = "import * as vscode from 'vscode';\nexport function tell(): void {\n  void vscode.window.showWarningMessage('hello');\n}\n";
    const progress =
      "import * as vscode from 'vscode';\nexport function busy(): Thenable<void> {\n  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification }, async () => undefined);\n}\n";
    const trustedAssignment = "import * as vscode from 'vscode';\nexport function md(): vscode.MarkdownString {\n  const md = new vscode.MarkdownString('x');\n  md.isTrusted = true;\n  return md;\n}\n";
    const trustedProperty = "import * as vscode from 'vscode';\nexport const options = { isTrusted: { enabledCommands: ['x'] } } satisfies Pick<vscode.MarkdownString, 'isTrusted'>;\n";
    const markdown = "import * as vscode from 'vscode';\nexport const md = new vscode.MarkdownString('x', false);\n";
    const themeIcons = "import * as vscode from 'vscode';\nexport function icons(md: vscode.MarkdownString): void {\n  md.supportThemeIcons = true;\n}\n";

    it('show*Message and withProgress only in src/vscode/messages.ts', async () => {
      await assertReported('src/vscode/servers.ts', notify, viaMessages);
      await assertReported('src/vscode/commands/startAll.ts', notify.replace('showWarningMessage', 'showErrorMessage'), viaMessages);
      await assertReported('src/vscode/toolExplorer.ts', notify.replace('showWarningMessage', 'showInformationMessage'), viaMessages);
      await assertReported('src/vscode/servers.ts', progress, viaMessages);
      await assertReported('src/vscode/servers.ts', "import * as vscode from 'vscode';\nexport const tell = vscode.window.showErrorMessage;\n", viaMessages);
      await assertReported('src/vscode/servers.ts', "import { window } from 'vscode';\nexport const { showInformationMessage } = window;\n", viaMessages);
      await assertClean('src/vscode/messages.ts', notify);
      await assertClean('src/vscode/messages.ts', progress);
    });

    it('no MarkdownString is trusted, messages.ts and toolExplorer.ts included', async () => {
      for (const file of ['src/vscode/servers.ts', 'src/vscode/messages.ts', 'src/vscode/toolExplorer.ts']) {
        await assertReported(file, trustedAssignment, viaMessages);
        await assertReported(file, trustedProperty, viaMessages);
      }
    });

    it('MarkdownStrings and theme icons only in src/vscode/toolExplorer.ts', async () => {
      await assertReported('src/vscode/servers.ts', markdown, viaUntrustedMarkdown);
      await assertReported('src/vscode/messages.ts', markdown, viaUntrustedMarkdown);
      await assertReported('src/vscode/servers.ts', themeIcons, viaUntrustedMarkdown);
      await assertClean('src/vscode/toolExplorer.ts', markdown);
      await assertClean('src/vscode/toolExplorer.ts', themeIcons);
    });
  });

  describe('promises and any', () => {
    const file = 'src/core/displayText.ts';

    it('a floating promise is reported; awaited or voided it is not', async () => {
      const declared = 'async function save(): Promise<void> {}\n';
      await assertReported(file, `${declared}export function run(): void {\n  save();\n}\n`, /Promises must be awaited/);
      await assertClean(file, `${declared}export async function run(): Promise<void> {\n  await save();\n}\n`);
      await assertClean(file, `${declared}export function run(): void {\n  void save();\n}\n`);
    });

    it('a promise where a condition or a void callback belongs is reported', async () => {
      await assertReported(file, 'export function check(p: Promise<boolean>): number {\n  return p ? 1 : 0;\n}\n', /Expected non-Promise value in a boolean conditional/);
      await assertReported(file, "import { EventEmitter } from 'node:events';\nexport function listen(e: EventEmitter): void {\n  e.on('x', async () => {});\n}\n", /Promise returned in function argument where a void return was expected/);
    });

    it('explicit any is reported', async () => {
      await assertReported(file, 'export function f(x: any): unknown {\n  return x;\n}\n', /Unexpected any/);
    });
  });
});

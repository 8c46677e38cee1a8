// `npm run lint`: ESLint with typescript-eslint's type-aware rules on every TypeScript file,
// plus the project's own rules: the layers (src/core runs in plain Node and never imports
// `vscode`, the CLI or the extension; the CLI never imports `vscode`; the extension never
// imports the CLI), and the one way text reaches a notification or a MarkdownString
// (docs/SECURITY.md). test/unit/lint.test.ts shows each project rule firing.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const vscodeModule = {
  name: 'vscode',
  message: 'src/core and src/cli run in plain Node: they must not import vscode (docs/architecture.md).',
};
/** A relative import that climbs into `dir` (a top-level folder of src/) or names src/extension. */
const into = (dir) => `^(\\./)?(\\.\\./)+${dir}(/|$)`;
const layer = {
  vscodeDir: { regex: into('vscode'), message: 'src/core and src/cli must not import the extension (src/vscode).' },
  cliDir: { regex: into('cli'), message: 'Only the CLI imports src/cli: the core and the extension must not.' },
  extension: { regex: '^(\\./)?(\\.\\./)+extension(\\.js)?$', message: 'src/core and src/cli must not import the extension entry point (src/extension.ts).' },
};
/** `require('vscode')` and `import('vscode')`, which no-restricted-imports does not see. */
const vscodeAtRuntime = [
  { selector: "CallExpression[callee.name='require'][arguments.0.value='vscode']", message: vscodeModule.message },
  { selector: "ImportExpression[source.value='vscode']", message: vscodeModule.message },
];

const viaMessages = 'notifications and progress go through src/vscode/messages.ts; no MarkdownString is trusted';
const viaUntrustedMarkdown = 'MarkdownStrings are made by untrustedMarkdown() in toolExplorer.ts (untrusted, no theme icons)';
/** VS Code's notification and progress functions: called, or taken to be called later. */
const notificationFunctions = [
  { selector: 'MemberExpression[property.name=/^(show(Information|Warning|Error)Message|withProgress)$/]', message: viaMessages },
  { selector: 'ObjectPattern > Property[key.name=/^(show(Information|Warning|Error)Message|withProgress)$/]', message: viaMessages },
];
const trustedMarkdown = [
  { selector: "AssignmentExpression[left.property.name='isTrusted']:not([right.value=false])", message: viaMessages },
  { selector: "Property[key.name='isTrusted']:not([value.value=false])", message: viaMessages },
];
const markdownConstruction = [
  { selector: "NewExpression[callee.property.name='MarkdownString']", message: viaUntrustedMarkdown },
  { selector: "NewExpression[callee.name='MarkdownString']", message: viaUntrustedMarkdown },
  { selector: "AssignmentExpression[left.property.name='supportThemeIcons'][right.value=true]", message: viaUntrustedMarkdown },
];

const viaTextNodes = 'webviews put server text in text nodes (textContent, element properties), never HTML';
/** Ways a string becomes HTML in a page. */
const htmlSinks = [
  { selector: "AssignmentExpression[left.property.name=/^(innerHTML|outerHTML)$/]", message: viaTextNodes },
  { selector: "CallExpression[callee.property.name=/^(insertAdjacentHTML|write|writeln|createContextualFragment)$/]", message: viaTextNodes },
  { selector: "MemberExpression[property.name='unsafeHTML']", message: viaTextNodes },
];

export default defineConfig(
  globalIgnores(['dist/', 'out/', '.vscode-test/', 'node_modules/', '**/*.js', '**/*.cjs', '**/*.mjs']),
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Rejections pass on a caught error or an abort reason as it came.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // tsc checks unused locals and parameters (tsconfig.json noUnusedLocals/noUnusedParameters).
      '@typescript-eslint/no-unused-vars': 'off',
      // `async` without `await` implements a promise-returning interface and turns throws into rejections.
      '@typescript-eslint/require-await': 'off',
      // Option and hook interfaces declare their callbacks as methods; none of them uses `this`.
      '@typescript-eslint/unbound-method': 'off',
      // A redundant `!` or cast is harmless; removing them all would touch two dozen files other branches edit.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // The escapers (displayText.ts) and their tests match control characters on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [vscodeModule], patterns: [layer.vscodeDir, layer.cliDir, layer.extension] }],
      'no-restricted-syntax': ['error', ...vscodeAtRuntime],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [vscodeModule], patterns: [layer.vscodeDir, layer.extension] }],
      'no-restricted-syntax': ['error', ...vscodeAtRuntime],
    },
  },
  {
    files: ['src/vscode/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [layer.cliDir] }],
      'no-restricted-syntax': ['error', ...notificationFunctions, ...trustedMarkdown, ...markdownConstruction],
    },
  },
  {
    // Webview scripts run in the browser: no vscode, no Node, no other layer; server text reaches
    // the page as text nodes, never as HTML (the one exception, Markdown, is rendered by
    // src/webviews/shared/markdown.ts with raw HTML off).
    files: ['src/webviews/**/*.ts'],
    ignores: ['src/webviews/shared/markdown.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [vscodeModule], patterns: [layer.vscodeDir, layer.cliDir, layer.extension, { regex: '^node:', message: 'Webview scripts run in the browser.' }] }],
      'no-restricted-syntax': ['error', ...vscodeAtRuntime, ...htmlSinks],
    },
  },
  {
    files: ['src/vscode/messages.ts'],
    rules: { 'no-restricted-syntax': ['error', ...trustedMarkdown, ...markdownConstruction] },
  },
  {
    files: ['src/vscode/toolExplorer.ts'],
    rules: { 'no-restricted-syntax': ['error', ...notificationFunctions, ...trustedMarkdown] },
  },
);

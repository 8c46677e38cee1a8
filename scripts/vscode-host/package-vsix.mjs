// Packages the extension as a .vsix with the repository's @vscode/vsce (offline, no prompts).
// One path for both: `npm run package` (the .vsix to install or publish, in the repository root)
// and the tests and `npm start` (a .vsix in their run folder).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { progress, ROOT } from './install.mjs';

export const VSIX_NAME = 'mcp-session-manager.vsix';

/**
 * Packages `extensionPath` (default: the repository) into `outDir` as `fileName`; resolves with
 * the .vsix path.
 */
export async function packageExtension({ extensionPath = ROOT, outDir, fileName = VSIX_NAME }) {
  extensionPath = resolve(extensionPath);
  const manifest = JSON.parse(readFileSync(join(extensionPath, 'package.json'), 'utf8'));
  if (manifest.main && !existsSync(resolve(extensionPath, manifest.main))) {
    throw new Error(`the extension's main ${manifest.main} does not exist; run \`npm run build\` first`);
  }
  mkdirSync(outDir, { recursive: true });
  const vsix = join(outDir, fileName);
  const localVsce = join(ROOT, 'node_modules', '.bin', 'vsce');
  const [command, prefix] = existsSync(localVsce) ? [localVsce, []] : ['npx', ['--no-install', 'vsce']];
  // Everything the extension runs is bundled into dist/ (the npm dependencies are dev-only).
  const args = [...prefix, 'package', '--no-dependencies', '-o', vsix];
  const started = Date.now();
  const output = await new Promise((resolvePromise, reject) => {
    // stdin closed: vsce must never wait for an answer (CI has no stdin).
    const child = spawn(command, args, { cwd: extensionPath, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk) => (text += chunk));
    child.stderr.on('data', (chunk) => (text += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 && existsSync(vsix) ? resolvePromise(text) : reject(new Error(`vsce package failed (exit ${code}):\n${text}`))));
  });
  const files = /Packaged: .*\((\d+) files?, ([^)]+)\)/.exec(output);
  progress(`packaged ${vsix}${files ? ` (${files[1]} files, ${files[2]})` : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return vsix;
}

// `npm run package`: <name>-<version>.vsix in the repository root, the name vsce itself would choose.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { name, version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  try {
    await packageExtension({ outDir: ROOT, fileName: `${name}-${version}.vsix` });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

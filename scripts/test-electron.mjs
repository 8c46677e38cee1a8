// `npm run test:electron`: the same integration suite (out/test/integration/index.js) in
// desktop VS Code through @vscode/test-electron, where a desktop VS Code exists.
//
//   VSCODE_EXECUTABLE=/path/to/code npm run test:electron   # an installed VS Code
//   npm run test:electron                                    # downloads one (needs the network)
//
// On the project's CI machines desktop VS Code can neither be installed nor downloaded, so
// `npm test` runs this suite inside code-server's extension host instead (docs/testing.md).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = fileURLToPath(new URL('..', import.meta.url));
const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

try {
  await runTests({
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
    version: process.env.VSCODE_EXECUTABLE ? undefined : '1.100.0',
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'out', 'test', 'integration', 'index.js'),
    launchArgs: [join(root, 'test', 'fixtures', 'workspace'), '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (e) {
  console.error(`test:electron failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}

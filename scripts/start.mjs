#!/usr/bin/env node
// `npm start`: builds and packages the extension, installs it into a fresh code-server
// (VS Code 1.100.3 server, installed on first use) and serves the demo workspace on
// 127.0.0.1:8080 (or the next free port) until Ctrl-C / SIGTERM. Open the printed URL in a
// browser on this machine (or through an SSH tunnel).
//
// node scripts/start.mjs [--version 4.100.3] [--port 8080] [--workspace demo] [--extension dir] [--no-build]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRunDir, freePort, installVsix, onInterrupt, releaseRunDir, startCodeServer } from './vscode-host/host.mjs';
import { ensureCodeServer, progress, ROOT } from './vscode-host/install.mjs';
import { packageExtension } from './vscode-host/package-vsix.mjs';
import { workbenchUrl } from './vscode-host/browser.mjs';

function parseArgs(argv) {
  const options = { version: '4.100.3', port: 8080, workspace: undefined, build: true, extensionPath: ROOT };
  for (let i = 0; i < argv.length; i++) {
    const next = () => {
      if (argv[i + 1] === undefined) throw new Error(`${argv[i]} needs a value`);
      return argv[++i];
    };
    switch (argv[i]) {
      case '--version': options.version = next(); break;
      case '--port': options.port = Number(next()); break;
      case '--workspace': options.workspace = resolve(next()); break;
      case '--no-build': options.build = false; break;
      case '--extension': options.extensionPath = resolve(next()); break;
      default: throw new Error(`unknown argument ${argv[i]}; usage: node scripts/start.mjs [--version 4.100.3] [--port 8080] [--workspace dir] [--extension dir] [--no-build]`);
    }
  }
  options.workspace ??= existsSync(join(ROOT, 'demo')) ? join(ROOT, 'demo') : join(ROOT, 'test', 'fixtures', 'workspace');
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.build) {
    progress('building (npm run build)');
    const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build failed');
  }
  await ensureCodeServer(options.version);
  const runDir = createRunDir(`start-${options.version}`);
  let server;
  try {
    const vsix = await packageExtension({ extensionPath: options.extensionPath, outDir: runDir });
    installVsix({ version: options.version, vsix, extensionsDir: join(runDir, 'extensions'), runDir });
    const port = await freePort(options.port);
    server = await startCodeServer({ version: options.version, workspace: options.workspace, runDir, port, label: 'start' });
  } catch (error) {
    releaseRunDir(runDir);
    throw error;
  }

  const { displayName, version } = JSON.parse(readFileSync(join(options.extensionPath, 'package.json'), 'utf8'));
  console.log(`\n${displayName} ${version} in VS Code ${options.version.replace(/^4\./, '1.')} (code-server ${options.version}):`);
  console.log(`  ${workbenchUrl(server)}`);
  console.log(`  workspace ${server.workspace}; logs in ${runDir}`);
  console.log('Press Ctrl-C to stop.\n');

  // Ctrl-C / SIGTERM: onInterrupt (host.mjs) stops code-server's whole process group and exits.
  let stopping = false;
  onInterrupt(() => (stopping = true));
  const code = await server.exited;
  if (!stopping) {
    await server.stop();
    throw new Error(`code-server exited by itself (code ${code}); see ${server.logFile}`);
  }
}

main().catch((error) => {
  console.error(`start: ${error.message}`);
  process.exit(1);
});

// Dev mode of a stdio server (`dev` in mcp.json, like VS Code's): what the definition may say
// and what it changes about the process. src/vscode/devMode.ts watches the files and attaches
// the debugger; nothing here touches the file system.
import { basename } from 'node:path';
import type { StdioServerDefinition } from './definitions';

/** The inspector on the loopback interface, on a port the system picks (printed on stderr). */
export const inspectArgument = '--inspect=127.0.0.1:0';

/**
 * Why a `dev.watch` glob is refused, or undefined. Globs are relative to the workspace folder and
 * must stay inside it: a hostile configuration must not make us watch (and learn about) the
 * rest of the disk.
 */
export function watchGlobProblem(glob: string): string | undefined {
  if (glob.trim() === '') return 'must not be empty';
  if (/^([/\\]|[A-Za-z]:|~)/.test(glob)) return `must be relative to the workspace folder, got "${glob}"`;
  if (glob.split(/[/\\]/).some((segment) => segment === '..')) return `must stay inside the workspace folder (no ".."), got "${glob}"`;
  if (glob.includes('${')) return `takes no variables, got "${glob}"`;
  return undefined;
}

/** Whether the command is Node itself (then the inspector flag goes first in its arguments). */
function isNode(command: string): boolean {
  return /^node(\.exe)?$/i.test(basename(command));
}

/**
 * The server started under the Node inspector: `node` gets `--inspect=127.0.0.1:0` before its
 * arguments; any other command (`npx`, `tsx`, a script) gets it through `NODE_OPTIONS`, which
 * the Node process it starts reads.
 */
export function withInspector(def: StdioServerDefinition): StdioServerDefinition {
  if (isNode(def.command)) return { ...def, args: [inspectArgument, ...def.args] };
  const inherited = def.env.NODE_OPTIONS;
  return { ...def, env: { ...def.env, NODE_OPTIONS: inherited ? `${inherited} ${inspectArgument}` : inspectArgument } };
}

/** The inspector's port from Node's stderr line "Debugger listening on ws://127.0.0.1:9229/<id>". */
export function inspectorPort(stderrLine: string): number | undefined {
  const match = /^Debugger listening on ws:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):(\d{1,5})\//.exec(stderrLine.trim());
  const port = match ? Number(match[1]) : NaN;
  return port > 0 && port < 65536 ? port : undefined;
}

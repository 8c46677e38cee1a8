// The guided Add Server… flow, without `vscode`, so plain-Node tests check it: the step titles
// (counted from the one list of steps, so "(3/3)" is never followed by a fourth step) and the
// name suggested for a command line or URL.

/** The steps of the guided flow, in order: each asks one question. */
export const addServerSteps = ['kind', 'endpoint', 'name', 'target'] as const;
export type AddServerStep = (typeof addServerSteps)[number];

/** "Add MCP Server (2/4): command line"; the second step asks for a command line or a URL. */
export function addServerStepTitle(step: AddServerStep, transport: 'stdio' | 'remote' = 'stdio'): string {
  const question = { kind: 'how does it run?', endpoint: transport === 'stdio' ? 'command line' : 'URL', name: 'name', target: 'where should it be saved?' }[step];
  return `Add MCP Server (${addServerSteps.indexOf(step) + 1}/${addServerSteps.length}): ${question}`;
}

/** Commands that run a package given as their first operand: `npx -y <package> …`. */
const packageRunners = new Set(['npx', 'pnpx', 'bunx', 'uvx', 'pipx']);
/** Runner subcommands that run a package: `npm exec <package>`, `pnpm dlx <package>`, `uv tool run <package>`. */
const runnerSubcommands: Record<string, string[]> = { npm: ['exec', 'x'], pnpm: ['dlx', 'exec'], yarn: ['dlx', 'exec'], pipx: ['run'], uv: ['run', 'tool'], bun: ['x', 'run'], deno: ['run'] };
/** Interpreters that run a script given as their first operand: `node <script> …`. */
const interpreters = new Set(['node', 'nodejs', 'python', 'python3', 'deno', 'bun', 'tsx', 'ts-node', 'ruby', 'php', 'java', 'dotnet']);
/** Options of those commands that take a value, so their value is not the package or script. */
const valueOptions = new Set(['-p', '--package', '--from', '--with', '--python', '--directory', '--prefix', '-c', '--call', '--spec', '-m', '--cwd', '--config', '-r', '--require', '--import', '--loader', '-jar']);
/** Options of `docker run` / `podman run` that take a value. */
const containerValueOptions = new Set([
  '-e', '--env', '--env-file', '-v', '--volume', '--mount', '-p', '--publish', '--name', '-w', '--workdir', '-u', '--user', '--network', '--net',
  '--entrypoint', '-l', '--label', '--platform', '--pull', '--cpus', '-m', '--memory', '--add-host', '--device', '--cap-add', '--cap-drop',
  '--security-opt', '--tmpfs', '-h', '--hostname', '--ulimit', '--log-driver', '--restart', '--gpus', '--runtime', '--ipc', '--pid',
]);
/** Script names that say nothing: `node dist/index.js` is named after its package folder. */
const genericScripts = new Set(['index', 'main', 'server', 'app', 'cli', '__main__']);
const buildFolders = new Set(['dist', 'build', 'out', 'lib', 'bin', 'src', 'target']);

/**
 * The name suggested for a new server: the package or executable it runs.
 * `npx -y @scope/server-foo --tools 3` → "server-foo", `uvx mcp-server-git` → "mcp-server-git",
 * `node /path/to/server.js` → "server", `docker run -i --rm ghcr.io/org/some-mcp:1` → "some-mcp",
 * `https://api.example.com/mcp` → "api.example.com". Unique among `existing` ("memory-2").
 */
export function suggestServerName(commandOrUrl: string, args: readonly string[], existing: readonly string[] = []): string {
  const base = sanitize(nameFor(commandOrUrl, args)) || 'server';
  if (!existing.includes(base)) return base;
  let n = 2;
  while (existing.includes(`${base}-${n}`)) n++;
  return `${base}-${n}`;
}

function nameFor(commandOrUrl: string, args: readonly string[]): string {
  if (/^https?:\/\//i.test(commandOrUrl)) {
    try {
      return new URL(commandOrUrl).hostname;
    } catch {
      return commandOrUrl.replace(/^https?:\/\//i, '').split(/[/:?#]/, 1)[0];
    }
  }
  const executable = baseName(commandOrUrl).replace(/\.(exe|cmd|bat)$/i, '');
  if (executable === 'docker' || executable === 'podman') {
    const rest = args[0] === 'run' ? args.slice(1) : args[0] === 'container' && args[1] === 'run' ? args.slice(2) : undefined;
    const image = rest && firstOperand(rest, containerValueOptions);
    return image ? imageName(image) : executable;
  }
  let rest: readonly string[] | undefined;
  if (packageRunners.has(executable)) rest = executable === 'pipx' && args[0] === 'run' ? args.slice(1) : args;
  else if (runnerSubcommands[executable]) {
    const at = args.findIndex((a) => !a.startsWith('-'));
    if (at >= 0 && runnerSubcommands[executable].includes(args[at])) rest = args.slice(at + 1 + (executable === 'uv' && args[at] === 'tool' && args[at + 1] === 'run' ? 1 : 0));
  }
  if (rest) {
    const operand = firstOperand(rest, valueOptions);
    if (operand) return looksLikeScript(operand) ? scriptName(operand) : packageName(operand);
  }
  if (interpreters.has(executable) || /^python\d/.test(executable)) {
    const moduleAt = args.indexOf('-m');
    if (moduleAt >= 0 && args[moduleAt + 1]) return args[moduleAt + 1];
    const script = firstOperand(executable === 'deno' && args[0] === 'run' ? args.slice(1) : args, valueOptions);
    if (script) return scriptName(script);
  }
  return executable;
}

/** The first argument that is neither an option nor an option's value (`--` ends the options). */
function firstOperand(args: readonly string[], takesValue: ReadonlySet<string>): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') return args[i + 1];
    if (!arg.startsWith('-') || arg === '-') return arg;
    if (!arg.includes('=') && takesValue.has(arg)) i++;
  }
  return undefined;
}

/** "@scope/server-foo@1.2.3" → "server-foo"; "mcp-server-git==1.0" → "mcp-server-git"; "git+https://…/repo.git" → "repo". */
function packageName(spec: string): string {
  let name = spec.replace(/^(npm|jsr|pypi):/, '');
  if (/^(git\+|https?:|github:)/.test(name)) return baseName(name.replace(/[#?].*$/, '')).replace(/\.git$/, '');
  name = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  return name.replace(/@[^@/]*$/, '').replace(/(\[[^\]]*\])?([=<>!~]=?.*)?$/, '');
}

/** "ghcr.io/github/github-mcp-server:latest" → "github-mcp-server". */
function imageName(image: string): string {
  return baseName(image.replace(/@sha256:.*$/, '')).replace(/:[^:]*$/, '');
}

/** A path (`./x`, `/x`, `~/x`, `${workspaceFolder}/x`, `C:\\x`) or a script file, not a package (`@scope/name`). */
function looksLikeScript(arg: string): boolean {
  return /^(\.{1,2}[\\/]|[\\/~]|\$\{|[A-Za-z]:[\\/])/.test(arg) || /\.(m?[jt]s|cjs|py|rb|php|jar|dll)$/i.test(arg);
}

/** "/path/to/server.js" → "server"; "/path/my-mcp/dist/index.js" → "my-mcp". */
function scriptName(path: string): string {
  const segments = path.split(/[\\/]+/).filter((s) => s !== '' && !s.startsWith('${'));
  const file = (segments.pop() ?? path).replace(/\.[^.]+$/, '');
  if (!genericScripts.has(file) || file === 'server') return file;
  const folder = [...segments].reverse().find((s) => !buildFolders.has(s) && s !== '.' && s !== '..');
  return folder ?? file;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}

/** A server name is a JSON key and a tree label: one plain line of a sensible length. */
function sanitize(name: string): string {
  return name.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
}

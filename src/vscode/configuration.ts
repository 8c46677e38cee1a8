// Where servers come from, and what state their configuration is in.
//
// Sources, listed in this order: `.vscode/mcp.json` of each workspace folder (VS Code's format,
// with inputs), the `mcpSessions.servers` user setting, then the files in
// `mcpSessions.configFiles` (Claude Desktop / Cursor `mcpServers`, or mcp.json): the user's,
// then (only once the workspace is trusted) the workspace's. Problems become diagnostics on the
// file plus one warning notification when a source gets errors; valid servers are
// unaffected. Names go to the user's own sources first: a workspace server whose name is taken
// is renamed `name (folder)` and says so, so a name never moves to a repository's server (the
// rule, shared with the CLI, is core/serverNames.ts).
//
// Each server ends up in one of these states: `ready` (resolved, handed to the registry),
// `untrusted` (the workspace is not trusted and the server is the workspace's, or depends on a
// workspace folder — see workspaceDependence: never resolved, never started), `needs-input` (an
// `${input:…}` without a stored value: resolved when the user starts it), or `invalid`
// (variable substitution failed, or its entry is invalid and it never had a valid one).
// Reloads are serialized and coalesced.
//
// An edit in progress stops nothing: a source that does not parse keeps its last valid servers,
// and a server whose entry became invalid keeps its last valid definition (core/lastValid.ts).
// Such a server carries `configurationProblem`, which the tree and the status bar show until the
// file is fixed.

import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname } from 'node:path';
import {
  ConfigResolutionError,
  decodeConfigText,
  formatIssue,
  formatJsonPath,
  isInsideFolder,
  LineIndex,
  parseConfig,
  parseServersObject,
  pathRules,
  resolveConfigFilePath,
  resolveServer,
  workspaceDependence,
  type ConfigIssue,
  type InputDefinition,
  type InvalidServerEntry,
  type ParsedConfig,
  type RawServerDefinition,
  type VariableResolver,
} from '../core/config';
import { definitionFingerprint, type ServerDefinition } from '../core/definitions';
import { withLastValid, type ValidConfig } from '../core/lastValid';
import { DisposableStore, Emitter, type Disposable } from '../core/lifecycle';
import type { Logger } from '../core/logger';
import type { InputBinding, InputStore } from './inputs';
import type { FailureNotifier } from './notifier';
import type { SecretRedactor } from '../core/redact';
import { ServerNames } from '../core/serverNames';
import { serverListSettings, settingsSection } from './settings';

export type Availability =
  | { status: 'ready'; definition: ServerDefinition }
  /** `reason`: why it waits for trust, e.g. "it is defined in my-repo/.vscode/mcp.json". */
  | { status: 'untrusted'; reason: string }
  | { status: 'needs-input'; inputs: string[] }
  | { status: 'invalid'; message: string };

export interface ConfiguredServer {
  /** Unique across sources: the registry's name for it. */
  name: string;
  /** The name as written in its source. */
  configuredName: string;
  /** Why it was renamed, when its name was taken by an earlier source. */
  renamed?: string;
  raw: RawServerDefinition;
  /** Short source tag for the tree: "mcp.json", "user settings", a file name. */
  sourceTag: string;
  availability: Availability;
  /** A fingerprint of the definition as written (variables unresolved): safe to store. */
  rawFingerprint: string;
  /** Set while its source has an error that makes it use its last valid definition: that error. */
  configurationProblem?: ConfigIssue;
}

interface Source {
  kind: 'folder' | 'user' | 'file';
  label: string;
  tag: string;
  /** For folder and file sources. */
  uri?: vscode.Uri;
  folder?: vscode.WorkspaceFolder;
  fromWorkspace: boolean;
  /** Where its relative paths resolve and where its stdio servers start without `cwd` (pathRules). */
  rules: { relativeTo: string; defaultCwd?: string };
}

interface ParsedSource extends ParsedConfig {
  source: Source;
  text?: string;
}

const reloadDebounceMs = 150;
/** A file with thousands of problems logs the first ones; the Problems view has them all. */
const maxLoggedIssuesPerSource = 50;
const diagnosticSource = 'MCP Sessions';

export class ConfigurationService implements Disposable {
  private readonly store = new DisposableStore();
  private readonly watchers = this.store.add(new DisposableStore());
  private readonly diagnostics: vscode.DiagnosticCollection;
  private readonly changeEmitter = this.store.add(new Emitter<void>());
  /** Fired after every reload, even when nothing changed. */
  readonly onDidChange = this.changeEmitter.event;

  private servers: ConfiguredServer[] = [];
  private parsed: ParsedSource[] = [];
  /** Where each configured server (by unique name) was read from. */
  private origins = new Map<string, ParsedSource>();
  /** Each source's last valid version (by sourceKey), used while the source has errors. */
  private lastValid = new Map<string, ValidConfig>();
  private loadedOnce = false;
  private queue: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private readonly pendingReasons = new Set<string>();
  private debounceTimer: NodeJS.Timeout | undefined;
  /** Sources whose current errors were already notified (by sourceKey): not again until fixed. */
  private notifiedSources = new Set<string>();
  private disposed = false;

  constructor(
    private readonly inputs: InputStore,
    private readonly redactor: SecretRedactor,
    private readonly logger: Logger,
    private readonly notifier: FailureNotifier,
    private readonly openConfiguration: (file?: string, issue?: ConfigIssue) => void,
  ) {
    this.diagnostics = this.store.add(vscode.languages.createDiagnosticCollection('mcpSessions'));
    this.store.add(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('mcpSessions.configFiles')) this.watch();
      if (serverListSettings.some((key) => e.affectsConfiguration(key))) this.scheduleReload('settings changed');
    }));
    this.store.add(vscode.workspace.onDidChangeWorkspaceFolders(() => {
      this.watch();
      this.scheduleReload('workspace folders changed');
    }));
    this.store.add(vscode.workspace.onDidGrantWorkspaceTrust(() => {
      this.watch(); // the workspace's own configFiles are read from now on
      void this.reload('workspace trust granted');
    }));
    this.store.add({ dispose: () => clearTimeout(this.debounceTimer) });
    this.watch();
  }

  get isLoaded(): boolean {
    return this.loadedOnce;
  }

  list(): readonly ConfiguredServer[] {
    return this.servers;
  }

  get(name: string): ConfiguredServer | undefined {
    return this.servers.find((s) => s.name === name);
  }

  /** Every configuration file that exists or could be created, for Open Configuration and Add Server. */
  configFileTargets(): { label: string; uri: vscode.Uri; exists: boolean; format: 'servers' | 'mcpServers' }[] {
    const targets: { label: string; uri: vscode.Uri; exists: boolean; format: 'servers' | 'mcpServers' }[] = [];
    for (const source of this.sources()) {
      if (!source.uri) continue;
      const parsed = this.parsed.find((p) => p.source.uri?.toString() === source.uri!.toString());
      const format = parsed?.text !== undefined && /"mcpServers"\s*:/.test(parsed.text) && !/"servers"\s*:/.test(parsed.text) ? 'mcpServers' : source.kind === 'file' && !parsed?.text ? 'mcpServers' : 'servers';
      targets.push({ label: source.label, uri: source.uri, exists: parsed?.text !== undefined, format });
    }
    return targets;
  }

  // ---- watching -----------------------------------------------------------------------------

  private watch(): void {
    this.watchers.clear();
    const onEvent = (uri: vscode.Uri) => this.scheduleReload(`${vscode.workspace.asRelativePath(uri)} changed`);
    const add = (pattern: vscode.GlobPattern) => {
      const watcher = this.watchers.add(vscode.workspace.createFileSystemWatcher(pattern));
      this.watchers.add(watcher.onDidCreate(onEvent));
      this.watchers.add(watcher.onDidChange(onEvent));
      this.watchers.add(watcher.onDidDelete(onEvent));
    };
    for (const folder of vscode.workspace.workspaceFolders ?? []) add(new vscode.RelativePattern(folder, '.vscode/mcp.json'));
    for (const source of this.sources()) {
      if (source.kind === 'file' && source.uri) add(new vscode.RelativePattern(vscode.Uri.file(dirname(source.uri.fsPath)), basename(source.uri.fsPath)));
    }
  }

  private scheduleReload(reason: string): void {
    if (this.disposed) return;
    this.pendingReasons.add(reason);
    clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => void this.reload(), reloadDebounceMs);
  }

  /**
   * Reloads every source. Serialized: a reload requested while one runs happens once more
   * after it, with every reason requested meanwhile. Resolves when that reload has finished.
   */
  reload(reason?: string): Promise<void> {
    if (reason) this.pendingReasons.add(reason);
    if (this.disposed) return Promise.resolve();
    this.queued ??= this.queue = this.queue.then(async () => {
      this.queued = undefined;
      const reasons = [...this.pendingReasons].join(', ') || 'reload requested';
      this.pendingReasons.clear();
      clearTimeout(this.debounceTimer);
      try {
        await this.load(reasons);
      } catch (e) {
        this.logger.error(`Loading the MCP configuration failed: ${this.redactor.redact((e as Error).stack ?? String(e))}`);
      }
    });
    return this.queued;
  }

  // ---- loading --------------------------------------------------------------------------------

  private sources(): Source[] {
    const home = homedir();
    const folders = vscode.workspace.workspaceFolders ?? [];
    const multiRoot = folders.length > 1;
    const sources: Source[] = folders.map((folder) => ({
      kind: 'folder',
      label: multiRoot ? `${folder.name}/.vscode/mcp.json` : 'workspace (.vscode/mcp.json)',
      tag: multiRoot ? `mcp.json (${folder.name})` : 'mcp.json',
      uri: vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json'),
      folder,
      fromWorkspace: true,
      rules: pathRules({ kind: 'workspace', folder: folder.uri.fsPath }),
    }));
    sources.push({ kind: 'user', label: 'user settings (mcpSessions.servers)', tag: 'user settings', fromWorkspace: false, rules: pathRules({ kind: 'user-settings', home }) });

    // configFiles named by the user are the user's (relative to the home folder), unless they lie
    // inside a workspace folder; named by the workspace, they are the workspace's and are not even
    // read before it is trusted (whether inspect() shows an untrusted workspace's value is VS Code's choice).
    const inspected = vscode.workspace.getConfiguration(settingsSection).inspect<string[]>('configFiles');
    const seen = new Set<string>();
    const addFiles = (files: unknown, relativeTo: string | undefined, namedByWorkspace: boolean) => {
      if (!Array.isArray(files) || relativeTo === undefined) return;
      for (const file of files) {
        if (typeof file !== 'string' || file.trim() === '') continue;
        const path = resolveConfigFilePath(file, relativeTo, home);
        if (seen.has(path)) continue;
        seen.add(path);
        const folder = folders.find((f) => isInsideFolder(path, f.uri.fsPath));
        const fromWorkspace = namedByWorkspace || folder !== undefined;
        const rules = fromWorkspace ? pathRules({ kind: 'workspace', folder: (folder ?? folders[0])?.uri.fsPath ?? dirname(path) }) : pathRules({ kind: 'user-file', file: path, home });
        sources.push({ kind: 'file', label: tildify(path), tag: basename(path), uri: vscode.Uri.file(path), folder, fromWorkspace, rules });
      }
    };
    addFiles(inspected?.globalValue, home, false);
    if (vscode.workspace.isTrusted) {
      addFiles(inspected?.workspaceValue, folders[0]?.uri.fsPath, true);
      addFiles(inspected?.workspaceFolderValue, folders[0]?.uri.fsPath, true);
    }
    return sources;
  }

  private async readSource(source: Source): Promise<ParsedSource> {
    if (source.kind === 'user') {
      const value = vscode.workspace.getConfiguration(settingsSection).inspect('servers')?.globalValue;
      const parsed = parseServersObject(value ?? {}, { label: source.label, fromWorkspace: false }, ['mcpSessions.servers']);
      return { source, ...parsed };
    }
    let text: string;
    try {
      text = decodeConfigText(await vscode.workspace.fs.readFile(source.uri!));
    } catch (e) {
      if (source.kind === 'file') this.logger.warn(`Configuration file ${source.label} (from mcpSessions.configFiles) could not be read: ${(e as Error).message}`);
      return { source, servers: [], inputs: [], issues: [], invalidServers: [] };
    }
    const parsed = parseConfig(text, { file: source.uri!.fsPath, label: source.label, fromWorkspace: source.fromWorkspace });
    return { source, ...parsed, text };
  }

  /** One source that cannot be read, however it fails, never hides the servers of the others. */
  private async readSourceSafely(source: Source): Promise<ParsedSource> {
    try {
      return await this.readSource(source);
    } catch (e) {
      const message = `could not be read: ${this.redactor.redact((e as Error).message)}`;
      this.logger.error(`Configuration ${source.label} ${message}`);
      const issue: ConfigIssue = { file: source.uri?.fsPath ?? source.label, path: [], message, severity: 'error', offset: 0, length: 0 };
      return { source, servers: [], inputs: [], issues: [issue], invalidServers: [], unreadable: issue };
    }
  }

  private async load(reason: string): Promise<void> {
    const started = Date.now();
    const sources = this.sources();
    const parsed = await Promise.all(sources.map((s) => this.readSourceSafely(s)));
    if (this.disposed) return;
    this.parsed = parsed;
    this.publishDiagnostics(parsed);

    const names = new ServerNames();
    const servers: (ConfiguredServer & { sourceIndex: number; position: number })[] = [];
    const origins = new Map<string, ParsedSource>();
    const identities = new Map<ParsedSource, Promise<string>>();
    // The user's own sources name their servers first; the list keeps the sources' order.
    const byPrecedence = parsed.map((origin, index) => ({ origin, index })).sort((a, b) => Number(a.origin.source.fromWorkspace) - Number(b.origin.source.fromWorkspace) || a.index - b.index);
    const lastValid = new Map<string, ValidConfig>();
    for (const { origin: read, index } of byPrecedence) {
      const effective = withLastValid(read, this.lastValid.get(sourceKey(read.source)));
      if (effective.lastValid) lastValid.set(sourceKey(read.source), effective.lastValid);
      if (read.unreadable && effective.lastValid) this.logger.warn(`${read.source.label} has errors: its last valid servers are used until it is fixed.`);
      // The inputs its servers are resolved with: the last valid ones while the file does not parse.
      const origin: ParsedSource = { ...read, inputs: effective.inputs };
      const { source, inputs } = origin;
      for (const [position, server] of effective.servers.entries()) {
        const raw = server.state === 'invalid' ? invalidPlaceholder(server.entry) : server.raw;
        const { name, renamed } = names.claim(raw.name, { label: source.label, suffix: nameSuffix(source) });
        if (renamed) this.logger.warn(`Server ${renamed}.`);
        origins.set(name, origin);
        const named: RawServerDefinition = name === raw.name ? raw : { ...raw, name };
        if (!identities.has(origin)) identities.set(origin, folderIdentity(source));
        const availability: Availability =
          server.state === 'invalid'
            ? { status: 'invalid', message: this.redactor.redact(`${formatJsonPath(server.entry.issue.path)}: ${server.entry.issue.message}`) }
            : await this.availability(named, source, inputs, await identities.get(origin)!);
        servers.push({
          name,
          configuredName: raw.name,
          renamed,
          raw: named,
          sourceTag: source.tag,
          availability,
          rawFingerprint: definitionFingerprint(named),
          configurationProblem: server.state === 'last-valid' ? server.problem : undefined,
          sourceIndex: index,
          position,
        });
      }
    }
    if (this.disposed) return;
    this.servers = servers.sort((a, b) => a.sourceIndex - b.sourceIndex || a.position - b.position).map(({ sourceIndex: _s, position: _p, ...server }) => server);
    this.origins = origins;
    this.lastValid = lastValid;
    this.loadedOnce = true;
    const summary = servers.map((s) => `${s.name}=${s.availability.status}${s.configurationProblem ? ' (last valid version)' : ''}`).join(', ') || 'none';
    this.logger.info(`Configuration loaded in ${Date.now() - started} ms (${reason}): ${summary}`);
    this.changeEmitter.fire();
  }

  private async availability(raw: RawServerDefinition, source: Source, inputs: InputDefinition[], identity: string, interactive = false): Promise<Availability> {
    if (!vscode.workspace.isTrusted) {
      const reason = untrustedReason(raw, source);
      if (reason) return { status: 'untrusted', reason };
    }
    // A stored input answers only the definition that asked for it, in the same folder (see inputs.ts).
    // The name is left out: it changes when another source takes it.
    const binding: InputBinding = { scope: inputScope(source), definition: definitionFingerprint({ ...raw, name: '' }), folderIdentity: identity };
    const missing: string[] = [];
    const resolver: VariableResolver = {
      env: (name) => process.env[name],
      workspaceFolder: (source.folder ?? vscode.workspace.workspaceFolders?.[0])?.uri.fsPath,
      userHome: homedir(),
      secret: (value, variable) => this.redactor.add(value, variable),
      ...source.rules,
      input: async (id, definition) => {
        const input = definition ?? { id, type: 'promptString' as const };
        const stored = await this.inputs.get(binding, input);
        if (stored !== undefined || !interactive) {
          if (stored === undefined) missing.push(id);
          return stored;
        }
        return this.inputs.ask(binding, input, raw.name);
      },
    };
    try {
      return { status: 'ready', definition: await resolveServer(raw, resolver, inputs) };
    } catch (e) {
      if (missing.length > 0) return { status: 'needs-input', inputs: [...new Set([...missing, ...inputIdsIn(raw)])] };
      if (e instanceof ConfigResolutionError && e.cancelled) throw e;
      return { status: 'invalid', message: this.redactor.redact((e as Error).message) };
    }
  }

  /**
   * Asks for the inputs of a `needs-input` server (the user is starting it), stores them and
   * reloads. Throws ConfigResolutionError (cancelled) when the user dismisses a prompt.
   */
  async resolveInputs(name: string): Promise<void> {
    const server = this.get(name);
    if (server?.availability.status !== 'needs-input') return;
    const origin = this.origins.get(name);
    if (!origin) return;
    const availability = await this.availability(server.raw, origin.source, origin.inputs, await folderIdentity(origin.source), true);
    if (availability.status === 'needs-input') throw new ConfigResolutionError(name, undefined, `Server "${name}" was not started: an input was not given`, true);
    await this.reload(`inputs given for "${name}"`);
  }

  // ---- problems ---------------------------------------------------------------------------

  private publishDiagnostics(parsed: ParsedSource[]): void {
    this.diagnostics.clear();
    const newErrors: ConfigIssue[] = [];
    const withErrors = new Set<string>();
    for (const { source, issues, text } of parsed) {
      const errors = issues.filter((issue) => issue.severity === 'error');
      if (errors.length > 0) withErrors.add(sourceKey(source));
      if (errors.length > 0 && !this.notifiedSources.has(sourceKey(source))) newErrors.push(...errors);
      issues.forEach((issue, index) => {
        if (index > maxLoggedIssuesPerSource) return;
        const line = index === maxLoggedIssuesPerSource ? `${issues.length - index} more problems in ${source.label}: see the Problems view` : `${issue.severity}: ${formatIssue(issue)}`;
        if (issue.severity === 'error') this.logger.warn(line);
        else this.logger.info(line);
      });
      if (source.uri && text !== undefined && issues.length > 0) {
        const lines = new LineIndex(text);
        this.diagnostics.set(source.uri, issues.map((issue) => toDiagnostic(issue, lines)));
      }
    }
    // One warning when a source gets errors; while it has some, edits (an auto-save in the middle
    // of typing) add none: the diagnostics, the tree and the status bar show the current state.
    // A notification cannot be closed from the API, so the one shown stays until dismissed.
    this.notifiedSources = withErrors;
    if (newErrors.length === 0) return;
    const first = newErrors[0];
    const where = first.file === parsed.find((p) => p.source.kind === 'user')?.source.label ? 'your user settings' : tildify(first.file);
    const more = newErrors.length > 1 ? ` (and ${newErrors.length - 1} more problem${newErrors.length > 2 ? 's' : ''})` : '';
    const message = `The MCP configuration in ${where} has an error: ${issuePathText(first)}${first.message}${more}. Running servers keep their last valid definition until it is fixed.`;
    void this.notifier.configurationProblem(message).then((open) => {
      if (open) this.openConfiguration(first.file, first);
    });
  }

  dispose(): void {
    this.disposed = true;
    this.store.dispose();
  }
}

function issuePathText(issue: ConfigIssue): string {
  return issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
}

function toDiagnostic(issue: ConfigIssue, lines: LineIndex): vscode.Diagnostic {
  const position = (offset: number) => {
    const { line, character } = lines.position(offset);
    return new vscode.Position(line, character);
  };
  const range = new vscode.Range(position(issue.offset), position(issue.offset + issue.length));
  const severity =
    issue.severity === 'error' ? vscode.DiagnosticSeverity.Error : issue.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const diagnostic = new vscode.Diagnostic(range, issue.message, severity);
  diagnostic.source = diagnosticSource;
  return diagnostic;
}

/** Identifies a source across reloads: its file, or the user setting. */
function sourceKey(source: Source): string {
  return source.uri?.toString() ?? source.kind;
}

/** An invalid entry as a definition that is shown but never started: it keeps the entry's place, name and source. */
function invalidPlaceholder(entry: InvalidServerEntry): RawServerDefinition {
  return { kind: 'stdio', name: entry.name, command: '', args: [], env: {}, source: entry.source };
}

/** What a renamed server of `source` is suffixed with: its workspace folder's name, "user", or the file's name. */
function nameSuffix(source: Source): string {
  return source.folder?.name ?? (source.kind === 'user' ? 'user' : source.tag);
}

/** Inputs are declared per file, so their stored values are keyed by the file. */
function inputScope(source: Source): string {
  return source.uri?.fsPath ?? source.kind;
}

/**
 * The folder that holds a source's file, as the file system knows it (device, inode, birth
 * time): a different repository cloned to the same path is a different folder, so inputs
 * stored for the old one are not handed to the new one.
 */
async function folderIdentity(source: Source): Promise<string> {
  if (!source.uri) return source.kind;
  const folder = source.kind === 'folder' && source.folder ? source.folder.uri.fsPath : dirname(source.uri.fsPath);
  try {
    const { dev, ino, birthtimeNs } = await stat(folder, { bigint: true });
    return `${dev}:${ino}:${birthtimeNs}`;
  } catch {
    return `missing:${folder}`;
  }
}

/** Why `raw` must wait for workspace trust, or undefined when it may start in an untrusted workspace. */
function untrustedReason(raw: RawServerDefinition, source: Source): string | undefined {
  if (source.kind === 'folder' && source.folder) return `it is defined in ${source.folder.name}/.vscode/mcp.json`;
  if (source.fromWorkspace) return source.folder ? `it is defined in ${source.label}, inside the workspace folder` : `it is defined in ${source.label}, which the workspace settings name`;
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  return workspaceDependence(raw, source.rules.relativeTo, folders);
}

function inputIdsIn(raw: RawServerDefinition): string[] {
  const { source: _source, ...rest } = raw;
  return [...JSON.stringify(rest).matchAll(/\$\{input:([^{}]+)\}/g)].map((m) => m[1]);
}

export function tildify(path: string): string {
  const home = homedir();
  return path === home || path.startsWith(home + '/') ? `~${path.slice(home.length)}` : path;
}

// Living next to VS Code's built-in MCP client. Both read a workspace's `.vscode/mcp.json`:
// VS Code shows its own "Start" lenses there, and a click starts a second copy of a server we
// may already run. Until one of the two runs every server, we say so once (a notice with a
// choice, and the mcpSessions.builtInMcp.notice setting), and whenever a second process of one
// of our running servers appears outside our process groups, we name the server, once per
// process. Detection stays cheap: one process-table scan soon after a server starts and then
// every scanIntervalMs, only while one of our stdio servers runs. See docs/extension.md.

import * as vscode from 'vscode';
import { sep } from 'node:path';
import { findDuplicateProcesses, systemProcessLister, type DuplicateProcess, type ProcessLister } from '../core/duplicateProcesses';
import { DisposableStore, type Disposable } from '../core/lifecycle';
import type { Logger } from '../core/logger';
import { showMessage } from './messages';
import type { ServerService } from './servers';

/** How often running servers are checked for a second copy. */
export const scanIntervalMs = 15_000;
/** The first check after one of our servers starts: VS Code may have started its copy first. */
const firstScanDelayMs = 2_000;
/** globalState: the configuration files the notice was shown for. */
const noticeShownKey = 'builtInMcp.noticeShownFor';
const noticeShownLimit = 200;

export type BuiltInMcpNotice = 'ask' | 'never';

/** What this VS Code has: the built-in MCP client, and whether its settings switch it on. */
export async function detectBuiltInMcp(): Promise<{ present: boolean; enabled: boolean }> {
  const lm = vscode.lm as { registerMcpServerDefinitionProvider?: unknown } | undefined;
  const commands = await vscode.commands.getCommands(true);
  const present = commands.includes('workbench.mcp.startServer') || typeof lm?.registerMcpServerDefinitionProvider === 'function';
  const chat = vscode.workspace.getConfiguration('chat');
  // A value counts only for a setting this VS Code has (1.100 has no chat.mcp.access).
  const setTo = (key: string, value: unknown) => chat.inspect(key)?.defaultValue !== undefined && chat.get(key) === value;
  // chat.disableAIFeatures does not switch it off: VS Code 1.139 starts servers from mcp.json with it set.
  const enabled = present && !setTo('mcp.enabled', false) && !setTo('mcp.access', 'none');
  return { present, enabled };
}

export class BuiltInMcpWatch implements Disposable {
  private readonly store = new DisposableStore();
  private scanTimer: NodeJS.Timeout | undefined;
  private readonly warned = new Set<string>();
  /** The shared files the notice was last considered for. */
  private noticeCheckedFor = '';
  private disposed = false;

  constructor(
    private readonly servers: ServerService,
    private readonly globalState: vscode.Memento,
    private readonly log: Logger,
    private readonly lister: ProcessLister = systemProcessLister(),
  ) {
    this.store.add(servers.onDidChange(() => this.onServersChanged()));
    this.store.add({ dispose: () => clearTimeout(this.scanTimer) });
  }

  private onServersChanged(): void {
    if (this.disposed) return;
    const shared = this.sharedFiles().join('\n');
    if (shared !== '' && shared !== this.noticeCheckedFor) {
      this.noticeCheckedFor = shared;
      void this.noticeOnce();
    }
    const running = this.runningServers().length > 0;
    if (running && !this.scanTimer) this.scheduleScan(firstScanDelayMs);
    if (!running && this.scanTimer) {
      clearTimeout(this.scanTimer);
      this.scanTimer = undefined;
    }
  }

  private scheduleScan(delayMs: number): void {
    this.scanTimer = setTimeout(() => {
      this.scanTimer = undefined;
      this.scan();
      if (this.runningServers().length > 0 && !this.disposed) this.scheduleScan(scanIntervalMs);
    }, delayMs);
  }

  /** Our running stdio servers: each leads its own process group. */
  private runningServers(): { name: string; pid: number }[] {
    return this.servers.list().flatMap((v) => (v.status === 'running' && v.snapshot?.pid ? [{ name: v.name, pid: v.snapshot.pid }] : []));
  }

  /** Configuration files of ours that VS Code's built-in client reads too. */
  private sharedFiles(): string[] {
    const suffix = `${sep}.vscode${sep}mcp.json`;
    const files = this.servers.list().flatMap((v) => {
      const file = v.configured.raw.source.file;
      return file?.endsWith(suffix) ? [file] : [];
    });
    return [...new Set(files)];
  }

  /** Checks the process table now; warns once per second copy. Returns the copies found. */
  scan(): DuplicateProcess[] {
    const copies = findDuplicateProcesses(this.runningServers(), this.lister);
    for (const copy of copies) {
      const key = `${copy.server}/${copy.pid}`;
      if (this.warned.has(key)) continue;
      this.warned.add(key);
      this.log.warn(`A second copy of "${copy.server}" runs outside our process groups: pid ${copy.pid}`);
      void showMessage(
        'warning',
        `A second copy of MCP server "${copy.server}" is running (pid ${copy.pid}), started outside MCP Sessions — VS Code's built-in MCP support starts one when you click "Start" in .vscode/mcp.json. Stop one of the two.`,
        'Stop Ours',
        "Show VS Code's Servers",
      ).then((choice) => {
        if (choice === 'Stop Ours') void vscode.commands.executeCommand('mcpSessions.stopServer', { kind: 'server', server: copy.server });
        if (choice === "Show VS Code's Servers") void vscode.commands.executeCommand('workbench.mcp.listServer');
      });
    }
    return copies;
  }

  private async noticeOnce(): Promise<void> {
    if (vscode.workspace.getConfiguration('mcpSessions').get<BuiltInMcpNotice>('builtInMcp.notice', 'ask') === 'never') return;
    const shownFor = this.globalState.get<string[]>(noticeShownKey, []);
    const files = this.sharedFiles().filter((f) => !shownFor.includes(f));
    if (files.length === 0) return;
    const { enabled } = await detectBuiltInMcp();
    if (!enabled || this.disposed) return;
    await this.globalState.update(noticeShownKey, [...shownFor, ...files].slice(-noticeShownLimit));
    this.log.info(`VS Code's built-in MCP client reads ${files.join(', ')} too`);
    const choice = await showMessage(
      'information',
      "VS Code's built-in MCP support also reads .vscode/mcp.json: its \"Start\" buttons there start a second copy of a server MCP Sessions runs. Start each server from one of them; MCP Sessions warns when it sees a second copy.",
      'Keep Both',
      'Open Settings',
      "Don't Show Again",
    );
    if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'chat.mcp');
    if (choice === "Don't Show Again") await vscode.workspace.getConfiguration('mcpSessions').update('builtInMcp.notice', 'never', vscode.ConfigurationTarget.Global);
  }

  dispose(): void {
    this.disposed = true;
    this.store.dispose();
  }
}

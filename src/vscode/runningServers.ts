// The servers that should be running when the window opens again (autoStart "restore"), kept
// in workspaceState by server name. A server joins when it reaches `running`; it leaves when it
// stops while the extension is alive (the user stopped it, its start was cancelled, it was
// removed from the configuration). The stops of the shutdown at deactivation are not recorded,
// so what was running when the window closed or reloaded is what is started again. A server
// that crashed stays: it was meant to run. Keyed by name, so a server whose definition changed
// while the window was closed is restored with its new definition — as the running server
// would have been restarted with it had the window been open.

/** The part of vscode.Memento this needs. */
export interface StateStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

export const runningServersKey = 'mcpSessions.runningServers';

export class RunningServersMemory {
  constructor(private readonly state: StateStore) {}

  /** The remembered names, in the order they started. */
  names(): string[] {
    const stored = this.state.get<unknown>(runningServersKey);
    return Array.isArray(stored) ? stored.filter((name): name is string => typeof name === 'string') : [];
  }

  has(name: string): boolean {
    return this.names().includes(name);
  }

  add(name: string): void {
    const names = this.names();
    if (!names.includes(name)) void this.state.update(runningServersKey, [...names, name]);
  }

  remove(name: string): void {
    const names = this.names();
    if (names.includes(name)) void this.state.update(runningServersKey, names.filter((n) => n !== name));
  }
}

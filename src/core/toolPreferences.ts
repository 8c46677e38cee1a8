// What a person decided about single tools, per workspace (workspaceState):
// - ToolSwitches: tools switched off. A disabled tool is not listed by the extension API, not
//   offered by Call Tool…, and every call of it through the extension is refused
//   (`tool-disabled`); the Tool Explorer shows it dimmed. Anything else that lists tools (the
//   gateway) asks `isToolEnabled`.
// - ToolPins: pinned tools, in the order they were pinned, each with saved arguments if the
//   user chose to keep them (redacted like the call history: see callHistory.ts).
// Keys are server and tool names: a renamed server starts afresh.

import { redactArguments, type ArgumentPath, type KeyValueStore } from './callHistory';
import { Emitter, type Disposable } from './lifecycle';
import type { SecretRedactor } from './redact';

const disabledKey = 'mcpSessions.disabledTools';
const pinsKey = 'mcpSessions.pinnedTools';

export interface ToolRef {
  server: string;
  tool: string;
}

export class ToolSwitches implements Disposable {
  private readonly changeEmitter = new Emitter<ToolRef>();
  /** Fired when a tool is enabled or disabled. */
  readonly onDidChange = this.changeEmitter.event;
  /** server → names of its disabled tools. */
  private disabled: Map<string, Set<string>>;

  constructor(private readonly store: KeyValueStore) {
    const stored = store.get<unknown>(disabledKey);
    this.disabled = new Map();
    if (stored && typeof stored === 'object' && !Array.isArray(stored)) {
      for (const [server, tools] of Object.entries(stored)) {
        if (Array.isArray(tools)) this.disabled.set(server, new Set(tools.filter((t): t is string => typeof t === 'string')));
      }
    }
  }

  isToolEnabled(server: string, tool: string): boolean {
    return !this.disabled.get(server)?.has(tool);
  }

  /** The disabled tools of `server`. */
  disabledTools(server: string): string[] {
    return [...(this.disabled.get(server) ?? [])];
  }

  async setToolEnabled(server: string, tool: string, enabled: boolean): Promise<void> {
    if (this.isToolEnabled(server, tool) === enabled) return;
    const tools = this.disabled.get(server) ?? new Set<string>();
    if (enabled) tools.delete(tool);
    else tools.add(tool);
    if (tools.size === 0) this.disabled.delete(server);
    else this.disabled.set(server, tools);
    this.changeEmitter.fire({ server, tool });
    await this.store.update(disabledKey, Object.fromEntries([...this.disabled].map(([name, set]) => [name, [...set]])));
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}

export interface ToolPin extends ToolRef {
  /** Saved arguments, redacted; a call of the pinned tool starts from them. */
  arguments?: Record<string, unknown>;
  /** Where saved values were redacted. */
  redacted?: ArgumentPath[];
}

export class ToolPins implements Disposable {
  private readonly changeEmitter = new Emitter<void>();
  /** Fired when a tool is pinned or unpinned, or its saved arguments change. */
  readonly onDidChange = this.changeEmitter.event;
  private pins: ToolPin[];

  constructor(
    private readonly store: KeyValueStore,
    private readonly redactor: SecretRedactor,
  ) {
    const stored = store.get<unknown>(pinsKey);
    this.pins = Array.isArray(stored) ? stored.filter(isToolPin) : [];
  }

  /** In the order they were pinned. */
  list(): readonly ToolPin[] {
    return this.pins;
  }

  get(server: string, tool: string): ToolPin | undefined {
    return this.pins.find((pin) => pin.server === server && pin.tool === tool);
  }

  isPinned(server: string, tool: string): boolean {
    return this.get(server, tool) !== undefined;
  }

  /** Pins a tool (or updates a pin) with `args` saved, redacted; without `args` a pin keeps the ones it had. */
  async pin(server: string, tool: string, args?: Record<string, unknown>): Promise<ToolPin> {
    const saved = args && redactArguments(args, this.redactor);
    const previous = this.get(server, tool);
    const pin: ToolPin = { server, tool, ...(saved ? { arguments: saved.arguments, redacted: saved.redacted } : previous && { arguments: previous.arguments, redacted: previous.redacted }) };
    this.pins = previous ? this.pins.map((p) => (p === previous ? pin : p)) : [...this.pins, pin];
    await this.save();
    return pin;
  }

  async unpin(server: string, tool: string): Promise<void> {
    const before = this.pins.length;
    this.pins = this.pins.filter((pin) => pin.server !== server || pin.tool !== tool);
    if (this.pins.length !== before) await this.save();
  }

  private save(): PromiseLike<void> {
    this.changeEmitter.fire();
    return this.store.update(pinsKey, this.pins);
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}

function isToolPin(value: unknown): value is ToolPin {
  if (value === null || typeof value !== 'object') return false;
  const pin = value as Partial<ToolPin>;
  return (
    typeof pin.server === 'string' &&
    typeof pin.tool === 'string' &&
    (pin.arguments === undefined || (typeof pin.arguments === 'object' && pin.arguments !== null && !Array.isArray(pin.arguments))) &&
    (pin.redacted === undefined || Array.isArray(pin.redacted))
  );
}

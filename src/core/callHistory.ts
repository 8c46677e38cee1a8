// The record of tool calls made through the extension, kept per workspace (workspaceState),
// newest first and bounded (the last 500). Each entry says which server and tool, with what
// arguments, how it ended (ok / isError / failed with a message), how long it took and when.
//
// Secrets never reach the store. Arguments are redacted when recorded (redactArguments):
// - a value under a name that says it is a secret (token, key, password, auth, cookie, …) or a
//   string that looks like a token (16+ characters with letters and digits, no spaces, not a
//   path or URL) — the rule of `secretVariable` in redact.ts — becomes `[redacted argument]`;
// - a value the host knows to be a secret (an `${input:…}` or `${env:…}` value, a secret
//   header or env value, an OAuth token: whatever the SecretRedactor holds) is replaced by its
//   template, e.g. `${input:token}`, wherever it occurs in a string.
// The paths of redacted values are kept, so a replay can ask for them again. Outcome messages
// go through the SecretRedactor too.
//
// No `vscode` here: the store takes any Memento-like object, so it is unit-tested in plain Node.

import { Emitter, type Disposable } from './lifecycle';
import { secretVariable, type SecretRedactor } from './redact';

/** What the store needs of VS Code's Memento (workspaceState). */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

export type ArgumentPath = (string | number)[];

export type CallOutcome = { kind: 'ok' } | { kind: 'isError'; message: string } | { kind: 'failed'; code?: string; message: string };

export interface CallRecord {
  id: string;
  server: string;
  tool: string;
  /** As called, with secrets redacted; `{}` when they were too large to keep (`argumentsOmitted`). */
  arguments: Record<string, unknown>;
  /** Where values were redacted: a replay asks for them. */
  redacted: ArgumentPath[];
  argumentsOmitted?: boolean;
  outcome: CallOutcome;
  durationMs: number;
  /** Epoch ms when the call began. */
  time: number;
}

export const maxHistoryEntries = 500;
/** Arguments larger than this (as JSON) are not kept: 500 of them would bloat workspaceState (8 MiB at most). */
export const maxRecordedArgumentsChars = 16 * 1024;
/** Calls in a burst are stored together: each write holds the whole history. */
const defaultWriteDelayMs = 250;
/** Outcome messages are cut to this many characters. */
const maxMessageChars = 2000;
export const redactedArgumentText = '[redacted argument]';
const historyKey = 'mcpSessions.callHistory';
const maxDepth = 64;

/**
 * A copy of `args` with secrets replaced (the rule is at the top of this file), and the paths
 * of the values replaced.
 */
export function redactArguments(args: Record<string, unknown>, redactor: SecretRedactor): { arguments: Record<string, unknown>; redacted: ArgumentPath[] } {
  const redacted: ArgumentPath[] = [];
  const walk = (value: unknown, name: string | undefined, path: ArgumentPath): unknown => {
    if (name !== undefined && secretVariable(name, typeof value === 'string' ? value : '')) {
      redacted.push(path);
      return redactedArgumentText;
    }
    if (typeof value === 'string') {
      const known = redactor.redact(value);
      if (known !== value) redacted.push(path);
      return known;
    }
    if (value === null || typeof value !== 'object' || path.length > maxDepth) return value;
    // An array's elements are judged by the array's name: `tokens: ["…"]`.
    if (Array.isArray(value)) return value.map((element, i) => walk(element, name, [...path, i]));
    return Object.fromEntries(Object.entries(value).map(([key, element]) => [redactor.redact(key), walk(element, key, [...path, key])]));
  };
  return { arguments: walk(args, undefined, []) as Record<string, unknown>, redacted };
}

/** A copy of `args` with `values[i]` at `paths[i]`: the values a replay asked for. */
export function withValuesAt(args: Record<string, unknown>, paths: ArgumentPath[], values: unknown[]): Record<string, unknown> {
  const copy = structuredClone(args);
  paths.forEach((path, i) => {
    if (path.length === 0) return;
    let target: unknown = copy;
    for (const segment of path.slice(0, -1)) target = (target as Record<string | number, unknown>)[segment];
    if (target !== null && typeof target === 'object') (target as Record<string | number, unknown>)[path[path.length - 1]] = values[i];
  });
  return copy;
}

/** "token", "auth.password", "keys[2]": a path as a person reads it. */
export function formatArgumentPath(path: ArgumentPath): string {
  return path.map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join('') || '(the arguments)';
}

export class CallHistory implements Disposable {
  private readonly changeEmitter = new Emitter<void>();
  /** Fired after an entry is added or the history is cleared. */
  readonly onDidChange = this.changeEmitter.event;
  private entries: CallRecord[];
  /** The write that will store the entries as they are then; calls until it starts join it. */
  private pendingWrite: { promise: Promise<void>; timer: NodeJS.Timeout; start(): void } | undefined;
  private counter = 0;

  constructor(
    private readonly store: KeyValueStore,
    private readonly redactor: SecretRedactor,
    private readonly options: { capacity?: number; writeDelayMs?: number } = {},
  ) {
    const stored = store.get<unknown>(historyKey);
    this.entries = Array.isArray(stored) ? stored.filter(isCallRecord).slice(0, this.capacity) : [];
  }

  private get capacity(): number {
    return this.options.capacity ?? maxHistoryEntries;
  }

  /** Newest first. */
  list(): readonly CallRecord[] {
    return this.entries;
  }

  get(id: string): CallRecord | undefined {
    return this.entries.find((entry) => entry.id === id);
  }

  /** Records a call, redacted; resolves when it is stored. */
  record(call: { server: string; tool: string; arguments: Record<string, unknown>; outcome: CallOutcome; durationMs: number; time: number }): Promise<CallRecord> {
    const redacted = redactArguments(call.arguments, this.redactor);
    const tooLarge = JSON.stringify(redacted.arguments).length > maxRecordedArgumentsChars;
    const outcome: CallOutcome = call.outcome.kind === 'ok' ? call.outcome : { ...call.outcome, message: this.redactor.redact(call.outcome.message).slice(0, maxMessageChars) };
    const entry: CallRecord = {
      id: `${call.time.toString(36)}-${(this.counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      server: call.server,
      tool: call.tool,
      arguments: tooLarge ? {} : redacted.arguments,
      redacted: tooLarge ? [] : redacted.redacted,
      ...(tooLarge ? { argumentsOmitted: true } : {}),
      outcome,
      durationMs: Math.max(0, Math.round(call.durationMs)),
      time: call.time,
    };
    this.entries = [entry, ...this.entries].slice(0, this.capacity);
    return this.save().then(() => entry);
  }

  clear(): Promise<void> {
    this.entries = [];
    return this.save();
  }

  /** Puts back entries taken out by clear() (its Undo), before any recorded since. */
  restore(entries: readonly CallRecord[]): Promise<void> {
    const present = new Set(this.entries.map((entry) => entry.id));
    this.entries = [...this.entries, ...entries.filter((entry) => !present.has(entry.id))].slice(0, this.capacity);
    return this.save();
  }

  private save(): Promise<void> {
    this.changeEmitter.fire();
    if (!this.pendingWrite) {
      let start!: () => void;
      const started = new Promise<void>((resolve) => (start = resolve));
      const promise = started.then(() => {
        this.pendingWrite = undefined;
        return this.store.update(historyKey, this.entries);
      });
      this.pendingWrite = { promise, start, timer: setTimeout(start, this.options.writeDelayMs ?? defaultWriteDelayMs) };
    }
    return this.pendingWrite.promise;
  }

  /** Stores a pending write at once. */
  dispose(): void {
    if (this.pendingWrite) {
      clearTimeout(this.pendingWrite.timer);
      this.pendingWrite.start();
    }
    this.changeEmitter.dispose();
  }
}

function isCallRecord(value: unknown): value is CallRecord {
  if (value === null || typeof value !== 'object') return false;
  const entry = value as Partial<CallRecord>;
  return (
    typeof entry.id === 'string' &&
    typeof entry.server === 'string' &&
    typeof entry.tool === 'string' &&
    entry.arguments !== null &&
    typeof entry.arguments === 'object' &&
    !Array.isArray(entry.arguments) &&
    Array.isArray(entry.redacted) &&
    typeof entry.outcome === 'object' &&
    entry.outcome !== null &&
    ['ok', 'isError', 'failed'].includes(entry.outcome.kind) &&
    typeof entry.durationMs === 'number' &&
    typeof entry.time === 'number'
  );
}

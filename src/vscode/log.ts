// Logging. One LogOutputChannel for the extension (it also backs the core's Logger), and one
// per server ("MCP: <name>") for its stderr, notifications/message, state transitions and,
// with mcpSessions.trace.server, every JSON-RPC message. Server channels are created lazily,
// the first time their logs are shown, and start with the lines the session kept in memory.
// Nothing here calls show() by itself: only the Show Logs commands do.
// Every line goes through the SecretRedactor first.

import * as vscode from 'vscode';
import type { RegistryApi, ServerLogLine } from '../core/api';
import { DisposableStore, type Disposable } from '../core/lifecycle';
import { RingBuffer, type Logger } from '../core/logger';
import type { SecretRedactor } from '../core/redact';

/** Lines kept in memory per channel, so tests (and only tests) can read what was written. */
const mirrorCapacity = 5000;

export class ExtensionLog implements Logger, Disposable {
  private readonly channel: vscode.LogOutputChannel;
  private readonly mirror = new RingBuffer<string>(mirrorCapacity);
  private disposed = false;

  constructor(private readonly redactor: SecretRedactor) {
    this.channel = vscode.window.createOutputChannel('MCP Sessions', { log: true });
  }

  trace(message: string): void {
    this.write('trace', message);
  }
  debug(message: string): void {
    this.write('debug', message);
  }
  info(message: string): void {
    this.write('info', message);
  }
  warn(message: string): void {
    this.write('warn', message);
  }
  error(message: string): void {
    this.write('error', message);
  }

  private write(level: 'trace' | 'debug' | 'info' | 'warn' | 'error', message: string): void {
    // The core keeps logging while its shutdown finishes, after VS Code disposed the channel.
    if (this.disposed) return;
    const text = this.redactor.redact(message);
    this.mirror.push(`[${level}] ${text}`);
    this.channel[level](text);
  }

  show(): void {
    this.channel.show(true);
  }

  text(): string {
    return this.mirror.toArray().join('\n');
  }

  dispose(): void {
    this.disposed = true;
    this.channel.dispose();
  }
}

interface ServerChannel {
  channel: vscode.LogOutputChannel;
  mirror: RingBuffer<string>;
  /** The session the channel follows; replaced when reconcile() re-adds the server. */
  following: DisposableStore;
}

const notificationLevel = /^\[(\w+)\]/;

export class ServerLogChannels implements Disposable {
  private readonly channels = new Map<string, ServerChannel>();
  private readonly listeners = new DisposableStore();
  private disposed = false;

  constructor(
    private readonly registry: RegistryApi,
    private readonly redactor: SecretRedactor,
  ) {
    // A server removed and added again (renamed back, configuration fixed) is a new session.
    this.listeners.add(registry.onDidAddServer((name) => this.channels.has(name) && this.follow(name, 'the server was added again')));
  }

  /** Shows the server's channel, creating it (with the session's earlier lines) on first use. */
  show(server: string): void {
    if (this.disposed) return;
    let entry = this.channels.get(server);
    if (!entry) {
      entry = {
        channel: vscode.window.createOutputChannel(`MCP: ${server}`, { log: true }),
        mirror: new RingBuffer(mirrorCapacity),
        following: new DisposableStore(),
      };
      this.channels.set(server, entry);
      this.follow(server);
    }
    entry.channel.show(true);
  }

  private follow(server: string, why?: string): void {
    const entry = this.channels.get(server);
    const session = this.registry.get(server);
    if (!entry) return;
    entry.following.clear();
    if (!session) {
      this.append(entry, { time: Date.now(), stream: 'state', text: 'This server is not running in this window (not trusted, waiting for input, or not configured).' });
      return;
    }
    if (why) this.append(entry, { time: Date.now(), stream: 'state', text: `— ${why}: following the new session —` });
    const earlier = session.logLines();
    if (earlier.length > 0) {
      this.append(entry, { time: Date.now(), stream: 'state', text: `${earlier.length} earlier line(s), kept in memory since ${clock(earlier[0].time)}:` });
      for (const line of earlier) this.append(entry, line, true);
    }
    entry.following.add(session.onDidLog((line) => this.append(entry, line)));
  }

  private append(entry: ServerChannel, line: ServerLogLine, replayed = false): void {
    if (this.disposed) return;
    // The server's text is redacted before it is prefixed: a secret broken across lines is found at the line's start.
    const text = `${replayed ? `(${clock(line.time)}) ` : ''}${prefixFor(line.stream)}${this.redactor.redact(line.text)}`;
    const level = levelFor(line);
    entry.mirror.push(`[${level}] ${text}`);
    entry.channel[level](text);
  }

  text(server: string): string {
    return this.channels.get(server)?.mirror.toArray().join('\n') ?? '';
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.dispose();
    for (const entry of this.channels.values()) {
      entry.following.dispose();
      entry.channel.dispose();
    }
    this.channels.clear();
  }
}

function prefixFor(stream: ServerLogLine['stream']): string {
  switch (stream) {
    case 'stdout-noise':
      return 'stdout (not JSON-RPC): ';
    case 'transport':
      return 'transport: ';
    case 'notification':
      return 'server log ';
    case 'state':
      return 'state: ';
    default:
      return '';
  }
}

function levelFor(line: ServerLogLine): 'debug' | 'info' | 'warn' | 'error' {
  switch (line.stream) {
    case 'stdout-noise':
      return 'warn';
    case 'notification': {
      const level = notificationLevel.exec(line.text)?.[1];
      if (level === 'debug') return 'debug';
      if (level === 'warning') return 'warn';
      if (level === 'error' || level === 'critical' || level === 'alert' || level === 'emergency') return 'error';
      return 'info';
    }
    // Trace lines are written at info: the user turned them on with mcpSessions.trace.server,
    // and the channel's default level would hide them otherwise.
    default:
      return 'info';
  }
}

function clock(time: number): string {
  return new Date(time).toISOString().slice(11, 23);
}

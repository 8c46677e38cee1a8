// Connects stdio servers: spawns the server as the leader of its own process group and
// speaks newline-delimited JSON-RPC over its stdin/stdout through a Transport of our own
// (the SDK's StdioClientTransport signals only the direct child and caps a message at 10 MB).
// stderr is always drained; non-JSON lines on stdout are logged and counted, not fatal.
//
// Eras: the SDK's v2 client probes with `server/discover` in place, on the one process we
// spawned (the transport exposes `pid` and `stderr`, so the SDK treats it as stdio: a probe
// timeout means a legacy server). A legacy server that exits on the probe is spawned once more
// and connected in legacy mode without a probe; the connection reports it (legacyRestarts).

import type { Readable } from 'node:stream';
import { ProtocolErrorCode, deserializeMessage, serializeMessage, type JSONRPCMessage, type PriorDiscovery, type Transport } from '@modelcontextprotocol/client';
import { defaultMaxMessageBytes, messageTooLargeReason, type Connection, type ConnectRequest, type CloseOptions, type CloseReport, type Connector } from './connection';
import type { StdioServerDefinition } from './definitions';
import { describeDefinition, shownDefinition } from './definitions';
import { secretVariable } from '../core/redact';
import { McpSessionError, describeExit, errorMessage } from './errors';
import { GroupProcess } from './processTree';
import { RingBuffer, formatBytes, truncateText } from './logger';
import { serverEnvironment } from './env';

/** Lines of stderr quoted in start and crash errors. */
const stderrTailLines = 20;
/** A stderr line longer than this is dropped up to its newline (a kept line is cut far shorter). */
const maxStderrLineBytes = 1024 * 1024;

/**
 * Splits a byte stream into lines without re-copying the pending bytes on every chunk. A line
 * that grows past `maxLineBytes` is reported once through `onOversize` and its bytes are dropped
 * as they arrive, up to its newline: it is never held whole.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Set while dropping the rest of a line that went over the limit. */
  private discarding = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineBytes: number,
    private readonly onOversize: () => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(0x0a, start);
    while (newline !== -1) {
      if (this.discarding) {
        this.discarding = false;
      } else if (this.pendingBytes + (newline - start) > this.maxLineBytes) {
        this.drop();
        this.onOversize();
      } else if (this.pending.length) {
        const line = Buffer.concat([...this.pending, chunk.subarray(start, newline)]);
        this.drop();
        this.onLine(line.toString('utf8').replace(/\r$/, ''));
      } else {
        // The usual case, a whole line in one chunk: decoded in place, without a copy.
        this.onLine(chunk.toString('utf8', start, newline > start && chunk[newline - 1] === 0x0d ? newline - 1 : newline));
      }
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length && !this.discarding) {
      this.pending.push(chunk.subarray(start));
      this.pendingBytes += chunk.length - start;
      if (this.pendingBytes > this.maxLineBytes) {
        this.drop();
        this.discarding = true;
        this.onOversize();
      }
    }
  }

  private drop(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** The unterminated rest, at end of stream. */
  flush(): void {
    if (this.pending.length) {
      const rest = Buffer.concat(this.pending).toString('utf8');
      this.drop();
      if (rest.trim()) this.onLine(rest);
    }
  }
}

/** The id of a line that parses as JSON and looks like a response (it has `result` or `error`), though not a valid one. */
function malformedResponseId(line: string): string | number | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { id } = parsed as { id?: unknown };
  if (!('result' in parsed) && !('error' in parsed)) return undefined;
  return (typeof id === 'number' && Number.isSafeInteger(id)) || typeof id === 'string' ? id : undefined;
}

export interface ProcessTransportHooks {
  onStderrLine(line: string): void;
  onNoise(line: string): void;
  /** A message on stdout went over the limit; the transport has dropped it. */
  onOversizeMessage(): void;
  trace?(direction: 'send' | 'receive', message: JSONRPCMessage): void;
  /** Redacts secrets from a line before it is cut (see truncateText). */
  redact?(text: string): string;
}

/** An SDK Transport over a GroupProcess that is already running. */
export class ProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;
  private closed = false;
  /** The id of a `server/discover` request that has not been answered yet. */
  private probeId: string | number | undefined;

  constructor(
    private readonly process: GroupProcess,
    private readonly hooks: ProcessTransportHooks,
    maxMessageBytes: number,
  ) {
    const stdout = new LineSplitter((line) => this.onStdoutLine(line), maxMessageBytes, () => this.hooks.onOversizeMessage());
    process.child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    process.child.stdout.on('end', () => stdout.flush());
    const stderr = new LineSplitter(
      (line) => this.hooks.onStderrLine(truncateText(line, undefined, this.hooks.redact)),
      maxStderrLineBytes,
      () => this.hooks.onStderrLine(`[a stderr line over ${formatBytes(maxStderrLineBytes)} was dropped]`),
    );
    process.child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    process.child.stderr.on('end', () => stderr.flush());
  }

  /** Read by the SDK to recognize a stdio transport (a silent probe then means a legacy server). */
  get pid(): number {
    return this.process.pid;
  }

  get stderr(): Readable {
    return this.process.child.stderr;
  }

  /** True while a `server/discover` probe waits for its answer: an exit now is an exit on the probe. */
  get probeUnanswered(): boolean {
    return this.probeId !== undefined;
  }

  private onStdoutLine(line: string): void {
    if (line.trim() === '') return;
    let message: JSONRPCMessage;
    try {
      message = deserializeMessage(line);
    } catch (e) {
      this.hooks.onNoise(truncateText(line, undefined, this.hooks.redact));
      const answered = malformedResponseId(line);
      // JSON that answers a request but is not a valid response: fail that request now, not at its timeout.
      if (answered !== undefined) {
        message = { jsonrpc: '2.0', id: answered, error: { code: ProtocolErrorCode.InvalidRequest, message: `the server sent an invalid response: ${truncateText(errorMessage(e), 500)}` } };
      } else {
        return;
      }
    }
    // Handling runs in the stream's 'data' event: a throw here would be an uncaught exception
    // in the host, so a message the client cannot handle is reported, not thrown.
    if (this.probeId !== undefined && 'id' in message && message.id === this.probeId && !('method' in message)) this.probeId = undefined;
    try {
      this.hooks.trace?.('receive', message);
      this.onmessage?.(message);
    } catch (e) {
      this.onerror?.(new Error(`a message from the server could not be handled: ${errorMessage(e)}`));
    }
  }

  async start(): Promise<void> {
    // The process is spawned before the transport is made, so that spawn errors surface first.
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed || this.process.exit) return Promise.reject(new Error('the server process has exited'));
    this.hooks.trace?.('send', message);
    if ('method' in message && message.method === 'server/discover' && 'id' in message) this.probeId = message.id;
    // A failed write means the server is gone; its exit is reported by the process, not here.
    if (this.process.child.stdin.write(serializeMessage(message))) return Promise.resolve();
    return new Promise((resolve) => this.process.child.stdin.once('drain', resolve));
  }

  /** Closing the transport only detaches the client; ending the process is the connection's job. */
  async close(): Promise<void> {
    this.markClosed();
  }

  /** Called by the connection once the process has exited and the session has been told why. */
  markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }
}

/** Rejects when `signal` aborts or `ms` pass, whichever is first; settles `promise` otherwise. */
function raceConnect<T>(promise: Promise<T>, ms: number, signal: AbortSignal, onTimeout: () => Error, onAbort: () => Error, onExit: Promise<Error>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => finish(() => reject(onTimeout())), ms);
    const abort = () => finish(() => reject(onAbort()));
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
      settle();
    };
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => finish(() => resolve(value)),
      (error) => finish(() => reject(error)),
    );
    void onExit.then((error) => finish(() => reject(error)));
  });
}

/** The server exited while its `server/discover` probe was unanswered: a legacy server that dies on unknown requests. */
class ExitOnProbe extends Error {
  constructor(readonly how: string) {
    super(how);
  }
}

export const connectStdio: Connector = async (request: ConnectRequest): Promise<Connection> => {
  try {
    return await spawnAndConnect(request, request.prior);
  } catch (e) {
    if (!(e instanceof ExitOnProbe)) throw e;
    const name = request.definition.name;
    const line = `"${name}" ${e.how} on the server/discover probe, so it speaks only MCP 2025; starting it once more in legacy mode`;
    request.hooks.log(`${line}.`, 'transport');
    request.logger.warn(line);
    return { ...(await spawnAndConnect(request, { kind: 'legacy' })), legacyRestarts: 1 };
  }
};

async function spawnAndConnect(request: ConnectRequest, prior: PriorDiscovery | undefined): Promise<Connection> {
  const def = request.definition as StdioServerDefinition;
  const name = def.name;
  const stderrTail = new RingBuffer<string>(stderrTailLines);
  const commandLine = describeDefinition(def);
  // Messages and the ledger name the command as written: resolved values may be secrets.
  const shown = shownDefinition(def);

  let env: Record<string, string>;
  try {
    env = await serverEnvironment(request.baseEnv as Record<string, string>, def, (variable, value) => {
      if (secretVariable(variable, value)) request.redactor?.add(value, `[redacted envFile ${variable}]`);
    });
  } catch (e) {
    throw new McpSessionError('start-failed', name, `Could not start "${name}": ${errorMessage(e)}`, { retryable: false, cause: e });
  }

  let child: GroupProcess;
  try {
    child = await GroupProcess.spawn({
      command: def.command,
      args: def.args,
      env,
      cwd: def.cwd,
      onWatchdogError: (error) => request.logger.warn(`"${name}" runs without a guard against the host's death (its group is swept by the next host instead): ${errorMessage(error)}`),
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? def.cwd && (e as NodeJS.ErrnoException).path !== def.command
          ? `the command "${shown.command}" or the folder "${shown.cwd}" was not found`
          : `the command "${shown.command}" was not found on PATH`
        : code === 'EACCES'
          ? `the command "${shown.command}" is not executable`
          : errorMessage(e);
    throw new McpSessionError('start-failed', name, `Could not start "${name}": ${why}. Check its command in the configuration.`, { retryable: false, cause: e });
  }
  // Only the executable, as written, goes to disk: arguments may carry resolved secrets.
  request.ledger?.record({ pid: child.pid, server: name, command: shown.command });
  request.logger.info(`Started "${name}" as process group ${child.pid}: ${commandLine}`);

  const maxMessageBytes = request.maxMessageBytes ?? defaultMaxMessageBytes;
  const tooLargeReason = messageTooLargeReason(name, maxMessageBytes);
  let connected = false;
  let tooLargeDuringStart: (error: McpSessionError) => void = () => undefined;
  const tooLargeBeforeConnected = new Promise<McpSessionError>((resolve) => (tooLargeDuringStart = resolve));
  const transport = new ProcessTransport(
    child,
    {
      onStderrLine(line) {
        stderrTail.push(line);
        request.hooks.log(line, 'stderr');
      },
      onNoise(line) {
        request.hooks.log(line, 'stdout-noise');
      },
      redact: request.redactor && ((text) => request.redactor!.redact(text)),
      onOversizeMessage() {
        request.hooks.log(`${tooLargeReason}.`, 'transport');
        if (!connected) {
          tooLargeDuringStart(new McpSessionError('start-failed', name, `Could not start "${name}": ${tooLargeReason}.`, { stderrTail: stderrTail.toArray(), retryable: false }));
        } else {
          endTooLarge();
        }
      },
      trace: request.trace,
    },
    maxMessageBytes,
  );

  const closeChild = async (options: CloseOptions): Promise<CloseReport> => {
    const report = await child.close(options);
    if (report.outcome !== 'survived') request.ledger?.remove(child.pid);
    return report;
  };

  const client = request.createClient();
  // An exit during connect closes the transport, so an SDK probe under way ends now, not at its timeout.
  void child.whenExited().then(() => {
    if (!connected) transport.markClosed();
  });
  const exitedEarly = child.whenExited().then(
    (exit) =>
      new McpSessionError('start-failed', name, `"${name}" ${describeExit(exit.code, exit.signal)} before it finished initializing.`, {
        exitCode: exit.code,
        signal: exit.signal,
        stderrTail: stderrTail.toArray(),
        retryable: true,
      }),
  );
  try {
    await raceConnect(
      client.connect(transport, { timeout: request.connectTimeoutMs, prior }),
      request.connectTimeoutMs,
      request.signal,
      () =>
        new McpSessionError('start-failed', name, `"${name}" did not finish connecting (server/discover or initialize) within ${request.connectTimeoutMs} ms.`, {
          stderrTail: stderrTail.toArray(),
          retryable: true,
        }),
      () => new McpSessionError('cancelled', name, `Starting "${name}" was cancelled.`),
      Promise.race([exitedEarly, tooLargeBeforeConnected]),
    );
  } catch (e) {
    // An exit during initialize can race the initialize error; prefer the exit's account,
    // unless the exit is the one our own close below causes.
    const exitedByItself = child.exit !== undefined;
    const exitedOnProbe = exitedByItself && prior === undefined && transport.probeUnanswered;
    await client.close().catch(() => undefined);
    // A stop or shutdown that cancelled this attempt passes its close options (deadline, graces) as the abort reason.
    const reason: unknown = request.signal.aborted ? request.signal.reason : undefined;
    const stopOptions = typeof reason === 'object' && reason !== null && !(reason instanceof Error) ? (reason as Partial<CloseOptions>) : {};
    await closeChild({ ...request.closeOptions, ...stopOptions });
    if (exitedOnProbe && !request.signal.aborted) throw new ExitOnProbe(describeExit(child.exit!.code, child.exit!.signal));
    if (e instanceof McpSessionError) {
      if (exitedByItself && e.code !== 'cancelled') throw await exitedEarly;
      throw e;
    }
    if (exitedByItself) throw await exitedEarly;
    throw new McpSessionError('start-failed', name, `"${name}" failed to initialize: ${errorMessage(e)}`, {
      stderrTail: stderrTail.toArray(),
      retryable: true,
      cause: e,
    });
  }

  // From here on an exit is unexpected unless close() began it.
  connected = true;
  let closing: Promise<CloseReport> | undefined;
  /** The connection ends without close(): tell the session first, so in-flight calls fail with the reason. */
  const endUnexpectedly = (end: Parameters<ConnectRequest['hooks']['onUnexpectedEnd']>[0], options: CloseOptions) => {
    request.hooks.onUnexpectedEnd(end);
    transport.markClosed();
    closing = closeChild(options);
  };
  // A message over the limit was dropped: whatever it answered is lost, so the connection ends.
  const endTooLarge = () => {
    if (closing) return;
    endUnexpectedly({ reason: tooLargeReason, stderrTail: stderrTail.toArray() }, { ...request.closeOptions, stdinGraceMs: 0 });
  };
  void child.whenExited().then((exit) => {
    if (closing) return transport.markClosed();
    // The leader is gone; end whatever it left in its group.
    endUnexpectedly(
      { reason: `"${name}" ${describeExit(exit.code, exit.signal)}`, exitCode: exit.code, signal: exit.signal, stderrTail: stderrTail.toArray() },
      { ...request.closeOptions, stdinGraceMs: 0 },
    );
  });

  return {
    client,
    kind: 'stdio',
    pid: child.pid,
    close(options: CloseOptions): Promise<CloseReport> {
      closing ??= (async () => {
        const report = await closeChild(options);
        await client.close().catch(() => undefined);
        return report;
      })();
      return closing;
    },
  };
}

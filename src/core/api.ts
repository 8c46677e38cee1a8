// The public surface of the core: what the extension, the CLI and tests use.
// Implemented by SessionRegistry (registry.ts) and ServerSession (session.ts).

import type { Prompt, Resource, ResourceTemplateType as ResourceTemplate, Tool, CallToolResult, ReadResourceResult, GetPromptResult, CompleteRequest, CompleteResult } from '@modelcontextprotocol/client';
import type { Disposable, Event } from './lifecycle';
import type { ServerDefinition } from './definitions';
import type { CloseOutcome, ProtocolInfo } from './connection';
import type { McpErrorCode } from './errors';
import type { CrashPolicy } from './crashPolicy';

export type { Prompt, Resource, ResourceTemplate, Tool, CallToolResult, ReadResourceResult, GetPromptResult, ProtocolInfo };

/** What an argument completion is for: a prompt, or a resource template (its URI template). */
export type CompletionReference = CompleteRequest['params']['ref'];
/** The server's suggestions: at most 100 values, and whether it has more. */
export type Completion = CompleteResult['completion'];

export interface ResourceUpdate {
  uri: string;
  /**
   * `updated`: the server said the resource changed. `resubscribed`: the subscription was made
   * again on a new connection (after a restart or crash), so it may have changed meanwhile.
   */
  reason: 'updated' | 'resubscribed';
}

/** Interest in one resource's changes; dispose to end it (the last one ends the server-side subscription). */
export interface ResourceSubscription extends Disposable {
  /**
   * Settles when the server-side subscription is in place (the server is started on demand);
   * rejects with an McpSessionError when the server offers no subscriptions or refuses this one.
   */
  readonly ready: Promise<void>;
}

/** Session states, as string literals so logs read well. */
export type SessionState =
  | { state: 'stopped' }
  | { state: 'starting' }
  | {
      state: 'running';
      pid?: number;
      since: number;
      /** The era and revision this connection negotiated. */
      protocol?: ProtocolInfo;
    }
  | { state: 'stopping' }
  | {
      state: 'error';
      message: string;
      retryable: boolean;
      /** What kind of failure: the code of the McpSessionError behind it ('crashed' for an exit after initialize). */
      code: McpErrorCode;
      /** Set while a restart by the crash supervisor is scheduled; absent once the server will not be restarted. */
      restartInMs?: number;
      /** How the process ended, when it exited (a crash, or an exit before initialize). */
      exitCode?: number | null;
      signal?: string | null;
      /** The server's last stderr lines before the failure, when it is a process. */
      stderrTail?: string[];
    };

export type SessionStateName = SessionState['state'];

export interface StateChange {
  server: string;
  previous: SessionState;
  current: SessionState;
  reason: string;
}

export interface ProgressUpdate {
  progress: number;
  total?: number;
  message?: string;
}

export interface CallOptions {
  /** Cancels the call: the server gets notifications/cancelled. */
  signal?: AbortSignal;
  /** Timeout without progress; each progress notification resets it. Default: the server's `requestTimeoutMs`, else the registry's (60 s). */
  timeoutMs?: number;
  /** Upper bound on the whole call, progress or not. Default: the server's `maxTotalTimeoutMs`, else the registry's, else 10 × timeoutMs. */
  maxTotalTimeoutMs?: number;
  onProgress?: (progress: ProgressUpdate) => void;
}

export interface ServerSnapshot {
  name: string;
  definition: ServerDefinition;
  state: SessionState;
  pid?: number;
  /** Epoch ms of the last successful start. */
  startedAt?: number;
  /** Tools from the live server, or undefined when never listed. */
  tools?: Tool[];
  resources?: Resource[];
  prompts?: Prompt[];
  serverInfo?: { name: string; version: string };
  instructions?: string;
  /** The era the live connection speaks, or (when stopped) the one it last spoke. */
  protocol?: ProtocolInfo;
  /** Times the server exited on the `server/discover` probe and was started again in legacy mode. */
  legacyRestarts: number;
  /** Crashes counted in the supervisor's sliding window. */
  recentCrashes: number;
  /** Number of non-JSON lines seen on stdout. */
  stdoutNoiseLines: number;
}

export interface ServerLogLine {
  time: number;
  stream: 'stderr' | 'stdout-noise' | 'transport' | 'state' | 'notification' | 'trace';
  text: string;
}

export interface ShutdownEntry {
  server: string;
  outcome: CloseOutcome | 'not-running';
  durationMs: number;
}

export interface ShutdownReport {
  durationMs: number;
  servers: ShutdownEntry[];
  /** True when the global deadline was reached before every session finished stopping. */
  deadlineReached: boolean;
}

export interface ReconcileResult {
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: string[];
}

export interface SupervisorOptions {
  /** Restart after an unexpected exit. Default true. */
  restartOnCrash: boolean;
  /** First backoff delay; doubles per consecutive crash. Default 500 ms. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Crash-loop breaker: this many crashes within windowMs put the server in error. Default 5 in 3 min. */
  maxCrashes: number;
  windowMs: number;
}

export interface RegistryOptions {
  logger?: import('./logger').Logger;
  /** Folder for the process ledger; no ledger when undefined. */
  stateDir?: string;
  connectTimeoutMs?: number;
  stdinGraceMs?: number;
  termGraceMs?: number;
  /** A request fails after this long without an answer or progress, unless its server or the call says otherwise. Default 60 s. */
  defaultCallTimeoutMs?: number;
  /** A request fails after this long, progress or not, unless its server or the call says otherwise. Default 10 × the request's timeout. */
  defaultMaxTotalTimeoutMs?: number;
  supervisor?: Partial<SupervisorOptions>;
  /** Ping interval for remote servers, 0 to disable. Default 30 s. */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /** Environment stdio servers start from; default: see env.ts (inheritedEnvironment). */
  baseEnv?: NodeJS.ProcessEnv;
  clientInfo?: { name: string; version: string };
  /** Max lines kept per server log. Default 2000. */
  logCapacity?: number;
  /** Log every JSON-RPC message in the server log (trace). */
  traceProtocol?: boolean;
  /** Largest single message accepted from a server; a larger one ends its connection. Default 32 MiB. */
  maxMessageBytes?: number;
  /** OAuth for a remote server (oauth.ts offers OAuthProvider), or undefined when it needs none. Called per connection attempt. */
  authProviderFor?(server: import('./definitions').RemoteServerDefinition): import('@modelcontextprotocol/client').OAuthClientProvider | undefined;
  /** Told the secrets each definition carries and each stdio server's envFile holds (redact.ts). */
  redactor?: import('./redact').SecretRedactor;
  /**
   * What happens when a server ends unexpectedly, one policy per server (crashPolicy.ts).
   * Default: restart with exponential backoff and a crash-loop breaker, from `supervisor`.
   * The CLI passes `() => new NeverRestartPolicy()`.
   */
  crashPolicy?(server: string): CrashPolicy;
  /**
   * Answers what servers ask of the client: elicitation, roots, sampling (clientRequests.ts),
   * whether as 2025 server→client requests or 2026 `input_required` results. Default:
   * decliningClientRequests (refuses with a message that names the server and the request).
   */
  clientRequests?: import('./clientRequests').ClientRequestHandlers;
  /** How long a cached "legacy" era verdict is trusted before the server is probed again. Default 24 h. */
  legacyVerdictMaxAgeMs?: number;
}

export interface SessionApi {
  readonly name: string;
  readonly definition: ServerDefinition;
  readonly state: SessionState;
  snapshot(): ServerSnapshot;
  logLines(): ServerLogLine[];
  readonly onDidChangeState: Event<StateChange>;
  /** Fired after tools, resources or prompts were (re)listed. */
  readonly onDidChangeLists: Event<void>;
  readonly onDidLog: Event<ServerLogLine>;
}

export interface RegistryApi {
  readonly onDidAddServer: Event<string>;
  readonly onDidRemoveServer: Event<string>;
  readonly onDidChangeState: Event<StateChange>;
  readonly onDidChangeLists: Event<string>;
  readonly isShutDown: boolean;

  reconcile(definitions: ServerDefinition[]): ReconcileResult;
  list(): ServerSnapshot[];
  get(name: string): SessionApi | undefined;

  start(name: string, reason?: string): Promise<void>;
  stop(name: string, reason?: string): Promise<void>;
  restart(name: string, reason?: string): Promise<void>;

  /** Starts the server on demand. `refresh` bypasses the cache. */
  listTools(name: string, options?: { refresh?: boolean }): Promise<Tool[]>;
  listResources(name: string, options?: { refresh?: boolean }): Promise<Resource[]>;
  listPrompts(name: string, options?: { refresh?: boolean }): Promise<Prompt[]>;
  readResource(name: string, uri: string, options?: CallOptions): Promise<ReadResourceResult>;
  getPrompt(name: string, prompt: string, args?: Record<string, string>, options?: CallOptions): Promise<GetPromptResult>;
  /** Starts the server on demand; an empty list when it offers no resources. Not cached. */
  listResourceTemplates(name: string, options?: CallOptions): Promise<ResourceTemplate[]>;
  /**
   * Suggestions for one argument of a prompt or resource template (`completion/complete`);
   * `context` holds the arguments already given. No values when the server offers no completions.
   */
  complete(name: string, ref: CompletionReference, argument: { name: string; value: string }, context?: Record<string, string>, options?: CallOptions): Promise<Completion>;
  /**
   * Calls `listener` when the resource changes, for as long as the subscription is not disposed.
   * The session keeps the interest across connections: after a restart or crash it subscribes
   * again (and the listener hears `resubscribed`). A 2025 server gets `resources/subscribe`, a
   * 2026-07-28 server a `subscriptions/listen` stream.
   */
  subscribeResource(name: string, uri: string, listener: (update: ResourceUpdate) => void): ResourceSubscription;
  /**
   * Starts the server on demand and calls the tool. Resolves with the result, or rejects with
   * an McpSessionError naming the server; a result with isError rejects with code 'tool-error'
   * (the result is in error.details.result).
   */
  callTool(name: string, tool: string, args?: Record<string, unknown>, options?: CallOptions): Promise<CallToolResult>;

  /** Tells every running 2025 server that the client's roots changed; resolves with the servers told. */
  notifyRootsChanged(): Promise<string[]>;

  /** Idempotent; stops every session in parallel under one deadline. */
  shutdown(deadlineMs?: number): Promise<ShutdownReport>;
  /** Synchronous; starts the shutdown if it has not started. */
  dispose(): void;
}

import { errorMessage, isMcpSessionError } from '../../core/errors';
import { showMessage } from '../messages';
import type { ServerView } from '../servers';
import type { CommandFactory } from './command';

export interface StartAllResult {
  started: string[];
  failed: string[];
  /** Servers that were not tried, each with why. */
  skipped: { name: string; reason: string }[];
}

/** Why a server is not started by Start All, or undefined when it is started. */
function skipReason(view: ServerView): string | undefined {
  switch (view.status) {
    case 'stopped':
    case 'error':
    case 'needs-input':
      return undefined;
    case 'untrusted':
      return 'waits for workspace trust';
    case 'invalid':
      return 'has an invalid configuration';
    case 'needs-sign-in':
      return 'needs a sign-in';
    default:
      return 'is already running';
  }
}

/**
 * mcpSessions.startAll(): starts every stopped or failed server. A user runs it, so servers
 * that need input values ask for them, one after another (a dismissed prompt skips that
 * server); untrusted, invalid and sign-in servers are left as they are. Answers with one
 * summary: an information message, or an error naming the servers that failed. Resolves with
 * what it did.
 */
export const startAll: CommandFactory = (ctx) => async (): Promise<StartAllResult> => {
  const result: StartAllResult = { started: [], failed: [], skipped: [] };
  const candidates: string[] = [];
  for (const view of ctx.servers.list()) {
    const reason = skipReason(view);
    if (reason) result.skipped.push({ name: view.name, reason });
    else candidates.push(view.name);
  }
  const failures = new Map<string, string>();
  // Input prompts one at a time, before the starts, so no prompt is interleaved with another.
  const ready: string[] = [];
  for (const name of candidates) {
    try {
      await ctx.servers.ensureReady(name, true);
      ready.push(name);
    } catch (e) {
      if (isMcpSessionError(e, 'cancelled')) result.skipped.push({ name, reason: 'was not given its inputs' });
      else failures.set(name, errorMessage(e));
    }
  }
  const starts = await Promise.allSettled(ready.map((name) => ctx.notifier.duringUserAction(name, () => ctx.servers.start(name, 'Start All', false))));
  starts.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') result.started.push(ready[i]);
    else failures.set(ready[i], errorMessage(outcome.reason));
  });
  result.failed = [...failures.keys()];
  const notRunning = result.skipped.filter((s) => s.reason !== 'is already running');
  const skippedText = notRunning.length > 0 ? ` Not started: ${notRunning.map((s) => `"${s.name}" ${s.reason}`).join('; ')}.` : '';
  if (result.failed.length > 0) {
    const [first] = result.failed;
    const text = `Started ${count(result.started.length)}; ${result.failed.map((n) => `"${n}"`).join(', ')} failed to start ("${first}": ${failures.get(first)}).${skippedText} The Tool Explorer shows each one's state`;
    void ctx.notifier.userFailure(first, text);
  } else if (candidates.length === 0 && notRunning.length === 0) {
    void showMessage('information', 'Every MCP server is already running.');
  } else {
    void showMessage('information', `Started ${count(result.started.length)}.${skippedText}`);
  }
  ctx.log.info(`Start All: started ${result.started.join(', ') || 'none'}; failed ${result.failed.join(', ') || 'none'}; skipped ${result.skipped.map((s) => s.name).join(', ') || 'none'}`);
  return result;
};

function count(servers: number): string {
  return `${servers} MCP server${servers === 1 ? '' : 's'}`;
}

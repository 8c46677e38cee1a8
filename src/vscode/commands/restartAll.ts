import { showMessage } from '../messages';
import type { CommandFactory } from './command';

/**
 * mcpSessions.restartAll(): restarts every server that is running, starting or in error;
 * stopped servers stay stopped. Resolves with the names restarted; failures show in the
 * tree, the status bar and (once) as a notification.
 */
export const restartAll: CommandFactory = (ctx) => async () => {
  const names = ctx.servers
    .list()
    .filter((v) => v.status === 'running' || v.status === 'starting' || v.status === 'error')
    .map((v) => v.name);
  if (names.length === 0) {
    void showMessage('information', 'No MCP server is running, so none was restarted.');
    return [];
  }
  const results = await Promise.allSettled(names.map((name) => ctx.registry.restart(name, 'Restart All')));
  const failed = names.filter((_, i) => results[i].status === 'rejected');
  if (failed.length > 0) {
    void ctx.notifier.userFailure(failed[0], `Restarting ${failed.map((n) => `"${n}"`).join(', ')} failed; the Tool Explorer shows why`);
  }
  return names;
};

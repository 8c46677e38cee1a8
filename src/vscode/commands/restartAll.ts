import { showMessage } from '../messages';
import type { CommandFactory } from './command';

/**
 * mcpSessions.restartAll(): restarts every server that is running, starting or in error;
 * stopped servers stay stopped. Resolves with the names restarted; failures show in the
 * tree, the status bar and (once) as a notification.
 */
export const restartAll: CommandFactory = (ctx) => async () => {
  const { restarted, failed } = await ctx.servers.restartAll('Restart All');
  if (restarted.length === 0) {
    void showMessage('information', 'No MCP server is running, so none was restarted.');
    return [];
  }
  if (failed.length > 0) {
    void ctx.notifier.userFailure(failed[0], `Restarting ${failed.map((n) => `"${n}"`).join(', ')} failed; the Tool Explorer shows why`);
  }
  return restarted;
};

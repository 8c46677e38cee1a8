import { showMessage } from '../messages';
import type { CommandFactory } from './command';

/**
 * mcpSessions.clearStoredInputs(): forgets every stored `${input:…}` value. Servers that use
 * one go back to "needs input" (running ones are stopped) and ask again when started.
 */
export const clearStoredInputs: CommandFactory = (ctx) => async () => {
  // The redactor keeps the values: processes started with them may still be logging.
  const count = await ctx.inputs.clear();
  await ctx.configuration.reload('stored inputs cleared');
  const affected = ctx.servers.list().filter((v) => v.status === 'needs-input').map((v) => `"${v.name}"`);
  const message =
    count === 0
      ? 'No stored inputs to clear.'
      : `Cleared ${count} stored input${count === 1 ? '' : 's'}.${affected.length ? ` ${affected.join(', ')} will ask again when started.` : ''}`;
  ctx.log.info(message);
  void showMessage('information', message);
  return count;
};

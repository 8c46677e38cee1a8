// Notices that the process which started this one has died: for the extension host, the editor
// server (code-server's main process). SIGKILLed, it cannot end its extension host, which then
// takes seconds to notice by itself; the servers must not wait for that.
//
// Where the parent forked us with an IPC channel (code-server does), the channel's 'disconnect'
// is immediate. Otherwise a cheap getppid() check each second sees us re-parented.

import { toDisposable, type Disposable } from './lifecycle';

const parentCheckMs = 1000;

/** Calls `onDeath` once, when the parent process is gone. */
export function onParentDeath(onDeath: (how: string) => void): Disposable {
  const parent = process.ppid;
  let fired = false;
  const fire = (how: string) => {
    if (fired) return;
    fired = true;
    watch.dispose();
    onDeath(how);
  };
  const onDisconnect = () => fire(`the IPC channel to process ${parent} closed`);
  if (process.connected) process.once('disconnect', onDisconnect);
  const timer = setInterval(() => {
    if (process.ppid !== parent) fire(`process ${parent} exited`);
  }, parentCheckMs);
  timer.unref();
  const watch = toDisposable(() => {
    clearInterval(timer);
    process.off('disconnect', onDisconnect);
  });
  return watch;
}

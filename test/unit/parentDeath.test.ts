// onParentDeath (src/core/parentDeath.ts) with real processes: a middle process starts a child
// that watches it, with and without an IPC channel, and is SIGKILLed; the child must notice.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../support/paths';

const child = join(repoRoot, 'out', 'test', 'support', 'parent-death-child.js');

/** A middle process that starts the child (forked with IPC, or spawned without) and passes its stdout on. */
function middle(ipc: boolean) {
  const start = ipc
    ? `require('child_process').fork(${JSON.stringify(child)}, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })`
    : `require('child_process').spawn(process.execPath, [${JSON.stringify(child)}], { stdio: ['ignore', 'inherit', 'inherit'] })`;
  return spawn(process.execPath, ['-e', `${start}; setInterval(() => {}, 1000)`], { stdio: ['ignore', 'pipe', 'inherit'] });
}

describe('onParentDeath', function () {
  this.timeout(20_000);

  for (const [ipc, how] of [
    [true, /the IPC channel to process \d+ closed/],
    [false, /process \d+ exited/],
  ] as const) {
    it(`notices a SIGKILLed parent ${ipc ? 'at once through its IPC channel' : 'by its re-parenting, within seconds'}`, async () => {
      const parent = middle(ipc);
      let out = '';
      const said = (pattern: RegExp) =>
        new Promise<void>((resolve, reject) => {
          const check = () => (pattern.test(out) ? resolve() : undefined);
          parent.stdout.on('data', (d: Buffer) => ((out += d.toString()), check()));
          parent.stdout.once('close', () => (pattern.test(out) ? resolve() : reject(new Error(`the child said: ${out}`))));
          check();
        });
      await said(/watching/);
      parent.kill('SIGKILL');
      await said(how);
      assert.match(out, /parent gone/);
    });
  }
});

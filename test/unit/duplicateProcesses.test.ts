// Issue 11 §7: a second copy of one of our servers (as VS Code's built-in MCP client starts one
// from the same .vscode/mcp.json) is found in the process table; our own process group is not.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { findDuplicateProcesses, procLister, psLister } from '../../src/core/duplicateProcesses';
import { SessionRegistry } from '../../src/core/registry';
import { FixtureTracker, eventually } from '../support/processes';

describe('second copies of our servers', function () {
  this.timeout(30_000);
  const fixtures = new FixtureTracker();
  let registry: SessionRegistry | undefined;
  let copy: ChildProcess | undefined;

  afterEach(async () => {
    copy?.kill('SIGKILL');
    copy = undefined;
    await registry?.shutdown(2000);
    registry = undefined;
    await fixtures.assertNoneAlive();
    fixtures.cleanup();
  });

  for (const [tableName, lister] of [
    ['/proc', procLister],
    ['ps', psLister],
  ] as const) {
    it(`finds a copy started outside our process group, and nothing of our own group (${tableName})`, async function () {
      if (process.platform === 'win32' || (lister === procLister && process.platform !== 'linux')) this.skip();
      registry = new SessionRegistry({ stdinGraceMs: 300, termGraceMs: 300 });
      // --spawn-child: our server's group also holds a grandchild; it is ours, not a copy.
      const definition = fixtures.stdio('memory', ['--tools=3', '--spawn-child']);
      registry.reconcile([definition]);
      await registry.start('memory');
      const pid = registry.get('memory')!.snapshot().pid!;
      const ours = [{ name: 'memory', pid }];
      assert.deepEqual(findDuplicateProcesses(ours, lister), [], 'our own server and its group are no copy');

      // What VS Code does: the same command line, spawned by another process, in another group.
      copy = spawn('node', definition.args, { stdio: ['pipe', 'ignore', 'ignore'] });
      const found = await eventually(() => {
        const duplicates = findDuplicateProcesses(ours, lister);
        return duplicates.length > 0 ? duplicates : undefined;
      }, 5000, 'the copy to be found');
      assert.deepEqual(
        found.map((d) => [d.server, d.pid]),
        [['memory', copy.pid]],
      );
      assert.equal(found[0].commandLine.at(-1), definition.args.at(-1));

      // A server with other arguments is another server.
      assert.deepEqual(findDuplicateProcesses([{ name: 'memory', pid }], { list: () => [{ pid: 1_000_000, pgid: 1_000_000, argv: ['node', ...definition.args.slice(0, -1)] }] }), []);
    });
  }

  it('finds nothing without servers, or where processes cannot be listed', () => {
    assert.deepEqual(findDuplicateProcesses([]), []);
    assert.deepEqual(findDuplicateProcesses([{ name: 'x', pid: process.pid }], { list: () => undefined }), []);
  });
});

// The servers autoStart "restore" starts again: what is remembered, in workspaceState's shape.
import * as assert from 'node:assert/strict';
import { RunningServersMemory, runningServersKey, type StateStore } from '../../src/vscode/runningServers';

/** workspaceState as VS Code keeps it in memory: a key-value map whose update resolves. */
class MapState implements StateStore {
  readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  update(key: string, value: unknown): Thenable<void> {
    this.values.set(key, value);
    return Promise.resolve();
  }
}

describe('servers remembered for autoStart "restore"', () => {
  it('remembers each server once, in start order, and forgets a stopped one', () => {
    const state = new MapState();
    const memory = new RunningServersMemory(state);
    memory.add('echo');
    memory.add('other');
    memory.add('echo');
    assert.deepEqual(memory.names(), ['echo', 'other']);
    memory.remove('echo');
    assert.deepEqual(state.get(runningServersKey), ['other']);
    assert.equal(new RunningServersMemory(state).has('other'), true, 'a new window reads what the last one wrote');
    assert.equal(new RunningServersMemory(state).has('echo'), false);
  });

  it('a stored value of the wrong shape is read as nothing, or as its names only', () => {
    const state = new MapState();
    state.values.set(runningServersKey, 'echo');
    assert.deepEqual(new RunningServersMemory(state).names(), []);
    state.values.set(runningServersKey, ['echo', 42, null, { name: 'x' }]);
    assert.deepEqual(new RunningServersMemory(state).names(), ['echo']);
  });
});

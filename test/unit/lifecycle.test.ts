import * as assert from 'node:assert/strict';
import { DisposableMap, DisposableStore, MutableDisposable, toDisposable, type Disposable } from '../../src/core/lifecycle';

function tracked(log: string[], name: string): Disposable {
  return toDisposable(() => log.push(name));
}

describe('lifecycle', () => {
  describe('MutableDisposable', () => {
    it('disposes the previous value when a new one is set, and the last one on dispose', () => {
      const log: string[] = [];
      const slot = new MutableDisposable<Disposable>();
      const first = tracked(log, 'first');
      slot.value = first;
      slot.value = first;
      assert.deepEqual(log, []);
      slot.value = tracked(log, 'second');
      assert.deepEqual(log, ['first']);
      slot.dispose();
      assert.deepEqual(log, ['first', 'second']);
      assert.equal(slot.value, undefined);
    });

    it('disposes at once a value set after it was disposed', () => {
      const log: string[] = [];
      const slot = new MutableDisposable<Disposable>();
      slot.dispose();
      slot.value = tracked(log, 'late');
      assert.deepEqual(log, ['late']);
      assert.equal(slot.value, undefined);
    });

    it('hands over its value without disposing it on clearAndLeak', () => {
      const log: string[] = [];
      const slot = new MutableDisposable<Disposable>();
      const value = tracked(log, 'kept');
      slot.value = value;
      assert.equal(slot.clearAndLeak(), value);
      slot.dispose();
      assert.deepEqual(log, []);
    });
  });

  describe('DisposableMap', () => {
    it('disposes replaced and deleted values, and the rest on dispose', () => {
      const log: string[] = [];
      const map = new DisposableMap<string, Disposable>();
      map.set('a', tracked(log, 'a1'));
      map.set('a', tracked(log, 'a2'));
      map.set('b', tracked(log, 'b'));
      assert.deepEqual(log, ['a1']);
      map.deleteAndDispose('b');
      assert.deepEqual(log, ['a1', 'b']);
      const leaked = map.deleteAndLeak('a');
      assert.ok(leaked);
      map.set('c', tracked(log, 'c'));
      map.dispose();
      assert.deepEqual(log, ['a1', 'b', 'c']);
      map.set('d', tracked(log, 'd'));
      assert.deepEqual(log, ['a1', 'b', 'c', 'd']);
      assert.equal(map.size, 0);
    });
  });

  describe('DisposableStore', () => {
    it('disposes in insertion order and reports every failure', () => {
      const log: string[] = [];
      const store = new DisposableStore();
      store.add(tracked(log, 'one'));
      store.add(toDisposable(() => { throw new Error('boom'); }));
      store.add(tracked(log, 'two'));
      assert.throws(() => store.dispose(), /boom/);
      assert.deepEqual(log, ['one', 'two']);
    });
  });
});

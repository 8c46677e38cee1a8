// Small lifecycle primitives modelled on VS Code's base/common/lifecycle.ts and event.ts.
// The core never imports `vscode`; these shapes are structurally compatible with
// vscode.Disposable and vscode.Event so the extension can use them directly.

export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (e: T) => unknown, thisArgs?: unknown, disposables?: Disposable[]) => Disposable;

/** Wraps a function so it runs at most once when disposed. */
export function toDisposable(fn: () => void): Disposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      fn();
    },
  };
}

/** Disposes every item, then throws one AggregateError if any of them threw. */
export function disposeAll(items: Iterable<Disposable>): void {
  const errors: unknown[] = [];
  for (const item of items) {
    try {
      item.dispose();
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'Several disposables threw while being disposed');
}

/** Holds disposables and disposes them together, in insertion order. */
export class DisposableStore implements Disposable {
  private readonly items = new Set<Disposable>();
  private disposed = false;

  add<T extends Disposable>(item: T): T {
    if (this.disposed) {
      item.dispose();
    } else {
      this.items.add(item);
    }
    return item;
  }

  clear(): void {
    const items = [...this.items];
    this.items.clear();
    disposeAll(items);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clear();
  }
}

/** An event source. Listeners that throw are reported through `onListenerError`, never to the firer. */
export class Emitter<T> implements Disposable {
  private listeners = new Set<(e: T) => unknown>();
  private disposed = false;

  constructor(private readonly onListenerError: (error: unknown) => void = (e) => console.error(e)) {}

  readonly event: Event<T> = (listener, thisArgs, disposables) => {
    if (this.disposed) return toDisposable(() => undefined);
    const bound = thisArgs ? listener.bind(thisArgs) : listener;
    this.listeners.add(bound);
    const d = toDisposable(() => this.listeners.delete(bound));
    disposables?.push(d);
    return d;
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (e) {
        this.onListenerError(e);
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }
}

/**
 * Holds at most one disposable. Setting a new value disposes the previous one, so whatever
 * belonged to the old value (a connection and all its state) cannot outlive its replacement.
 */
export class MutableDisposable<T extends Disposable> implements Disposable {
  private current: T | undefined;
  private disposed = false;

  get value(): T | undefined {
    return this.disposed ? undefined : this.current;
  }

  set value(next: T | undefined) {
    if (this.disposed) {
      next?.dispose();
      return;
    }
    if (next === this.current) return;
    const previous = this.current;
    this.current = next;
    previous?.dispose();
  }

  /** Gives up ownership without disposing: the caller now owns the value. */
  clearAndLeak(): T | undefined {
    const value = this.current;
    this.current = undefined;
    return value;
  }

  clear(): void {
    this.value = undefined;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const value = this.current;
    this.current = undefined;
    value?.dispose();
  }
}

/** A map that owns its values: replacing or deleting a value disposes it, and so does dispose(). */
export class DisposableMap<K, V extends Disposable> implements Disposable {
  private readonly map = new Map<K, V>();
  private disposed = false;

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  keys(): IterableIterator<K> {
    return this.map.keys();
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }

  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }

  /** Stores `value`, disposing the value it replaces. */
  set(key: K, value: V): void {
    if (this.disposed) {
      value.dispose();
      return;
    }
    const previous = this.map.get(key);
    this.map.set(key, value);
    if (previous && previous !== value) previous.dispose();
  }

  /** Removes and disposes the value of `key`. */
  deleteAndDispose(key: K): void {
    const value = this.map.get(key);
    this.map.delete(key);
    value?.dispose();
  }

  /** Removes the value of `key` without disposing it: the caller now owns it. */
  deleteAndLeak(key: K): V | undefined {
    const value = this.map.get(key);
    this.map.delete(key);
    return value;
  }

  clearAndDispose(): void {
    const values = [...this.map.values()];
    this.map.clear();
    disposeAll(values);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clearAndDispose();
  }
}

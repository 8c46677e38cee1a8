// The call history, tool switches and pins (core, no vscode): bounded, redacted, and persisted
// through a plain Memento-like object the way workspaceState keeps them.

import * as assert from 'node:assert/strict';
import { CallHistory, formatArgumentPath, maxHistoryEntries, redactArguments, redactedArgumentText, withValuesAt, type KeyValueStore } from '../../src/core/callHistory';
import { SecretRedactor } from '../../src/core/redact';
import { ToolPins, ToolSwitches } from '../../src/core/toolPreferences';

/** workspaceState as an extension sees it: values go through JSON, as VS Code stores them. */
class MemoryMemento implements KeyValueStore {
  readonly values = new Map<string, string>();
  writes = 0;

  get<T>(key: string): T | undefined {
    const text = this.values.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  async update(key: string, value: unknown): Promise<void> {
    this.writes++;
    await new Promise((resolve) => setImmediate(resolve));
    this.values.set(key, JSON.stringify(value));
  }
}

const call = (tool: string, args: Record<string, unknown> = {}, time = Date.now()) => ({ server: 'echo', tool, arguments: args, outcome: { kind: 'ok' as const }, durationMs: 12.4, time });

describe('call history', () => {
  it('keeps the newest 500 calls, newest first, and stores them', async () => {
    const memento = new MemoryMemento();
    const history = new CallHistory(memento, new SecretRedactor());
    for (let i = 0; i < maxHistoryEntries + 12; i++) void history.record(call(`tool${i}`, { i }, 1000 + i));
    await history.record(call('last', {}, 5000));
    assert.equal(memento.writes, 1, 'a burst of calls is stored in one write');
    assert.equal(history.list().length, 500);
    assert.equal(history.list()[0].tool, 'last');
    assert.equal(history.list()[1].tool, 'tool511');
    assert.equal(history.list()[499].tool, 'tool13');
    const reopened = new CallHistory(memento, new SecretRedactor());
    assert.deepEqual(reopened.list(), history.list(), 'the stored history is the one in memory, after writes that overlapped');
  });

  it('round-trips every field through the store, and clear() empties it there too', async () => {
    const memento = new MemoryMemento();
    const history = new CallHistory(memento, new SecretRedactor());
    const ok = await history.record(call('echo', { text: 'hi', nested: { n: [1, 2] } }, 1_700_000_000_000));
    await history.record({ server: 'echo', tool: 'fail', arguments: {}, outcome: { kind: 'isError', message: 'The tool "fail" reported an error: boom' }, durationMs: 3, time: 1_700_000_000_100 });
    await history.record({ server: 'gone', tool: 'x', arguments: {}, outcome: { kind: 'failed', code: 'not-found', message: 'No MCP server named "gone"' }, durationMs: 0, time: 1_700_000_000_200 });
    assert.deepEqual(ok, { id: ok.id, server: 'echo', tool: 'echo', arguments: { text: 'hi', nested: { n: [1, 2] } }, redacted: [], outcome: { kind: 'ok' }, durationMs: 12, time: 1_700_000_000_000 });
    const reopened = new CallHistory(memento, new SecretRedactor());
    assert.deepEqual(
      reopened.list().map((e) => [e.tool, e.outcome]),
      [
        ['x', { kind: 'failed', code: 'not-found', message: 'No MCP server named "gone"' }],
        ['fail', { kind: 'isError', message: 'The tool "fail" reported an error: boom' }],
        ['echo', { kind: 'ok' }],
      ],
    );
    assert.deepEqual(reopened.get(ok.id), ok);
    await reopened.clear();
    assert.deepEqual(new CallHistory(memento, new SecretRedactor()).list(), []);
  });

  it('stores a pending write at once when disposed', async () => {
    const memento = new MemoryMemento();
    // Far longer than the test's timeout: only the flush at dispose can store it in time.
    const history = new CallHistory(memento, new SecretRedactor(), { writeDelayMs: 10 * 60_000 });
    const stored = history.record(call('at-shutdown'));
    history.dispose();
    await stored;
    assert.deepEqual(
      new CallHistory(memento, new SecretRedactor()).list().map((e) => e.tool),
      ['at-shutdown'],
    );
  });

  it('skips stored entries that are not call records instead of failing', () => {
    const memento = new MemoryMemento();
    memento.values.set('mcpSessions.callHistory', JSON.stringify([null, 42, { id: 'a' }, { ...call('ok'), id: 'b', redacted: [] }, { ...call('bad'), id: 'c', redacted: [], outcome: { kind: 'weird' } }]));
    assert.deepEqual(
      new CallHistory(memento, new SecretRedactor()).list().map((e) => e.id),
      ['b'],
    );
    memento.values.set('mcpSessions.callHistory', JSON.stringify({ not: 'a list' }));
    assert.deepEqual(new CallHistory(memento, new SecretRedactor()).list(), []);
  });

  it('stores secrets redacted: by argument name, by a value that looks like a token, and values the host knows as secrets', async () => {
    const redactor = new SecretRedactor();
    redactor.add('fixture-secret-value', '${input:fixture-token}');
    const memento = new MemoryMemento();
    const history = new CallHistory(memento, redactor);
    const entry = await history.record(
      call('login', {
        user: 'ada',
        password: 'hunter2',
        apiKey: 42,
        headers: { Authorization: 'Bearer abc', accept: 'json' },
        note: 'uses fixture-secret-value inside',
        ids: ['plain', 'ghp_1234567890abcdefABCDEF'],
        tokens: ['x', 'y'],
      }),
    );
    assert.deepEqual(entry.arguments, {
      user: 'ada',
      password: redactedArgumentText,
      apiKey: redactedArgumentText,
      headers: { Authorization: redactedArgumentText, accept: 'json' },
      note: 'uses ${input:fixture-token} inside',
      ids: ['plain', redactedArgumentText],
      tokens: redactedArgumentText,
    });
    assert.deepEqual(entry.redacted.map(formatArgumentPath), ['password', 'apiKey', 'headers.Authorization', 'note', 'ids[1]', 'tokens']);
    const stored = [...memento.values.values()].join('\n');
    for (const secret of ['hunter2', 'Bearer abc', 'fixture-secret-value', 'ghp_1234567890abcdefABCDEF']) assert.ok(!stored.includes(secret), `${secret} is not stored`);
  });

  it('redacts known secrets in outcome messages, and cuts them', async () => {
    const redactor = new SecretRedactor();
    redactor.add('s3cr3t-value', '${env:TOKEN}');
    const history = new CallHistory(new MemoryMemento(), redactor);
    const entry = await history.record({ ...call('x'), outcome: { kind: 'failed', code: 'protocol', message: `bad token s3cr3t-value ${'x'.repeat(5000)}` } });
    assert.ok(entry.outcome.kind === 'failed');
    assert.match(entry.outcome.message, /^bad token \$\{env:TOKEN\} x+$/);
    assert.equal(entry.outcome.message.length, 2000);
  });

  it('keeps no arguments larger than 16 KiB, and says so', async () => {
    const history = new CallHistory(new MemoryMemento(), new SecretRedactor());
    const entry = await history.record(call('big', { data: 'a b '.repeat(20_000) }));
    assert.deepEqual(entry.arguments, {});
    assert.equal(entry.argumentsOmitted, true);
  });

  it('puts values back at redacted paths for a replay', () => {
    const { arguments: redacted, redacted: paths } = redactArguments({ config: { password: 'p', user: 'u' }, names: ['a'], token: 't' }, new SecretRedactor());
    assert.deepEqual(paths, [['config', 'password'], ['token']]);
    assert.deepEqual(withValuesAt(redacted, paths, ['P', 'T']), { config: { password: 'P', user: 'u' }, names: ['a'], token: 'T' });
    assert.deepEqual(redacted, { config: { password: redactedArgumentText, user: 'u' }, names: ['a'], token: redactedArgumentText }, 'the record is left as it was');
  });
});

describe('tool switches and pins', () => {
  it('a disabled tool stays disabled across a reload, per server, and fires a change', async () => {
    const memento = new MemoryMemento();
    const switches = new ToolSwitches(memento);
    const changes: string[] = [];
    switches.onDidChange((e) => changes.push(`${e.server}/${e.tool}`));
    await switches.setToolEnabled('echo', 'crash', false);
    await switches.setToolEnabled('echo', 'crash', false);
    assert.deepEqual(changes, ['echo/crash']);
    const reloaded = new ToolSwitches(memento);
    assert.equal(reloaded.isToolEnabled('echo', 'crash'), false);
    assert.equal(reloaded.isToolEnabled('other', 'crash'), true);
    assert.equal(reloaded.isToolEnabled('echo', 'echo'), true);
    await reloaded.setToolEnabled('echo', 'crash', true);
    assert.equal(new ToolSwitches(memento).isToolEnabled('echo', 'crash'), true);
  });

  it('pins keep their order and their saved arguments, redacted, across a reload', async () => {
    const memento = new MemoryMemento();
    const pins = new ToolPins(memento, new SecretRedactor());
    await pins.pin('echo', 'echo', { text: 'hi', token: 'abc' });
    await pins.pin('other', 'add');
    await pins.pin('echo', 'echo');
    const reloaded = new ToolPins(memento, new SecretRedactor());
    assert.deepEqual(reloaded.list(), [
      { server: 'echo', tool: 'echo', arguments: { text: 'hi', token: redactedArgumentText }, redacted: [['token']] },
      { server: 'other', tool: 'add' },
    ]);
    await reloaded.unpin('echo', 'echo');
    assert.deepEqual(
      new ToolPins(memento, new SecretRedactor()).list().map((p) => p.tool),
      ['add'],
    );
  });
});

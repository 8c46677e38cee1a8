// Resource subscriptions, templates and completions in the core, against real fixture servers of
// both eras: a 2025 server (v1 SDK: `resources/subscribe`) and a 2026-07-28-only server (v2 SDK:
// `subscriptions/listen`), both with the workbench additions (test/fixtures/workbench.mjs).

import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import type { RegistryOptions, ResourceUpdate } from '../../src/core/api';
import type { StdioServerDefinition } from '../../src/core/definitions';
import { SessionRegistry } from '../../src/core/registry';
import { FixtureTracker, delay, eventually, rejection, textOf } from '../support/processes';
import { fixturesDir } from '../support/paths';

const counter = 'fixture://counter';
const fast: RegistryOptions = { stdinGraceMs: 300, termGraceMs: 300, connectTimeoutMs: 10_000, supervisor: { initialBackoffMs: 50 } };

function textContent(result: { contents: unknown[] }): string {
  return (result.contents[0] as { text: string }).text;
}

describe('resource subscriptions', function () {
  this.timeout(30_000);
  const fixtures = new FixtureTracker();
  let registry: SessionRegistry;

  afterEach(async () => {
    await registry?.shutdown(2000);
    await fixtures.assertNoneAlive();
    fixtures.cleanup();
  });

  const eras: { era: 'legacy' | 'modern'; server: () => StdioServerDefinition }[] = [
    { era: 'legacy', server: () => fixtures.stdio('workbench', ['--workbench']) },
    {
      era: 'modern',
      server: () => ({
        kind: 'stdio',
        name: 'workbench',
        command: process.execPath,
        args: [join(fixturesDir, 'v2-stdio-server.mjs'), '--modern-only', '--workbench', `--pid-dir=${fixtures.pidDir()}`],
        env: {},
        source: { label: 'test' },
      }),
    },
  ];

  for (const { era, server } of eras) {
    describe(`${era} era`, () => {
      function open(): { updates: ResourceUpdate[] } {
        registry = new SessionRegistry(fast);
        registry.reconcile([server()]);
        return { updates: [] };
      }

      async function bump(): Promise<string> {
        return textOf(await registry.callTool('workbench', 'bump'));
      }

      it('subscribes, and the listener hears each update', async () => {
        const { updates } = open();
        const subscription = registry.subscribeResource('workbench', counter, (u) => updates.push(u));
        await subscription.ready;
        const state = registry.get('workbench')!.state;
        assert.equal(state.state === 'running' && state.protocol?.era, era);
        assert.equal(await bump(), 'count 1');
        await eventually(() => updates.some((u) => u.reason === 'updated'), 5000, 'the update');
        assert.deepEqual(updates.filter((u) => u.reason === 'updated'), [{ uri: counter, reason: 'updated' }]);
        assert.equal(textContent(await registry.readResource('workbench', counter)), 'count 1');
        subscription.dispose();
      });

      it('subscribes again after a restart, and the listener hears updates of the new connection', async () => {
        const { updates } = open();
        const subscription = registry.subscribeResource('workbench', counter, (u) => updates.push(u));
        await subscription.ready;
        await registry.restart('workbench');
        await eventually(() => updates.some((u) => u.reason === 'resubscribed'), 5000, 'the renewed subscription');
        assert.equal(await bump(), 'count 1', 'a new process starts from zero');
        await eventually(() => updates.some((u) => u.reason === 'updated'), 5000, 'the update after the restart');
        subscription.dispose();
      });

      it('subscribes again after a crash and the supervisor’s restart', async () => {
        const { updates } = open();
        const subscription = registry.subscribeResource('workbench', counter, (u) => updates.push(u));
        await subscription.ready;
        await rejection(registry.callTool('workbench', 'crash'), 'crashed');
        await eventually(() => updates.some((u) => u.reason === 'resubscribed'), 10_000, 'the renewed subscription');
        await bump();
        await eventually(() => updates.some((u) => u.reason === 'updated'), 5000, 'the update after the crash');
        subscription.dispose();
      });

      it('keeps the server-side subscription until the last listener is disposed', async () => {
        const first: ResourceUpdate[] = [];
        const second: ResourceUpdate[] = [];
        open();
        const a = registry.subscribeResource('workbench', counter, (u) => first.push(u));
        const b = registry.subscribeResource('workbench', counter, (u) => second.push(u));
        await Promise.all([a.ready, b.ready]);
        a.dispose();
        await bump();
        await eventually(() => second.length === 1, 5000, 'the update to the remaining listener');
        assert.equal(first.length, 0, 'a disposed listener hears nothing');
        b.dispose();
        if (era === 'legacy') {
          await eventually(() => registry.get('workbench')!.logLines().some((l) => l.text.includes(`unsubscribe ${counter}`)), 5000, 'resources/unsubscribe at the server');
        }
        await bump();
        await delay(500);
        assert.equal(second.length, 1, 'no update after the last listener is gone');
      });

      it('lists the resource template, completes its argument and reads text and binary resources', async () => {
        open();
        const templates = await registry.listResourceTemplates('workbench');
        assert.deepEqual(
          templates.map((t) => t.uriTemplate),
          ['fixture://greeting/{name}'],
        );
        const completion = await registry.complete('workbench', { type: 'ref/resource', uri: 'fixture://greeting/{name}' }, { name: 'name', value: 'al' });
        assert.deepEqual(completion.values, ['alice', 'albert']);
        const prompt = await registry.complete('workbench', { type: 'ref/prompt', name: 'greet' }, { name: 'style', value: 'p' }, { name: 'bob' });
        assert.deepEqual(prompt.values, ['pirate']);
        assert.equal(textContent(await registry.readResource('workbench', 'fixture://greeting/alice')), 'Hello, alice!');
        const pixel = (await registry.readResource('workbench', 'fixture://pixel.png')).contents[0] as { blob: string; mimeType: string };
        assert.equal(pixel.mimeType, 'image/png');
        assert.deepEqual([...Buffer.from(pixel.blob, 'base64').subarray(1, 4)], [...Buffer.from('PNG')]);
      });
    });
  }

  it('a subscription disposed before it is in place is ended at the server once it is (2025)', async () => {
    registry = new SessionRegistry(fast);
    registry.reconcile([fixtures.stdio('workbench', ['--workbench'])]);
    const updates: ResourceUpdate[] = [];
    const subscription = registry.subscribeResource('workbench', counter, (u) => updates.push(u));
    subscription.dispose();
    await subscription.ready;
    await eventually(() => registry.get('workbench')!.logLines().some((l) => l.text.includes(`unsubscribe ${counter}`)), 5000, 'resources/unsubscribe at the server');
    await registry.callTool('workbench', 'bump');
    await delay(300);
    assert.deepEqual(updates, []);
  });

  it('refuses to subscribe on a server that offers no subscriptions, naming it, and completes nothing', async () => {
    registry = new SessionRegistry(fast);
    registry.reconcile([fixtures.stdio('plain')]);
    const subscription = registry.subscribeResource('plain', 'fixture://resource/0', () => undefined);
    const error = await rejection(subscription.ready, 'protocol');
    assert.match(error.message, /"plain" does not offer resource subscriptions/);
    subscription.dispose();
    assert.deepEqual((await registry.complete('plain', { type: 'ref/prompt', name: 'prompt_0' }, { name: 'topic', value: '' })).values, []);
    assert.deepEqual(await registry.listResourceTemplates('plain'), []);
  });
});

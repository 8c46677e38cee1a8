// The JSON Schema validator every Client of ours is given (src/core/schemaValidator.ts): the
// real engine on real schemas, and end to end through the registry against a fixture server.

import * as assert from 'node:assert/strict';
import type { JsonSchemaType } from '@modelcontextprotocol/client';
import { isMcpSessionError } from '../../src/core/errors';
import { SessionRegistry } from '../../src/core/registry';
import { CachingSchemaValidator } from '../../src/core/schemaValidator';
import { FixtureTracker } from '../support/processes';

const schema = (json: object): JsonSchemaType => json as JsonSchemaType;

describe('CachingSchemaValidator', () => {
  it('accepts what matches and names what does not', () => {
    const validate = new CachingSchemaValidator().getValidator(
      schema({ type: 'object', properties: { sum: { type: 'number' } }, required: ['sum'] }),
    );
    assert.deepEqual(validate({ sum: 3 }), { valid: true, data: { sum: 3 }, errorMessage: undefined });
    const wrongType = validate({ sum: null });
    assert.equal(wrongType.valid, false);
    assert.match(wrongType.errorMessage ?? '', /\bsum\b/);
    assert.equal(validate({}).valid, false);
  });

  it('reads a schema without $schema as 2020-12 and one declaring draft-07 as draft-07', () => {
    const validator = new CachingSchemaValidator();
    // prefixItems exists in 2020-12 only; the array form of items is draft-07's tuple.
    const modern = validator.getValidator(schema({ type: 'array', prefixItems: [{ type: 'string' }] }));
    assert.equal(modern(['a']).valid, true);
    assert.equal(modern([1]).valid, false);
    const draft7 = validator.getValidator(schema({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'array', items: [{ type: 'string' }] }));
    assert.equal(draft7(['a']).valid, true);
    assert.equal(draft7([1]).valid, false);
  });

  it('checks formats', () => {
    const validate = new CachingSchemaValidator().getValidator(schema({ type: 'string', format: 'date-time' }));
    assert.equal(validate('2026-11-30T14:50:00Z').valid, true);
    assert.equal(validate('yesterday').valid, false);
  });

  it('refuses a dialect it does not know, when asked for the validator (before any call)', () => {
    assert.throws(
      () => new CachingSchemaValidator().getValidator(schema({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'string' })),
      /unsupported dialect/,
    );
  });

  it('ends a hostile schema in an error (the SDK reports it for that tool), never a fetch or a hang', () => {
    const validator = new CachingSchemaValidator();
    let deep: object = { type: 'object' };
    for (let i = 0; i < 100_000; i++) deep = { properties: { a: deep } };
    const hostile: [string, object, unknown, RegExp][] = [
      ['a network $ref', { $ref: 'http://127.0.0.1:9/canary.json' }, {}, /Unresolved \$ref/],
      ['a $ref to itself', { $ref: '#' }, {}, /call stack/],
      ['100,000 levels deep', deep, { a: {} }, /call stack/],
      ['two schemas with one $id', { $id: 'https://x.test/a', properties: { b: { $id: 'https://x.test/a' } } }, {}, /Duplicate schema URI/],
      ['an invalid pattern', { type: 'string', pattern: '(' }, 'x', /Invalid regular expression/],
    ];
    for (const [name, json, input, error] of hostile) {
      assert.throws(() => validator.getValidator(schema(json))(input), error, name);
    }
  });

  it('keeps one validator per distinct schema, and at most `capacity` of them', () => {
    const validator = new CachingSchemaValidator(2);
    const first = validator.getValidator(schema({ type: 'string' }));
    assert.equal(validator.getValidator(schema({ type: 'string' })), first, 'an equal schema in a new object');
    validator.getValidator(schema({ type: 'number' }));
    validator.getValidator(schema({ type: 'boolean' }));
    assert.notEqual(validator.getValidator(schema({ type: 'string' })), first, 'the least recently used was dropped');
  });

  it('gives each distinct schema its own validator, even after many', () => {
    const validator = new CachingSchemaValidator(4);
    for (let i = 0; i < 50; i++) {
      const validate = validator.getValidator(schema({ type: 'object', properties: { [`p${i}`]: { type: 'integer' } }, required: [`p${i}`] }));
      assert.equal(validate({ [`p${i}`]: i }).valid, true);
      assert.equal(validate({ [`p${i}`]: 'x' }).valid, false);
    }
  });
});

describe('structuredContent checked against the outputSchema, through the registry', function () {
  this.timeout(30_000);
  const fixtures = new FixtureTracker();
  let registry: SessionRegistry | undefined;

  afterEach(async () => {
    await registry?.shutdown(2000);
    await fixtures.assertNoneAlive();
    fixtures.cleanup();
  });

  it('returns a matching result and rejects one that does not match', async () => {
    registry = new SessionRegistry({ stdinGraceMs: 300, termGraceMs: 300, connectTimeoutMs: 10_000 });
    registry.reconcile([fixtures.stdio('math')]);
    await registry.listTools('math');
    assert.deepEqual((await registry.callTool('math', 'add', { a: 1, b: 2 })).structuredContent, { sum: 3 });
    // 1e308 + 1e308 is Infinity, which JSON carries as null: `sum` is then not a number.
    const error = await registry.callTool('math', 'add', { a: 1e308, b: 1e308 }).then(
      () => assert.fail('a result that does not match the outputSchema was accepted'),
      (e: unknown) => e,
    );
    assert.ok(isMcpSessionError(error), `expected McpSessionError, got ${String(error)}`);
    assert.match(error.message, /output schema/);
  });
});

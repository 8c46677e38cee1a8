// The schema form's DOM-free parts (src/webviews/shared/schemaForm/model.ts, validation.ts): a
// server's JSON Schema as fields, `$ref` within the document only, and validation errors mapped
// to the field they belong to.
import * as assert from 'node:assert/strict';
import { choiceIndexFor, externalRefs, fieldModel, initialValue, pointer, resolveLocalRef, withValueAt, type FieldModel } from '../../src/webviews/shared/schemaForm/model';
import { argumentValidator } from '../../src/webviews/shared/schemaForm/validation';

/** The `configure` fixture tool's schema (test/fixtures/tools.mjs), as a server sends it. */
const configureSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', title: 'Name', description: 'What to call it', minLength: 2 },
    contact: { type: 'string', format: 'email' },
    mode: { type: 'string', enum: ['fast', 'safe', 'thorough'], default: 'safe' },
    retries: { type: 'integer', minimum: 0, maximum: 5 },
    tags: { type: 'array', items: { type: 'string' } },
    options: { $ref: '#/$defs/options' },
    target: {
      oneOf: [
        { title: 'A file', type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
        { title: 'A URL', type: 'object', properties: { url: { type: 'string', format: 'uri' } }, required: ['url'] },
      ],
    },
    verbose: { type: 'boolean' },
  },
  required: ['name', 'mode', 'options'],
  $defs: {
    options: { type: 'object', description: 'Nested options', properties: { depth: { type: 'integer', minimum: 1, default: 2 }, label: { type: 'string' } }, required: ['depth'] },
  },
};

function property(model: FieldModel, name: string): FieldModel {
  assert.equal(model.kind, 'object');
  const found = model.kind === 'object' ? model.properties.find((p) => p.name === name) : undefined;
  assert.ok(found, `property ${name}`);
  return found.field;
}

describe('schema form model', () => {
  it('turns each kind of property into its field', () => {
    const model = fieldModel(configureSchema);
    const name = property(model, 'name');
    assert.deepEqual([name.kind, name.label, name.description, name.required], ['string', 'Name', 'What to call it', true]);
    assert.deepEqual({ kind: property(model, 'contact').kind, input: (property(model, 'contact') as { input: string }).input }, { kind: 'string', input: 'email' });
    const mode = property(model, 'mode');
    assert.equal(mode.kind, 'enum');
    assert.deepEqual(mode.kind === 'enum' && mode.options.map((o) => o.value), ['fast', 'safe', 'thorough']);
    assert.equal(mode.default, 'safe');
    const retries = property(model, 'retries');
    assert.deepEqual(retries.kind === 'integer' && [retries.minimum, retries.maximum, retries.required], [0, 5, false]);
    const tags = property(model, 'tags');
    assert.deepEqual(tags.kind === 'array' && tags.items.kind, 'string');
    assert.equal(property(model, 'verbose').kind, 'boolean');
    const target = property(model, 'target');
    assert.equal(target.kind, 'choice');
    assert.deepEqual(target.kind === 'choice' && target.options.map((o) => [o.label, o.field.kind]), [['A file', 'object'], ['A URL', 'object']]);
  });

  it('resolves $ref to $defs and draft-07 definitions within the document', () => {
    const options = property(fieldModel(configureSchema), 'options');
    assert.equal(options.kind, 'object');
    assert.equal(options.description, 'Nested options');
    assert.deepEqual(options.kind === 'object' && options.properties.map((p) => [p.name, p.field.kind, p.field.required]), [['depth', 'integer', true], ['label', 'string', false]]);
    const draft7 = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { a: { $ref: '#/definitions/a~1b' } }, definitions: { 'a/b': { type: 'boolean' } } };
    assert.equal(property(fieldModel(draft7), 'a').kind, 'boolean');
    assert.deepEqual(resolveLocalRef(draft7, '#/definitions/a~1b'), { type: 'boolean' });
  });

  it('never follows a $ref outside the document: the field is raw JSON with a note', () => {
    const schema = { type: 'object', properties: { remote: { $ref: 'https://example.com/schema.json' }, missing: { $ref: '#/$defs/nothing' }, ok: { type: 'string' } } };
    const remote = property(fieldModel(schema), 'remote');
    assert.equal(remote.kind, 'raw');
    assert.match(remote.kind === 'raw' ? remote.note : '', /https:\/\/example\.com\/schema\.json.*not fetched/);
    assert.equal(property(fieldModel(schema), 'missing').kind, 'raw');
    assert.deepEqual(externalRefs(schema), ['https://example.com/schema.json', '#/$defs/nothing']);
  });

  it('ends a recursive schema in a raw field instead of looping', () => {
    const tree = { type: 'object', properties: { node: { $ref: '#/$defs/node' } }, $defs: { node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/$defs/node' } } } } } };
    const node = property(fieldModel(tree), 'node');
    const children = node.kind === 'object' ? node.properties[0].field : undefined;
    assert.equal(children?.kind === 'array' && children.items.kind, 'raw');
  });

  it('labels oneOf constants as an enum, and reads open or combined schemas as raw', () => {
    const schema = { type: 'object', properties: { level: { oneOf: [{ const: 1, title: 'Low' }, { const: 2, title: 'High' }] }, any: {}, both: { allOf: [{ type: 'string' }] }, map: { type: 'object', additionalProperties: { type: 'string' } } } };
    const level = property(fieldModel(schema), 'level');
    assert.deepEqual(level.kind === 'enum' && level.options, [{ label: 'Low', value: 1 }, { label: 'High', value: 2 }]);
    assert.deepEqual(['any', 'both', 'map'].map((n) => property(fieldModel(schema), n).kind), ['raw', 'raw', 'raw']);
  });

  it('starts with the defaults, and picks the option of a choice that fits a value', () => {
    const model = fieldModel(configureSchema);
    assert.deepEqual(initialValue(model), { mode: 'safe', options: { depth: 2 } });
    const target = property(model, 'target');
    assert.ok(target.kind === 'choice');
    assert.equal(choiceIndexFor(target, { url: 'https://x' }), 1);
    assert.equal(choiceIndexFor(target, { path: '/x' }), 0);
  });

  it('sets a value deep in the arguments, and removes it when undefined', () => {
    const value = withValueAt({ a: 1 }, ['tags', 1], 'x');
    assert.deepEqual(value, { a: 1, tags: [null, 'x'] });
    assert.deepEqual(withValueAt({ a: 1, b: { c: 2 } }, ['b', 'c'], undefined), { a: 1, b: {} });
    assert.equal(pointer(['a/b', 0, '~']), '/a~1b/0/~0');
  });
});

describe('schema form validation', () => {
  it('passes valid arguments', () => {
    const validate = argumentValidator(configureSchema);
    assert.deepEqual(validate({ name: 'abc', mode: 'fast', options: { depth: 1 }, tags: ['a'], target: { url: 'https://example.com' } }), []);
  });

  it('puts each error at its field: nested objects, array items, enums, bounds, formats, required', () => {
    const validate = argumentValidator(configureSchema);
    const errors = validate({ name: 'a', contact: 'not-an-email', mode: 'slow', retries: 9, tags: ['ok', 3], options: { depth: 0 } });
    const at = (p: string) => errors.filter((e) => e.pointer === p).map((e) => e.message);
    assert.match(at('/name').join(), /too short/i);
    assert.match(at('/contact').join(), /email/);
    assert.match(at('/mode').join(), /fast/);
    assert.match(at('/retries').join(), /greater than 5/);
    assert.match(at('/tags/1').join(), /Expected text, not a number/);
    assert.match(at('/options/depth').join(), /less than 1/);
    assert.deepEqual(at('/tags'), [], 'the "an item is wrong" wrapper is dropped when the item\'s error is there');
    assert.deepEqual(at(''), [], `no wrapper error at the root: ${JSON.stringify(errors)}`);
    assert.deepEqual(argumentValidator(configureSchema)({ mode: 'safe', options: {} }).map((e) => [e.pointer, e.message]), [
      ['/options/depth', 'A value is required.'],
      ['/name', 'A value is required.'],
    ]);
  });

  it('checks draft-07 schemas and oneOf choices', () => {
    const draft7 = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { n: { $ref: '#/definitions/n' } }, definitions: { n: { type: 'integer', exclusiveMaximum: 3 } } };
    assert.match(argumentValidator(draft7)({ n: 3 }).map((e) => `${e.pointer} ${e.message}`).join(), /^\/n /);
    assert.deepEqual(argumentValidator(draft7)({ n: 2 }), []);
    assert.match(argumentValidator(configureSchema)({ name: 'ab', mode: 'safe', options: { depth: 1 }, target: {} }).map((e) => `${e.pointer} ${e.message}`).join('|'), /\/target It matches none of the choices/);
  });

  it('never fetches a $ref outside the document: that part is not checked here, the rest is', () => {
    const schema = { type: 'object', properties: { remote: { $ref: 'https://example.invalid/schema.json', description: 'x' }, n: { type: 'number' } }, required: ['remote'] };
    const validate = argumentValidator(schema);
    assert.deepEqual(validate.externalRefs, ['https://example.invalid/schema.json']);
    assert.deepEqual(validate({ remote: { anything: true }, n: 1 }), []);
    assert.deepEqual(validate({ n: 'x' }).map((e) => e.pointer).sort(), ['/n', '/remote']);
  });
});

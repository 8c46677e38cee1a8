// What a JSON Schema (2020-12 or draft-07) looks like as a form: a tree of fields, each a kind of
// input, or `raw` (edited as JSON) where the form cannot express the schema. DOM-free, so it is
// unit-tested in plain Node (test/unit/schemaForm.test.ts) and shared by every form that renders
// a server's schema (the call form, elicitation).
//
// `$ref` is resolved within the document only (`#`, `#/$defs/…`, `#/definitions/…`, any JSON
// pointer into it); anything else is never fetched: the field is raw, with a note saying so.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type SchemaObject = Record<string, unknown>;
/** Property names and array indexes from the root value to a field. */
export type FieldPath = readonly (string | number)[];

interface FieldInfo {
  /** The property name, or the schema's title when it has one. */
  label: string;
  description?: string;
  required: boolean;
  default?: unknown;
  /** The field's schema with its in-document `$ref` resolved. */
  schema: SchemaObject;
}

export interface EnumOption {
  label: string;
  value: unknown;
}

export type StringInput = 'text' | 'email' | 'url' | 'date' | 'time' | 'datetime-local';

export type FieldModel = FieldInfo &
  (
    | { kind: 'string'; input: StringInput; format?: string; minLength?: number; maxLength?: number; pattern?: string }
    | { kind: 'number' | 'integer'; minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number; multipleOf?: number }
    | { kind: 'boolean' }
    | { kind: 'enum'; options: EnumOption[] }
    | { kind: 'object'; properties: { name: string; field: FieldModel }[] }
    | { kind: 'array'; items: FieldModel; minItems?: number; maxItems?: number }
    | { kind: 'choice'; keyword: 'oneOf' | 'anyOf'; options: { label: string; field: FieldModel }[] }
    | { kind: 'raw'; note: string }
  );

/** Nesting deeper than this is edited as JSON (recursive schemas end here too). */
const maxDepth = 8;

/** `format` values with a matching HTML input; other formats are hints under a text field. */
const formatInputs: Record<string, StringInput> = { email: 'email', uri: 'url', url: 'url', date: 'date', time: 'time' };

/**
 * The schema `ref` points to within `root`, or undefined when it points outside the document
 * (another file, a URL, an anchor) or to nothing.
 */
export function resolveLocalRef(root: unknown, ref: string): unknown {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      return undefined;
    }
    if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

/** Keywords whose value is data, not a schema: never searched for `$ref`. */
const valueKeywords = new Set(['enum', 'const', 'default', 'examples']);
/** Keywords whose value maps names to schemas: every key under them is a name, even "enum". */
const schemaMaps = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/**
 * A copy of a schema with each object passed through `map` (children first); values of `enum`,
 * `const`, `default` and `examples` are left as they are.
 */
export function mapSchema(node: unknown, map: (schema: Record<string, unknown>) => Record<string, unknown>, names = false): unknown {
  if (Array.isArray(node)) return node.map((n) => mapSchema(n, map));
  if (!isObject(node)) return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    copy[key] = names ? mapSchema(value, map) : valueKeywords.has(key) ? value : mapSchema(value, map, schemaMaps.has(key));
  }
  return names ? copy : map(copy);
}

/** Every `$ref` in the schema that does not point into the document itself. */
export function externalRefs(root: unknown): string[] {
  const found = new Set<string>();
  mapSchema(root, (schema) => {
    if (typeof schema.$ref === 'string' && resolveLocalRef(root, schema.$ref) === undefined) found.add(schema.$ref);
    return schema;
  });
  return [...found];
}

/** The field model of a whole schema (the root is usually an object: a tool's arguments). */
export function fieldModel(root: unknown): FieldModel {
  return build(root, root, { label: '', required: true }, [], 0);
}

function build(root: unknown, schema: unknown, info: { label: string; required: boolean }, refs: string[], depth: number): FieldModel {
  if (schema === true || (isObject(schema) && Object.keys(schema).every((k) => ['description', 'title', '$schema', '$id', '$defs', 'definitions', '$comment'].includes(k)))) {
    return raw(info, isObject(schema) ? schema : {}, 'Any JSON value.');
  }
  if (!isObject(schema)) return raw(info, {}, 'This schema accepts no value.');
  if (typeof schema.$ref === 'string') {
    const ref = schema.$ref;
    const target = resolveLocalRef(root, ref);
    const { $ref: _ref, ...siblings } = schema;
    if (!isObject(target)) return raw(info, schema, `Its schema refers to "${ref}", outside this schema; it is not fetched. Edit it as JSON; the server checks it.`);
    if (refs.includes(ref) || depth > maxDepth) return raw(info, schema, 'Its schema is recursive. Edit it as JSON.');
    return build(root, { ...target, ...siblings }, info, [...refs, ref], depth + 1);
  }
  const base: FieldInfo = {
    label: typeof schema.title === 'string' && schema.title ? schema.title : info.label,
    description: typeof schema.description === 'string' ? schema.description : undefined,
    required: info.required,
    default: schema.default,
    schema,
  };
  if (depth > maxDepth) return { ...base, kind: 'raw', note: 'It is nested too deeply for the form. Edit it as JSON.' };

  if (Array.isArray(schema.enum)) return { ...base, kind: 'enum', options: (schema.enum as unknown[]).map((value) => ({ label: valueLabel(value), value })) };
  if ('const' in schema) return { ...base, kind: 'enum', options: [{ label: valueLabel(schema.const), value: schema.const }] };

  for (const keyword of ['oneOf', 'anyOf'] as const) {
    const options: unknown = schema[keyword];
    if (!Array.isArray(options) || options.length === 0) continue;
    const resolved = (options as unknown[]).map((o) => (isObject(o) && typeof o.$ref === 'string' ? resolveLocalRef(root, o.$ref) : o));
    // oneOf of titled constants is the usual way to label enum values.
    if (resolved.every((o) => isObject(o) && 'const' in o)) {
      return { ...base, kind: 'enum', options: resolved.map((o) => ({ label: typeof (o as SchemaObject).title === 'string' ? ((o as SchemaObject).title as string) : valueLabel((o as SchemaObject).const), value: (o as SchemaObject).const })) };
    }
    const { [keyword]: _options, ...shared } = schema;
    return {
      ...base,
      kind: 'choice',
      keyword,
      options: (options as unknown[]).map((option, i) => {
        const merged = isObject(option) ? { ...withoutAnnotations(shared), ...option } : option;
        const field = build(root, merged, { label: base.label, required: true }, refs, depth + 1);
        return { label: optionLabel(option, field, i), field };
      }),
    };
  }
  if (schema.allOf !== undefined || schema.not !== undefined || schema.if !== undefined) return { ...base, kind: 'raw', note: 'Its schema combines conditions the form cannot show. Edit it as JSON.' };

  const type = singleType(schema);
  switch (type) {
    case 'string': {
      const format = typeof schema.format === 'string' ? schema.format : undefined;
      return {
        ...base,
        kind: 'string',
        format,
        input: format !== undefined && Object.hasOwn(formatInputs, format) ? formatInputs[format] : 'text',
        minLength: numberOf(schema.minLength),
        maxLength: numberOf(schema.maxLength),
        pattern: typeof schema.pattern === 'string' ? schema.pattern : undefined,
      };
    }
    case 'number':
    case 'integer':
      return {
        ...base,
        kind: type,
        minimum: numberOf(schema.minimum),
        maximum: numberOf(schema.maximum),
        // draft-04 wrote exclusive bounds as booleans; only the numeric (draft-06 and later) form is a bound.
        exclusiveMinimum: numberOf(schema.exclusiveMinimum),
        exclusiveMaximum: numberOf(schema.exclusiveMaximum),
        multipleOf: numberOf(schema.multipleOf),
      };
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'object': {
      const properties = isObject(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [];
      if (Object.keys(properties).length === 0 && (schema.additionalProperties !== undefined || schema.patternProperties !== undefined)) {
        return { ...base, kind: 'raw', note: 'Its keys are free-form. Edit it as JSON.' };
      }
      return {
        ...base,
        kind: 'object',
        properties: Object.entries(properties).map(([name, property]) => ({ name, field: build(root, property, { label: name, required: required.includes(name) }, refs, depth + 1) })),
      };
    }
    case 'array': {
      if (Array.isArray(schema.prefixItems) || Array.isArray(schema.items)) return { ...base, kind: 'raw', note: 'It is a tuple. Edit it as JSON.' };
      return {
        ...base,
        kind: 'array',
        items: build(root, schema.items ?? true, { label: 'Item', required: true }, refs, depth + 1),
        minItems: numberOf(schema.minItems),
        maxItems: numberOf(schema.maxItems),
      };
    }
    default:
      return { ...base, kind: 'raw', note: type === 'null' ? 'It can only be null.' : 'Its type is open or mixed. Edit it as JSON.' };
  }
}

/** The value a new field starts with: its default, else nothing (left out) — objects start with their defaults. */
export function initialValue(field: FieldModel): unknown {
  if (field.default !== undefined) return structuredClone(field.default);
  if (field.kind === 'object') {
    const entries = field.properties.flatMap(({ name, field: f }) => {
      const value = initialValue(f);
      return value === undefined ? [] : [[name, value] as const];
    });
    return entries.length > 0 || field.required ? Object.fromEntries(entries) : undefined;
  }
  if (field.kind === 'array' && field.required) return [];
  if (field.kind === 'choice' && field.required) return initialValue(field.options[0].field);
  if (field.kind === 'enum' && field.required && field.options.length === 1) return field.options[0].value;
  return undefined;
}

/** Which option of a choice a value belongs to: the first whose JSON type and constants fit, else the first. */
export function choiceIndexFor(field: Extract<FieldModel, { kind: 'choice' }>, value: unknown): number {
  if (value === undefined) return 0;
  const fits = (option: FieldModel): boolean => {
    switch (option.kind) {
      case 'string':
        return typeof value === 'string';
      case 'number':
        return typeof value === 'number';
      case 'integer':
        return Number.isInteger(value);
      case 'boolean':
        return typeof value === 'boolean';
      case 'enum':
        return option.options.some((o) => sameJson(o.value, value));
      case 'array':
        return Array.isArray(value);
      case 'object':
        return (
          isObject(value) &&
          option.properties.every(({ name, field }) => !field.required || name in value) &&
          // A discriminator (a property that is a constant or an enum) must hold one of its values.
          option.properties.every(({ name, field }) => !(name in value) || field.kind !== 'enum' || field.options.some((o) => sameJson(o.value, value[name])))
        );
      default:
        return false;
    }
  };
  const index = field.options.findIndex((o) => fits(o.field));
  return index === -1 ? 0 : index;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Reads the value at `path`, or undefined. */
export function valueAt(root: unknown, path: FieldPath): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/** The root value with `value` at `path` (undefined removes it), creating objects and arrays on the way. */
export function withValueAt(root: unknown, path: FieldPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path;
  if (typeof key === 'number') {
    const array = Array.isArray(root) ? [...(root as unknown[])] : [];
    // JSON has no holes: an item set past the end fills the gap with null.
    for (let i = array.length; i < key; i++) array[i] = null;
    array[key] = withValueAt(array[key], rest, value) ?? null;
    return array;
  }
  const object: Record<string, unknown> = isObject(root) ? { ...root } : {};
  const next = withValueAt(object[key], rest, value);
  if (next === undefined) delete object[key];
  else object[key] = next;
  return object;
}

/** A path as a JSON pointer ("" for the root), the form's key for a field's errors. */
export function pointer(path: FieldPath): string {
  return path.map((key) => `/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** How a value reads in a select or a label. */
export function valueLabel(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
}

/** Hints that go under a field: its format and bounds, in words. */
export function constraintHint(field: FieldModel): string | undefined {
  const parts: string[] = [];
  if (field.kind === 'string') {
    if (field.format) parts.push(`format: ${field.format}`);
    if (field.minLength !== undefined) parts.push(`at least ${field.minLength} characters`);
    if (field.maxLength !== undefined) parts.push(`at most ${field.maxLength} characters`);
    if (field.pattern !== undefined) parts.push(`matching ${field.pattern}`);
  } else if (field.kind === 'number' || field.kind === 'integer') {
    if (field.kind === 'integer') parts.push('a whole number');
    if (field.minimum !== undefined) parts.push(`≥ ${field.minimum}`);
    if (field.exclusiveMinimum !== undefined) parts.push(`> ${field.exclusiveMinimum}`);
    if (field.maximum !== undefined) parts.push(`≤ ${field.maximum}`);
    if (field.exclusiveMaximum !== undefined) parts.push(`< ${field.exclusiveMaximum}`);
    if (field.multipleOf !== undefined) parts.push(`a multiple of ${field.multipleOf}`);
  } else if (field.kind === 'array') {
    if (field.minItems !== undefined) parts.push(`at least ${field.minItems} items`);
    if (field.maxItems !== undefined) parts.push(`at most ${field.maxItems} items`);
  }
  return parts.length > 0 ? parts.join(', ') : undefined;
}

function raw(info: { label: string; required: boolean }, schema: SchemaObject, note: string): FieldModel {
  return { label: info.label, required: info.required, schema, kind: 'raw', note, description: typeof schema.description === 'string' ? schema.description : undefined };
}

function optionLabel(option: unknown, field: FieldModel, index: number): string {
  if (isObject(option) && typeof option.title === 'string' && option.title) return option.title;
  const kind = field.kind === 'raw' ? 'JSON' : field.kind === 'choice' ? 'choice' : field.kind;
  return `Option ${index + 1} (${kind})`;
}

/** The parts of a schema that describe the field, not a value: left out when merged into each option. */
function withoutAnnotations(schema: SchemaObject): SchemaObject {
  const { title: _t, description: _d, default: _default, ...rest } = schema;
  return rest;
}

function singleType(schema: SchemaObject): string | undefined {
  const types = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter((t) => typeof t === 'string' && t !== 'null');
  if (types.length === 1) return types[0] as string;
  if (types.length === 0 && schema.type === undefined && (isObject(schema.properties) || Array.isArray(schema.required))) return 'object';
  if (types.length === 0 && schema.type === undefined && schema.items !== undefined) return 'array';
  const onlyNull = schema.type === 'null' || (Array.isArray(schema.type) && schema.type.length > 0 && schema.type.every((t) => t === 'null'));
  return onlyNull ? 'null' : undefined;
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// Checks a value against a server's JSON Schema and says what is wrong at which field. DOM-free:
// the webview checks as the user types, and the extension checks again before it sends (it never
// trusts the page), with this same function.
//
// The engine is the SDK's @cfworker/json-schema provider, the one the core already gives every
// Client (src/core/schemaValidator.ts), not Ajv: Ajv compiles each schema into JavaScript with
// `new Function`, which the webviews' Content Security Policy forbids (no 'unsafe-eval'), and the
// extension bundle keeps Ajv out (test/unit/bundle.test.ts). This one interprets the schema.
// Dialects: 2020-12 (also when `$schema` is absent), 2019-09, draft-07, draft-06.
//
// `$ref`s that do not point into the document are never fetched: they are dropped before
// checking (that part accepts anything; the server checks it) and listed in `externalRefs`.

import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/client/validators/cf-worker';
import type { JsonSchemaType } from '@modelcontextprotocol/client';
import { externalRefs as findExternalRefs, mapSchema, pointer, resolveLocalRef } from './model';

export interface FieldError {
  /** JSON pointer of the field ("" for the whole value), as `pointer()` in model.ts makes it. */
  pointer: string;
  message: string;
}

export interface ArgumentValidator {
  /** The errors of `value`, most specific first per field; empty when it is valid. */
  (value: unknown): FieldError[];
  /** `$ref`s outside the document: not fetched, not checked here. */
  readonly externalRefs: readonly string[];
  /** Why this schema cannot be checked here at all (then every value passes: the server checks it). */
  readonly problem?: string;
}

/** Messages that only say "something below is wrong": dropped when the error below is listed. */
const wrapperMessage = /(does not match schema|did not match schema|A subschema had errors|Items did not match)/i;

export function argumentValidator(schema: unknown): ArgumentValidator {
  const external = findExternalRefs(schema);
  const prepared = mapSchema(schema, (node) => {
    if (typeof node.$ref !== 'string' || resolveLocalRef(schema, node.$ref) !== undefined) return node;
    const { $ref: _external, ...siblings } = node;
    return siblings;
  }) as JsonSchemaType;
  let check: ((value: unknown) => { valid: boolean; errorMessage?: string }) | undefined;
  let problem: string | undefined;
  try {
    check = new CfWorkerJsonSchemaValidator({ shortcircuit: false }).getValidator(prepared);
  } catch {
    // An unknown `$schema` dialect: read it as 2020-12 rather than not checking at all.
    try {
      check = new CfWorkerJsonSchemaValidator({ shortcircuit: false, draft: '2020-12' }).getValidator(prepared);
    } catch (e) {
      problem = `The schema cannot be checked here (${e instanceof Error ? e.message : String(e)}); the server checks the arguments.`;
    }
  }
  const validate = (value: unknown): FieldError[] => {
    if (!check) return [];
    let result: { valid: boolean; errorMessage?: string };
    try {
      result = check(value);
    } catch (e) {
      return [{ pointer: '', message: `The schema cannot be checked: ${e instanceof Error ? e.message : String(e)}` }];
    }
    return result.valid ? [] : fieldErrors(result.errorMessage ?? '');
  };
  return Object.assign(validate, { externalRefs: external, problem });
}

/**
 * The provider's message, `<instanceLocation>: <error>` joined by "; ", as field errors. Errors
 * about a missing required property go to that property; "a child is wrong" errors are dropped
 * when the child's own error is there. A message quoting a server's enum values could contain the
 * separator; at worst such a message is split in two — the verdict (valid or not) never depends
 * on this parsing.
 */
export function fieldErrors(message: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const part of message.split(/;\s(?=#[^\s:]*:\s)/)) {
    const match = /^#([^\s:]*):\s([\s\S]*)$/.exec(part.trim());
    if (!match) {
      if (part.trim()) errors.push({ pointer: '', message: part.trim() });
      continue;
    }
    const location = decodeLocation(match[1]);
    const text = match[2].trim();
    const missing = /^Instance does not have required property "(.*)"\.$/.exec(text);
    if (missing) errors.push({ pointer: `${location}${pointer([missing[1]])}`, message: 'A value is required.' });
    else errors.push({ pointer: location, message: readable(text) });
  }
  const specific = errors.filter((e) => !(wrapperMessage.test(e.message) && errors.some((other) => other !== e && !wrapperMessage.test(other.message) && (other.pointer === e.pointer || other.pointer.startsWith(`${e.pointer}/`)))));
  const seen = new Set<string>();
  return specific
    .filter((e) => {
      const key = `${e.pointer}\n${e.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => b.pointer.split('/').length - a.pointer.split('/').length);
}

function decodeLocation(location: string): string {
  try {
    return decodeURI(location);
  } catch {
    return location;
  }
}

/** The provider's wording, shorter where it is clumsy. */
function readable(text: string): string {
  const type = /^Instance type "(\w+)" is invalid\. Expected "(\w+)"\.$/.exec(text);
  if (type) return `Expected ${article(type[2])}, not ${article(type[1])}.`;
  const oneOf = /^Instance does not match exactly one subschema \((\d+) matches\)\.$/.exec(text);
  if (oneOf) return oneOf[1] === '0' ? 'It matches none of the choices.' : 'It matches more than one of the choices.';
  if (/^Instance does not match any subschemas\.$/.test(text)) return 'It matches none of the choices.';
  return text.replace(/^Instance /, 'The value ');
}

function article(type: string): string {
  const names: Record<string, string> = { integer: 'a whole number', number: 'a number', string: 'text', boolean: 'true or false', object: 'an object', array: 'a list', null: 'null' };
  return names[type] ?? type;
}

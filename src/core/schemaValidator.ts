// The JSON Schema validator every Client of ours is given: the SDK checks a tool's
// structuredContent against its outputSchema with it.
//
// The engine is the SDK's @cfworker/json-schema provider rather than its default, Ajv: it
// interprets a server's schema instead of generating code from it, and it is ~20 kB of the
// bundle against Ajv's ~150 kB (scripts/build.mjs keeps Ajv out; docs/benchmarks.md, Bundle).
//
// The SDK asks for a validator per tool on every tools/list, with a new schema object each
// time, and preparing one walks the whole schema: one validator per distinct schema (keyed by
// its JSON), a bounded number of them.

import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/client/validators/cf-worker';
import type { JsonSchemaType, JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/client';

export class CachingSchemaValidator implements jsonSchemaValidator {
  private readonly engine = new CfWorkerJsonSchemaValidator();
  private readonly cache = new Map<string, JsonSchemaValidator<unknown>>();

  constructor(private readonly capacity = 512) {}

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    const key = JSON.stringify(schema);
    let validator = this.cache.get(key);
    if (validator) {
      this.cache.delete(key);
      this.cache.set(key, validator);
      return validator as JsonSchemaValidator<T>;
    }
    validator = this.engine.getValidator<unknown>(schema);
    this.cache.set(key, validator);
    if (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value!);
    return validator as JsonSchemaValidator<T>;
  }
}

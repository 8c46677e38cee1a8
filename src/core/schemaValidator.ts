// The SDK compiles every tool's outputSchema with Ajv on every tools/list, and Ajv keeps each
// compiled schema keyed by the schema object — a new object on every list — so memory grows
// with every refresh. This validator compiles each distinct schema once (keyed by its JSON)
// and keeps a bounded number of them.

import { AjvJsonSchemaValidator } from '@modelcontextprotocol/client/validators/ajv';
import type { JsonSchemaType, JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/client';

export class CachingSchemaValidator implements jsonSchemaValidator {
  private inner = new AjvJsonSchemaValidator();
  private readonly cache = new Map<string, JsonSchemaValidator<unknown>>();
  private compiledSinceReset = 0;

  constructor(private readonly capacity = 512) {}

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    const key = JSON.stringify(schema);
    let validator = this.cache.get(key);
    if (validator) {
      this.cache.delete(key);
      this.cache.set(key, validator);
      return validator as JsonSchemaValidator<T>;
    }
    // Ajv never forgets what it compiled; start a fresh one after enough distinct schemas.
    if (++this.compiledSinceReset > this.capacity * 4) {
      this.inner = new AjvJsonSchemaValidator();
      this.cache.clear();
      this.compiledSinceReset = 1;
    }
    validator = this.inner.getValidator<unknown>(schema);
    this.cache.set(key, validator);
    if (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value!);
    return validator as JsonSchemaValidator<T>;
  }
}

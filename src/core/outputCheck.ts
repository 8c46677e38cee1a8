// The results view's check of a tool's structuredContent against its outputSchema, with the
// same engine the SDK client validates with (src/core/schemaValidator.ts), so the view and the
// client agree. The client already refuses a successful result that does not match (the call
// fails, naming the server); what reaches the view unchecked is an isError result, which the
// client does not validate, and a result of a tool whose schema the client did not know.

import type { JsonSchemaType } from '@modelcontextprotocol/client';
import type { SchemaCheck } from './resultView';
import type { CachingSchemaValidator } from './schemaValidator';

export function checkStructuredContent(validator: CachingSchemaValidator, value: unknown, outputSchema: unknown): SchemaCheck {
  if (!outputSchema || typeof outputSchema !== 'object') return { status: 'no-schema' };
  let validate;
  try {
    validate = validator.getValidator<unknown>(outputSchema as JsonSchemaType);
  } catch (e) {
    return { status: 'schema-error', errors: e instanceof Error ? e.message : String(e) };
  }
  try {
    const verdict = validate(value);
    return verdict.valid ? { status: 'valid' } : { status: 'invalid', errors: verdict.errorMessage };
  } catch (e) {
    return { status: 'schema-error', errors: e instanceof Error ? e.message : String(e) };
  }
}

// zod schemas for decimal strings at an edge (request bodies, DynamoDB items). They call
// `isDecimalString`, so the HTTP layer and `parseDecimal` cannot drift apart: one grammar.
import * as z from 'zod/mini';
import { DECIMAL_RE, isDecimalString, MAX_DECIMAL_LENGTH } from './decimal-grammar.js';

const NOT_DECIMAL = 'must be a decimal string like "1234.50"';

/**
 * A decimal string `parseDecimal` accepts. Every refusal carries the same message, a JSON number
 * included: telling the client to send `"12.50"` instead of `12.5` is the useful answer.
 */
export const DecimalStringSchema = z.string(NOT_DECIMAL).check(z.refine(isDecimalString, NOT_DECIMAL));

// How the OpenAPI document spells the grammar (a refinement has no JSON Schema of its own).
DecimalStringSchema.register(z.globalRegistry, {
  description: 'A decimal string (never a JSON number)',
  pattern: DECIMAL_RE.source,
  maxLength: MAX_DECIMAL_LENGTH,
  examples: ['1234.50'],
});

/**
 * A decimal string without a minus sign. "-0" is refused too: it is zero, but a field that can
 * never be negative has no use for a sign, and the stored text stays one spelling. The sign is
 * judged only on a valid decimal string, so "-x" gets one message, not two. (The grammar check
 * does not abort instead: in a union an aborted branch hides its message behind "Invalid input".)
 */
export const NonNegativeDecimalStringSchema = DecimalStringSchema.check(
  z.refine((s) => !s.startsWith('-'), {
    error: 'must not be negative',
    when: (payload) => payload.issues.length === 0,
  }),
);

NonNegativeDecimalStringSchema.register(z.globalRegistry, {
  description: 'A decimal string without a sign (never a JSON number)',
  pattern: DECIMAL_RE.source.replace('^-?', '^'),
  maxLength: MAX_DECIMAL_LENGTH,
  examples: ['1234.50'],
});

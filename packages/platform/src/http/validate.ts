import type { MiddlewareObj } from '@middy/core';
import type * as z from 'zod/mini';
import { badRequest, type FieldError } from '../errors.js';
import { stateOf } from './responder.js';
import type { BallastContext, LambdaEvent, LambdaResult } from './types.js';

function issues(
  part: string,
  err: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> },
): FieldError[] {
  return err.issues.map((i) => ({
    path: [part, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
}

/** zod validation of params, query and body; every failing field is listed. */
export function validate(): MiddlewareObj<LambdaEvent, LambdaResult, Error, BallastContext> {
  return {
    before: async (request) => {
      const s = stateOf(request);
      const { params, query, body } = s.route.request;
      const errors: FieldError[] = [];
      const parse = (part: string, schema: z.ZodMiniType | undefined, value: unknown, emptyOk: boolean): unknown => {
        if (!schema) {
          if (!emptyOk && value !== undefined) errors.push({ path: part, message: 'is not accepted on this route' });
          return value ?? {};
        }
        const r = schema.safeParse(value);
        if (!r.success) {
          errors.push(...issues(part, r.error));
          return undefined;
        }
        return r.data;
      };
      const p = parse('params', params, s.params, true);
      const q = parse('query', query, s.query, true);
      const b = parse('body', body, s.rawBody, false);
      if (!query && Object.keys(s.query).length) {
        errors.push(...Object.keys(s.query).map((k) => ({ path: `query.${k}`, message: 'is not a known parameter' })));
      }
      if (errors.length) throw badRequest('VALIDATION_FAILED', 'The request has invalid fields', errors);
      s.input = {
        params: (p ?? {}) as Record<string, unknown>,
        query: (q ?? {}) as Record<string, unknown>,
        body: b,
        headers: s.headers,
      };
    },
  };
}

import type { BasePlatform } from '../../../base-platform.js';
import type { MiddlewareObj } from '@middy/core';
import { badRequest, type FieldError } from '../../../errors.js';
import { resolveSchema } from '../../../schemas/lazy.js';
import type { Schema } from '../../define-route.js';
import { type BallastContext, type LambdaEvent, type LambdaResult, stateOf } from '../../pipeline.js';
import { parseIfMatch } from './if-match.js';

interface Issue {
  code?: string;
  path: ReadonlyArray<PropertyKey>;
  message: string;
  keys?: readonly string[];
  expected?: string;
}

const ARTICLE = /^[aeiou]/;

/**
 * The message a caller reads: zod's, except where it describes what it received (`received NaN`,
 * `received undefined`) — an internal value, not the caller's input — which becomes what was expected.
 */
export function issueMessage(issue: Issue): string {
  if (issue.code === 'invalid_type') {
    if (/received undefined\b/.test(issue.message)) return 'is required';
    const expected = issue.expected && /^[a-z]+$/.test(issue.expected) ? issue.expected : undefined;
    if (expected) return `must be ${ARTICLE.test(expected) ? 'an' : 'a'} ${expected}`;
    return 'has the wrong type';
  }
  return issue.message.replace(/,?\s*received\s+\S+/gi, '');
}

/** One error per field; a strict object's unknown keys are named one by one, not on their parent. */
function fieldErrors(part: string, err: { issues: ReadonlyArray<Issue> }): FieldError[] {
  return err.issues.flatMap((issue) => {
    const at = [part, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys' && issue.keys?.length) {
      return issue.keys.map((key) => ({ path: [...at, key].join('.'), message: 'is not a known field' }));
    }
    return [{ path: at.join('.'), message: issueMessage(issue) }];
  });
}

/**
 * zod validation of params, query and body, every failing field listed; then If-Match where
 * the route declares it. Handlers receive only what passed.
 */
export function validate(): MiddlewareObj<LambdaEvent, LambdaResult, Error, BallastContext<BasePlatform>> {
  return {
    before: async (request) => {
      const state = stateOf(request);
      const { params, query, body } = state.route.request;
      const errors: FieldError[] = [];
      const parse = (part: string, schema: Schema | undefined, value: unknown, emptyOk: boolean): unknown => {
        if (!schema) {
          if (!emptyOk && value !== undefined) errors.push({ path: part, message: 'is not accepted on this route' });
          return value ?? {};
        }
        const result = resolveSchema(schema).safeParse(value);
        if (!result.success) {
          errors.push(...fieldErrors(part, result.error));
          return undefined;
        }
        return result.data;
      };
      const parsedParams = parse('params', params, state.params, true);
      const parsedQuery = parse('query', query, state.query, true);
      const parsedBody = parse('body', body, state.rawBody, false);
      if (!query && Object.keys(state.query).length) {
        errors.push(
          ...Object.keys(state.query).map((name) => ({ path: `query.${name}`, message: 'is not a known parameter' })),
        );
      }
      if (errors.length) throw badRequest('VALIDATION_FAILED', 'The request has invalid fields', errors);
      const ifMatch = state.route.ifMatch
        ? parseIfMatch(state.headers['if-match'], state.route.ifMatch === 'required')
        : undefined;
      state.input = {
        params: (parsedParams ?? {}) as Record<string, unknown>,
        query: (parsedQuery ?? {}) as Record<string, unknown>,
        body: parsedBody,
        headers: state.headers,
        ifMatch,
      };
    },
  };
}

import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { boundedMap, freeFormProblem } from './free-form.js';

const body = z.strictObject({ defaults: z.optional(boundedMap(z.unknown())) });
const paths = (value: unknown) => {
  const parsed = body.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.'));
};

describe('bounded free-form maps', () => {
  it('accept plain JSON of safe keys, bounded numbers and strings', () => {
    const ok = { dataMode: 'pooled', limits: { perMinute: 60, ratio: 0.25, flags: [true, null, 'x'] }, zero: 0 };
    expect(body.safeParse({ defaults: ok }).success).toBe(true);
    expect(freeFormProblem(ok)).toBeUndefined();
  });

  it('refuse reserved, empty and odd keys, naming the key (JSON.parse makes __proto__ an own key)', () => {
    expect(paths(JSON.parse('{"defaults":{"__proto__":{"x":1}}}'))).toContain('defaults.__proto__');
    expect(paths({ defaults: { constructor: 1 } })).toContain('defaults.constructor');
    expect(paths({ defaults: { nested: { toString: 'x' } } })).toContain('defaults.nested.toString');
    expect(paths({ defaults: { '': 1 } })).toContain('defaults.');
    expect(paths({ defaults: { 'a b': 1 } })).toContain('defaults.a b');
  });

  it('refuse deep nesting, huge or out-of-range numbers, long strings and large maps', () => {
    expect(paths({ defaults: { a: { b: { c: { d: { e: 1 } } } } } })).toContain('defaults.a.b.c.d');
    expect(paths({ defaults: { big: 1e200 } })).toContain('defaults.big');
    expect(paths({ defaults: { unsafe: 2 ** 60 } })).toContain('defaults.unsafe');
    expect(paths({ defaults: { tiny: 1e-200 } })).toContain('defaults.tiny');
    expect(paths({ defaults: { s: 'x'.repeat(1001) } })).toContain('defaults.s');
    expect(paths({ defaults: { list: Array.from({ length: 51 }, () => 1) } })).toContain('defaults.list');
    const wide = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 1]));
    expect(paths({ defaults: wide })).toContain('defaults');
    const heavy = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'x'.repeat(1000)]));
    expect(paths({ defaults: heavy })).toContain('defaults');
  });

  it('refuse class instances and values that are not JSON', () => {
    expect(freeFormProblem(new Date())).toMatchObject({ message: 'is not plain JSON' });
    expect(freeFormProblem({ when: new Map() })).toMatchObject({ path: ['when'] });
    expect(freeFormProblem({ n: Number.NaN })).toMatchObject({ path: ['n'] });
    expect(freeFormProblem({ f: () => 1 })).toMatchObject({ path: ['f'] });
  });
});

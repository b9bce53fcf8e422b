import * as z from 'zod/mini';

/**
 * Free-form maps (a project's app metadata, a mode's defaults, a routing entry's options) are
 * bounded: what a client sends there is stored as it is, so every key and value must be one
 * DynamoDB can hold and the document marshaller cannot mistake. Anything else is a 400 naming
 * the field, never a 500 from the marshaller.
 */
export interface FreeFormLimits {
  /** keys of one object */
  maxKeys: number;
  /** levels of objects and arrays; 1: a flat map */
  maxDepth: number;
  /** items of one array */
  maxItems: number;
  /** characters of one string */
  maxString: number;
  /** characters of the whole map as JSON */
  maxChars: number;
}

export const FREE_FORM_LIMITS: FreeFormLimits = {
  maxKeys: 50,
  maxDepth: 4,
  maxItems: 50,
  maxString: 1000,
  maxChars: 16_384,
};

/** 1-64 letters, digits, `_ . -`, starting with a letter. */
export const MAP_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/**
 * Names of Object.prototype (`constructor`, `toString`, `__proto__`, …): as keys they shadow the
 * object's own machinery — the marshaller reads `constructor` to tell a class instance, and
 * `__proto__` would replace the prototype.
 */
const RESERVED = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Plain decimal magnitudes only: DynamoDB refuses beyond ±1e125 and below 1e-130, JS loses integers past 2^53. */
const MIN_MAGNITUDE = 1e-6;

export interface FreeFormProblem {
  path: string[];
  message: string;
}

function keyProblem(key: string): string | undefined {
  if (RESERVED.has(key)) return `'${key}' is a reserved name`;
  if (!MAP_KEY.test(key)) return 'keys must be 1-64 letters, digits, _ . - starting with a letter';
  return undefined;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Why `value` cannot be stored as free-form data, and where; undefined when it can. */
export function freeFormProblem(
  value: unknown,
  limits: FreeFormLimits = FREE_FORM_LIMITS,
  path: string[] = [],
  depth = 0,
): FreeFormProblem | undefined {
  const at = (message: string, where = path) => ({ path: where, message });
  switch (typeof value) {
    case 'boolean':
      return undefined;
    case 'string':
      return value.length > limits.maxString ? at(`must be at most ${limits.maxString} characters`) : undefined;
    case 'number': {
      const size = Math.abs(value);
      const ok = Number.isFinite(value) && size <= Number.MAX_SAFE_INTEGER && (size === 0 || size >= MIN_MAGNITUDE);
      return ok
        ? undefined
        : at(`must be 0 or a number between ${MIN_MAGNITUDE} and ${Number.MAX_SAFE_INTEGER} in size`);
    }
    case 'object': {
      if (value === null) return undefined;
      if (depth >= limits.maxDepth) return at(`nests deeper than ${limits.maxDepth} levels`);
      if (Array.isArray(value)) {
        if (value.length > limits.maxItems) return at(`has more than ${limits.maxItems} items`);
        for (const [index, item] of value.entries()) {
          const problem = freeFormProblem(item, limits, [...path, String(index)], depth + 1);
          if (problem) return problem;
        }
        return undefined;
      }
      if (!isPlainObject(value)) return at('is not plain JSON');
      // Own names, `__proto__` included: JSON.parse makes it an own property.
      const names = Object.getOwnPropertyNames(value);
      if (names.length > limits.maxKeys) return at(`has more than ${limits.maxKeys} keys`);
      for (const name of names) {
        const problem = keyProblem(name);
        if (problem) return at(problem, [...path, name]);
        const inner = freeFormProblem(Reflect.get(value, name), limits, [...path, name], depth + 1);
        if (inner) return inner;
      }
      return undefined;
    }
    default:
      return at('is not a JSON value');
  }
}

/**
 * A bounded map: a JSON object whose keys are MAP_KEY names (none reserved) and whose values
 * `value` accepts, within `limits`. The raw input is checked as well as the parsed map, so a key
 * the parser would drop (`__proto__`) is refused, not silently lost.
 */
export function boundedMap<T extends z.ZodMiniType>(value: T, limits: Partial<FreeFormLimits> = {}) {
  const bounds = { ...FREE_FORM_LIMITS, ...limits };
  const raw = z.unknown().check(
    z.superRefine((input, ctx) => {
      if (typeof input !== 'object' || input === null || Array.isArray(input)) return; // the record says so
      const problem =
        freeFormProblem(input, bounds) ??
        (JSON.stringify(input).length > bounds.maxChars
          ? { path: [], message: `is larger than ${bounds.maxChars} characters as JSON` }
          : undefined);
      if (problem) ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path, input });
    }),
  );
  const map = z.record(z.string().check(z.regex(MAP_KEY, 'must be 1-64 letters, digits, _ . -')), value);
  return z.intersection(raw, map);
}

/**
 * A small IAM policy evaluator for the statements Ballast writes: Allow statements only (no Deny,
 * NotAction or NotResource), actions and resources as globs, the condition operators StringLike,
 * StringEquals, their ForAllValues forms and Null, and `${aws:PrincipalTag/…}` variables. Enough
 * to ask "would IAM allow this request?" of a synthesised policy, offline; anything it does not
 * understand throws rather than guessing.
 */
export interface StatementJson {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface IamRequest {
  action: string;
  resource: string;
  /** condition keys of the request: single values as strings, multivalued keys as arrays */
  context: Record<string, string | string[] | undefined>;
}

const list = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

function glob(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 's').test(value);
}

/**
 * Policy variables take the request's values; a variable the request lacks matches nothing.
 * (IAM matches a substituted value's own `*` literally; tenant ids hold none, so plain text here.)
 */
function substitute(pattern: string, context: IamRequest['context']): string | undefined {
  let missing = false;
  const out = pattern.replace(/\$\{([^}]+)\}/g, (_m, key: string) => {
    const v = context[key];
    if (typeof v !== 'string' || /[*?]/.test(v)) missing = true;
    return typeof v === 'string' ? v : '';
  });
  return missing ? undefined : out;
}

function matches(op: string, patterns: string[], value: string, context: IamRequest['context']): boolean {
  return patterns.some((p) => {
    const pattern = substitute(p, context);
    if (pattern === undefined) return false;
    if (op === 'StringEquals') return pattern === value;
    if (op === 'StringLike') return glob(pattern, value);
    throw new Error(`condition operator ${op} is not understood`);
  });
}

function conditionHolds(op: string, key: string, expected: string | string[], context: IamRequest['context']) {
  const value = context[key];
  if (op === 'Null') return (value === undefined) === (String(expected) === 'true');
  if (op.startsWith('ForAllValues:')) {
    const inner = op.slice('ForAllValues:'.length);
    // IAM's rule: true when the key is absent or empty (hence the Null guard Ballast adds)
    return list(value ?? []).every((v) => matches(inner, list(expected), v, context));
  }
  if (op.startsWith('ForAnyValue:')) {
    const inner = op.slice('ForAnyValue:'.length);
    return list(value ?? []).some((v) => matches(inner, list(expected), v, context));
  }
  if (value === undefined || Array.isArray(value)) return false;
  return matches(op, list(expected), value, context);
}

/** Whether the statements allow the request (IAM's implicit deny otherwise). */
export function allows(statements: readonly StatementJson[], request: IamRequest): boolean {
  return statements.some((s) => {
    if (s.Effect !== 'Allow') throw new Error('only Allow statements are understood');
    if (!list(s.Action).some((a) => glob(a, request.action))) return false;
    if (!list(s.Resource).some((r) => glob(r, request.resource))) return false;
    return Object.entries(s.Condition ?? {}).every(([op, keys]) =>
      Object.entries(keys).every(([key, expected]) => conditionHolds(op, key, expected, request.context)),
    );
  });
}

import { parseApiKey } from '../../../auth/api-keys.js';

/** What is kept of a response that carried secrets: the body without them, and which fields they were. */
export interface Redacted {
  body: unknown;
  /** paths of the removed fields (`secret`, `items.0.secret`); empty when nothing was secret */
  fields: string[];
}

/**
 * Removes secrets from a response body before it is stored for replays: the fields its route
 * declares secret (`ResponseSpec.secretFields`, top-level names) and, whatever the declaration,
 * any string anywhere in it that has the shape of an API key secret — a route that forgets to
 * declare one still never has it persisted.
 */
/** How deep the walk inspects a body; anything deeper is cut (never stored unread). */
const MAX_DEPTH = 32;

export function redactSecrets(body: unknown, declared: readonly string[] = []): Redacted {
  const fields: string[] = [];
  const walk = (value: unknown, path: string[], depth: number): unknown => {
    if (typeof value === 'string') {
      if (parseApiKey(value)) {
        fields.push(path.join('.'));
        return undefined;
      }
      return value;
    }
    if (typeof value !== 'object' || value === null) return value;
    // Fail closed: what lies deeper than the walk goes is not inspected, so it is not stored
    // either (no response of this API nests that deep; a replay shows the cut as a redacted field).
    if (depth > MAX_DEPTH) {
      fields.push(path.join('.'));
      return undefined;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, String(i)], depth + 1) ?? null);
    const out: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(value)) {
      if (depth === 0 && declared.includes(name)) {
        fields.push(name);
        continue;
      }
      const kept = walk(v, [...path, name], depth + 1);
      // defined, not assigned: a member named `__proto__` stays a member
      if (kept !== undefined) Object.defineProperty(out, name, { value: kept, enumerable: true, writable: true });
    }
    return out;
  };
  const redacted = walk(body, [], 0);
  return { body: redacted, fields };
}

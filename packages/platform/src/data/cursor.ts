import { badRequest } from '../errors.js';

/**
 * Opaque pagination cursor: base64url of where a DynamoDB read stopped, bound to the partition it came from.
 * A cursor for another list (another tenant's partition, a forged key) is refused with 400.
 */
export function encodeCursor(resumeAt: Record<string, unknown> | undefined): string | null {
  if (!resumeAt) return null;
  return Buffer.from(JSON.stringify(resumeAt), 'utf8').toString('base64url');
}

/** Which list a cursor must belong to: its partition, key attributes and sort-key range. */
export interface CursorScope {
  pk: string;
  /** the partition and sort key attributes read (PK/SK, or GSI1PK/GSI1SK) */
  pkAttr: string;
  skAttr: string;
  /** every key attribute DynamoDB expects in ExclusiveStartKey (an index adds the table's own) */
  keyAttrs: readonly string[];
  /** the sort key must start with it (the list's range) */
  prefix?: string;
}

export function decodeCursor(cursor: string | undefined, scope: CursorScope): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  const parsed = openCursor(cursor);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidCursor('is malformed');
  const fields = parsed as Record<string, unknown>;
  const names = Object.keys(fields).sort();
  const ok =
    names.join('|') === [...scope.keyAttrs].sort().join('|') &&
    Object.values(fields).every((v) => typeof v === 'string' && v.length > 0 && v.length <= 1024) &&
    fields[scope.pkAttr] === scope.pk &&
    (scope.prefix === undefined || String(fields[scope.skAttr]).startsWith(scope.prefix));
  // Anything else would reach DynamoDB as a start key it refuses (a 500) or one outside the list.
  if (!ok) throw invalidCursor('does not belong to this list');
  return fields as Record<string, string>;
}

/** What a cursor holds, not yet checked against the list it is used on. */
export function openCursor(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor('is malformed');
  }
}

export function invalidCursor(why: string) {
  return badRequest('INVALID_CURSOR', `cursor ${why}`, [{ path: 'query.cursor', message: why }]);
}

import { badRequest } from '../errors.js';

/**
 * Opaque pagination cursor: base64url of where a DynamoDB read stopped, bound to the partition it came from.
 * A cursor for another list (another tenant's partition, a forged key) is refused with 400.
 */
export function encodeCursor(resumeAt: Record<string, unknown> | undefined): string | null {
  if (!resumeAt) return null;
  return Buffer.from(JSON.stringify(resumeAt), 'utf8').toString('base64url');
}

export function decodeCursor(
  cursor: string | undefined,
  expectedPk: string,
  pkAttr = 'PK',
): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  const parsed = openCursor(cursor);
  const ok =
    typeof parsed === 'object' &&
    parsed !== null &&
    !Array.isArray(parsed) &&
    (parsed as Record<string, unknown>)[pkAttr] === expectedPk &&
    Object.values(parsed).every((v) => typeof v === 'string');
  if (!ok) throw invalidCursor('does not belong to this list');
  return parsed as Record<string, string>;
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

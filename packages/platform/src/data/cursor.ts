import { badRequest } from '../errors.js';

/** Opaque pagination cursor: base64url of the last evaluated key, bound to the partition it came from. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  if (!key) return null;
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(
  cursor: string | undefined,
  expectedPk: string,
  pkAttr = 'PK',
): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('INVALID_CURSOR', 'cursor is not one this API issued', [
      { path: 'query.cursor', message: 'is malformed' },
    ]);
  }
  const ok =
    typeof parsed === 'object' &&
    parsed !== null &&
    !Array.isArray(parsed) &&
    (parsed as Record<string, unknown>)[pkAttr] === expectedPk &&
    Object.values(parsed).every((v) => typeof v === 'string');
  if (!ok) {
    throw badRequest('INVALID_CURSOR', 'cursor does not belong to this list', [
      { path: 'query.cursor', message: 'does not belong to this list' },
    ]);
  }
  return parsed as Record<string, unknown>;
}

import { AppError, badRequest } from '../../../errors.js';

/** Parses If-Match ("3", W/"3" or 3); `required` → 428 when absent. */
export function parseIfMatch(raw: string | undefined, required: boolean): number | undefined {
  if (raw === undefined) {
    if (required) throw new AppError(428, 'IF_MATCH_REQUIRED', 'Send If-Match with the ETag you last read');
    return undefined;
  }
  const m = /^\s*(?:W\/)?"?(\d{1,12})"?\s*$/.exec(raw);
  if (!m) {
    throw badRequest('INVALID_IF_MATCH', 'If-Match must be an ETag this API issued', [
      { path: 'headers.if-match', message: 'is not a version ETag' },
    ]);
  }
  return Number(m[1]);
}

/** The ETag of a version, as every versioned resource sends it. */
export function etag(version: number): string {
  return `"${version}"`;
}

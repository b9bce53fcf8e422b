import { AppError, badRequest, preconditionFailed } from '../../../errors.js';

/**
 * Parses If-Match ("3", or the bare 3 some clients send); `required` → 428 when absent.
 *
 * Versions are exact, so the API's ETags are strong and If-Match compares strongly (RFC 9110
 * §13.1.1): a weak tag (W/"3") never matches anything → 412, whatever the current version is.
 */
export function parseIfMatch(raw: string | undefined, required: boolean): number | undefined {
  if (raw === undefined) {
    if (required) throw new AppError(428, 'IF_MATCH_REQUIRED', 'Send If-Match with the ETag you last read');
    return undefined;
  }
  const m = /^\s*(W\/)?("?)(\d{1,12})\2\s*$/.exec(raw);
  if (!m) {
    throw badRequest('INVALID_IF_MATCH', 'If-Match must be an ETag this API issued', [
      { path: 'headers.if-match', message: 'is not a version ETag' },
    ]);
  }
  if (m[1])
    throw preconditionFailed('A weak ETag never matches (If-Match compares strongly): send the ETag you last read');
  return Number(m[3]);
}

/** The ETag of a version, as every versioned resource sends it. */
export function etag(version: number): string {
  return `"${version}"`;
}

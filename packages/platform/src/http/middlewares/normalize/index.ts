import type { BasePlatform } from '../../../base-platform.js';
import type { MiddlewareObj } from '@middy/core';
import { AppError, badRequest } from '../../../errors.js';
import type { BodyType } from '../../define-route.js';
import { type BallastContext, type LambdaEvent, type LambdaResult, stateOf } from '../../pipeline.js';

/** Query parameters that look like credentials: refused so they never land in access logs. */
const CREDENTIAL_PARAMS = new Set([
  'access_token',
  'accesstoken',
  'token',
  'id_token',
  'idtoken',
  'api_key',
  'apikey',
  'x-api-key',
  'key',
  'authorization',
  'auth',
  'jwt',
  'bearer',
  'bootstrap_key',
  'x-bootstrap-key',
]);
/** The body limit of a route that declares none (`maxBodyBytes` raises it for the route). */
export const MAX_BODY_BYTES = 256 * 1024;
const DEFAULT_BODY_TYPES: readonly BodyType[] = ['application/json'];
const JSON_TYPE = /^application\/([a-z0-9!#$&^_.+-]*\+)?json\b/i;
const CSV_TYPE = /^text\/csv\s*(;|$)/i;

/** A CSV body is read as UTF-8: another charset (US-ASCII is a subset) is refused rather than misread. */
function utf8(contentType: string): boolean {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1];
  return charset === undefined || /^(utf-8|us-ascii)$/i.test(charset);
}

function sizeText(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

/**
 * Lower-cases headers, refuses credentials in the query string, parses a JSON body — or keeps a
 * `text/csv` body as its text, on a route that declares it takes CSV (`bodyTypes`). Bodies over the
 * route's `maxBodyBytes` (default 256 KiB) are refused before anything reads them.
 */
export function normalize(): MiddlewareObj<LambdaEvent, LambdaResult, Error, BallastContext<BasePlatform>> {
  return {
    before: async (request) => {
      const state = stateOf(request);
      const event = request.event;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(event.headers ?? {})) {
        if (typeof value === 'string') headers[name.toLowerCase()] = value;
      }
      state.headers = headers;
      const query: Record<string, string> = {};
      for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
        if (typeof value === 'string') query[name] = value;
      }
      const credentialParams = Object.keys(query).filter((name) => CREDENTIAL_PARAMS.has(name.toLowerCase()));
      if (credentialParams.length) {
        throw badRequest(
          'CREDENTIALS_IN_QUERY',
          'Credentials must be sent in headers (Authorization or X-API-Key), never in the query string',
          credentialParams.map((name) => ({
            path: `query.${name}`,
            message: 'credentials are not accepted in the query string',
          })),
        );
      }
      state.query = query;
      state.params = Object.fromEntries(
        Object.entries(event.pathParameters ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'),
      );
      let raw = event.body;
      if (raw === undefined || raw === null || raw === '') {
        state.rawBody = undefined;
        return;
      }
      if (event.isBase64Encoded) raw = Buffer.from(raw, 'base64').toString('utf8');
      const limit = state.route.maxBodyBytes ?? MAX_BODY_BYTES;
      if (Buffer.byteLength(raw, 'utf8') > limit) {
        throw new AppError(
          413,
          'BODY_TOO_LARGE',
          `Body exceeds ${limit} bytes (${sizeText(limit)}), this route's limit`,
          {
            extra: { maxBodyBytes: limit },
          },
        );
      }
      const contentType = headers['content-type'] ?? '';
      const accepted = state.route.bodyTypes ?? DEFAULT_BODY_TYPES;
      if (accepted.includes('text/csv') && CSV_TYPE.test(contentType)) {
        if (!utf8(contentType)) {
          throw new AppError(
            415,
            'UNSUPPORTED_MEDIA_TYPE',
            'Send CSV as UTF-8 (Content-Type: text/csv; charset=utf-8)',
          );
        }
        // The text as sent: the route's body schema and its handler read it (a CSV parser, not JSON).
        state.rawBody = raw;
        return;
      }
      if (!accepted.includes('application/json') || !JSON_TYPE.test(contentType)) {
        throw new AppError(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          accepted.length === 1 && accepted[0] === 'application/json'
            ? 'Send JSON with Content-Type: application/json'
            : `Send ${accepted.join(' or ')} (Content-Type)`,
        );
      }
      try {
        state.rawBody = JSON.parse(raw);
      } catch {
        throw badRequest('INVALID_JSON', 'Body is not valid JSON', [{ path: 'body', message: 'is not valid JSON' }]);
      }
    },
  };
}

import type { MiddlewareObj } from '@middy/core';
import { AppError, badRequest } from '../errors.js';
import { stateOf } from './responder.js';
import type { BallastContext, LambdaEvent, LambdaResult } from './types.js';

/** Query parameters that look like credentials: refused so they never land in access logs twice. */
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
const MAX_BODY = 256 * 1024;

/** Lower-cases headers, refuses credentials in the query string, parses a JSON body. */
export function normalize(): MiddlewareObj<LambdaEvent, LambdaResult, Error, BallastContext> {
  return {
    before: async (request) => {
      const s = stateOf(request);
      const ev = request.event;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(ev.headers ?? {})) if (typeof v === 'string') headers[k.toLowerCase()] = v;
      s.headers = headers;
      const query: Record<string, string> = {};
      for (const [k, v] of Object.entries(ev.queryStringParameters ?? {})) if (typeof v === 'string') query[k] = v;
      const credParams = Object.keys(query).filter((k) => CREDENTIAL_PARAMS.has(k.toLowerCase()));
      if (credParams.length) {
        throw badRequest(
          'CREDENTIALS_IN_QUERY',
          'Credentials must be sent in headers (Authorization or X-API-Key), never in the query string',
          credParams.map((p) => ({ path: `query.${p}`, message: 'credentials are not accepted in the query string' })),
        );
      }
      s.query = query;
      s.params = Object.fromEntries(
        Object.entries(ev.pathParameters ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'),
      );
      let raw = ev.body;
      if (raw !== undefined && raw !== null && raw !== '') {
        if (ev.isBase64Encoded) raw = Buffer.from(raw, 'base64').toString('utf8');
        if (Buffer.byteLength(raw, 'utf8') > MAX_BODY)
          throw new AppError(413, 'BODY_TOO_LARGE', `Body exceeds ${MAX_BODY} bytes`);
        const ct = headers['content-type'] ?? '';
        if (!/^application\/([a-z.+-]*\+)?json\b/i.test(ct)) {
          throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send JSON with Content-Type: application/json');
        }
        try {
          s.rawBody = JSON.parse(raw);
        } catch {
          throw badRequest('INVALID_JSON', 'Body is not valid JSON', [{ path: 'body', message: 'is not valid JSON' }]);
        }
      } else {
        s.rawBody = undefined;
      }
    },
  };
}

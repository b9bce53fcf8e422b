import type { BasePlatform } from '../../../base-platform.js';
import type { MiddlewareObj } from '@middy/core';
import { AppError, badRequest } from '../../../errors.js';
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
export const MAX_BODY_BYTES = 256 * 1024;

/** Lower-cases headers, refuses credentials in the query string, parses a JSON body. */
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
      if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) {
        throw new AppError(413, 'BODY_TOO_LARGE', `Body exceeds ${MAX_BODY_BYTES} bytes`);
      }
      const contentType = headers['content-type'] ?? '';
      if (!/^application\/([a-z0-9!#$&^_.+-]*\+)?json\b/i.test(contentType)) {
        throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send JSON with Content-Type: application/json');
      }
      try {
        state.rawBody = JSON.parse(raw);
      } catch {
        throw badRequest('INVALID_JSON', 'Body is not valid JSON', [{ path: 'body', message: 'is not valid JSON' }]);
      }
    },
  };
}

import {
  CORS_ALLOW_HEADERS,
  CORS_ALLOW_METHODS,
  CORS_EXPOSE_HEADERS,
  CORS_MAX_AGE_SECONDS,
  originAllowed,
  stageCorsOrigins,
} from '@ballast/platform/http/cors.js';
import { AppError, forbidden } from '@ballast/platform/errors.js';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';

/** The stages' allowed origins; the local runtime reads its own entry, `stages.local`. */
export const CORS_ORIGINS_FILE = 'stacks/cors-origins.json';

/** The local runtime's allowed origins (any-port patterns like `http://localhost:*` allowed). */
export function localCorsOrigins(root: string): string[] {
  return stageCorsOrigins(JSON.parse(readFileSync(join(root, CORS_ORIGINS_FILE), 'utf8')), 'local', CORS_ORIGINS_FILE);
}

/**
 * CORS as the HTTP API answers it in the cloud: any request from an allowed origin gets
 * `Access-Control-Allow-Origin` and the exposed headers (set before the route answers, so every
 * response carries them); a preflight from one is answered 204 with the allowed methods and
 * headers (`'answered'`). A preflight from another origin is a refusal the server answers as a
 * problem (403, saying where origins are configured); anything else is not CORS's (`undefined`).
 * The server has set the security headers and the request id on `res` already.
 */
export function localCors(
  root: string,
): (req: IncomingMessage, res: ServerResponse) => 'answered' | AppError | undefined {
  const allowed = localCorsOrigins(root);
  return (req, res) => {
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    const preflight =
      req.method === 'OPTIONS' && origin !== undefined && !!req.headers['access-control-request-method'];
    const ok = originAllowed(origin, allowed);
    if (ok && origin) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', CORS_EXPOSE_HEADERS.join(', '));
      res.setHeader('Vary', 'Origin');
    }
    if (!preflight) return undefined;
    if (!ok) {
      return forbidden(
        'CORS_ORIGIN_NOT_ALLOWED',
        `Origin ${origin} is not allowed: the local runtime's are stages.local in ${CORS_ORIGINS_FILE}`,
      );
    }
    res.writeHead(204, {
      'Access-Control-Allow-Methods': CORS_ALLOW_METHODS.join(', '),
      'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS.join(', '),
      'Access-Control-Max-Age': String(CORS_MAX_AGE_SECONDS),
    });
    res.end();
    return 'answered';
  };
}

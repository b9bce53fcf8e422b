import {
  CORS_ALLOW_HEADERS,
  CORS_ALLOW_METHODS,
  CORS_EXPOSE_HEADERS,
  CORS_MAX_AGE_SECONDS,
  originAllowed,
  parseCorsOrigins,
} from '@ballast/platform/http/cors.js';
import { forbidden, toProblem } from '@ballast/platform/errors.js';
import { SECURITY_HEADERS } from '@ballast/platform/http/middlewares/responder/index.js';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';

/** The stages' allowed origins; the local runtime reads its own entry, `stages.local`. */
export const CORS_ORIGINS_FILE = 'stacks/cors-origins.json';

/** The local runtime's allowed origins (any-port patterns like `http://localhost:*` allowed). */
export function localCorsOrigins(root: string): string[] {
  const parsed = JSON.parse(readFileSync(join(root, CORS_ORIGINS_FILE), 'utf8')) as { stages?: { local?: unknown } };
  return parseCorsOrigins(parsed.stages?.local ?? [], `${CORS_ORIGINS_FILE}: stages.local`, { anyPort: true });
}

/**
 * CORS as the HTTP API answers it in the cloud: a preflight from an allowed origin gets 204 with
 * the allowed methods and headers; any request from one gets `Access-Control-Allow-Origin` and the
 * exposed headers (set before the route answers, so every response carries them). A preflight
 * from another origin gets 403 saying where origins are configured. Answers true when it replied.
 */
export function localCors(root: string): (req: IncomingMessage, res: ServerResponse) => boolean {
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
    if (!preflight) return false;
    const requestId = randomUUID();
    if (!ok) {
      const detail = `Origin ${origin} is not allowed: the local runtime's are stages.local in ${CORS_ORIGINS_FILE}`;
      res.writeHead(403, {
        ...SECURITY_HEADERS,
        'Content-Type': 'application/problem+json',
        'X-Request-Id': requestId,
      });
      res.end(JSON.stringify(toProblem(forbidden('CORS_ORIGIN_NOT_ALLOWED', detail), requestId)));
      return true;
    }
    res.writeHead(204, {
      ...SECURITY_HEADERS,
      'Access-Control-Allow-Methods': CORS_ALLOW_METHODS.join(', '),
      'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS.join(', '),
      'Access-Control-Max-Age': String(CORS_MAX_AGE_SECONDS),
      'X-Request-Id': requestId,
    });
    res.end();
    return true;
  };
}

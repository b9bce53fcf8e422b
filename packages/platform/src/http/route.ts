import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { authenticate } from '../auth/authenticate.js';
import { resolveContext } from '../context/resolve.js';
import { platform as defaultPlatform, type Platform } from '../platform.js';
import { routeById } from '../routes/table.js';
import { linkSecretFetcher, type SecretFetcher } from '../secrets/resolver.js';
import type { RouteDef } from '../routes/types.js';
import { tenantBackend } from '../routing/backend.js';
import { idempotency } from './idempotency.js';
import { tierAndRateLimit } from './limits.js';
import { normalize } from './normalize.js';
import { responder, stateOf } from './responder.js';
import type { BallastContext, LambdaEvent, LambdaResult, RouteHandler } from './types.js';
import { validate } from './validate.js';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

function requestIdOf(event: LambdaEvent): string {
  const h = event.headers ?? {};
  const sent = h['x-request-id'] ?? h['X-Request-Id'];
  if (sent && SANE_REQUEST_ID.test(sent)) return sent;
  return event.requestContext?.requestId && SANE_REQUEST_ID.test(event.requestContext.requestId)
    ? event.requestContext.requestId
    : randomUUID();
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): LambdaResult {
  if (status === 204 || body === undefined) return { statusCode: status, headers };
  return {
    statusCode: status,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * Wraps a route's function in the Middy stack, in DESIGN.md's order: responder (request id,
 * logger, error mapping, security headers — outermost), header normalising and JSON body,
 * authentication, request context and membership, tier and rate limit, zod validation, tenant
 * backend resolution, idempotency, then the handler.
 */
export function buildHandler(def: RouteDef, fn: RouteHandler, getPlatform: () => Platform = defaultPlatform) {
  const core = async (_event: LambdaEvent, context: BallastContext): Promise<LambdaResult> => {
    const s = stateOf({ context });
    if (s.replay) return s.replay;
    if (!s.input) throw new Error('validation did not run');
    const reply = await fn(s.input, {
      platform: s.platform,
      route: def,
      requestId: s.requestId,
      now: s.startedAt,
      ctx: s.ctx,
      data: s.data,
    });
    return json(reply.status ?? def.status, reply.body, reply.headers);
  };
  const handler = middy<LambdaEvent, LambdaResult, Error, BallastContext>()
    .use(responder())
    .use(normalize())
    .use(authenticate())
    .use(resolveContext())
    .use(tierAndRateLimit())
    .use(validate())
    .use(tenantBackend())
    .use(idempotency())
    .handler(core);

  return async (event: LambdaEvent, context?: Context): Promise<LambdaResult> => {
    const p = getPlatform();
    const requestId = requestIdOf(event);
    p.logger.resetKeys();
    p.logger.appendKeys({ requestId, route: def.id });
    const ctx: BallastContext = {
      ...((context ?? {}) as Context),
      ballast: {
        route: def,
        platform: p,
        requestId,
        startedAt: p.now(),
        headers: {},
        query: {},
        params: {},
        rawBody: undefined,
      },
    };
    return handler(event, ctx);
  };
}

/**
 * A Lambda entry: `export const handler = route('portfolios.create', createPortfolio)`. Routes
 * that declare `uses.secrets` link the Secrets Manager fetcher here, so only their bundles carry it.
 */
export function route(id: string, fn: RouteHandler, opts: { secrets?: SecretFetcher } = {}) {
  if (opts.secrets) linkSecretFetcher(opts.secrets);
  return buildHandler(routeById(id), fn);
}

import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { AuditActor } from '../audit/record.js';
import { platform as defaultPlatform, type Platform } from '../platform.js';
import { linkSecretFetcher, type SecretFetcher } from '../secrets/resolver.js';
import type { RouteDef, RouteSpec } from './define-route.js';
import type { PortsFactory, RouteHandler } from './handler.js';
import { invocation, replyResult, type LambdaHandler } from './invoke.js';
import { authenticate } from './middlewares/authenticate/index.js';
import { tenantBackend } from './middlewares/backend/index.js';
import { resolveContext } from './middlewares/context/index.js';
import { signedCursors } from './middlewares/cursors/index.js';
import { idempotency } from './middlewares/idempotency/index.js';
import { tierAndRateLimit } from './middlewares/limits/index.js';
import { normalize } from './middlewares/normalize/index.js';
import { responder } from './middlewares/responder/index.js';
import { validate } from './middlewares/validate/index.js';
import { type BallastContext, type LambdaEvent, type LambdaResult, type PipelineState, stateOf } from './pipeline.js';

export type { LambdaHandler } from './invoke.js';

/** Who the audit records of a request name: its verified caller, or the system on bootstrap. */
export function actorOf(state: Pick<PipelineState, 'ctx' | 'requestId'>): AuditActor {
  const ctx = state.ctx;
  if (!ctx) return { kind: 'system', tenantId: 't_system', requestId: state.requestId };
  return {
    kind: 'principal',
    tenantId: ctx.tenantId,
    requestId: state.requestId,
    principalId: ctx.principal.id,
    principalKind: ctx.principal.kind,
    projectId: ctx.projectId,
  };
}

export interface RouteOptions<P> {
  /** the context's stores and ports, built per request from what the pipeline resolved */
  ports?: PortsFactory<P>;
  /** routes that declare `uses.secrets` link the Secrets Manager fetcher, so only their bundles carry it */
  secrets?: SecretFetcher;
}

/**
 * Wraps a route's function in the Middy stack, in DESIGN.md's order: responder (request id,
 * logger with the Lambda context, metrics, error mapping, security headers — outermost), header
 * normalising and JSON body, authentication, request context and membership, tier and rate limit,
 * zod validation (and signed cursors opened; `nextCursor` sealed on the way out), tenant backend
 * resolution, idempotency, then the handler.
 */
/** Where a request came from, as API Gateway saw it (for audit records of dangerous changes). */
function clientOf(event: LambdaEvent): { ip?: string; userAgent?: string } {
  const http = event.requestContext?.http;
  const ip = typeof http?.sourceIp === 'string' && http.sourceIp ? http.sourceIp.slice(0, 64) : undefined;
  const agent = typeof http?.userAgent === 'string' && http.userAgent ? http.userAgent.slice(0, 256) : undefined;
  return { ...(ip ? { ip } : {}), ...(agent ? { userAgent: agent } : {}) };
}

export function buildHandler<D extends RouteSpec, P>(
  def: RouteDef<D>,
  fn: RouteHandler<D, P>,
  ports: PortsFactory<P> | undefined,
  getPlatform: () => Platform = defaultPlatform,
) {
  const core = async (event: LambdaEvent, context: BallastContext): Promise<LambdaResult> => {
    const state = stateOf({ context });
    if (state.replay) return state.replay;
    if (!state.input) throw new Error('validation did not run');
    const backend = {
      platform: state.platform,
      ctx: state.ctx,
      scope: state.ctx && { tenantId: state.ctx.tenantId, env: state.ctx.env, projectId: state.ctx.projectId },
      data: state.data,
      db: state.dataDb ?? state.platform.db,
      requestId: state.requestId,
      now: state.startedAt,
    };
    // one guard per request: its commits are numbered in order, the same on every retry
    const commitGuard =
      state.idempotency &&
      state.platform.idempotency.commitGuard?.(state.idempotency.key, Math.floor(state.startedAt / 1000));
    const reply = await fn(state.input as never, {
      route: def,
      requestId: state.requestId,
      now: state.startedAt,
      ctx: state.ctx as never,
      ports: (ports ? ports(backend) : undefined) as P,
      unitOfWork: () => state.platform.unitOfWork(actorOf(state), state.startedAt, backend.db, commitGuard),
      logger: state.platform.logger,
      client: clientOf(event),
    });
    // JSON, or a string body sent as it is where the route declares another type for the status (CSV)
    return replyResult(def as RouteDef, { ...reply, headers: reply.headers as Record<string, string> | undefined });
  };
  const handler = middy<LambdaEvent, LambdaResult, Error, BallastContext>()
    .use(responder())
    .use(normalize())
    .use(authenticate())
    .use(resolveContext())
    .use(tierAndRateLimit())
    .use(validate())
    .use(signedCursors())
    .use(tenantBackend())
    .use(idempotency())
    .handler(core);

  return async (event: LambdaEvent, context?: Context): Promise<LambdaResult> =>
    handler(event, invocation(def as RouteDef, getPlatform(), event, context));
}

/**
 * A Lambda entry: `export const handler = route(routes.create, createProject, { ports })`.
 * The entry imports its own context's routes only, so its bundle holds that context's schemas.
 */
export function route<D extends RouteSpec & { access: Exclude<RouteSpec['access'], 'public'> }, P = undefined>(
  def: RouteDef<D>,
  fn: RouteHandler<D, P>,
  options: RouteOptions<P> = {},
): LambdaHandler {
  if (options.secrets) linkSecretFetcher(options.secrets);
  return Object.assign(buildHandler(def, fn, options.ports), { route: def as RouteDef });
}

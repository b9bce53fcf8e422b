import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type BasePlatform, basePlatform } from '../base-platform.js';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { HandlerInput, ReplyOf, RouteDef, RouteSpec } from './define-route.js';
import { invocation, replyResult, type LambdaHandler } from './invoke.js';
import { normalize } from './middlewares/normalize/index.js';
import { responder } from './middlewares/responder/index.js';
import { validate } from './middlewares/validate/index.js';
import { type BallastContext, type LambdaEvent, type LambdaResult, stateOf } from './pipeline.js';

/** What a public route's ports are built from: no caller, no tenant. */
export interface PublicBackend {
  platform: BasePlatform;
  requestId: string;
  now: number;
}

export interface PublicHandlerContext<D extends RouteSpec, P> {
  route: RouteDef<D>;
  requestId: string;
  now: number;
  ctx: undefined;
  ports: P;
  logger: Logger;
}

export type PublicRouteHandler<D extends RouteSpec, P = undefined> = (
  input: HandlerInput<D>,
  h: PublicHandlerContext<D, P>,
) => Promise<ReplyOf<D>>;

type PublicSpec = RouteSpec & { access: 'public' };

/**
 * A public route's Lambda entry (health, the API document). Nobody is authenticated and no tenant
 * is resolved, so its stack is the responder, header normalising and JSON body, and validation —
 * and its bundle carries neither the token verifier nor the tenancy stores.
 */
export function publicRoute<D extends PublicSpec, P = undefined>(
  def: RouteDef<D>,
  fn: PublicRouteHandler<D, P>,
  options: { ports?: (backend: PublicBackend) => P } = {},
  getPlatform: () => BasePlatform = basePlatform,
): LambdaHandler {
  const core = async (_event: LambdaEvent, context: BallastContext<BasePlatform>): Promise<LambdaResult> => {
    const state = stateOf({ context });
    if (!state.input) throw new Error('validation did not run');
    const backend = { platform: state.platform, requestId: state.requestId, now: state.startedAt };
    const reply = await fn(state.input as never, {
      route: def,
      requestId: state.requestId,
      now: state.startedAt,
      ctx: undefined,
      ports: (options.ports ? options.ports(backend) : undefined) as P,
      logger: state.platform.logger,
    });
    return replyResult(def as RouteDef, { ...reply, headers: reply.headers as Record<string, string> | undefined });
  };
  const handler = middy<LambdaEvent, LambdaResult, Error, BallastContext<BasePlatform>>()
    .use(responder())
    .use(normalize())
    .use(validate())
    .handler(core);
  const lambda = async (event: LambdaEvent, context?: Context): Promise<LambdaResult> =>
    handler(event, invocation(def as RouteDef, getPlatform(), event, context));
  return Object.assign(lambda, { route: def as RouteDef });
}

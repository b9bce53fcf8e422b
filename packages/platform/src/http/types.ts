import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { RequestContext } from '../context/types.js';
import type { Platform } from '../platform.js';
import type { RouteDef } from '../routes/types.js';
import type { RoutingEntry } from '../routing/registry.js';

export type LambdaEvent = APIGatewayProxyEventV2;
export type LambdaResult = APIGatewayProxyStructuredResultV2;

/** Validated request parts handed to a route function. */
export interface HandlerInput {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
  /** lower-cased header names */
  headers: Record<string, string>;
}

export interface HandlerContext {
  platform: Platform;
  route: RouteDef;
  requestId: string;
  /** epoch ms at request start */
  now: number;
  /** resolved caller context; absent on public and bootstrap-key routes */
  ctx?: RequestContext;
  /** the tenant's data backend (routes that use data) */
  data?: RoutingEntry<'data'>;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type RouteHandler = (input: HandlerInput, h: HandlerContext) => Promise<Reply>;

/** Per-invocation state the middlewares share. */
export interface PipelineState {
  route: RouteDef;
  platform: Platform;
  requestId: string;
  startedAt: number;
  headers: Record<string, string>;
  query: Record<string, string>;
  params: Record<string, string>;
  rawBody: unknown;
  input?: HandlerInput;
  ctx?: RequestContext;
  /** identity claims before membership resolution */
  auth?: {
    principal: RequestContext['principal'];
    tokenTenantId?: string;
    keyProjectId?: string;
    keyTier?: RequestContext['tier'];
    keyRoles?: RequestContext['roles'];
    /** pending revocation lookup of a bearer token (awaited before the context is trusted) */
    revoked?: Promise<boolean>;
  };
  /** this request's rate-limit counter after the increment (started with the membership read) */
  rateCount?: Promise<number>;
  data?: RoutingEntry<'data'>;
  rateHeaders?: Record<string, string>;
  idempotency?: { pk: string; sk: string; hash: string };
  replayed?: boolean;
  /** stored response of an idempotent replay */
  replay?: LambdaResult;
}

export interface BallastContext extends Context {
  ballast?: PipelineState;
}

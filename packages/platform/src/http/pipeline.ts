import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Principal, RequestContext, Role, Tier } from '../context/types.js';
import type { BasePlatform } from '../base-platform.js';
import type { Platform } from '../platform.js';
import type { RoutingEntry } from '../routing/registry.js';
import type { RouteDef } from './define-route.js';

export type LambdaEvent = APIGatewayProxyEventV2;
export type LambdaResult = APIGatewayProxyStructuredResultV2;

/** Validated request parts as the pipeline produced them (typed per route in HandlerInput). */
export interface ValidatedInput {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
  headers: Record<string, string>;
  ifMatch: number | undefined;
}

/** Identity claims after authentication, before membership resolution. */
export interface Authentication {
  principal: Principal;
  tokenTenantId?: string;
  keyProjectId?: string;
  keyTier?: Tier;
  keyRoles?: Role[];
  /** pending revocation lookup of a bearer token (awaited before the context is trusted) */
  revoked?: Promise<boolean>;
}

/**
 * Per-invocation state the middlewares share. Public routes run on the base platform; every
 * other route on the full one (the middlewares that authenticate and resolve tenants need it).
 */
export interface PipelineState<Pl extends BasePlatform = Platform> {
  route: RouteDef;
  platform: Pl;
  requestId: string;
  startedAt: number;
  headers: Record<string, string>;
  query: Record<string, string>;
  params: Record<string, string>;
  rawBody: unknown;
  input?: ValidatedInput;
  auth?: Authentication;
  ctx?: RequestContext;
  /** this request's rate-limit counter after the increment (started with the membership read) */
  rateCount?: Promise<number>;
  data?: RoutingEntry<'data'>;
  /** the client for the tenant's data table (tenant-scoped credentials in the cloud) */
  dataDb?: DynamoDBDocumentClient;
  rateHeaders?: Record<string, string>;
  idempotency?: { key: IdempotencyClaim; owner: string };
  replayed?: boolean;
  /** stored response of an idempotent replay */
  replay?: LambdaResult;
}

export interface IdempotencyClaim {
  tenantId: string;
  env: string;
  /** a user and an API key are different principals even when a user's id reads `apikey:…` */
  principalKind: Principal['kind'];
  principalId: string;
  routeId: string;
  key: string;
}

export interface BallastContext<Pl extends BasePlatform = Platform> extends Context {
  ballast?: PipelineState<Pl>;
}

/** The pipeline state of a request; route() always puts it there. */
export function stateOf<Pl extends BasePlatform = Platform>(request: {
  context: BallastContext<Pl>;
}): PipelineState<Pl> {
  const state = request.context.ballast;
  if (!state) throw new Error('pipeline state missing: route() must build the handler');
  return state;
}

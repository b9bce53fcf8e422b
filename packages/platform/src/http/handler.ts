import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { RequestContext } from '../context/types.js';
import type { UnitOfWork } from '../data/unit-of-work.js';
import type { Platform } from '../platform.js';
import type { RoutingEntry } from '../routing/registry.js';
import type { ContextOf, HandlerInput, ReplyOf, RouteDef, RouteSpec } from './define-route.js';

/** What the pipeline resolved for one request: a context's ports are built from it. */
export interface Backend {
  platform: Platform;
  /** the verified caller of a request (absent for jobs and public routes) */
  ctx: RequestContext | undefined;
  /** whose data this is: the request context's, or a job envelope's once verified */
  scope: { tenantId: string; env: string; projectId?: string } | undefined;
  /** the tenant's data table (routes whose `uses` name data) */
  data: RoutingEntry<'data'> | undefined;
  /**
   * the client for the tenant's data-table requests: in the cloud its credentials reach only the
   * tenant's own partition keys; data stores are built with it, never with the platform's
   */
  db: DynamoDBDocumentClient;
  requestId: string;
  now: number;
}

/** Builds a context's stores and ports for one request (no module-level clients). */
export type PortsFactory<P> = (backend: Backend) => P;

export interface HandlerContext<D extends RouteSpec, P> {
  route: RouteDef<D>;
  requestId: string;
  /** epoch ms at request start, from the platform's one clock */
  now: number;
  ctx: ContextOf<D>;
  ports: P;
  /** a unit of work whose audit records name this request's caller */
  unitOfWork(): UnitOfWork;
  logger: Logger;
  /** the caller's source IP and user agent, as the gateway saw them (audit of dangerous changes) */
  client: { ip?: string; userAgent?: string };
}

export type RouteHandler<D extends RouteSpec, P = undefined> = (
  input: HandlerInput<D>,
  h: HandlerContext<D, P>,
) => Promise<ReplyOf<D>>;

/** The tenant's data table; a route reaching for it without `uses.data` is a programming error. */
export function dataTableOf(b: Backend): string {
  if (!b.data) throw new Error('this route does not declare uses.data: no data backend was resolved');
  return b.data.config.tableName;
}

/** The verified tenant and project of a `project` route or a project's job. */
export function projectScopeOf(b: Backend): { tenantId: string; projectId: string } {
  if (!b.scope?.projectId) throw new Error('no project in this request or job: its ports need one');
  return { tenantId: b.scope.tenantId, projectId: b.scope.projectId };
}

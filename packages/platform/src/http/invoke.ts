import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { BasePlatform } from '../base-platform.js';
import type { RouteDef } from './define-route.js';
import type { BallastContext, LambdaEvent, LambdaResult } from './pipeline.js';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** The client's X-Request-Id when it is sane, else API Gateway's, else a new one. */
export function requestIdOf(event: LambdaEvent): string {
  const headers = event.headers ?? {};
  const sent = headers['x-request-id'] ?? headers['X-Request-Id'];
  if (sent && SANE_REQUEST_ID.test(sent)) return sent;
  const gateway = event.requestContext?.requestId;
  return gateway && SANE_REQUEST_ID.test(gateway) ? gateway : randomUUID();
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): LambdaResult {
  if (status === 204 || body === undefined) return { statusCode: status, headers };
  return {
    statusCode: status,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * A handler's reply as Lambda returns it: JSON, unless the route declares another content type for
 * that status (`contentType: 'text/html'`), whose string body is sent as it is.
 */
export function replyResult(
  def: RouteDef,
  reply: { status: number; body?: unknown; headers?: Record<string, string> },
): LambdaResult {
  const type = def.responses[reply.status]?.contentType;
  if (type && typeof reply.body === 'string') {
    return { statusCode: reply.status, headers: { 'Content-Type': type, ...reply.headers }, body: reply.body };
  }
  return json(reply.status, reply.body, reply.headers);
}

/** Starts one invocation: fresh log keys (no tenant survives a warm start), the Lambda context, the state. */
export function invocation<Pl extends BasePlatform>(
  def: RouteDef,
  p: Pl,
  event: LambdaEvent,
  context: Context | undefined,
): BallastContext<Pl> {
  const requestId = requestIdOf(event);
  p.logger.resetKeys();
  if (context?.functionName) p.logger.addContext(context);
  p.logger.appendKeys({ requestId, route: def.id });
  return {
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
}

/** A route's Lambda handler, tagged with the route it serves (the architecture tests read it). */
export type LambdaHandler = ((event: LambdaEvent, context?: Context) => Promise<LambdaResult>) & {
  readonly route: RouteDef;
};

import type { BasePlatform } from '../../../base-platform.js';
import type { MiddlewareObj, Request } from '@middy/core';
import { AppError, toProblem } from '../../../errors.js';
import { recordRequest } from '../../../observability/metrics.js';
import type { BallastContext, LambdaEvent, LambdaResult } from '../../pipeline.js';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

type PipelineRequest = Request<LambdaEvent, LambdaResult, Error, BallastContext<BasePlatform>>;

export function problemResponse(err: AppError, requestId: string): LambdaResult {
  return {
    statusCode: err.status,
    headers: { 'Content-Type': 'application/problem+json', ...(err.headers ?? {}) },
    body: JSON.stringify(toProblem(err, requestId)),
  };
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
const THROTTLES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'InternalServerError',
  'TooManyRequestsException',
]);

/** DynamoDB's answer for a table that does not exist. */
export function isMissingTable(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: unknown };
  return e?.name === 'ResourceNotFoundException' && e.$metadata !== undefined;
}

/** Network failures and AWS throttling/outages (never validation or condition failures). */
export function isBackendFailure(err: unknown): boolean {
  const e = err as { code?: string; name?: string; $metadata?: unknown; $fault?: string };
  if (e?.code && NETWORK_CODES.has(e.code)) return true;
  if (e?.$metadata === undefined) return false;
  return e.$fault === 'server' || THROTTLES.has(e.name ?? '') || (e.code === undefined && e.name === 'TimeoutError');
}

function finish(request: PipelineRequest, code: string | undefined): void {
  const state = request.context.ballast;
  const res = request.response;
  if (!state || !res) return;
  res.headers = {
    ...SECURITY_HEADERS,
    ...(state.rateHeaders ?? {}),
    ...(res.headers ?? {}),
    'X-Request-Id': state.requestId,
  };
  if (state.replayed) res.headers['Idempotent-Replayed'] = 'true';
  const status = res.statusCode ?? 200;
  const latencyMs = Math.max(0, Math.round(state.platform.now() - state.startedAt));
  state.platform.logger.info('request', { route: state.route.id, status, ms: latencyMs, ...(code ? { code } : {}) });
  recordRequest(state.platform.metrics, {
    context: state.route.context,
    route: state.route.id,
    status,
    latencyMs,
    code,
  });
  state.platform.logger.resetKeys();
}

/**
 * Outermost middleware: its after/onError run last. Maps every failure to Problem Details (a
 * non-AppError is a bug: logged with its stack, answered with a bare 500), adds security,
 * request-id and rate-limit headers, records the request's metrics, and clears per-invocation
 * log keys so no tenant id survives into the next invocation's lines.
 */
export function responder(): MiddlewareObj<LambdaEvent, LambdaResult, Error, BallastContext<BasePlatform>> {
  return {
    after: async (request) => {
      finish(request, undefined);
    },
    onError: async (request) => {
      const state = request.context.ballast;
      const requestId = state?.requestId ?? 'unknown';
      const err = request.error;
      let problem: AppError;
      if (err instanceof AppError) {
        problem = err;
      } else if (isMissingTable(err)) {
        // The control table was read before the tenant's backend was resolved, so once a data
        // entry is resolved a missing table is the one it names: a routing mistake, not a bug.
        const kind = state?.data?.kind;
        state?.platform.logger.error('table not found', { error: err as Error, kind });
        problem = kind
          ? new AppError(
              503,
              'ROUTING_MISCONFIGURED',
              `The '${kind}' routing entry of this tenant names a table that does not exist; ` +
                'an administrator must correct the entry',
            )
          : new AppError(503, 'BACKEND_UNAVAILABLE', 'A backend service is unavailable; retry shortly', {
              headers: { 'Retry-After': '1' },
            });
      } else if (isBackendFailure(err)) {
        // An AWS dependency failed or throttled: the caller can retry; it is not their input.
        state?.platform.logger.error('backend unavailable', { error: err as Error });
        problem = new AppError(503, 'BACKEND_UNAVAILABLE', 'A backend service is unavailable; retry shortly', {
          headers: { 'Retry-After': '1' },
        });
      } else {
        state?.platform.logger.error('unhandled error', { error: err as Error });
        problem = new AppError(500, 'INTERNAL', 'Internal error; it has been logged');
      }
      request.response = problemResponse(problem, requestId);
      finish(request, problem.code);
    },
  };
}

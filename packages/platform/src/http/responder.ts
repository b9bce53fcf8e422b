import type { MiddlewareObj, Request } from '@middy/core';
import { AppError, toProblem } from '../errors.js';
import type { BallastContext, LambdaEvent, LambdaResult, PipelineState } from './types.js';

const SECURITY_HEADERS: Record<string, string> = {
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

type Req = Request<LambdaEvent, LambdaResult, Error, BallastContext>;

export function stateOf(request: { context: BallastContext }): PipelineState {
  const s = request.context.ballast;
  if (!s) throw new Error('pipeline state missing: route() must build the handler');
  return s;
}

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

/** Network failures and AWS throttling/outages (never validation or condition failures). */
function isBackendFailure(err: unknown): boolean {
  const e = err as { code?: string; name?: string; $metadata?: unknown; $fault?: string };
  if (e?.code && NETWORK_CODES.has(e.code)) return true;
  if (e?.$metadata === undefined) return false;
  return e.$fault === 'server' || THROTTLES.has(e.name ?? '') || (e.code === undefined && e.name === 'TimeoutError');
}

function finish(request: Req): void {
  const s = request.context.ballast;
  const res = request.response;
  if (!s || !res) return;
  res.headers = {
    ...SECURITY_HEADERS,
    ...(s.rateHeaders ?? {}),
    ...(res.headers ?? {}),
    'X-Request-Id': s.requestId,
  };
  if (s.replayed) res.headers['Idempotent-Replayed'] = 'true';
  s.platform.logger.info('request', {
    route: s.route.id,
    status: res.statusCode,
    ms: Math.round(s.platform.now() - s.startedAt),
  });
  s.platform.logger.resetKeys();
}

/**
 * Outermost middleware: its after/onError run last. Maps every failure to Problem Details (a
 * non-AppError is a bug: logged with its stack, answered with a bare 500), adds security,
 * request-id and rate-limit headers, and clears per-invocation log keys.
 */
export function responder(): MiddlewareObj<LambdaEvent, LambdaResult, Error, BallastContext> {
  return {
    after: async (request) => {
      finish(request);
    },
    onError: async (request) => {
      const s = request.context.ballast;
      const requestId = s?.requestId ?? 'unknown';
      const err = request.error;
      if (err instanceof AppError) {
        request.response = problemResponse(err, requestId);
      } else if (isBackendFailure(err)) {
        // An AWS dependency failed or throttled: the caller can retry; it is not their input.
        s?.platform.logger.error('backend unavailable', { error: err as Error });
        request.response = problemResponse(
          new AppError(503, 'BACKEND_UNAVAILABLE', 'A backend service is unavailable; retry shortly', {
            headers: { 'Retry-After': '1' },
          }),
          requestId,
        );
      } else {
        s?.platform.logger.error('unhandled error', { error: err as Error });
        request.response = problemResponse(
          new AppError(500, 'INTERNAL', 'Internal error; it has been logged'),
          requestId,
        );
      }
      finish(request);
    },
  };
}

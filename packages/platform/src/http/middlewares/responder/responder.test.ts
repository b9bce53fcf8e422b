import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  createTestBed,
  type Invoke,
  probe,
  type SeededKey,
  type TestBed,
  withKey,
} from '../../../../test/support/harness.js';
import { AppError, reasonPhrase, toProblem } from '../../../errors.js';
import { createMetrics, METRICS_NAMESPACE } from '../../../observability/metrics.js';
import { defineRoutes } from '../../define-route.js';
import type { RouteHandler } from '../../handler.js';
import { isBackendFailure, SECURITY_HEADERS } from './index.js';

const routes = defineRoutes('probe', {
  open: {
    id: 'probe.open',
    method: 'GET',
    path: '/v1/probe/open',
    summary: 'public; fails on demand',
    access: 'public',
    minTier: 'observer',
    roles: [],
    uses: { control: 'read' },
    request: { query: z.optional(z.strictObject({ fail: z.optional(z.string()) })) },
    responses: { 200: { description: 'ok', body: z.unknown() } },
  },
  tenant: {
    id: 'probe.tenantScoped',
    method: 'POST',
    path: '/v1/probe/tenant',
    summary: 'authenticated; fails on demand',
    access: 'project',
    minTier: 'observer',
    roles: [],
    uses: { control: 'read' },
    request: { body: z.optional(z.strictObject({ fail: z.optional(z.string()) })) },
    responses: { 200: { description: 'ok', body: z.unknown() } },
  },
});

const awsError = (name: string, fault: 'client' | 'server', extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name}: the AWS message`), {
    name,
    $fault: fault,
    $metadata: { httpStatusCode: fault === 'server' ? 500 : 400 },
    ...extra,
  });

/** What each `fail` value makes the handler throw. */
const FAILURES: Record<string, () => unknown> = {
  app: () =>
    new AppError(422, 'RULE_REJECTED', 'Rejected by 2 of 9 checks', {
      errors: [{ path: 'body.amount', message: 'exceeds the cash available' }],
      headers: { 'X-Problem-Extra': 'kept' },
      extra: { checks: [{ id: 'cash', passed: false }] },
    }),
  bug: () => new TypeError("Cannot read properties of undefined (reading 'secretInternalField')"),
  thrown: () => 'a string, not even an Error',
  throttled: () => awsError('ThrottlingException', 'client'),
  provisioned: () => awsError('ProvisionedThroughputExceededException', 'client'),
  serverFault: () => awsError('InternalServerError', 'server'),
  timeout: () => awsError('TimeoutError', 'client'),
  network: () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
  refused: () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' }),
  condition: () => awsError('ConditionalCheckFailedException', 'client'),
  validation: () => awsError('ValidationException', 'client'),
};

let bed: TestBed;
let lines: string[];
let call: Record<keyof typeof routes, Invoke>;
let key: SeededKey;

beforeAll(async () => {
  lines = [];
  bed = await createTestBed({
    prefix: 'resp',
    overrides: { metrics: createMetrics('test', (line) => lines.push(line)) },
  });
  await bed.tenant('t_alpha');
  await bed.project('t_alpha', 'p_alpha');
  key = await bed.apiKey({ tenantId: 't_alpha', projectId: 'p_alpha', tier: 'navigator', roles: ['trader'] });
  const failing = (fail: string | undefined) => {
    if (fail === undefined) return;
    bed.clock.advance(250); // the handler "takes" 250 ms on the platform clock
    throw FAILURES[fail]();
  };
  const open: RouteHandler<(typeof routes)['open']> = async (input) => {
    failing(input.query?.fail);
    bed.clock.advance(40);
    return { status: 200, body: { ok: true } };
  };
  const tenant: RouteHandler<(typeof routes)['tenant']> = async (input) => {
    failing(input.body?.fail);
    bed.clock.advance(40);
    return { status: 200, body: { ok: true } };
  };
  call = { open: probe(bed.platform, routes.open, open), tenant: probe(bed.platform, routes.tenant, tenant) };
});

beforeEach(() => {
  bed.clock.nextMinute();
  lines.length = 0;
});

const expectSecurityHeaders = (headers: Record<string, string>) => {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(headers[name], name).toBe(value);
  expect(headers['X-Request-Id']).toMatch(/^[A-Za-z0-9._:-]{8,128}$/);
};

describe('errors become Problem Details', () => {
  // issue 8: titles mixed codes (`ROUTE_NOT_FOUND`) and reason phrases (`Not Found`).
  it('every problem’s title is its status’s HTTP reason phrase, never its code', () => {
    const phrases: Record<number, string> = {
      400: 'Bad Request',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      405: 'Method Not Allowed',
      408: 'Request Timeout',
      409: 'Conflict',
      412: 'Precondition Failed',
      413: 'Content Too Large',
      415: 'Unsupported Media Type',
      422: 'Unprocessable Content',
      428: 'Precondition Required',
      429: 'Too Many Requests',
      431: 'Request Header Fields Too Large',
      500: 'Internal Server Error',
      503: 'Service Unavailable',
      504: 'Gateway Timeout',
    };
    for (const [status, phrase] of Object.entries(phrases)) {
      const problem = toProblem(new AppError(Number(status), 'ROUTE_NOT_FOUND', 'detail'), 'req-1');
      expect(problem.title, status).toBe(phrase);
      expect(reasonPhrase(Number(status))).toBe(phrase);
    }
    expect(reasonPhrase(418)).toBe('Client Error');
    expect(reasonPhrase(599)).toBe('Server Error');
  });

  it('an AppError → its status, application/problem+json, its fields, headers and extra members', async () => {
    const r = await call.open({ query: { fail: 'app' }, requestId: 'gw-req-0001' });
    expect(r.status).toBe(422);
    expect(r.headers['Content-Type']).toBe('application/problem+json');
    expect(r.headers['X-Problem-Extra']).toBe('kept');
    expect(r.body).toEqual({
      type: 'https://ballast.dev/problems/rule-rejected',
      title: 'Unprocessable Content',
      status: 422,
      detail: 'Rejected by 2 of 9 checks',
      code: 'RULE_REJECTED',
      requestId: 'gw-req-0001',
      errors: [{ path: 'body.amount', message: 'exceeds the cash available' }],
      checks: [{ id: 'cash', passed: false }],
    });
    expect(r.headers['X-Request-Id']).toBe('gw-req-0001');
    expect(r.text).not.toMatch(/stack|at .*\.ts:\d+/);
  });

  it('anything else is a bug: a bare 500 INTERNAL with no message, stack or internals', async () => {
    for (const fail of ['bug', 'thrown', 'condition', 'validation']) {
      const r = await call.open({ query: { fail } });
      expect(r.status, fail).toBe(500);
      expect(r.headers['Content-Type']).toBe('application/problem+json');
      expect(r.body, fail).toMatchObject({ status: 500, code: 'INTERNAL', title: 'Internal Server Error' });
      expect(Object.keys(r.body).sort()).toEqual(['code', 'detail', 'requestId', 'status', 'title', 'type']);
      expect(r.text).not.toMatch(/secretInternalField|TypeError|stack|AWS message|not even an Error/);
    }
  });

  it('AWS throttling, server faults, timeouts, network errors → 503 BACKEND_UNAVAILABLE, Retry-After', async () => {
    for (const fail of ['throttled', 'provisioned', 'serverFault', 'timeout', 'network', 'refused']) {
      const r = await call.open({ query: { fail } });
      expect(r.status, fail).toBe(503);
      expect(r.body.code, fail).toBe('BACKEND_UNAVAILABLE');
      expect(r.headers['Retry-After'], fail).toBe('1');
      expect(r.text).not.toMatch(/AWS message|ECONN|127\.0\.0\.1|hang up/);
    }
  });

  it('isBackendFailure never takes a client mistake or a failed condition for an outage', () => {
    expect(isBackendFailure(FAILURES.condition())).toBe(false);
    expect(isBackendFailure(FAILURES.validation())).toBe(false);
    expect(isBackendFailure(new Error('plain'))).toBe(false);
    expect(isBackendFailure(undefined)).toBe(false);
    expect(isBackendFailure(FAILURES.throttled())).toBe(true);
  });
});

describe('headers on every response', () => {
  it('security headers and X-Request-Id on successes, problems, 500s, 503s and early refusals', async () => {
    const answers = [
      await call.open({}),
      await call.open({ query: { fail: 'app' } }),
      await call.open({ query: { fail: 'bug' } }),
      await call.open({ query: { fail: 'network' } }),
      await call.open({ query: { token: 'x' } }), // refused by normalize
      await call.open({ query: { unknown: 'x' } }), // refused by validate
      await call.tenant({}), // refused by authenticate
      await call.tenant({ headers: withKey(key), body: { fail: 'app' } }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 422, 500, 503, 400, 400, 401, 422]);
    for (const a of answers) expectSecurityHeaders(a.headers);
  });

  it('X-Request-Id: a sane one the client sent, else the gateway’s, else a fresh one', async () => {
    const sent = await call.open({ headers: { 'X-Request-Id': 'client-chosen-id-42' }, requestId: 'gw-0000001' });
    expect(sent.headers['X-Request-Id']).toBe('client-chosen-id-42');
    const insane = await call.open({ headers: { 'X-Request-Id': 'bad id\nwith newline' }, requestId: 'gw-0000002' });
    expect(insane.headers['X-Request-Id']).toBe('gw-0000002');
    const neither = await call.open({ requestId: 'x' });
    expect(neither.headers['X-Request-Id']).toMatch(/^[0-9a-f-]{36}$/);
    const problem = await call.open({ query: { fail: 'app' }, requestId: 'gw-0000003' });
    expect(problem.body.requestId).toBe('gw-0000003');
  });

  it('authenticated responses carry the rate-limit headers, problems included', async () => {
    const r = await call.tenant({ headers: withKey(key), body: { fail: 'bug' } });
    expect(r.status).toBe(500);
    expect(r.headers['RateLimit-Limit']).toBe('60');
  });
});

interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }>;
  };
  [member: string]: unknown;
}

describe('EMF metrics', () => {
  const docs = () => lines.map((line) => JSON.parse(line) as EmfDocument);
  const metricNames = (d: EmfDocument) => d._aws.CloudWatchMetrics.flatMap((m) => m.Metrics.map((x) => x.Name));
  const dimensionNames = (d: EmfDocument) => d._aws.CloudWatchMetrics.flatMap((m) => m.Dimensions.flat());

  it('a success: one document in namespace Ballast by context and route, with requests and latency', async () => {
    const r = await call.tenant({ headers: withKey(key), body: {} });
    expect(r.status).toBe(200);
    expect(lines).toHaveLength(1);
    const [doc] = docs();
    expect(doc._aws.CloudWatchMetrics[0].Namespace).toBe(METRICS_NAMESPACE);
    expect(METRICS_NAMESPACE).toBe('Ballast');
    expect(doc._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'stage', 'context', 'route']]);
    expect(metricNames(doc).sort()).toEqual(['latency', 'requests']);
    expect(doc).toMatchObject({ context: 'probe', route: 'probe.tenantScoped', stage: 'test', requests: 1 });
    expect(doc.latency).toBe(40); // from the injected clock, not the wall
  });

  it('a 4xx: clientErrors, and an errors document with the code dimension', async () => {
    const r = await call.tenant({ headers: withKey(key), body: { fail: 'app' } });
    expect(r.status).toBe(422);
    expect(lines).toHaveLength(2);
    const [request, error] = docs();
    expect(metricNames(request).sort()).toEqual(['clientErrors', 'latency', 'requests']);
    expect(request).toMatchObject({ clientErrors: 1, requests: 1, latency: 250 });
    expect(error._aws.CloudWatchMetrics[0].Namespace).toBe('Ballast');
    expect(error._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'stage', 'context', 'route', 'code']]);
    expect(metricNames(error)).toEqual(['errors']);
    expect(error).toMatchObject({ context: 'probe', route: 'probe.tenantScoped', code: 'RULE_REJECTED', errors: 1 });
  });

  it('a 5xx: serverErrors, and an errors document with code INTERNAL or BACKEND_UNAVAILABLE', async () => {
    await call.tenant({ headers: withKey(key), body: { fail: 'bug' } });
    await call.tenant({ headers: withKey(key), body: { fail: 'throttled' } });
    const [bugRequest, bugError, outageRequest, outageError] = docs();
    expect(bugRequest).toMatchObject({ serverErrors: 1 });
    expect(bugRequest.clientErrors).toBeUndefined();
    expect(bugError).toMatchObject({ code: 'INTERNAL', errors: 1 });
    expect(outageRequest).toMatchObject({ serverErrors: 1 });
    expect(outageError).toMatchObject({ code: 'BACKEND_UNAVAILABLE', errors: 1 });
  });

  it('a refusal before the handler (401) is still counted for its route', async () => {
    await call.tenant({});
    const [request, error] = docs();
    expect(request).toMatchObject({ route: 'probe.tenantScoped', clientErrors: 1 });
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('no tenant id, user id or request id is ever a dimension (or anywhere in the document)', async () => {
    const requestId = 'req-metrics-probe-1';
    await call.tenant({ headers: withKey(key), body: {}, requestId });
    await call.tenant({ headers: withKey(key), body: { fail: 'app' }, requestId: `${requestId}b` });
    await call.tenant({ headers: { ...withKey(key), 'X-Tenant-Id': 't_other' }, body: {} });
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const doc of docs()) {
      for (const name of dimensionNames(doc)) expect(['service', 'stage', 'context', 'route', 'code']).toContain(name);
      for (const name of dimensionNames(doc)) {
        expect(String(doc[name])).not.toMatch(/t_alpha|t_other|p_alpha|apikey:|req-metrics/);
      }
    }
    for (const line of lines) {
      expect(line).not.toContain('t_alpha');
      expect(line).not.toContain(key.principalId);
      expect(line).not.toContain(key.keyId);
      expect(line).not.toContain(requestId);
    }
  });
});

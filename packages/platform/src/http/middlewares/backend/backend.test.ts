import { GetCommand } from '@aws-sdk/lib-dynamodb';
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
import type { RoutingConfig } from '../../../routing/schemas.js';
import { defineRoutes } from '../../define-route.js';
import { type Backend, dataTableOf, type RouteHandler } from '../../handler.js';

const common = {
  method: 'GET',
  summary: 'reports its backend',
  access: 'tenant',
  minTier: 'observer',
  roles: [],
  request: {},
  responses: { 200: { description: 'the backend', body: z.unknown() } },
} as const;

const routes = defineRoutes('probe', {
  data: { ...common, id: 'probe.data', path: '/v1/probe/data', uses: { control: 'read', data: 'read' } },
  control: { ...common, id: 'probe.control', path: '/v1/probe/control', uses: { control: 'read' } },
});

interface Reported {
  data: { tenantId: string; env: string; config: { tableName: string; mode: string } } | null;
}

const report = async (_input: unknown, h: { ports: Backend }) => ({
  status: 200,
  body: { data: h.ports.data ?? null },
});

let bed: TestBed;
let key: SeededKey;
let call: Record<keyof typeof routes, Invoke>;

beforeAll(async () => {
  bed = await createTestBed({ prefix: 'backend' });
  await bed.tenant('t_alpha');
  await bed.project('t_alpha', 'p_alpha');
  key = await bed.apiKey({ tenantId: 't_alpha', projectId: 'p_alpha', tier: 'observer', roles: ['viewer'] });
  const fn = report as unknown as RouteHandler<(typeof routes)['data'], Backend>;
  call = {
    data: probe(bed.platform, routes.data, fn, (b) => b),
    control: probe(bed.platform, routes.control, fn as never, (b: Backend) => b),
  };
});

beforeEach(() => {
  bed.clock.nextMinute();
});

describe('tenant backend resolution', () => {
  it('a route with uses.data and no data routing entry → 503 ROUTING_NOT_CONFIGURED naming data', async () => {
    const r = await call.data({ headers: withKey(key) });
    expect(r.status).toBe(503);
    expect(r.headers['Content-Type']).toBe('application/problem+json');
    expect(r.body.code).toBe('ROUTING_NOT_CONFIGURED');
    expect(r.body.detail).toContain("'data'");
  });

  it('a route without uses.data needs no entry and resolves none', async () => {
    const r = await call.control<Reported>({ headers: withKey(key) });
    expect(r.status).toBe(200);
    expect(r.body.data).toBeNull();
  });

  it('an entry for another env is not this env’s entry', async () => {
    await bed.routing('t_alpha', 'prod', { kind: 'data', mode: 'silo', tableName: 'silo-alpha-prod' });
    expect((await call.data({ headers: withKey(key) })).status).toBe(503);
    const prod = await call.data<Reported>({ headers: { ...withKey(key), 'X-Env': 'prod' } });
    expect(prod.status).toBe(200);
    expect(prod.body.data?.config).toMatchObject({ mode: 'silo', tableName: 'silo-alpha-prod' });
  });

  it('with an entry the handler’s ports get the tenant’s data table', async () => {
    await bed.routing('t_alpha', 'dev', { kind: 'data', mode: 'pooled', tableName: 'pooled-main' });
    const r = await call.data<Reported>({ headers: withKey(key) });
    expect(r.status).toBe(200);
    expect(r.body.data).toMatchObject({ tenantId: 't_alpha', env: 'dev', config: { tableName: 'pooled-main' } });
  });

  it('a corrupt entry is refused (503), not guessed at', async () => {
    await bed.routing('t_alpha', 'dev', { kind: 'data', mode: 'pooled' } as unknown as RoutingConfig);
    const r = await call.data({ headers: withKey(key) });
    expect(r.status).toBe(503);
    expect(r.body.code).toBe('ROUTING_NOT_CONFIGURED');
  });
});

// issue 8: a data entry naming a table that does not exist made every data route of the tenant a 500.
describe('a data entry naming a table that does not exist', () => {
  const readsItsTable = async (_input: unknown, h: { ports: Backend }) => {
    await h.ports.platform.db.send(new GetCommand({ TableName: dataTableOf(h.ports), Key: { PK: 'x', SK: 'y' } }));
    return { status: 200, body: { data: h.ports.data ?? null } };
  };

  it('→ 503 ROUTING_MISCONFIGURED naming the kind (never a 500, never the table)', async () => {
    await bed.routing('t_alpha', 'staging', { kind: 'data', mode: 'silo', tableName: 'no-such-table-anywhere' });
    const fn = readsItsTable as unknown as RouteHandler<(typeof routes)['data'], Backend>;
    const reads = probe(bed.platform, routes.data, fn, (b) => b);
    const r = await reads({ headers: { ...withKey(key), 'X-Env': 'staging' } });
    expect(r.status).toBe(503);
    expect(r.headers['Content-Type']).toBe('application/problem+json');
    expect(r.body).toMatchObject({ code: 'ROUTING_MISCONFIGURED', title: 'Service Unavailable' });
    expect(r.body.detail).toContain("'data'");
    expect(r.text).not.toContain('no-such-table-anywhere');
    expect(r.text).not.toContain('ResourceNotFound');
  });
});

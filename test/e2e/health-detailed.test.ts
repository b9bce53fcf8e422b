import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectDynamoFaults } from '../../packages/local/src/faults.js';
import { startRuntime, type TestRuntime } from '../support/runtime.js';

/** GET /v1/health/detailed: every dependency with its latency, the build, the cold start (system admin). */

let t: TestRuntime;
let system: string;

beforeAll(async () => {
  t = await startRuntime();
  system = await t.token('u_system', 't_system', '1h');
});
afterAll(async () => {
  await t.stop();
});

interface Detailed {
  status: string;
  build: { version: string; stage: string; node: string };
  process: { coldStart: boolean; requestsServed: number; uptimeSeconds: number };
  checks: Record<string, { ok: boolean; ms?: number; detail?: string }>;
}
const detailed = async (query = '', token = system) => {
  const res = await t.call('GET', `/v1/health/detailed${query}`, { token, headers: { 'X-Tenant-Id': 't_system' } });
  return { res, body: res.body as unknown as Detailed };
};

describe('detailed health', () => {
  it('reports each dependency with its latency, the build and this instance’s cold start', async () => {
    // the job loop's heartbeat: one tick of the spine writes it
    const tick = await t.call('POST', '/_local/tick', { body: {} });
    expect(tick.status, tick.text).toBe(200);
    const first = await detailed();
    expect(first.res.status, first.res.text).toBe(200);
    expect(first.body.status).toBe('ok');
    expect(first.body.checks.jobs.ok, first.body.checks.jobs.detail).toBe(true);
    for (const name of ['controlTable', 'dataTable', 'secrets'] as const) {
      expect(first.body.checks[name].ok, name).toBe(true);
      expect(first.body.checks[name].ms, name).toBeGreaterThanOrEqual(0);
    }
    expect(first.body.checks.dataTable.detail).toBe('t_system/dev');
    expect(first.body.build).toMatchObject({ version: 'local', stage: 'local' });
    expect(first.body.build.node).toMatch(/^v22\./);
    expect(first.body.process.coldStart).toBe(true);
    const second = await detailed();
    expect(second.body.process.coldStart).toBe(false);
    expect(second.body.process.requestsServed).toBe(first.body.process.requestsServed + 1);
  });

  it('checks another tenant’s data table; a tenant without one is reported, not an error', async () => {
    const acme = await detailed('?tenantId=t_acme');
    expect(acme.res.status).toBe(200);
    expect(acme.body.checks.dataTable).toMatchObject({ ok: true, detail: 't_acme/dev' });
    const none = await detailed('?tenantId=t_nobody');
    expect(none.res.status).toBe(200);
    expect(none.body.status).toBe('degraded');
    expect(none.body.checks.dataTable).toMatchObject({
      ok: false,
      detail: 't_nobody has no data routing entry for dev',
    });
    const bad = await detailed('?tenantId=NOT%20A%20TENANT');
    expect(bad.res.status).toBe(400);
  });

  it('a failing dependency makes it degraded, naming the check, without leaking the error', async () => {
    const faults = injectDynamoFaults(t.rt.platform.dynamo);
    faults.arm({ kind: 'throttle', operations: ['DescribeTable'], count: 10 });
    const res = await detailed();
    faults.clear();
    expect(res.res.status).toBe(200);
    expect(res.body.status).toBe('degraded');
    expect(res.body.checks.controlTable).toEqual({
      ok: false,
      detail: 'the control table did not answer (ProvisionedThroughputExceededException)',
    });
    expect(res.body.checks.dataTable.ok).toBe(true);
    expect(res.res.text).not.toContain('injected');
  });

  it('is a system admin’s alone', async () => {
    const admin = await t.token('u_admin', 't_demo', '1h');
    const res = await t.call('GET', '/v1/health/detailed', { token: admin, headers: { 'X-Tenant-Id': 't_demo' } });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('SYSTEM_ADMIN_REQUIRED');
    expect((await t.call('GET', '/v1/health/detailed')).status).toBe(401);
  });
});

import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKey } from '../../packages/platform/src/jobs/envelope.js';
import { startRuntime, type CallResult, type TestRuntime } from '../support/runtime.js';

/**
 * Rebalancing schedules on the jobs spine, driven by POST /_local/tick on a clock this file moves:
 * the right instant across a DST change, one run per slot, one catch-up run after an outage.
 */

let t: TestRuntime;
let sqs: SQSClient;
const metricLines: string[] = [];
const P = { 'X-Project-Id': 'p_demo' };
let keySeq = 0;
const key = () => `schedule-test-${++keySeq}-${Date.now()}`;
let clock = Date.parse('2027-03-11T12:00:01Z');
const at = (isoTime: string) => {
  clock = Date.parse(isoTime);
};

beforeAll(async () => {
  t = await startRuntime({ now: () => clock, metricsSink: (line) => metricLines.push(line) });
  sqs = new SQSClient({
    region: 'us-east-1',
    endpoint: t.rt.queues.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterAll(async () => {
  sqs.destroy();
  await t.stop();
});

/** every call mints its token on the clock of the moment (the clock jumps days) */
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const token = await t.token('u_navigator', 't_demo', '1h');
  return t.call(method, path, { token, headers: { ...P, ...headers }, body });
}
const get = (path: string) => call('GET', path);
const post = (path: string, body: unknown) => call('POST', path, body, { 'Idempotency-Key': key() });
const tick = async (isoTime: string) => {
  at(isoTime);
  const r = await t.call('POST', '/_local/tick', { body: { at: isoTime } });
  expect(r.status, r.text).toBe(200);
  return r.body;
};

function expectStatus(res: CallResult, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  if (code) expect(res.body.code, res.text).toBe(code);
}

async function portfolioWithTargets(o: { autonomous?: boolean } = {}) {
  const r = await post('/v1/accounts', { name: 'Sched', venue: 'SIMULATION', simulation: { slippageBps: 0 } });
  expectStatus(r, 201);
  const accountId = String(r.body.accountId);
  const pf = String(r.body.portfolioId);
  if (o.autonomous) {
    const m = await call(
      'PUT',
      `/v1/accounts/${accountId}/mode`,
      { mode: 'AUTONOMOUS', reason: 'test' },
      { 'If-Match': '"1"' },
    );
    expectStatus(m, 200);
  }
  expectStatus(
    await post(`/v1/portfolios/${pf}/transactions`, {
      type: 'BUY',
      symbol: 'AAPL',
      quantity: '10',
      price: '1',
      tradeDate: '2026-01-05',
    }),
    201,
  );
  for (const [code, target, symbol] of [
    ['EQ', '50', 'AAPL'],
    ['BD', '50', 'BND'],
  ] as const) {
    const c = await post(`/v1/portfolios/${pf}/categories`, { name: code, code, type: 'equity', targetPct: target });
    expectStatus(c, 201);
    expectStatus(
      await call('PUT', `/v1/portfolios/${pf}/assignments/${symbol}`, { categoryId: c.body.categoryId }),
      200,
    );
  }
  return { accountId, pf };
}

const daily = { name: 'Open', frequency: 'daily', timeOfDay: '09:30', timezone: 'America/New_York' };
const executionsOf = async (pf: string) => {
  const r = await get(`/v1/portfolios/${pf}/rebalance/executions?limit=100`);
  expectStatus(r, 200);
  return (r.body.items ?? []) as Array<Record<string, unknown>>;
};

describe('schedules', () => {
  it('CRUD: nextRunAt in the answer; If-Match on replace and delete; bad input names the field', async () => {
    at('2027-03-11T12:00:01Z');
    const { pf } = await portfolioWithTargets();
    const created = await post(`/v1/portfolios/${pf}/rebalance/schedules`, daily);
    expectStatus(created, 201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({ nextRunAt: '2027-03-11T14:30:00.000Z', mode: 'propose', enabled: true });
    const url = `/v1/portfolios/${pf}/rebalance/schedules/${String(created.body.scheduleId)}`;
    expectStatus(await call('PUT', url, { ...daily, timeOfDay: '10:00' }), 428, 'IF_MATCH_REQUIRED');
    const moved = await call('PUT', url, { ...daily, timeOfDay: '10:00' }, { 'If-Match': '"1"' });
    expectStatus(moved, 200);
    expect(moved.body.nextRunAt).toBe('2027-03-11T15:00:00.000Z');
    const off = await call('PUT', url, { ...daily, enabled: false }, { 'If-Match': '"2"' });
    expect(off.body.nextRunAt).toBeNull();

    const bad = await post(`/v1/portfolios/${pf}/rebalance/schedules`, { ...daily, timezone: 'Mars/Olympus' });
    expectStatus(bad, 400);
    expect(JSON.stringify(bad.body.errors)).toMatch(/timezone/);
    const weekly = await post(`/v1/portfolios/${pf}/rebalance/schedules`, { ...daily, frequency: 'weekly' });
    expectStatus(weekly, 400);
    expect(JSON.stringify(weekly.body.errors)).toMatch(/dayOfWeek/);
    expectStatus(
      await post(`/v1/portfolios/${pf}/rebalance/schedules`, { ...daily, mode: 'execute' }),
      422,
      'ACCOUNT_REQUIRED',
    );
    expectStatus(await call('DELETE', url, undefined, { 'If-Match': '"3"' }), 204);
    expectStatus(await get(url), 404, 'SCHEDULE_NOT_FOUND');
  });

  it('fires at 09:30 New York: 14:30Z before the DST change, 13:30Z after it, never before the instant', async () => {
    at('2027-03-11T12:00:01Z');
    const { pf } = await portfolioWithTargets();
    const created = await post(`/v1/portfolios/${pf}/rebalance/schedules`, daily);
    expectStatus(created, 201);
    const url = `/v1/portfolios/${pf}/rebalance/schedules/${String(created.body.scheduleId)}`;

    await tick('2027-03-11T14:29:30.000Z');
    expect(await executionsOf(pf)).toEqual([]);
    await tick('2027-03-11T14:30:20.000Z');
    const first = await executionsOf(pf);
    expect(first.map((e) => [e.type, e.slot, e.status])).toEqual([
      ['scheduled', '2027-03-11T14:30:00.000Z', 'completed'],
    ]);
    expect((await get(url)).body.nextRunAt).toBe('2027-03-12T14:30:00.000Z');

    await tick('2027-03-12T14:30:20.000Z');
    await tick('2027-03-13T14:30:20.000Z');
    // Sunday 14 March: New York is on EDT from 02:00 local
    expect((await get(url)).body.nextRunAt).toBe('2027-03-14T13:30:00.000Z');
    await tick('2027-03-14T13:29:30.000Z');
    expect(await executionsOf(pf)).toHaveLength(3);
    await tick('2027-03-14T13:30:20.000Z');
    const slots = (await executionsOf(pf)).map((e) => e.slot);
    expect(slots).toEqual([
      '2027-03-14T13:30:00.000Z',
      '2027-03-13T14:30:00.000Z',
      '2027-03-12T14:30:00.000Z',
      '2027-03-11T14:30:00.000Z',
    ]);
    // each propose-mode run stored its proposal
    const proposals = await get(`/v1/portfolios/${pf}/rebalance/proposals?limit=10`);
    expect(proposals.body.items?.map((p) => p.source)).toEqual(['scheduled', 'scheduled', 'scheduled', 'scheduled']);
  });

  it('runs once per slot: two dispatchers at once and a redelivered message make one run', async () => {
    at('2027-03-16T12:00:01Z');
    const { pf } = await portfolioWithTargets();
    const created = await post(`/v1/portfolios/${pf}/rebalance/schedules`, daily);
    const slot = String(created.body.nextRunAt);
    expect(slot).toBe('2027-03-16T13:30:00.000Z');
    at('2027-03-16T13:30:20.000Z');
    const [a, b] = await Promise.all([
      t.call('POST', '/_local/tick', { body: { at: '2027-03-16T13:30:20.000Z' } }),
      t.call('POST', '/_local/tick', { body: { at: '2027-03-16T13:30:20.000Z' } }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await executionsOf(pf)).toHaveLength(1);

    // the same run delivered again (SQS is at least once)
    const work = {
      job: 'planning.rebalance-run',
      tenantId: 't_demo',
      workId: String(created.body.scheduleId),
      dueAt: slot,
    };
    const envelope = {
      v: 1,
      env: 'dev',
      projectId: 'p_demo',
      payload: { portfolioId: pf, scheduleId: created.body.scheduleId },
      ...work,
      key: runKey(work),
    };
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: t.rt.queues.urls['planning.rebalance-run'],
        MessageBody: JSON.stringify(envelope),
      }),
    );
    await tick('2027-03-16T13:31:20.000Z');
    expect(await executionsOf(pf)).toHaveLength(1);
    const outcomes = metricLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((m) => m.job === 'planning.rebalance-run' && typeof m.outcome === 'string')
      .map((m) => m.outcome);
    expect(outcomes.filter((o) => o === 'duplicate' || o === 'skipped').length).toBeGreaterThan(0);
  });

  it('after an outage, one catch-up run standing for the missed slots, then the next slot from now', async () => {
    at('2027-03-18T12:00:01Z');
    const { pf } = await portfolioWithTargets();
    const created = await post(`/v1/portfolios/${pf}/rebalance/schedules`, daily);
    const url = `/v1/portfolios/${pf}/rebalance/schedules/${String(created.body.scheduleId)}`;
    // down from before the first slot (18 March 13:30Z) until 21 March 18:00Z: three more slots missed
    await tick('2027-03-21T18:00:00.000Z');
    const runs = await executionsOf(pf);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ slot: '2027-03-18T13:30:00.000Z', missedSlots: 3 });
    expect((await get(url)).body.nextRunAt).toBe('2027-03-22T13:30:00.000Z');
    await tick('2027-03-21T18:05:00.000Z');
    expect(await executionsOf(pf)).toHaveLength(1);
  });

  it('execute mode on an AUTONOMOUS account sends the orders; a drift trigger under its threshold skips', async () => {
    at('2027-03-23T12:00:01Z');
    const { pf, accountId } = await portfolioWithTargets({ autonomous: true });
    const created = await post(`/v1/portfolios/${pf}/rebalance/schedules`, {
      ...daily,
      mode: 'execute',
      accountId,
      proposal: { band: 'absolute', thresholdPct: '5' },
    });
    expectStatus(created, 201);
    await tick('2027-03-23T13:30:20.000Z');
    const [run] = await executionsOf(pf);
    expect(run).toMatchObject({ type: 'scheduled', mode: 'AUTONOMOUS', accountId });
    const orders = (run?.orders ?? []) as Array<{ orderId?: string; status: string }>;
    expect(orders.length).toBeGreaterThan(0);
    expect(orders.every((o) => o.orderId && ['pending', 'submitted', 'filled'].includes(o.status))).toBe(true);

    const quiet = await post(`/v1/portfolios/${pf}/rebalance/schedules`, {
      ...daily,
      timeOfDay: '11:00',
      trigger: 'drift',
      driftThresholdPct: '99',
    });
    expectStatus(quiet, 201);
    await tick('2027-03-23T15:00:20.000Z');
    const skipped = (await executionsOf(pf)).find((e) => e.scheduleId === quiet.body.scheduleId);
    expect(skipped).toMatchObject({ type: 'threshold', status: 'skipped', success: true });
    expect(String(skipped?.detail)).toMatch(/under the threshold 99/);
  });
});

import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { type DynamoFaultInjector, injectDynamoFaults } from '../../packages/local/src/faults.js';
import { defineJobs, type JobDef } from '../../packages/platform/src/jobs/define-job.js';
import { type JobEnvelope, runKey } from '../../packages/platform/src/jobs/envelope.js';
import { job } from '../../packages/platform/src/jobs/worker.js';
import { startRuntime, type CallResult, type TestRuntime } from '../support/runtime.js';

/**
 * A job whose every delivery fails is not dropped silently: the worker calls its `onExhausted`
 * hook on the last delivery (before the message goes to the dead-letter queue). A scheduled
 * rebalance that keeps crashing is recorded as failed and tells its creator once
 * (`schedule.failed`); an optimisation whose chunks keep failing ends `failed` (CHUNK_FAILED).
 * The failures are DynamoDB faults injected at the SDK boundary of the runtime's own client.
 */

let t: TestRuntime;
let faults: DynamoFaultInjector;
const P = { 'X-Project-Id': 'p_demo' };
let keySeq = 0;
const key = () => `exhausted-test-${++keySeq}-${Date.now()}`;
/** a Monday, mid-morning UTC; moved forward only */
let clock = Date.UTC(2027, 8, 6, 9, 0, 1);
const DAY = 86_400_000;

type Json = Record<string, unknown>;

beforeAll(async () => {
  t = await startRuntime({ now: () => clock });
  faults = injectDynamoFaults(t.rt.platform.dynamo);
});
afterEach(() => faults.clear());
afterAll(async () => {
  await t.stop();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const token = await t.token('u_navigator', 't_demo', '1h');
  return t.call(method, path, { token, headers: { ...P, ...headers }, body });
}

function expectStatus(res: CallResult, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  if (code) expect(res.body.code, res.text).toBe(code);
}

/** The first page of a list route's items, as the navigator reads it. */
async function itemsOf(path: string): Promise<Json[]> {
  const r = await call('GET', path);
  expectStatus(r, 200);
  return (r.body.items ?? []) as Json[];
}

/** One tick at the clock: dispatches what is due, then `rounds` delivery rounds (all, by default). */
async function tick(rounds?: number) {
  const r = await t.call('POST', '/_local/tick', {
    body: { at: new Date(clock).toISOString(), ...(rounds === undefined ? {} : { rounds }) },
  });
  expectStatus(r, 200);
  return r.body as Json & { delivered: Record<string, number>; failed: Record<string, number> };
}

const deadLettered = async (jobId: string) => {
  const r = await t.call('GET', '/_local/queues');
  expectStatus(r, 200);
  return (r.body[jobId] as { deadLettered: number }).deadLettered;
};

// ---- the worker's hook ----------------------------------------------------------------------

const testJobs = defineJobs('exhaust-test', {
  flaky: {
    id: 'exhaust-test.flaky',
    summary: 'fails when told to',
    payload: z.strictObject({ fail: z.boolean() }),
    uses: { control: 'read' },
  },
  short: {
    id: 'exhaust-test.short',
    summary: 'two deliveries only',
    payload: z.strictObject({ fail: z.boolean() }),
    uses: { control: 'read' },
    maxReceiveCount: 2,
  },
});

let workSeq = 0;
function eventOf(def: JobDef, payload: unknown, deliveries: number, tenantId = 't_demo'): SQSEvent {
  const head = { job: def.id, tenantId, workId: `w-${++workSeq}-${Date.now()}`, dueAt: '2027-01-01T10:00:00.000Z' };
  const envelope: JobEnvelope = { v: 1, ...head, env: 'dev', projectId: 'p_demo', key: runKey(head), payload };
  return {
    Records: [
      {
        messageId: `m-${head.workId}`,
        receiptHandle: 'r',
        body: JSON.stringify(envelope),
        attributes: {
          ApproximateReceiveCount: String(deliveries),
          SentTimestamp: '0',
          SenderId: 'test',
          ApproximateFirstReceiveTimestamp: '0',
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:local:000000000000:exhaust',
        awsRegion: 'local',
      },
    ],
  };
}

/** The ids of the records a worker reported failed (every record failing is an error Powertools throws). */
async function failedIds(worker: (event: SQSEvent) => Promise<SQSBatchResponse>, event: SQSEvent) {
  try {
    return (await worker(event)).batchItemFailures.map((f) => f.itemIdentifier);
  } catch (e) {
    if (e instanceof Error && e.name === 'FullBatchFailureError') return event.Records.map((r) => r.messageId);
    throw e;
  }
}

describe('a job’s onExhausted hook', () => {
  const broken = new Error('the far side is down');
  const seen: Array<{ payload: unknown; workId: string; error: unknown; deliveries: number }> = [];
  let hookThrows = false;
  const handlerOf = (def: (typeof testJobs)['flaky' | 'short']) =>
    job(
      def,
      async (payload) => {
        if (payload.fail) throw broken;
        return 'processed';
      },
      {
        onExhausted: async (payload, h, error, deliveries) => {
          seen.push({ payload, workId: h.envelope.workId, error, deliveries });
          if (hookThrows) throw new Error('the hook broke too');
        },
      },
      () => t.rt.platform,
    );
  const flaky = handlerOf(testJobs.flaky);
  const short = handlerOf(testJobs.short);
  afterEach(() => {
    seen.length = 0;
    hookThrows = false;
    vi.restoreAllMocks();
  });

  it('is not called on the deliveries before the last; the record fails each time', async () => {
    for (const n of [1, 2]) {
      const event = eventOf(testJobs.flaky, { fail: true }, n);
      expect(await failedIds(flaky, event)).toEqual([event.Records[0].messageId]);
    }
    expect(seen).toEqual([]);
  });

  it('is called once on the last delivery (maxReceiveCount: 3 by default) with payload, context, error', async () => {
    const event = eventOf(testJobs.flaky, { fail: true }, 3);
    const workId = (JSON.parse(event.Records[0].body) as JobEnvelope).workId;
    expect(await failedIds(flaky, event)).toEqual([event.Records[0].messageId]);
    expect(seen).toEqual([{ payload: { fail: true }, workId, error: broken, deliveries: 3 }]);
    // a receive count past the maximum (SQS's count is approximate) is a last delivery too
    await failedIds(flaky, eventOf(testJobs.flaky, { fail: true }, 4));
    expect(seen.map((s) => s.deliveries)).toEqual([3, 4]);
  });

  it('follows the job’s own maxReceiveCount', async () => {
    await failedIds(short, eventOf(testJobs.short, { fail: true }, 1));
    expect(seen).toEqual([]);
    expect(await failedIds(short, eventOf(testJobs.short, { fail: true }, 2))).toHaveLength(1);
    expect(seen.map((s) => s.deliveries)).toEqual([2]);
  });

  it('a hook that throws is logged; the original failure is the one reported, and the record still fails', async () => {
    hookThrows = true;
    const errors = vi.spyOn(t.rt.platform.logger, 'error');
    const event = eventOf(testJobs.flaky, { fail: true }, 3);
    expect(await failedIds(flaky, event)).toEqual([event.Records[0].messageId]);
    expect(seen).toHaveLength(1);
    const logged = errors.mock.calls.map(([message, extra]) => [
      message,
      (extra as { error?: Error } | undefined)?.error?.message,
    ]);
    expect(logged).toContainEqual(['job onExhausted hook failed', 'the hook broke too']);
    expect(logged).toContainEqual(['job run failed', 'the far side is down']);
  });

  it('never sees a run that succeeds, nor a poison message (unknown tenant, bad envelope)', async () => {
    expect(await failedIds(flaky, eventOf(testJobs.flaky, { fail: false }, 3))).toEqual([]);
    expect(await failedIds(flaky, eventOf(testJobs.flaky, { fail: true }, 3, 't_nobody'))).toHaveLength(1);
    const garbled = eventOf(testJobs.flaky, { fail: true }, 3);
    garbled.Records[0].body = 'not a job envelope';
    expect(await failedIds(flaky, garbled)).toHaveLength(1);
    expect(await failedIds(flaky, eventOf(testJobs.flaky, { fail: 'yes' }, 3))).toHaveLength(1);
    expect(seen).toEqual([]);
  });
});

// ---- planning: a scheduled rebalance that keeps crashing ------------------------------------

/** the user's notifications of one kind, newest first (tenant-wide: no project) */
async function notificationsOf(user: string, kind: string) {
  const token = await t.token(user, 't_demo', '1h');
  const res = await t.call('GET', '/v1/me/notifications?limit=200', { token });
  expectStatus(res, 200);
  return ((res.body.items ?? []) as Array<Json & { kind: string; body: string; resource?: string }>).filter(
    (n) => n.kind === kind,
  );
}

describe('a scheduled rebalance whose every delivery fails', () => {
  it('is recorded failed once its retries are exhausted, and tells its creator once — not before', async () => {
    const pf = await call(
      'POST',
      '/v1/portfolios',
      { name: 'Crashing', baseCurrency: 'USD', cash: '1000.00' },
      { 'Idempotency-Key': key() },
    );
    expectStatus(pf, 201);
    const portfolioId = String(pf.body.portfolioId);
    expectStatus(
      await call('POST', `/v1/portfolios/${portfolioId}/categories`, {
        name: 'Equities',
        code: 'EQ',
        type: 'equity',
        targetPct: '100',
      }),
      201,
    );
    const made = await call('POST', `/v1/portfolios/${portfolioId}/rebalance/schedules`, {
      name: 'Crashes daily',
      frequency: 'daily',
      timeOfDay: '09:30',
      timezone: 'UTC',
    });
    expectStatus(made, 201);
    const scheduleId = String(made.body.scheduleId);
    const slot = String(made.body.nextRunAt);
    expect(slot).toBe('2027-09-06T09:30:00.000Z');
    const failedRuns = async () =>
      (await notificationsOf('u_navigator', 'schedule.failed')).filter((n) =>
        n.resource?.startsWith(`portfolios/${portfolioId}/rebalance/executions/`),
      );
    const executions = () => itemsOf(`/v1/portfolios/${portfolioId}/rebalance/executions`);

    // the portfolio's book cannot be read: every delivery of the run throws (the call times out,
    // the SDK's retries give up); nothing the hook writes or reads is hit
    faults.arm({
      kind: 'timeout-before',
      operations: ['GetItem'],
      count: 1000,
      when: (input) => {
        const k = JSON.stringify(input.Key ?? {});
        return k.includes(portfolioId) && k.includes('"BOOK"');
      },
    });
    const dlqBefore = await deadLettered('planning.rebalance-run');
    clock = Date.parse(slot) + 5_000;
    // first and second deliveries: failed, retried, nobody told, nothing recorded
    for (let delivery = 1; delivery <= 2; delivery++) {
      const report = await tick(1);
      expect(report.failed['planning.rebalance-run'], `delivery ${delivery}`).toBe(1);
      expect(await failedRuns()).toEqual([]);
      expect(await executions()).toEqual([]);
      clock += 1_000;
    }
    // the third and last: failed too, and then set aside with a record and one notice
    const last = await tick();
    expect(last.failed['planning.rebalance-run']).toBe(1);
    expect(await deadLettered('planning.rebalance-run')).toBe(dlqBefore + 1);
    expect(faults.hits['timeout-before']).toBeGreaterThanOrEqual(3);

    const [run, ...more] = await executions();
    expect(more).toEqual([]);
    expect(run).toMatchObject({
      status: 'failed',
      success: false,
      scheduleId,
      slot,
      error: { code: 'RUN_FAILED', detail: 'the run failed after 3 attempts and was set aside' },
    });
    const told = await failedRuns();
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({
      kind: 'schedule.failed',
      resource: `portfolios/${portfolioId}/rebalance/executions/${String(run.executionId)}`,
    });
    expect(told[0].subject).toContain('Crashes daily');
    expect(told[0].body).toContain('failed after 3 attempts and was set aside');
    // the schedule went on to its next slot
    const after = await call('GET', `/v1/portfolios/${portfolioId}/rebalance/schedules/${scheduleId}`);
    expectStatus(after, 200);
    expect(after.body).toMatchObject({ nextRunAt: '2027-09-07T09:30:00.000Z', lastExecutionId: run.executionId });

    // more ticks in the slot run nothing and tell no one again
    faults.clear();
    clock += 20_000;
    await tick();
    expect(await failedRuns()).toHaveLength(1);
    expect(await executions()).toHaveLength(1);
  });
});

// ---- research: an optimisation whose chunks keep failing ------------------------------------

/** 400 daily bars of a wavy trend ending today */
async function uploadCandles(symbol: string) {
  const end = Math.floor(clock / DAY) * DAY;
  const candles = Array.from({ length: 400 }, (_, i) => {
    const close = Math.round((100 + i * 0.05 + 9 * Math.sin(i / 11) + 4 * Math.sin(i / 3.7)) * 100) / 100;
    return {
      time: new Date(end - (400 - i) * DAY).toISOString().slice(0, 10),
      open: close.toFixed(2),
      high: (close + 0.8).toFixed(2),
      low: (close - 0.7).toFixed(2),
      close: close.toFixed(2),
      volume: String(1000 + i),
    };
  });
  const admin = await t.token('u_admin', 't_demo', '1h');
  expectStatus(
    await t.call('PUT', `/v1/market-data/candles/${symbol}/1day`, { token: admin, headers: P, body: { candles } }),
    200,
  );
  return { from: candles[0].time, to: candles[candles.length - 1].time };
}

describe('an optimisation whose chunks fail every delivery', () => {
  it('ends failed with CHUNK_FAILED once they are set aside, and stays failed', async () => {
    clock += 3_600_000;
    const { from, to } = await uploadCandles('EXHA');
    // 20 fast × 2 slow = 40 candidates: two chunks of 20
    const made = await call(
      'POST',
      '/v1/optimisations',
      {
        strategy: 'smaCross',
        space: { fast: { min: 2, max: 21, step: 1 }, slow: { values: [30, 40] } },
        method: 'grid',
        maxCandidates: 40,
        objective: 'sharpe',
        symbol: 'EXHA',
        interval: '1day',
        from,
        to,
      },
      { 'Idempotency-Key': key() },
    );
    expectStatus(made, 202);
    const optimisationId = String(made.body.optimisationId);
    // no chunk can record its results: their transactions are refused every time
    faults.arm({
      kind: 'transaction-throttled',
      operations: ['TransactWriteItems'],
      count: 1000,
      when: (input) => {
        const items = JSON.stringify(input.TransactItems ?? []);
        return items.includes(optimisationId) && items.includes('CHUNK#');
      },
    });
    const dlqBefore = await deadLettered('research.optimisation-chunk');
    const view = async () => {
      const r = await call('GET', `/v1/optimisations/${optimisationId}`);
      expectStatus(r, 200);
      return r.body;
    };

    clock += 61_000;
    // the plan, then each chunk's first delivery: failed, and the optimisation still running
    const first = await tick(1);
    expect(first.failed['research.optimisation-chunk']).toBe(2);
    expect(await view()).toMatchObject({ status: 'running', done: 0 });

    clock += 1_000;
    const rest = await tick();
    expect(rest.failed['research.optimisation-chunk']).toBe(4); // two chunks, two deliveries more each
    expect(await deadLettered('research.optimisation-chunk')).toBe(dlqBefore + 2);
    const failed = await view();
    expect(failed).toMatchObject({ status: 'failed', done: 0, error: { code: 'CHUNK_FAILED' } });
    expect(String((failed.error as Json).detail)).toMatch(
      /^chunk [01] of round 0 \(20 candidates\) failed after 3 attempts/,
    );
    expect(failed.finishedAt).toEqual(expect.any(String));

    // the second chunk's hook found it failed already: one failure, its record as the first left it
    faults.clear();
    clock += 61_000;
    await tick();
    expect(await view()).toMatchObject({ status: 'failed', error: failed.error, finishedAt: failed.finishedAt });
    expectStatus(await call('POST', `/v1/optimisations/${optimisationId}/cancel`, {}), 409, 'OPTIMISATION_ENDED');
  });
});

// ---- planning: a DCA rule whose slot can never be claimed -----------------------------------

describe('a DCA run whose every delivery fails', () => {
  it('is claimed and recorded failed once set aside, the rule moves on, and its creator is told once', async () => {
    clock = Date.UTC(2027, 8, 6, 11, 30, 1);
    const account = await call(
      'POST',
      '/v1/accounts',
      { name: 'Exhausted DCA', venue: 'SIMULATION', simulation: { slippageBps: 0 } },
      { 'Idempotency-Key': key() },
    );
    expectStatus(account, 201);
    const accountId = String(account.body.accountId);
    const portfolioId = String(account.body.portfolioId);
    expectStatus(
      await call('POST', `/v1/accounts/${accountId}/prices`, { prices: [{ symbol: 'AAPL', price: '100' }] }),
      200,
    );
    const made = await call(
      'POST',
      `/v1/portfolios/${portfolioId}/rules`,
      {
        kind: 'dca',
        accountId,
        symbol: 'AAPL',
        amount: '500',
        frequency: 'daily',
        timeOfDay: '12:00',
        timezone: 'UTC',
      },
      { 'Idempotency-Key': key() },
    );
    expectStatus(made, 201);
    const ruleId = String(made.body.ruleId);
    expect(made.body.nextRunAt).toBe('2027-09-06T12:00:00.000Z');
    const failedRuns = async () =>
      (await notificationsOf('u_navigator', 'schedule.failed')).filter((n) => n.resource?.includes(ruleId));
    const runs = () => itemsOf(`/v1/portfolios/${portfolioId}/rules/${ruleId}/runs`);
    // the run's claim of its slot is refused every time; the hook's (which records the run too) is not
    faults.arm({
      kind: 'transaction-throttled',
      operations: ['TransactWriteItems'],
      count: 1000,
      when: (input) => {
        const items = JSON.stringify(input.TransactItems ?? []);
        return items.includes(`SLOT#${ruleId}`) && !items.includes('RULERUN#');
      },
    });

    clock = Date.UTC(2027, 8, 6, 12, 0, 5);
    for (let delivery = 1; delivery <= 2; delivery++) {
      const report = await tick(1);
      expect(report.failed['planning.dca-run'], `delivery ${delivery}`).toBe(1);
      expect(await failedRuns()).toEqual([]);
      expect(await runs()).toEqual([]);
      clock += 1_000;
    }
    const last = await tick();
    expect(last.failed['planning.dca-run']).toBe(1);
    const [run, ...more] = await runs();
    expect(more).toEqual([]);
    expect(run).toMatchObject({
      outcome: 'failed',
      detail: 'RUN_FAILED: the run failed after 3 attempts and was set aside',
    });
    const told = await failedRuns();
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({
      subject: 'DCA rule on AAPL failed',
      resource: `portfolios/${portfolioId}/rules/${ruleId}/runs`,
    });
    expect(told[0].body).toContain('failed after 3 attempts and was set aside');
    const rule = await call('GET', `/v1/portfolios/${portfolioId}/rules/${ruleId}`);
    expect(rule.body.nextRunAt).toBe('2027-09-07T12:00:00.000Z');

    faults.clear();
    clock += 20_000;
    await tick();
    expect(await failedRuns()).toHaveLength(1);
    expect(await runs()).toHaveLength(1);
  });
});

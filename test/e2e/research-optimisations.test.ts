import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../packages/core/src/backtest/engine.js';
import type { BacktestMetrics } from '../../packages/core/src/backtest/types.js';
import { compileSpace, pointAt, rankResults, walkForward } from '../../packages/core/src/optimiser/index.js';
import { smaCross } from '../../packages/core/src/strategies/index.js';
import type { CandleSeries } from '../../packages/core/src/strategies/types.js';
import { startRuntime, type CallResult, type TestRuntime } from '../support/runtime.js';

/**
 * Optimisations over HTTP on the jobs spine (POST /_local/tick): a grid of 300 candidates fanned
 * out to several chunk workers ranks exactly as core does on the same candles, and as a run with
 * one worker; cancel stops it half-way with the partial results ranked; constraints, the
 * walk-forward report and the look-ahead check as core computes them.
 */

let t: TestRuntime;
const P = { 'X-Project-Id': 'p_demo' };
let keySeq = 0;
const key = () => `optimisation-test-${++keySeq}`;
let clock = Date.parse('2027-05-03T12:00:01Z');
const DAY = 86_400_000;
const CHUNK_JOB = 'research.optimisation-chunk';

beforeAll(async () => {
  t = await startRuntime({ now: () => clock });
});
afterAll(async () => {
  await t.stop();
});

/** every call mints its token on the clock of the moment (ticks move the clock) */
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const token = await t.token('u_navigator', 't_demo', '1h');
  return t.call(method, path, { token, headers: { ...P, ...headers }, body });
}
const get = (path: string) => call('GET', path);
const create = (body: unknown) => call('POST', '/v1/optimisations', body, { 'Idempotency-Key': key() });
async function tick(rounds?: number) {
  clock += 61_000;
  const r = await t.call('POST', '/_local/tick', {
    body: { at: new Date(clock).toISOString(), ...(rounds === undefined ? {} : { rounds }) },
  });
  expect(r.status, r.text).toBe(200);
  return r.body;
}

function expectStatus(res: CallResult, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  if (code) expect(res.body.code, res.text).toBe(code);
}

/** Daily bars the test knows bar for bar: a trend with two waves, so the averages cross often. */
function series(days: number, endMs: number) {
  const bars = Array.from({ length: days }, (_, i) => {
    const base = 100 + i * 0.05 + 9 * Math.sin(i / 11) + 4 * Math.sin(i / 3.7);
    const close = Math.round(base * 100) / 100;
    const open = Math.round((base - 0.3 * Math.cos(i)) * 100) / 100;
    return {
      time: new Date(endMs - (days - i) * DAY).toISOString().slice(0, 10),
      open: open.toFixed(2),
      high: (Math.max(open, close) + 0.8).toFixed(2),
      low: (Math.min(open, close) - 0.7).toFixed(2),
      close: close.toFixed(2),
      volume: String(1000 + i),
    };
  });
  const column = (f: (b: (typeof bars)[number]) => string) => Float64Array.from(bars, (b) => Number(f(b)));
  const candles: CandleSeries = {
    time: Float64Array.from(bars, (b) => Date.parse(b.time)),
    open: column((b) => b.open),
    high: column((b) => b.high),
    low: column((b) => b.low),
    close: column((b) => b.close),
    volume: column((b) => b.volume),
    length: bars.length,
  };
  return { bars, candles, from: bars[0].time, to: bars[bars.length - 1].time };
}

async function uploaded(symbol: string, days = 400) {
  const data = series(days, Math.floor(clock / DAY) * DAY);
  const admin = await t.token('u_admin', 't_demo', '1h');
  const r = await t.call('PUT', `/v1/market-data/candles/${symbol}/1day`, {
    token: admin,
    headers: P,
    body: { candles: data.bars },
  });
  expectStatus(r, 200);
  return data;
}

// 20 fast × 15 slow = 300 candidates, every one valid (fast < slow)
const SPACE = {
  fast: { min: 2, max: 21, step: 1 },
  slow: { values: [24, 26, 28, 30, 32, 34, 36, 38, 40, 44, 48, 52, 56, 60, 64] },
};
const CONSTRAINTS = { maxDrawdown: 0.12, minTrades: 6 };
const passes = (m: BacktestMetrics) =>
  -m.maxDrawdown <= CONSTRAINTS.maxDrawdown && m.tradeCount >= CONSTRAINTS.minTrades;

/** Core's ranking of the same candidates: passers first, then the rest, each by rankResults. */
function coreRanking(candles: CandleSeries, indices?: readonly number[]) {
  const cs = compileSpace(SPACE);
  const all = indices ?? Array.from({ length: cs.count }, (_, i) => i);
  const evaluated = all.map((index) => {
    const params = pointAt(cs, index);
    const { metrics } = runBacktest({ candles, strategy: smaCross, params });
    return { index, params, score: metrics.sharpe, passed: passes(metrics), metrics };
  });
  const passers = rankResults(evaluated.filter((e) => e.passed));
  const failers = rankResults(evaluated.filter((e) => !e.passed));
  return { order: [...passers, ...failers].map((e) => e.index), passers: passers.length, evaluated };
}

async function allResults(optimisationId: string) {
  const items: Array<Record<string, unknown>> = [];
  let cursor: string | null = null;
  do {
    const page: CallResult = await get(
      `/v1/optimisations/${optimisationId}/results?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expectStatus(page, 200);
    items.push(...(page.body.items ?? []));
    cursor = typeof page.body.nextCursor === 'string' ? page.body.nextCursor : null;
  } while (cursor);
  return items;
}

/** The worker environments (log streams) and invocations that evaluated an optimisation's chunks. */
async function chunkWorkers(optimisationId: string) {
  const res = await t.rt.platform.db.send(
    new QueryCommand({
      TableName: t.rt.tables.pooled,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :chunk)',
      ExpressionAttributeValues: {
        ':pk': `TENANT#t_demo#PROJECT#p_demo#RESEARCH#OPTIMISATION#${optimisationId}`,
        ':chunk': 'CHUNK#',
      },
    }),
  );
  const workers = (res.Items ?? []).map((c) => c.worker as { requestId: string; logStream: string });
  return {
    chunks: workers.length,
    environments: new Set(workers.map((w) => w.logStream)).size,
    invocations: new Set(workers.map((w) => w.requestId)).size,
  };
}

const body = (symbol: string, from: string, to: string, extra: Record<string, unknown> = {}) => ({
  strategy: 'smaCross',
  space: SPACE,
  method: 'grid',
  maxCandidates: 300,
  objective: 'sharpe',
  constraints: CONSTRAINTS,
  symbol,
  interval: '1day',
  from,
  to,
  ...extra,
});

describe('optimisations on the jobs spine', () => {
  let data: ReturnType<typeof series>;
  let core: ReturnType<typeof coreRanking>;
  let fannedOut = '';

  beforeAll(async () => {
    data = await uploaded('OPTA');
    core = coreRanking(data.candles);
  });

  it('a grid of 300 runs across several workers and ranks exactly as core does on the same candles', async () => {
    const made = await create(body('OPTA', data.from, data.to, { walkForward: { folds: 3, inSamplePct: 70 } }));
    expectStatus(made, 202);
    fannedOut = String(made.body.optimisationId);
    expect(made.headers.get('location')).toBe(`/v1/optimisations/${fannedOut}`);
    expect(made.body).toMatchObject({ status: 'pending', total: 300, done: 0, spaceSize: 300, bars: 400 });
    expectStatus(await get(`/v1/optimisations/${fannedOut}/walk-forward`), 409, 'WALK_FORWARD_NOT_READY');

    const report = await tick();
    expect((report.delivered as Record<string, number>)[CHUNK_JOB]).toBe(15);
    const done = await get(`/v1/optimisations/${fannedOut}`);
    expectStatus(done, 200);
    expect(done.body).toMatchObject({ status: 'completed', done: 300, total: 300, progress: 1, etaAt: null });
    expect(done.body.finishedAt).toEqual(expect.any(String));

    const workers = await chunkWorkers(fannedOut);
    expect(workers.chunks).toBe(15);
    expect(workers.environments).toBeGreaterThanOrEqual(2);
    expect(workers.invocations).toBe(15);

    const results = await allResults(fannedOut);
    expect(results.map((r) => r.index)).toEqual(core.order);
    expect(results.map((r) => r.rank)).toEqual(results.map((_, k) => k + 1));
    const best = core.evaluated.find((e) => e.index === core.order[0]);
    expect(done.body.best).toMatchObject({ rank: 1, index: core.order[0], params: best?.params });
    // every metric is core's (non-finite ones are null at the edge)
    for (const r of results.slice(0, 5)) {
      const mine = core.evaluated.find((e) => e.index === r.index);
      const metrics = Object.fromEntries(
        Object.entries(mine?.metrics ?? {}).map(([k, v]) => [k, Number.isFinite(v) ? v : null]),
      );
      expect(r.metrics).toEqual(metrics);
      expect(r.score).toBe(mine?.metrics.sharpe);
    }
  });

  it('enforces its constraints: candidates that miss one rank after every passer, the constraint named', async () => {
    expect(core.passers).toBeGreaterThan(0);
    expect(core.passers).toBeLessThan(300);
    const results = await allResults(fannedOut);
    const firstFailure = results.findIndex((r) => r.passed === false);
    expect(firstFailure).toBe(core.passers);
    expect(results.slice(firstFailure).every((r) => r.passed === false)).toBe(true);
    for (const r of results.slice(firstFailure)) {
      const failed = r.failed as string[];
      expect(failed.length).toBeGreaterThan(0);
      const outcomes = r.constraints as Array<{ name: string; passed: boolean; value: number; limit: number }>;
      expect(outcomes.map((c) => c.name)).toEqual(['maxDrawdown', 'minTrades']);
      expect(outcomes.filter((c) => !c.passed).map((c) => c.name)).toEqual(failed);
    }
    const failedNames = new Set(results.flatMap((r) => r.failed as string[]));
    expect(failedNames.size).toBeGreaterThan(0);
    const onlyFailures = await get(`/v1/optimisations/${fannedOut}/results?passed=false&limit=5`);
    expect(onlyFailures.body.items?.[0]?.rank).toBe(core.passers + 1);
  });

  it('the walk-forward report: each fold’s in-sample winner and out-of-sample metrics are core’s', async () => {
    const r = await get(`/v1/optimisations/${fannedOut}/walk-forward`);
    expectStatus(r, 200);
    // 3 out-of-sample windows with 70% of each window pair in sample, on the most recent bars
    const ratio = 70 / 30;
    const outOfSample = Math.floor(400 / (ratio + 3));
    const inSample = Math.floor(ratio * outOfSample);
    const start = 400 - (inSample + 3 * outOfSample);
    const cut = (a: ArrayLike<number>) => Float64Array.from({ length: 400 - start }, (_, i) => a[start + i]);
    const bars: CandleSeries = {
      time: cut(data.candles.time),
      open: cut(data.candles.open),
      high: cut(data.candles.high),
      low: cut(data.candles.low),
      close: cut(data.candles.close),
      volume: cut(data.candles.volume),
      length: 400 - start,
    };
    const expected = walkForward({
      candles: bars,
      strategy: smaCross,
      space: SPACE,
      objective: (res) => (passes(res.metrics) ? res.metrics.sharpe : Number.NaN),
      inSample,
      outOfSample,
      method: 'grid',
      budget: 300,
      seed: 0,
    });
    const folds = r.body.folds as Array<Record<string, unknown>>;
    expect(folds).toHaveLength(3);
    expect(r.body).toMatchObject({ inSampleBars: inSample, outOfSampleBars: outOfSample });
    const finite = (m: BacktestMetrics) =>
      Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Number.isFinite(v) ? v : null]));
    expected.windows.forEach((w, k) => {
      expect(folds[k].params).toEqual(w.params);
      expect(folds[k].outOfSampleMetrics).toEqual(finite(w.oosMetrics));
      expect(folds[k].inSampleMetrics).toEqual(finite(w.isMetrics));
      expect((folds[k].outOfSample as { bars: number }).bars).toBe(outOfSample);
    });
    const positive = expected.windows.filter((w) => w.oosMetrics.sharpe > 0).length / 3;
    expect(r.body.positiveOutOfSampleSharpeShare).toBe(positive);
    expect((r.body.overfitting as { likelyOverfit: boolean }).likelyOverfit).toBe(expected.overfitting.likelyOverfit);
  });

  it('the look-ahead check on the winner: present, and clean for a causal strategy', async () => {
    const r = await get(`/v1/optimisations/${fannedOut}`);
    const check = r.body.lookAhead as { biased: boolean; cuts: number[]; barsChecked: number; changed: unknown[] };
    expect(check.biased).toBe(false);
    expect(check.cuts.length).toBeGreaterThanOrEqual(3);
    expect(check.barsChecked).toBeGreaterThan(400);
    expect(check.changed).toEqual([]);
  });

  it('makes a draft playbook of the winner: its strategy, parameters and market, the source named', async () => {
    const account = await call(
      'POST',
      '/v1/accounts',
      { name: 'From an optimisation', venue: 'SIMULATION' },
      { 'Idempotency-Key': key() },
    );
    expectStatus(account, 201);
    const accountId = String(account.body.accountId);
    const winner = (await allResults(fannedOut))[0];
    const made = await call(
      'POST',
      `/v1/optimisations/${fannedOut}/playbook`,
      { accountId, maxOrdersPerDay: 3 },
      { 'Idempotency-Key': key() },
    );
    expectStatus(made, 201);
    expect(made.headers.get('etag')).toBe('"1"');
    expect(made.headers.get('location')).toBe(`/v1/playbooks/${made.body.playbookId}`);
    expect(made.body).toMatchObject({
      status: 'draft',
      strategy: 'smaCross',
      symbol: 'OPTA',
      interval: '1day',
      accountId,
      sourceOptimisationId: fannedOut,
      maxOrdersPerDay: 3,
      name: `smaCross OPTA 1day (optimisation ${fannedOut})`,
    });
    // the winner's parameters, with the strategy's defaults for what the search left alone
    expect(made.body.params).toMatchObject(winner.params as Record<string, unknown>);
    const read = await get(`/v1/playbooks/${made.body.playbookId}`);
    expect(read.body).toEqual(made.body);

    // not completed yet → 409; unknown → 404; the playbook's own fields are checked as POST /v1/playbooks does
    const pending = await create({
      ...body('OPTA', data.from, data.to),
      space: { fast: { values: [5] } },
      maxCandidates: 1,
    });
    expectStatus(pending, 202);
    const early = await call(
      'POST',
      `/v1/optimisations/${pending.body.optimisationId}/playbook`,
      { accountId },
      { 'Idempotency-Key': key() },
    );
    expectStatus(early, 409, 'OPTIMISATION_NOT_COMPLETED');
    const unknown = await call(
      'POST',
      '/v1/optimisations/op_01HZZZZZZZZZZZZZZZZZZZZZZZ/playbook',
      { accountId },
      { 'Idempotency-Key': key() },
    );
    expectStatus(unknown, 404, 'OPTIMISATION_NOT_FOUND');
    const badCap = await call(
      'POST',
      `/v1/optimisations/${fannedOut}/playbook`,
      { accountId, maxOrdersPerDay: 99, strategy: 'trend' },
      { 'Idempotency-Key': key() },
    );
    expectStatus(badCap, 400, 'VALIDATION_FAILED');
    expect((badCap.body.errors ?? []).map((e) => e.path)).toEqual(
      expect.arrayContaining(['body.maxOrdersPerDay', 'body.strategy']),
    );
    const noAccount = await call(
      'POST',
      `/v1/optimisations/${fannedOut}/playbook`,
      { accountId: 'ac_01HZZZZZZZZZZZZZZZZZZZZZZZ' },
      { 'Idempotency-Key': key() },
    );
    expect(noAccount.status, noAccount.text).toBe(422);
    // another tenant cannot reach this optimisation
    const acme = await t.token('u_acme', 't_acme', '1h');
    const foreign = await t.call('POST', `/v1/optimisations/${fannedOut}/playbook`, {
      token: acme,
      headers: { 'X-Project-Id': 'p_acme', 'Idempotency-Key': key() },
      body: { accountId },
    });
    expect([403, 404], foreign.text).toContain(foreign.status);
    // a winner that broke its constraints is not made a playbook
    const impossible = await create({
      ...body('OPTA', data.from, data.to),
      space: { fast: { values: [5] } },
      maxCandidates: 1,
      constraints: { minTrades: 5000 },
    });
    expectStatus(impossible, 202);
    await tick();
    expect((await get(`/v1/optimisations/${impossible.body.optimisationId}`)).body.status).toBe('completed');
    const refused = await call(
      'POST',
      `/v1/optimisations/${impossible.body.optimisationId}/playbook`,
      { accountId },
      { 'Idempotency-Key': key() },
    );
    expectStatus(refused, 422, 'WINNER_FAILED_CONSTRAINTS');
  });

  it('one worker at a time gives the same ranking', async () => {
    t.rt.jobs.setConcurrency(CHUNK_JOB, 1);
    try {
      const made = await create(body('OPTA', data.from, data.to));
      expectStatus(made, 202);
      const id = String(made.body.optimisationId);
      await tick();
      expect((await get(`/v1/optimisations/${id}`)).body.status).toBe('completed');
      expect((await chunkWorkers(id)).environments).toBe(1);
      expect((await allResults(id)).map((r) => r.index)).toEqual(core.order);
      expectStatus(await get(`/v1/optimisations/${id}/walk-forward`), 404, 'WALK_FORWARD_NOT_REQUESTED');
    } finally {
      t.rt.jobs.setConcurrency(CHUNK_JOB, undefined);
    }
  });

  it('cancels cleanly half-way: workers stop at their next chunk, the partial results kept and ranked', async () => {
    const made = await create(body('OPTA', data.from, data.to));
    expectStatus(made, 202);
    const id = String(made.body.optimisationId);
    // one delivery round: the plan and the first chunks only
    await tick(1);
    // some time passes: the ETA is the rate so far carried over the rest
    clock += 5_000;
    const running = await get(`/v1/optimisations/${id}`);
    expect(running.body.status).toBe('running');
    const doneBefore = Number(running.body.done);
    expect(doneBefore).toBeGreaterThan(0);
    expect(doneBefore).toBeLessThan(300);
    expect(running.body.etaAt).toEqual(expect.any(String));
    expect(running.body.best).toMatchObject({ rank: 1 });

    const cancelled = await call('POST', `/v1/optimisations/${id}/cancel`, {});
    expectStatus(cancelled, 200);
    expect(cancelled.body.status).toBe('cancelled');
    await tick();
    const after = await get(`/v1/optimisations/${id}`);
    expect(after.body).toMatchObject({ status: 'cancelled', done: doneBefore, total: 300 });
    const results = await allResults(id);
    expect(results).toHaveLength(doneBefore);
    const partial = coreRanking(
      data.candles,
      results.map((r) => Number(r.index)),
    );
    expect(results.map((r) => r.index)).toEqual(partial.order);
    expectStatus(await call('POST', `/v1/optimisations/${id}/cancel`, {}), 409, 'OPTIMISATION_ENDED');
    expectStatus(await call('POST', `/v1/optimisations/${fannedOut}/cancel`, {}), 409, 'OPTIMISATION_ENDED');
  });

  it('lists the project’s optimisations newest first, and describes the methods and objectives', async () => {
    const list = await get('/v1/optimisations?limit=2');
    expectStatus(list, 200);
    expect(list.body.items).toHaveLength(2);
    expect(typeof list.body.nextCursor).toBe('string');
    const ids = (list.body.items ?? []).map((i) => String(i.optimisationId));
    expect([...ids].sort().reverse()).toEqual(ids);
    const methods = await get('/v1/optimisation/methods');
    expect((methods.body.items ?? []).map((m) => m.name)).toEqual(['grid', 'random', 'guided']);
    const objectives = await get('/v1/optimisation/objectives');
    expect((objectives.body.items ?? []).map((m) => m.name)).toEqual([
      'sharpe',
      'sortino',
      'calmar',
      'totalReturn',
      'profitFactor',
      'expectancy',
    ]);
  });

  it('a guided search completes round by round, the same ranking from the same seed', async () => {
    const guided = (seed: number) =>
      create(body('OPTA', data.from, data.to, { method: 'guided', maxCandidates: 60, seed }));
    const first = String((await guided(7)).body.optimisationId);
    const second = String((await guided(7)).body.optimisationId);
    await tick();
    for (const id of [first, second]) {
      const r = await get(`/v1/optimisations/${id}`);
      expect(r.body).toMatchObject({ status: 'completed', done: 60, total: 60 });
      expect(Number(r.body.round)).toBeGreaterThan(1);
    }
    expect((await allResults(first)).map((r) => r.index)).toEqual((await allResults(second)).map((r) => r.index));
  });

  it('another tenant’s or project’s ids → 404; bad inputs → 400 with the field path; no candles → 422', async () => {
    const acme = await t.token('u_acme', 't_acme', '1h');
    for (const path of [
      `/v1/optimisations/${fannedOut}`,
      `/v1/optimisations/${fannedOut}/results`,
      `/v1/optimisations/${fannedOut}/walk-forward`,
    ]) {
      const r = await t.call('GET', path, { token: acme, headers: { 'X-Project-Id': 'p_acme' } });
      expect([403, 404], r.text).toContain(r.status);
    }
    const foreign = await t.call('POST', `/v1/optimisations/${fannedOut}/cancel`, {
      token: acme,
      headers: { 'X-Project-Id': 'p_acme' },
      body: {},
    });
    expect([403, 404], foreign.text).toContain(foreign.status);
    const unknown = '/v1/optimisations/op_01HZZZZZZZZZZZZZZZZZZZZZZZ';
    expectStatus(await get(unknown), 404, 'OPTIMISATION_NOT_FOUND');

    const bad = async (extra: Record<string, unknown>, path: string, code = 'VALIDATION_FAILED') => {
      const r = await create(body('OPTA', data.from, data.to, extra));
      expectStatus(r, 400, code);
      expect(
        (r.body.errors ?? []).map((e) => e.path),
        r.text,
      ).toContain(path);
    };
    await bad({ space: { ...SPACE, nope: { values: [1, 2] } } }, 'body.space.nope');
    await bad({ space: { fast: { values: [1.5] } } }, 'body.space.fast');
    await bad({ maxCandidates: 299 }, 'body.maxCandidates', 'GRID_TOO_LARGE');
    await bad({ method: 'annealing' }, 'body.method');
    await bad({ objective: 'luck' }, 'body.objective');
    await bad({ constraints: { maxDrawdown: 2 } }, 'body.constraints.maxDrawdown');
    await bad({ space: { fast: { min: 5, max: 2, step: 1 } } }, 'body.space.fast');
    await bad({ baseParams: { slowest: 3 } }, 'body.baseParams.slowest');
    await bad({ from: data.to, to: data.from }, 'body.from');
    await bad({ initialCapital: '-5' }, 'body.initialCapital');
    await bad({ walkForward: { folds: 0, inSamplePct: 70 } }, 'body.walkForward.folds');
    const none = await create(body('NOCANDLES', data.from, data.to));
    expectStatus(none, 422, 'NOT_ENOUGH_CANDLES');
    const short = await uploaded('OPTB', 30);
    const tooFew = await create(body('OPTB', short.from, short.to, { walkForward: { folds: 20, inSamplePct: 95 } }));
    expectStatus(tooFew, 422, 'NOT_ENOUGH_CANDLES');
  });
});

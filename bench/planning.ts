/**
 * Rebalance planning at scale:
 * - the category proposal (`proposeRebalance`, pure core) of a deterministic 500-holding book
 *   (10 categories, lots, exclusions, recent trades), plain, tax-aware and cash-first, each with a
 *   gate that approves everything (the app passes one), against the older symbol-level planner
 *   (`planRebalance`) on the same holdings with the equivalent symbol targets, in the same rounds;
 * - one slot of `planning.rebalance-run` on the local runtime (DynamoDB Local, the SQS emulator,
 *   the same dispatcher and worker modules Lambda runs): N synthetic due items naming schedules
 *   that do not exist (the worker reads, finds nothing, skips) plus 20 real schedules created over
 *   HTTP on real portfolios, all due at the same instant; the tick's dispatch, then delivery until
 *   every queue is empty. Baseline in the same run: N `portfolio.purge` items for portfolios that
 *   do not exist (the platform's cheapest job shape: one read, skipped), the job bench/dispatcher.ts
 *   dispatches, in a slot before and one after the planning slot (A-B-A: ratios against their
 *   mean). Each real schedule must have exactly one execution. With --dispatch-only-items M, M
 *   items of each job are also dispatched alone (queue purged, nothing run), A-B-A as well: 100,000
 *   run end to end takes far longer than 10 minutes on a 2-core machine, so the default report runs
 *   10,000 end to end and dispatches 100,000 (see `npm run bench -- planning`).
 * Writes bench/results/planning.json.
 *
 *   npx tsx bench/planning.ts [--items 10000] [--dispatch-only-items 100000] [--runs 40]
 *   (the whole 100,000 end to end: --items 100000 --dispatch-only-items 0)
 */
import { PurgeQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { type D, Dec } from '../packages/core/src/money.js';
import { planRebalance, type RebalanceInput } from '../packages/core/src/rebalance/planner.js';
import {
  type ProposalCategory,
  type ProposalHolding,
  type ProposalInput,
  type ProposalOptions,
  type ProposalPlan,
  proposeRebalance,
  type RecentTrade,
  type TradeGate,
} from '../packages/core/src/rebalance/proposal.js';
import { REPO_ROOT, startLocal } from '../packages/local/src/app.js';
import { LocalClock } from '../packages/local/src/clock.js';
import type { DueWork } from '../packages/platform/src/jobs/due/store.js';
import { RATE_LIMITS_CONFIG } from '../packages/platform/src/http/middlewares/limits/index.js';

const argOf = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ITEMS = argOf('--items', 10_000);
const DISPATCH_ONLY_ITEMS = argOf('--dispatch-only-items', 100_000);
const RUNS = argOf('--runs', 40);
const WARMUP = 10;
const REAL_SCHEDULES = 20;
const WARMUP_ITEMS = 500;
const HOLDINGS = 500;
const TODAY = '2026-06-15';
const PLANNING_JOB = 'planning.rebalance-run';
const BASELINE_JOB = 'portfolio.purge';

const pct = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * q) - 1)] ?? 0;
const stats = (runs: number[]) => {
  const s = [...runs].sort((a, b) => a - b);
  return { n: s.length, p50ms: pct(s, 0.5), p95ms: pct(s, 0.95), minMs: s[0] ?? 0, maxMs: s.at(-1) ?? 0 };
};
const round = (x: number, dp = 2) => Number(x.toFixed(dp));

// =============================================================================================
// 1. the proposal of a 500-holding book, in-process (before the runtime starts: nothing else of
//    ours on the cores)

/** mulberry32: a small seeded PRNG, so the book is the same every run */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(20260615);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const dayMs = 86_400_000;
const daysBefore = (n: number) => new Date(Date.parse(`${TODAY}T00:00:00Z`) - n * dayMs).toISOString().slice(0, 10);

const TARGETS = ['18', '14', '12', '11', '10', '9', '8', '7', '6', '5']; // Σ 100
const categories: ProposalCategory[] = TARGETS.map((targetPct, i) => ({
  categoryId: `cat${i}`,
  name: `Category ${i}`,
  code: `C${i}`,
  targetPct,
  rebalanceThresholdPct: '1',
}));
const symbols = Array.from({ length: HOLDINGS }, (_, i) => `S${String(i).padStart(3, '0')}`);
const holdings: ProposalHolding[] = symbols.map((symbol) => {
  const price = 5 + rand() * 495;
  const quantity = int(1, 400);
  const lotCount = Math.min(quantity, int(1, 3));
  const ages = Array.from({ length: lotCount }, () => int(0, 3 * 365 - 1)).sort((a, b) => b - a); // oldest first
  let left = quantity;
  const lots = ages.map((age, k) => {
    const q = k === lotCount - 1 ? left : int(1, left - (lotCount - 1 - k));
    left -= q;
    return {
      lotId: `${symbol}-L${k + 1}`,
      acquired: daysBefore(age),
      quantity: String(q),
      costBasis: (q * price * (0.7 + rand() * 0.6)).toFixed(2),
    };
  });
  return { symbol, quantity: String(quantity), price: price.toFixed(2), lots };
});
const assignments = symbols.map((symbol, i) => ({
  symbol,
  categoryId: `cat${int(0, 9)}`,
  ...(i % 4 === 0 ? { weight: ['0.5', '2', '3'][i % 3] } : {}),
}));
const exclusions = ['S007', 'S101', 'S250', 'S333', 'S498'].map((symbol) => ({ symbol, reason: 'bench: held apart' }));
const recentTrades: RecentTrade[] = Array.from({ length: 50 }, () => {
  const side = rand() < 0.5 ? 'buy' : 'sell';
  return {
    symbol: symbols[int(0, HOLDINGS - 1)],
    side,
    tradeDate: daysBefore(int(0, 29)),
    ...(side === 'sell' ? { realisedGain: ((rand() - 0.6) * 2000).toFixed(2) } : {}),
  };
});
const holdingsValue = holdings.reduce((s, h) => s.plus(new Dec(h.quantity).times(h.price)), new Dec(0));
const cash = holdingsValue.div(19).toDecimalPlaces(2).toFixed(); // 5 % of holdings + cash
const OPTIONS: ProposalOptions = {
  band: 'absolute',
  thresholdPct: '1',
  cashFirst: false,
  minNotional: '1',
  fractional: false,
  taxAware: false,
  costBps: '5',
  perTradeFee: '0',
  today: TODAY,
};
const book = (options: Partial<ProposalOptions>): ProposalInput => ({
  baseCurrency: 'USD',
  cash,
  holdings,
  prices: {},
  categories,
  assignments,
  exclusions,
  recentTrades,
  plannedBuys: ['S010', 'S020', 'S030'],
  options: { ...OPTIONS, ...options },
});
let gateCalls = 0;
const approveAll: TradeGate = () => {
  gateCalls++;
  return { approved: true };
};

// the planner's equivalent: each symbol's target = its category's target × weight / Σ weights
const sumWeights = new Map<string, D>();
for (const a of assignments)
  sumWeights.set(a.categoryId, (sumWeights.get(a.categoryId) ?? new Dec(0)).plus(a.weight ?? '1'));
const targetOf = new Map(categories.map((c) => [c.categoryId, c.targetPct]));
const plannerInput: RebalanceInput = {
  holdings: Object.fromEntries(holdings.map((h) => [h.symbol, h.quantity])),
  prices: Object.fromEntries(holdings.map((h) => [h.symbol, h.price])),
  cash,
  targets: Object.fromEntries(
    assignments.map((a) => [
      a.symbol,
      new Dec(targetOf.get(a.categoryId) ?? '0')
        .times(a.weight ?? '1')
        .div(sumWeights.get(a.categoryId) ?? 1)
        .toFixed(),
    ]),
  ),
  // ± 0 points: every symbol off its target trades back to it, the work the proposal does for
  // the symbols of every category outside its band (± 1 point on a ~0.2 % symbol would trade nothing)
  band: { kind: 'absolute', points: 0 },
  minTrade: '1',
  fractional: false,
  fees: { pct: '0.05', perTrade: '0' }, // 5 bps
};

const variants = {
  planner: () => planRebalance(plannerInput),
  plainNoGate: () => proposeRebalance(book({})),
  plain: () => proposeRebalance(book({}), approveAll),
  taxAware: () => proposeRebalance(book({ taxAware: true }), approveAll),
  cashFirst: () => proposeRebalance(book({ cashFirst: true }), approveAll),
} as const;
type Variant = keyof typeof variants;
const names = Object.keys(variants) as Variant[];
const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<Variant, number[]>;
const outputs = {} as Record<Variant, unknown>;
for (let r = 0; r < WARMUP + RUNS; r++) {
  // rotate the order each round, so no variant always runs after the same one
  for (let k = 0; k < names.length; k++) {
    const name = names[(r + k) % names.length];
    const t0 = performance.now();
    const out = variants[name]();
    const ms = performance.now() - t0;
    if (r >= WARMUP) samples[name].push(ms);
    outputs[name] = out;
  }
}
const gatePerRun = gateCalls / ((WARMUP + RUNS) * 3);
const countBy = <T>(xs: readonly T[], key: (x: T) => string) =>
  xs.reduce<Record<string, number>>((m, x) => {
    m[key(x)] = (m[key(x)] ?? 0) + 1;
    return m;
  }, {});
const work = (p: ProposalPlan) => ({
  trades: p.trades.length,
  sells: p.trades.filter((t) => t.side === 'sell').length,
  buys: p.trades.filter((t) => t.side === 'buy').length,
  lotsTaken: p.trades.reduce((s, t) => s + (t.lots?.length ?? 0), 0),
  washSaleFlags: p.trades.reduce((s, t) => s + t.washSales.length, 0),
  dropped: p.dropped.length,
  droppedBy: countBy(p.dropped, (d) => d.reason),
  categoriesOutsideBefore: p.drift.before.categories.filter((c) => c.outsideBand).length,
  categoriesOutsideAfter: p.drift.after.categories.filter((c) => c.outsideBand).length,
  totalDriftPct: { before: p.drift.before.totalDriftPct, after: p.drift.after.totalDriftPct },
  cashBefore: p.cashBefore,
  cashAfter: p.cashAfter,
  cashLimited: p.cashLimited,
  estimatedGains: p.estimatedGains,
});
const plannerStats = stats(samples.planner);
const planned = outputs.planner as ReturnType<typeof planRebalance>;
const core = {
  what: 'proposeRebalance of a 500-holding book, in-process; baseline planRebalance on the same holdings',
  book: {
    holdings: HOLDINGS,
    lots: holdings.reduce((s, h) => s + h.lots.length, 0),
    categories: categories.length,
    exclusions: exclusions.length,
    recentTrades: recentTrades.length,
    plannedBuys: 3,
    totalValue: holdingsValue.plus(cash).toFixed(2),
    cash,
    options: OPTIONS,
  },
  warmup: WARMUP,
  runs: RUNS,
  baseline: {
    what:
      'planRebalance (symbol level) on the same 500 holdings, targets = category target × weight / Σ weights, ' +
      'band absolute ± 0 points (every symbol off target trades), minTrade 1, whole units, fees 5 bps',
    ...plannerStats,
    trades: planned.trades.length,
    dropped: planned.dropped.length,
    droppedBy: countBy(planned.dropped, (d) => d.reason),
  },
  gateCallsPerRun: gatePerRun,
  variants: Object.fromEntries(
    (['plainNoGate', 'plain', 'taxAware', 'cashFirst'] as const).map((n) => {
      const s = stats(samples[n]);
      return [
        n,
        {
          ...s,
          gate: n !== 'plainNoGate',
          ratioVsPlanner: { p50: s.p50ms / plannerStats.p50ms, p95: s.p95ms / plannerStats.p95ms },
          ...work(outputs[n] as ProposalPlan),
        },
      ];
    }),
  ),
};
const rows: Array<[string, ReturnType<typeof stats>, number, number]> = [
  ['planner (baseline)', plannerStats, planned.trades.length, planned.dropped.length],
  ...(['plainNoGate', 'plain', 'taxAware', 'cashFirst'] as const).map(
    (n): [string, ReturnType<typeof stats>, number, number] => {
      const p = outputs[n] as ProposalPlan;
      return [n, stats(samples[n]), p.trades.length, p.dropped.length];
    },
  ),
];
console.table(
  rows.map(([what, s, trades, dropped]) => ({
    what,
    p50ms: s.p50ms.toFixed(1),
    p95ms: s.p95ms.toFixed(1),
    vsPlannerP50: (s.p50ms / plannerStats.p50ms).toFixed(2),
    trades,
    dropped,
  })),
);

// =============================================================================================
// 2. one slot of rebalance runs on the local runtime

// a fixed instant (a Tuesday, New York on EDT): the schedules' 09:30 slot is 13:30Z the same day
const START = Date.parse('2027-04-06T12:00:01Z');
const clock = new LocalClock(START);
// each job run's latency (the worker's own EMF line: job, outcome, jobLatency), by job and outcome
const latencies = new Map<string, number[]>();
const metricsSink = (line: string) => {
  const m = JSON.parse(line) as { job?: unknown; outcome?: unknown; jobLatency?: unknown };
  if (typeof m.job !== 'string' || typeof m.outcome !== 'string' || typeof m.jobLatency !== 'number') return;
  const key = `${m.job} ${m.outcome}`;
  const runs = latencies.get(key) ?? [];
  runs.push(m.jobLatency);
  latencies.set(key, runs);
};
const takeLatencies = () => {
  const out = Object.fromEntries(
    [...latencies].map(([key, runs]) => {
      const { n, p50ms, p95ms, maxMs } = stats(runs);
      return [key, { n, p50ms, p95ms, maxMs }];
    }),
  );
  latencies.clear();
  return out;
};
const rt = await startLocal({
  metricsSink,
  port: 0,
  inMemory: true,
  tablePrefix: 'benchpl',
  minuteTick: false,
  now: () => clock.now(),
});
const sqs = new SQSClient({
  region: 'us-east-1',
  endpoint: rt.queues.endpoint,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
try {
  await rt.platform.tenancy.putConfig(RATE_LIMITS_CONFIG, {
    observer: 1e9,
    navigator: 1e9,
    operator: 1e9,
    sovereign: 1e9,
    default: 1e9,
  });
  // DynamoDB calls by command, on the platform's one client (the document client and the
  // Powertools idempotency layer share its middleware stack)
  const dynamoCalls = new Map<string, number>();
  rt.platform.dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      dynamoCalls.set(name, (dynamoCalls.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchDynamoCallCounter' },
  );
  const takeCalls = () => {
    const out = Object.fromEntries([...dynamoCalls].sort(([a], [b]) => (a < b ? -1 : 1)));
    dynamoCalls.clear();
    return out;
  };

  let seq = 0;
  const call = async (method: string, path: string, o: { body?: unknown; headers?: Record<string, string> } = {}) => {
    // minted on the runtime's clock of the moment (it jumps)
    const token = await rt.issuer.mint({ sub: 'u_admin', tenantId: 't_demo', expiresIn: '1h' }, clock.now());
    const res = await fetch(`${rt.url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        'X-Project-Id': 'p_demo',
        'Idempotency-Key': `bench-${++seq}-${Date.now()}`,
        ...(o.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...o.headers,
      },
      body: o.body !== undefined ? JSON.stringify(o.body) : undefined,
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 500)}`);
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };

  // ---- 20 real schedules (the calls of test/e2e/planning-schedules.test.ts)
  const daily = { name: 'Open', frequency: 'daily', timeOfDay: '09:30', timezone: 'America/New_York' };
  const real: Array<{ pf: string; scheduleId: string; nextRunAt: string }> = [];
  for (let i = 0; i < REAL_SCHEDULES; i++) {
    const account = await call('POST', '/v1/accounts', {
      body: { name: `Sched ${i}`, venue: 'SIMULATION', simulation: { slippageBps: 0 } },
    });
    const pf = String(account.body.portfolioId);
    await call('POST', `/v1/portfolios/${pf}/transactions`, {
      body: { type: 'BUY', symbol: 'AAPL', quantity: '10', price: '1', tradeDate: '2026-01-05' },
    });
    for (const [code, target, symbol] of [
      ['EQ', '50', 'AAPL'],
      ['BD', '50', 'BND'],
    ] as const) {
      const c = await call('POST', `/v1/portfolios/${pf}/categories`, {
        body: { name: code, code, type: 'equity', targetPct: target },
      });
      await call('PUT', `/v1/portfolios/${pf}/assignments/${symbol}`, { body: { categoryId: c.body.categoryId } });
    }
    const s = await call('POST', `/v1/portfolios/${pf}/rebalance/schedules`, { body: daily });
    real.push({ pf, scheduleId: String(s.body.scheduleId), nextRunAt: String(s.body.nextRunAt) });
  }
  const dueAt = real[0].nextRunAt;
  if (real.some((r) => r.nextRunAt !== dueAt)) throw new Error(`the schedules are due apart: ${JSON.stringify(real)}`);
  const slotMs = Date.parse(dueAt);
  if (slotMs % 60_000 !== 0 || slotMs <= clock.now()) throw new Error(`unexpected slot ${dueAt}`);

  // ---- the synthetic due items: schedules and portfolios that do not exist (ids of the right shape)
  const id = (prefix: string, i: number) => `${prefix}_${String(i).padStart(26, '0')}`;
  const planningWork = (n: number, at: string, base: number): DueWork[] =>
    Array.from({ length: n }, (_, i) => ({
      job: PLANNING_JOB,
      tenantId: 't_demo',
      env: 'dev',
      projectId: 'p_demo',
      workId: id('rs', base + i),
      dueAt: at,
      payload: { portfolioId: id('pf', base + i), scheduleId: id('rs', base + i) },
    }));
  const baselineWork = (n: number, at: string, base: number): DueWork[] =>
    Array.from({ length: n }, (_, i) => ({
      job: BASELINE_JOB,
      tenantId: 't_demo',
      env: 'dev',
      projectId: 'p_demo',
      workId: id('pf', base + i),
      dueAt: at,
      payload: { portfolioId: id('pf', base + i), version: 2 },
    }));
  const minutes = (m: number) => new Date(slotMs + m * 60_000).toISOString();
  // slots, earliest first (a tick dispatches every occupied slot up to its instant)
  const plan = [
    // not measured: the workers' modules, caches and DynamoDB Local's JIT warm up on both jobs first
    { key: 'warmupBaseline', job: BASELINE_JOB, at: minutes(-60), n: WARMUP_ITEMS, run: true },
    { key: 'warmupPlanning', job: PLANNING_JOB, at: minutes(-59), n: WARMUP_ITEMS, run: true },
    // A-B-A: the baseline before and after the planning slot, so drift in the machine's load (it is
    // shared) and the growing idempotency table weigh on both sides of the ratio alike
    ...(DISPATCH_ONLY_ITEMS
      ? [
          {
            key: 'dispatchOnlyBaselineBefore',
            job: BASELINE_JOB,
            at: minutes(-40),
            n: DISPATCH_ONLY_ITEMS,
            run: false,
          },
          { key: 'dispatchOnlyPlanning', job: PLANNING_JOB, at: minutes(-30), n: DISPATCH_ONLY_ITEMS, run: false },
          { key: 'dispatchOnlyBaselineAfter', job: BASELINE_JOB, at: minutes(-20), n: DISPATCH_ONLY_ITEMS, run: false },
        ]
      : []),
    { key: 'baselineBefore', job: BASELINE_JOB, at: minutes(-10), n: ITEMS, run: true },
    { key: 'planning', job: PLANNING_JOB, at: dueAt, n: ITEMS, run: true },
    { key: 'baselineAfter', job: BASELINE_JOB, at: minutes(10), n: ITEMS, run: true },
  ];
  let seedSeconds = 0;
  let seeded = 0;
  for (const [k, p] of plan.entries()) {
    const items = p.job === PLANNING_JOB ? planningWork(p.n, p.at, k * 1e6) : baselineWork(p.n, p.at, k * 1e6);
    const t0 = performance.now();
    for (let i = 0; i < items.length; i += 10_000) await rt.platform.due.scheduleMany(items.slice(i, i + 10_000));
    seedSeconds += (performance.now() - t0) / 1000;
    seeded += items.length;
    console.log(`seeded ${items.length} ${p.job} due at ${p.at} (${seedSeconds.toFixed(0)} s so far)`);
  }

  // the tick, in its two parts: the dispatcher module LocalJobs.tick loads, then delivery until idle
  const dispatcher = (
    (await import(pathToFileURL(join(REPO_ROOT, 'functions/jobs/dispatcher.ts')).href)) as {
      handler: () => Promise<{ sent: Record<string, number>; slots: number }>;
    }
  ).handler;
  const depthOf = (job: string) => rt.queues.depth(rt.queues.names[job].queue);
  const deadOf = (job: string) => rt.queues.depth(rt.queues.names[job].deadLetter);
  const totalDepth = () => Object.values(rt.queues.names).reduce((s, n) => s + rt.queues.depth(n.queue), 0);

  interface SlotResult {
    job: string;
    dueAt: string;
    items: number;
    sent: number;
    queuedAfterDispatch: number;
    dispatch: { seconds: number; itemsPerSec: number; dynamoCalls: Record<string, number> };
    run?: {
      seconds: number;
      itemsPerSec: number;
      msPerItem: number;
      dynamoCalls: Record<string, number>;
      dynamoCallsPerItem: number;
      /** by `job outcome`: each run's own latency (a batch's 10 records run at once) */
      jobLatency: Record<string, { n: number; p50ms: number; p95ms: number; maxMs: number }>;
    };
    slot?: { seconds: number; itemsPerSec: number };
    delivered?: Record<string, number>;
    failed?: Record<string, number>;
    leftInQueues?: number;
    deadLettered?: number;
  }
  const slotRun = async (p: (typeof plan)[number]): Promise<SlotResult> => {
    clock.set(Date.parse(p.at) + 20_000);
    takeCalls();
    takeLatencies();
    const t0 = performance.now();
    const report = await dispatcher();
    const dispatchMs = performance.now() - t0;
    const queued = depthOf(p.job);
    const dispatchCalls = takeCalls();
    const out: SlotResult = {
      job: p.job,
      dueAt: p.at,
      items: p.n,
      sent: report.sent[p.job] ?? 0,
      queuedAfterDispatch: queued,
      dispatch: {
        seconds: round(dispatchMs / 1000),
        itemsPerSec: Math.round(queued / (dispatchMs / 1000)),
        dynamoCalls: dispatchCalls,
      },
    };
    if (!p.run) {
      await sqs.send(new PurgeQueueCommand({ QueueUrl: rt.queues.urls[p.job] }));
      console.log(`${p.key}: dispatched ${queued} in ${out.dispatch.seconds} s (queue purged, not run)`);
      return out;
    }
    const delivered: Record<string, number> = {};
    const failed: Record<string, number> = {};
    const t1 = performance.now();
    let lastLog = t1;
    for (;;) {
      const d = await rt.jobs.deliver(100);
      let n = 0;
      for (const [job, c] of Object.entries(d.delivered)) {
        delivered[job] = (delivered[job] ?? 0) + c;
        n += c;
      }
      for (const [job, c] of Object.entries(d.failed)) failed[job] = (failed[job] ?? 0) + c;
      if (!n) break;
      if (performance.now() - lastLog > 30_000) {
        lastLog = performance.now();
        console.log(`  ${p.key}: ${delivered[p.job] ?? 0} delivered, ${((lastLog - t1) / 1000).toFixed(0)} s`);
      }
    }
    const drainMs = performance.now() - t1;
    const runCalls = takeCalls();
    const runItems = Math.max(1, delivered[p.job] ?? 0);
    const slotMsTotal = dispatchMs + drainMs;
    console.log(`${p.key}: ${queued} dispatched in ${out.dispatch.seconds} s, run in ${(drainMs / 1000).toFixed(1)} s`);
    return {
      ...out,
      run: {
        seconds: round(drainMs / 1000),
        itemsPerSec: Math.round((delivered[p.job] ?? 0) / (drainMs / 1000)),
        msPerItem: drainMs / runItems,
        dynamoCalls: runCalls,
        dynamoCallsPerItem: Object.values(runCalls).reduce((a, b) => a + b, 0) / runItems,
        jobLatency: takeLatencies(),
      },
      slot: { seconds: round(slotMsTotal / 1000), itemsPerSec: Math.round(queued / (slotMsTotal / 1000)) },
      delivered,
      failed,
      leftInQueues: totalDepth(),
      deadLettered: deadOf(p.job),
    };
  };
  const results: Record<string, SlotResult> = {};
  for (const p of plan) results[p.key] = await slotRun(p);

  // ---- every real schedule ran exactly once
  const checks = [];
  for (const r of real) {
    const ex = await call('GET', `/v1/portfolios/${r.pf}/rebalance/executions?limit=100`);
    const items = (ex.body.items ?? []) as Array<Record<string, unknown>>;
    const mine = items.filter((e) => e.scheduleId === r.scheduleId);
    const s = await call('GET', `/v1/portfolios/${r.pf}/rebalance/schedules/${r.scheduleId}`);
    checks.push({
      executions: mine.length,
      slot: mine[0]?.slot,
      status: mine[0]?.status,
      missedSlots: mine[0]?.missedSlots ?? 0,
      detail: mine[0]?.detail ?? mine[0]?.error,
      nextRunAt: s.body.nextRunAt,
    });
  }
  const exactlyOnce = checks.filter((c) => c.executions === 1 && c.slot === dueAt).length;
  const planning = results.planning;
  const [before, after] = [results.baselineBefore, results.baselineAfter];
  const mean = (f: (r: SlotResult) => number | undefined) => ((f(before) ?? 0) + (f(after) ?? 0)) / 2;
  const baseline = {
    dispatchSeconds: mean((r) => r.dispatch.seconds),
    runSeconds: mean((r) => r.run?.seconds),
    slotSeconds: mean((r) => r.slot?.seconds),
    msPerItem: mean((r) => r.run?.msPerItem),
    dynamoCallsPerItem: mean((r) => r.run?.dynamoCallsPerItem),
  };
  const dispatchOnly = DISPATCH_ONLY_ITEMS
    ? {
        what: `${DISPATCH_ONLY_ITEMS} items each, one slot each, dispatched only (the queue purged after, nothing run)`,
        baselineBefore: results.dispatchOnlyBaselineBefore,
        planning: results.dispatchOnlyPlanning,
        baselineAfter: results.dispatchOnlyBaselineAfter,
        ratio: {
          planningVsBaselineMean:
            results.dispatchOnlyPlanning.dispatch.seconds /
            ((results.dispatchOnlyBaselineBefore.dispatch.seconds +
              results.dispatchOnlyBaselineAfter.dispatch.seconds) /
              2),
        },
      }
    : undefined;
  const runtime = {
    what:
      `one slot of ${PLANNING_JOB}: ${ITEMS} synthetic due items (schedules that do not exist: read, skipped) ` +
      `+ ${REAL_SCHEDULES} real schedules, dispatched by the dispatcher module and delivered by LocalJobs ` +
      '(batches of 10, one batch at a time, as LocalJobs.tick does) until every queue is empty',
    note:
      'local runtime, DynamoDB Local (a JVM, in memory) and the fauxqs emulator on the same 2-core machine, shared ' +
      'with other work; items/s is one local consumer (Lambda would run many batches at once)',
    scale:
      ITEMS < 100_000
        ? `run end to end with ${ITEMS} items (100,000 would take well over 10 minutes here: see extrapolated); ` +
          (DISPATCH_ONLY_ITEMS ? `dispatch alone measured with ${DISPATCH_ONLY_ITEMS}` : 'no dispatch-only measurement')
        : `run end to end with ${ITEMS} items`,
    clock: { start: new Date(START).toISOString(), slot: dueAt },
    seed: { items: seeded, seconds: round(seedSeconds, 1), itemsPerSec: Math.round(seeded / seedSeconds) },
    baseline: {
      what:
        `${ITEMS} ${BASELINE_JOB} items for portfolios that do not exist (one read, skipped), each in its own slot, ` +
        'one slot before and one after the planning slot; ratios are against their mean',
      mean: baseline,
      before,
      after,
    },
    planning,
    ...(dispatchOnly ? { dispatchOnly } : {}),
    ratio: {
      planningVsBaselineMean: {
        dispatchSeconds: planning.dispatch.seconds / baseline.dispatchSeconds,
        runSeconds: (planning.run?.seconds ?? 0) / baseline.runSeconds,
        slotSeconds: (planning.slot?.seconds ?? 0) / baseline.slotSeconds,
        msPerItem: (planning.run?.msPerItem ?? 0) / baseline.msPerItem,
        dynamoCallsPerItem: (planning.run?.dynamoCallsPerItem ?? 0) / baseline.dynamoCallsPerItem,
      },
    },
    ...(ITEMS < 100_000
      ? {
          extrapolated: {
            what:
              `NOT measured: 100,000 items run at the per-item cost measured here on ${ITEMS} ` +
              '(one LocalJobs consumer, batches of 10), plus the measured dispatch of 100,000 when there is one',
            planningSlotSeconds: Math.round(
              (dispatchOnly?.planning.dispatch.seconds ?? 0) + ((planning.run?.msPerItem ?? 0) * 100_000) / 1000,
            ),
            baselineSlotSeconds: Math.round(
              (dispatchOnly
                ? (dispatchOnly.baselineBefore.dispatch.seconds + dispatchOnly.baselineAfter.dispatch.seconds) / 2
                : 0) +
                (baseline.msPerItem * 100_000) / 1000,
            ),
          },
        }
      : {}),
    warmup: { items: WARMUP_ITEMS, baseline: results.warmupBaseline, planning: results.warmupPlanning },
    realSchedules: {
      count: REAL_SCHEDULES,
      exactlyOneExecution: exactlyOnce,
      statuses: countBy(checks, (c) => String(c.status)),
      nextRunAt: countBy(checks, (c) => String(c.nextRunAt)),
      first: checks.slice(0, 3),
    },
  };

  const report = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    machine: { cpus: cpus().length, model: cpus()[0]?.model },
    proposal: core,
    runtime,
  };
  await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
  await writeFile(join(import.meta.dirname, 'results/planning.json'), `${JSON.stringify(report, null, 2)}\n`);
  const row = (what: string, r: SlotResult, ratio: string) => ({
    what,
    dispatchS: r.dispatch.seconds,
    runS: r.run?.seconds,
    slotS: r.slot?.seconds,
    itemsPerSec: r.slot?.itemsPerSec,
    msPerItem: r.run?.msPerItem.toFixed(1),
    ratio,
  });
  console.table([
    row(`${BASELINE_JOB} × ${ITEMS} (baseline, before)`, before, ''),
    row(
      `${PLANNING_JOB} × ${ITEMS} + ${REAL_SCHEDULES} real`,
      planning,
      runtime.ratio.planningVsBaselineMean.slotSeconds.toFixed(2),
    ),
    row(`${BASELINE_JOB} × ${ITEMS} (baseline, after)`, after, ''),
    ...(dispatchOnly
      ? [
          {
            what: `dispatch only × ${DISPATCH_ONLY_ITEMS}: planning / baseline before, after`,
            dispatchS: dispatchOnly.planning.dispatch.seconds,
            runS: undefined,
            slotS: undefined,
            itemsPerSec: dispatchOnly.planning.dispatch.itemsPerSec,
            msPerItem: [dispatchOnly.baselineBefore, dispatchOnly.baselineAfter]
              .map((b) => b.dispatch.seconds)
              .join(' / ')
              .concat(' s'),
            ratio: dispatchOnly.ratio.planningVsBaselineMean.toFixed(2),
          },
        ]
      : []),
  ]);
  console.log(
    `real schedules with exactly one execution in the slot: ${exactlyOnce}/${REAL_SCHEDULES} ` +
      `(${JSON.stringify(runtime.realSchedules.statuses)}) → bench/results/planning.json`,
  );
  const ok =
    exactlyOnce === REAL_SCHEDULES &&
    planning.queuedAfterDispatch === ITEMS + REAL_SCHEDULES &&
    Object.values(results).every(
      (r) =>
        r.sent === r.queuedAfterDispatch &&
        (r.job === PLANNING_JOB && r.dueAt === dueAt ? true : r.queuedAfterDispatch === r.items) &&
        (r.leftInQueues ?? 0) === 0 &&
        (r.deadLettered ?? 0) === 0 &&
        Object.keys(r.failed ?? {}).length === 0,
    );
  if (!ok) {
    console.error('check failed:', JSON.stringify({ checks, results }, null, 2).slice(0, 4000));
    process.exitCode = 1;
  }
} finally {
  sqs.destroy();
  await rt.stop();
}

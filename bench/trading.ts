/**
 * Orders through the risk gate, through the local runtime (the same handlers Lambda runs, DynamoDB Local):
 * - `POST /v1/orders`, sequential on one SIMULATION account in AUTONOMOUS mode (gate → reservation →
 *   simulated fill → ledger entry, risk state and journal), and on one in GUIDE mode (gate, decision
 *   and a previewed order, no fill), against reading the account through the same pipeline;
 * - orders/s with WORKERS concurrent workers, each on its own account (orders on one account
 *   serialise on its risk record), against the same workers reading their accounts;
 * - the pure gate (`decide`) in-process on a synthetic risk record and book: how much of an order
 *   is the decision and how much is storage.
 * Plain (allocation) market orders only: strategy orders are limited to a few trades an hour.
 * Prices are posted to each account (the simulation's last price), so no market data is read.
 * Writes bench/results/trading.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decide, type GateInput } from '../packages/app/src/trading/gate.js';
import { initialRisk } from '../packages/app/src/trading/risk.js';
import { defaultSettings, effectiveLimits } from '../packages/app/src/trading/settings.js';
import type { Account } from '../packages/app/src/trading/store.js';
import { startLocal } from '../packages/local/src/app.js';
import { RATE_LIMITS_CONFIG } from '../packages/platform/src/http/middlewares/limits/index.js';

const WARMUP = 20;
const SEQUENTIAL = 200;
const WORKERS = 8;
const PER_WORKER = 100;
const GATE_CALLS = 20_000;
const GATE_ROUNDS = 5;
const SYMBOL = 'AAPL';
const PRICE = '100';

const p = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
const stats = (runs: number[]) => {
  const s = [...runs].sort((a, b) => a - b);
  return { n: s.length, p50ms: p(s, 0.5), p99ms: p(s, 0.99), minMs: s[0] ?? 0, maxMs: s.at(-1) ?? 0 };
};

// ---- the pure gate, in-process (before the runtime starts: nothing else on the cores)
const gateNow = Date.now();
const synthetic: Account = {
  accountId: 'acc_bench',
  tenantId: 't_demo',
  projectId: 'p_demo',
  name: 'Bench',
  venue: 'SIMULATION',
  mode: 'AUTONOMOUS',
  portfolioId: 'pf_bench',
  currency: 'USD',
  createdAt: new Date(gateNow).toISOString(),
  createdBy: 'u_admin',
  updatedAt: new Date(gateNow).toISOString(),
  version: 1,
};
const settings = defaultSettings();
const gateInput: GateInput = {
  order: { symbol: SYMBOL, side: 'buy', quantity: '1' },
  price: PRICE,
  record: { ...initialRisk(synthetic, '100000', gateNow), lastPrices: { [SYMBOL]: PRICE } },
  settings,
  limits: effectiveLimits(settings.riskLimits),
  book: { baseCurrency: 'USD', cash: '100000', positions: {} },
  nowMs: gateNow,
};
const probe = decide(gateInput);
if (!probe.decision.approved) throw new Error(`the synthetic order was rejected: ${probe.decision.firstFailure}`);
const gateRounds: number[] = [];
for (let round = 0; round < GATE_ROUNDS; round++) {
  const t0 = performance.now();
  for (let i = 0; i < GATE_CALLS; i++) decide(gateInput);
  gateRounds.push(performance.now() - t0);
}
const gateMs = Math.min(...gateRounds.slice(1)); // the first round warms the JIT
const gateUs = (gateMs * 1000) / GATE_CALLS;

const rt = await startLocal({ port: 0, inMemory: true, tablePrefix: 'benchtr', minuteTick: false });
try {
  await rt.platform.tenancy.putConfig(RATE_LIMITS_CONFIG, {
    observer: 1e9,
    navigator: 1e9,
    operator: 1e9,
    sovereign: 1e9,
    default: 1e9,
  });
  const admin = await rt.issuer.mint({ sub: 'u_admin', tenantId: 't_demo', expiresIn: '1h' });
  const auth = { Authorization: `Bearer ${admin}`, 'X-Project-Id': 'p_demo' };
  let seq = 0;
  const send = async (method: string, path: string, o: { body?: unknown; headers?: Record<string, string> } = {}) => {
    const res = await fetch(`${rt.url}${path}`, {
      method,
      headers: {
        ...auth,
        'Idempotency-Key': `bench-${++seq}-${Date.now()}`,
        ...(o.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...o.headers,
      },
      body: o.body !== undefined ? JSON.stringify(o.body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, text };
  };
  const call = async (method: string, path: string, o: { body?: unknown; headers?: Record<string, string> } = {}) => {
    const r = await send(method, path, o);
    if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status}: ${r.text.slice(0, 500)}`);
    return { status: r.status, body: JSON.parse(r.text) as Record<string, unknown> };
  };

  // Anything but the expected answer is kept (status and body), counted, and reported.
  const unexpected: Array<{ what: string; status: number; body: string }> = [];
  const account = async (name: string, mode: 'GUIDE' | 'AUTONOMOUS') => {
    const created = await call('POST', '/v1/accounts', {
      body: { name, venue: 'SIMULATION', simulation: { initialBalance: '100000000', slippageBps: 0 } },
    });
    const id = String(created.body.accountId);
    if (mode === 'AUTONOMOUS') {
      await call('PUT', `/v1/accounts/${id}/mode`, {
        headers: { 'If-Match': `"${String(created.body.version)}"` },
        body: { mode: 'AUTONOMOUS' },
      });
    }
    await call('POST', `/v1/accounts/${id}/prices`, { body: { prices: [{ symbol: SYMBOL, price: PRICE }] } });
    return id;
  };
  const order = async (accountId: string, expect: 'filled' | 'previewed') => {
    const start = performance.now();
    const r = await send('POST', '/v1/orders', { body: { accountId, symbol: SYMBOL, side: 'buy', quantity: '1' } });
    const ms = performance.now() - start;
    const status = r.status === 201 ? (JSON.parse(r.text) as { status?: string }).status : undefined;
    if (status === expect) return ms;
    unexpected.push({ what: `POST /v1/orders (${expect})`, status: r.status, body: r.text.slice(0, 1000) });
    return undefined;
  };
  const read = async (accountId: string) => {
    const start = performance.now();
    const r = await send('GET', `/v1/accounts/${accountId}`);
    const ms = performance.now() - start;
    if (r.status === 200) return ms;
    unexpected.push({ what: 'GET /v1/accounts/{id}', status: r.status, body: r.text.slice(0, 1000) });
    return undefined;
  };
  const timed = (ms: number | undefined, into: number[]) => {
    if (ms !== undefined) into.push(ms);
  };

  // ---- sequential: one AUTONOMOUS account, its reads interleaved (same conditions), then GUIDE
  const autonomous = await account('Bench autonomous', 'AUTONOMOUS');
  const guide = await account('Bench guide', 'GUIDE');
  for (let i = 0; i < WARMUP; i++) {
    await order(autonomous, 'filled');
    await read(autonomous);
  }
  const filledRuns: number[] = [];
  const readRuns: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    timed(await order(autonomous, 'filled'), filledRuns);
    timed(await read(autonomous), readRuns);
  }
  for (let i = 0; i < WARMUP; i++) await order(guide, 'previewed');
  const guideRuns: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) timed(await order(guide, 'previewed'), guideRuns);

  // ---- concurrent: WORKERS workers, each on its own account
  const accounts: string[] = [];
  for (let w = 0; w < WORKERS; w++) accounts.push(await account(`Bench worker ${w}`, 'AUTONOMOUS'));
  await Promise.all(accounts.map((id) => order(id, 'filled'))); // each account's first fill opens its position
  const concurrent = async (op: (id: string) => Promise<number | undefined>) => {
    const runs: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      accounts.map(async (id) => {
        for (let i = 0; i < PER_WORKER; i++) timed(await op(id), runs);
      }),
    );
    const wallMs = performance.now() - t0;
    return { wallMs, ok: runs.length, perSec: runs.length / (wallMs / 1000), latency: stats(runs) };
  };
  const concurrentReads = await concurrent(read);
  const concurrentOrders = await concurrent((id) => order(id, 'filled'));

  // ---- what the orders left: every fill on the book, nothing still reserved
  const held = async (accountId: string) => {
    const positions = await call('GET', `/v1/accounts/${accountId}/positions`);
    const items = positions.body.items as Array<{ symbol: string; quantity: string }>;
    return Number(items.find((i) => i.symbol === SYMBOL)?.quantity ?? 0);
  };
  const pending = async (accountId: string) =>
    Number((await call('GET', `/v1/risk/state?accountId=${accountId}`)).body.pendingOrders);
  const heldSequential = await held(autonomous);
  let heldConcurrent = 0;
  let pendingOrders = await pending(autonomous);
  for (const id of accounts) {
    heldConcurrent += await held(id);
    pendingOrders += await pending(id);
  }
  const consistency = {
    sequentialHeld: heldSequential,
    sequentialFilled: WARMUP + filledRuns.length,
    concurrentHeld: heldConcurrent,
    concurrentFilled: WORKERS + concurrentOrders.ok,
    pendingOrders,
    ok: heldSequential === WARMUP + filledRuns.length && heldConcurrent === WORKERS + concurrentOrders.ok,
  };

  const filled = stats(filledRuns);
  const previewed = stats(guideRuns);
  const baseline = stats(readRuns);
  // drift: a book that grows with every fill should not make the next order slower
  const firstFifty = stats(filledRuns.slice(0, 50)).p50ms;
  const lastFifty = stats(filledRuns.slice(-50)).p50ms;
  const ratios = (s: { p50ms: number; p99ms: number }) => ({
    p50VsRead: s.p50ms / baseline.p50ms,
    p99VsRead: s.p99ms / baseline.p50ms,
  });
  const report = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    machine: { cpus: cpus().length, model: cpus()[0]?.model },
    note:
      'local runtime + DynamoDB Local on the same 2-core machine; SIMULATION accounts, slippage 0, ' +
      'plain (allocation) market buys of 1 share at a posted price; latencies as ratios to the read p50',
    baseline: {
      what: 'GET /v1/accounts/{id} through the same pipeline, interleaved with the filled orders',
      ...baseline,
    },
    sequential: {
      filled: {
        what: 'POST /v1/orders, AUTONOMOUS: gate, reservation, simulated fill, ledger entry, risk state, journal',
        warmup: WARMUP,
        ...filled,
        ...ratios(filled),
        drift: { firstFiftyP50ms: firstFifty, lastFiftyP50ms: lastFifty, ratio: lastFifty / firstFifty },
      },
      previewed: {
        what: 'POST /v1/orders, GUIDE: gate, decision and a previewed order, no fill',
        warmup: WARMUP,
        ...previewed,
        ...ratios(previewed),
      },
      fillVsPreview: filled.p50ms / previewed.p50ms,
    },
    concurrent: {
      workers: WORKERS,
      perWorker: PER_WORKER,
      orders: {
        what: `POST /v1/orders (filled), ${WORKERS} workers each on its own account, wall clock`,
        ...concurrentOrders,
      },
      baseline: { what: `GET /v1/accounts/{id}, the same ${WORKERS} workers and accounts`, ...concurrentReads },
      ordersVsReads: concurrentOrders.perSec / concurrentReads.perSec,
    },
    gate: {
      what: 'decide() in-process: a plain (allocation) buy on a fresh risk record, default settings, a cash-only book',
      calls: GATE_CALLS,
      bestRoundMs: gateMs,
      callsPerSec: Math.round(GATE_CALLS / (gateMs / 1000)),
      microsPerCall: gateUs,
      shareOfFilledOrderP50: gateUs / 1000 / filled.p50ms,
      shareOfPreviewedOrderP50: gateUs / 1000 / previewed.p50ms,
    },
    consistency,
    unexpected: { count: unexpected.length, first: unexpected.slice(0, 5) },
  };
  await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
  await writeFile(join(import.meta.dirname, 'results/trading.json'), JSON.stringify(report, null, 2));
  console.table([
    {
      what: 'order, AUTONOMOUS (filled)',
      p50ms: filled.p50ms.toFixed(1),
      p99ms: filled.p99ms.toFixed(1),
      baselineMs: baseline.p50ms.toFixed(1),
      ratio: `${report.sequential.filled.p50VsRead.toFixed(1)} / ${report.sequential.filled.p99VsRead.toFixed(1)}`,
    },
    {
      what: 'order, GUIDE (previewed)',
      p50ms: previewed.p50ms.toFixed(1),
      p99ms: previewed.p99ms.toFixed(1),
      baselineMs: baseline.p50ms.toFixed(1),
      ratio: [report.sequential.previewed.p50VsRead, report.sequential.previewed.p99VsRead]
        .map((x) => x.toFixed(1))
        .join(' / '),
    },
    {
      what: `${WORKERS} workers × ${PER_WORKER} orders (per s)`,
      p50ms: concurrentOrders.latency.p50ms.toFixed(1),
      p99ms: concurrentOrders.latency.p99ms.toFixed(1),
      baselineMs: `${concurrentReads.perSec.toFixed(0)} reads/s`,
      ratio: `${concurrentOrders.perSec.toFixed(0)} orders/s = ${report.concurrent.ordersVsReads.toFixed(2)}`,
    },
    {
      what: 'decide() in-process',
      p50ms: (gateUs / 1000).toFixed(4),
      p99ms: '',
      baselineMs: '',
      ratio: `${report.gate.callsPerSec} calls/s, ${(report.gate.shareOfFilledOrderP50 * 100).toFixed(2)}% of a fill`,
    },
  ]);
  if (!consistency.ok) console.error('consistency check failed:', consistency);
  if (unexpected.length) console.error(`${unexpected.length} unexpected answers, first:`, unexpected.slice(0, 3));
  if (!consistency.ok || unexpected.length) process.exitCode = 1;
} finally {
  await rt.stop();
}

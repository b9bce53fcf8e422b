/**
 * `npm run bench -- reliability`: the local runtime under load, under DynamoDB faults, and over a
 * longer soak — bounded in time, loopback only, several tenants at once. Writes
 * bench/results/reliability.json with the figures and the checks each phase asserts:
 *   load   — mixed traffic (list and item reads, money-moving writes, idempotent replays,
 *            refusals) from three principals of two tenants: throughput and p50/p99 per route,
 *            zero 5xx, no response carrying the other tenant's data;
 *   limits — the same principals on a frozen clock with small per-tier limits: each principal is
 *            admitted exactly its tier's limit in the window, the rest are 429 with Retry-After;
 *   faults — writes while throttling, lost answers and throttled transactions are injected at the
 *            SDK boundary: every write is applied once or not at all (the ledger adds up, read
 *            back), refusals are 503 with Retry-After;
 *   soak   — a minute of traffic, heap sampled after GC: the process does not grow.
 */
import autocannon, { type Request } from 'autocannon';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startLocal } from '../packages/local/src/app.js';
import { injectDynamoFaults, type DynamoFaultKind } from '../packages/local/src/faults.js';
import { RATE_LIMITS_CONFIG } from '../packages/platform/src/http/middlewares/limits/index.js';

const LOAD_SECONDS = 15;
// the clock is frozen in this phase, so its window never rolls over however long it runs
const LIMIT_SECONDS = 10;
const FAULT_SECONDS = 12;
const SOAK_SECONDS = 60;
const CONNECTIONS = 2;
const MINUTE = 60_000;
const INITIAL_CASH = '100000.00';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The runtime's clock: real time, or frozen at a moment for the rate-limit phase. */
let frozenAt: number | undefined;
const rt = await startLocal({ port: 0, inMemory: true, tablePrefix: 'reliab', now: () => frozenAt ?? Date.now() });

interface Principal {
  name: string;
  sub: string;
  tenantId: string;
  projectId: string;
  tier: 'navigator' | 'operator';
  /** what no response to this principal may contain */
  foreign: string[];
  token: string;
  headers: Record<string, string>;
  portfolioId: string;
  replayKey: string;
}

const PRINCIPALS = [
  { name: 'demo-navigator', sub: 'u_navigator', tenantId: 't_demo', projectId: 'p_demo', tier: 'navigator' },
  { name: 'demo-operator', sub: 'u_operator', tenantId: 't_demo', projectId: 'p_demo', tier: 'operator' },
  { name: 'acme-trader', sub: 'u_acme', tenantId: 't_acme', projectId: 'p_acme', tier: 'operator' },
] as const;
const MARKER = (tenantId: string) => `LOAD-MARKER-${tenantId}`;

async function json(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${rt.url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const limits = (perTier: number) => ({
  observer: perTier,
  navigator: perTier,
  operator: perTier * 2,
  sovereign: perTier * 4,
  default: perTier,
});

try {
  await rt.platform.tenancy.putConfig(RATE_LIMITS_CONFIG, limits(1e9));
  const principals: Principal[] = [];
  for (const p of PRINCIPALS) {
    const token = await rt.issuer.mint({ sub: p.sub, tenantId: p.tenantId, expiresIn: '2h' });
    const headers = { Authorization: `Bearer ${token}`, 'X-Project-Id': p.projectId };
    const made = await json('POST', '/v1/portfolios', headers, {
      name: `${MARKER(p.tenantId)} ${p.name}`,
      baseCurrency: 'USD',
      cash: INITIAL_CASH,
    });
    if (made.status !== 201) throw new Error(`setup: portfolio for ${p.name} answered ${made.status}`);
    const other = p.tenantId === 't_demo' ? 't_acme' : 't_demo';
    principals.push({
      ...p,
      foreign: [other, other === 't_demo' ? 'p_demo' : 'p_acme', MARKER(other)],
      token,
      headers,
      portfolioId: String(made.body.portfolioId),
      replayKey: `replay-${p.name}-${Date.now()}`,
    });
  }

  const deposit = JSON.stringify({ type: 'DEPOSIT', amount: '1.00', tradeDate: '2026-06-01' });
  /** the route kinds every principal sends, each from its own autocannon instance */
  const kinds = (p: Principal, others: Principal[]): Record<string, Request & { path: string }> => ({
    'GET /v1/portfolios': { method: 'GET', path: '/v1/portfolios' },
    'GET /v1/portfolios/{id}': { method: 'GET', path: `/v1/portfolios/${p.portfolioId}` },
    'POST …/transactions': {
      method: 'POST',
      path: `/v1/portfolios/${p.portfolioId}/transactions`,
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `load-[<id>]` },
      body: deposit,
    },
    'POST …/transactions (replay)': {
      method: 'POST',
      path: `/v1/portfolios/${p.portfolioId}/transactions`,
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': p.replayKey },
      body: deposit,
    },
    // a portfolio of the other tenant (or of another principal there): 404 by construction
    'GET another tenant’s portfolio': {
      method: 'GET',
      path: `/v1/portfolios/${others.find((o) => o.tenantId !== p.tenantId)?.portfolioId ?? 'pf_none'}`,
    },
    'POST invalid body': {
      method: 'POST',
      path: `/v1/portfolios/${p.portfolioId}/transactions`,
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `bad-[<id>]` },
      body: JSON.stringify({ type: 'DEPOSIT', amount: 'lots' }),
    },
  });

  interface Tally {
    statuses: Record<string, number>;
    fiveXx: number;
    foreignLeaks: string[];
    retryAfterMissing: number;
    replayed: number;
  }
  const tallies = new Map<string, Tally>();
  const tallyOf = (name: string) => {
    let t = tallies.get(name);
    if (!t) {
      t = { statuses: {}, fiveXx: 0, foreignLeaks: [], retryAfterMissing: 0, replayed: 0 };
      tallies.set(name, t);
    }
    return t;
  };

  /** One autocannon instance per (principal, route kind), all at once: mixed traffic. */
  async function mixed(seconds: number, connections: number, only?: (kind: string) => boolean) {
    tallies.clear();
    const runs = principals.flatMap((p) =>
      Object.entries(kinds(p, principals))
        .filter(([kind]) => !only || only(kind))
        .map(async ([kind, request]) => {
          const tally = tallyOf(p.name);
          const result = await autocannon({
            url: rt.url,
            duration: seconds,
            connections,
            idReplacement: true,
            // generous: a client that gives up cannot tell whether its write happened
            timeout: 60,
            headers: p.headers,
            requests: [
              {
                ...request,
                headers: { ...p.headers, ...request.headers },
                onResponse: (status, body, _context, rawCase) => {
                  // autocannon keeps the header names' case as sent; HTTP names are case-insensitive
                  const headers = Object.fromEntries(Object.entries(rawCase).map(([k, v]) => [k.toLowerCase(), v]));
                  tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
                  if (status >= 500) tally.fiveXx++;
                  if ((status === 429 || status === 503) && !headers['retry-after']) tally.retryAfterMissing++;
                  if (String(headers['idempotent-replayed']) === 'true') tally.replayed++;
                  for (const f of p.foreign) {
                    if (body.includes(f) && tally.foreignLeaks.length < 5) tally.foreignLeaks.push(`${kind}: ${f}`);
                  }
                },
              },
            ],
          });
          return {
            principal: p.name,
            route: kind,
            requestsPerSec: Math.round(result.requests.average),
            total: result.requests.total,
            p50ms: result.latency.p50,
            p99ms: result.latency.p99,
            errors: result.errors + result.timeouts,
          };
        }),
    );
    return Promise.all(runs);
  }

  // ---- load
  await mixed(2, 1); // warm-up: every route's module loaded, caches filled
  const loadRoutes = await mixed(LOAD_SECONDS, CONNECTIONS);
  const loadTallies = Object.fromEntries(tallies);
  const byRoute = new Map<string, { total: number; rps: number; p50: number[]; p99: number[] }>();
  for (const r of loadRoutes) {
    const agg = byRoute.get(r.route) ?? { total: 0, rps: 0, p50: [], p99: [] };
    agg.total += r.total;
    agg.rps += r.requestsPerSec;
    agg.p50.push(r.p50ms);
    agg.p99.push(r.p99ms);
    byRoute.set(r.route, agg);
  }
  const load = {
    seconds: LOAD_SECONDS,
    connectionsPerInstance: CONNECTIONS,
    instances: loadRoutes.length,
    totalRequests: loadRoutes.reduce((s, r) => s + r.total, 0),
    requestsPerSec: loadRoutes.reduce((s, r) => s + r.requestsPerSec, 0),
    perRoute: [...byRoute].map(([route, a]) => ({
      route,
      total: a.total,
      requestsPerSec: a.rps,
      // the worst principal's percentile: every instance reports its own
      p50ms: Math.max(...a.p50),
      p99ms: Math.max(...a.p99),
    })),
    perPrincipal: loadTallies,
    checks: {
      zero5xx: Object.values(loadTallies).every((t) => t.fiveXx === 0),
      noCrossTenantData: Object.values(loadTallies).every((t) => t.foreignLeaks.length === 0),
      replaysAnswered: Object.values(loadTallies).every((t) => t.replayed > 0),
      clientErrors: loadRoutes.reduce((s, r) => s + r.errors, 0),
    },
  };

  // ---- limits: a frozen minute, small limits; admitted = the tier's limit exactly
  // small enough that every principal's offered load exceeds its tier's limit within the phase even
  // on a loaded machine (a principal offers 7-30 requests a second), or exactness would prove nothing
  const PER_TIER = 25;
  await rt.platform.tenancy.putConfig(RATE_LIMITS_CONFIG, limits(PER_TIER));
  // a fresh window well past any counter so far (and past the configuration cache's age)
  frozenAt = Math.floor(Date.now() / MINUTE) * MINUTE + 10 * MINUTE + 1_000;
  await mixed(LIMIT_SECONDS, CONNECTIONS, (kind) => kind.startsWith('GET'));
  const limitTallies = Object.fromEntries(tallies);
  const admittedOf = (t: Tally) =>
    Object.entries(t.statuses)
      .filter(([status]) => status !== '429')
      .reduce((s, [, n]) => s + n, 0);
  const expected = (p: Principal) => limits(PER_TIER)[p.tier];
  const limitRows = principals.map((p) => ({
    principal: p.name,
    tier: p.tier,
    limit: expected(p),
    admitted: admittedOf(limitTallies[p.name]),
    refused429: limitTallies[p.name].statuses['429'] ?? 0,
    offered: Object.values(limitTallies[p.name].statuses).reduce((sum, n) => sum + n, 0),
  }));
  const limitsPhase = {
    seconds: LIMIT_SECONDS,
    perPrincipal: limitRows,
    checks: {
      exactPerPrincipal: limitRows.every((r) => r.admitted === r.limit && r.refused429 > 0),
      retryAfterOnEvery429: Object.values(limitTallies).every((t) => t.retryAfterMissing === 0),
      zero5xx: Object.values(limitTallies).every((t) => t.fiveXx === 0),
    },
  };
  frozenAt = undefined;
  await rt.platform.tenancy.putConfig(RATE_LIMITS_CONFIG, limits(1e9));
  await new Promise((r) => setTimeout(r, 5_500)); // the configuration cache's age

  // ---- faults: writes only, one principal per tenant, faults armed every 200 ms
  const faults = injectDynamoFaults(rt.platform.dynamo);
  const kindsOfFault: Array<{ kind: DynamoFaultKind; count: number }> = [
    { kind: 'throttle', count: 1 },
    { kind: 'throttle', count: 10 },
    { kind: 'transaction-throttled', count: 1 },
    { kind: 'timeout-after', count: 1 },
    { kind: 'timeout-before', count: 10 },
  ];
  let armed = 0;
  const arming = setInterval(() => {
    faults.arm({ ...kindsOfFault[armed++ % kindsOfFault.length], operations: ['TransactWriteItems'] });
  }, 200);
  const writers = [principals[0], principals[2]];
  const beforeFaults = await Promise.all(writers.map((p) => ledgerOf(p)));
  const faultRuns = await mixed(FAULT_SECONDS, CONNECTIONS, (kind) => kind === 'POST …/transactions');
  clearInterval(arming);
  faults.clear();
  const faultTallies = Object.fromEntries(tallies);
  // requests still in flight when autocannon stopped finish on the server: let them land
  await new Promise((r) => setTimeout(r, 3_000));
  const afterFaults = await Promise.all(writers.map((p) => ledgerOf(p)));
  const faultRows = writers.map((p, i) => {
    const t = faultTallies[p.name];
    const created = (t.statuses['201'] ?? 0) - t.replayed;
    const booked = afterFaults[i].transactions - beforeFaults[i].transactions;
    const cashMoved = Number(afterFaults[i].cash) - Number(beforeFaults[i].cash);
    // requests the client gave up on, or had in flight when it stopped (one per connection): they
    // may have happened without the client hearing of it
    const unanswered = faultRuns.filter((r) => r.principal === p.name).reduce((s, r) => s + r.errors, 0) + CONNECTIONS;
    return {
      principal: p.name,
      statuses: t.statuses,
      created,
      unanswered,
      booked,
      cashMoved,
      // every answered write is booked once, a refused one left nothing, and the cash agrees
      consistent: created <= booked && booked <= created + unanswered && Math.abs(cashMoved - booked) < 1e-9,
    };
  });
  const faultsPhase = {
    seconds: FAULT_SECONDS,
    injected: faults.hits,
    requests: faultRuns.reduce((s, r) => s + r.total, 0),
    perPrincipal: faultRows,
    checks: {
      neverHalfWritten: faultRows.every((r) => r.consistent),
      refusalsAre503WithRetryAfter: Object.values(faultTallies).every(
        (t) => t.retryAfterMissing === 0 && Object.keys(t.statuses).every((s) => ['201', '409', '503'].includes(s)),
      ),
      zero500: Object.values(faultTallies).every((t) => (t.statuses['500'] ?? 0) === 0),
    },
  };

  // ---- soak
  const heap = (): number => {
    gc();
    return Math.round((process.memoryUsage().heapUsed / 1048576) * 10) / 10;
  };
  const samples: Array<{ atSec: number; heapMb: number; rssMb: number }> = [];
  const started = Date.now();
  samples.push({ atSec: 0, heapMb: heap(), rssMb: Math.round(process.memoryUsage().rss / 1048576) });
  const sampler = setInterval(() => {
    samples.push({
      atSec: Math.round((Date.now() - started) / 1000),
      heapMb: heap(),
      rssMb: Math.round(process.memoryUsage().rss / 1048576),
    });
  }, 5_000);
  const soakRuns = await mixed(SOAK_SECONDS, 1);
  clearInterval(sampler);
  samples.push({
    atSec: Math.round((Date.now() - started) / 1000),
    heapMb: heap(),
    rssMb: Math.round(process.memoryUsage().rss / 1048576),
  });
  // growth between the first and the last third of the run (after warm-up), after GC
  const third = Math.max(1, Math.floor(samples.length / 3));
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const early = mean(samples.slice(1, 1 + third).map((s) => s.heapMb));
  const late = mean(samples.slice(-third).map((s) => s.heapMb));
  const soakTallies = Object.fromEntries(tallies);
  const soak = {
    seconds: SOAK_SECONDS,
    requests: soakRuns.reduce((s, r) => s + r.total, 0),
    heapSamples: samples,
    heapGrowthMb: Math.round((late - early) * 10) / 10,
    checks: {
      // a leak grows with requests; a bounded cache fills once and stays
      heapStable: late - early < 20,
      zero5xx: Object.values(soakTallies).every((t) => t.fiveXx === 0),
    },
  };

  const report = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    machine: { availableParallelism: availableParallelism(), loadavg: loadavg() },
    note:
      'local runtime, DynamoDB Local and autocannon on one shared 2-core machine, loopback only; ' +
      'absolute figures are this machine’s, the checks are what must hold anywhere',
    load,
    limits: limitsPhase,
    faults: faultsPhase,
    soak,
    pass: [load.checks, limitsPhase.checks, faultsPhase.checks, soak.checks].every((c) =>
      Object.entries(c).every(([k, v]) => k === 'clientErrors' || v === true),
    ),
  };
  await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
  await writeFile(join(import.meta.dirname, 'results/reliability.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.table(load.perRoute);
  console.table(limitRows);
  console.table(faultRows.map(({ statuses, ...r }) => ({ ...r, statuses: JSON.stringify(statuses) })));
  const verdict = report.pass ? 'pass' : 'FAIL';
  console.log(`load ${load.requestsPerSec} req/s · soak heap growth ${soak.heapGrowthMb} MB · checks ${verdict}`);
  if (!report.pass) process.exitCode = 1;
} finally {
  await rt.stop();
}

/** A portfolio's cash and the number of its transactions, read back through the API. */
async function ledgerOf(p: Principal): Promise<{ cash: string; transactions: number }> {
  const portfolio = await json('GET', `/v1/portfolios/${p.portfolioId}`, p.headers);
  let transactions = 0;
  let cursor: string | undefined;
  do {
    const page = await json(
      'GET',
      `/v1/portfolios/${p.portfolioId}/transactions?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      p.headers,
    );
    transactions += (page.body.items as unknown[]).length;
    cursor = typeof page.body.nextCursor === 'string' ? page.body.nextCursor : undefined;
  } while (cursor);
  return { cash: String(portfolio.body.cash), transactions };
}

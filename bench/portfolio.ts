/**
 * Holdings at scale, through the local runtime (the same handlers Lambda runs, DynamoDB Local):
 * - a 10,000-row CSV import (all-or-nothing: parse, validate, replay, batch-write, one commit),
 *   against parsing the same file in-process (the baseline: what no storage costs), and against
 *   the route's Lambda timeout (the budget it must fit);
 * - the summary of a 500-holding portfolio (book read, 500 prices, FX, totals), against reading
 *   the portfolio item itself through the same pipeline.
 * Prices come from stored closes (provider `none`), so the figures are Ballast's own work.
 * Writes bench/results/portfolio.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateGenericCsv, parseImport } from '../packages/app/src/portfolio/import/index.js';
import { startLocal } from '../packages/local/src/app.js';
import { RATE_LIMITS_CONFIG } from '../packages/platform/src/http/middlewares/limits/index.js';
import { routeById } from '../packages/app/src/routes.js';
import { stageSettings } from '../stacks/config.js';

const IMPORT_ROWS = 10_000;
const HOLDINGS = 500;
const SUMMARY_RUNS = 20;

const rt = await startLocal({ port: 0, inMemory: true, tablePrefix: 'benchpf', minuteTick: false });
try {
  await rt.platform.tenancy.putConfig(RATE_LIMITS_CONFIG, {
    observer: 1e9,
    navigator: 1e9,
    operator: 1e9,
    sovereign: 1e9,
    default: 1e9,
  });
  const admin = await rt.issuer.mint({ sub: 'u_admin', tenantId: 't_demo', expiresIn: '1h' });
  const system = await rt.issuer.mint({ sub: 'u_system', tenantId: 't_system', expiresIn: '1h' });
  const auth = { Authorization: `Bearer ${admin}`, 'X-Project-Id': 'p_demo' };
  let seq = 0;
  const call = async (
    method: string,
    path: string,
    o: { body?: unknown; csv?: string; headers?: Record<string, string> } = {},
  ) => {
    const res = await fetch(`${rt.url}${path}`, {
      method,
      headers: {
        ...auth,
        'Idempotency-Key': `bench-${++seq}-${Date.now()}`,
        ...(o.csv !== undefined
          ? { 'Content-Type': 'text/csv' }
          : o.body !== undefined
            ? { 'Content-Type': 'application/json' }
            : {}),
        ...o.headers,
      },
      body: o.csv ?? (o.body !== undefined ? JSON.stringify(o.body) : undefined),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 500)}`);
    return { status: res.status, body: JSON.parse(text) as Record<string, unknown>, headers: res.headers };
  };
  // Prices from stored closes only: no vendor (fake or real) in the measurement.
  const routing = await fetch(`${rt.url}/v1/routing/t_demo/dev/market-data`, {
    headers: { Authorization: `Bearer ${system}` },
  });
  const put = await fetch(`${rt.url}/v1/routing/t_demo/dev/market-data`, {
    method: 'PUT',
    headers: {
      Authorization: `Bearer ${system}`,
      'Content-Type': 'application/json',
      ...(routing.ok ? { 'If-Match': String(routing.headers.get('etag')) } : {}),
    },
    body: JSON.stringify({ kind: 'market-data', provider: 'none' }),
  });
  if (!put.ok) throw new Error(`routing: ${put.status} ${await put.text()}`);

  // ---- import of 10,000 rows
  const csv = generateGenericCsv(IMPORT_ROWS, { symbols: 50, seed: 7 });
  const parseRuns: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    parseImport(csv, 'generic');
    parseRuns.push(performance.now() - t0);
  }
  const parseMs = Math.min(...parseRuns);
  const importPortfolio = String(
    (await call('POST', '/v1/portfolios', { body: { name: 'Import bench', cash: '0' } })).body.portfolioId,
  );
  const t0 = performance.now();
  const imported = await call('POST', `/v1/portfolios/${importPortfolio}/imports?format=generic`, { csv });
  const importMs = performance.now() - t0;
  if (imported.body.accepted !== IMPORT_ROWS) throw new Error(`import accepted ${String(imported.body.accepted)} rows`);

  // ---- summary of 500 holdings
  const symbols = Array.from({ length: HOLDINGS }, (_, i) => `BH${String(i).padStart(3, '0')}`);
  const lines = ['type,symbol,quantity,price,fee,amount,tradeDate', 'DEPOSIT,,,,,10000000,2026-01-02'];
  for (const [i, symbol] of symbols.entries())
    lines.push(`BUY,${symbol},${1 + (i % 7)},${(10 + i / 10).toFixed(2)},1,,2026-01-05`);
  const summaryPortfolio = String(
    (await call('POST', '/v1/portfolios', { body: { name: 'Summary bench', cash: '0' } })).body.portfolioId,
  );
  await call('POST', `/v1/portfolios/${summaryPortfolio}/imports?format=generic`, { csv: lines.join('\n') });
  for (const [i, symbol] of symbols.entries()) {
    // two closes, as a daily series has: the price and the previous close (day gain)
    const bar = (time: string, close: string) => ({ time, open: close, high: close, low: close, close, volume: '100' });
    await call('PUT', `/v1/market-data/candles/${symbol}/1day`, {
      body: {
        candles: [
          bar('2026-06-01T00:00:00Z', (11 + i / 10).toFixed(2)),
          bar('2026-06-02T00:00:00Z', (11.5 + i / 10).toFixed(2)),
        ],
      },
    });
  }
  const time = async (path: string) => {
    await call('GET', path); // warm
    const runs: number[] = [];
    for (let i = 0; i < SUMMARY_RUNS; i++) {
      const start = performance.now();
      await call('GET', path);
      runs.push(performance.now() - start);
    }
    runs.sort((a, b) => a - b);
    return { p50ms: runs[Math.floor(runs.length / 2)], minMs: runs[0], maxMs: runs.at(-1) ?? 0 };
  };
  const summary = await time(`/v1/portfolios/${summaryPortfolio}/summary`);
  const read = await time(`/v1/portfolios/${summaryPortfolio}`);
  const check = await call('GET', `/v1/portfolios/${summaryPortfolio}/summary`);
  if (check.body.holdings !== HOLDINGS || (check.body.unpriced as unknown[]).length !== 0) {
    throw new Error(
      `summary valued ${String(check.body.holdings)} holdings, unpriced ${JSON.stringify(check.body.unpriced)}`,
    );
  }

  // the import route's own Lambda timeout (its `timeoutSeconds`, else the stage default)
  const budgetMs = (routeById('imports.create').timeoutSeconds ?? stageSettings('dev').timeout) * 1000;
  const report = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    machine: { cpus: cpus().length, model: cpus()[0]?.model },
    note: 'local runtime + DynamoDB Local on the same 2-core machine; prices from stored closes (provider none)',
    import: {
      rows: IMPORT_ROWS,
      bytes: Buffer.byteLength(csv),
      elapsedMs: Math.round(importMs),
      rowsPerSec: Math.round(IMPORT_ROWS / (importMs / 1000)),
      serverDurationMs: imported.body.durationMs,
      baseline: { what: 'parseImport of the same file, in-process', ms: Math.round(parseMs) },
      ratioVsParse: importMs / parseMs,
      lambdaTimeoutMs: budgetMs,
      shareOfLambdaBudget: importMs / budgetMs,
    },
    summary: {
      holdings: HOLDINGS,
      ...summary,
      baseline: { what: 'GET /v1/portfolios/{id} through the same pipeline', ...read },
      ratioVsRead: summary.p50ms / read.p50ms,
    },
  };
  await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
  await writeFile(join(import.meta.dirname, 'results/portfolio.json'), JSON.stringify(report, null, 2));
  console.table([
    {
      what: `import ${IMPORT_ROWS} rows`,
      ms: report.import.elapsedMs,
      baselineMs: report.import.baseline.ms,
      ratio: report.import.ratioVsParse.toFixed(1),
      budget: `${(report.import.shareOfLambdaBudget * 100).toFixed(0)}% of ${budgetMs} ms`,
    },
    {
      what: `summary of ${HOLDINGS} holdings (p50)`,
      ms: summary.p50ms.toFixed(1),
      baselineMs: read.p50ms.toFixed(1),
      ratio: report.summary.ratioVsRead.toFixed(1),
      budget: '',
    },
  ]);
} finally {
  await rt.stop();
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseImport } from '../../packages/app/src/portfolio/import/index.js';
import { startRuntime, type TestRuntime } from '../support/runtime.js';

let t: TestRuntime;
let nav: string;
const P = { 'X-Project-Id': 'p_demo' };
let keySeq = 0;
const key = () => `import-test-${++keySeq}-${Date.now()}`;
const SAMPLES = join(import.meta.dirname, '../../docs/samples/imports');
const sample = (name: string) => readFileSync(join(SAMPLES, name), 'utf8');
// The runtime's clock, stepped a minute per test so each starts with a fresh rate-limit window.
let clock = Math.floor(Date.now() / 60_000) * 60_000 + 1_000;
const nextMinute = () => {
  clock = (Math.floor(clock / 60_000) + 1) * 60_000 + 1_000;
};

beforeAll(async () => {
  t = await startRuntime({ now: () => clock });
  nav = await t.token('u_sovereign', 't_demo', '6h');
});
afterAll(async () => {
  await t.stop();
});
beforeEach(nextMinute);

async function newPortfolio(
  o: { token?: string; headers?: Record<string, string>; body?: Record<string, unknown> } = {},
) {
  const r = await t.call('POST', '/v1/portfolios', {
    token: o.token ?? nav,
    headers: { ...(o.headers ?? P), 'Idempotency-Key': key() },
    body: { name: 'Imports', baseCurrency: 'USD', cash: '0', ...o.body },
  });
  expect(r.status, r.text).toBe(201);
  return String(r.body.portfolioId);
}

function upload(portfolioId: string, csv: string, query = '', idem = key()) {
  return t.call('POST', `/v1/portfolios/${portfolioId}/imports${query}`, {
    token: nav,
    headers: { ...P, 'Content-Type': 'text/csv', 'Idempotency-Key': idem },
    rawBody: csv,
  });
}

const entries = async (portfolioId: string) =>
  (await t.call('GET', `/v1/portfolios/${portfolioId}/transactions?limit=200`, { token: nav, headers: P })).body
    .items ?? [];

describe('CSV imports over HTTP', () => {
  // Every sample, by its format and by detection. A file whose parser refuses rows (an option trade,
  // a staked balance) goes in per row; the rest all or nothing.
  const cases = [
    ['generic.csv', 'generic'],
    ['ibkr-activity.csv', 'ibkr-activity'],
    ['ibkr-activity-de.csv', 'ibkr-activity'],
    ['ibkr-flex.csv', 'ibkr-flex'],
    ['kraken-ledger.csv', 'kraken-ledger'],
    ['kraken-trades.csv', 'kraken-trades'],
  ] as const;
  for (const [file, format] of cases) {
    it(`${file} imports (format=${format}), and its re-import reports every row as a duplicate`, async () => {
      const csv = sample(file);
      const parsed = parseImport(csv, format);
      const mode = parsed.rejected.length ? 'per-row' : 'all-or-nothing';
      // cash for files that buy without depositing first
      const id = await newPortfolio({ body: { cash: '1000000.00' } });
      const first = await upload(id, csv, `?format=auto&mode=${mode}`);
      expect(first.status, first.text).toBe(201);
      expect(first.body).toMatchObject({ status: 'committed', format, rowsRead: parsed.rowsRead, duplicates: 0 });
      expect(first.body.accepted).toBe(parsed.candidates.length);
      expect(first.body.rejected).toBe(parsed.rejected.length);
      expect(first.headers.get('location')).toBe(`/v1/portfolios/${id}/imports/${String(first.body.importId)}`);
      expect(await entries(id)).toHaveLength(parsed.candidates.length);
      const holdings = await t.call('GET', `/v1/portfolios/${id}/holdings`, { token: nav, headers: P });
      expect(holdings.status, holdings.text).toBe(200);
      const bought = new Set(parsed.candidates.filter((c) => c.tx.type === 'BUY').map((c) => c.tx.symbol));
      for (const symbol of bought) expect(holdings.body.items?.map((h) => h.symbol)).toContain(symbol);

      const again = await upload(id, csv, `?mode=${mode}`);
      expect(again.status, again.text).toBe(201);
      expect(again.body).toMatchObject({ accepted: 0, duplicates: parsed.candidates.length });
      expect(await entries(id)).toHaveLength(parsed.candidates.length);
      const log = await t.call('GET', `/v1/portfolios/${id}/imports`, { token: nav, headers: P });
      expect(log.body.items?.map((i) => i.importId)).toEqual([again.body.importId, first.body.importId]);
    });
  }

  it('a file with one bad row writes nothing; the sync log says which row and why', async () => {
    const id = await newPortfolio();
    const refused = await upload(id, sample('generic-bad-row.csv'));
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('IMPORT_REJECTED');
    const rows = refused.body.rejectedRows as Array<{ row: number; reason: string }>;
    expect(rows.length).toBeGreaterThan(0);
    expect(await entries(id)).toEqual([]);
    expect((await t.call('GET', `/v1/portfolios/${id}`, { token: nav, headers: P })).body.cash).toBe('0.00');
    const logged = await t.call('GET', `/v1/portfolios/${id}/imports/${String(refused.body.importId)}`, {
      token: nav,
      headers: P,
    });
    expect(logged.body).toMatchObject({ status: 'rejected', accepted: 0 });
    expect(logged.body.rejectedRows).toEqual(rows);
  });

  it('a dry run reports what would be imported and writes nothing', async () => {
    const id = await newPortfolio();
    const dry = await upload(id, sample('generic.csv'), '?dryRun=true');
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ status: 'dry-run', dryRun: true });
    expect(Number(dry.body.accepted)).toBeGreaterThan(0);
    expect(await entries(id)).toEqual([]);
  });

  it('bodies over 5 MB are a 413 that says the limit; other media types a 415; bad query a 400', async () => {
    const id = await newPortfolio();
    // just over the route's limit (the local server, like API Gateway, reads a little beyond it)
    const big = `type,tradeDate,amount\n${'x'.repeat(5 * 1024 * 1024)}`;
    const tooBig = await upload(id, big);
    expect(tooBig.status).toBe(413);
    expect(String(tooBig.body.detail)).toContain('5242880');
    const json = await t.call('POST', `/v1/portfolios/${id}/imports`, {
      token: nav,
      headers: { ...P, 'Idempotency-Key': key() },
      body: { csv: 'x' },
    });
    expect(json.status).toBe(415);
    expect((await upload(id, 'type,tradeDate\n', '?format=xlsx')).status).toBe(400);
    const unknown = await upload(id, 'hello,world\n1,2\n');
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('IMPORT_FORMAT_UNRECOGNISED');
  });
});

describe('performance over HTTP', () => {
  it('holdings without stored closes are valued at their trades, and the series ends at the summary', async () => {
    const id = await newPortfolio();
    expect((await upload(id, sample('generic.csv'))).status).toBe(201);
    const summary = await t.call('GET', `/v1/portfolios/${id}/summary`, { token: nav, headers: P });
    const perf = await t.call('GET', `/v1/portfolios/${id}/performance?period=MAX`, { token: nav, headers: P });
    expect(perf.status, perf.text).toBe(200);
    expect(perf.body.unpricedDays).toBe(0);
    const series = perf.body.series as Array<{ date: string; value: string }>;
    expect(series.at(-1)?.value).toBe(summary.body.value);
    // never a day valued at its cash alone while shares were held
    const bought = series.findIndex((d) => d.date === '2026-01-05');
    expect(series.slice(bought).every((d) => Number(d.value) > 1000)).toBe(true);
    // NVDA (no stored closes, valued at its trade of 10 × 1,208.88) splits 10:1 on 2026-06-10: the 100 new
    // shares are worth what the 10 old ones were, not ten times as much (a 108,799.20 jump overnight)
    const split = series.findIndex((d) => d.date === '2026-06-10');
    const jump = Number(series[split]?.value) - Number(series[split - 1]?.value);
    expect(Math.abs(jump)).toBeLessThan(5_000);
  });

  it('TWR and XIRR of a scripted scenario match an independent reference', async () => {
    const admin = await t.token('u_admin', 't_demo', '6h');
    // Closes of a made-up symbol, uploaded, on every calendar day of the scenario (weekends included,
    // so the reference needs no carry-forward); performance reads stored closes whatever the provider.
    const today = new Date(clock).toISOString().slice(0, 10);
    const day = (offset: number) =>
      new Date(Date.parse(`${today}T00:00:00Z`) - offset * 86_400_000).toISOString().slice(0, 10);
    const closes = new Map<string, number>();
    for (let back = 40; back >= 0; back--)
      closes.set(day(back), Math.round((50 + 5 * Math.sin(back / 3) + (40 - back) * 0.2) * 100) / 100);
    const put = await t.call('PUT', '/v1/market-data/candles/ZZTEST/1day', {
      token: admin,
      headers: P,
      body: {
        candles: [...closes].map(([date, c]) => ({
          time: `${date}T00:00:00Z`,
          open: c.toFixed(2),
          high: c.toFixed(2),
          low: c.toFixed(2),
          close: c.toFixed(2),
          volume: '1000',
        })),
      },
    });
    expect(put.status, put.text).toBe(200);
    const id = await newPortfolio({ token: admin, headers: P });
    const post = async (body: Record<string, unknown>) => {
      const r = await t.call('POST', `/v1/portfolios/${id}/transactions`, {
        token: admin,
        headers: { ...P, 'Idempotency-Key': key() },
        body,
      });
      expect(r.status, r.text).toBe(201);
    };
    const script = [
      { type: 'DEPOSIT', amount: '1000', tradeDate: day(30) },
      { type: 'BUY', symbol: 'ZZTEST', quantity: '10', price: closes.get(day(30))?.toFixed(2), tradeDate: day(30) },
      { type: 'DEPOSIT', amount: '500', tradeDate: day(20) },
      { type: 'BUY', symbol: 'ZZTEST', quantity: '5', price: closes.get(day(20))?.toFixed(2), tradeDate: day(20) },
      { type: 'WITHDRAWAL', amount: '200', tradeDate: day(10) },
    ];
    for (const body of script) await post(body);

    // The reference: every day's value from the raw script, TWR by linking daily returns with the
    // day's flow at its start, XIRR by bisection on the NPV of the flows and the final value.
    const flows = new Map<string, number>([
      [day(30), 1000],
      [day(20), 500],
      [day(10), -200],
    ]);
    let cash = 0;
    let shares = 0;
    let previous = 0;
    let growth = 1;
    let value = 0;
    for (let back = 31; back >= 0; back--) {
      const date = day(back);
      const flow = flows.get(date) ?? 0;
      cash += flow;
      for (const s of script.filter((e) => e.type === 'BUY' && e.tradeDate === date)) {
        shares += Number(s.quantity);
        cash -= Number(s.quantity) * Number(s.price);
      }
      value = cash + shares * (closes.get(date) ?? 0);
      if (previous + flow > 0) growth *= value / (previous + flow);
      previous = value;
    }
    const years = (date: string) => (Date.parse(today) - Date.parse(date)) / (365 * 86_400_000);
    const npv = (rate: number) =>
      [...flows].reduce((sum, [date, amount]) => sum - amount * (1 + rate) ** years(date), 0) + value;
    let [low, high] = [-0.99, 100];
    for (let i = 0; i < 200; i++) {
      const mid = (low + high) / 2;
      if (npv(low) * npv(mid) <= 0) high = mid;
      else low = mid;
    }
    const perf = await t.call('GET', `/v1/portfolios/${id}/performance?period=MAX`, { token: admin, headers: P });
    expect(perf.status, perf.text).toBe(200);
    expect(perf.body.twr).toBeCloseTo((growth - 1) * 100, 6);
    expect(perf.body.xirr).toBeCloseTo(((low + high) / 2) * 100, 4);
    const series = perf.body.series as Array<{ date: string; value: string }>;
    expect(series.at(-1)).toMatchObject({ date: today, value: value.toFixed(2) });
    expect(series[0].date).toBe(day(31));
    const mtd = await t.call('GET', `/v1/portfolios/${id}/performance?period=MTD`, { token: admin, headers: P });
    expect(mtd.status).toBe(200);
    expect(
      (await t.call('GET', `/v1/portfolios/${id}/performance?period=2Y`, { token: admin, headers: P })).status,
    ).toBe(400);
  });
});

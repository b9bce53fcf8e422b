import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleUnderTest, startConsole } from '../support/browser.js';

/**
 * An investor's first session in the console, in one real browser: sign in, open a portfolio, import
 * the sample CSV (previewed, then committed), read the holdings and the performance chart, set up an
 * allocation and read a rebalance proposal, run a backtest and see its equity curve, halt trading.
 * Every step is checked against what the API then holds, not only against what the page says.
 */
const SAMPLE = resolve(import.meta.dirname, '../../docs/samples/imports/generic.csv');

let c: ConsoleUnderTest;
let page: Page;
let token: string;
let portfolioId: string;
const api = async (path: string) => {
  const res = await c.runtime.call('GET', path, { token, headers: { 'X-Project-Id': 'p_demo' } });
  expect(res.status, `${path}: ${res.text}`).toBe(200);
  return res.body;
};
/** the number a chart was given to draw (the canvas itself is pixels) */
const chartPoints = (label: string) =>
  page
    .getByRole('figure', { name: label })
    .locator('.chart-canvas')
    .getAttribute('data-points')
    .then((n) => Number(n));

beforeAll(async () => {
  c = await startConsole();
  token = await c.runtime.token('u_admin', 't_demo');
}, 120_000);
afterAll(async () => {
  await c?.stop();
});

describe('the investor journey', () => {
  it('signs in and creates a portfolio from the portfolios page', async () => {
    page = await c.newPage('u_admin');
    await page.getByRole('link', { name: 'Portfolios' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Portfolios', level: 1 }).isVisible()).toBe(true);
    await c.axeCheck(page, 'portfolios');
    await page.getByLabel('Name').fill('Journey');
    await page.getByLabel('Opening cash').fill('0');
    await page.getByRole('button', { name: 'Open portfolio' }).click();
    await expect.poll(() => page.url()).toMatch(/#\/portfolios\/[^/]+$/);
    portfolioId = page.url().split('/').pop() ?? '';
    const stored = await api(`/v1/portfolios/${portfolioId}`);
    expect(stored).toMatchObject({ name: 'Journey', baseCurrency: 'USD', cash: '0.00' });
    await c.screenshot(page, 'portfolios');
  });

  it('imports the sample CSV: a preview that books nothing, then the commit', async () => {
    await page.getByRole('navigation', { name: 'Portfolio' }).getByRole('link', { name: 'Import' }).click();
    await page.getByLabel('CSV file').setInputFiles(SAMPLE);
    await page.getByRole('button', { name: 'Check the file' }).click();
    await expect.poll(() => page.getByRole('heading', { name: /Preview/ }).isVisible()).toBe(true);
    const wouldBook = Number(
      await page.locator('.card', { hasText: 'Would be booked' }).locator('.figure-value').innerText(),
    );
    expect(wouldBook).toBeGreaterThan(5);
    // the preview booked nothing
    expect((await api(`/v1/portfolios/${portfolioId}/holdings`)).items).toEqual([]);
    await c.axeCheck(page, 'import preview');
    await c.screenshot(page, 'import-preview');

    await page.getByRole('button', { name: `Import ${wouldBook} rows` }).click();
    await expect.poll(() => page.getByText(`${wouldBook} rows booked`).isVisible()).toBe(true);
    const imports = await api(`/v1/portfolios/${portfolioId}/imports`);
    expect(imports.items?.filter((i) => i.status === 'committed')).toHaveLength(1);
    expect(imports.items?.[0]).toMatchObject({ accepted: wouldBook, dryRun: false });
  });

  it('shows the holdings the ledger now holds, and the performance chart for each period', async () => {
    await page.getByRole('link', { name: 'See the holdings' }).click();
    const holdings = (await api(`/v1/portfolios/${portfolioId}/holdings`)).items ?? [];
    expect(holdings.map((h) => h.symbol)).toEqual(expect.arrayContaining(['AAPL', 'MSFT']));
    const table = page.getByRole('table', { name: 'Holdings' });
    for (const h of holdings) {
      await expect.poll(() => table.getByRole('rowheader', { name: new RegExp(`^${h.symbol}`) }).count()).toBe(1);
    }
    // AAPL: 100 bought, the quantity as the ledger has it
    const aapl = holdings.find((h) => h.symbol === 'AAPL');
    expect(aapl?.quantity).toBe('100');
    await expect.poll(() => table.getByRole('row', { name: /^AAPL/ }).innerText()).toContain('100');

    await expect.poll(() => chartPoints('Portfolio value, 1Y')).toBeGreaterThan(10);
    const year = await api(`/v1/portfolios/${portfolioId}/performance?period=1Y`);
    expect(await chartPoints('Portfolio value, 1Y')).toBe((year.series as unknown[]).length);
    await c.screenshot(page, 'portfolio');
    await page.getByRole('button', { name: 'MTD' }).click();
    await expect.poll(() => page.getByRole('figure', { name: 'Portfolio value, MTD' }).isVisible()).toBe(true);
    const month = await api(`/v1/portfolios/${portfolioId}/performance?period=MTD`);
    await expect.poll(() => chartPoints('Portfolio value, MTD')).toBe((month.series as unknown[]).length);
    await c.axeCheck(page, 'portfolio');
  });

  it('sets up an allocation, shows its drift and breaches, and proposes a rebalance', async () => {
    await page.getByRole('navigation', { name: 'Portfolio' }).getByRole('link', { name: 'Allocation' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Allocation', level: 1 }).isVisible()).toBe(true);
    for (const [name, code, target] of [
      ['Large caps', 'LC', '40'],
      ['Growth', 'GR', '50'],
    ]) {
      await page.getByLabel('Category name').fill(name);
      await page.getByLabel('Code').fill(code);
      await page.getByLabel('Target %').fill(target);
      await page.getByRole('button', { name: 'Add category' }).click();
      await expect.poll(() => page.getByRole('rowheader', { name: new RegExp(`^${name}`) }).count()).toBe(1);
    }
    for (const [symbol, category] of [
      ['AAPL', 'Large caps (LC)'],
      ['MSFT', 'Growth (GR)'],
      ['NVDA', 'Growth (GR)'],
    ]) {
      await page.getByLabel('Holding').fill(symbol);
      await page.getByLabel('Into category').selectOption({ label: category });
      await page.getByRole('button', { name: 'Assign' }).click();
      await expect
        .poll(() => page.getByRole('rowheader', { name: new RegExp(`^${category.split(' (')[0]}`) }).innerText())
        .toContain(symbol);
    }
    const allocation = await api(`/v1/portfolios/${portfolioId}/allocation`);
    const categories = allocation.categories as Array<{ code: string; actualPct: string; driftPct: string }>;
    const lc = categories.find((x) => x.code === 'LC');
    const row = page
      .getByRole('table', { name: 'Target and actual by category' })
      .getByRole('row', { name: /^Large caps/ });
    // the page shows the API's own drift, to two places
    const drift = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(lc?.driftPct as `${number}`);
    await expect.poll(() => row.innerText()).toContain(`${drift} pts`);
    await c.axeCheck(page, 'allocation');
    await c.screenshot(page, 'allocation');

    await page.getByRole('link', { name: 'Propose a rebalance' }).click();
    await page.getByRole('button', { name: 'Propose a rebalance' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Trades' }).isVisible()).toBe(true);
    const proposals = await api(`/v1/portfolios/${portfolioId}/rebalance/proposals`);
    const latest = proposals.items?.[0] as { plan: { trades: Array<{ side: string; symbol: string }> } };
    expect(latest.plan.trades.length).toBeGreaterThan(0);
    const trades = page.getByRole('table', { name: 'Trades' });
    for (const t of latest.plan.trades) {
      await expect.poll(() => trades.getByRole('rowheader', { name: t.symbol }).count()).toBeGreaterThan(0);
    }
    await c.axeCheck(page, 'rebalance');
    await c.screenshot(page, 'rebalance');
  });

  it('runs a backtest and draws its equity and drawdown', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Backtests' }).click();
    await page.getByLabel('Strategy').selectOption('smaCross');
    await page.getByLabel('Symbol').fill('AAPL');
    await page.getByRole('button', { name: 'Run backtest' }).click();
    await expect.poll(() => page.url(), { timeout: 20_000 }).toMatch(/#\/backtests\/[^/]+$/);
    const backtestId = page.url().split('/').pop() ?? '';
    await expect.poll(() => page.getByText('completed').first().isVisible(), { timeout: 30_000 }).toBe(true);
    const run = await api(`/v1/backtests/${backtestId}`);
    expect(run.status).toBe('completed');
    const curve = run.curve as { items: unknown[] };
    await expect.poll(() => chartPoints('Equity')).toBe(curve.items.length);
    expect(await chartPoints('Drawdown (%)')).toBe(curve.items.length);
    const money = run.money as { finalEquity: string };
    const shown = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD' }).format(
      money.finalEquity as `${number}`,
    );
    await expect.poll(() => page.locator('.card', { hasText: 'Final equity' }).innerText()).toContain(shown);
    await c.axeCheck(page, 'backtest');
    await c.screenshot(page, 'backtest');
  });

  it('opens a trading account and halts its trading from the risk page', async () => {
    await page
      .getByRole('navigation', { name: 'Sections' })
      .getByRole('link', { name: 'Orders and positions' })
      .click();
    const form = page.getByRole('form', { name: 'Open an account' });
    await form.getByLabel('Name').fill('Journey desk');
    await form.getByLabel('Venue').selectOption('SIMULATION');
    await form.getByLabel('Starting cash').fill('10000');
    await form.getByRole('button', { name: 'Open account' }).click();
    await expect.poll(() => /#\/orders\/[^/]+$/.test(page.url()), { timeout: 10_000 }).toBe(true);
    const accountId = decodeURIComponent(page.url().split('/').pop() ?? '');

    await page
      .getByRole('navigation', { name: 'Sections' })
      .getByRole('link', { name: 'Risk and trading mode' })
      .click();
    await page.getByLabel('Account', { exact: true }).selectOption(accountId);
    await expect.poll(() => page.getByText('Trading state: ACTIVE').isVisible()).toBe(true);
    await page.getByLabel('Reason for the halt').fill('End of the journey');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Halt trading' }).click();
    await expect.poll(() => page.getByText('HALTED — trading is halted').isVisible()).toBe(true);
    const state = await api(`/v1/risk/state?accountId=${encodeURIComponent(accountId)}`);
    expect(state.tradingState).toBe('HALTED');
    await c.axeCheck(page, 'risk');
    await c.screenshot(page, 'journey-halted');
  });
});

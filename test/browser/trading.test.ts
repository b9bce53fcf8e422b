import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleUnderTest, startConsole } from '../support/browser.js';

let c: ConsoleUnderTest;
let page: Page;
let accountId = '';
// the runtime's clock runs this far ahead: moving it past 5 minutes makes the browser's login stale
let ahead = 0;

beforeAll(async () => {
  c = await startConsole({ now: () => Date.now() + ahead });
}, 120_000);
afterAll(async () => {
  await c?.stop();
});

/** The API's own view, as u_admin, to check what the console shows against what is stored. */
async function apiGet(path: string) {
  const token = await c.runtime.token('u_admin', 't_demo');
  const res = await c.runtime.call('GET', path, { token, headers: { 'X-Project-Id': 'p_demo' } });
  expect(res.status, `${path}: ${res.text}`).toBe(200);
  return res.body;
}

const rowOf = (caption: string, text: string) =>
  page.getByRole('table', { name: caption }).getByRole('row').filter({ hasText: text });

describe('orders and positions', () => {
  it('opens a simulation account through the form, sets a price and fills a market order', async () => {
    // one signed-in page for the whole file: the later tests work on the account this one opens
    page = await c.newPage('u_admin');
    await page.goto(`${c.url}/#/orders`);
    await expect
      .poll(() => page.getByRole('heading', { level: 1, name: 'Orders and positions' }).isVisible())
      .toBe(true);
    await expect.poll(() => page.getByText('No account yet').isVisible()).toBe(true);
    const form = page.getByRole('form', { name: 'Open an account' });
    await form.getByLabel('Name').fill('Desk test');
    await form.getByLabel('Venue').selectOption('SIMULATION');
    await form.getByLabel('Starting cash').fill('20000');
    await form.getByRole('button', { name: 'Open account' }).click();
    await expect.poll(() => /#\/orders\/[^/]+$/.test(page.url()), { timeout: 10_000 }).toBe(true);
    accountId = decodeURIComponent(page.url().split('/').pop() ?? '');
    const account = await apiGet(`/v1/accounts/${accountId}`);
    expect(account).toMatchObject({ name: 'Desk test', venue: 'SIMULATION', mode: 'GUIDE' });
    await expect.poll(() => page.getByRole('heading', { level: 2, name: 'Desk test' }).isVisible()).toBe(true);
    await expect.poll(() => page.getByText('$20,000.00').first().isVisible()).toBe(true);

    // a new account only previews orders: the desk's mode control sends them
    await page.getByLabel('New trading mode').selectOption('AUTONOMOUS');
    await page.getByRole('button', { name: 'Change mode' }).click();
    await expect.poll(() => page.getByText('The account is now in AUTONOMOUS mode.').isVisible()).toBe(true);
    expect((await apiGet(`/v1/accounts/${accountId}/mode`)).mode).toBe('AUTONOMOUS');

    const prices = page.getByRole('form', { name: 'Set a price' });
    await prices.getByLabel('Price symbol').fill('AAPL');
    await prices.getByLabel('Price', { exact: true }).fill('100');
    await prices.getByRole('button', { name: 'Set price' }).click();
    await expect.poll(() => page.getByText(/AAPL is now at \$100\.00/).isVisible()).toBe(true);

    const order = page.getByRole('form', { name: 'Place an order' });
    await order.getByLabel('Symbol').fill('AAPL');
    await order.getByLabel('Side').selectOption('buy');
    await order.getByLabel('Quantity').fill('5');
    await order.getByLabel('Order type').selectOption('market');
    await order.getByRole('button', { name: 'Place order' }).click();

    // the API's order and position, then the same figures on the page
    await expect
      .poll(async () => ((await apiGet(`/v1/orders?accountId=${accountId}`)).items ?? []).map((o) => o.status), {
        timeout: 10_000,
      })
      .toEqual(['filled']);
    const positions = await apiGet(`/v1/accounts/${accountId}/positions`);
    const held = (positions.items ?? []).find((p) => p.symbol === 'AAPL');
    expect(held).toMatchObject({ quantity: '5' });
    const money = (v: unknown) =>
      new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(String(v) as `${number}`);

    const orderRow = rowOf('Orders of this account, newest first', 'AAPL');
    await expect.poll(() => orderRow.count()).toBe(1);
    await expect.poll(() => orderRow.innerText()).toMatch(/AAPL\s+buy\s+market\s+5\s+5\s+—/);
    expect(await orderRow.innerText()).toContain('filled');
    // a filled order can no longer be cancelled
    expect(await orderRow.getByRole('button', { name: /Cancel/ }).count()).toBe(0);

    const positionRow = rowOf('Positions', 'AAPL');
    await expect.poll(() => positionRow.count()).toBe(1);
    const shown = await positionRow.innerText();
    expect(shown).toContain(money(held?.averageCost));
    expect(shown).toContain(money(held?.marketValue));
    expect(shown).toContain('$500.00');
    await expect.poll(() => page.getByText(money(positions.cash)).first().isVisible()).toBe(true);

    await c.axeCheck(page, 'orders');
    await c.screenshot(page, 'orders');
  }, 60_000);
});

describe('risk and trading mode', () => {
  it('halts the account with a reason: the page and the API agree it is halted', async () => {
    await page.goto(`${c.url}/#/risk`);
    await expect
      .poll(() => page.getByRole('heading', { level: 1, name: 'Risk and trading mode' }).isVisible())
      .toBe(true);
    await page.getByLabel('Account', { exact: true }).selectOption(accountId);
    await expect.poll(() => page.getByText('Trading state: ACTIVE').isVisible()).toBe(true);
    await expect.poll(() => page.getByText('Now: AUTONOMOUS').isVisible()).toBe(true);
    // the filled order's decision is listed
    await expect.poll(() => rowOf('Risk decisions for this account, newest first', 'passed').count()).toBe(1);

    await page.getByLabel('Reason for the halt').fill('Console test halt');
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.accept();
    });
    await page.getByRole('button', { name: 'Halt trading' }).click();
    await expect.poll(() => page.getByText('HALTED — trading is halted').isVisible()).toBe(true);
    expect(asked).toMatch(/Halt all trading/);
    await expect.poll(() => page.getByText(/Halt reason: .*Console test halt/).isVisible()).toBe(true);

    const state = await apiGet(`/v1/risk/state?accountId=${accountId}`);
    expect(state.tradingState).toBe('HALTED');
    expect((state.emergencyShutdown as { active: boolean; reason?: string }).active).toBe(true);
    expect((state.emergencyShutdown as { reason?: string }).reason).toContain('Console test halt');

    await c.axeCheck(page, 'risk');
    await c.screenshot(page, 'risk');
  }, 60_000);

  it("shows the risk gate's refusal of an order on a halted account as its Problem Details", async () => {
    await page.goto(`${c.url}/#/orders/${accountId}`);
    const order = page.getByRole('form', { name: 'Place an order' });
    await order.getByLabel('Symbol').fill('AAPL');
    await order.getByLabel('Quantity').fill('1');
    await order.getByRole('button', { name: 'Place order' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'RISK_REJECTED' });
    await expect.poll(() => alert.count(), { timeout: 10_000 }).toBe(1);
    const text = await alert.innerText();
    expect(text).toMatch(/^The risk gate rejected the order: /);
    // the refusal is the decision the API recorded, and no order was written
    const decisions = await apiGet(`/v1/risk/decisions?accountId=${accountId}&approved=false`);
    const refused = decisions.items?.[0] as { firstFailure?: string; checks: Array<{ id: string; detail: string }> };
    const failure = refused.checks.find((ch) => ch.id === refused.firstFailure);
    expect(text).toContain(failure?.detail ?? '(no failed check)');
    expect((await apiGet(`/v1/orders?accountId=${accountId}`)).items).toHaveLength(1);
  }, 60_000);

  it('an admin resets the breaker after the fresh-login prompt the stale login gets', async () => {
    await page.goto(`${c.url}/#/risk`);
    await page.getByLabel('Account', { exact: true }).selectOption(accountId);
    await expect.poll(() => page.getByText('HALTED — trading is halted').isVisible()).toBe(true);
    // six minutes on: the token is still valid (30 minutes) but its login is older than the reset allows
    ahead = 6 * 60_000;
    await page.getByLabel('Reason for the reset').fill('Console test over');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Emergency reset' }).click();
    const stepUp = page.getByRole('dialog', { name: 'Confirm it is you' });
    await expect.poll(() => stepUp.isVisible(), { timeout: 10_000 }).toBe(true);
    expect((await apiGet(`/v1/risk/state?accountId=${accountId}`)).tradingState).toBe('HALTED');
    await stepUp.getByRole('button', { name: 'Sign in again' }).click();
    await expect.poll(() => page.getByText('The breaker is reset: trading is ACTIVE.').isVisible()).toBe(true);
    await expect.poll(() => page.getByText('Trading state: ACTIVE').isVisible()).toBe(true);
    const state = await apiGet(`/v1/risk/state?accountId=${accountId}`);
    expect(state.tradingState).toBe('ACTIVE');
    expect(state.emergencyShutdown).toMatchObject({
      active: false,
      resetBy: 'u_admin',
      resetReason: 'Console test over',
    });
  }, 60_000);
});

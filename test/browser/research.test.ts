import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleUnderTest, startConsole } from '../support/browser.js';

/**
 * Research and automation in the console: an optimisation started through its form, watched to the
 * end, its ranking as the API holds it, its winner made a draft playbook, which is activated and
 * run once from its own page.
 */

let c: ConsoleUnderTest;
beforeAll(async () => {
  c = await startConsole();
}, 120_000);
afterAll(async () => {
  await c?.stop();
});

const P = { 'X-Project-Id': 'p_demo' };
const formatParams = (params: Record<string, unknown>) =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');

async function apiGet<T>(path: string): Promise<T> {
  const token = await c.runtime.token('u_admin', 't_demo', '1h');
  const res = await fetch(`${c.url}${path}`, { headers: { Authorization: `Bearer ${token}`, ...P } });
  expect(res.status, `${path}: ${res.status}`).toBe(200);
  return (await res.json()) as T;
}

async function tick(rounds?: number) {
  const r = await c.runtime.call('POST', '/_local/tick', { body: rounds === undefined ? {} : { rounds } });
  expect(r.status, r.text).toBe(200);
}

describe('optimisations and playbooks', () => {
  it('runs a grid through the form, shows the API ranking, and makes its winner a draft playbook', async () => {
    // a trading account for the playbook: the console lists the project's accounts, it creates none
    const token = await c.runtime.token('u_admin', 't_demo', '1h');
    const account = await c.runtime.call('POST', '/v1/accounts', {
      token,
      headers: { ...P, 'Idempotency-Key': `research-account-${Date.now()}` },
      body: { name: 'Research sim', venue: 'SIMULATION' },
    });
    expect(account.status, account.text).toBe(201);
    const accountId = String(account.body.accountId);

    const page = await c.newPage('u_admin');
    await page.goto(`${c.url}/#/optimisations`);
    await expect.poll(() => page.getByRole('heading', { name: 'New optimisation' }).isVisible()).toBe(true);
    await expect.poll(() => page.getByLabel('Strategy').locator('option[value="smaCross"]').count()).toBe(1);
    await page.getByLabel('Strategy').selectOption('smaCross');
    // the space comes from the strategy's schema: its integer periods are searched, prefilled in range
    await expect.poll(() => page.getByLabel('Search fast', { exact: true }).isChecked()).toBe(true);
    expect(await page.getByLabel('Search stopPct', { exact: true }).isChecked()).toBe(false);
    expect(Number(await page.getByLabel('fast min', { exact: true }).inputValue())).toBeGreaterThanOrEqual(2);

    const today = new Date();
    const from = new Date(Date.UTC(today.getUTCFullYear() - 2, today.getUTCMonth(), today.getUTCDate()));
    await page.getByLabel('Symbol', { exact: true }).fill('AAPL');
    await page.getByLabel('Interval').selectOption('1day');
    await page.getByLabel('From', { exact: true }).fill(from.toISOString().slice(0, 10));
    await page.getByLabel('To', { exact: true }).fill(today.toISOString().slice(0, 10));
    await page.getByLabel('Method').selectOption('grid');
    await page.getByLabel('Objective').selectOption('sharpe');
    await page.getByLabel('Max candidates', { exact: true }).fill('50');
    // 5 × 8 = 40 candidates
    await page.getByLabel('fast min', { exact: true }).fill('4');
    await page.getByLabel('fast max', { exact: true }).fill('20');
    await page.getByLabel('fast step', { exact: true }).fill('4');
    await page.getByLabel('slow min', { exact: true }).fill('25');
    await page.getByLabel('slow max', { exact: true }).fill('60');
    await page.getByLabel('slow step', { exact: true }).fill('5');
    await expect.poll(() => page.getByText('The space holds 40 points.').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Start optimisation' }).click();

    await expect.poll(() => /#\/optimisations\/op_/.test(page.url()), { timeout: 15_000 }).toBe(true);
    const optimisationId = /#\/optimisations\/(op_[^/?#]+)/.exec(page.url())?.[1] ?? '';
    expect(optimisationId).toMatch(/^op_/);

    // the test runtime's spine moves only when ticked (the served runtime ticks every minute)
    await tick(1);
    await expect
      .poll(() => page.locator('.status-text').innerText(), { timeout: 15_000 })
      .toMatch(/^(Pending|Running): \d+ of 40 candidates evaluated$/);
    await tick();
    await expect
      .poll(() => page.locator('.status-text').innerText(), { timeout: 30_000 })
      .toBe('Completed: 40 of 40 candidates evaluated');
    expect(await page.locator('progress').getAttribute('value')).toBe('40');

    const opt = await apiGet<{ status: string; done: number; total: number; spaceSize: number }>(
      `/v1/optimisations/${optimisationId}`,
    );
    expect(opt).toMatchObject({ status: 'completed', done: 40, total: 40, spaceSize: 40 });
    const results = await apiGet<{ items: Array<{ rank: number; params: Record<string, unknown>; passed: boolean }> }>(
      `/v1/optimisations/${optimisationId}/results?limit=20`,
    );
    const best = results.items[0];
    expect(best.rank).toBe(1);

    const table = page.getByRole('table', { name: /Ranked results/ });
    await expect.poll(() => table.locator('tbody tr').count()).toBe(20);
    const first = table.locator('tbody tr').first().locator('td');
    expect((await first.nth(0).innerText()).trim()).toBe('1');
    expect((await first.nth(1).innerText()).trim()).toBe(formatParams(best.params));
    // the whole first page is the API's order
    const shownParams = await table.locator('tbody tr td:nth-child(2)').allInnerTexts();
    expect(shownParams.map((t) => t.trim())).toEqual(results.items.map((r) => formatParams(r.params)));
    await expect.poll(() => page.getByText(/No look-ahead bias/).isVisible()).toBe(true);

    await c.axeCheck(page, 'optimisation');
    await c.screenshot(page, 'optimisation');

    await expect.poll(() => page.getByLabel('Trading account').inputValue()).toBe(accountId);
    await page.getByRole('button', { name: 'Make a playbook' }).click();
    await expect.poll(() => /#\/playbooks\/pb_/.test(page.url()), { timeout: 15_000 }).toBe(true);
    const playbookId = /#\/playbooks\/(pb_[^/?#]+)/.exec(page.url())?.[1] ?? '';
    await expect.poll(() => page.getByText('Status: draft').isVisible()).toBe(true);

    const pb = await apiGet<{
      status: string;
      strategy: string;
      symbol: string;
      accountId: string;
      params: Record<string, unknown>;
      sourceOptimisationId?: string;
      version: number;
    }>(`/v1/playbooks/${playbookId}`);
    expect(pb).toMatchObject({
      status: 'draft',
      strategy: 'smaCross',
      symbol: 'AAPL',
      accountId,
      sourceOptimisationId: optimisationId,
      version: 1,
    });
    expect(pb.params).toMatchObject(best.params);
    await expect.poll(() => page.getByText(formatParams(pb.params)).first().isVisible()).toBe(true);
    await c.axeCheck(page, 'playbook');

    // from its page: activate it, run a cycle, and read the cycle's decisions
    await page.getByRole('button', { name: 'Activate' }).click();
    await expect.poll(() => page.getByText('Status: active').isVisible()).toBe(true);
    expect((await apiGet<{ status: string; version: number }>(`/v1/playbooks/${playbookId}`)).status).toBe('active');
    await page.getByRole('button', { name: 'Run a cycle now' }).click();
    await expect.poll(() => page.getByText(/^Cycle cy_\w+ (completed|stopped|failed)/).isVisible()).toBe(true);
    const decisions = await apiGet<{ items: Array<{ step: string; code: string }> }>(
      `/v1/automation/decisions?playbookId=${playbookId}`,
    );
    expect(decisions.items.length).toBeGreaterThan(0);
    const decisionRows = page.getByRole('table', { name: /Decisions of this playbook/ }).locator('tbody tr');
    await expect.poll(() => decisionRows.count()).toBe(decisions.items.length);
    expect((await decisionRows.first().locator('td').nth(1).innerText()).trim()).toBe(decisions.items[0].step);
    expect((await decisionRows.first().locator('td').nth(3).innerText()).trim()).toBe(decisions.items[0].code);

    await c.axeCheck(page, 'playbook');
    await c.screenshot(page, 'playbook');
  }, 120_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleUnderTest, startConsole } from '../support/browser.js';

// The investor's own space in the console: the journal's notes and corrections, watchlists shared
// with another member, and preferences and theme (saved against their version, applied live).

let c: ConsoleUnderTest;
let operator: string;
let navigator: string;
beforeAll(async () => {
  c = await startConsole();
  operator = await c.runtime.token('u_operator', 't_demo');
  navigator = await c.runtime.token('u_navigator', 't_demo');
}, 120_000);
afterAll(async () => {
  await c?.stop();
});

const project = { 'X-Project-Id': 'p_demo' };
// pages load their chunk and data after sign-in; other suites may share the machine
const eventually = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000 });

describe('the journal', () => {
  it('writes a note, finds it by a word of its content and by tag, and links its correction', async () => {
    const page = await c.newPage('u_operator');
    await page.goto(`${c.url}/#/journal`);
    await eventually(() => page.getByRole('heading', { name: 'Journal', level: 1 }).isVisible()).toBe(true);

    const newNote = page.getByRole('form', { name: 'New note' });
    const write = async (title: string, content: string, tags: string) => {
      await newNote.getByLabel('Title').fill(title);
      await newNote.getByLabel('Content').fill(content);
      await newNote.getByLabel('Type').selectOption('lesson');
      await newNote.getByLabel('Symbol (optional)').fill('aapl');
      await newNote.getByLabel('Confidence (1–5, optional)').selectOption('4');
      await newNote.getByLabel('Tags (comma-separated)').fill(tags);
      await newNote.getByRole('button', { name: 'Save the note' }).click();
      await eventually(() => newNote.getByText(`Saved “${title}”.`).isVisible()).toBe(true);
    };
    await write('Sold too early', 'Patience would have paid: the zeppelin pattern held for weeks.', 'Earnings, exits');
    await write('Sizing rule', 'Never more than two percent at risk per trade.', 'risk');

    const entries = page.getByRole('table', { name: 'Journal entries, newest first' });
    const search = page.getByRole('form', { name: 'Search the journal' });
    await eventually(() => entries.getByRole('link', { name: 'Sizing rule' }).isVisible()).toBe(true);

    // a word of the content, in another case: only the note holding it
    await search.getByLabel('Text', { exact: true }).fill('ZEPPELIN');
    await search.getByRole('button', { name: 'Search' }).click();
    await eventually(() => entries.getByRole('link', { name: 'Sizing rule' }).count()).toBe(0);
    await eventually(() => entries.getByRole('link', { name: 'Sold too early' }).isVisible()).toBe(true);
    // the tags were sent as the API's lowercase slugs
    await eventually(() => entries.getByText('earnings', { exact: true }).isVisible()).toBe(true);

    await search.getByRole('button', { name: 'Clear' }).click();
    await search.getByLabel('Tag').fill('risk');
    await search.getByLabel('Kind').selectOption('note');
    await search.getByRole('button', { name: 'Search' }).click();
    await eventually(() => entries.getByRole('link', { name: 'Sold too early' }).count()).toBe(0);
    await eventually(() => entries.getByRole('link', { name: 'Sizing rule' }).isVisible()).toBe(true);

    await c.axeCheck(page, 'journal');
    await c.screenshot(page, 'journal');

    // the entry's page, and a correction written from it
    await search.getByRole('button', { name: 'Clear' }).click();
    await entries.getByRole('link', { name: 'Sold too early' }).click();
    await eventually(() => page.getByRole('heading', { name: 'Sold too early', level: 1 }).isVisible()).toBe(true);
    const original = /#\/journal\/([^/?#]+)$/.exec(page.url())?.[1];
    expect(original).toBeTruthy();
    await eventually(() => page.getByText('No corrections.').isVisible()).toBe(true);
    const fix = page.getByRole('form', { name: 'Write a correction' });
    expect(await fix.getByLabel('Title').inputValue()).toBe('Correction: Sold too early');
    await fix.getByLabel('Content').fill('It held for days, not weeks.');
    await fix.getByRole('button', { name: 'Save the correction' }).click();
    const corrections = page.getByRole('region', { name: 'Corrections' });
    await expect
      .poll(() => corrections.getByRole('link', { name: 'Correction: Sold too early' }).isVisible())
      .toBe(true);
    await eventually(() => corrections.getByText('It held for days, not weeks.').isVisible()).toBe(true);

    // the API holds the note unchanged, with its correction linked
    const got = await c.runtime.call('GET', `/v1/journal/entries/${original}`, { token: operator, headers: project });
    expect(got.status).toBe(200);
    expect(got.body.content).toBe('Patience would have paid: the zeppelin pattern held for weeks.');
    expect(got.body.tags).toEqual(['earnings', 'exits']);
    expect(got.body.confidence).toBe(4);
    const links = got.body.corrections as Array<{ entryId: string }>;
    expect(links).toHaveLength(1);
    const correction = await c.runtime.call('GET', `/v1/journal/entries/${links[0].entryId}`, {
      token: operator,
      headers: project,
    });
    expect(correction.body.corrects).toBe(original);

    // the correction's page names the note it corrects
    await corrections.getByRole('link', { name: 'Correction: Sold too early' }).click();
    await eventually(() => page.getByRole('link', { name: 'an earlier note' }).isVisible()).toBe(true);
  });

  it('logs a trade and shows its risk-reward', async () => {
    const page = await c.newPage('u_operator');
    await page.goto(`${c.url}/#/journal`);
    const form = page.getByRole('form', { name: 'New trade log' });
    await form.getByLabel('Symbol').fill('MSFT');
    await form.getByLabel('Entry price').fill('400');
    await form.getByLabel('Quantity').fill('10');
    await form.getByLabel('Target').fill('460');
    await form.getByLabel('Stop').fill('380');
    await form.getByRole('button', { name: 'Log the trade' }).click();
    // (460 − 400) / (400 − 380)
    await eventually(() => form.getByText('Logged long MSFT; risk-reward 3.00.').isVisible()).toBe(true);
    const logs = page.getByRole('table', { name: 'Trade logs, newest first' });
    await eventually(() => logs.getByRole('cell', { name: '3.00' }).isVisible()).toBe(true);
  });
});

describe('watchlists', () => {
  it('creates one, adds AAPL with an alert, shares it read-only, and the sharee cannot delete it', async () => {
    const page = await c.newPage('u_operator');
    await page.goto(`${c.url}/#/watchlists`);
    const create = page.getByRole('form', { name: 'New watchlist' });
    await create.getByLabel('Name').fill('Megacaps');
    await create.getByLabel('Visibility').selectOption('private');
    await create.getByRole('button', { name: 'Create the watchlist' }).click();
    await eventually(() => page.getByRole('heading', { name: 'Megacaps', level: 1 }).isVisible()).toBe(true);
    const watchlistId = /#\/watchlists\/([^/?#]+)$/.exec(page.url())?.[1] ?? '';
    expect(watchlistId).toMatch(/\S/);

    const add = page.getByRole('form', { name: 'Add a symbol' });
    await add.getByLabel('Symbol').fill('AAPL');
    await add.getByLabel('Alert above').fill('100000');
    await add.getByLabel('Note').fill('earnings in July');
    await add.getByRole('button', { name: 'Add the symbol' }).click();
    const items = page.getByRole('table', { name: 'Symbols in Megacaps with their latest price' });
    const row = items.getByRole('row').filter({ hasText: 'AAPL' });
    await eventually(() => row.isVisible()).toBe(true);
    // the latest price (the seeded daily close) as money, with its time, and the alert level armed
    await eventually(() => row.getByRole('cell').nth(1).innerText()).toMatch(/^\$[\d,]+\.\d{2}$/);
    await eventually(() => row.getByText('armed').isVisible()).toBe(true);
    expect(await row.innerText()).toContain('$100,000.00');

    // a private list cannot be shared: make it shared, then grant u_navigator read
    await eventually(() => page.getByText('This watchlist is private').isVisible()).toBe(true);
    const settings = page.getByRole('form', { name: 'Watchlist settings' });
    await settings.getByLabel('Visibility').selectOption('shared');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    const share = page.getByRole('form', { name: 'Share the watchlist' });
    await eventually(() => share.isVisible()).toBe(true);
    await share.getByLabel('User id').fill('u_navigator');
    await share.getByLabel('Access').selectOption('read');
    await share.getByRole('button', { name: 'Share' }).click();
    await eventually(() => page.getByText('Shared with u_navigator (read).').isVisible()).toBe(true);

    const held = await c.runtime.call('GET', `/v1/watchlists/${watchlistId}`, { token: operator });
    expect(held.body.visibility).toBe('shared');
    const item = await c.runtime.call('GET', `/v1/watchlists/${watchlistId}/items`, { token: operator });
    expect(item.body.items?.[0]).toMatchObject({ symbol: 'AAPL', alertAbove: '100000', note: 'earnings in July' });

    await page.goto(`${c.url}/#/watchlists`);
    await eventually(() => page.getByRole('link', { name: 'Megacaps' }).isVisible()).toBe(true);
    await c.axeCheck(page, 'watchlists');
    await c.screenshot(page, 'watchlists');

    // the sharee sees it among the lists shared with them, read-only
    const other = await c.newPage('u_navigator');
    await other.goto(`${c.url}/#/watchlists`);
    const lists = other.getByRole('table', { name: 'Watchlists, newest first' });
    const shared = lists.getByRole('row').filter({ hasText: 'Megacaps' });
    await eventually(() => shared.isVisible()).toBe(true);
    expect(await shared.innerText()).toMatch(/read\s+u_operator/);
    await shared.getByRole('link', { name: 'Megacaps' }).click();
    await eventually(() => other.getByRole('heading', { name: 'Megacaps', level: 1 }).isVisible()).toBe(true);
    const theirs = other.getByRole('table', { name: 'Symbols in Megacaps with their latest price' });
    await eventually(() => theirs.getByRole('row').filter({ hasText: 'AAPL' }).isVisible()).toBe(true);
    expect(await other.getByRole('button', { name: /Delete/ }).count()).toBe(0);
    expect(await other.getByRole('button', { name: /Remove/ }).count()).toBe(0);
    expect(await other.getByRole('form', { name: 'Add a symbol' }).count()).toBe(0);
    await eventually(() => other.getByText('Only its owner renames, shares or deletes').isVisible()).toBe(true);
    const theirLists = await c.runtime.call('GET', '/v1/watchlists?include=shared', { token: navigator });
    expect(theirLists.body.items?.find((w) => w.watchlistId === watchlistId)?.access).toBe('read');
    await c.axeCheck(other, 'watchlist-shared');
  });
});

describe('preferences and theme', () => {
  it('saves preferences against their version: a stale save shows the 412 and reloads', async () => {
    const page = await c.newPage('u_operator');
    await page.goto(`${c.url}/#/preferences`);
    const form = page.getByRole('form', { name: 'Preferences' });
    await eventually(() => form.getByLabel('Watchlist alerts by SMS').isVisible()).toBe(true);
    await form.getByLabel('Watchlist alerts by SMS').check();

    // someone saves in between (another tab): the page's version is stale now
    const before = await c.runtime.call('GET', '/v1/me/preferences', { token: operator });
    const {
      version,
      updatedAt: _u,
      ...doc
    } = before.body as Record<string, unknown> & {
      display: Record<string, unknown>;
    };
    const elsewhere = await c.runtime.call('PUT', '/v1/me/preferences', {
      token: operator,
      headers: { 'If-Match': String(version) },
      body: { ...doc, display: { ...doc.display, timezone: 'Asia/Tokyo' } },
    });
    expect(elsewhere.status).toBe(200);

    await form.getByRole('button', { name: 'Save preferences' }).click();
    await eventually(() => form.getByRole('alert').innerText()).toMatch(/VERSION_MISMATCH/);
    await eventually(() => form.getByLabel(/^Time zone/).inputValue()).toBe('Asia/Tokyo');
    expect(await form.getByLabel('Watchlist alerts by SMS').isChecked()).toBe(false);

    await form.getByLabel('Watchlist alerts by SMS').check();
    await form.getByLabel('Default order type').selectOption('stop-limit');
    await form.getByRole('button', { name: 'Save preferences' }).click();
    await eventually(() => form.getByText(/^Saved \(version \d+\)\.$/).isVisible()).toBe(true);
    const after = await c.runtime.call('GET', '/v1/me/preferences', { token: operator });
    expect(after.body).toMatchObject({
      display: { timezone: 'Asia/Tokyo' },
      notifications: { 'watchlist.alert': { sms: true } },
      trading: { defaultOrderType: 'stop-limit' },
    });
  });

  it('changes the background colour: it applies at once, without a reload, and the API holds it', async () => {
    const page = await c.newPage('u_operator');
    await page.goto(`${c.url}/#/preferences`);
    const form = page.getByRole('form', { name: 'Theme' });
    await eventually(() => form.getByLabel('Background colour').isVisible()).toBe(true);
    const bg = () => page.evaluate('getComputedStyle(document.documentElement).getPropertyValue("--bg").trim()');
    const before = await bg();
    expect(before).not.toBe('#eef6ff');
    // a mark in the page's memory: a reload would lose it
    await page.evaluate('window.__samePage = true');

    await form.getByLabel('Background colour').fill('#eef6ff');
    await form.getByLabel('Density').selectOption('compact');
    await form.getByRole('button', { name: 'Save theme' }).click();
    await eventually(bg).toBe('#eef6ff');
    await eventually(() => page.evaluate('document.documentElement.dataset.density')).toBe('compact');
    expect(await page.evaluate('window.__samePage === true')).toBe(true);

    const theme = await c.runtime.call('GET', '/v1/me/theme', { token: operator });
    expect(theme.body).toMatchObject({ colours: { background: '#eef6ff' }, layout: { density: 'compact' } });
    await c.axeCheck(page, 'preferences');
    await c.screenshot(page, 'preferences');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleUnderTest, startConsole } from '../support/browser.js';

let c: ConsoleUnderTest;
beforeAll(async () => {
  c = await startConsole();
}, 120_000);
afterAll(async () => {
  await c?.stop();
});

describe('the console shell', () => {
  it('is served at / under its own policy, with hashed assets cached for good', async () => {
    const page = await fetch(`${c.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const html = await page.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeTruthy();
    const asset = await fetch(`${c.url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
    expect((await fetch(`${c.url}/assets/../../package.json`)).status).not.toBe(200);
  });

  it('signs in through the local user picker, shows who and where, and passes axe', async () => {
    const page = await c.newPage('u_operator');
    await expect.poll(() => page.getByText('u_operator · t_demo').isVisible()).toBe(true);
    await expect.poll(() => page.getByLabel('Project').inputValue()).toBe('p_demo');
    await c.axeCheck(page, 'home');
    await c.screenshot(page, 'home');
  });

  it('signing out forgets the session: the picker is back and a reload does not sign in again', async () => {
    const page = await c.newPage('u_navigator');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByLabel('User').isVisible()).toBe(true);
    await page.reload();
    await expect.poll(() => page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
    expect(await page.getByRole('navigation', { name: 'Sections' }).count()).toBe(0);
  });
});

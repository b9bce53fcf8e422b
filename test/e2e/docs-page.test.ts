import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/browser.js';
import { startRuntime, type TestRuntime } from '../support/runtime.js';

// The page's DOM, as far as these checks read it (the project compiles without the DOM lib;
// these functions run in the browser through page.evaluate).
declare const document: {
  querySelectorAll(
    selector: string,
  ): Iterable<{ getAttribute(name: string): string | null; textContent: string | null }>;
  body: { innerText: string };
};

/**
 * The API reference page, opened in a real (headless) Chromium against the local runtime: Debian's
 * `chromium` package, driven by playwright-core — no browser is ever downloaded. CI installs it
 * (.ci/run), so a missing binary is a failure with the fix in its message, not a skip.
 */

let t: TestRuntime;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the docs page test needs it. ` +
        'Install it with `apt-get install -y chromium` (.ci/run does this when it is missing).',
    );
  }
  t = await startRuntime();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

interface Operation {
  id: string;
  summary: string;
  method: string;
  path: string;
  tag: string;
}

async function operations(): Promise<Operation[]> {
  const r = await t.call('GET', '/v1/openapi.json');
  expect(r.status).toBe(200);
  const paths = r.body.paths as Record<
    string,
    Record<string, { operationId: string; summary: string; tags: string[] }>
  >;
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({
      id: op.operationId,
      summary: op.summary,
      method: method.toUpperCase(),
      path,
      tag: op.tags[0],
    })),
  );
}

/**
 * Opens a docs page and waits until every operation of the document is listed in Scalar's sidebar:
 * an entry for its method and path under its tag (`data-sidebar-id` ends in `/tag/<tag>/<METHOD><path>`),
 * labelled with its summary. Records any request that left the API's origin and any console error
 * (a CSP refusal shows up there).
 */
async function openDocs(pagePath: string) {
  const page = await browser.newPage();
  const external: string[] = [];
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith(`${t.rt.url}/`) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    external.push(url);
    return route.abort();
  });
  const response = await page.goto(`${t.rt.url}${pagePath}`);
  expect(response?.status()).toBe(200);
  const ops = await operations();
  const missing = () =>
    page.evaluate((list) => {
      const entries = [...document.querySelectorAll('[data-sidebar-id]')];
      return list
        .filter((op) => {
          const suffix = `/tag/${op.tag}/${op.method}${op.path}`;
          const entry = entries.find((e) => e.getAttribute('data-sidebar-id')?.endsWith(suffix));
          return !entry?.textContent?.includes(op.summary);
        })
        .map((op) => `${op.id} (${op.method} ${op.path})`);
    }, ops);
  await expect
    .poll(missing, { timeout: 45_000, interval: 500, message: 'operations not listed on the page' })
    .toEqual([]);
  const text = await page.evaluate(() => document.body.innerText);
  await page.close();
  return { ops, external, errors, text };
}

describe('docs page (Scalar, served from node_modules)', () => {
  it('/docs in the local runtime lists every operation of the document; nothing loads off-origin', async () => {
    const { ops, external, errors, text } = await openDocs('/docs');
    expect(ops.length).toBeGreaterThan(20);
    expect(text).toContain('Ballast API');
    for (const tag of ['ops', 'control', 'portfolio']) expect(text).toContain(tag);
    expect(external, 'requests that left the API origin (a CDN, fonts, telemetry)').toEqual([]);
    expect(errors, 'console errors (CSP refusals among them)').toEqual([]);
  }, 90_000);

  it('the cloud route GET /v1/docs renders the same, its script from GET /v1/docs/scalar.js', async () => {
    const { external, errors } = await openDocs('/v1/docs');
    expect(external).toEqual([]);
    expect(errors).toEqual([]);
  }, 90_000);

  it('page and script carry their own CSP, cache headers and request id; the local script is gzipped', async () => {
    for (const path of ['/docs', '/v1/docs']) {
      const page = await fetch(`${t.rt.url}${path}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toMatch(/unsafe-eval|https?:/);
      expect(page.headers.get('x-request-id')).toBeTruthy();
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      const html = await page.text();
      expect(html).toContain('data-url="/v1/openapi.json"');
      expect(html).not.toMatch(/<script>|https?:\/\//);
    }
    const cloud = await t.call('GET', '/v1/docs');
    expect(cloud.text).toContain('<script src="/v1/docs/scalar.js"></script>');
    const script = await fetch(`${t.rt.url}/v1/docs/scalar.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(script.headers.get('cache-control')).toContain('max-age=');
    expect((await script.text()).length).toBeGreaterThan(1_000_000);
    const local = await fetch(`${t.rt.url}/docs/scalar.js`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(local.status).toBe(200);
    expect(local.headers.get('content-encoding')).toBe('gzip');
    expect(Number(local.headers.get('content-length'))).toBeLessThan(2_000_000);
  });
});

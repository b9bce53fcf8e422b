import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { startRuntime, type TestRuntime } from './runtime.js';

/**
 * The console in a real headless Chromium (Debian's `chromium`, driven by playwright-core; nothing
 * is downloaded) against a local runtime of the test file's own, which serves the console's build
 * at `/` (built once per run by test/global-setup.ts).
 */
export const CHROMIUM = '/usr/bin/chromium';
/** Headless, sandbox off (CI runs as root), and nothing that reaches the network on its own. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const SCREENSHOTS = resolve(import.meta.dirname, '../../test-results/screenshots');

// The page's world, as far as these helpers reach into it (the project compiles without the DOM lib).
declare const window: { axe: { run(ctx: unknown, o: unknown): Promise<AxeResults> } };
declare const document: unknown;

interface AxeResults {
  violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }>;
}

export interface ConsoleUnderTest {
  runtime: TestRuntime;
  browser: Browser;
  url: string;
  /** a new browser context (its own memory, so its own session) signed in as `userId` through the picker */
  newPage(userId?: string): Promise<Page>;
  /** asserts axe-core finds no serious or critical violation on the page as it is now */
  axeCheck(page: Page, name: string): Promise<void>;
  /** saves a full-page screenshot as a test artefact (test-results/screenshots/<name>.png) */
  screenshot(page: Page, name: string): Promise<void>;
  stop(): Promise<void>;
}

let axeSource: string | undefined;
async function axeScript(): Promise<string> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

export async function startConsole(opts: Parameters<typeof startRuntime>[0] = {}): Promise<ConsoleUnderTest> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the console tests need it. ` +
        'Install it with `apt-get install -y chromium` (.ci/run does this when it is missing).',
    );
  }
  const runtime = await startRuntime(opts);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const url = runtime.rt.url;
  const contexts: BrowserContext[] = [];
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    runtime,
    browser,
    url,
    async newPage(userId = 'u_admin') {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(`${url}/`);
      await page.getByLabel('User').selectOption(userId);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect
        .poll(() => page.getByRole('navigation', { name: 'Sections' }).isVisible(), {
          message: `signed in as ${userId}; page errors: ${errors.join(' | ')}`,
          timeout: 15_000,
        })
        .toBe(true);
      expect(errors, 'uncaught errors in the page').toEqual([]);
      return page;
    },
    async axeCheck(page, name) {
      // evaluated through the DevTools protocol, not as a <script>: the console's CSP (rightly) refuses inline scripts
      await page.evaluate(await axeScript());
      const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
      const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(
        serious.map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`),
        `axe on ${name}`,
      ).toEqual([]);
    },
    async screenshot(page, name) {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
    async stop() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await runtime.stop();
    },
  };
}

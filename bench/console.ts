/**
 * The console's weight and time to interactive (issue 15): the JavaScript the first page load ships
 * (gzipped; target ≤ 250 KB) from a production build, and how long the local runtime's console takes
 * to become usable in headless Chromium — the sign-in form, then the signed-in shell — against the
 * baseline of the same browser loading the same server's `/v1/health` (no script), in the same run.
 * Writes bench/results/console.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { startLocal } from '../packages/local/src/app.js';

const ROOT = join(import.meta.dirname, '..');
const DIST = join(ROOT, 'packages/web/dist');
const TARGET_INITIAL_JS_GZIP_KB = 250;
const RUNS = 7;
const CHROMIUM = '/usr/bin/chromium';

// The page's world, as far as this bench reaches into it (the project compiles without the DOM lib).
declare const performance: { now(): number };

const build = spawnSync('npm', ['run', '--silent', 'build:web'], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) throw new Error('the console did not build');

const gz = async (file: string) => gzipSync(await readFile(file)).length;
const html = await readFile(join(DIST, 'index.html'), 'utf8');
// what the first load fetches: the entry script, its modulepreloads and the stylesheet
const initialScripts = [...html.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="([^"]+)"/g)].map(
  (m) => m[1],
);
const styles = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g)].map((m) => m[1]);
let initialJsGzip = 0;
for (const s of initialScripts) initialJsGzip += await gz(join(DIST, s));
let cssGzip = 0;
for (const s of styles) cssGzip += await gz(join(DIST, s));
const chunks = (await readdir(join(DIST, 'assets'))).filter((f) => f.endsWith('.js'));
const sizes = await Promise.all(chunks.map(async (f) => ({ file: f, gzipBytes: await gz(join(DIST, 'assets', f)) })));
const lazy = sizes.filter((c) => !initialScripts.some((s) => s.endsWith(c.file)));

if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: apt-get install -y chromium`);
const rt = await startLocal({ port: 0, inMemory: true, tablePrefix: 'benchconsole' });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const baseline: number[] = [];
const signInReady: number[] = [];
const shellReady: number[] = [];
try {
  for (let i = 0; i < RUNS + 1; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${rt.url}/v1/health`, { waitUntil: 'load' });
    const health = await page.evaluate(() => performance.now());
    await page.goto(`${rt.url}/`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor({ state: 'visible' });
    const form = await page.evaluate(() => performance.now());
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Sections' }).waitFor({ state: 'visible' });
    await page.getByLabel('Project').waitFor({ state: 'visible' });
    const shell = await page.evaluate(() => performance.now());
    await context.close();
    if (i === 0) continue; // the first run warms the server's file cache and the browser
    baseline.push(health);
    signInReady.push(form);
    shellReady.push(shell);
  }
} finally {
  await browser.close();
  await rt.stop();
}

const report = {
  generatedAt: new Date().toISOString(),
  node: process.version,
  machine: { cpus: cpus().length, model: cpus()[0]?.model },
  bundle: {
    initialJsGzipKB: +(initialJsGzip / 1024).toFixed(1),
    targetKB: TARGET_INITIAL_JS_GZIP_KB,
    ratioToTarget: +(initialJsGzip / 1024 / TARGET_INITIAL_JS_GZIP_KB).toFixed(3),
    meetsTarget: initialJsGzip / 1024 <= TARGET_INITIAL_JS_GZIP_KB,
    initialFiles: initialScripts,
    cssGzipKB: +(cssGzip / 1024).toFixed(1),
    lazyChunks: lazy.length,
    largestLazyChunk: lazy.sort((a, b) => b.gzipBytes - a.gzipBytes)[0],
  },
  timeToInteractive: {
    runs: RUNS,
    note: 'ms from navigation start (performance.now) in headless Chromium, local runtime on loopback',
    baselineHealthLoadMs: +median(baseline).toFixed(1),
    signInFormMs: +median(signInReady).toFixed(1),
    signedInShellMs: +median(shellReady).toFixed(1),
    signInFormRatioToBaseline: +(median(signInReady) / median(baseline)).toFixed(2),
  },
};
await mkdir(join(ROOT, 'bench/results'), { recursive: true });
await writeFile(join(ROOT, 'bench/results/console.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(report, null, 2));
if (!report.bundle.meetsTarget) {
  console.error(`the console's initial JavaScript is ${report.bundle.initialJsGzipKB} KB gzipped (target 250)`);
  process.exit(1);
}

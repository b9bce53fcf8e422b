import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeById } from '../../packages/app/src/routes.js';
import type { RouteDef } from '../../packages/platform/src/http/define-route.js';
import { sstEsbuildOptions } from '../../stacks/bundling.js';

/**
 * The cloud side of the docs page, as Lambda runs it: each public ops function bundled with SST's
 * esbuild and the stacks' options, laid out like its deployment package (the bundle at its path,
 * the route's `files` copied beside it, the package root as working directory), then invoked in a
 * fresh Node process with no node_modules in reach.
 */
type Esbuild = typeof import('esbuild');
const ROOT = path.resolve(import.meta.dirname, '../..');
const BUDGET = 400 * 1024;
const run = promisify(execFile);
let esbuild: Esbuild;
let dir: string;

beforeAll(async () => {
  const sstRequire = createRequire(createRequire(import.meta.url).resolve('sst/package.json'));
  esbuild = ((await import(pathToFileURL(sstRequire.resolve('esbuild')).href)) as { default: Esbuild }).default;
  dir = await mkdtemp(path.join(os.tmpdir(), 'ballast-docs-lambda-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A deployment package of the route's function: its bundle, and its files unless `withFiles` is false. */
async function deploy(route: RouteDef, withFiles = true): Promise<{ root: string; bundle: string; bytes: number }> {
  const root = path.join(dir, `${route.id}-${withFiles ? 'files' : 'bare'}`);
  const bundle = path.join(root, route.handler.replace(/\.ts$/, '.mjs'));
  const opts = sstEsbuildOptions(path.join(ROOT, route.handler), bundle) as unknown as Parameters<Esbuild['build']>[0];
  await esbuild.build(opts);
  for (const file of withFiles ? (route.files ?? []) : []) {
    await mkdir(path.dirname(path.join(root, file.to)), { recursive: true });
    await copyFile(path.join(ROOT, file.from), path.join(root, file.to));
  }
  return { root, bundle, bytes: (await stat(bundle)).size };
}

interface Result {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

async function invoke(pkg: { root: string; bundle: string }, route: RouteDef, headers: Record<string, string> = {}) {
  const event = {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: route.path,
    rawQueryString: '',
    headers: { 'user-agent': 'docs-lambda-test', ...headers },
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'abc123',
      domainName: headers.host ?? 'abc123.execute-api.eu-central-1.amazonaws.com',
      domainPrefix: 'abc123',
      requestId: 'req-docs-1',
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: '',
      timeEpoch: Date.now(),
      http: { method: route.method, path: route.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'x' },
    },
  };
  const script = `const m = await import(${JSON.stringify(pathToFileURL(pkg.bundle).href)});
const context = { awsRequestId: 'req-docs-1', getRemainingTimeInMillis: () => 9000 };
const r = await m.handler(${JSON.stringify(event)}, context);
process.stdout.write('\\n@@RESULT@@' + JSON.stringify(r));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: pkg.root,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      BALLAST_CONTROL_TABLE: 'ballast-test-control',
      BALLAST_BOOTSTRAP_SECRET: 'ballast/test/bootstrap-key',
      BALLAST_ENV: 'dev',
      BALLAST_SECRETS_BACKEND: 'aws',
      BALLAST_STAGE: 'test',
      BALLAST_LOG_LEVEL: 'ERROR',
    },
  });
  // a newline cannot occur inside the JSON, so the marker after one is the real one
  const marker = '\n@@RESULT@@';
  return JSON.parse(stdout.slice(stdout.indexOf(marker) + marker.length)) as Result;
}

describe('docs in the cloud: public ops functions as Lambda runs them', () => {
  it('GET /v1/docs/scalar.js serves the Scalar bundle shipped beside a bundle within budget', async () => {
    const route = routeById('docs.script');
    expect(route.files?.length, 'docs.script ships its asset as a file of the function').toBe(1);
    const pkg = await deploy(route);
    expect(pkg.bytes, `${route.handler} bundles to ${pkg.bytes} bytes`).toBeLessThanOrEqual(BUDGET);
    const r = await invoke(pkg, route);
    expect(r.statusCode).toBe(200);
    expect(r.headers['Content-Type']).toMatch(/^text\/javascript/);
    const asset = await readFile(path.join(ROOT, route.files?.[0].from ?? ''), 'utf8');
    expect(r.body === asset, 'the body is the Scalar standalone bundle').toBe(true);
    // Lambda's synchronous response limit is 6 MB (the JSON-escaped body counts).
    expect(JSON.stringify(r).length).toBeLessThan(6 * 1024 * 1024);
  }, 120_000);

  it('without its file the script route answers 503 naming the problem (it does not reach node_modules)', async () => {
    const route = routeById('docs.script');
    const r = await invoke(await deploy(route, false), route);
    expect(r.statusCode).toBe(503);
    expect(JSON.parse(r.body)).toMatchObject({ code: 'DOCS_ASSET_MISSING' });
  }, 120_000);

  it('GET /v1/docs answers the page with its CSP; GET /v1/openapi.json names the API that served it', async () => {
    const docs = routeById('docs.page');
    const page = await deploy(docs);
    expect(page.bytes).toBeLessThanOrEqual(BUDGET);
    const r = await invoke(page, docs);
    expect(r.statusCode).toBe(200);
    expect(r.headers['Content-Type']).toMatch(/^text\/html/);
    expect(r.headers['Content-Security-Policy']).toContain("script-src 'self'");
    expect(r.body).toContain('data-url="/v1/openapi.json"');

    const openapi = routeById('openapi.get');
    const doc = await deploy(openapi);
    expect(doc.bytes, `${openapi.handler} bundles to ${doc.bytes} bytes`).toBeLessThanOrEqual(BUDGET);
    const host = 'abc123.execute-api.eu-central-1.amazonaws.com';
    const served = await invoke(doc, openapi, { host, 'x-forwarded-proto': 'https' });
    expect(served.statusCode).toBe(200);
    expect(JSON.parse(served.body).servers).toEqual([{ url: `https://${host}`, description: expect.any(String) }]);
  }, 120_000);
});

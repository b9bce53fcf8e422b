import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCorsOrigins } from '../../packages/local/src/cors.js';
import { REPO_ROOT } from '../../packages/local/src/app.js';
import { CORS_EXPOSE_HEADERS } from '../../packages/platform/src/http/cors.js';
import { startRuntime, type TestRuntime } from '../support/runtime.js';

/**
 * Browser clients of the local runtime: CORS from the configured origins (stacks/cors-origins.json,
 * `stages.local`), preflights answered, the HTTP conventions' headers readable by the page's script.
 */
const CHROMIUM = '/usr/bin/chromium';
let t: TestRuntime;
let token: string;

beforeAll(async () => {
  t = await startRuntime();
  token = await t.token('u_navigator', 't_demo');
});
afterAll(async () => {
  await t.stop();
});

const servers: Server[] = [];

/** A web app's origin: a server on `host` answering a blank page. */
async function appServer(host: string): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>app</title>');
  });
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

const preflight = (origin: string, method = 'POST') =>
  fetch(`${t.rt.url}/v1/portfolios`, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': method,
      'Access-Control-Request-Headers': 'authorization, content-type, x-project-id, idempotency-key',
    },
  });

describe('CORS in the local runtime', () => {
  it('reads its allowed origins from the configuration file', () => {
    expect(localCorsOrigins(REPO_ROOT)).toEqual(expect.arrayContaining(['http://localhost:*']));
  });

  it('answers a preflight from an allowed origin with the methods, headers and max age', async () => {
    const r = await preflight('http://localhost:5173', 'PATCH');
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(r.headers.get('vary')).toContain('Origin');
    expect(r.headers.get('access-control-allow-methods')?.split(', ')).toEqual(
      expect.arrayContaining(['GET', 'POST', 'PATCH', 'DELETE', 'PUT']),
    );
    const allowed = (r.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(', ');
    for (const h of ['authorization', 'content-type', 'x-api-key', 'x-project-id', 'idempotency-key', 'if-match'])
      expect(allowed, h).toContain(h);
    expect(Number(r.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(r.headers.get('x-request-id')).toBeTruthy();
  });

  it('refuses a preflight from another origin, saying where origins are configured', async () => {
    const r = await preflight('https://evil.example');
    expect(r.status).toBe(403);
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    const problem = (await r.json()) as { code: string; detail: string };
    expect(problem.code).toBe('CORS_ORIGIN_NOT_ALLOWED');
    expect(problem.detail).toContain('cors-origins.json');
    // `localhost:*` is a port wildcard, not a prefix
    expect((await preflight('http://localhost.evil.example:3000')).status).toBe(403);
    expect((await preflight('http://localhost:3000.evil.example')).status).toBe(403);
  });

  it('gives responses to an allowed origin the exposed headers, and none to another origin', async () => {
    const ok = await t.call('POST', '/v1/portfolios', {
      token,
      headers: { 'X-Project-Id': 'p_demo', Origin: 'http://127.0.0.1:8080', 'Idempotency-Key': 'cors-create-0001' },
      body: { name: 'Cors' },
    });
    expect(ok.status).toBe(201);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8080');
    const exposed = ok.headers.get('access-control-expose-headers')?.split(', ') ?? [];
    for (const h of [
      'ETag',
      'X-Request-Id',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
      'Idempotent-Replayed',
      'Retry-After',
      'Location',
    ])
      expect(exposed, h).toContain(h);
    expect(exposed).toEqual([...CORS_EXPOSE_HEADERS]);
    const other = await t.call('GET', '/v1/health', { headers: { Origin: 'https://evil.example' } });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a real browser page on an allowed origin calls the API and reads ETag, Location and RateLimit-*', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: apt-get install -y chromium`);
    const browser: Browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    try {
      const consoleErrors: string[] = [];
      const call = async (origin: string) => {
        const page = await browser.newPage();
        page.on('console', (m) => {
          if (m.type() === 'error') consoleErrors.push(m.text());
        });
        await page.goto(`${origin}/`);
        const result = await page.evaluate(
          async ({ api, bearer }) => {
            try {
              const r = await fetch(`${api}/v1/portfolios`, {
                method: 'POST',
                headers: {
                  Authorization: `Bearer ${bearer}`,
                  'Content-Type': 'application/json',
                  'X-Project-Id': 'p_demo',
                },
                body: JSON.stringify({ name: 'From a browser' }),
              });
              return {
                status: r.status,
                etag: r.headers.get('etag'),
                location: r.headers.get('location'),
                limit: r.headers.get('ratelimit-limit'),
                requestId: r.headers.get('x-request-id'),
              };
            } catch (e) {
              return { failed: String(e) };
            }
          },
          { api: t.rt.url, bearer: token },
        );
        await page.close();
        return result;
      };
      // The app's pages come from a server of their own on loopback addresses (Chromium lets a page
      // reach the loopback address space only from that space): one origin allowed, one not.
      const allowedOrigin = await appServer('127.0.0.1');
      const otherOrigin = await appServer('127.0.0.2');
      const allowed = await call(allowedOrigin);
      expect(allowed).toMatchObject({ status: 201, etag: '"1"', location: expect.stringContaining('/v1/portfolios/') });
      expect(allowed).toMatchObject({ limit: expect.any(String), requestId: expect.any(String) });
      expect(otherOrigin).not.toMatch(/127\.0\.0\.1|localhost/);
      expect(consoleErrors).toEqual([]);
      expect(await call(otherOrigin)).toMatchObject({ failed: expect.stringContaining('Failed to fetch') });
      // refused by CORS (the preflight), not by anything else
      expect(consoleErrors.join('\n')).toMatch(/blocked by CORS policy: Response to preflight request/);
      expect(consoleErrors.join('\n')).not.toContain('address space');
    } finally {
      await browser.close();
      for (const server of servers) server.close();
    }
  }, 60_000);
});

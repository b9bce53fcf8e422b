import { SECURITY_HEADERS } from '@ballast/platform/http/middlewares/responder/index.js';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * The console's page policy: its own scripts and styles only (Vite emits no inline script), calls to
 * this origin (the API), images from itself or data URLs (the charts' canvases export none).
 */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** The console's settings locally (`/console-config.json`): the API is this origin, sign-in the local issuer. */
export const LOCAL_CONSOLE_CONFIG = { auth: { kind: 'local' } } as const;

/** Files are read and gzipped once per process: dist/ only changes with a new build (a restart). */
const cache = new Map<string, { raw: Buffer; gzip: Buffer }>();

async function load(file: string) {
  const hit = cache.get(file);
  if (hit) return hit;
  const raw = await readFile(file);
  const entry = { raw, gzip: gzipSync(raw) };
  cache.set(file, entry);
  return entry;
}

/**
 * Serves the console's build (`packages/web/dist`, written by `npm run build:web`, which `npm start`
 * runs first) at `/`: `index.html` for `/`, hashed assets under `/assets/` cached for a year. Answers
 * true when the request was the console's; API paths (`/v1`, `/_local`, `/docs`) never reach here.
 */
export async function serveConsole(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  dist: string,
): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (pathname === '/console-config.json') {
    // what the Console stack writes next to the site in the cloud; here: sign in with the local issuer
    const body = JSON.stringify(LOCAL_CONSOLE_CONFIG);
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'application/json', 'X-Request-Id': randomUUID() });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }
  const isPage = pathname === '/' || pathname === '/index.html';
  if (!isPage && !pathname.startsWith('/assets/')) return false;
  const file = normalize(join(dist, isPage ? 'index.html' : pathname));
  if (!file.startsWith(`${normalize(dist)}${sep}`)) return false;
  let body: { raw: Buffer; gzip: Buffer };
  try {
    body = await load(file);
  } catch {
    if (!isPage) return false;
    const text = 'The console is not built: run `npm run build:web` (npm start does it), then reload.';
    res.writeHead(503, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '5' });
    res.end(text);
    return true;
  }
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const bytes = gzip ? body.gzip : body.raw;
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Security-Policy': CONSOLE_CSP,
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': String(bytes.length),
    'Cache-Control': isPage ? 'no-cache' : 'public, max-age=31536000, immutable',
    'X-Request-Id': randomUUID(),
    Vary: 'Accept-Encoding',
    ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
  return true;
}

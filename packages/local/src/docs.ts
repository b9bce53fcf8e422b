import { fileDocsAssets } from '@ballast/app/ops/assets.fs.js';
import { DOCS_HEADERS, DOCS_URLS, docsPage, SCRIPT_HEADERS } from '@ballast/app/ops/docs.js';
import { SECURITY_HEADERS } from '@ballast/platform/http/middlewares/responder/index.js';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';

/** The local docs page: the same page as `GET /v1/docs`, its script served straight from node_modules. */
export const LOCAL_DOCS = { page: '/docs', script: '/docs/scalar.js' } as const;

/** Both parts are static: each is gzipped once per process (the script is ~4.8 MB, ~1.4 MB gzipped). */
const gzipped = new Map<string, Buffer>();

function send(req: IncomingMessage, res: ServerResponse, part: { path: string; type: string; body: string }) {
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  let bytes: Buffer = Buffer.from(part.body);
  if (gzip) {
    bytes = gzipped.get(part.path) ?? gzipSync(bytes);
    gzipped.set(part.path, bytes);
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    ...(part.path === LOCAL_DOCS.page ? DOCS_HEADERS : SCRIPT_HEADERS),
    'Content-Type': part.type,
    'Content-Length': String(bytes.length),
    'X-Request-Id': randomUUID(),
    Vary: 'Accept-Encoding',
    ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

/**
 * Serves `/docs` (the API reference page: Scalar reading `/v1/openapi.json`, under the page's own
 * CSP) and its script; answers true when the request was one of them.
 */
export async function serveLocalDocs(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (pathname === LOCAL_DOCS.page || pathname === `${LOCAL_DOCS.page}/`) {
    const body = docsPage({ document: DOCS_URLS.document, script: LOCAL_DOCS.script });
    send(req, res, { path: LOCAL_DOCS.page, type: 'text/html; charset=utf-8', body });
    return true;
  }
  if (pathname !== LOCAL_DOCS.script) return false;
  const body = await fileDocsAssets.scalarScript();
  send(req, res, { path: LOCAL_DOCS.script, type: 'text/javascript; charset=utf-8', body });
  return true;
}

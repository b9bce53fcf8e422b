import type { OpsHandler } from './ports.js';
import type { routes } from './routes.js';

type R = typeof routes;

/** Where the cloud serves the page's parts (public routes of this context). */
export const DOCS_URLS = { document: '/v1/openapi.json', script: '/v1/docs/scalar.js' } as const;

/**
 * Scalar's settings: nothing leaves the API's origin (no web fonts, telemetry, proxy, AI agent or
 * hosted client), every tag open in the sidebar, operation ids shown (the typed client's names).
 */
const SCALAR_CONFIGURATION = {
  withDefaultFonts: false,
  telemetry: false,
  hideClientButton: true,
  showDeveloperTools: 'never',
  agent: { disabled: true },
  mcp: { disabled: true },
  showOperationId: true,
  proxyUrl: '',
  defaultOpenAllTags: true,
};

/**
 * The page's own policy (instead of the API's `default-src 'none'`): its script and document from
 * this origin only; Scalar injects its styles, so inline styles are allowed, inline scripts are not.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const attr = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The API reference page: Scalar reads the document at `documentUrl`; its script comes from `scriptUrl`. */
export function docsPage(urls: { document: string; script: string } = DOCS_URLS): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>Ballast API reference</title>',
    '</head>',
    '<body>',
    `<noscript>This page needs JavaScript; the OpenAPI document is at <a href="${attr(urls.document)}">` +
      `${attr(urls.document)}</a>.</noscript>`,
    `<script id="api-reference" data-url="${attr(urls.document)}" ` +
      `data-configuration="${attr(JSON.stringify(SCALAR_CONFIGURATION))}"></script>`,
    `<script src="${attr(urls.script)}"></script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Headers of the page and its script: their own CSP, cached briefly (the script changes with Scalar). */
export const DOCS_HEADERS = { 'Content-Security-Policy': DOCS_CSP, 'Cache-Control': 'public, max-age=300' };
export const SCRIPT_HEADERS = { 'Cache-Control': 'public, max-age=86400' };

let page: string | undefined;

export const docs: OpsHandler<R['docs']> = async () => {
  page ??= docsPage();
  return { status: 200, body: page, headers: DOCS_HEADERS };
};

export const docsScript: OpsHandler<R['docsScript']> = async (_input, h) => ({
  status: 200,
  body: await h.ports.docsAssets.scalarScript(),
  headers: SCRIPT_HEADERS,
});

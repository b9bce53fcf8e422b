import { type OpenApiServer } from '@ballast/platform/http/openapi.js';
import { unavailable } from '@ballast/platform/errors.js';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OpsHandler } from './ports.js';
import { OPENAPI_DOCUMENT, type routes } from './routes.js';

/**
 * Where the API runs, when no request tells: the local runtime and a stage's HTTP API (its URL is
 * the stage's `ApiUrl` output). The served document names the host that served it instead.
 */
export const DEFAULT_SERVERS: readonly OpenApiServer[] = [
  { url: 'http://localhost:3000', description: 'The local runtime (`npm start`)' },
  {
    url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
    description: 'A deployed stage (its `ApiUrl` stack output)',
    variables: {
      apiId: { default: 'your-api-id', description: 'The HTTP API id of the stage' },
      region: { default: 'eu-central-1', description: 'The AWS region of the stage' },
    },
  },
];

/**
 * Where the served document is: in a Lambda, copied beside the bundle (the route's `files`), read
 * from the function's root; locally, beside this module. It is generated (`npm run client`, checked
 * by a test) instead of built at run time, so this function bundles no route schemas at all: the
 * document of 200 routes costs it nothing but a file read.
 */
async function loadDocument(): Promise<Record<string, unknown>> {
  for (const file of [resolve(OPENAPI_DOCUMENT.to), join(dirname(fileURLToPath(import.meta.url)), 'openapi.json')]) {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    } catch {
      // try the next place
    }
  }
  throw unavailable('DOCS_ASSET_MISSING', 'The OpenAPI document is not deployed with this function');
}

const HOST = /^(?:[A-Za-z0-9-]{1,63}\.)*[A-Za-z0-9-]{1,63}(?::\d{1,5})?$/;

/**
 * The server a request reached: API Gateway's `Host` is the API's own domain (execute-api or a
 * custom domain) and it sets `X-Forwarded-Proto`; the local runtime passes the browser's Host on.
 * Only a plain host name is echoed, so no header can inject anything into the document.
 */
export function servedFrom(headers: Readonly<Record<string, string>>): OpenApiServer[] {
  const host = headers.host?.trim() ?? '';
  if (!HOST.test(host)) return [...DEFAULT_SERVERS];
  const proto = headers['x-forwarded-proto']?.trim().toLowerCase() === 'https' ? 'https' : 'http';
  const local = /^(localhost|127\.0\.0\.1)(:\d+)?$/.test(host);
  return [
    { url: `${local ? proto : 'https'}://${host}`, description: 'This API (the host that served this document)' },
  ];
}

let document: Promise<Record<string, unknown>> | undefined;

/**
 * The OpenAPI document of every context, built once per process; only `servers` follows the
 * request. Its own module, and the one Lambda that imports the whole route table: it documents all of it.
 */
export const openapi: OpsHandler<(typeof routes)['openapi']> = async (input) => {
  document ??= loadDocument().catch((e: unknown) => {
    document = undefined;
    throw e;
  });
  const { openapi: version, info, servers: _servers, ...rest } = await document;
  return { status: 200, body: { openapi: version, info, servers: servedFrom(input.headers), ...rest } };
};

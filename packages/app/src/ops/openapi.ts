import { type OpenApiServer, openApiDocument } from '@ballast/platform/http/openapi.js';
import { ALL_ROUTES } from '../routes.js';
import type { OpsHandler } from './ports.js';
import type { routes } from './routes.js';

const INFO = {
  title: 'Ballast API',
  version: '1.0.0',
  description:
    'Multi-tenant investing platform. Money, prices and quantities are decimal strings; lists page with `limit` ' +
    'and an opaque `cursor`; every mutable resource carries a `version` sent as `ETag`; errors are Problem Details.',
};

/** One tag per context (the docs page groups operations by it); a test keeps every context described. */
export const CONTEXT_TAGS: Readonly<Record<string, string>> = {
  ops: 'Health, readiness and this API’s own description',
  control: 'The control plane: bootstrap, modes, tenants, projects, members, routing, API keys, identity, audit',
  portfolio: 'Portfolios of a project: cash and base currency',
  'market-data':
    'Market data of the tenant: quotes and symbol search from its provider, stored candles, uploads and syncs, ' +
    'the economic calendar',
};

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

/** The whole route table's document: what `npm run client` generates the typed client from. */
export function ballastOpenApi(servers: readonly OpenApiServer[] = DEFAULT_SERVERS): Record<string, unknown> {
  return openApiDocument(ALL_ROUTES, { info: INFO, servers, tags: CONTEXT_TAGS });
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

let document: Record<string, unknown> | undefined;

/**
 * The OpenAPI document of every context, built once per process; only `servers` follows the
 * request. Its own module, and the one Lambda that imports the whole route table: it documents all of it.
 */
export const openapi: OpsHandler<(typeof routes)['openapi']> = async (input) => {
  document ??= ballastOpenApi([]);
  const { openapi: version, info, ...rest } = document;
  return { status: 200, body: { openapi: version, info, servers: servedFrom(input.headers), ...rest } };
};

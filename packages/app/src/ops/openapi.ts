import { openApiDocument } from '@ballast/platform/http/openapi.js';
import { ALL_ROUTES } from '../routes.js';
import type { OpsHandler } from './ports.js';
import type { routes } from './routes.js';

let document: Record<string, unknown> | undefined;

/**
 * The OpenAPI document of every context, built once per process. Its own module, and the one
 * Lambda that imports the whole route table: it documents all of it.
 */
export const openapi: OpsHandler<(typeof routes)['openapi']> = async () => {
  document ??= openApiDocument(ALL_ROUTES, {
    title: 'Ballast API',
    version: '1.0.0',
    description: 'Multi-tenant investing and trading platform',
  });
  return { status: 200, body: document };
};

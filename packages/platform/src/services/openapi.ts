import type { RouteHandler } from '../http/types.js';
import { openApiDocument } from '../routes/openapi.js';

let doc: Record<string, unknown> | undefined;

/** Built once per process from the route table (its own module: only this Lambda bundles the JSON Schema generator). */
export const openapi: RouteHandler = async () => {
  doc ??= openApiDocument();
  return { body: doc };
};

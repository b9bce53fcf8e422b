import * as z from 'zod/mini';
import { ROUTES } from './table.js';
import type { RouteDef } from './types.js';

type Json = Record<string, unknown>;

function schema(s: z.ZodMiniType, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Json;
  delete out.$schema;
  return out;
}

const problem = {
  description: 'Problem Details (RFC 9457)',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

function operation(r: RouteDef): Json {
  const parameters: Json[] = [];
  const params = r.request.params ? schema(r.request.params, 'input') : undefined;
  for (const [name, s] of Object.entries((params?.properties ?? {}) as Record<string, Json>))
    parameters.push({ name, in: 'path', required: true, schema: s });
  const query = r.request.query ? schema(r.request.query, 'input') : undefined;
  const requiredQ = new Set((query?.required as string[] | undefined) ?? []);
  for (const [name, s] of Object.entries((query?.properties ?? {}) as Record<string, Json>))
    parameters.push({ name, in: 'query', required: requiredQ.has(name), schema: s });
  if (r.access === 'project')
    parameters.push({ name: 'X-Project-Id', in: 'header', required: true, schema: { type: 'string' } });
  if (r.access !== 'public' && r.access !== 'bootstrapKey') {
    parameters.push(
      { name: 'X-Tenant-Id', in: 'header', required: false, schema: { type: 'string' } },
      { name: 'X-Env', in: 'header', required: false, schema: { enum: ['dev', 'staging', 'prod'] } },
    );
  }
  if (r.idempotent)
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      schema: { type: 'string', minLength: 8, maxLength: 128 },
    });
  if (r.method === 'PATCH' || (r.method === 'DELETE' && r.group === 'portfolios'))
    parameters.push({ name: 'If-Match', in: 'header', required: r.group === 'portfolios', schema: { type: 'string' } });
  if (r.access === 'bootstrapKey')
    parameters.push({ name: 'X-Bootstrap-Key', in: 'header', required: true, schema: { type: 'string' } });
  const ok: Json =
    r.status === 204
      ? { description: 'No content' }
      : {
          description: 'OK',
          content: { 'application/json': { schema: r.response ? schema(r.response, 'output') : {} } },
        };
  return {
    operationId: r.id,
    summary: r.summary,
    tags: [r.group],
    'x-ballast-min-tier': r.minTier,
    'x-ballast-roles': r.roles,
    ...(r.access === 'public' || r.access === 'bootstrapKey' ? { security: [] } : {}),
    parameters,
    ...(r.request.body
      ? {
          requestBody: { required: true, content: { 'application/json': { schema: schema(r.request.body, 'input') } } },
        }
      : {}),
    responses: { [String(r.status)]: ok, '4XX': problem, '503': problem },
  };
}

/** The OpenAPI 3.1 document, generated from the route table's zod schemas. */
export function openApiDocument(): Json {
  const paths: Record<string, Json> = {};
  for (const r of ROUTES) {
    paths[r.path] ??= {};
    paths[r.path][r.method.toLowerCase()] = operation(r);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Ballast API', version: '1.0.0', description: 'Multi-tenant investing and trading platform' },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (Cognito access token)' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            code: { type: 'string' },
            requestId: { type: 'string' },
            errors: {
              type: 'array',
              items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
            },
          },
        },
      },
    },
    security: [{ bearer: [] }, { apiKey: [] }],
  };
}

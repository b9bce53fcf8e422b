import * as z from 'zod/mini';
import { ENVS } from '../context/types.js';
import { resolveSchema } from '../schemas/lazy.js';
import type { RouteDef, Schema } from './define-route.js';

type Json = Record<string, unknown>;

function jsonSchema(schema: Schema, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(resolveSchema(schema), { io, unrepresentable: 'any' }) as Json;
  delete out.$schema;
  return out;
}

const problem = {
  description: 'Problem Details (RFC 9457)',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

const HEADER_DOCS: Record<string, Json> = {
  ETag: { description: 'The resource version; send it back as If-Match', schema: { type: 'string' } },
  Location: { description: 'Where the created resource lives', schema: { type: 'string' } },
  'X-Request-Id': {
    description: 'This request’s id (echoed when the client sent a sane one)',
    schema: { type: 'string' },
  },
  'RateLimit-Limit': { description: 'Requests allowed per minute for this caller', schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Requests left in the current minute', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the window resets', schema: { type: 'integer' } },
  'Idempotent-Replayed': { description: '`true` when this is the stored first response', schema: { type: 'string' } },
};

function authenticated(r: RouteDef): boolean {
  return r.access !== 'public' && r.access !== 'bootstrapKey';
}

function operation(r: RouteDef): Json {
  const parameters: Json[] = [];
  const params = r.request.params ? jsonSchema(r.request.params, 'input') : undefined;
  for (const [name, schema] of Object.entries((params?.properties ?? {}) as Record<string, Json>)) {
    parameters.push({ name, in: 'path', required: true, schema });
  }
  const query = r.request.query ? jsonSchema(r.request.query, 'input') : undefined;
  const requiredQuery = new Set((query?.required as string[] | undefined) ?? []);
  for (const [name, schema] of Object.entries((query?.properties ?? {}) as Record<string, Json>)) {
    parameters.push({ name, in: 'query', required: requiredQuery.has(name), schema });
  }
  if (r.access === 'project') {
    parameters.push({ name: 'X-Project-Id', in: 'header', required: true, schema: { type: 'string' } });
  }
  if (authenticated(r)) {
    parameters.push(
      { name: 'X-Tenant-Id', in: 'header', required: false, schema: { type: 'string' } },
      { name: 'X-Env', in: 'header', required: false, schema: { enum: [...ENVS] } },
    );
  }
  if (r.idempotent) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      schema: { type: 'string', minLength: 8, maxLength: 128 },
    });
  }
  if (r.ifMatch) {
    parameters.push({ name: 'If-Match', in: 'header', required: r.ifMatch === 'required', schema: { type: 'string' } });
  }
  if (r.access === 'bootstrapKey') {
    parameters.push({ name: 'X-Bootstrap-Key', in: 'header', required: true, schema: { type: 'string' } });
  }
  const always = [
    'X-Request-Id',
    ...(authenticated(r) ? ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'] : []),
  ];
  const responses: Json = {};
  for (const [status, spec] of Object.entries(r.responses)) {
    const names = [...always, ...(spec.headers ?? []), ...(r.idempotent ? ['Idempotent-Replayed'] : [])];
    responses[status] = {
      description: spec.description,
      headers: Object.fromEntries(names.map((name) => [name, HEADER_DOCS[name]])),
      ...(spec.body ? { content: { 'application/json': { schema: jsonSchema(spec.body, 'output') } } } : {}),
    };
  }
  responses['4XX'] = problem;
  responses['503'] = problem;
  return {
    operationId: r.id,
    summary: r.summary,
    tags: [r.context],
    'x-ballast-min-tier': r.minTier,
    'x-ballast-roles': r.roles,
    ...(authenticated(r) ? {} : { security: [] }),
    parameters,
    ...(r.request.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(r.request.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of a route table, generated from its zod schemas. */
export function openApiDocument(
  routes: readonly RouteDef[],
  info: { title: string; version: string; description: string },
): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) {
    paths[r.path] ??= {};
    paths[r.path][r.method.toLowerCase()] = operation(r);
  }
  return {
    openapi: '3.1.0',
    info,
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

import * as z from 'zod/mini';
import { ENVS } from '../context/types.js';
import { ID_PATTERN } from '../schemas/common.js';
import { resolveSchema } from '../schemas/lazy.js';
import type { RouteDef, Schema } from './define-route.js';

type Json = Record<string, unknown>;

/** Where the API is served: the document's `servers` (RFC 6570 `{variables}` allowed in the URL). */
export interface OpenApiServer {
  url: string;
  description?: string;
  variables?: Readonly<Record<string, { default: string; description?: string; enum?: readonly string[] }>>;
}

export interface OpenApiOptions {
  info: { title: string; version: string; description: string };
  servers?: readonly OpenApiServer[];
  /** a description per context (each context is one tag); a context without one gets a bare tag */
  tags?: Readonly<Record<string, string>>;
}

/** The platform's integer idiom: a number refined by `Number.isInteger` (JSON Schema can say that). */
function isIntegerNumber(schema: z.core.$ZodType): boolean {
  const def = schema._zod.def;
  if (def.type !== 'number') return false;
  const checks: readonly z.core.$ZodCheck[] = (def as { checks?: z.core.$ZodCheck[] }).checks ?? [];
  return checks.some((check) => (check._zod.def as { fn?: unknown }).fn === Number.isInteger);
}

/**
 * A zod schema as JSON Schema 2020-12 (what OpenAPI 3.1 speaks). Metadata registered on a schema
 * (`z.globalRegistry`: a decimal string's pattern, say) is merged in by zod itself.
 */
export function jsonSchema(schema: Schema, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(resolveSchema(schema), {
    io,
    unrepresentable: 'any',
    override: (ctx) => {
      if (isIntegerNumber(ctx.zodSchema)) ctx.jsonSchema.type = 'integer';
    },
  }) as Json;
  delete out.$schema;
  // Refs into `$defs` (recursive schemas) would resolve against the document's root, not this schema.
  if (out.$defs) throw new Error('recursive schemas are not supported by the OpenAPI generator yet');
  return out;
}

const string = { type: 'string' };

/** Every header the API documents. */
const HEADER_DOCS: Record<string, Json> = {
  ETag: { description: 'The resource version (a strong ETag like `"3"`); send it back as If-Match', schema: string },
  Location: { description: 'Where the created resource lives', schema: { type: 'string', format: 'uri-reference' } },
  'X-Request-Id': {
    description: 'This request’s id (echoed when the client sent a sane one); quote it when reporting a problem',
    schema: string,
  },
  'RateLimit-Limit': { description: 'Requests allowed per minute for this caller', schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Requests left in the current minute', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the window resets', schema: { type: 'integer' } },
  'Idempotent-Replayed': {
    description: '`true` when this is the stored first response to the same Idempotency-Key',
    schema: { type: 'string', enum: ['true'] },
  },
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
  'WWW-Authenticate': {
    description:
      'The challenge: `Bearer error="insufficient_user_authentication", max_age=300` asks for a fresh login (RFC 9470)',
    schema: string,
  },
};

const RATE_HEADERS = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'];

/** Response headers; `required` ones are on every such response (OpenAPI's default is optional). */
function headers(required: readonly string[], optional: readonly string[] = []): Json {
  return Object.fromEntries([
    ...required.map((name) => [name, { ...HEADER_DOCS[name], required: true }]),
    ...optional.map((name) => [name, HEADER_DOCS[name]]),
  ]);
}

/** The refusals, each a Problem Details document (`components.responses`), by status. */
const ERRORS: Record<number, { name: string; description: string; headers?: readonly string[] }> = {
  400: {
    name: 'BadRequest',
    description: 'Invalid input or context (`VALIDATION_FAILED` lists each field in `errors`)',
  },
  401: {
    name: 'Unauthorized',
    description: 'Missing, invalid, expired or revoked credentials, or a fresh login is needed',
    headers: ['WWW-Authenticate'],
  },
  403: { name: 'Forbidden', description: 'Not allowed: tier, role, tenant or project' },
  404: { name: 'NotFound', description: 'Not found' },
  409: {
    name: 'Conflict',
    description: 'Conflict: it exists already or changed meanwhile, or this Idempotency-Key is in flight',
  },
  412: { name: 'PreconditionFailed', description: 'If-Match names a version that is not the current one' },
  413: { name: 'ContentTooLarge', description: 'Body too large' },
  415: {
    name: 'UnsupportedMediaType',
    description: 'The body is not in a media type the route reads (`application/json`; `text/csv` where listed)',
  },
  422: {
    name: 'UnprocessableContent',
    description:
      'Refused by a rule (every check’s outcome in the problem), or an Idempotency-Key reused with another body',
  },
  428: {
    name: 'PreconditionRequired',
    description: 'If-Match is required',
  },
  429: {
    name: 'TooManyRequests',
    description: 'Rate limited: retry after `Retry-After` seconds',
    headers: ['Retry-After'],
  },
  503: {
    name: 'ServiceUnavailable',
    description: 'A backend is not configured, misconfigured or unavailable',
    headers: ['Retry-After'],
  },
};

function errorComponents(): Json {
  return Object.fromEntries(
    Object.values(ERRORS).map((e) => [
      e.name,
      {
        description: e.description,
        headers: headers(['X-Request-Id'], [...(e.headers ?? []), ...RATE_HEADERS]),
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    ]),
  );
}

/** Credentials: a verified principal is resolved (everything but public and the bootstrap). */
function authenticated(r: RouteDef): boolean {
  return r.access !== 'public' && r.access !== 'bootstrapKey';
}

/** The refusals a route can answer, from what the route declares. */
function errorStatuses(r: RouteDef): number[] {
  const out = [400];
  if (r.access !== 'public') out.push(401);
  if (authenticated(r)) out.push(403);
  if (r.request.params || authenticated(r)) out.push(404);
  if (r.idempotent || ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method)) out.push(409);
  if (r.ifMatch) out.push(412);
  if (r.request.body) out.push(413, 415);
  if (r.request.body || r.idempotent) out.push(422);
  if (r.ifMatch === 'required') out.push(428);
  if (authenticated(r)) out.push(429);
  if (r.access !== 'public' || r.uses.data) out.push(503);
  return out.sort((a, b) => a - b);
}

const TIERS_TEXT: Record<string, string> = {
  public: 'No credentials.',
  bootstrapKey: 'The system bootstrap key (`X-Bootstrap-Key`), no user.',
  authenticated: 'Any verified caller.',
  tenant: 'A member of the tenant.',
  project: 'A member of the tenant, in a project of it (`X-Project-Id`).',
  system: 'An admin of the system tenant.',
};

/** What a reader needs beyond the summary: who may call it and which conventions it follows. */
function description(r: RouteDef): string {
  const lines = [TIERS_TEXT[r.access]];
  if (authenticated(r)) {
    const roles = r.roles.length ? `, role ${r.roles.join(' or ')}` : '';
    lines.push(`Tier ${r.minTier} or above${roles}.`);
  }
  if (r.freshLogin) lines.push('Needs a fresh login (token `auth_time` within 5 minutes); API keys cannot call it.');
  if (r.idempotent) lines.push('Send an `Idempotency-Key`: a replay answers the first response.');
  if (r.ifMatch === 'required') lines.push('Send `If-Match` with the ETag you read.');
  if (r.ifMatch === 'optional') lines.push('`If-Match` (optional) makes the change conditional on that version.');
  if (r.request.body && r.maxBodyBytes) lines.push(`Bodies up to ${r.maxBodyBytes} bytes.`);
  return lines.join(' ');
}

function parametersOf(r: RouteDef): Json[] {
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
  const id = { type: 'string', pattern: ID_PATTERN.source };
  if (r.access === 'project') {
    parameters.push({ name: 'X-Project-Id', in: 'header', required: true, description: 'The project', schema: id });
  }
  if (authenticated(r)) {
    parameters.push(
      {
        name: 'X-Tenant-Id',
        in: 'header',
        required: false,
        description: 'The tenant (default: the one in the token or key; both given must agree)',
        schema: id,
      },
      {
        name: 'X-Env',
        in: 'header',
        required: false,
        description: 'The environment (default: the deployment’s)',
        schema: { type: 'string', enum: [...ENVS] },
      },
    );
  }
  if (r.idempotent) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: r.idempotencyKey === 'required',
      description: 'Makes a retry safe: the same key and body answer the first response',
      schema: { type: 'string', minLength: 8, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' },
    });
  }
  if (r.ifMatch) {
    parameters.push({
      name: 'If-Match',
      in: 'header',
      required: r.ifMatch === 'required',
      description: 'The ETag of the version this change is based on',
      schema: string,
    });
  }
  return parameters;
}

function securityOf(r: RouteDef): Json {
  if (r.access === 'public') return { security: [] };
  if (r.access === 'bootstrapKey') return { security: [{ bootstrapKey: [] }] };
  if (r.freshLogin) return { security: [{ bearer: [] }] };
  return {};
}

const isText = (schema: Json) => schema.type === 'string';

/**
 * The request body by media type: JSON with the JSON shape of the body schema, and, on a route
 * that reads CSV (`bodyTypes`), `text/csv` as a string. Such a route's schema is a union of a
 * string (the CSV text) and its JSON shape; each media type shows its own branch.
 */
function requestContent(r: RouteDef, body: Schema): Json {
  const types = r.bodyTypes ?? ['application/json'];
  const schema = jsonSchema(body, 'input');
  const branches = (schema.anyOf ?? schema.oneOf) as Json[] | undefined;
  const text = branches?.find(isText) ?? (isText(schema) ? schema : undefined);
  const content: Json = {};
  if (types.includes('application/json')) {
    const shapes = branches && types.includes('text/csv') ? branches.filter((b) => !isText(b)) : [schema];
    content['application/json'] = { schema: shapes.length === 1 ? shapes[0] : { anyOf: shapes } };
  }
  if (types.includes('text/csv')) {
    content['text/csv'] = {
      schema: {
        type: 'string',
        contentMediaType: 'text/csv',
        description: 'A CSV file (UTF-8) whose header row names its columns',
        ...(typeof text?.maxLength === 'number' ? { maxLength: text.maxLength } : {}),
      },
    };
  }
  return content;
}

function operation(r: RouteDef): Json {
  const always = ['X-Request-Id', ...(authenticated(r) ? RATE_HEADERS : [])];
  const responses: Json = {};
  for (const [status, spec] of Object.entries(r.responses)) {
    const type = spec.contentType ?? 'application/json';
    responses[status] = {
      description: spec.description,
      headers: headers([...always, ...(spec.headers ?? [])], r.idempotent ? ['Idempotent-Replayed'] : []),
      ...(spec.body ? { content: { [type]: { schema: jsonSchema(spec.body, 'output') } } } : {}),
    };
  }
  for (const status of errorStatuses(r)) responses[status] = { $ref: `#/components/responses/${ERRORS[status].name}` };
  const body = r.request.body;
  return {
    operationId: r.id,
    summary: r.summary,
    description: description(r),
    tags: [r.context],
    'x-ballast-access': r.access,
    'x-ballast-min-tier': r.minTier,
    'x-ballast-roles': r.roles,
    ...(r.request.body && r.maxBodyBytes ? { 'x-ballast-max-body-bytes': r.maxBodyBytes } : {}),
    ...(r.freshLogin ? { 'x-ballast-fresh-login': true } : {}),
    ...securityOf(r),
    parameters: parametersOf(r),
    ...(body
      ? {
          requestBody: {
            // `z.optional(…)` bodies (routes that take nothing, or an empty object) may be left out
            required: resolveSchema(body)._zod.optin !== 'optional',
            content: requestContent(r, body),
          },
        }
      : {}),
    responses,
  };
}

const PROBLEM = {
  type: 'object',
  description: 'Problem Details (RFC 9457); `code` is stable and machine-readable',
  required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
  properties: {
    type: { type: 'string', format: 'uri-reference' },
    title: string,
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: string,
    code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$' },
    requestId: string,
    errors: {
      type: 'array',
      description: 'One entry per invalid field',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string', examples: ['body.amount'] }, message: string },
      },
    },
  },
};

/**
 * The OpenAPI 3.1 document of a route table, generated from its declarations only: paths,
 * parameters, bodies and every declared success response from the zod schemas; headers, security
 * and the Problem Details refusals from what each route declares (access, idempotency, If-Match).
 */
export function openApiDocument(routes: readonly RouteDef[], options: OpenApiOptions): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) {
    paths[r.path] ??= {};
    paths[r.path][r.method.toLowerCase()] = operation(r);
  }
  const contexts = [...new Set(routes.map((r) => r.context))];
  return {
    openapi: '3.1.0',
    info: options.info,
    ...(options.servers?.length ? { servers: options.servers } : {}),
    tags: contexts.map((name) => ({ name, ...(options.tags?.[name] ? { description: options.tags[name] } : {}) })),
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An OIDC access token' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: '`bk_<keyId>_<secret>`' },
        bootstrapKey: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Bootstrap-Key',
          description: 'The system bootstrap key',
        },
      },
      schemas: { Problem: PROBLEM },
      responses: errorComponents(),
    },
    security: [{ bearer: [] }, { apiKey: [] }],
  };
}

import type * as z from 'zod/mini';
import type { RequestContext, Role, Tier } from '../context/types.js';
import type { Resolved, SchemaRef } from '../schemas/lazy.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * How a route is reached:
 * - public: no credentials (health).
 * - bootstrapKey: guarded by the system bootstrap key header, no user.
 * - authenticated: any verified principal; tenant context resolved, no project needed.
 * - tenant: tenant context and membership; no project needed.
 * - project: tenant context, membership and a project (X-Project-Id) of that tenant.
 * - system: an admin of t_system.
 */
export type RouteAccess = 'public' | 'bootstrapKey' | 'authenticated' | 'tenant' | 'project' | 'system';

/** What a route's Lambda touches; drives its least-privilege IAM in the route stacks. */
export interface RouteUses {
  control: 'read' | 'write';
  /** tenant data tables (pooled + silo) */
  data?: 'read' | 'write';
  /** secrets it resolves (`cursor`: the key that signs its pagination cursors) */
  secrets?: ReadonlyArray<'bootstrap' | 'tenant' | 'cursor'>;
  /** the stage's blob bucket, under the tenants' prefixes only (data/blobs.ts); `write` may put and delete */
  blobs?: 'read' | 'write';
  /** tenants' KMS keys that wrap field data keys, only with a tenant in the encryption context */
  keys?: 'wrap';
  /**
   * notifications to a user: e-mail through SES (the stage's sender), SMS and push through SNS, the
   * e-mail address read from the stage's user pool. The phone is sealed with the user's data key, so
   * a route that notifies declares `keys: 'wrap'` and `secrets: ['tenant']` too.
   */
  notify?: 'send';
}

/** A request, response or payload schema: built at once, or on first use (`lazy`). */
export type Schema = SchemaRef;

/** Request body media types the pipeline can read: JSON (parsed) and CSV (kept as text). */
export type BodyType = 'application/json' | 'text/csv';

/** Response headers a route may promise; documented in OpenAPI and required of its handler. */
export type ResponseHeader = 'ETag' | 'Location';

export interface ResponseSpec {
  description: string;
  /** absent: the response has no body (204) */
  body?: Schema;
  headers?: readonly ResponseHeader[];
  /** absent: `application/json`; another type (`text/html`) sends a string body as it is */
  contentType?: string;
  /**
   * Top-level body fields that hold a secret shown this once (a new API key's `secret`): never
   * persisted, so an idempotent replay cannot hand them out again (it answers 409 SECRET_SHOWN_ONCE).
   */
  secretFields?: readonly string[];
}

export interface RouteSpec {
  /** stable id, also the Lambda's logical name and its metrics dimension: 'projects.create' */
  id: string;
  method: HttpMethod;
  /** API Gateway style path with {params} */
  path: string;
  summary: string;
  access: RouteAccess;
  minTier: Tier;
  /** any of these roles (empty: any member) */
  roles: readonly Role[];
  /** system admins may name any tenant in the path */
  systemAdminOverride?: boolean;
  /** honours Idempotency-Key */
  idempotent?: boolean;
  /** with `idempotent`: a request without an Idempotency-Key is refused (400), for writes a retry must not repeat */
  idempotencyKey?: 'required';
  /** tighter per-minute write limit multiplier (fraction of the tier limit) */
  writeLimitFactor?: number;
  /** If-Match: parsed by the pipeline; `required` answers 428 without it */
  ifMatch?: 'required' | 'optional';
  /**
   * A dangerous action: the caller must have logged in recently (token `auth_time` within 5
   * minutes), else 401 with the RFC 9470 step-up challenge. API keys cannot do it.
   */
  freshLogin?: boolean;
  uses: RouteUses;
  /** files its Lambda ships beside its bundle, read at run time (not bundled): `from` the repo root */
  files?: ReadonlyArray<{ from: string; to: string }>;
  request: { params?: Schema; query?: Schema; body?: Schema };
  /**
   * The media types a body may come in (default: JSON only). With `text/csv` the raw text, as
   * sent, is the body the `body` schema validates (a string), so a route taking both gives a union
   * of a string and its JSON shape; the OpenAPI document lists each type with its own schema.
   */
  bodyTypes?: readonly BodyType[];
  /** the largest body accepted, in bytes (default MAX_BODY_BYTES, 256 KiB); beyond it 413 saying the limit */
  maxBodyBytes?: number;
  /**
   * its Lambda's timeout in seconds, when the stage default is too short for its work (at most
   * 29: API Gateway's HTTP API answers 503 after 30 s whatever the function does)
   */
  timeoutSeconds?: number;
  /** every success response, by status */
  responses: { readonly [status: number]: ResponseSpec };
}

/** A route as its context declared it, with where it lives. */
export type RouteDef<S extends RouteSpec = RouteSpec> = S & {
  /** bounded context (packages/app/src/<context>); also its route stack and alarm group */
  readonly context: string;
  /** its Lambda entry, relative to the repo root: functions/http/<context>/<kebab id>.ts */
  readonly handler: string;
};

/** `projects.create` → `projects-create`, `apiKeys.list` → `api-keys-list`. */
export function entryName(id: string): string {
  return id.replace(/\./g, '-').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export const CONTEXT_NAME = /^[a-z][a-z-]{1,30}$/;

/**
 * A context's slice of the route table. Stamps each route with its context and Lambda entry;
 * the `const` parameter keeps literal types (statuses, access, ifMatch) for handler inference.
 */
export function defineRoutes<const T extends Record<string, RouteSpec>>(
  context: string,
  specs: T,
): { readonly [K in keyof T]: RouteDef<T[K]> } {
  if (!CONTEXT_NAME.test(context)) throw new Error(`context name '${context}' must be lowercase letters and -`);
  const out: Record<string, RouteDef> = {};
  for (const [name, spec] of Object.entries(specs)) {
    out[name] = { ...spec, context, handler: `functions/http/${context}/${entryName(spec.id)}.ts` };
  }
  return out as { readonly [K in keyof T]: RouteDef<T[K]> };
}

type Output<S> = S extends Schema ? z.output<Resolved<S>> : never;

/** Validated request parts, typed from the route's schemas. */
export interface HandlerInput<D extends RouteSpec> {
  params: D['request'] extends { params: infer P extends Schema } ? Output<P> : Record<string, never>;
  query: D['request'] extends { query: infer Q extends Schema } ? Output<Q> : Record<string, never>;
  body: D['request'] extends { body: infer B extends Schema } ? Output<B> : undefined;
  /** lower-cased header names */
  headers: Readonly<Record<string, string>>;
  /** the version If-Match names */
  ifMatch: D extends { ifMatch: 'required' } ? number : number | undefined;
}

type ReplyFor<Status, R extends ResponseSpec> = { status: Status } & (R extends { body: infer B }
  ? { body: Output<B> }
  : { body?: undefined }) &
  (R extends { headers: readonly (infer H extends ResponseHeader)[] }
    ? { headers: Record<H, string> & Record<string, string> }
    : { headers?: Record<string, string> });

/** What a route's handler may answer: one of its declared success responses. */
export type ReplyOf<D extends RouteSpec> = {
  [S in keyof D['responses'] & number]: ReplyFor<S, D['responses'][S]>;
}[keyof D['responses'] & number];

/** The caller's context: present on every route that authenticates. */
export type ContextOf<D extends RouteSpec> = D['access'] extends 'public' | 'bootstrapKey' ? undefined : RequestContext;

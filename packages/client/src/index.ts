import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';

export type { components, operations, paths };
export type { Middleware };

/** Problem Details (RFC 9457), the body of every refusal. */
export type Problem = components['schemas']['Problem'];

/** Headers the client sends on every call once given to `createBallastClient`: optional per call. */
type ContextHeader = 'X-Project-Id' | 'X-Tenant-Id' | 'X-Env';

type Flat<T> = { [K in keyof T]: T[K] };
type RelaxHeader<H> = Flat<
  { [K in keyof H as K extends ContextHeader ? never : K]: H[K] } & {
    [K in keyof H as K extends ContextHeader ? K : never]?: H[K];
  }
>;
/** `header` is required only while a header in it is. */
type HeaderPart<H> = [H] extends [never]
  ? { header?: never }
  : Record<never, never> extends H
    ? { header?: H }
    : { header: H };
type RelaxParameters<P> = P extends { header?: infer H }
  ? Flat<Omit<P, 'header'> & HeaderPart<RelaxHeader<NonNullable<H>>>>
  : P;
type RelaxOperation<O> = O extends { parameters: infer P }
  ? Flat<Omit<O, 'parameters'> & { parameters: RelaxParameters<P> }>
  : O;

/**
 * The document's paths with the context headers (`X-Project-Id`, `X-Tenant-Id`, `X-Env`) optional
 * per call: the client sends the ones it was created with. Everything else — path and query
 * parameters, `If-Match`, `Idempotency-Key`, bodies, responses — is exactly as generated.
 */
export type BallastPaths = {
  [P in keyof paths]: { [M in keyof paths[P]]: M extends 'parameters' ? paths[P][M] : RelaxOperation<paths[P][M]> };
};

export type BallastClient = Client<BallastPaths>;

export interface BallastClientOptions {
  /** the API's root: `http://localhost:3000` or the stage's `ApiUrl` (paths start with `/v1`) */
  baseUrl: string;
  /** an access token, sent as `Authorization: Bearer …` */
  token?: string;
  /** an API key `bk_<keyId>_<secret>`, sent as `X-API-Key` */
  apiKey?: string;
  /** sent as `X-Project-Id` (routes of a project need it) */
  projectId?: string;
  /** sent as `X-Tenant-Id` (default: the token's or key's tenant) */
  tenantId?: string;
  /** sent as `X-Env` (default: the deployment's) */
  env?: 'dev' | 'staging' | 'prod';
  /** more headers for every call */
  headers?: Record<string, string>;
  /** a fetch of your own (tests, retries); default `globalThis.fetch` */
  fetch?: (input: Request) => Promise<Response>;
}

/**
 * A typed Ballast client (`openapi-fetch` over the generated `paths`): a call to a path, method,
 * parameter or body the API does not have, or a use of a response field it does not send, is a type
 * error. Answers are `{ data }` for a declared success and `{ error }` (a Problem) otherwise.
 */
export function createBallastClient(options: BallastClientOptions): BallastClient {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.apiKey) headers['X-API-Key'] = options.apiKey;
  if (options.projectId) headers['X-Project-Id'] = options.projectId;
  if (options.tenantId) headers['X-Tenant-Id'] = options.tenantId;
  if (options.env) headers['X-Env'] = options.env;
  return createClient<BallastPaths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

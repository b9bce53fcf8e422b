import * as z from 'zod/mini';
import { boundedString, env, tenantId } from '../schemas/common.js';
import { boundedMap } from '../schemas/free-form.js';

export const ROUTING_KINDS = ['data', 'secrets', 'identity', 'broker', 'market-data'] as const;
export const routingKind = z.enum(ROUTING_KINDS);

/** adapter options: a bounded free-form map (never a 500 from the marshaller) */
const options = z.optional(boundedMap(z.unknown()));

/**
 * A routing entry's config. One schema for every kind, discriminated by `kind`, so `broker` and
 * `market-data` slot in without a schema change to the registry itself.
 */
export const routingConfig = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('data'),
    mode: z.enum(['pooled', 'silo']),
    tableName: z.string().check(z.minLength(3), z.maxLength(255), z.regex(/^[A-Za-z0-9_.-]+$/)),
  }),
  z.strictObject({
    kind: z.literal('secrets'),
    prefix: boundedString(1, 200),
    refs: z._default(boundedMap(z.string().check(z.maxLength(512)), { maxDepth: 1, maxString: 512 }), {}),
  }),
  z.strictObject({
    kind: z.literal('identity'),
    issuer: z.url(),
    clientIds: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
    jwksUri: z.optional(z.url()),
    /** inline JWKS (local issuer); the cloud uses jwksUri */
    jwks: z.optional(
      z.object({
        keys: z
          .array(boundedMap(z.unknown(), { maxDepth: 2, maxString: 8192, maxChars: 65_536 }))
          .check(z.minLength(1), z.maxLength(20)),
      }),
    ),
    userPoolId: z.optional(z.string()),
  }),
  z.strictObject({
    kind: z.literal('broker'),
    adapter: z.string().check(z.minLength(1)),
    baseUrl: z.optional(z.url()),
    secretRef: z.optional(z.string()),
    options,
  }),
  z.strictObject({
    kind: z.literal('market-data'),
    provider: z.string().check(z.minLength(1)),
    baseUrl: z.optional(z.url()),
    secretRef: z.optional(z.string()),
    options,
  }),
]);
export type RoutingConfig = z.infer<typeof routingConfig>;
export type RoutingKind = RoutingConfig['kind'];
export type RoutingConfigOf<K extends RoutingKind> = Extract<RoutingConfig, { kind: K }>;
export type IdentityConfig = RoutingConfigOf<'identity'>;

export const routingParams = z.strictObject({ tenantId, env, kind: routingKind });

export const routingEntry = z.object({
  tenantId: z.string(),
  env: z.string(),
  kind: routingKind,
  config: routingConfig,
  version: z.number(),
  updatedAt: z.string(),
});

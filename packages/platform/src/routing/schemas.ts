import * as z from 'zod/mini';
import { boundedString, env, tenantId } from '../schemas/common.js';

export const ROUTING_KINDS = ['data', 'secrets', 'identity', 'broker', 'market-data'] as const;
export const routingKind = z.enum(ROUTING_KINDS);

const options = z.optional(z.record(z.string(), z.unknown()));

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
    refs: z._default(z.record(z.string(), z.string().check(z.maxLength(512))), {}),
  }),
  z.strictObject({
    kind: z.literal('identity'),
    issuer: z.url(),
    clientIds: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
    jwksUri: z.optional(z.url()),
    /** inline JWKS (local issuer); the cloud uses jwksUri */
    jwks: z.optional(z.object({ keys: z.array(z.record(z.string(), z.unknown())).check(z.minLength(1)) })),
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

import { CURRENCY_MINOR_UNITS } from '@ballast/core/currencies.js';
// zod/mini: the same validator with a functional API, a third of the bundle of classic zod and
// cheaper to construct at cold start (every Lambda evaluates these schemas on import).
import en from 'zod/v4/locales/en.js';
import * as z from 'zod/mini';
import { ENVS, MODES, ROLES, TIERS } from '../context/types.js';

// English messages only: `z.locales` would bundle every language.
z.config(en());

const idPattern = /^[a-z][a-z0-9_]{1,62}$/;
const str = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));

export const tenantId = z
  .string()
  .check(z.regex(idPattern, 'must be lowercase letters, digits or _ (2-63 chars), starting with a letter'));
export const projectId = tenantId;
export const userId = z
  .string()
  .check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9_.@:-]+$/, 'has characters that are not allowed'));
export const tier = z.enum(TIERS);
export const role = z.enum(ROLES);
export const env = z.enum(ENVS);
export const modeName = z.enum(MODES);
export const routingKind = z.enum(['data', 'secrets', 'identity', 'broker', 'market-data']);

/** Decimal string: optional sign, digits, optional fraction; no exponent, no float. */
export const decimalString = z
  .string()
  .check(z.regex(/^-?(0|[1-9]\d{0,17})(\.\d{1,10})?$/, 'must be a decimal string like "1234.50"'));
export const nonNegativeDecimal = decimalString.check(z.refine((s) => !s.startsWith('-'), 'must not be negative'));
export const currency = z.string().check(
  z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like "USD"'),
  z.refine((c) => Object.hasOwn(CURRENCY_MINOR_UNITS, c), 'is not a supported currency'),
);

/** Significant digits after the point of a validated decimal string ("10.50" → 1, "10.00" → 0). */
export function scaleOf(amount: string): number {
  const i = amount.indexOf('.');
  return i < 0 ? 0 : amount.slice(i + 1).replace(/0+$/, '').length;
}

export const listQuery = z.strictObject({
  limit: z._default(
    z.coerce.number().check(z.refine(Number.isInteger, 'must be an integer'), z.gte(1), z.lte(200)),
    50,
  ),
  cursor: z.optional(z.string().check(z.maxLength(2048))),
});

export const tenantParams = z.strictObject({ tenantId });

export const modeParams = z.strictObject({ mode: modeName });

export const modeBody = z.strictObject({
  description: z.optional(z.string().check(z.maxLength(500))),
  defaults: z.optional(z.record(z.string(), z.unknown())),
});

export const createTenantBody = z.strictObject({
  tenantId,
  name: str(1, 200),
  mode: z._default(modeName, 'saas'),
});

export const patchTenantBody = z
  .strictObject({ name: z.optional(str(1, 200)), mode: z.optional(modeName) })
  .check(z.refine((b) => b.name !== undefined || b.mode !== undefined, 'name or mode is required'));

export const createProjectBody = z.strictObject({
  projectId,
  name: str(1, 200),
  surface: z._default(z.enum(['web', 'mobile', 'api', 'desktop']), 'web'),
  app: z.optional(z.record(z.string(), z.string().check(z.maxLength(500)))),
});

export const memberParams = z.strictObject({ tenantId, userId });
export const putMemberBody = z.strictObject({ roles: z.array(role).check(z.minLength(1), z.maxLength(3)), tier });

export const routingParams = z.strictObject({ tenantId, env, kind: routingKind });

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
    prefix: str(1, 200),
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

export const createApiKeyBody = z.strictObject({
  name: str(1, 100),
  tier,
  roles: z.array(role).check(z.minLength(1), z.maxLength(3)),
  projectId: z.optional(projectId),
  expiresAt: z.optional(z.iso.datetime()),
});
export const apiKeyParams = z.strictObject({
  keyId: z.string().check(z.regex(/^k_[A-Za-z0-9]{10,40}$/, 'is not a key id')),
});

export const auditQuery = listQuery;

const name120 = z.string().check(z.trim(), z.minLength(1), z.maxLength(120));

export const portfolioParams = z.strictObject({
  portfolioId: z.string().check(z.regex(/^pf_[A-Za-z0-9]{10,40}$/, 'is not a portfolio id')),
});
export const createPortfolioBody = z
  .strictObject({
    name: name120,
    baseCurrency: z._default(currency, 'USD'),
    cash: z._default(nonNegativeDecimal, '0'),
    description: z.optional(z.string().check(z.maxLength(2000))),
    tenantId: z.optional(tenantId),
    projectId: z.optional(projectId),
  })
  .check(
    z.superRefine((b, ctx) => {
      const digits = CURRENCY_MINOR_UNITS[b.baseCurrency];
      if (digits !== undefined && scaleOf(b.cash) > digits) {
        ctx.addIssue({
          code: 'custom',
          path: ['cash'],
          message: `has more than ${digits} decimal places for ${b.baseCurrency}`,
          input: b.cash,
        });
      }
    }),
  );
export const patchPortfolioBody = z
  .strictObject({
    name: z.optional(name120),
    baseCurrency: z.optional(currency),
    cash: z.optional(nonNegativeDecimal),
    description: z.optional(z.nullable(z.string().check(z.maxLength(2000)))),
  })
  .check(z.refine((b) => Object.keys(b).length > 0, 'at least one field is required'));

export const portfolio = z.object({
  portfolioId: z.string(),
  tenantId: z.string(),
  projectId: z.string(),
  name: z.string(),
  baseCurrency: z.string(),
  cash: decimalString,
  description: z.optional(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().check(z.refine(Number.isInteger, 'must be an integer')),
});

export const logoutBody = z.optional(z.strictObject({}));
export const bootstrapBody = z.optional(z.strictObject({}));

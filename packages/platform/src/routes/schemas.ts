import { CURRENCY_MINOR_UNITS } from '@ballast/core/currencies.js';
import * as z from 'zod';
import { ENVS, MODES, ROLES, TIERS } from '../context/types.js';

const idPattern = /^[a-z][a-z0-9_]{1,62}$/;
export const tenantId = z.string().regex(idPattern, 'must be lowercase letters, digits or _ (2-63 chars), starting with a letter');
export const projectId = tenantId;
export const userId = z.string().min(1).max(128).regex(/^[A-Za-z0-9_.@:-]+$/, 'has characters that are not allowed');
export const tier = z.enum(TIERS);
export const role = z.enum(ROLES);
export const env = z.enum(ENVS);
export const modeName = z.enum(MODES);
export const routingKind = z.enum(['data', 'secrets', 'identity', 'broker', 'market-data']);

/** Decimal string: optional sign, digits, optional fraction; no exponent, no float. */
export const decimalString = z
  .string()
  .regex(/^-?(0|[1-9]\d{0,17})(\.\d{1,10})?$/, 'must be a decimal string like "1234.50"');
export const nonNegativeDecimal = decimalString.refine((s) => !s.startsWith('-'), 'must not be negative');
export const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like "USD"')
  .refine((c) => Object.hasOwn(CURRENCY_MINOR_UNITS, c), 'is not a supported currency');

/** Significant digits after the point of a validated decimal string ("10.50" → 1, "10.00" → 0). */
export function scaleOf(amount: string): number {
  const i = amount.indexOf('.');
  return i < 0 ? 0 : amount.slice(i + 1).replace(/0+$/, '').length;
}

export const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(2048).optional(),
});

export const tenantParams = z.strictObject({ tenantId });

export const modeParams = z.strictObject({ mode: modeName });

export const modeBody = z.strictObject({
  description: z.string().max(500).optional(),
  defaults: z.record(z.string(), z.unknown()).optional(),
});

export const createTenantBody = z.strictObject({
  tenantId,
  name: z.string().min(1).max(200),
  mode: modeName.default('saas'),
});

export const patchTenantBody = z
  .strictObject({ name: z.string().min(1).max(200).optional(), mode: modeName.optional() })
  .refine((b) => b.name !== undefined || b.mode !== undefined, 'name or mode is required');

export const createProjectBody = z.strictObject({
  projectId,
  name: z.string().min(1).max(200),
  surface: z.enum(['web', 'mobile', 'api', 'desktop']).default('web'),
  app: z.record(z.string(), z.string().max(500)).optional(),
});

export const memberParams = z.strictObject({ tenantId, userId });
export const putMemberBody = z.strictObject({ roles: z.array(role).min(1).max(3), tier });

export const routingParams = z.strictObject({ tenantId, env, kind: routingKind });

/**
 * A routing entry's config. One schema for every kind, discriminated by `kind`, so `broker` and
 * `market-data` slot in without a schema change to the registry itself.
 */
export const routingConfig = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('data'), mode: z.enum(['pooled', 'silo']), tableName: z.string().min(3).max(255).regex(/^[A-Za-z0-9_.-]+$/) }),
  z.strictObject({ kind: z.literal('secrets'), prefix: z.string().min(1).max(200), refs: z.record(z.string(), z.string().max(512)).default({}) }),
  z.strictObject({
    kind: z.literal('identity'),
    issuer: z.string().url(),
    clientIds: z.array(z.string().min(1)).min(1),
    jwksUri: z.string().url().optional(),
    /** inline JWKS (local issuer); the cloud uses jwksUri */
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) }).optional(),
    userPoolId: z.string().optional(),
  }),
  z.strictObject({ kind: z.literal('broker'), adapter: z.string().min(1), baseUrl: z.string().url().optional(), secretRef: z.string().optional(), options: z.record(z.string(), z.unknown()).optional() }),
  z.strictObject({ kind: z.literal('market-data'), provider: z.string().min(1), baseUrl: z.string().url().optional(), secretRef: z.string().optional(), options: z.record(z.string(), z.unknown()).optional() }),
]);
export type RoutingConfig = z.infer<typeof routingConfig>;

export const createApiKeyBody = z.strictObject({
  name: z.string().min(1).max(100),
  tier,
  roles: z.array(role).min(1).max(3),
  projectId: projectId.optional(),
  expiresAt: z.iso.datetime().optional(),
});
export const apiKeyParams = z.strictObject({ keyId: z.string().regex(/^k_[A-Za-z0-9]{10,40}$/, 'is not a key id') });

export const auditQuery = listQuery;

export const portfolioParams = z.strictObject({ portfolioId: z.string().regex(/^pf_[A-Za-z0-9]{10,40}$/, 'is not a portfolio id') });
export const createPortfolioBody = z
  .strictObject({
    name: z.string().trim().min(1).max(120),
    baseCurrency: currency.default('USD'),
    cash: nonNegativeDecimal.default('0'),
    description: z.string().max(2000).optional(),
    tenantId: tenantId.optional(),
    projectId: projectId.optional(),
  })
  .superRefine((b, ctx) => {
    const digits = CURRENCY_MINOR_UNITS[b.baseCurrency];
    if (digits !== undefined && scaleOf(b.cash) > digits) {
      ctx.addIssue({ code: 'custom', path: ['cash'], message: `has more than ${digits} decimal places for ${b.baseCurrency}` });
    }
  });
export const patchPortfolioBody = z
  .strictObject({
    name: z.string().trim().min(1).max(120).optional(),
    baseCurrency: currency.optional(),
    cash: nonNegativeDecimal.optional(),
    description: z.string().max(2000).nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'at least one field is required');

export const portfolio = z.object({
  portfolioId: z.string(),
  tenantId: z.string(),
  projectId: z.string(),
  name: z.string(),
  baseCurrency: z.string(),
  cash: decimalString,
  description: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});

export const logoutBody = z.strictObject({}).optional();
export const bootstrapBody = z.strictObject({}).optional();

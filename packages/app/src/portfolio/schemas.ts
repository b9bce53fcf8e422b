import { CURRENCY_MINOR_UNITS } from '@ballast/core/currencies.js';
import { DecimalStringSchema, NonNegativeDecimalStringSchema } from '@ballast/core/money-schema.js';
import { integer, listQuery, pageOf, projectId, tenantId } from '@ballast/platform/schemas/common.js';
import { lazy } from '@ballast/platform/schemas/lazy.js';
import * as z from 'zod/mini';

export { listQuery };

export const currency = z.string().check(
  z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like "USD"'),
  z.refine((c) => Object.hasOwn(CURRENCY_MINOR_UNITS, c), 'is not a supported currency'),
);

/** Significant digits after the point of a validated decimal string ("10.50" → 1, "10.00" → 0). */
export function scaleOf(amount: string): number {
  const point = amount.indexOf('.');
  return point < 0 ? 0 : amount.slice(point + 1).replace(/0+$/, '').length;
}

const name = z.string().check(z.trim(), z.minLength(1), z.maxLength(120));
const description = z.string().check(z.maxLength(2000));

export const portfolioParams = lazy(() =>
  z.strictObject({
    portfolioId: z.string().check(z.regex(/^pf_[A-Za-z0-9]{10,40}$/, 'is not a portfolio id')),
  }),
);

export const createPortfolioBody = lazy(() =>
  z
    .strictObject({
      name,
      baseCurrency: z._default(currency, 'USD'),
      cash: z._default(NonNegativeDecimalStringSchema, '0'),
      description: z.optional(description),
      allowNegativeCash: z.optional(z.boolean()),
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
    ),
);

export const patchPortfolioBody = lazy(() =>
  z
    .strictObject({
      name: z.optional(name),
      baseCurrency: z.optional(currency),
      cash: z.optional(NonNegativeDecimalStringSchema),
      description: z.optional(z.nullable(description)),
      allowNegativeCash: z.optional(z.boolean()),
    })
    .check(z.refine((b) => Object.keys(b).length > 0, 'at least one field is required')),
);

export const portfolio = lazy(() =>
  z.object({
    portfolioId: z.string(),
    tenantId: z.string(),
    projectId: z.string(),
    name: z.string(),
    baseCurrency: z.string(),
    cash: DecimalStringSchema,
    description: z.optional(z.string()),
    allowNegativeCash: z.optional(z.boolean()),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: integer,
  }),
);

export const portfolioPage = lazy(() => pageOf(portfolio()));

import { DecimalStringSchema } from '@ballast/core/money-schema.js';
import { money } from '@ballast/core/money.js';
import { integer, listQuery, pageOf } from '@ballast/platform/schemas/common.js';
import { lazy } from '@ballast/platform/schemas/lazy.js';
import * as z from 'zod/mini';
import { CATEGORY_ID } from './ids.js';

export { listQuery };

export const CATEGORY_TYPES = [
  'equity',
  'bond',
  'cash_equivalent',
  'crypto',
  'commodity',
  'real_estate',
  'fx',
  'other',
] as const;

/** Upper-case tickers, share classes and crypto codes, as the ledger spells them. */
export const SYMBOL_PATTERN = /^[A-Z0-9][A-Z0-9._-]{0,19}$/;
const symbol = z
  .string()
  .check(z.regex(SYMBOL_PATTERN, 'must be an upper-case symbol like "AAPL" or "BRK.B" (letters, digits, . _ -)'));

const placesOf = (s: string) => (s.includes('.') ? s.length - s.indexOf('.') - 1 : 0);
const valid = { when: (p: { issues: readonly unknown[] }) => p.issues.length === 0 };

/** A percentage of the portfolio: a decimal string 0..100 with at most 4 decimal places (the view's). */
const percent = DecimalStringSchema.check(
  z.refine((s) => !s.startsWith('-') && money(s).lte(100), { error: 'must be between 0 and 100', ...valid }),
  z.refine((s) => placesOf(s) <= 4, { error: 'must have at most 4 decimal places', ...valid }),
);
/** A positive decimal string (a relative weight, a volatility limit), at most 12 places. */
const positive = DecimalStringSchema.check(
  z.refine((s) => money(s).gt(0), { error: 'must be greater than 0', ...valid }),
  z.refine((s) => placesOf(s) <= 12, { error: 'must have at most 12 decimal places', ...valid }),
);

export const portfolioParams = lazy(() =>
  z.strictObject({
    portfolioId: z.string().check(z.regex(/^pf_[A-Za-z0-9]{10,40}$/, 'is not a portfolio id')),
  }),
);
export const categoryParams = lazy(() =>
  z.extend(portfolioParams(), { categoryId: z.string().check(z.regex(CATEGORY_ID, 'is not a category id')) }),
);
export const symbolParams = lazy(() => z.extend(portfolioParams(), { symbol }));

/** min ≤ target ≤ max, refused naming the field that is out of order. */
function ordered(b: { targetPct: string; minPct?: string; maxPct?: string }, ctx: z.core.$RefinementCtx) {
  const target = money(b.targetPct);
  if (b.minPct !== undefined && money(b.minPct).gt(target)) {
    ctx.addIssue({ code: 'custom', path: ['minPct'], message: 'must not be above targetPct', input: b.minPct });
  }
  if (b.maxPct !== undefined && money(b.maxPct).lt(target)) {
    ctx.addIssue({ code: 'custom', path: ['maxPct'], message: 'must not be below targetPct', input: b.maxPct });
  }
}

export const categoryBody = lazy(() =>
  z
    .strictObject({
      name: z.string().check(z.trim(), z.minLength(1), z.maxLength(120)),
      code: z
        .string()
        .check(z.minLength(1), z.maxLength(20), z.regex(/^[A-Z0-9_-]+$/, 'must be upper-case letters, digits, _ or -')),
      type: z.enum(CATEGORY_TYPES),
      targetPct: percent,
      minPct: z.optional(percent),
      maxPct: z.optional(percent),
      rebalanceThresholdPct: z._default(percent, '3'),
      riskLevel: z.optional(integer.check(z.gte(1), z.lte(5))),
      maxSinglePositionPct: z.optional(percent),
      volatilityLimitPct: z.optional(positive),
      taxLossHarvesting: z._default(z.boolean(), false),
    })
    .check(z.superRefine(ordered)),
);

export const category = lazy(() =>
  z.object({
    categoryId: z.string(),
    portfolioId: z.string(),
    name: z.string(),
    code: z.string(),
    type: z.enum(CATEGORY_TYPES),
    targetPct: DecimalStringSchema,
    minPct: z.optional(DecimalStringSchema),
    maxPct: z.optional(DecimalStringSchema),
    rebalanceThresholdPct: DecimalStringSchema,
    riskLevel: z.optional(integer),
    maxSinglePositionPct: z.optional(DecimalStringSchema),
    volatilityLimitPct: z.optional(DecimalStringSchema),
    taxLossHarvesting: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: integer,
  }),
);
export const categoryPage = lazy(() => pageOf(category()));

export const assignmentBody = lazy(() =>
  z.strictObject({
    categoryId: z.string().check(z.regex(CATEGORY_ID, 'is not a category id')),
    weight: z.optional(positive),
  }),
);
export const assignment = lazy(() =>
  z.object({
    symbol: z.string(),
    categoryId: z.string(),
    weight: z.optional(DecimalStringSchema),
    updatedAt: z.string(),
  }),
);
export const assignmentList = lazy(() => z.object({ items: z.array(assignment()) }));

export const exclusionBody = lazy(() =>
  z.strictObject({ reason: z.string().check(z.trim(), z.minLength(3), z.maxLength(500)) }),
);
export const exclusion = lazy(() => z.object({ symbol: z.string(), reason: z.string(), updatedAt: z.string() }));
export const exclusionList = lazy(() => z.object({ items: z.array(exclusion()) }));

const pct = DecimalStringSchema;
const holding = z.object({
  symbol: z.string(),
  value: DecimalStringSchema,
  weightPct: z.nullable(pct),
  weightInCategoryPct: z.nullable(pct),
  targetPct: z.nullable(pct),
  excluded: z.boolean(),
});

export const allocation = lazy(() =>
  z.object({
    portfolioId: z.string(),
    baseCurrency: z.string(),
    asOf: z.string(),
    totalValue: DecimalStringSchema,
    categories: z.array(
      z.object({
        categoryId: z.string(),
        name: z.string(),
        code: z.string(),
        value: DecimalStringSchema,
        targetPct: pct,
        actualPct: pct,
        driftPct: pct,
        relativeDrift: z.nullable(DecimalStringSchema),
        minPct: z.nullable(pct),
        maxPct: z.nullable(pct),
        belowMin: z.boolean(),
        aboveMax: z.boolean(),
        rebalanceThresholdPct: pct,
        needsRebalance: z.boolean(),
        holdings: z.array(holding),
      }),
    ),
    cashLine: z.object({ value: DecimalStringSchema, targetPct: pct, actualPct: pct, driftPct: pct }),
    unassigned: z.object({ value: DecimalStringSchema, actualPct: pct, holdings: z.array(holding) }),
    excluded: z.array(z.object({ symbol: z.string(), reason: z.string() })),
    unpriced: z.array(z.object({ symbol: z.string(), reason: z.string() })),
    totalDriftPct: pct,
    targets: z.object({ sumPct: pct, valid: z.boolean(), message: z.optional(z.string()) }),
    breaches: z.array(
      z.object({
        categoryId: z.string(),
        code: z.string(),
        kind: z.enum(['below_min', 'above_max', 'drift']),
        actualPct: pct,
        limitPct: pct,
        driftPct: pct,
      }),
    ),
  }),
);

export type CategoryBody = z.output<ReturnType<typeof categoryBody>>;

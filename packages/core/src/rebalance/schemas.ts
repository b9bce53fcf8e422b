// zod schema for a rebalance request arriving as JSON: money as decimal strings, weights as
// numbers or decimal strings.
import * as z from 'zod/mini';
import { DecimalStringSchema } from '../money-schema.js';
import type { RebalanceInput } from './planner.js';

const nonNegative = z.number().check(z.gte(0));
const symbol = z.string().check(z.minLength(1));

export const RebalanceBandSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('absolute'), points: nonNegative }),
  z.strictObject({ kind: z.literal('relative'), pct: nonNegative }),
  z.strictObject({
    kind: z.literal('5/25'),
    absolutePoints: z.optional(nonNegative),
    relativePct: z.optional(nonNegative),
  }),
]);

export const RebalanceInputSchema = z.strictObject({
  holdings: z.record(symbol, DecimalStringSchema),
  cash: DecimalStringSchema,
  prices: z.record(symbol, DecimalStringSchema),
  targets: z.record(symbol, z.union([nonNegative, DecimalStringSchema])),
  band: z.optional(RebalanceBandSchema),
  minTrade: z.optional(DecimalStringSchema),
  maxTrades: z.optional(z.int().check(z.gte(0))),
  fractional: z.optional(z.union([z.boolean(), z.strictObject({ step: DecimalStringSchema })])),
  cashBuffer: z.optional(DecimalStringSchema),
  fees: z.optional(
    z.strictObject({
      pct: z.optional(z.union([nonNegative, DecimalStringSchema])),
      perTrade: z.optional(DecimalStringSchema),
    }),
  ),
});

type Assignable<T, U extends T> = U;
type _RebalanceInputCheck = Assignable<RebalanceInput, z.infer<typeof RebalanceInputSchema>>;

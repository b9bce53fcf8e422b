// zod schema for a rebalance request arriving as JSON: money as decimal strings, weights as
// numbers or decimal strings.
import * as z from 'zod';
import { DecimalStringSchema } from '../money-schema.js';
import type { RebalanceInput } from './planner.js';

const nonNegative = z.number().nonnegative();

export const RebalanceBandSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('absolute'), points: nonNegative }),
  z.strictObject({ kind: z.literal('relative'), pct: nonNegative }),
  z.strictObject({
    kind: z.literal('5/25'),
    absolutePoints: nonNegative.optional(),
    relativePct: nonNegative.optional(),
  }),
]);

export const RebalanceInputSchema = z.strictObject({
  holdings: z.record(z.string().min(1), DecimalStringSchema),
  cash: DecimalStringSchema,
  prices: z.record(z.string().min(1), DecimalStringSchema),
  targets: z.record(z.string().min(1), z.union([nonNegative, DecimalStringSchema])),
  band: RebalanceBandSchema.optional(),
  minTrade: DecimalStringSchema.optional(),
  maxTrades: z.number().int().nonnegative().optional(),
  fractional: z.union([z.boolean(), z.strictObject({ step: DecimalStringSchema })]).optional(),
  cashBuffer: DecimalStringSchema.optional(),
  fees: z
    .strictObject({
      pct: z.union([nonNegative, DecimalStringSchema]).optional(),
      perTrade: DecimalStringSchema.optional(),
    })
    .optional(),
});

type Assignable<T, U extends T> = U;
type _RebalanceInputCheck = Assignable<RebalanceInput, z.infer<typeof RebalanceInputSchema>>;

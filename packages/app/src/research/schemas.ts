import { strategies } from '@ballast/core/strategies/index.js';
import { DecimalStringSchema } from '@ballast/core/money-schema.js';
import { integer, listQuery, pageOf } from '@ballast/platform/schemas/common.js';
import { lazy } from '@ballast/platform/schemas/lazy.js';
import * as z from 'zod/mini';
import { CANDLE_INTERVALS, SYMBOL_PATTERN } from '../market-data/index.js';
import { ACCOUNT_ID, orderSchema, positiveDecimal as positive } from '../trading/index.js';
import { SIGNAL_ID } from './ids.js';

export const STRATEGY_IDS = Object.keys(strategies) as [keyof typeof strategies, ...Array<keyof typeof strategies>];
export const strategyParams = lazy(() => z.strictObject({ strategy: z.enum(STRATEGY_IDS) }));
export const signalParams = lazy(() =>
  z.strictObject({ signalId: z.string().check(z.regex(SIGNAL_ID, 'is not a signal id')) }),
);

export const strategyList = lazy(() =>
  z.object({
    items: z.array(
      z.object({
        name: z.string(),
        title: z.string(),
        description: z.string(),
        /** JSON Schema 2020-12 of the parameters, with defaults and ranges */
        parameters: z.record(z.string(), z.unknown()),
        defaults: z.record(z.string(), z.unknown()),
      }),
    ),
  }),
);

export const analyzeBody = lazy(() =>
  z.strictObject({
    symbol: z.string().check(z.regex(SYMBOL_PATTERN, 'must be an upper-case symbol like "AAPL" or "EUR-USD"')),
    interval: z.enum(CANDLE_INTERVALS),
    /** the strategy's parameters; what is left out takes the strategy's default */
    params: z._default(z.record(z.string(), z.unknown()), {}),
    /** how many stored bars up to now the strategy reads (its warm-up needs enough) */
    bars: z._default(integer.check(z.gte(2), z.lte(5000)), 500),
  }),
);
export type AnalyzeBody = z.output<ReturnType<typeof analyzeBody>>;

const signalStatus = z.enum(['open', 'approved', 'cancelled']);
export const signal = lazy(() =>
  z.object({
    signalId: z.string(),
    strategy: z.string(),
    params: z.record(z.string(), z.unknown()),
    symbol: z.string(),
    interval: z.string(),
    barTime: z.string(),
    side: z.enum(['long', 'short']),
    entry: DecimalStringSchema,
    stopLoss: z.nullable(DecimalStringSchema),
    takeProfit: z.nullable(DecimalStringSchema),
    confidence: z.number(),
    reason: z.string(),
    status: signalStatus,
    orderId: z.optional(z.string()),
    accountId: z.optional(z.string()),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    version: integer,
  }),
);
export const analysis = lazy(() =>
  z.object({
    strategy: z.string(),
    symbol: z.string(),
    interval: z.string(),
    /** bars read, and the open time of the last one (the bar the strategy decided on) */
    bars: integer,
    lastBarTime: z.string(),
    /** null: the strategy sees no trade at the last bar */
    signal: z.nullable(signal()),
  }),
);
export const signalPage = lazy(() => pageOf(signal()));
export const signalQuery = lazy(() => z.extend(listQuery, { status: z.optional(signalStatus) }));

export const approveBody = lazy(() =>
  z.strictObject({
    accountId: z.string().check(z.regex(ACCOUNT_ID, 'is not an account id')),
    quantity: positive,
    /** the levels the order carries; default the signal's own (a strategy order needs both) */
    stopLoss: z.optional(positive),
    takeProfit: z.optional(positive),
    note: z.optional(z.string().check(z.maxLength(500))),
  }),
);
export const approval = lazy(() => z.object({ signal: signal(), order: orderSchema() }));

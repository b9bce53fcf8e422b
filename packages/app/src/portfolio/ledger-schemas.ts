import { isDecimalString } from '@ballast/core/decimal-grammar.js';
import { LEDGER_TYPES } from '@ballast/core/ledger/index.js';
import { DecimalStringSchema } from '@ballast/core/money-schema.js';
import { IsoDateSchema } from '@ballast/core/performance/dates.js';
import { PerformancePeriodSchema } from '@ballast/core/performance/twr.js';
import { integer, listQuery, pageOf } from '@ballast/platform/schemas/common.js';
import { lazy } from '@ballast/platform/schemas/lazy.js';
import * as z from 'zod/mini';
import { IMPORT_ID, TRANSACTION_ID } from './ids.js';
import { currency, portfolioParams } from './schemas.js';

export const TRANSACTION_SOURCES = ['csv', 'ibkr', 'kucoin', 'kraken', 'tiger', 'manual', 'broker'] as const;

/** Decimal places a quantity or price may carry: enough for crypto (satoshis) and sub-cent quotes. */
export const MAX_DECIMAL_PLACES = 12;

const placesOf = (s: string) => (s.includes('.') ? s.length - s.indexOf('.') - 1 : 0);

/** A decimal string > 0 with at most MAX_DECIMAL_PLACES places. */
const positive = DecimalStringSchema.check(
  z.refine((s) => !s.startsWith('-') && /[1-9]/.test(s), {
    error: 'must be greater than zero',
    when: (p) => p.issues.length === 0,
  }),
  z.refine((s) => placesOf(s) <= MAX_DECIMAL_PLACES, {
    error: `must have at most ${MAX_DECIMAL_PLACES} decimal places`,
    when: (p) => p.issues.length === 0,
  }),
);
/** A decimal string ≥ 0 with at most MAX_DECIMAL_PLACES places. */
const nonNegative = DecimalStringSchema.check(
  z.refine((s) => !s.startsWith('-'), { error: 'must not be negative', when: (p) => p.issues.length === 0 }),
  z.refine((s) => placesOf(s) <= MAX_DECIMAL_PLACES, {
    error: `must have at most ${MAX_DECIMAL_PLACES} decimal places`,
    when: (p) => p.issues.length === 0,
  }),
);

/** Upper-case tickers, share classes and crypto codes ("AAPL", "BRK.B", "BTC"); never a path separator. */
export const SYMBOL_PATTERN = /^[A-Z0-9][A-Z0-9._-]{0,19}$/;
export const symbol = z
  .string()
  .check(z.regex(SYMBOL_PATTERN, 'must be an upper-case symbol like "AAPL" or "BRK.B" (letters, digits, . _ -)'));

const RATIO = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/;
const ratio = z.string().check(
  z.refine((s) => {
    const m = RATIO.exec(s);
    return Boolean(m && /[1-9]/.test(m[1]) && /[1-9]/.test(m[2]) && isDecimalString(m[1]) && isDecimalString(m[2]));
  }, 'must be "new:old" with two positive numbers, e.g. "2:1" (two shares for one) or "1:10"'),
);

type TxType = (typeof LEDGER_TYPES)[number];
type Field = 'symbol' | 'quantity' | 'price' | 'fee' | 'amount' | 'ratio';

/** Which fields each type takes: `required`, and what it may carry besides. Anything else is refused. */
const SHAPES: Record<TxType, { required: Field[]; optional: Field[] }> = {
  BUY: { required: ['symbol', 'quantity', 'price'], optional: ['fee'] },
  SELL: { required: ['symbol', 'quantity', 'price'], optional: ['fee'] },
  DIVIDEND: { required: ['amount'], optional: ['symbol'] },
  INTEREST: { required: ['amount'], optional: [] },
  FEE: { required: ['amount'], optional: ['symbol'] },
  DEPOSIT: { required: ['amount'], optional: [] },
  WITHDRAWAL: { required: ['amount'], optional: [] },
  SPLIT: { required: ['symbol', 'ratio'], optional: [] },
  // A transfer moves securities (symbol, quantity, price = value per unit at transfer) or cash (amount).
  TRANSFER_IN: { required: [], optional: ['symbol', 'quantity', 'price', 'amount'] },
  TRANSFER_OUT: { required: [], optional: ['symbol', 'quantity', 'price', 'amount'] },
};
const FIELDS: Field[] = ['symbol', 'quantity', 'price', 'fee', 'amount', 'ratio'];

export const transactionFields = {
  type: z.enum(LEDGER_TYPES),
  symbol: z.optional(symbol),
  quantity: z.optional(positive),
  price: z.optional(nonNegative),
  fee: z.optional(nonNegative),
  amount: z.optional(positive),
  ratio: z.optional(ratio),
  /** default: the portfolio's base currency */
  currency: z.optional(currency),
  /** base-currency units per unit of `currency` as the broker confirmed it; default: the provider's rate */
  fxRate: z.optional(positive),
  tradeDate: IsoDateSchema,
  settleDate: z.optional(IsoDateSchema),
  note: z.optional(z.string().check(z.maxLength(500))),
  source: z._default(z.enum(TRANSACTION_SOURCES), 'manual'),
  externalId: z.optional(z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[\x21-\x7e]+$/))),
};

/** Adds an issue for every field the type needs but lacks, or carries but does not take. */
function checkShape(
  b: { type: TxType; tradeDate: string; settleDate?: string } & Partial<Record<Field, string>>,
  ctx: { addIssue(issue: { code: 'custom'; path: string[]; message: string; input: unknown }): void },
) {
  const shape = SHAPES[b.type];
  for (const field of FIELDS) {
    const present = b[field] !== undefined;
    if (shape.required.includes(field) && !present) {
      ctx.addIssue({ code: 'custom', path: [field], message: `is required for ${b.type}`, input: undefined });
    } else if (present && !shape.required.includes(field) && !shape.optional.includes(field)) {
      ctx.addIssue({ code: 'custom', path: [field], message: `is not taken by ${b.type}`, input: b[field] });
    }
  }
  if (b.type === 'TRANSFER_IN' || b.type === 'TRANSFER_OUT') {
    const securities = b.symbol !== undefined || b.quantity !== undefined || b.price !== undefined;
    if (securities && b.amount !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['amount'],
        message: 'a transfer moves securities (symbol, quantity, price) or cash (amount), not both',
        input: b.amount,
      });
    } else if (securities) {
      for (const field of ['symbol', 'quantity', 'price'] as const) {
        if (b[field] === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [field],
            message: 'is required for a transfer of securities',
            input: undefined,
          });
        }
      }
    } else if (b.amount === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['amount'],
        message: 'is required for a cash transfer (or send symbol, quantity and price)',
        input: undefined,
      });
    }
  }
  if (b.settleDate !== undefined && b.settleDate < b.tradeDate) {
    ctx.addIssue({
      code: 'custom',
      path: ['settleDate'],
      message: 'must not be before tradeDate',
      input: b.settleDate,
    });
  }
}

export const transactionBody = lazy(() => z.strictObject(transactionFields).check(z.superRefine(checkShape)));
export type TransactionBody = z.output<ReturnType<typeof transactionBody>>;

export const transactionParams = lazy(() =>
  z.extend(portfolioParams(), {
    txId: z.string().check(z.regex(TRANSACTION_ID, 'is not a transaction id')),
  }),
);

export const reverseBody = lazy(() =>
  z.optional(z.strictObject({ note: z.optional(z.string().check(z.maxLength(500))) })),
);

export const transactionQuery = lazy(() =>
  z
    .extend(listQuery, {
      symbol: z.optional(symbol),
      type: z.optional(z.enum(LEDGER_TYPES)),
      /** trade dates from (inclusive) */
      from: z.optional(IsoDateSchema),
      /** trade dates to (inclusive) */
      to: z.optional(IsoDateSchema),
    })
    .check(z.refine((q) => !(q.from && q.to && q.from > q.to), { error: 'from must not be after to', path: ['from'] })),
);

const realised = z.object({
  quantity: DecimalStringSchema,
  proceeds: DecimalStringSchema,
  costBasis: DecimalStringSchema,
  gain: DecimalStringSchema,
  lots: z.array(
    z.object({
      lotId: z.string(),
      acquired: z.string(),
      quantity: DecimalStringSchema,
      costBasis: DecimalStringSchema,
    }),
  ),
});

export const transaction = lazy(() =>
  z.object({
    txId: z.string(),
    portfolioId: z.string(),
    type: z.enum(LEDGER_TYPES),
    symbol: z.optional(z.string()),
    quantity: z.optional(DecimalStringSchema),
    price: z.optional(DecimalStringSchema),
    fee: z.optional(DecimalStringSchema),
    amount: z.optional(DecimalStringSchema),
    ratio: z.optional(z.string()),
    currency: z.string(),
    fxRate: z.optional(DecimalStringSchema),
    tradeDate: z.string(),
    settleDate: z.optional(z.string()),
    note: z.optional(z.string()),
    source: z.enum(TRANSACTION_SOURCES),
    externalId: z.optional(z.string()),
    /** the entry this one reverses */
    reversalOf: z.optional(z.string()),
    /** the import that wrote it */
    importId: z.optional(z.string()),
    /** what the entry did: cash in the base currency (signed), the realised gain of a sale */
    effect: z.object({
      cashDelta: DecimalStringSchema,
      externalFlow: z.optional(DecimalStringSchema),
      realised: z.optional(realised),
    }),
    createdAt: z.string(),
    createdBy: z.string(),
  }),
);

export const transactionPage = lazy(() => pageOf(transaction()));

export const recorded = lazy(() =>
  z.object({
    transaction: transaction(),
    /** the portfolio's cash after the entry, in its base currency */
    cash: DecimalStringSchema,
    portfolioVersion: integer,
  }),
);

export const holdingParams = lazy(() => z.extend(portfolioParams(), { symbol }));

const gain = z.object({ amount: DecimalStringSchema, pct: z.nullable(DecimalStringSchema) });

export const holding = lazy(() =>
  z.object({
    symbol: z.string(),
    name: z.nullable(z.string()),
    assetClass: z.nullable(z.string()),
    /** the currency the holding trades and is costed in */
    currency: z.string(),
    quantity: DecimalStringSchema,
    averageCost: z.nullable(DecimalStringSchema),
    costBasis: DecimalStringSchema,
    /** null: no quote and no stored close (the holding is listed under the summary's `unpriced`) */
    price: z.nullable(DecimalStringSchema),
    /** when the price was observed */
    priceAsOf: z.nullable(z.string()),
    /** a cached quote or an old close served because nothing fresher could be had */
    priceStale: z.nullable(z.boolean()),
    /** `quote` (the provider's, cached) or `candle` (the latest stored daily close) */
    priceSource: z.nullable(z.enum(['quote', 'candle'])),
    /** in the holding's currency */
    marketValue: z.nullable(DecimalStringSchema),
    /** in the portfolio's base currency */
    marketValueBase: z.nullable(DecimalStringSchema),
    unrealisedGain: z.nullable(gain),
    realisedGain: DecimalStringSchema,
    income: DecimalStringSchema,
    dayGain: z.nullable(gain),
    /** of the portfolio's priced value, cash included, in percent */
    weight: z.nullable(DecimalStringSchema),
    source: z.string(),
  }),
);

export const holdingsList = lazy(() =>
  z.object({ baseCurrency: z.string(), asOf: z.string(), items: z.array(holding()) }),
);

export const holdingDetail = lazy(() =>
  z.extend(holding(), {
    lots: z.array(
      z.object({
        lotId: z.string(),
        acquired: z.string(),
        quantity: DecimalStringSchema,
        unitCost: DecimalStringSchema,
        costBasis: DecimalStringSchema,
      }),
    ),
    realisedHistory: z.array(
      z.object({
        txId: z.string(),
        tradeDate: z.string(),
        quantity: DecimalStringSchema,
        proceeds: DecimalStringSchema,
        costBasis: DecimalStringSchema,
        gain: DecimalStringSchema,
      }),
    ),
  }),
);

export const summary = lazy(() =>
  z.object({
    portfolioId: z.string(),
    baseCurrency: z.string(),
    asOf: z.string(),
    value: DecimalStringSchema,
    cash: DecimalStringSchema,
    /** cost basis of the priced holdings, in the base currency */
    invested: DecimalStringSchema,
    /** net external flows: deposits and transfers in minus withdrawals and transfers out */
    netContributions: DecimalStringSchema,
    totalGain: gain,
    unrealisedGain: DecimalStringSchema,
    realisedGain: DecimalStringSchema,
    income: DecimalStringSchema,
    dayGain: gain,
    holdings: integer,
    /** held symbols with no price or no FX rate: left out of `value`, never guessed */
    unpriced: z.array(z.object({ symbol: z.string(), reason: z.string() })),
  }),
);

export const performanceQuery = lazy(() => z.strictObject({ period: z._default(PerformancePeriodSchema, 'MAX') }));

export const performance = lazy(() =>
  z.object({
    portfolioId: z.string(),
    baseCurrency: z.string(),
    period: PerformancePeriodSchema,
    from: z.string(),
    to: z.string(),
    /** time-weighted return over the period, in percent (null: nothing held over it) */
    twr: z.nullable(z.number()),
    /** money-weighted return, annualised, in percent (null: no solution, see `xirrNote`) */
    xirr: z.nullable(z.number()),
    xirrNote: z.optional(z.string()),
    series: z.array(
      z.object({ date: z.string(), value: DecimalStringSchema, flow: DecimalStringSchema, twr: z.number() }),
    ),
    /** days on which a held symbol had no price yet (left out of that day's value) */
    unpricedDays: integer,
  }),
);

// ---- imports

export const IMPORT_FORMAT_CHOICES = [
  'auto',
  'generic',
  'ibkr-activity',
  'ibkr-flex',
  'kraken-ledger',
  'kraken-trades',
] as const;

const bool = z.pipe(
  z.enum(['true', 'false']),
  z.transform((s) => s === 'true'),
);

export const importQuery = lazy(() =>
  z.strictObject({
    format: z._default(z.enum(IMPORT_FORMAT_CHOICES), 'auto'),
    mode: z._default(z.enum(['all-or-nothing', 'per-row']), 'all-or-nothing'),
    dryRun: z._default(bool, false),
  }),
);

export const importParams = lazy(() =>
  z.extend(portfolioParams(), { importId: z.string().check(z.regex(IMPORT_ID, 'is not an import id')) }),
);

export const importBody = lazy(() => z.string().check(z.minLength(1, 'the CSV file is empty')));

const rowReport = z.object({ row: integer, reason: z.string(), field: z.optional(z.string()) });

export const importRecord = lazy(() =>
  z.object({
    importId: z.string(),
    portfolioId: z.string(),
    format: z.string(),
    mode: z.enum(['all-or-nothing', 'per-row']),
    dryRun: z.boolean(),
    status: z.enum(['committed', 'rejected', 'dry-run', 'writing', 'rolled-back']),
    rowsRead: integer,
    accepted: integer,
    duplicates: integer,
    rejected: integer,
    skipped: integer,
    /** the rows refused, each with its line number and reason (at most 1,000 are kept) */
    rejectedRows: z.array(rowReport),
    duplicateRows: z.array(z.object({ row: integer, reason: z.string() })),
    startedAt: z.string(),
    finishedAt: z.optional(z.string()),
    durationMs: z.optional(integer),
    createdBy: z.string(),
  }),
);

export const importPage = lazy(() => pageOf(importRecord()));
export const importListQuery = lazy(() => listQuery);

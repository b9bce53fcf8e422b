import { DecimalStringSchema } from '@ballast/core/money-schema.js';
import { integer, listQuery, pageOf } from '@ballast/platform/schemas/common.js';
import { lazy } from '@ballast/platform/schemas/lazy.js';
import * as z from 'zod/mini';
import { JOURNAL_ID, TRADE_LOG_ID, TRADE_REFERENCE } from './ids.js';
import { accountParams, journalEntry, positiveDecimal, STRATEGY_NAMES, symbol, VENUES } from './schemas.js';

// The manual journal: notes (immutable; a correction is a new note naming the old one), trade logs
// with their events, and each log's analysis. All of it is its author's alone.

export const NOTE_TYPES = ['pre-trade', 'post-trade', 'observation', 'lesson', 'plan'] as const;
export type NoteType = (typeof NOTE_TYPES)[number];
export const TRADE_SIDES = ['long', 'short'] as const;
export type TradeSide = (typeof TRADE_SIDES)[number];
export const HORIZONS = ['intraday', 'swing', 'position', 'long-term'] as const;
export const TRADE_LOG_STATUSES = ['open', 'closed'] as const;
export const EMOTIONAL_STATES = [
  'calm',
  'confident',
  'anxious',
  'fearful',
  'greedy',
  'frustrated',
  'euphoric',
] as const;

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
const rating = (max: number) => z.int().check(z.gte(1), z.lte(max));
/** a lowercase slug: letters, digits and single dashes between them */
export const tag = z
  .string()
  .check(
    z.maxLength(40),
    z.regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a lowercase slug like "earnings" or "risk-off" (≤ 40 characters)'),
  );
const entryIdSchema = z.string().check(z.regex(JOURNAL_ID, 'is not a journal entry id'));
/** a calendar date or an instant (with its offset) */
const dateOrInstant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);
const instant = z.iso.datetime({ offset: true });

export const entryParams = lazy(() => z.strictObject({ entryId: entryIdSchema }));
export const tradeLogParams = lazy(() =>
  z.strictObject({ tradeLogId: z.string().check(z.regex(TRADE_LOG_ID, 'is not a trade log id')) }),
);

// --- notes ----------------------------------------------------------------------------------

export const noteBody = lazy(() =>
  z.strictObject({
    title: text(200),
    content: text(20_000),
    type: z.enum(NOTE_TYPES),
    /** an order (`or_…`) or fill (`fl_…`) of this project */
    tradeReference: z.optional(z.string().check(z.regex(TRADE_REFERENCE, 'is not an order id or a fill id'))),
    symbol: z.optional(symbol),
    confidence: z.optional(rating(5)),
    successRating: z.optional(rating(5)),
    lessonsLearned: z.optional(text(5_000)),
    /** at most 20; a tag sent twice is kept once */
    tags: z.optional(z.array(tag).check(z.maxLength(20))),
    /** the id of an earlier note of yours that this one corrects */
    corrects: z.optional(entryIdSchema),
  }),
);
export type NoteBody = z.output<ReturnType<typeof noteBody>>;

const correction = z.object({ entryId: z.string(), at: z.string() });

export const noteEntry = lazy(() =>
  z.object({
    kind: z.literal('note'),
    entryId: z.string(),
    author: z.string(),
    title: z.string(),
    content: z.string(),
    type: z.enum(NOTE_TYPES),
    tradeReference: z.optional(z.string()),
    symbol: z.optional(z.string()),
    confidence: z.optional(integer),
    successRating: z.optional(integer),
    lessonsLearned: z.optional(z.string()),
    tags: z.array(z.string()),
    /** the note this one corrects */
    corrects: z.optional(z.string()),
    /** the notes correcting this one, oldest first (on a single read) */
    corrections: z.optional(z.array(correction)),
    at: z.string(),
  }),
);

/** Either kind of entry, told apart by `kind`. */
export const anyEntry = lazy(() => z.discriminatedUnion('kind', [journalEntry(), noteEntry()]));
export const entryPage = lazy(() => pageOf(anyEntry()));

export const entryQuery = lazy(() =>
  z
    .extend(listQuery, {
      /** absent: both kinds (notes only your own) */
      kind: z.optional(z.enum(['fill', 'note'])),
      /** case-insensitive text in a note's title, content or tags */
      q: z.optional(text(200)),
      tag: z.optional(tag),
      /** `at` on or after this instant */
      from: z.optional(instant),
      /** `at` before this instant */
      to: z.optional(instant),
      source: z.optional(z.enum(VENUES)),
      accountId: z.optional(accountParams().shape.accountId),
      symbol: z.optional(symbol),
      strategy: z.optional(z.enum(STRATEGY_NAMES)),
    })
    .check(
      z.superRefine((q, ctx) => {
        if (q.from && q.to && Date.parse(q.from) >= Date.parse(q.to)) {
          ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from', input: q.to });
        }
      }),
    ),
);

// --- trade logs -----------------------------------------------------------------------------

export const tradeLogBody = lazy(() =>
  z.strictObject({
    symbol,
    type: z.enum(TRADE_SIDES),
    entryPrice: positiveDecimal,
    entryDate: dateOrInstant,
    quantity: positiveDecimal,
    target: z.optional(positiveDecimal),
    stop: z.optional(positiveDecimal),
    strategy: z.optional(text(120)),
    horizon: z.optional(z.enum(HORIZONS)),
    conviction: z.optional(rating(5)),
    notes: z.optional(text(5_000)),
  }),
);
export type TradeLogBody = z.output<ReturnType<typeof tradeLogBody>>;

export const tradeLogEventBody = lazy(() =>
  z.discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('adjust'),
      target: z.optional(positiveDecimal),
      stop: z.optional(positiveDecimal),
      quantity: z.optional(positiveDecimal),
      note: text(5_000),
    }),
    z.strictObject({
      type: z.literal('close'),
      exitPrice: positiveDecimal,
      exitDate: dateOrInstant,
      note: z.optional(text(5_000)),
    }),
  ]),
);
export type TradeLogEventBody = z.output<ReturnType<typeof tradeLogEventBody>>;

const tradeLogEvent = z.object({
  seq: integer,
  type: z.enum(['adjust', 'close']),
  target: z.optional(DecimalStringSchema),
  stop: z.optional(DecimalStringSchema),
  quantity: z.optional(DecimalStringSchema),
  exitPrice: z.optional(DecimalStringSchema),
  exitDate: z.optional(z.string()),
  realisedPnl: z.optional(DecimalStringSchema),
  note: z.optional(z.string()),
  at: z.string(),
});

const tradeLogFields = {
  tradeLogId: z.string(),
  author: z.string(),
  symbol: z.string(),
  type: z.enum(TRADE_SIDES),
  entryPrice: DecimalStringSchema,
  entryDate: z.string(),
  quantity: DecimalStringSchema,
  target: z.optional(DecimalStringSchema),
  stop: z.optional(DecimalStringSchema),
  strategy: z.optional(z.string()),
  horizon: z.optional(z.enum(HORIZONS)),
  conviction: z.optional(integer),
  notes: z.optional(z.string()),
  /** |target − entry| / |entry − stop|, 2 places; null without both levels */
  riskReward: z.nullable(DecimalStringSchema),
  status: z.enum(TRADE_LOG_STATUSES),
  exitPrice: z.optional(DecimalStringSchema),
  exitDate: z.optional(z.string()),
  /** (exit − entry) × quantity for a long, (entry − exit) × quantity for a short */
  realisedPnl: z.optional(DecimalStringSchema),
  closedAt: z.optional(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: integer,
};

export const tradeLog = lazy(() => z.object(tradeLogFields));
export const tradeLogPage = lazy(() => pageOf(tradeLog()));

const quote = z.object({
  price: DecimalStringSchema,
  currency: z.optional(z.string()),
  asOf: z.string(),
  stale: z.boolean(),
  source: z.enum(['quote', 'candle']),
});

/** One log with its events; an open one read alone also carries the latest quote and the P&L at it. */
export const tradeLogDetail = lazy(() =>
  z.object({
    ...tradeLogFields,
    events: z.array(tradeLogEvent),
    quote: z.optional(z.nullable(quote)),
    unrealisedPnl: z.optional(z.nullable(DecimalStringSchema)),
  }),
);

export const tradeLogQuery = lazy(() => z.extend(listQuery, { status: z.optional(z.enum(TRADE_LOG_STATUSES)) }));

// --- analysis -------------------------------------------------------------------------------

export const analysisBody = lazy(() =>
  z.strictObject({
    preTrade: z.optional(text(5_000)),
    duringTrade: z.optional(text(5_000)),
    postTrade: z.optional(text(5_000)),
    emotionalState: z.optional(z.enum(EMOTIONAL_STATES)),
    executionQuality: z.optional(rating(10)),
    decisionQuality: z.optional(rating(10)),
    riskManagement: z.optional(rating(10)),
  }),
);
export type AnalysisBody = z.output<ReturnType<typeof analysisBody>>;

export const analysis = lazy(() =>
  z.object({
    tradeLogId: z.string(),
    preTrade: z.optional(z.string()),
    duringTrade: z.optional(z.string()),
    postTrade: z.optional(z.string()),
    emotionalState: z.optional(z.enum(EMOTIONAL_STATES)),
    executionQuality: z.optional(integer),
    decisionQuality: z.optional(integer),
    riskManagement: z.optional(integer),
    /** 0 before the first write */
    version: integer,
    updatedAt: z.optional(z.string()),
  }),
);

import { DecimalStringSchema } from '@ballast/core/money-schema.js';
import { integer, listQuery, pageOf, userId } from '@ballast/platform/schemas/common.js';
import { lazy } from '@ballast/platform/schemas/lazy.js';
import * as z from 'zod/mini';
import { SYMBOL_PATTERN } from '../market-data/index.js';
import { WATCHLIST_ID } from './ids.js';

const pattern = (re: RegExp, what: string) => z.string().check(z.regex(re, `is not ${what}`));
const watchlistId = pattern(WATCHLIST_ID, 'a watchlist id (wl_…)');
const symbol = z.string().check(z.regex(SYMBOL_PATTERN, 'must be an upper-case symbol like "AAPL" or "EUR-USD"'));
/** an alert level: a decimal string above zero ("0x10", 12.5 as a number, "1e3" are refused) */
const level = DecimalStringSchema.check(
  z.refine((s) => !s.startsWith('-') && /[1-9]/.test(s), {
    error: 'must be greater than zero',
    when: (payload) => payload.issues.length === 0,
  }),
  z.maxLength(40),
);

export const VISIBILITIES = ['private', 'shared'] as const;
export const SHARE_ACCESS = ['read', 'edit'] as const;
/** what the caller may do with a watchlist: its owner, or a sharee's grant */
export const CALLER_ACCESS = ['owner', 'edit', 'read'] as const;

export const watchlistParams = lazy(() => z.strictObject({ watchlistId }));
export const itemParams = lazy(() => z.strictObject({ watchlistId, symbol }));
export const shareParams = lazy(() => z.strictObject({ watchlistId, userId }));

const name = z.string().check(z.trim(), z.minLength(1), z.maxLength(120));
const visibility = z.enum(VISIBILITIES);
const description = z.string().check(z.maxLength(1000));
const note = z.string().check(z.maxLength(500));

export const watchlistBody = lazy(() =>
  z.strictObject({
    name,
    visibility: z._default(visibility, 'private'),
    description: z.optional(description),
  }),
);
export const watchlistPatch = lazy(() =>
  z.strictObject({
    name: z.optional(name),
    visibility: z.optional(visibility),
    description: z.optional(z.nullable(description)),
  }),
);
export type WatchlistPatch = z.output<ReturnType<typeof watchlistPatch>>;

export const watchlist = lazy(() =>
  z.object({
    watchlistId: z.string(),
    ownerId: z.string(),
    name: z.string(),
    visibility,
    description: z.optional(z.string()),
    /** what the caller may do: owner, edit (items only) or read */
    access: z.enum(CALLER_ACCESS),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
    version: integer,
  }),
);
export const watchlistPage = lazy(() => pageOf(watchlist()));
export const watchlistQuery = lazy(() =>
  z.extend(listQuery, {
    /** `shared`: the caller's own watchlists and those shared with them, newest first */
    include: z.optional(z.enum(['own', 'shared'])),
  }),
);

export const itemBody = lazy(() =>
  z.strictObject({
    symbol,
    note: z.optional(note),
    alertAbove: z.optional(level),
    alertBelow: z.optional(level),
  }),
);
export const itemPatch = lazy(() =>
  z.strictObject({
    note: z.optional(z.nullable(note)),
    alertAbove: z.optional(z.nullable(level)),
    alertBelow: z.optional(z.nullable(level)),
  }),
);
export type ItemPatch = z.output<ReturnType<typeof itemPatch>>;

const alertState = z.enum(['armed', 'crossed']);
export const item = lazy(() =>
  z.object({
    watchlistId: z.string(),
    symbol: z.string(),
    note: z.optional(z.string()),
    alertAbove: z.optional(DecimalStringSchema),
    alertBelow: z.optional(DecimalStringSchema),
    /** armed: the next crossing notifies; crossed: it did, and re-arms once the price is back */
    aboveState: z.optional(alertState),
    belowState: z.optional(alertState),
    lastAlertAt: z.optional(z.string()),
    addedAt: z.string(),
    addedBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
    version: integer,
  }),
);
const quote = z.object({
  price: DecimalStringSchema,
  currency: z.optional(z.string()),
  asOf: z.string(),
  stale: z.boolean(),
  source: z.enum(['quote', 'candle']),
});
export const itemWithQuote = lazy(() => z.extend(item(), { quote: z.nullable(quote) }));
export const itemPage = lazy(() =>
  z.extend(pageOf(itemWithQuote()), {
    /** present when no price could be asked for (the tenant's market data is not configured) */
    quoteProblem: z.optional(z.object({ code: z.string(), detail: z.string() })),
  }),
);

export const shareBody = lazy(() => z.strictObject({ access: z.enum(SHARE_ACCESS) }));
export const share = lazy(() =>
  z.object({
    watchlistId: z.string(),
    userId: z.string(),
    access: z.enum(SHARE_ACCESS),
    sharedAt: z.string(),
    sharedBy: z.string(),
    version: integer,
  }),
);

// --- notifications --------------------------------------------------------------------------

export const CHANNELS = ['email', 'push', 'sms'] as const;
export const NOTIFICATION_KINDS = ['watchlist.alert', 'risk.halt', 'schedule.failed'] as const;

export const notification = lazy(() =>
  z.object({
    notificationId: z.string(),
    kind: z.enum(NOTIFICATION_KINDS),
    subject: z.string(),
    body: z.string(),
    /** what it is about (`watchlists/<id>/items/<symbol>`) */
    resource: z.optional(z.string()),
    deliveries: z.array(
      z.object({
        channel: z.enum(CHANNELS),
        status: z.enum(['pending', 'sent', 'failed']),
        messageId: z.optional(z.string()),
        error: z.optional(z.string()),
      }),
    ),
    createdAt: z.string(),
  }),
);
export const notificationPage = lazy(() => pageOf(notification()));

// --- jobs -----------------------------------------------------------------------------------

/** the alert check is the tenant's (its envelope names the tenant); the payload says why it runs */
export const alertCheckPayload = lazy(() => z.strictObject({ reason: z.enum(['changed', 'minute', 'quotes']) }));

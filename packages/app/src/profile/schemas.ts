import { NonNegativeDecimalStringSchema } from '@ballast/core/money-schema.js';
import { integer, isoTime, listQuery, pageOf } from '@ballast/platform/schemas/common.js';
import { lazy } from '@ballast/platform/schemas/lazy.js';
import { Decimal } from 'decimal.js';
import * as z from 'zod/mini';
import { SYMBOL_PATTERN } from '../market-data/index.js';
import { STRATEGY_IDS } from '../research/index.js';
import { positiveDecimal } from '../trading/index.js';

const pattern = (re: RegExp, message: string) => z.string().check(z.regex(re, message));

// --- preferences ----------------------------------------------------------------------------

/** The events a user may be told about, and how. */
export const NOTIFICATION_KINDS = ['watchlist.alert', 'risk.halt', 'schedule.failed'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export const CHANNELS = ['email', 'push', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return /^[A-Za-z]/.test(tz);
  } catch {
    return false;
  }
};
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}$/;
const isLanguageTag = (tag: string) => {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
};

const channels = z.strictObject({ email: z.boolean(), push: z.boolean(), sms: z.boolean() });
const preferenceFields = () =>
  z.strictObject({
    display: z.strictObject({
      theme: z.enum(['light', 'dark', 'system']),
      language: z
        .string()
        .check(
          z.regex(LANGUAGE_TAG, 'must be a BCP 47 language tag like "en" or "en-GB"'),
          z.refine(isLanguageTag, 'is not a BCP 47 language tag'),
        ),
      timezone: z.string().check(z.maxLength(64), z.refine(isTimeZone, 'is not an IANA time zone')),
      chartType: z.enum(['candlestick', 'line', 'area', 'bar']),
    }),
    data: z.strictObject({
      /** how often a screen refreshes its data: 5 s to an hour */
      refreshIntervalSeconds: integer.check(z.gte(5), z.lte(3600)),
      realTime: z.boolean(),
    }),
    notifications: z.strictObject({
      'watchlist.alert': channels,
      'risk.halt': channels,
      'schedule.failed': channels,
    }),
    trading: z.strictObject({
      defaultOrderType: z.enum(['market', 'limit', 'stop', 'stop-limit']),
      confirmOrders: z.boolean(),
    }),
  });
export type PreferencesBody = z.output<ReturnType<typeof preferenceFields>>;

const versioned = { version: integer, updatedAt: z.nullable(z.string()) };

export const preferencesBody = lazy(preferenceFields);
export const preferences = lazy(() => z.extend(preferenceFields(), versioned));

// --- theme ----------------------------------------------------------------------------------

const colour = pattern(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'must be a hex colour like #1a2b3c or #abc');
const themeFields = () =>
  z.strictObject({
    colours: z.strictObject({
      primary: colour,
      secondary: colour,
      accent: colour,
      background: colour,
      surface: colour,
      text: colour,
      positive: colour,
      negative: colour,
    }),
    fonts: z.strictObject({
      family: z.enum(['system', 'inter', 'roboto', 'source-sans', 'ibm-plex', 'monospace']),
      sizePx: integer.check(z.gte(10), z.lte(24)),
      monospaceNumbers: z.boolean(),
    }),
    layout: z.strictObject({
      density: z.enum(['compact', 'comfortable', 'spacious']),
      sidebar: z.enum(['left', 'right', 'hidden']),
      dashboardColumns: integer.check(z.gte(1), z.lte(4)),
    }),
  });
export type ThemeBody = z.output<ReturnType<typeof themeFields>>;

export const themeBody = lazy(themeFields);
export const theme = lazy(() => z.extend(themeFields(), versioned));

// --- favourites -----------------------------------------------------------------------------

export const FAVOURITE_KINDS = ['strategy', 'symbol'] as const;
export type FavouriteKind = (typeof FAVOURITE_KINDS)[number];

export const strategyFavouriteParams = lazy(() => z.strictObject({ strategy: z.enum(STRATEGY_IDS) }));
export const symbolFavouriteParams = lazy(() =>
  z.strictObject({ symbol: pattern(SYMBOL_PATTERN, 'must be an upper-case symbol like "AAPL" or "EUR-USD"') }),
);
/** a favourite is named by its path: the body is empty */
export const favouriteBody = lazy(() => z.optional(z.strictObject({})));
export const favourite = lazy(() => z.object({ kind: z.enum(FAVOURITE_KINDS), name: z.string(), addedAt: z.string() }));
export const favouritePage = lazy(() => pageOf(favourite()));
export const favouriteQuery = lazy(() => z.extend(listQuery, { kind: z.optional(z.enum(FAVOURITE_KINDS)) }));

// --- onboarding -----------------------------------------------------------------------------

/** The onboarding steps, in the order a user goes through them. */
export const ONBOARDING_STEPS = ['profile', 'experience', 'personal', 'tax', 'legal'] as const;
export type OnboardingStep = (typeof ONBOARDING_STEPS)[number];
export const EXPERIENCE = ['none', 'beginner', 'intermediate', 'advanced', 'professional'] as const;
export const RISK_TOLERANCE = ['conservative', 'moderate', 'aggressive', 'very-aggressive'] as const;
export const HORIZONS = ['short', 'medium', 'long'] as const;
export type Experience = (typeof EXPERIENCE)[number];
export type RiskTolerance = (typeof RISK_TOLERANCE)[number];
export type Horizon = (typeof HORIZONS)[number];

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const isCalendarDate = (s: string) => {
  const ms = Date.parse(`${s}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === s;
};
const acceptance = z.strictObject({ version: z.string().check(z.minLength(1), z.maxLength(32)) });

const onboardingFields = {
  experience: z.enum(EXPERIENCE),
  riskTolerance: z.enum(RISK_TOLERANCE),
  investmentHorizon: z.enum(HORIZONS),
  fullName: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  dateOfBirth: z
    .string()
    .check(z.regex(DATE, 'must be a date like 1980-01-31'), z.refine(isCalendarDate, 'is not a calendar date')),
  phone: pattern(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number like +14155550123'),
  taxResidency: pattern(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code like "US"'),
  taxId: pattern(/^[A-Za-z0-9-]{4,32}$/, 'must be 4 to 32 letters, digits or -'),
};
const clearable = <T extends z.ZodMiniType>(schema: T) => z.optional(z.nullable(schema));

/** A change: the fields sent are set, `null` clears one; an acceptance records the version and the time. */
export const onboardingPatch = lazy(() =>
  z.strictObject({
    experience: clearable(onboardingFields.experience),
    riskTolerance: clearable(onboardingFields.riskTolerance),
    investmentHorizon: clearable(onboardingFields.investmentHorizon),
    fullName: clearable(onboardingFields.fullName),
    dateOfBirth: clearable(onboardingFields.dateOfBirth),
    phone: clearable(onboardingFields.phone),
    taxResidency: clearable(onboardingFields.taxResidency),
    taxId: clearable(onboardingFields.taxId),
    acceptTerms: z.optional(acceptance),
    acceptPrivacy: z.optional(acceptance),
  }),
);
export type OnboardingPatch = z.output<ReturnType<typeof onboardingPatch>>;

export const onboardingQuery = lazy(() => z.strictObject({ reveal: z.optional(z.enum(['taxId'])) }));

const accepted = z.nullable(z.object({ version: z.string(), acceptedAt: z.string() }));
const step = z.enum(ONBOARDING_STEPS);
export const onboarding = lazy(() =>
  z.object({
    steps: z.array(step),
    currentStep: z.nullable(step),
    completedSteps: z.array(step),
    complete: z.boolean(),
    experience: z.nullable(z.enum(EXPERIENCE)),
    riskTolerance: z.nullable(z.enum(RISK_TOLERANCE)),
    investmentHorizon: z.nullable(z.enum(HORIZONS)),
    fullName: z.nullable(z.string()),
    dateOfBirth: z.nullable(z.string()),
    phone: z.nullable(z.string()),
    taxResidency: z.nullable(z.string()),
    /** masked (`•••••6789`) unless `?reveal=taxId` with a fresh login */
    taxId: z.nullable(z.string()),
    taxIdMasked: z.boolean(),
    terms: accepted,
    privacy: accepted,
    currentVersions: z.object({ terms: z.string(), privacy: z.string() }),
    /** personal fields are stored whose data key was destroyed (an erasure): they read as null */
    personalDataErased: z.boolean(),
    ...versioned,
  }),
);

// --- trading preferences ---------------------------------------------------------------------

const percentUnder100 = positiveDecimal.check(
  z.refine((s) => Number(s) < 100, { error: 'must be under 100', when: (p) => p.issues.length === 0 }),
);
const percentUpTo1000 = positiveDecimal.check(
  z.refine((s) => Number(s) <= 1000, { error: 'must be at most 1000', when: (p) => p.issues.length === 0 }),
);
const share = NonNegativeDecimalStringSchema.check(
  z.refine((s) => Number(s) <= 100, { error: 'must be at most 100', when: (p) => p.issues.length === 0 }),
);
export const ALLOCATION_CLASSES = ['cash', 'equity', 'bond', 'alternative'] as const;

const decimalOf = (s: string): Decimal | undefined => {
  try {
    return new Decimal(s);
  } catch {
    return undefined;
  }
};
type Issue = { code: 'custom'; path: PropertyKey[]; message: string; input: unknown };
/** Rules across fields: the default size within the maximum, the allocation adding up to exactly 100. */
function acrossFields(
  b: { defaultPositionSize: string; maxPositionSize: string; allocationTargets: Record<string, string> },
  ctx: { addIssue(i: Issue): void },
) {
  const size = decimalOf(b.defaultPositionSize);
  const max = decimalOf(b.maxPositionSize);
  if (size && max && size.gt(max)) {
    ctx.addIssue({
      code: 'custom',
      path: ['defaultPositionSize'],
      message: 'must not exceed maxPositionSize',
      input: undefined,
    });
  }
  const parts = ALLOCATION_CLASSES.map((c) => decimalOf(b.allocationTargets[c] ?? ''));
  if (parts.every((p) => p !== undefined)) {
    const sum = parts.reduce((total: Decimal, p) => total.plus(p ?? 0), new Decimal(0));
    if (!sum.eq(100)) {
      ctx.addIssue({
        code: 'custom',
        path: ['allocationTargets'],
        message: `must add up to exactly 100 (they add up to ${sum.toString()})`,
        input: undefined,
      });
    }
  }
}

const tradingPreferenceFields = () =>
  z
    .strictObject({
      style: z.enum(['day', 'swing', 'position', 'long-term']),
      /** a strategy the user leans to (a name from GET /v1/strategies), or none */
      strategyPreference: z.nullable(z.enum(STRATEGY_IDS)),
      defaultPositionSize: positiveDecimal,
      maxPositionSize: positiveDecimal,
      stopLossPct: percentUnder100,
      takeProfitPct: percentUpTo1000,
      allocationTargets: z.strictObject({ cash: share, equity: share, bond: share, alternative: share }),
      paperTradingEnabled: z.boolean(),
      /** true only once onboarding is complete with the current terms (else 422 ONBOARDING_INCOMPLETE) */
      realTradingEnabled: z.boolean(),
    })
    .check(z.superRefine(acrossFields));
export type TradingPreferencesBody = z.output<ReturnType<typeof tradingPreferenceFields>>;

export const tradingPreferencesBody = lazy(tradingPreferenceFields);
export const tradingPreferences = lazy(() =>
  z.object({
    style: z.string(),
    strategyPreference: z.nullable(z.string()),
    defaultPositionSize: z.string(),
    maxPositionSize: z.string(),
    stopLossPct: z.string(),
    takeProfitPct: z.string(),
    allocationTargets: z.object({ cash: z.string(), equity: z.string(), bond: z.string(), alternative: z.string() }),
    paperTradingEnabled: z.boolean(),
    realTradingEnabled: z.boolean(),
    ...versioned,
  }),
);

// --- export ---------------------------------------------------------------------------------

export const personalExport = lazy(() =>
  z.object({
    exportedAt: isoTime,
    tenantId: z.string(),
    userId: z.string(),
    /** one section per contributing context (`profile` first); each its own shape */
    sections: z.record(z.string(), z.unknown()),
  }),
);

export const erasure = lazy(() =>
  z.object({
    erasureId: z.string(),
    erasedAt: isoTime,
    /** the user's data key existed and is destroyed: what it encrypted cannot be read again */
    dataKeyDestroyed: z.boolean(),
    documentsDeleted: integer,
    membershipRemoved: z.boolean(),
    /** what each other context removed, by kind (counts of this attempt: a retry counts what was left) */
    erased: z.record(z.string(), z.record(z.string(), integer)),
  }),
);

import { DecimalStringSchema } from '@ballast/core/money-schema.js';
import { integer, isoTime, listQuery, pageOf } from '@ballast/platform/schemas/common.js';
import { lazy } from '@ballast/platform/schemas/lazy.js';
import * as z from 'zod/mini';
import { CYCLE_ID, FEEDBACK_ID, PLAYBOOK_ID } from './ids.js';

const pattern = (re: RegExp, what: string) => z.string().check(z.regex(re, `is not ${what}`));
const playbookId = pattern(PLAYBOOK_ID, 'a playbook id');

export const feedbackParams = lazy(() =>
  z.strictObject({ decisionId: pattern(FEEDBACK_ID, 'a feedback decision id') }),
);

/** `POST /v1/feedback/run`: one active playbook's feedback loop, now. */
export const feedbackRunBody = lazy(() => z.strictObject({ playbookId }));

/** The job: a scheduled day's run, or the run after a cycle that closed a position. */
export const feedbackJobPayload = lazy(() =>
  z.strictObject({
    playbookId,
    trigger: z._default(z.enum(['schedule', 'cycle']), 'schedule'),
    cycleId: z.optional(pattern(CYCLE_ID, 'a cycle id')),
  }),
);

const nullableNumber = z.nullable(z.number());
/** DynamoDB stores no number below 1e-130: a threshold that small is 0 or a typo */
const storable = z.refine<number>((x) => x === 0 || Math.abs(x) >= 1e-9, 'must be 0 or at least 1e-9');
const ratio = z.number().check(z.gte(0), z.lte(1), storable);

const thresholdFields = {
  minWinRate: ratio,
  minProfitFactor: z.number().check(z.gte(0), z.lte(100), storable),
  maxConsecutiveLosses: integer.check(z.gte(1), z.lte(100)),
  minTrades: integer.check(z.gte(1), z.lte(1000)),
  disableAfterTrades: integer.check(z.gte(1), z.lte(10_000)),
  returnTolerance: z.number().check(z.gte(0), z.lte(100), storable),
  reoptimiseCooldownDays: integer.check(z.gte(0), z.lte(365)),
};

/** The tenant's thresholds: what is left out takes its default. */
export const feedbackSettingsBody = lazy(() =>
  z.strictObject({
    minWinRate: z._default(thresholdFields.minWinRate, 0.4),
    minProfitFactor: z._default(thresholdFields.minProfitFactor, 1),
    maxConsecutiveLosses: z._default(thresholdFields.maxConsecutiveLosses, 5),
    minTrades: z._default(thresholdFields.minTrades, 5),
    disableAfterTrades: z._default(thresholdFields.disableAfterTrades, 20),
    returnTolerance: z._default(thresholdFields.returnTolerance, 0.5),
    reoptimiseCooldownDays: z._default(thresholdFields.reoptimiseCooldownDays, 7),
  }),
);
export type FeedbackSettingsBody = z.output<ReturnType<typeof feedbackSettingsBody>>;

export const feedbackSettings = lazy(() =>
  z.object({
    minWinRate: z.number(),
    minProfitFactor: z.number(),
    maxConsecutiveLosses: integer,
    minTrades: integer,
    disableAfterTrades: integer,
    returnTolerance: z.number(),
    reoptimiseCooldownDays: integer,
    version: integer,
    updatedAt: z.optional(z.string()),
    updatedBy: z.optional(z.string()),
  }),
);

const liveFields = {
  trades: integer,
  wins: integer,
  losses: integer,
  winRate: nullableNumber,
  profitFactor: nullableNumber,
  realisedPnl: DecimalStringSchema,
  return: nullableNumber,
  returnPerTrade: nullableNumber,
  consecutiveLosses: integer,
  asOf: z.string(),
};

export const snapshot = lazy(() =>
  z.object({
    snapshotId: z.string(),
    playbookId: z.string(),
    strategy: z.string(),
    symbol: z.string(),
    accountId: z.string(),
    ...liveFields,
    decisionId: z.string(),
  }),
);
export const snapshotPage = lazy(() => pageOf(snapshot()));
export const snapshotQuery = lazy(() =>
  z.extend(listQuery, { playbookId: z.optional(playbookId), from: z.optional(isoTime), to: z.optional(isoTime) }).check(
    z.refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
      error: 'must not be after `to`',
      path: ['from'],
    }),
  ),
);

export const feedbackDecision = lazy(() =>
  z.object({
    decisionId: z.string(),
    playbookId: z.string(),
    strategy: z.string(),
    symbol: z.string(),
    accountId: z.string(),
    trigger: z.enum(['manual', 'schedule', 'cycle']),
    action: z.enum(['monitor', 'reoptimise', 'disable']),
    code: z.string(),
    reasoning: z.string(),
    inputs: z.object({
      live: z.object(liveFields),
      expected: z.nullable(z.record(z.string(), z.unknown())),
      thresholds: z.record(z.string(), z.number()),
      deviation: nullableNumber,
    }),
    result: z.record(z.string(), z.unknown()),
    snapshotId: z.string(),
    at: z.string(),
    by: z.string(),
  }),
);
export const feedbackPage = lazy(() => pageOf(feedbackDecision()));
export const feedbackQuery = lazy(() => z.extend(listQuery, { playbookId: z.optional(playbookId) }));

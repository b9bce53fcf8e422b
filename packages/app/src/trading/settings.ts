import { HARD_LIMITS, RISK_LIMIT_KEYS, type RiskLimits, tightenLimits } from '@ballast/core/risk/limits.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { AppError, preconditionFailed } from '@ballast/platform/errors.js';
import { money } from '@ballast/core/money.js';
import { STRATEGY_NAMES, type SettingsBody } from './schemas.js';
import type { Settings, SettingsVersion, TradingStore } from './store.js';

/** The settings a tenant has before its first write: the hard limits, every strategy enabled. */
export function defaultSettings(): Settings {
  return {
    riskLimits: {},
    maxOrderNotional: null,
    enabledStrategies: [...STRATEGY_NAMES],
    strategyBudgets: {},
    notifications: { riskHalt: true, orderFilled: false, orderRejected: true, strategyDisabled: true },
    autoOptimisation: { enabled: false, intervalDays: 30 },
    timezone: 'UTC',
    version: 0,
  };
}

export async function currentSettings(store: TradingStore): Promise<Settings> {
  return (await store.getSettings()) ?? defaultSettings();
}

/** Which way each limit tightens, for the refusal's wording. */
const LOWER_IS_TIGHTER: ReadonlySet<keyof RiskLimits> = new Set(RISK_LIMIT_KEYS.filter((k) => k !== 'minRiskReward'));

/**
 * The limits orders are checked against: the tenant's, which may only tighten the hard ones. A
 * loosening is a 422 naming the limit — never clamped, so a misconfigured tenant finds out.
 */
export function effectiveLimits(riskLimits: Partial<RiskLimits>): Readonly<RiskLimits> {
  for (const key of RISK_LIMIT_KEYS) {
    const value = riskLimits[key];
    if (value === undefined) continue;
    const hard = HARD_LIMITS[key];
    const looser = LOWER_IS_TIGHTER.has(key) ? value > hard : value < hard;
    if (looser) {
      throw new AppError(
        422,
        'LIMIT_LOOSENING_REFUSED',
        `riskLimits.${key} = ${value} would loosen the hard limit ${hard}; settings may only ` +
          `${LOWER_IS_TIGHTER.has(key) ? 'lower' : 'raise'} it`,
        {
          extra: { limit: key, value, hardLimit: hard },
          errors: [
            { path: `body.riskLimits.${key}`, message: `must be ${LOWER_IS_TIGHTER.has(key) ? '≤' : '≥'} ${hard}` },
          ],
        },
      );
    }
  }
  try {
    return tightenLimits(HARD_LIMITS, riskLimits);
  } catch (e) {
    if (e instanceof RangeError) throw new AppError(422, 'LIMIT_LOOSENING_REFUSED', e.message);
    throw e;
  }
}

type Plain = Omit<Settings, 'version' | 'updatedAt' | 'updatedBy'>;
const plain = ({ version: _v, updatedAt: _a, updatedBy: _b, ...rest }: Settings): Plain => rest;

/** Replaces the settings (If-Match on their version) and keeps the old and new as one history version. */
export async function replaceSettings(
  deps: { store: TradingStore; unitOfWork(): UnitOfWork; now: number; actor: string },
  body: SettingsBody,
  ifMatch: number,
): Promise<Settings> {
  const before = await currentSettings(deps.store);
  if (before.version !== ifMatch) throw preconditionFailed(`The trading settings are at version ${before.version}`);
  const { reason, ...fields } = body;
  effectiveLimits(fields.riskLimits);
  const at = new Date(deps.now).toISOString();
  const after: Settings = { ...fields, version: before.version + 1, updatedAt: at, updatedBy: deps.actor };
  const history: SettingsVersion = {
    version: after.version,
    at,
    by: deps.actor,
    ...(reason !== undefined ? { reason } : {}),
    before: before.version === 0 ? null : plain(before),
    after: plain(after),
  };
  const uow = deps.unitOfWork();
  deps.store.putSettings(uow, after, before.version === 0 ? undefined : before.version, history);
  uow.audit({
    action: 'trading.settings.update',
    resource: 'trading/settings',
    before: plain(before),
    after: plain(after),
  });
  await uow.commit();
  return after;
}

/** What a budget change did: the budget before (null: none) and after, and the settings' version then. */
export interface BudgetChange {
  strategy: string;
  before: string | null;
  after: string;
  version: number;
  changed: boolean;
}

/**
 * Sets one strategy's budget (the open notional its orders may hold; `"0"` refuses every new buy
 * of it at the gate's `strategyBudget` check) in the caller's unit of work, which commits it with
 * its own records: the settings' next version, its history entry (with the reason) and the audit.
 * Another context's entry point: automation's feedback loop disables a strategy so. A budget
 * already at that amount changes nothing.
 */
export async function stageStrategyBudget(
  deps: { store: TradingStore; now: number; actor: string },
  uow: UnitOfWork,
  change: { strategy: string; budget: string; reason: string },
): Promise<BudgetChange> {
  const before = await currentSettings(deps.store);
  const budgets = before.strategyBudgets;
  const prior = Object.hasOwn(budgets, change.strategy) ? budgets[change.strategy] : null;
  const same = prior !== null && money(prior).eq(money(change.budget));
  if (same) return { strategy: change.strategy, before: prior, after: prior, version: before.version, changed: false };
  const at = new Date(deps.now).toISOString();
  const after: Settings = {
    ...before,
    strategyBudgets: { ...budgets, [change.strategy]: change.budget },
    version: before.version + 1,
    updatedAt: at,
    updatedBy: deps.actor,
  };
  const history: SettingsVersion = {
    version: after.version,
    at,
    by: deps.actor,
    reason: change.reason,
    before: before.version === 0 ? null : plain(before),
    after: plain(after),
  };
  deps.store.putSettings(uow, after, before.version === 0 ? undefined : before.version, history);
  uow.audit({
    action: 'trading.settings.update',
    resource: 'trading/settings',
    before: plain(before),
    after: { ...plain(after), reason: change.reason },
  });
  return { strategy: change.strategy, before: prior, after: change.budget, version: after.version, changed: true };
}

export function settingsView(s: Settings) {
  return { ...s, effectiveLimits: { ...effectiveLimits(s.riskLimits) } };
}

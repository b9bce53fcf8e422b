// The hard risk limits of SPEC §3 and the only way to derive a tenant's limits from them.

/** Risk limits. Percentages are in percent (15 = 15%), counts are integers, lots are lots. */
export interface RiskLimits {
  /** reject (and trip the circuit breaker) when drawdown from peak equity is ≥ this % */
  readonly maxDrawdownPct: number;
  /** reject when open positions are ≥ this */
  readonly maxOpenPositions: number;
  /** reject when trades opened in the current trading day (UTC, or the tenant's midnight) are ≥ this */
  readonly maxTradesPerDay: number;
  /** reject when trades opened in the last 60 minutes are ≥ this */
  readonly maxTradesPerHour: number;
  /** reject when the position is > this many lots */
  readonly maxPositionLots: number;
  /** reject when the position's notional is > this % of equity */
  readonly maxPositionPctOfEquity: number;
  /** reject when reward/risk is < this */
  readonly minRiskReward: number;
  /** a strategy is disabled after this many consecutive losses */
  readonly maxConsecutiveLosses: number;
  /** reject when today's realised loss is ≥ this % of the day's starting equity */
  readonly maxDailyLossPct: number;
  /** reject when the money at risk (quantity × |entry − stop|) is > this % of equity */
  readonly maxRiskPerTradePct: number;
}

/** Which way is tighter for each limit: 'max' limits tighten downward, 'min' limits upward. */
const DIRECTION: Readonly<Record<keyof RiskLimits, 'max' | 'min'>> = Object.freeze({
  maxDrawdownPct: 'max',
  maxOpenPositions: 'max',
  maxTradesPerDay: 'max',
  maxTradesPerHour: 'max',
  maxPositionLots: 'max',
  maxPositionPctOfEquity: 'max',
  minRiskReward: 'min',
  maxConsecutiveLosses: 'max',
  maxDailyLossPct: 'max',
  maxRiskPerTradePct: 'max',
});

const INTEGER_LIMITS: ReadonlySet<keyof RiskLimits> = new Set([
  'maxOpenPositions',
  'maxTradesPerDay',
  'maxTradesPerHour',
  'maxConsecutiveLosses',
]);

export const RISK_LIMIT_KEYS = Object.freeze(Object.keys(DIRECTION) as (keyof RiskLimits)[]);

function deepFreeze<T>(o: T): Readonly<T> {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** SPEC §3's hard limits. Frozen: no code path, tenant setting or test can loosen them. */
export const HARD_LIMITS: Readonly<RiskLimits> = deepFreeze({
  maxDrawdownPct: 15,
  maxOpenPositions: 10,
  maxTradesPerDay: 20,
  maxTradesPerHour: 5,
  maxPositionLots: 1.0,
  maxPositionPctOfEquity: 10,
  minRiskReward: 1.5,
  maxConsecutiveLosses: 5,
  maxDailyLossPct: 5,
  maxRiskPerTradePct: 2,
});

function checkValue(field: keyof RiskLimits, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${field} must be a finite number`);
  // zero is refused too: "drawdown ≥ 0%" would trip the breaker on every decision, and a
  // pause is what disabling strategies is for
  if (v <= 0) throw new RangeError(`${field} must be positive`);
  if (INTEGER_LIMITS.has(field) && !Number.isInteger(v)) throw new RangeError(`${field} must be an integer`);
  return v;
}

function looser(field: keyof RiskLimits, value: number, hard: number): boolean {
  return DIRECTION[field] === 'max' ? value > hard : value < hard;
}

/**
 * Merge tenant settings into the hard limits. A setting may only tighten: a looser value (or
 * an unknown field) throws a RangeError naming the field, rather than being clamped, so a
 * misconfigured tenant finds out instead of silently trading under other limits.
 */
export function tightenLimits(hard: Readonly<RiskLimits>, settings: Partial<RiskLimits> = {}): Readonly<RiskLimits> {
  assertWithinHardLimits(hard);
  const out = { ...hard } as Record<keyof RiskLimits, number>;
  for (const [key, value] of Object.entries(settings)) {
    if (!Object.hasOwn(DIRECTION, key)) throw new RangeError(`unknown risk limit: ${key}`);
    if (value === undefined) continue;
    const field = key as keyof RiskLimits;
    const v = checkValue(field, value);
    if (looser(field, v, hard[field])) {
      throw new RangeError(
        `${field} = ${v} would loosen the limit ${hard[field]} ` +
          `(settings may only ${DIRECTION[field] === 'max' ? 'lower' : 'raise'} it)`,
      );
    }
    out[field] = v;
  }
  return Object.freeze(out);
}

/** Throws unless every field of `limits` is at least as tight as HARD_LIMITS. */
export function assertWithinHardLimits(limits: Readonly<RiskLimits>): void {
  for (const field of RISK_LIMIT_KEYS) {
    const v = checkValue(field, limits[field]);
    if (looser(field, v, HARD_LIMITS[field])) {
      throw new RangeError(`${field} = ${v} is looser than the hard limit ${HARD_LIMITS[field]}`);
    }
  }
}

// Time is an argument in core: a Date or epoch milliseconds, always read as UTC.

/** A point in time as callers have it: a Date or epoch milliseconds. */
export type Instant = Date | number;

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Epoch ms of an Instant; an invalid Date or non-finite number throws a RangeError. */
export function toEpochMs(t: Instant): number {
  const ms = typeof t === 'number' ? t : t instanceof Date ? t.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new RangeError('time must be a valid Date or finite epoch milliseconds');
  return ms;
}

/** Start of the UTC day containing `ms`. */
export function utcDayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

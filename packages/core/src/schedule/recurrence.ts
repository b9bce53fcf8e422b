// When a recurring job (a rebalance schedule, a DCA rule) runs next: a calendar rule in the
// owner's IANA time zone, resolved to UTC instants with croner, so 09:30 New York is 13:30Z in
// summer and 14:30Z in winter.

import { Cron } from 'croner';

export const FREQUENCIES = ['daily', 'weekly', 'monthly', 'quarterly'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

export interface Recurrence {
  frequency: Frequency;
  /** weekly: ISO day 1 (Monday) … 7 (Sunday); required for weekly, ignored otherwise */
  dayOfWeek?: number;
  /**
   * monthly and quarterly: 1 … 31, default 1; a month shorter than it runs on its last day
   * (31 → 28 Feb, 30 Apr). Quarterly runs in January, April, July and October.
   */
  dayOfMonth?: number;
  /** 'HH:MM', 24-hour, local time in `timezone` */
  timeOfDay: string;
  /** IANA zone, e.g. 'America/New_York' */
  timezone: string;
  /**
   * a run that falls on a Saturday or Sunday (local) moves to the following Monday, same time
   * (daily: weekends are skipped)
   */
  excludeWeekends?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** True if `timeZone` is a zone name the runtime knows (IANA names and their links, 'UTC'). */
function isTimeZone(timeZone: unknown): timeZone is string {
  // a bare UTC offset ('+05:00') is not an IANA zone, whatever a newer runtime's Intl accepts
  if (typeof timeZone !== 'string' || !/^[A-Za-z]/.test(timeZone)) return false;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone });
    return true;
  } catch {
    return false;
  }
}

const isIntIn = (v: unknown, lo: number, hi: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

/** The recurrence part of a record that carries one (a schedule, a DCA rule), and nothing else. */
export function recurrenceOf(r: Recurrence): Recurrence {
  return {
    frequency: r.frequency,
    ...(r.dayOfWeek !== undefined ? { dayOfWeek: r.dayOfWeek } : {}),
    ...(r.dayOfMonth !== undefined ? { dayOfMonth: r.dayOfMonth } : {}),
    timeOfDay: r.timeOfDay,
    timezone: r.timezone,
    ...(r.excludeWeekends !== undefined ? { excludeWeekends: r.excludeWeekends } : {}),
  };
}

/**
 * What is wrong with `r`, field by field (`path` is the field name), for a 4xx to report; empty
 * when `r` is valid. `nextRunAt` and `runsBetween` throw on a rule with errors.
 */
export function recurrenceErrors(r: Recurrence): Array<{ path: string; message: string }> {
  const errors: Array<{ path: string; message: string }> = [];
  if (!(FREQUENCIES as readonly unknown[]).includes(r.frequency)) {
    errors.push({ path: 'frequency', message: `must be one of ${FREQUENCIES.join(', ')}` });
  }
  if (typeof r.timeOfDay !== 'string' || !TIME_OF_DAY.test(r.timeOfDay)) {
    errors.push({ path: 'timeOfDay', message: "must be 'HH:MM', 24-hour, 00:00 to 23:59" });
  }
  if (!isTimeZone(r.timezone)) {
    errors.push({ path: 'timezone', message: "must be an IANA time zone, e.g. 'America/New_York'" });
  }
  if (r.frequency === 'weekly' && r.dayOfWeek === undefined) {
    errors.push({ path: 'dayOfWeek', message: 'is required for a weekly rule: ISO day 1 (Monday) to 7 (Sunday)' });
  } else if (r.dayOfWeek !== undefined && !isIntIn(r.dayOfWeek, 1, 7)) {
    errors.push({ path: 'dayOfWeek', message: 'must be an ISO day 1 (Monday) to 7 (Sunday)' });
  }
  if (r.dayOfMonth !== undefined && !isIntIn(r.dayOfMonth, 1, 31)) {
    errors.push({ path: 'dayOfMonth', message: 'must be a whole number 1 to 31' });
  }
  if (r.excludeWeekends !== undefined && typeof r.excludeWeekends !== 'boolean') {
    errors.push({ path: 'excludeWeekends', message: 'must be true or false' });
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Local calendar fields, from Intl
// ---------------------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Local year, month (1-12), day and weekday (0 = Sunday) of `ms` in `timeZone`. */
function localDate(ms: number, timeZone: string) {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value] as const));
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  return { year, month, day, weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay() };
}

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

// ---------------------------------------------------------------------------------------------
// Runs
// ---------------------------------------------------------------------------------------------

/** Sat → Mon is the longest move, two days, plus an hour should a DST change fall between. */
const MAX_MOVE_MS = 3 * 86_400_000;

function assertValid(r: Recurrence): void {
  const errors = recurrenceErrors(r);
  if (errors.length > 0) {
    throw new RangeError(`invalid recurrence: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
  }
}

/**
 * The rule's runs strictly after `afterMs`, in ascending order, without end.
 *
 * croner gives the calendar instants (the 5-part pattern below, in `r.timezone`); two things it
 * cannot express are done here:
 * - a dayOfMonth of 29-31 runs on the last day of a shorter month: the pattern asks for days
 *   28-31 and only the day `min(dayOfMonth, days in that month)` is kept;
 * - excludeWeekends (weekly, monthly, quarterly) moves a Saturday or Sunday run to the next
 *   Monday at the same local time, itself found by croner (`M H * * 1`), so a DST change over
 *   that weekend is honoured. The move can carry a run from up to two days before `afterMs` to
 *   after it, so the search starts `MAX_MOVE_MS` earlier. Runs of these rules are at least seven
 *   days apart, so moved runs stay in order and never collide.
 */
function* runsAfter(r: Recurrence, afterMs: number): Generator<number, void, undefined> {
  assertValid(r);
  if (!Number.isFinite(afterMs)) throw new RangeError(`afterMs must be a finite epoch ms, got ${afterMs}`);
  const [hh, mm] = r.timeOfDay.split(':').map(Number);
  const timezone = r.timezone;
  const opts = { timezone, paused: true, mode: '5-part' as const };
  const day = r.dayOfMonth ?? 1;

  let pattern: string;
  switch (r.frequency) {
    case 'daily':
      pattern = `${mm} ${hh} * * ${r.excludeWeekends ? '1-5' : '*'}`;
      break;
    case 'weekly':
      // croner: 0 (or 7) = Sunday … 6 = Saturday; ISO 1 = Monday … 7 = Sunday
      pattern = `${mm} ${hh} * * ${(r.dayOfWeek as number) % 7}`;
      break;
    case 'monthly':
    case 'quarterly': {
      const months = r.frequency === 'quarterly' ? '1,4,7,10' : '*';
      pattern = `${mm} ${hh} ${day > 28 ? '28-31' : day} ${months} *`;
      break;
    }
  }

  const cron = new Cron(pattern, opts);
  const moves = r.excludeWeekends === true && r.frequency !== 'daily';
  const monday = moves ? new Cron(`${mm} ${hh} * * 1`, opts) : undefined;
  let cursor = new Date(moves ? afterMs - MAX_MOVE_MS : afterMs);
  for (;;) {
    const next = cron.nextRun(cursor);
    if (next === null) return;
    cursor = next;
    let at = next.getTime();
    if (day > 28 && (r.frequency === 'monthly' || r.frequency === 'quarterly')) {
      const d = localDate(at, timezone);
      if (d.day !== Math.min(day, daysInMonth(d.year, d.month))) continue;
    }
    if (monday) {
      const { weekday } = localDate(at, timezone);
      if (weekday === 0 || weekday === 6) {
        const moved = monday.nextRun(next);
        if (moved === null) return;
        at = moved.getTime();
      }
    }
    if (at > afterMs) yield at;
  }
}

/**
 * The first run of `r` strictly after `afterMs` (epoch ms, UTC), as epoch ms. Throws a RangeError
 * if `r` has `recurrenceErrors`.
 *
 * DST, as croner 11 resolves a fixed local time (checked in recurrence.test.ts):
 * - a local time that does not exist (spring forward; 02:30 America/New_York on 2026-03-08) runs
 *   once that day, at the first valid instant after the gap: 03:00 EDT = 07:00Z (not 03:30);
 * - a local time that happens twice (fall back; 01:30 America/New_York on 2026-11-01) runs once,
 *   at the first occurrence: 01:30 EDT = 05:30Z. From any instant at or after it, the next run is
 *   the following day's; the second occurrence (01:30 EST = 06:30Z) is never a run.
 */
export function nextRunAt(r: Recurrence, afterMs: number): number {
  for (const at of runsAfter(r, afterMs)) return at;
  throw new RangeError('recurrence has no run after the given instant');
}

/**
 * The runs of `r` in (fromMs, toMs], earliest first, at most `limit` of them (for counting the
 * slots missed during an outage). Throws a RangeError if `r` has `recurrenceErrors`.
 */
export function runsBetween(r: Recurrence, fromMs: number, toMs: number, limit: number): number[] {
  const runs: number[] = [];
  if (!(limit > 0) || !(toMs > fromMs)) {
    assertValid(r);
    return runs;
  }
  for (const at of runsAfter(r, fromMs)) {
    if (at > toMs) break;
    runs.push(at);
    if (runs.length >= limit) break;
  }
  return runs;
}

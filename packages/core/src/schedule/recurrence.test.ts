import { describe, expect, it } from 'vitest';
import { nextRunAt, type Recurrence, recurrenceErrors, runsBetween } from './index.js';

const ms = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();
const next = (r: Recurrence, after: string) => iso(nextRunAt(r, ms(after)));
const between = (r: Recurrence, from: string, to: string, limit = 1000) =>
  runsBetween(r, ms(from), ms(to), limit).map(iso);

const NY = 'America/New_York';
const daily = (timeOfDay: string, timezone: string, excludeWeekends?: boolean): Recurrence => ({
  frequency: 'daily',
  timeOfDay,
  timezone,
  ...(excludeWeekends === undefined ? {} : { excludeWeekends }),
});

describe('daily, across DST', () => {
  it('09:30 New York is 14:30Z in EST and 13:30Z in EDT', () => {
    const r = daily('09:30', NY);
    expect(next(r, '2026-03-06T00:00:00Z')).toBe('2026-03-06T14:30:00.000Z');
    expect(next(r, '2026-03-08T23:00:00Z')).toBe('2026-03-09T13:30:00.000Z');
    expect(between(r, '2026-03-06T00:00:00Z', '2026-03-10T00:00:00Z')).toEqual([
      '2026-03-06T14:30:00.000Z',
      '2026-03-07T14:30:00.000Z',
      '2026-03-08T13:30:00.000Z',
      '2026-03-09T13:30:00.000Z',
    ]);
  });

  it('08:00 London moves an hour earlier in UTC on 2026-03-29 and back on 2026-10-25', () => {
    const r = daily('08:00', 'Europe/London');
    expect(between(r, '2026-03-27T12:00:00Z', '2026-03-30T12:00:00Z')).toEqual([
      '2026-03-28T08:00:00.000Z',
      '2026-03-29T07:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
    ]);
    expect(between(r, '2026-10-23T12:00:00Z', '2026-10-26T12:00:00Z')).toEqual([
      '2026-10-24T07:00:00.000Z',
      '2026-10-25T08:00:00.000Z',
      '2026-10-26T08:00:00.000Z',
    ]);
  });

  it('spring forward: 02:30 New York, which does not exist on 2026-03-08, runs once, at 03:00 EDT', () => {
    const r = daily('02:30', NY);
    expect(between(r, '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z')).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST
      '2026-03-08T07:00:00.000Z', // the gap 02:00-03:00: the first valid instant after it, 03:00 EDT
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
    ]);
    expect(next(r, '2026-03-08T06:59:59Z')).toBe('2026-03-08T07:00:00.000Z');
    expect(next(r, '2026-03-08T07:00:00Z')).toBe('2026-03-09T06:30:00.000Z');
    expect(next(r, '2026-03-08T07:30:00Z')).toBe('2026-03-09T06:30:00.000Z');
  });

  it('fall back: 01:30 New York, which happens twice on 2026-11-01, runs once, at the first (EDT)', () => {
    const r = daily('01:30', NY);
    expect(between(r, '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z')).toEqual([
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z', // 01:30 EDT; 01:30 EST (06:30Z) is not a run
      '2026-11-02T06:30:00.000Z',
    ]);
    // from between the two 01:30s, and from the first one exactly: the next run is the next day's
    expect(next(r, '2026-11-01T06:00:00Z')).toBe('2026-11-02T06:30:00.000Z');
    expect(next(r, '2026-11-01T05:30:00Z')).toBe('2026-11-02T06:30:00.000Z');
    expect(next(r, '2026-11-01T06:29:59Z')).toBe('2026-11-02T06:30:00.000Z');
  });
});

describe('weekly', () => {
  const weekly = (dayOfWeek: number, extra: Partial<Recurrence> = {}): Recurrence => ({
    frequency: 'weekly',
    dayOfWeek,
    timeOfDay: '10:00',
    timezone: 'UTC',
    ...extra,
  });

  it('uses ISO days: 1 is Monday, 3 Wednesday, 7 Sunday', () => {
    // 2026-03-01 is a Sunday
    expect(next(weekly(1), '2026-03-01T00:00:00Z')).toBe('2026-03-02T10:00:00.000Z');
    expect(next(weekly(3), '2026-03-01T00:00:00Z')).toBe('2026-03-04T10:00:00.000Z');
    expect(next(weekly(7), '2026-03-01T00:00:00Z')).toBe('2026-03-01T10:00:00.000Z');
    expect(next(weekly(7), '2026-03-02T00:00:00Z')).toBe('2026-03-08T10:00:00.000Z');
  });

  it('runs every seven days', () => {
    expect(between(weekly(7), '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z')).toEqual([
      '2026-03-01T10:00:00.000Z',
      '2026-03-08T10:00:00.000Z',
      '2026-03-15T10:00:00.000Z',
      '2026-03-22T10:00:00.000Z',
      '2026-03-29T10:00:00.000Z',
    ]);
  });

  it('excludeWeekends moves a Saturday run to the Monday', () => {
    expect(between(weekly(6, { excludeWeekends: true }), '2026-03-01T00:00:00Z', '2026-03-17T00:00:00Z')).toEqual([
      '2026-03-02T10:00:00.000Z',
      '2026-03-09T10:00:00.000Z',
      '2026-03-16T10:00:00.000Z',
    ]);
  });
});

describe('monthly and quarterly', () => {
  const monthly = (dayOfMonth: number | undefined, extra: Partial<Recurrence> = {}): Recurrence => ({
    frequency: 'monthly',
    ...(dayOfMonth === undefined ? {} : { dayOfMonth }),
    timeOfDay: '09:00',
    timezone: 'UTC',
    ...extra,
  });

  it('defaults to the 1st', () => {
    expect(next(monthly(undefined), '2026-01-15T00:00:00Z')).toBe('2026-02-01T09:00:00.000Z');
  });

  it('day 31 runs on the last day of a shorter month: 28 Feb, 30 Apr', () => {
    expect(between(monthly(31), '2026-01-01T00:00:00Z', '2026-05-01T00:00:00Z')).toEqual([
      '2026-01-31T09:00:00.000Z',
      '2026-02-28T09:00:00.000Z',
      '2026-03-31T09:00:00.000Z',
      '2026-04-30T09:00:00.000Z',
    ]);
  });

  it('day 30 runs once in a 31-day month, on the 30th', () => {
    expect(between(monthly(30), '2026-01-01T00:00:00Z', '2026-05-01T00:00:00Z')).toEqual([
      '2026-01-30T09:00:00.000Z',
      '2026-02-28T09:00:00.000Z',
      '2026-03-30T09:00:00.000Z',
      '2026-04-30T09:00:00.000Z',
    ]);
  });

  it('in a leap year, days 29 to 31 run on 29 Feb', () => {
    expect(next(monthly(31), '2028-02-01T00:00:00Z')).toBe('2028-02-29T09:00:00.000Z');
    expect(next(monthly(29), '2028-02-01T00:00:00Z')).toBe('2028-02-29T09:00:00.000Z');
    expect(next(monthly(29), '2027-02-01T00:00:00Z')).toBe('2027-02-28T09:00:00.000Z');
  });

  it('quarterly runs in January, April, July, October: from May the next is July', () => {
    const r: Recurrence = { frequency: 'quarterly', dayOfMonth: 15, timeOfDay: '09:00', timezone: NY };
    expect(next(r, '2026-05-20T00:00:00Z')).toBe('2026-07-15T13:00:00.000Z');
    expect(between(r, '2026-05-20T00:00:00Z', '2027-05-01T00:00:00Z')).toEqual([
      '2026-07-15T13:00:00.000Z', // EDT
      '2026-10-15T13:00:00.000Z',
      '2027-01-15T14:00:00.000Z', // EST
      '2027-04-15T13:00:00.000Z',
    ]);
  });

  it('quarterly day 31 runs on 30 April', () => {
    const r: Recurrence = { frequency: 'quarterly', dayOfMonth: 31, timeOfDay: '09:00', timezone: 'UTC' };
    expect(between(r, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).toEqual([
      '2026-01-31T09:00:00.000Z',
      '2026-04-30T09:00:00.000Z',
      '2026-07-31T09:00:00.000Z',
      '2026-10-31T09:00:00.000Z',
    ]);
  });

  it('excludeWeekends moves a Saturday run to the following Monday, same local time', () => {
    // 2026-08-01 is a Saturday
    const r = monthly(1, { timeOfDay: '10:00', timezone: NY, excludeWeekends: true });
    expect(next(r, '2026-07-15T00:00:00Z')).toBe('2026-08-03T14:00:00.000Z');
    // the Saturday has passed but the moved run has not: it is still the next run
    expect(next(r, '2026-08-02T12:00:00Z')).toBe('2026-08-03T14:00:00.000Z');
    expect(next(r, '2026-08-03T14:00:00Z')).toBe('2026-09-01T14:00:00.000Z');
    // without excludeWeekends it stays on the Saturday
    expect(next({ ...r, excludeWeekends: false }, '2026-07-15T00:00:00Z')).toBe('2026-08-01T14:00:00.000Z');
  });

  it('excludeWeekends moves a Sunday run to the next day, Monday', () => {
    // 2026-02-01 is a Sunday
    const r = monthly(1, { excludeWeekends: true });
    expect(next(r, '2026-01-15T00:00:00Z')).toBe('2026-02-02T09:00:00.000Z');
    expect(next({ ...r, excludeWeekends: false }, '2026-01-15T00:00:00Z')).toBe('2026-02-01T09:00:00.000Z');
  });

  it('a moved run keeps its local time across a DST change that weekend', () => {
    // Saturday 2026-03-07 09:30 EST → Monday 2026-03-09 09:30 EDT
    const r = monthly(7, { timeOfDay: '09:30', timezone: NY, excludeWeekends: true });
    expect(next(r, '2026-03-01T00:00:00Z')).toBe('2026-03-09T13:30:00.000Z');
  });

  it('moved runs stay in order: day 31 with Saturdays on 31 Jan and 28 Feb 2026', () => {
    const r = monthly(31, { excludeWeekends: true });
    expect(between(r, '2026-01-01T00:00:00Z', '2026-05-01T00:00:00Z')).toEqual([
      '2026-02-02T09:00:00.000Z',
      '2026-03-02T09:00:00.000Z',
      '2026-03-31T09:00:00.000Z',
      '2026-04-30T09:00:00.000Z',
    ]);
  });
});

describe('daily excludeWeekends', () => {
  it('skips Saturday and Sunday', () => {
    const r = daily('09:30', NY, true);
    // Friday 2026-03-06's run exactly → Monday (now EDT)
    expect(next(r, '2026-03-06T14:30:00Z')).toBe('2026-03-09T13:30:00.000Z');
    expect(between(r, '2026-03-01T00:00:00Z', '2026-03-10T00:00:00Z')).toEqual([
      '2026-03-02T14:30:00.000Z',
      '2026-03-03T14:30:00.000Z',
      '2026-03-04T14:30:00.000Z',
      '2026-03-05T14:30:00.000Z',
      '2026-03-06T14:30:00.000Z',
      '2026-03-09T13:30:00.000Z',
    ]);
  });
});

describe('strictly after', () => {
  const r = daily('09:30', NY);

  it('from a run instant exactly, returns the next run', () => {
    expect(next(r, '2026-03-06T14:30:00.000Z')).toBe('2026-03-07T14:30:00.000Z');
  });

  it('from a millisecond before a run, returns that run', () => {
    expect(next(r, '2026-03-06T14:29:59.999Z')).toBe('2026-03-06T14:30:00.000Z');
    expect(next(r, '2026-03-06T14:30:00.001Z')).toBe('2026-03-07T14:30:00.000Z');
  });
});

describe('runsBetween', () => {
  const r = daily('09:30', NY);

  it('is (fromMs, toMs]: excludes a run at fromMs, includes one at toMs', () => {
    expect(between(r, '2026-03-06T14:30:00Z', '2026-03-08T13:30:00Z')).toEqual([
      '2026-03-07T14:30:00.000Z',
      '2026-03-08T13:30:00.000Z',
    ]);
  });

  it('returns at most limit runs, the earliest', () => {
    expect(between(r, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', 2)).toEqual([
      '2026-03-01T14:30:00.000Z',
      '2026-03-02T14:30:00.000Z',
    ]);
    expect(between(r, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', 0)).toEqual([]);
  });

  it('is empty when toMs is not after fromMs', () => {
    expect(between(r, '2026-03-06T00:00:00Z', '2026-03-06T00:00:00Z')).toEqual([]);
    expect(between(r, '2026-03-07T00:00:00Z', '2026-03-06T00:00:00Z')).toEqual([]);
  });

  it('counts a year of missed slots', () => {
    const year = ['2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'] as const;
    expect(between(r, ...year).length).toBe(365);
    expect(between(daily('09:30', NY, true), ...year).length).toBe(261);
    expect(between({ frequency: 'weekly', dayOfWeek: 4, timeOfDay: '09:30', timezone: NY }, ...year).length).toBe(53);
    expect(between({ frequency: 'monthly', dayOfMonth: 31, timeOfDay: '09:30', timezone: NY }, ...year).length).toBe(
      12,
    );
    expect(between({ frequency: 'quarterly', timeOfDay: '09:30', timezone: NY }, ...year).length).toBe(4);
  });
});

describe('recurrenceErrors', () => {
  const valid: Recurrence = { frequency: 'daily', timeOfDay: '09:30', timezone: NY };
  const paths = (r: Recurrence) => recurrenceErrors(r).map((e) => e.path);

  it('accepts a valid rule, 00:00 and 23:59, UTC', () => {
    expect(recurrenceErrors(valid)).toEqual([]);
    expect(recurrenceErrors({ ...valid, timeOfDay: '00:00', timezone: 'UTC' })).toEqual([]);
    expect(recurrenceErrors({ ...valid, timeOfDay: '23:59' })).toEqual([]);
    expect(recurrenceErrors({ frequency: 'weekly', dayOfWeek: 7, timeOfDay: '09:30', timezone: NY })).toEqual([]);
    expect(recurrenceErrors({ frequency: 'monthly', dayOfMonth: 31, timeOfDay: '09:30', timezone: NY })).toEqual([]);
  });

  it('rejects a zone that does not exist, and a bare offset', () => {
    expect(paths({ ...valid, timezone: 'Mars/Olympus' })).toEqual(['timezone']);
    expect(paths({ ...valid, timezone: '+05:00' })).toEqual(['timezone']);
    expect(paths({ ...valid, timezone: '' })).toEqual(['timezone']);
  });

  it("rejects '24:00' and other malformed times", () => {
    expect(paths({ ...valid, timeOfDay: '24:00' })).toEqual(['timeOfDay']);
    expect(paths({ ...valid, timeOfDay: '12:60' })).toEqual(['timeOfDay']);
    expect(paths({ ...valid, timeOfDay: '9:30' })).toEqual(['timeOfDay']);
    expect(paths({ ...valid, timeOfDay: '09:30:00' })).toEqual(['timeOfDay']);
  });

  it('requires dayOfWeek 1-7 for weekly', () => {
    expect(recurrenceErrors({ ...valid, frequency: 'weekly' })).toEqual([
      { path: 'dayOfWeek', message: 'is required for a weekly rule: ISO day 1 (Monday) to 7 (Sunday)' },
    ]);
    expect(paths({ ...valid, frequency: 'weekly', dayOfWeek: 0 })).toEqual(['dayOfWeek']);
    expect(paths({ ...valid, frequency: 'weekly', dayOfWeek: 8 })).toEqual(['dayOfWeek']);
  });

  it('requires dayOfMonth 1-31 when given', () => {
    expect(paths({ ...valid, frequency: 'monthly', dayOfMonth: 0 })).toEqual(['dayOfMonth']);
    expect(paths({ ...valid, frequency: 'monthly', dayOfMonth: 32 })).toEqual(['dayOfMonth']);
    expect(paths({ ...valid, frequency: 'quarterly', dayOfMonth: 1.5 })).toEqual(['dayOfMonth']);
  });

  it('reports every bad field at once', () => {
    expect(paths({ frequency: 'weekly', timeOfDay: '24:00', timezone: 'Mars/Olympus', dayOfMonth: 40 })).toEqual([
      'timeOfDay',
      'timezone',
      'dayOfWeek',
      'dayOfMonth',
    ]);
  });

  it('nextRunAt and runsBetween throw on an invalid rule', () => {
    const bad = { ...valid, timezone: 'Mars/Olympus' };
    expect(() => nextRunAt(bad, 0)).toThrow(RangeError);
    expect(() => runsBetween(bad, 0, 1, 10)).toThrow(RangeError);
  });
});

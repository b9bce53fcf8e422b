import { describe, expect, it } from 'vitest';
import { localMidnight, nextLocalMidnight } from './time.js';

describe('local midnights', () => {
  it('UTC is UTC midnight', () => {
    expect(localMidnight(Date.UTC(2027, 2, 1, 15, 30), 'UTC')).toBe(Date.UTC(2027, 2, 1));
    expect(nextLocalMidnight(Date.UTC(2027, 2, 1, 15, 30), 'UTC')).toBe(Date.UTC(2027, 2, 2));
  });

  it('New York: 05:00 UTC in winter, 04:00 UTC in summer, across the DST change', () => {
    // 2027-03-01 10:00 NY (15:00 UTC): that day began at 05:00 UTC
    expect(localMidnight(Date.UTC(2027, 2, 1, 15), 'America/New_York')).toBe(Date.UTC(2027, 2, 1, 5));
    // 03:00 UTC on 2027-03-02 is still 22:00 on 03-01 in New York
    expect(localMidnight(Date.UTC(2027, 2, 2, 3), 'America/New_York')).toBe(Date.UTC(2027, 2, 1, 5));
    // DST starts 2027-03-14: that day starts at 05:00 UTC (EST), the next at 04:00 UTC (EDT)
    expect(nextLocalMidnight(Date.UTC(2027, 2, 14, 12), 'America/New_York')).toBe(Date.UTC(2027, 2, 15, 4));
    expect(localMidnight(Date.UTC(2027, 2, 14, 12), 'America/New_York')).toBe(Date.UTC(2027, 2, 14, 5));
  });

  it('east of UTC: Tokyo midnight is 15:00 UTC the day before', () => {
    expect(localMidnight(Date.UTC(2027, 5, 10, 1), 'Asia/Tokyo')).toBe(Date.UTC(2027, 5, 9, 15));
    expect(nextLocalMidnight(Date.UTC(2027, 5, 10, 1), 'Asia/Tokyo')).toBe(Date.UTC(2027, 5, 10, 15));
  });
});

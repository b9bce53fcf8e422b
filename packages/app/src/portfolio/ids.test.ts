import { describe, expect, it } from 'vitest';
import { newPortfolioId, PORTFOLIO_ID, portfolioIdTime } from './ids.js';
import { portfolioParams } from './schemas.js';

describe('portfolio ids', () => {
  it('are ULID-shaped, carry their creation time and pass the param schema', () => {
    const at = Date.UTC(2030, 0, 15, 13, 30, 0, 123);
    const id = newPortfolioId(at);
    expect(id).toMatch(PORTFOLIO_ID);
    expect(portfolioIdTime(id)).toBe(at);
    expect(portfolioParams().safeParse({ portfolioId: id }).success).toBe(true);
  });

  it('sort as text in the order of their creation time', () => {
    const times = [0, 1, 31, 32, 1023, 1024, Date.UTC(2001, 0, 1), Date.UTC(2030, 5, 1), Date.UTC(2999, 11, 31)];
    const ids = [...times].reverse().map((t) => newPortfolioId(t));
    expect([...ids].sort()).toEqual([...ids].reverse());
    expect([...ids].sort().map(portfolioIdTime)).toEqual(times);
  });

  it('made within one millisecond keep the order they were made in', () => {
    const at = Date.UTC(2030, 0, 15);
    const ids = Array.from({ length: 200 }, () => newPortfolioId(at));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('ids made before this scheme are still accepted by the param schema, but carry no time', () => {
    const legacy = 'pf_aZ3kQ9mB7xW2pL5nR8tY';
    expect(portfolioParams().safeParse({ portfolioId: legacy }).success).toBe(true);
    expect(portfolioIdTime(legacy)).toBeUndefined();
  });
});

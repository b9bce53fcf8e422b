import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NO_STRATEGY, journalStats, type ClosedTrade } from '../src/execution/index.js';
import { Dec, decimalString, money } from '../src/money.js';

const t = (pnl: string, day: number, symbol = 'AAPL', strategy?: string): ClosedTrade => ({
  pnl,
  closedAt: new Date(Date.UTC(2026, 0, day)).toISOString(),
  symbol,
  ...(strategy === undefined ? {} : { strategy }),
});

const EMPTY = {
  trades: 0,
  wins: 0,
  losses: 0,
  breakEven: 0,
  winRate: 0,
  profitFactor: null,
  expectancy: '0',
  netPnl: '0',
  grossProfit: '0',
  grossLoss: '0',
  longestWinStreak: 0,
  longestLossStreak: 0,
  currentStreak: { kind: 'none', length: 0 },
};

describe('journalStats', () => {
  it('no trades: zeros, a null profit factor, no streak, no groups', () => {
    expect(journalStats([])).toEqual({ overall: EMPTY, byStrategy: {}, bySymbol: {} });
  });

  it('counts, sums, ratios and streaks of a known sequence, exactly', () => {
    // in time order: +100.10, −50, +0.20, +30, 0, −20.05, −10
    const trades = [t('100.10', 1), t('-50', 2), t('0.20', 3), t('30', 4), t('0', 5), t('-20.05', 6), t('-10', 7)];
    expect(journalStats(trades).overall).toEqual({
      trades: 7,
      wins: 3,
      losses: 3,
      breakEven: 1,
      winRate: 3 / 7,
      profitFactor: 130.3 / 80.05,
      // net 50.25 / 7 = 7.178571428571…
      expectancy: '7.17857143',
      netPnl: '50.25',
      grossProfit: '130.3',
      grossLoss: '80.05',
      longestWinStreak: 2,
      longestLossStreak: 2,
      currentStreak: { kind: 'loss', length: 2 },
    });
  });

  it('sorts by closedAt (input order does not matter) and keeps ties in input order', () => {
    const ordered = [t('1', 1), t('2', 2), t('-1', 3), t('-2', 4), t('-3', 5)];
    const shuffled = [ordered[3], ordered[0], ordered[4], ordered[2], ordered[1]];
    expect(journalStats(shuffled)).toEqual(journalStats(ordered));
    expect(journalStats(shuffled).overall.currentStreak).toEqual({ kind: 'loss', length: 3 });
    // two trades at the same instant: the later one in the input is the later one in the streak
    const tie = [t('-1', 1), t('5', 2), t('-5', 2)];
    expect(journalStats(tie).overall.currentStreak).toEqual({ kind: 'loss', length: 1 });
    expect(journalStats([tie[0], tie[2], tie[1]]).overall.currentStreak).toEqual({ kind: 'win', length: 1 });
    // different spellings of the same instant are the same time
    const a = { pnl: '1', closedAt: '2026-01-01T00:00:00Z', symbol: 'X' };
    const b = { pnl: '-1', closedAt: '2025-12-31T23:59:59.999Z', symbol: 'X' };
    expect(journalStats([a, b]).overall.currentStreak.kind).toBe('win');
  });

  it('a break-even neither extends nor breaks a streak', () => {
    const s = journalStats([t('-1', 1), t('0', 2), t('-1', 3), t('0', 4)]).overall;
    expect(s.longestLossStreak).toBe(2);
    expect(s.currentStreak).toEqual({ kind: 'loss', length: 2 });
    expect(s.breakEven).toBe(2);
    expect(journalStats([t('0', 1)]).overall).toMatchObject({
      trades: 1,
      breakEven: 1,
      winRate: 0,
      profitFactor: null,
      currentStreak: { kind: 'none', length: 0 },
    });
  });

  it('profit factor: null without losses, 0 without profits', () => {
    expect(journalStats([t('5', 1), t('5', 2)]).overall).toMatchObject({ profitFactor: null, winRate: 1 });
    expect(journalStats([t('-5', 1)]).overall).toMatchObject({ profitFactor: 0, grossLoss: '5', netPnl: '-5' });
  });

  it('expectancy rounds half-even to 8 decimals', () => {
    expect(journalStats([t('0.000000005', 1)]).overall.expectancy).toBe('0'); // 5e-9 → tie → even 0
    expect(journalStats([t('0.000000015', 1)]).overall.expectancy).toBe('0.00000002');
    expect(journalStats([t('1', 1), t('0', 2), t('0', 3)]).overall.expectancy).toBe('0.33333333');
    expect(journalStats([t('-2', 1), t('0', 2), t('0', 3)]).overall.expectancy).toBe('-0.66666667');
  });

  it('groups by strategy ((none) when absent) and by symbol', () => {
    const r = journalStats([
      t('10', 1, 'AAPL', 'trend'),
      t('-4', 2, 'MSFT', 'trend'),
      t('3', 3, 'AAPL'),
      t('-1', 4, 'AAPL', 'breakout'),
    ]);
    expect(Object.keys(r.byStrategy).sort()).toEqual([NO_STRATEGY, 'breakout', 'trend'].sort());
    expect(NO_STRATEGY).toBe('(none)');
    expect(r.byStrategy.trend).toMatchObject({ trades: 2, netPnl: '6', currentStreak: { kind: 'loss', length: 1 } });
    expect(r.byStrategy['(none)']).toMatchObject({ trades: 1, wins: 1, netPnl: '3' });
    expect(r.bySymbol.AAPL).toMatchObject({ trades: 3, wins: 2, losses: 1, netPnl: '12', longestWinStreak: 2 });
    expect(r.bySymbol.MSFT).toMatchObject({ trades: 1, losses: 1, grossLoss: '4' });
  });

  it('a group named like a prototype key is a plain group', () => {
    const r = journalStats([t('1', 1, '__proto__', 'constructor')]);
    expect(Object.hasOwn(r.bySymbol, '__proto__')).toBe(true);
    expect(r.bySymbol.__proto__).toMatchObject({ trades: 1 });
    expect(Object.getPrototypeOf(r.bySymbol)).toBe(Object.prototype);
    expect(r.byStrategy.constructor).toMatchObject({ trades: 1 });
  });

  it('refuses a bad time and a JS-number pnl', () => {
    expect(() => journalStats([{ pnl: '1', closedAt: 'yesterday', symbol: 'X' }])).toThrow(/trades\[0\].closedAt/);
    expect(() =>
      journalStats([{ pnl: 1 as unknown as string, closedAt: '2026-01-01T00:00:00Z', symbol: 'X' }]),
    ).toThrow(TypeError);
  });

  it('property: counts add up, net = profit − loss, groups partition the overall, streaks are bounded', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            cents: fc.integer({ min: -100_000, max: 100_000 }),
            day: fc.integer({ min: 1, max: 28 }),
            symbol: fc.constantFrom('A', 'B', 'C'),
            strategy: fc.constantFrom(undefined, 's1', 's2'),
          }),
          { maxLength: 40 },
        ),
        (rows) => {
          const trades = rows.map((r) => t(decimalString(new Dec(r.cents).div(100)), r.day, r.symbol, r.strategy));
          const { overall, byStrategy, bySymbol } = journalStats(trades);
          expect(overall.trades).toBe(trades.length);
          expect(overall.wins + overall.losses + overall.breakEven).toBe(overall.trades);
          expect(money(overall.grossProfit).minus(overall.grossLoss).eq(overall.netPnl)).toBe(true);
          const sum = rows.reduce((acc, r) => acc.plus(new Dec(r.cents).div(100)), new Dec(0));
          expect(money(overall.netPnl).eq(sum)).toBe(true);
          expect(overall.longestWinStreak).toBeLessThanOrEqual(overall.wins);
          expect(overall.longestLossStreak).toBeLessThanOrEqual(overall.losses);
          expect(overall.currentStreak.length).toBeLessThanOrEqual(
            Math.max(overall.longestWinStreak, overall.longestLossStreak),
          );
          for (const groups of [byStrategy, bySymbol]) {
            const all = Object.values(groups);
            expect(all.reduce((n, g) => n + g.trades, 0)).toBe(overall.trades);
            expect(all.reduce((n, g) => n + g.wins, 0)).toBe(overall.wins);
            expect(all.reduce((acc, g) => acc.plus(g.netPnl), new Dec(0)).eq(overall.netPnl)).toBe(true);
          }
          if (overall.trades > 0) {
            expect(overall.winRate).toBe(overall.wins / overall.trades);
            const exact = sum.div(overall.trades);
            expect(money(overall.expectancy).minus(exact).abs().lte('0.000000005')).toBe(true);
          }
        },
      ),
    );
  });
});

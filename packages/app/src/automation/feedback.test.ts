import { Dec } from '@ballast/core/money.js';
import { strategies } from '@ballast/core/strategies/index.js';
import { describe, expect, it } from 'vitest';
import { nextFeedbackSlot } from './acting.js';
import { DEFAULT_FEEDBACK, judge, performanceOf, type RoundTrip, spaceAround } from './feedback.js';

const AS_OF = '2027-06-08T10:00:00.000Z';
const trip = (pnl: string, cost = '100'): RoundTrip => ({
  closeOrderId: `or_${pnl}`,
  cost: new Dec(cost),
  pnl: new Dec(pnl),
  closedAt: AS_OF,
});
const live = (...pnls: string[]) =>
  performanceOf(
    pnls.map((p) => trip(p)),
    AS_OF,
  );

describe('performanceOf', () => {
  it('counts wins, losses, the streak as the desk does (break-even keeps it), decimals for money', () => {
    const m = live('10', '-5', '0', '-2.5');
    expect(m).toMatchObject({ trades: 4, wins: 1, losses: 2, winRate: 0.25, realisedPnl: '2.5', consecutiveLosses: 2 });
    expect(m.profitFactor).toBeCloseTo(10 / 7.5, 12);
    expect(m.return).toBeCloseTo(2.5 / 400, 12);
    expect(m.returnPerTrade).toBeCloseTo((0.1 - 0.05 + 0 - 0.025) / 4, 12);
    expect(live()).toMatchObject({ trades: 0, winRate: null, profitFactor: null, return: null, realisedPnl: '0' });
    // no losing trade: no finite profit factor
    expect(live('1', '2').profitFactor).toBeNull();
  });
});

describe('judge', () => {
  const t = { ...DEFAULT_FEEDBACK };
  it('a loss streak at the bound disables before anything else', () => {
    expect(judge(live('-1', '-1', '-1', '-1', '-1'), null, t)).toMatchObject({
      action: 'disable',
      code: 'LOSS_STREAK',
    });
  });
  it('too few trades only monitor', () => {
    expect(judge(live('-1', '-1'), null, t)).toMatchObject({ action: 'monitor', code: 'NOT_ENOUGH_TRADES' });
  });
  it('low win rate and profit factor: reoptimise with few trades, disable with enough', () => {
    const few = live('1', '-3', '-3', '1', '-3', '-3');
    expect(judge(few, null, t)).toMatchObject({ action: 'reoptimise', code: 'BELOW_THRESHOLDS' });
    const many = live(...Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? '1' : i % 4 === 3 ? '-1' : '-2')));
    expect(judge(many, null, t)).toMatchObject({ action: 'disable', code: 'UNDERPERFORMING' });
  });
  it('a live return per trade short of the backtest by more than the tolerance reoptimises', () => {
    const m = live('1', '1', '1', '-0.5', '1');
    expect(judge(m, { returnPerTrade: 0.1 }, t)).toMatchObject({ action: 'reoptimise', code: 'RETURN_DEVIATION' });
    const verdict = judge(m, { returnPerTrade: 0.005 }, t);
    expect(verdict).toMatchObject({ action: 'monitor', code: 'WITHIN_BOUNDS' });
    // beating the backtest is not a shortfall
    expect(verdict.deviation).toBeLessThan(0);
  });
});

describe('spaceAround and the daily slot', () => {
  it('moves numeric parameters the strategy accepts, holds the rest', () => {
    const { space, base } = spaceAround(strategies.smaCross, { fast: 10, slow: 30, stopPct: 0, targetPct: 0 });
    expect(space).toEqual({ fast: { values: [8, 10, 12] }, slow: { values: [24, 30, 36] } });
    expect(base).toEqual({ stopPct: 0, targetPct: 0 });
    expect(spaceAround(strategies.buyAndHold, {}).space).toEqual({});
  });
  it('runs at 00:30 UTC', () => {
    expect(new Date(nextFeedbackSlot(Date.parse('2027-06-08T00:10:00Z'))).toISOString()).toBe(
      '2027-06-08T00:30:00.000Z',
    );
    expect(new Date(nextFeedbackSlot(Date.parse('2027-06-08T00:30:00Z'))).toISOString()).toBe(
      '2027-06-09T00:30:00.000Z',
    );
  });
});

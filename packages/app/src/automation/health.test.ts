import { describe, expect, it } from 'vitest';
import { nextSlot } from './acting.js';
import { agentAfter, agentHealth, HEALTH_WINDOW_MS, RECENT_RUNS } from './health.js';
import type { Agent, Cycle } from './store.js';

const T0 = Date.UTC(2027, 4, 4, 10, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
const agent = (over: Partial<Agent> = {}): Agent => ({
  playbookId: 'pb_x',
  nextRunAt: null,
  successCount: 0,
  errorCount: 0,
  recent: [],
  ordersToday: { day: iso(T0).slice(0, 10), count: 0 },
  version: 1,
  ...over,
});
const cycle = (over: Partial<Cycle>): Cycle => ({
  cycleId: 'cy_x',
  playbookId: 'pb_x',
  playbookVersion: 1,
  strategy: 'buyAndHold',
  symbol: 'AAPL',
  interval: '1day',
  accountId: 'ac_x',
  source: 'manual',
  status: 'completed',
  steps: [],
  startedAt: iso(T0),
  by: 'u',
  version: 2,
  ...over,
});
const runs = (oks: boolean[], at = T0) => oks.map((ok, i) => ({ at: iso(at + i * 1000), ok }));

describe('agent health', () => {
  it('more than half of at least three recent runs failed: unhealthy; exactly half is not', () => {
    expect(agentHealth(agent({ recent: runs([false, false]) }), T0 + 5000).healthy).toBe(true);
    const sick = agentHealth(agent({ recent: runs([false, true, false]) }), T0 + 5000);
    expect(sick.healthy).toBe(false);
    expect(sick.problems.map((p) => p.code)).toEqual(['ERROR_RATE']);
    expect(sick.window).toEqual({ runs: 3, errors: 2, errorRate: 0.6667 });
    expect(agentHealth(agent({ recent: runs([false, true, false, true]) }), T0 + 5000).healthy).toBe(true);
  });

  it('errors older than the window no longer count: the agent recovers', () => {
    const old = agent({ recent: runs([false, false, false]) });
    expect(agentHealth(old, T0 + HEALTH_WINDOW_MS - 10_000).healthy).toBe(false);
    expect(agentHealth(old, T0 + HEALTH_WINDOW_MS + 5_000)).toMatchObject({
      healthy: true,
      window: { runs: 0, errors: 0, errorRate: 0 },
    });
  });

  it('a scheduled slot over 60 s overdue is a missing heartbeat', () => {
    const scheduled = agent({ nextRunAt: iso(T0) });
    expect(agentHealth(scheduled, T0 + 60_000).healthy).toBe(true);
    expect(agentHealth(scheduled, T0 + 60_001).problems.map((p) => p.code)).toEqual(['NO_HEARTBEAT']);
  });

  it('a cycle beats; a refused one is not counted; the window keeps the last runs; orders count per UTC day', () => {
    const refused = agentAfter(
      agent(),
      cycle({ status: 'stopped', endedAt: 'supervisor', code: 'AGENT_UNHEALTHY' }),
      T0,
    );
    expect(refused).toMatchObject({ lastHeartbeatAt: iso(T0), successCount: 0, errorCount: 0, recent: [] });
    const capped = agentAfter(
      agent(),
      cycle({ status: 'stopped', endedAt: 'supervisor', code: 'DAILY_ORDER_CAP' }),
      T0,
    );
    expect(capped.successCount).toBe(1);
    let a = agent({ ordersToday: { day: '2027-05-03', count: 4 } });
    for (let i = 0; i < RECENT_RUNS + 5; i++) {
      const failed = i % 2 === 0;
      const order = { orderId: 'o', status: 'previewed', side: 'buy' as const, quantity: '1', decisionId: 'd' };
      a = agentAfter(a, cycle(failed ? { status: 'failed' } : { order }), T0 + i);
    }
    expect(a.recent).toHaveLength(RECENT_RUNS);
    expect(a.errorCount + a.successCount).toBe(RECENT_RUNS + 5);
    // yesterday's four are gone; today's successes each placed one
    expect(a.ordersToday).toEqual({ day: '2027-05-04', count: 12 });
  });
});

describe('schedule slots', () => {
  it('a fixed step runs at its next whole multiple in UTC', () => {
    expect(nextSlot({ kind: 'interval', every: '1h' }, T0 + 1)).toBe(T0 + 3_600_000);
    expect(nextSlot({ kind: 'interval', every: '1h' }, T0)).toBe(T0 + 3_600_000);
    expect(nextSlot({ kind: 'interval', every: '15min' }, T0 + 16 * 60_000)).toBe(T0 + 30 * 60_000);
  });

  it("a calendar rule is core's recurrence, in its time zone", () => {
    const rule = {
      kind: 'calendar',
      frequency: 'daily',
      timeOfDay: '09:30',
      timezone: 'America/New_York',
      excludeWeekends: false,
    } as const;
    // 10:00 UTC on 4 May is 06:00 in New York (EDT): 09:30 EDT is 13:30 UTC the same day
    expect(iso(nextSlot(rule, T0))).toBe('2027-05-04T13:30:00.000Z');
  });
});

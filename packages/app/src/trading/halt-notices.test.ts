import { triggerEmergencyShutdown } from '@ballast/core/risk/state.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { describe, expect, it } from 'vitest';
import type { Audience, Notice, NotificationRecord, Notices } from '../watchlists/index.js';
import { haltNotice, haltsTrading, stageHaltNotices } from './halt-notices.js';
import { initialRisk } from './risk.js';
import { defaultSettings } from './settings.js';
import type { Account, RiskRecord, TradingStore } from './store.js';

const T0 = Date.UTC(2030, 0, 15, 13, 30, 0);
const account: Account = {
  accountId: 'ac_1',
  tenantId: 't_1',
  projectId: 'p_1',
  name: 'Sandbox',
  venue: 'SIMULATION',
  mode: 'AUTONOMOUS',
  portfolioId: 'pf_1',
  currency: 'USD',
  createdAt: new Date(T0).toISOString(),
  createdBy: 'u_owner',
  updatedAt: new Date(T0).toISOString(),
  version: 1,
};
const active = initialRisk(account, '10000', T0);
const halted = (r: RiskRecord, reason = 'drawdown 12% reached the limit 10%'): RiskRecord => ({
  ...r,
  state: triggerEmergencyShutdown(r.state, { reason, now: T0 }),
  updatedAt: new Date(T0).toISOString(),
});
const reducing = (r: RiskRecord): RiskRecord => ({ ...r, reduceOnly: true });

describe('haltsTrading: a move into a more restricted state', () => {
  it('ACTIVE → REDUCING → HALTED each halt; staying put, or resuming, does not', () => {
    expect(haltsTrading(active, halted(active))).toBe(true);
    expect(haltsTrading(active, reducing(active))).toBe(true);
    expect(haltsTrading(reducing(active), halted(reducing(active)))).toBe(true);
    expect(haltsTrading(halted(active), halted(active))).toBe(false);
    expect(haltsTrading(halted(active), reducing(halted(active)))).toBe(false);
    expect(haltsTrading(reducing(active), reducing(active))).toBe(false);
    expect(haltsTrading(halted(active), active)).toBe(false);
    expect(haltsTrading(active, active)).toBe(false);
  });
});

describe('haltNotice', () => {
  it('names the account, the state, why, and how it is lifted', () => {
    const notice = haltNotice(account, halted(active));
    expect(notice).toMatchObject({ kind: 'risk.halt', resource: 'accounts/ac_1' });
    expect(notice.subject).toBe('Trading halted on Sandbox');
    expect(notice.body).toContain('ac_1');
    expect(notice.body).toContain('p_1');
    expect(notice.body).toContain('HALTED');
    expect(notice.body).toContain('drawdown 12% reached the limit 10%');
    expect(notice.body).toContain('POST /v1/risk/emergency/reset');
    const reduced = haltNotice(account, reducing(active), 'halted by u_trader: news');
    expect(reduced.subject).toBe('Trading reduced to closing orders on Sandbox');
    expect(reduced.body).toContain('REDUCING');
    expect(reduced.body).toContain('halted by u_trader: news');
    expect(reduced.body).toContain('shrink a position');
  });
});

describe('stageHaltNotices', () => {
  function fake() {
    const told: Array<{ audience: Audience; notice: Notice }> = [];
    const notices: Notices = {
      recipients: async () => [],
      stage: async () => [],
      tell: async (_uow, audience, notice) => {
        told.push({ audience, notice });
        return [{ notificationId: 'nt_1' } as NotificationRecord];
      },
      deliver: async () => {},
    };
    return { told, notices };
  }
  const storeWith = (riskHalt: boolean) =>
    ({
      getSettings: async () => ({
        ...defaultSettings(),
        notifications: { ...defaultSettings().notifications, riskHalt },
      }),
    }) as unknown as TradingStore;
  const uow = {} as UnitOfWork;

  it("tells the account's owner and the tenant's admins, on a halt only", async () => {
    const { told, notices } = fake();
    const staged = await stageHaltNotices(notices, storeWith(true), uow, {
      account,
      before: active,
      after: halted(active),
    });
    expect(staged).toHaveLength(1);
    expect(told).toHaveLength(1);
    expect(told[0].audience).toEqual({ users: ['u_owner'], roles: ['admin'] });
    expect(told[0].notice.kind).toBe('risk.halt');
    expect(
      await stageHaltNotices(notices, storeWith(true), uow, { account, before: halted(active), after: halted(active) }),
    ).toEqual([]);
    expect(told).toHaveLength(1);
  });

  it('tells nobody when the tenant turned halt notices off, or no notices are bound', async () => {
    const { told, notices } = fake();
    const change = { account, before: active, after: halted(active) };
    expect(await stageHaltNotices(notices, storeWith(false), uow, change)).toEqual([]);
    expect(await stageHaltNotices(undefined, storeWith(true), uow, change)).toEqual([]);
    expect(told).toEqual([]);
  });
});

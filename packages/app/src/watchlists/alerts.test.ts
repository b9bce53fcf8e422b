import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createPlatform, type Platform } from '@ballast/platform/platform.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, silentLogger, T0, testConfig, unitsOfWork } from '../../../platform/test/support/harness.js';
import type { PriceSource } from '../market-data/index.js';
import { type AlertCheckDeps, alertMoves, checkAlerts, nextMinute } from './alerts.js';
import type { OutboundNotification } from './notifications.js';
import type { Watchlist, WatchlistItem } from './store.js';
import { DynamoNotificationStore, DynamoWatchlistStore } from './store.dynamo.js';

const item = (o: Partial<WatchlistItem> = {}): WatchlistItem => ({
  watchlistId: 'wl_01J00000000000000000000000',
  ownerId: 'u_owner',
  symbol: 'AAPL',
  addedAt: new Date(T0).toISOString(),
  addedBy: 'u_owner',
  updatedAt: new Date(T0).toISOString(),
  updatedBy: 'u_owner',
  version: 1,
  ...o,
});

describe('alertMoves: a crossing, not a level', () => {
  it('above notifies when an armed level is reached, never again while crossed, re-arms below it', () => {
    const armed = item({ alertAbove: '150', aboveState: 'armed' });
    expect(alertMoves(armed, '149.99')).toEqual([]);
    expect(alertMoves(armed, '150')).toEqual([{ side: 'above', from: 'armed', to: 'crossed', level: '150' }]);
    const crossed = item({ alertAbove: '150', aboveState: 'crossed' });
    expect(alertMoves(crossed, '200')).toEqual([]);
    expect(alertMoves(crossed, '149.999')).toEqual([{ side: 'above', from: 'crossed', to: 'armed', level: '150' }]);
  });

  it('below mirrors it; each side moves on its own; a level without a state is armed', () => {
    const both = item({ alertAbove: '150', alertBelow: '100', belowState: 'crossed' });
    expect(alertMoves(both, '99')).toEqual([]);
    expect(alertMoves(both, '150.5')).toEqual([
      { side: 'above', from: 'armed', to: 'crossed', level: '150' },
      { side: 'below', from: 'crossed', to: 'armed', level: '100' },
    ]);
    expect(alertMoves(item({ alertBelow: '100' }), '100')).toEqual([
      { side: 'below', from: 'armed', to: 'crossed', level: '100' },
    ]);
    expect(alertMoves(item(), '1')).toEqual([]);
  });

  it('compares exact decimals, not floats', () => {
    expect(alertMoves(item({ alertAbove: '0.3' }), '0.30000000000000000001')).toHaveLength(1);
    expect(alertMoves(item({ alertAbove: '0.30000000000000000001' }), '0.3')).toEqual([]);
  });

  it('the next check is due at the next whole minute', () => {
    expect(nextMinute(Date.UTC(2030, 0, 1, 10, 0, 0))).toBe('2030-01-01T10:01:00.000Z');
    expect(nextMinute(Date.UTC(2030, 0, 1, 10, 0, 59, 999))).toBe('2030-01-01T10:01:00.000Z');
  });
});

describe('checkAlerts against DynamoDB Local', () => {
  let db: DynamoDBDocumentClient;
  let table: string;
  let platform: Platform;
  beforeAll(async () => {
    const made = await createTestTable('watchalerts');
    db = made.db;
    table = made.table;
    platform = createPlatform(testConfig(table), { db, logger: silentLogger(), now: () => T0 });
  });

  /** resolves once `n` callers wait on it: both checks have read the item before either writes */
  function barrier(n: number): () => Promise<void> {
    let waiting = 0;
    let open: () => void = () => undefined;
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    return () => {
      waiting += 1;
      if (waiting >= n) open();
      return opened;
    };
  }

  function deps(
    tenantId: string,
    price: { value: string },
    sent: OutboundNotification[],
    meet: () => Promise<void> = async () => undefined,
  ): AlertCheckDeps {
    const prices: PriceSource = {
      latest: async (symbols) => {
        await meet();
        const quote = { price: price.value, asOf: new Date(T0).toISOString(), stale: false, source: 'quote' as const };
        return new Map(symbols.map((s) => [s, quote]));
      },
      fxRate: async () => undefined,
      dailyCloses: async () => [],
    };
    return {
      tenantId,
      watchlists: new DynamoWatchlistStore(db, table, tenantId),
      notifications: new DynamoNotificationStore(db, table, tenantId),
      notifier: () => ({
        send: async (m) => {
          sent.push(m);
          return { messageId: `m${sent.length}` };
        },
      }),
      channelsFor: async () => ['email', 'sms'],
      prices: () => prices,
      now: T0,
      unitOfWork: () => platform.unitOfWork({ kind: 'scheduler', tenantId, requestId: 'test' }, T0),
    };
  }

  async function seedItem(tenantId: string, level: string): Promise<void> {
    const store = new DynamoWatchlistStore(db, table, tenantId);
    const at = new Date(T0).toISOString();
    const watchlist: Watchlist = {
      watchlistId: 'wl_01J00000000000000000000000',
      ownerId: 'u_owner',
      name: 'Race',
      visibility: 'private',
      createdAt: at,
      createdBy: 'u_owner',
      updatedAt: at,
      updatedBy: 'u_owner',
      version: 1,
    };
    const { commit } = unitsOfWork(() => platform);
    await commit((u) => store.createWatchlist(u, watchlist));
    await commit((u) => store.addItem(u, item({ alertAbove: level, aboveState: 'armed' })));
  }

  it('two workers checking the same crossing at once send one notification between them', async () => {
    await seedItem('t_race', '150');
    const sent: OutboundNotification[] = [];
    const price = { value: '160' };
    // the checks meet after reading the item (at the quote): without that, a loaded machine could run
    // one after the other, and the second would see the crossing done rather than lose the race
    const meet = barrier(2);
    const [a, b] = await Promise.all([
      checkAlerts(deps('t_race', price, sent, meet)),
      checkAlerts(deps('t_race', price, sent, meet)),
    ]);
    // never both; DynamoDB may cancel both transactions of a conflict, and then the next check sends it
    expect(a.notified + b.notified).toBeLessThanOrEqual(1);
    const next = await checkAlerts(deps('t_race', price, sent));
    expect(a.notified + b.notified + next.notified).toBe(1);
    expect(a.lost + b.lost).toBeGreaterThanOrEqual(1);
    // one notification, on each channel the user chose
    expect(sent.map((m) => m.channel)).toEqual(['email', 'sms']);
    const stored = await new DynamoNotificationStore(db, table, 't_race').list('u_owner', { limit: 10 });
    expect(stored.items).toHaveLength(1);
    expect(stored.items[0].deliveries.map((d) => d.status)).toEqual(['sent', 'sent']);
    // still crossed: nothing more; back under: re-armed, nothing sent
    expect((await checkAlerts(deps('t_race', price, sent))).notified).toBe(0);
    expect((await checkAlerts(deps('t_race', { value: '149' }, sent))).rearmed).toBe(1);
    expect(sent).toHaveLength(2);
  });

  it('a failing channel is recorded failed and never stops the others or the check', async () => {
    await seedItem('t_failing', '10');
    const base = deps('t_failing', { value: '11' }, []);
    const report = await checkAlerts({
      ...base,
      notifier: () => ({
        send: async (m) => {
          if (m.channel === 'sms') throw new Error('no phone address is known for the user');
          return { messageId: 'ok' };
        },
      }),
    });
    expect(report.notified).toBe(1);
    const stored = await base.notifications.list('u_owner', { limit: 10 });
    expect(stored.items[0].deliveries).toEqual([
      { channel: 'email', status: 'sent', messageId: 'ok' },
      { channel: 'sms', status: 'failed', error: 'no phone address is known for the user' },
    ]);
  });

  it('another tenant’s alert index is its own', async () => {
    const other = await new DynamoWatchlistStore(db, table, 't_elsewhere').alertItems({ limit: 10 });
    expect(other.items).toEqual([]);
  });
});

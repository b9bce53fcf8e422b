import { parseDecimal } from '@ballast/core/money.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import type { DueWorkStore } from '@ballast/platform/jobs/due/store.js';
import { AppError } from '@ballast/platform/errors.js';
import type { PriceSource } from '../market-data/index.js';
import { deliver, draftNotification, type NotifyDeps } from './notifications.js';
import type { AlertSide, AlertState, NotificationRecord, WatchlistItem, WatchlistStore } from './store.js';

export const ALERT_CHECK_JOB = 'watchlists.alert-check';
/** one piece of due work per tenant: a second schedule for the same minute is the same run */
const ALERT_CHECK_WORK = 'alerts';
/** items read per page of the tenant's alert index (their symbols priced together) */
const ALERT_PAGE = 200;

/** One side's move: `crossed` (notify once) or back to `armed` (the price returned over the level). */
export interface AlertMove {
  side: AlertSide;
  from: AlertState;
  to: AlertState;
  level: string;
}

/**
 * What a price does to an item's alerts. Above: crossed at or over the level; below: at or under
 * it. A side notifies only on the move from armed to crossed, so a price that stays past the level
 * notifies once however often it is checked; it re-arms once the price is back on the other side.
 */
export function alertMoves(item: WatchlistItem, price: string): AlertMove[] {
  const now = parseDecimal(price);
  const moves: AlertMove[] = [];
  const sides: Array<[AlertSide, string | undefined, AlertState | undefined]> = [
    ['above', item.alertAbove, item.aboveState],
    ['below', item.alertBelow, item.belowState],
  ];
  for (const [side, level, state] of sides) {
    if (level === undefined) continue;
    const threshold = parseDecimal(level);
    const crossed = side === 'above' ? now.gte(threshold) : now.lte(threshold);
    const from = state ?? 'armed';
    if (crossed && from === 'armed') moves.push({ side, from, to: 'crossed', level });
    if (!crossed && from === 'crossed') moves.push({ side, from, to: 'armed', level });
  }
  return moves;
}

/** The next whole minute after `nowMs`: the slot the next check is due in. */
export const nextMinute = (nowMs: number) => new Date((Math.floor(nowMs / 60_000) + 1) * 60_000).toISOString();

/** Books the tenant's alert check for the next minute, in the unit of work of the change that needs it. */
export function scheduleAlertCheck(
  due: DueWorkStore,
  uow: UnitOfWork,
  scope: { tenantId: string; env: string },
  nowMs: number,
  reason: 'changed' | 'minute' | 'quotes',
): void {
  due.schedule(uow, {
    job: ALERT_CHECK_JOB,
    tenantId: scope.tenantId,
    env: scope.env as 'dev' | 'staging' | 'prod',
    workId: ALERT_CHECK_WORK,
    dueAt: nextMinute(nowMs),
    payload: { reason },
  });
}

export interface AlertCheckDeps extends NotifyDeps {
  watchlists: WatchlistStore;
  prices: () => PriceSource;
}

export interface AlertCheckReport {
  items: number;
  notified: number;
  rearmed: number;
  /** moves another worker (or a change of the level) made first */
  lost: number;
}

const lostRace = (e: unknown) => e instanceof AppError && e.code === 'ALERT_ALREADY_MOVED';

function alertText(item: WatchlistItem, move: AlertMove, price: string, asOf: string) {
  const direction = move.side === 'above' ? 'rose to' : 'fell to';
  const edge = move.side === 'above' ? 'at or above' : 'at or below';
  return {
    subject: `${item.symbol} ${direction} ${price}`,
    body: `${item.symbol} is ${edge} your alert level ${move.level}: ${price} as of ${asOf}.`,
  };
}

/**
 * One pass over the tenant's alert index. Each move is a conditional update of the item's state
 * (the level it read, the state it saw): of two workers checking the same crossing, one commits
 * its move and its notification together, the other's transaction fails and sends nothing. The
 * notification is sent after its record commits (at most once; a crash in between leaves it
 * stored as pending).
 */
export async function checkAlerts(deps: AlertCheckDeps): Promise<AlertCheckReport> {
  const report: AlertCheckReport = { items: 0, notified: 0, rearmed: 0, lost: 0 };
  let cursor: string | undefined;
  do {
    const page = await deps.watchlists.alertItems({ limit: ALERT_PAGE, cursor });
    cursor = page.nextCursor ?? undefined;
    report.items += page.items.length;
    if (!page.items.length) continue;
    const quotes = await deps.prices().latest([...new Set(page.items.map((i) => i.symbol))]);
    for (const item of page.items) {
      const quote = quotes.get(item.symbol);
      if (!quote) continue;
      for (const move of alertMoves(item, quote.price)) {
        const uow = deps.unitOfWork();
        const at = new Date(deps.now).toISOString();
        deps.watchlists.moveAlert(uow, item, move.side, { from: move.from, to: move.to, level: move.level, at });
        let record: NotificationRecord | undefined;
        if (move.to === 'crossed') {
          record = await draftNotification(deps, {
            userId: item.ownerId,
            kind: 'watchlist.alert',
            resource: `watchlists/${item.watchlistId}/items/${item.symbol}`,
            ...alertText(item, move, quote.price, quote.asOf),
          });
          deps.notifications.put(uow, record);
          uow.audit({
            action: 'watchlists.alertCrossed',
            resource: `watchlists/${item.watchlistId}/items/${item.symbol}`,
            after: { side: move.side, level: move.level, price: quote.price, asOf: quote.asOf, userId: item.ownerId },
            source: 'scheduler',
          });
        }
        try {
          await uow.commit();
        } catch (e) {
          if (!lostRace(e)) throw e;
          report.lost++;
          continue;
        }
        if (record) {
          await deliver(deps, record);
          report.notified++;
        } else report.rearmed++;
      }
    }
  } while (cursor);
  return report;
}

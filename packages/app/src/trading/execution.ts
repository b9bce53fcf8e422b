import {
  applyFill as applyFillToOrder,
  assertTransition,
  bracketExit,
  commissionOf,
  drawFill,
  type PriceUpdate,
  roundPrice,
  slippedPrice,
  triggerOf,
} from '@ballast/core/execution/index.js';
import { positionQuantity } from '@ballast/core/ledger/figures.js';
import type { BookState, EntryEffect } from '@ballast/core/ledger/types.js';
import { type D, Dec, decimalString, formatMoney, money } from '@ballast/core/money.js';

const ZERO = new Dec(0);
import { applyDecisionEffects } from '@ballast/core/risk/effects.js';
import type { RiskLimits } from '@ballast/core/risk/limits.js';
import { applyTradeResult } from '@ballast/core/risk/state.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { AppError, forbidden, notFound } from '@ballast/platform/errors.js';
import {
  type LedgerStore,
  livePortfolio,
  openingBook,
  type PlannedTransaction,
  planTransaction,
  type PortfolioStore,
  type TransactionBody,
  withRetries,
} from '../portfolio/index.js';
import type { PriceSource } from '../market-data/index.js';
import type { NotificationRecord, Notices } from '../watchlists/index.js';
import { type Broker, BrokerError, type BrokerOrder } from './broker.js';
import { type AllocationContext, decide, type GateOrder } from './gate.js';
import { stageHaltNotices } from './halt-notices.js';
import { clientOrderIdOf, fillIdOf, ledgerEntryIdOf, newDecisionId, newJournalId, newOrderId } from './ids.js';
import { initialRisk, markEquity } from './risk.js';
import type { OrderBody } from './schemas.js';
import { currentSettings, effectiveLimits } from './settings.js';
import type {
  Account,
  Fill,
  JournalEntry,
  Order,
  OrderIntent,
  OrderStatus,
  Reservation,
  RiskRecord,
  StoredDecision,
  TradingStore,
} from './store.js';

/** What the execution engine needs: stores, prices, the tenant's broker, a unit of work, the clock, the caller. */
export interface TradingDeps {
  tenantId: string;
  store: TradingStore;
  portfolios: PortfolioStore;
  ledger: LedgerStore;
  prices: PriceSource;
  /** the account's broker (PAPER or LIVE), from the routing registry and the secret resolver */
  broker(account: Account): Promise<Broker>;
  unitOfWork(): UnitOfWork;
  now: number;
  actor: string;
  /** waits out a SIMULATION account's latency (tests pass one that returns at once) */
  sleep?(ms: number): Promise<void>;
  /** schedules the venue's order-status sync for an account (PAPER/LIVE) in the same unit of work */
  scheduleSync?(uow: UnitOfWork, account: Account, dueAtMs: number): void;
  /** the `trading.live` feature flag for the caller's context */
  liveTradingEnabled(): Promise<boolean>;
  /** who a halt tells (the account's owner, the tenant's admins); absent: nobody */
  notices?: Notices;
}

/** 403 FEATURE_DISABLED unless LIVE trading is enabled for the tenant (a system admin's flag). */
export async function requireLiveTrading(enabled: () => Promise<boolean>, what: string): Promise<void> {
  if (await enabled()) return;
  throw forbidden(
    'FEATURE_DISABLED',
    `${what}: LIVE trading is not enabled for this tenant (feature flag trading.live, set by a system administrator)`,
  );
}

const iso = (ms: number) => new Date(ms).toISOString();
const OPEN: ReadonlySet<OrderStatus> = new Set(['pending', 'submitted', 'partially_filled']);

export async function loadAccount(store: TradingStore, accountId: string): Promise<Account> {
  const account = await store.getAccount(accountId);
  if (!account) throw notFound('ACCOUNT_NOT_FOUND', `No account ${accountId}`);
  return account;
}

export async function loadOrder(store: TradingStore, orderId: string): Promise<Order> {
  const order = await store.getOrder(orderId);
  if (!order) throw notFound('ORDER_NOT_FOUND', `No order ${orderId}`);
  return order;
}

/** The portfolio's book now (its opening book before its first entry). */
export async function bookOf(deps: Pick<TradingDeps, 'portfolios' | 'ledger' | 'now'>, portfolioId: string) {
  const portfolio = await livePortfolio(deps.portfolios, portfolioId);
  const record = (await deps.ledger.getBook(portfolioId)) ?? openingBook(portfolio, iso(deps.now));
  return { portfolio, book: record.book };
}

/** The account's risk record; one that was never written starts from the portfolio's value now. */
export async function riskOf(store: TradingStore, account: Account, book: BookState, nowMs: number) {
  return (await store.getRisk(account.accountId)) ?? initialRisk(account, book.cash, nowMs);
}

/**
 * The price an order is expected to fill at: a limit order's limit, a stop's stop, else the last
 * price the simulation saw or the market's latest. None → 422 (an order is never sized on a guess).
 */
async function expectedPrice(
  deps: TradingDeps,
  order: Pick<OrderBody, 'symbol' | 'type' | 'limitPrice' | 'stopPrice'>,
  record: RiskRecord,
): Promise<string> {
  if (order.limitPrice) return order.limitPrice;
  if (order.stopPrice) return order.stopPrice;
  return latestPrice(deps, order.symbol, record.lastPrices);
}

async function latestPrice(
  deps: TradingDeps,
  symbol: string,
  lastPrices: Readonly<Record<string, string>> = {},
): Promise<string> {
  const seen = lastPrices[symbol];
  if (seen) return seen;
  const latest = (await deps.prices.latest([symbol])).get(symbol);
  if (!latest) {
    throw new AppError(
      422,
      'PRICE_UNAVAILABLE',
      `No price for ${symbol} from market data or this account's price updates; send a limit order or post a price`,
      { extra: { symbol } },
    );
  }
  return latest.price;
}

function riskRejected(decision: StoredDecision): AppError {
  const failed = decision.checks.find((c) => !c.passed);
  return new AppError(
    422,
    'RISK_REJECTED',
    `The risk gate rejected the order: ${failed ? `${failed.name} — ${failed.detail}` : 'rejected'}`,
    { extra: { decisionId: decision.decisionId, firstFailure: decision.firstFailure, checks: decision.checks } },
  );
}

export interface PlaceOptions {
  /** only decide and record the decision (POST /v1/risk/validate) */
  dryRun?: boolean;
  /** rebalancing passes the symbol's category and exclusion */
  allocation?: AllocationContext;
  intent?: OrderIntent;
  /**
   * GUIDE previews of a plan only: cash its previewed sells would have brought (they never fill),
   * so the buys after them are previewed as the plan means them
   */
  previewCash?: string;
}

export type PlaceResult =
  | { kind: 'decision'; decision: StoredDecision }
  | { kind: 'order'; order: Order; decision: StoredDecision };

/**
 * The one path to a venue. The gate decides on the account's state with every working order
 * counted; the decision is always recorded; a rejection writes nothing else (422 with every
 * check). GUIDE records the order as `previewed` and stops. AUTONOMOUS reserves what the order
 * needs on the risk record (its version decides a race), then sends it to the venue.
 */
export async function placeOrder(deps: TradingDeps, body: OrderBody, options: PlaceOptions = {}): Promise<PlaceResult> {
  const orderId = newOrderId(deps.now);
  const decisionId = newDecisionId(deps.now);
  const at = iso(deps.now);
  let halted: NotificationRecord[] = [];
  const placed = await withRetries(async () => {
    halted = [];
    const account = await loadAccount(deps.store, body.accountId);
    // a GUIDE preview or a dry run never reaches the venue: only a real LIVE order needs the flag
    if (account.venue === 'LIVE' && account.mode !== 'GUIDE' && !options.dryRun) {
      await requireLiveTrading(deps.liveTradingEnabled, 'A LIVE order');
    }
    const settings = await currentSettings(deps.store);
    const limits = effectiveLimits(settings.riskLimits);
    const { book } = await bookOf(deps, account.portfolioId);
    const record = await riskOf(deps.store, account, book, deps.now);
    const price = await expectedPrice(deps, body, record);
    const gateOrder: GateOrder = { ...body, ...(options.intent ? { intent: options.intent } : {}) };
    const previewCash = account.mode === 'GUIDE' && options.previewCash ? money(options.previewCash) : ZERO;
    const gate = decide({
      order: gateOrder,
      price,
      record,
      settings,
      limits,
      book: previewCash.isZero() ? book : { ...book, cash: decimalString(money(book.cash).plus(previewCash)) },
      nowMs: deps.now,
      ...(options.allocation ? { allocation: options.allocation } : {}),
    });
    const decision: StoredDecision = {
      decisionId,
      accountId: account.accountId,
      ...(options.dryRun ? {} : { orderId }),
      intent: gate.intent,
      approved: gate.decision.approved,
      ...(gate.decision.firstFailure ? { firstFailure: gate.decision.firstFailure } : {}),
      checks: [...gate.decision.checks],
      inputs: gate.inputs,
      dryRun: options.dryRun === true,
      at,
      by: deps.actor,
    };
    const uow = deps.unitOfWork();
    deps.store.putDecision(uow, decision);
    if (!gate.decision.approved || options.dryRun) {
      // The drawdown check trips the breaker even on a rejection: the account is HALTED from now.
      if (gate.decision.effects.triggerShutdown && !options.dryRun) {
        const tripped = { ...record, state: applyDecisionEffects(record.state, gate.decision), updatedAt: at };
        deps.store.putRisk(uow, { ...tripped, version: record.version + 1 }, record.version || undefined);
        uow.audit({
          action: 'risk.halt',
          resource: `account/${account.accountId}`,
          before: record.state.emergencyShutdown,
          after: tripped.state.emergencyShutdown,
        });
        halted = await stageHaltNotices(deps.notices, deps.store, uow, { account, before: record, after: tripped });
      }
      await uow.commit();
      return { account, decision, record, order: undefined };
    }
    const guide = account.mode === 'GUIDE';
    const order: Order = {
      orderId,
      accountId: account.accountId,
      portfolioId: account.portfolioId,
      venue: account.venue,
      mode: account.mode,
      intent: gate.intent,
      symbol: body.symbol,
      side: body.side,
      type: body.type,
      quantity: body.quantity,
      timeInForce: body.timeInForce,
      ...optional(body),
      status: guide ? 'previewed' : 'pending',
      filledQuantity: '0',
      decisionId,
      clientOrderId: clientOrderIdOf(deps.tenantId, orderId),
      transitions: [
        {
          from: null,
          to: guide ? 'previewed' : 'pending',
          at,
          reason: guide ? 'GUIDE mode: recorded and previewed, never sent' : 'accepted by the risk gate',
        },
      ],
      fills: [],
      createdAt: at,
      createdBy: deps.actor,
      updatedAt: at,
      version: 1,
    };
    deps.store.createOrder(uow, order);
    if (!guide) {
      const reservation: Reservation = {
        intent: gate.intent,
        ...(body.strategy ? { strategy: body.strategy } : {}),
        side: body.side,
        symbol: body.symbol,
        quantity: body.quantity,
        notional: decimalString(money(body.quantity).times(money(price))),
        opens: body.side === 'buy' && !heldIn(book, body.symbol),
        at: deps.now,
      };
      const next: RiskRecord = {
        ...record,
        reservations: { ...record.reservations, [orderId]: reservation },
        version: record.version + 1,
        updatedAt: at,
      };
      deps.store.putRisk(uow, next, record.version || undefined);
    }
    uow.audit({ action: guide ? 'order.preview' : 'order.accept', resource: `order/${orderId}`, after: order });
    await uow.commit();
    return { account, decision, record, order };
  });
  await deps.notices?.deliver(halted);
  if (!placed.order) {
    if (placed.decision.dryRun) return { kind: 'decision', decision: placed.decision };
    throw riskRejected(placed.decision);
  }
  if (placed.order.status === 'previewed') return { kind: 'order', order: placed.order, decision: placed.decision };
  const sent = await sendToVenue(deps, placed.account, placed.order);
  return { kind: 'order', order: sent, decision: placed.decision };
}

/** A rebalancing trade as the gate sees it, before it is an order. */
export interface PlannedTrade {
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  price: string;
  allocation?: AllocationContext;
}

/**
 * The allocation check set of one account, loaded once and asked many times without writing:
 * a proposal shows each of its trades' outcome on the account's state now (not cumulatively —
 * execution decides each order again, with the earlier ones reserved).
 */
export async function allocationGateFor(deps: TradingDeps, accountId: string) {
  const account = await loadAccount(deps.store, accountId);
  const settings = await currentSettings(deps.store);
  const limits = effectiveLimits(settings.riskLimits);
  const { book } = await bookOf(deps, account.portfolioId);
  const record = await riskOf(deps.store, account, book, deps.now);
  return {
    account,
    /** `cashDelta`: cash the plan's earlier trades will have added (a buy paid by the sells before it) */
    decide: (trade: PlannedTrade, cashDelta = '0') =>
      decide({
        order: { symbol: trade.symbol, side: trade.side, quantity: trade.quantity, intent: 'allocation' },
        price: trade.price,
        record,
        settings,
        limits,
        book: { ...book, cash: decimalString(money(book.cash).plus(money(cashDelta))) },
        nowMs: deps.now,
        ...(trade.allocation ? { allocation: trade.allocation } : {}),
      }).decision,
  };
}

function optional(body: OrderBody) {
  const out: Partial<Order> = {};
  for (const field of [
    'limitPrice',
    'stopPrice',
    'stopLoss',
    'takeProfit',
    'strategy',
    'signalId',
    'note',
    'lotSize',
  ] as const) {
    const value = body[field];
    if (value !== undefined) (out as Record<string, string>)[field] = value;
  }
  return out;
}

const heldIn = (book: BookState, symbol: string) =>
  Object.hasOwn(book.positions, symbol) && !money(positionQuantity(book.positions[symbol])).isZero();

// --- order transitions ----------------------------------------------------------------------

function moved(order: Order, to: OrderStatus, at: string, reason?: string, patch: Partial<Order> = {}): Order {
  if (order.status !== to) assertTransition(order.status, to);
  return {
    ...order,
    ...patch,
    status: to,
    transitions:
      order.status === to && !reason
        ? order.transitions
        : [...order.transitions, { from: order.status, to, at, ...(reason ? { reason } : {}) }],
    updatedAt: at,
    version: order.version + 1,
  };
}

/** Ends an order without a fill (cancelled, rejected, expired): its reservation is released with it. */
export async function endOrder(
  deps: TradingDeps,
  orderId: string,
  to: 'cancelled' | 'rejected' | 'expired',
  reason: string,
  patch: Partial<Order> = {},
): Promise<Order> {
  return withRetries(async () => {
    const order = await loadOrder(deps.store, orderId);
    if (!OPEN.has(order.status)) return order;
    const account = await loadAccount(deps.store, order.accountId);
    const at = iso(deps.now);
    const after = moved(order, to, at, reason, patch);
    const uow = deps.unitOfWork();
    deps.store.updateOrder(uow, after, order.version);
    const record = await deps.store.getRisk(account.accountId);
    if (record && Object.hasOwn(record.reservations, orderId)) {
      const { [orderId]: _released, ...rest } = record.reservations;
      deps.store.putRisk(
        uow,
        { ...record, reservations: rest, version: record.version + 1, updatedAt: at },
        record.version,
      );
    }
    uow.audit({
      action: `order.${to === 'cancelled' ? 'cancel' : to === 'rejected' ? 'reject' : 'expire'}`,
      resource: `order/${orderId}`,
      before: order,
      after,
    });
    await uow.commit();
    return after;
  });
}

async function markSubmitted(deps: TradingDeps, order: Order, patch: Partial<Order>, reason: string): Promise<Order> {
  return withRetries(async () => {
    const current = await loadOrder(deps.store, order.orderId);
    if (current.status !== 'pending') return current;
    const after = moved(current, 'submitted', iso(deps.now), reason, patch);
    const uow = deps.unitOfWork();
    deps.store.updateOrder(uow, after, current.version);
    await uow.commit();
    return after;
  });
}

// --- venues ---------------------------------------------------------------------------------

async function sendToVenue(deps: TradingDeps, account: Account, order: Order): Promise<Order> {
  if (account.venue === 'SIMULATION') {
    const latency = account.simulation?.latencyMs ?? 0;
    if (latency > 0) await (deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(latency);
    const submitted = await markSubmitted(deps, order, {}, 'simulation venue accepted the order');
    const record = await deps.store.getRisk(account.accountId);
    const price = await latestPrice(deps, order.symbol, record?.lastPrices);
    // "the next price": the one the venue sees as the order arrives
    await processPrices(deps, account, [{ symbol: order.symbol, price }], { only: order.orderId });
    const arrived = await loadOrder(deps.store, submitted.orderId);
    // immediate-or-cancel and fill-or-kill do not rest: what did not fill on arrival is cancelled
    if ((order.timeInForce === 'ioc' || order.timeInForce === 'fok') && OPEN.has(arrived.status)) {
      return endOrder(deps, arrived.orderId, 'cancelled', `${order.timeInForce}: not filled on arrival`);
    }
    return arrived;
  }
  return sendToBroker(deps, account, order);
}

async function sendToBroker(deps: TradingDeps, account: Account, order: Order): Promise<Order> {
  const broker = await deps.broker(account);
  let answer: BrokerOrder;
  try {
    answer = await broker.submitOrder({
      clientOrderId: order.clientOrderId,
      symbol: order.symbol,
      side: order.side,
      type: order.type,
      quantity: order.quantity,
      timeInForce: order.timeInForce,
      ...(order.limitPrice ? { limitPrice: order.limitPrice } : {}),
      ...(order.stopPrice ? { stopPrice: order.stopPrice } : {}),
      ...(order.takeProfit ? { takeProfit: { limitPrice: order.takeProfit } } : {}),
      ...(order.stopLoss ? { stopLoss: { stopPrice: order.stopLoss } } : {}),
    });
  } catch (e) {
    // nothing was sent (the shared budget refused first): the order ends here and the caller retries
    if (e instanceof AppError && e.code === 'BROKER_BUSY') {
      await endOrder(deps, order.orderId, 'rejected', 'not sent: the broker request budget was used up');
      throw e;
    }
    if (e instanceof BrokerError && !e.retryable) {
      const rejected = await endOrder(deps, order.orderId, 'rejected', `${broker.name}: ${e.message}`, {
        reason: e.message,
      });
      throw new AppError(422, 'BROKER_REJECTED', `${broker.name} rejected the order: ${e.message}`, {
        extra: { orderId: rejected.orderId, broker: broker.name, kind: e.kind },
      });
    }
    // The broker may or may not hold it: the order stays pending and the sync looks it up by client id.
    await scheduleSync(deps, account);
    return loadOrder(deps.store, order.orderId);
  }
  await syncBrokerOrder(deps, account, order.orderId, answer);
  await scheduleSync(deps, account);
  return loadOrder(deps.store, order.orderId);
}

async function scheduleSync(deps: TradingDeps, account: Account) {
  if (!deps.scheduleSync) return;
  const uow = deps.unitOfWork();
  deps.scheduleSync(uow, account, deps.now + 60_000);
  await uow.commit();
}

/**
 * Brings an order in line with what its broker says: new fills (the broker reports cumulative
 * quantity and average price; a fill is the difference), then its end state.
 */
export async function syncBrokerOrder(deps: TradingDeps, account: Account, orderId: string, answer: BrokerOrder) {
  let order = await loadOrder(deps.store, orderId);
  if (order.status === 'pending' && answer.state !== 'rejected') {
    order = await markSubmitted(
      deps,
      order,
      { brokerOrderId: answer.brokerOrderId },
      `${answer.venueStatus} at the broker`,
    );
  }
  const ours = money(order.filledQuantity);
  const theirs = money(answer.filledQuantity);
  if (theirs.gt(ours) && answer.filledAveragePrice) {
    const quantity = theirs.minus(ours);
    const paidBefore = ours.times(money(order.averageFillPrice ?? '0'));
    const paidNow = theirs.times(money(answer.filledAveragePrice));
    const price = roundPrice(paidNow.minus(paidBefore).div(quantity), 6);
    await applyVenueFill(deps, account, orderId, {
      quantity,
      price,
      fee: ZERO,
      reason: `${answer.venueStatus} at the broker`,
    });
  }
  if (answer.state === 'cancelled' || answer.state === 'expired' || answer.state === 'rejected') {
    await endOrder(deps, orderId, answer.state, answer.reason ?? `${answer.venueStatus} at the broker`);
  }
  return loadOrder(deps.store, orderId);
}

// --- fills ----------------------------------------------------------------------------------

interface VenueFill {
  quantity: D;
  price: D;
  fee: D;
  reason: string;
}

/**
 * One fill, in one transaction: the fill (once: its id is the order's n-th), the order's new
 * state, the ledger entry on the account's portfolio (with its book and cash), the risk record
 * (reservation, trade counts, P&L, strategy streak, equity mark), the journal entry and the audit.
 * A ledger rule the fill breaks (cash gone) rejects the order instead.
 */
export async function applyVenueFill(
  deps: TradingDeps,
  account: Account,
  orderId: string,
  fill: VenueFill,
  recordPatch?: (record: RiskRecord) => RiskRecord,
): Promise<{ order: Order; fill?: Fill }> {
  let halted: NotificationRecord[] = [];
  try {
    const applied = await withRetries(async () => {
      halted = [];
      const order = await loadOrder(deps.store, orderId);
      if (order.status !== 'submitted' && order.status !== 'partially_filled') return { order };
      const settings = await currentSettings(deps.store);
      const limits = effectiveLimits(settings.riskLimits);
      const n = order.fills.length + 1;
      const fillId = fillIdOf(orderId, n);
      const at = iso(deps.now);
      const remaining = money(order.quantity).minus(money(order.filledQuantity));
      const quantity = fill.quantity.gt(remaining) ? remaining : fill.quantity;
      const body = {
        type: order.side === 'buy' ? 'BUY' : 'SELL',
        symbol: order.symbol,
        quantity: decimalString(quantity),
        price: decimalString(fill.price),
        fee: formatMoney(fill.fee, account.currency),
        tradeDate: at.slice(0, 10),
        source: 'broker',
        note: `${account.venue} fill ${fillId} of order ${orderId}`,
      } as TransactionBody;
      const { book: before } = await bookOf(deps, account.portfolioId);
      const planned: PlannedTransaction = await planTransaction(
        { portfolios: deps.portfolios, ledger: deps.ledger, prices: deps.prices, now: deps.now, actor: deps.actor },
        account.portfolioId,
        body,
        ledgerEntryIdOf(orderId, n),
      );
      const filled = applyFillToOrder(order, { quantity, price: fill.price });
      const realised = planned.entry.effect.realised;
      const stored: Fill = {
        fillId,
        quantity: decimalString(quantity),
        price: decimalString(fill.price),
        fee: body.fee ?? '0',
        at,
        txId: planned.entry.entryId,
        ...(realised ? { realisedPnl: realised.gain } : {}),
      };
      const after = moved(order, filled.status, at, fill.reason, {
        filledQuantity: filled.filledQuantity,
        averageFillPrice: filled.averageFillPrice,
        fills: [...order.fills, stored],
      });
      const record = await riskOf(deps.store, account, before, deps.now);
      const patched = recordPatch ? recordPatch(record) : record;
      const bookAfter = planned.book;
      const nextRecord = riskAfterFill(
        patched,
        after,
        stored,
        planned.entry.effect,
        before,
        bookAfter,
        limits,
        deps.now,
      );
      const journal: JournalEntry = {
        kind: 'fill',
        entryId: newJournalId(deps.now),
        accountId: account.accountId,
        orderId,
        fillId,
        source: account.venue,
        symbol: order.symbol,
        side: order.side,
        quantity: stored.quantity,
        price: stored.price,
        fee: stored.fee,
        ...(order.strategy ? { strategy: order.strategy } : {}),
        intent: order.intent,
        ...(realised ? { realisedPnl: realised.gain } : {}),
        at,
      };
      const uow = deps.unitOfWork();
      planned.stage(uow);
      deps.store.putFill(uow, orderId, stored);
      deps.store.updateOrder(uow, after, order.version);
      deps.store.putRisk(
        uow,
        { ...nextRecord, version: record.version + 1, updatedAt: at },
        record.version || undefined,
      );
      deps.store.appendJournal(uow, journal);
      uow.audit({ action: 'order.fill', resource: `order/${orderId}`, before: order, after });
      halted = await noteTrip(deps, uow, account, record, { ...nextRecord, updatedAt: at });
      await uow.commit();
      return { order: after, fill: stored };
    });
    await deps.notices?.deliver(halted);
    return applied;
  } catch (e) {
    if (e instanceof AppError && e.status === 422) {
      const ended = await endOrder(deps, orderId, 'rejected', `the fill broke a ledger rule: ${e.message}`, {
        reason: e.message,
      });
      return { order: ended };
    }
    throw e;
  }
}

/** The risk record after a fill: reservation, trade counts, exposure, realised P&L and streaks, equity. */
export function riskAfterFill(
  record: RiskRecord,
  order: Order,
  fill: Fill,
  effect: EntryEffect,
  before: BookState,
  after: BookState,
  limits: Readonly<RiskLimits>,
  nowMs: number,
): RiskRecord {
  const done = order.status === 'filled';
  const reservations = { ...record.reservations };
  const reserved = reservations[order.orderId];
  if (reserved) {
    if (done) delete reservations[order.orderId];
    else {
      const left = money(order.quantity).minus(money(order.filledQuantity));
      reservations[order.orderId] = {
        ...reserved,
        quantity: decimalString(left),
        notional: decimalString(left.times(money(fill.price))),
        opens: false,
      };
    }
  }
  const notional = money(fill.quantity).times(money(fill.price));
  const strategy = order.strategy;
  const exposureByStrategy = { ...record.strategyExposure };
  const brackets = { ...record.brackets };
  let state = record.state;
  if (order.side === 'buy') {
    const opened = !heldIn(before, order.symbol);
    const firstFill = order.fills.length === 1;
    state = {
      ...state,
      openPositions: state.openPositions + (opened ? 1 : 0),
      exposure: decimalString(money(state.exposure).plus(notional)),
      // a filled strategy order is a trade in the day's and hour's counts
      tradeTimes: order.intent === 'strategy' && firstFill ? [...state.tradeTimes, nowMs] : state.tradeTimes,
    };
    if (strategy)
      exposureByStrategy[strategy] = decimalString(money(exposureByStrategy[strategy] ?? '0').plus(notional));
    if (order.stopLoss || order.takeProfit) {
      brackets[order.symbol] = {
        orderId: order.orderId,
        ...(order.stopLoss ? { stopLoss: order.stopLoss } : {}),
        ...(order.takeProfit ? { takeProfit: order.takeProfit } : {}),
        ...(strategy ? { strategy } : {}),
      };
    }
  } else {
    const closes = !heldIn(after, order.symbol);
    const gain = money(effect.realised?.gain ?? '0');
    const basis = money(effect.realised?.costBasis ?? '0');
    const owner = strategy ?? brackets[order.symbol]?.strategy;
    const strategies = state.strategies;
    state = applyTradeResult(
      state,
      { strategyId: owner ?? '(allocation)', pnl: gain, notional: basis, closesPosition: closes },
      nowMs,
      limits,
    );
    // allocation sells count in the day's P&L, not in any strategy's streak
    if (!owner) state = { ...state, strategies };
    if (owner) {
      const left = money(exposureByStrategy[owner] ?? '0').minus(basis);
      exposureByStrategy[owner] = decimalString(left.isNegative() ? ZERO : left);
    }
    if (closes) delete brackets[order.symbol];
  }
  const lastPrices = { ...record.lastPrices, [order.symbol]: fill.price };
  return markEquity(
    { ...record, state, reservations, strategyExposure: exposureByStrategy, brackets, lastPrices },
    after,
    nowMs,
    limits,
  );
}

// --- the simulation venue -------------------------------------------------------------------

export interface SimPrice extends PriceUpdate {
  symbol: string;
}

export interface SimFill {
  orderId: string;
  fillId: string;
  quantity: string;
  price: string;
  reason: string;
}

/**
 * A SIMULATION account sees prices: its working orders that the prices cross fill (each drawn
 * from the account's seeded PRNG for fill probability and partial fills, so a run replays), the
 * brackets of its positions exit (stop first when a bar touches both), and equity is marked —
 * at the drawdown limit the account halts.
 */
export async function processPrices(
  deps: TradingDeps,
  account: Account,
  prices: readonly SimPrice[],
  options: { only?: string } = {},
): Promise<{ fills: SimFill[]; record: RiskRecord }> {
  if (account.venue !== 'SIMULATION' || !account.simulation) {
    throw new AppError(422, 'NOT_A_SIMULATION', 'Prices can only be posted to SIMULATION accounts');
  }
  const sim = account.simulation;
  const bySymbol = new Map(prices.map((p) => [p.symbol, p]));
  const fills: SimFill[] = [];
  const open = (await deps.store.openOrders(account.accountId)).filter(
    (o) => !options.only || o.orderId === options.only,
  );
  for (const order of open) {
    const update = bySymbol.get(order.symbol);
    if (!update) continue;
    const trigger = triggerOf(
      {
        side: order.side,
        type: order.type,
        ...(order.limitPrice ? { limitPrice: order.limitPrice } : {}),
        ...(order.stopPrice ? { stopPrice: order.stopPrice } : {}),
        ...(order.stopTriggered ? { stopTriggered: true } : {}),
      },
      update,
    );
    if (!trigger.fills) {
      if (trigger.stopTriggered && !order.stopTriggered) await patchOrder(deps, order.orderId, { stopTriggered: true });
      continue;
    }
    const record = await deps.store.getRisk(account.accountId);
    if (!record) continue;
    const remaining = money(order.quantity).minus(money(order.filledQuantity));
    const drawn = drawFill(record.rngState, remaining, {
      fillProbability: sim.fillProbability,
      partialFillProbability: sim.partialFillProbability,
    });
    // fill-or-kill takes all of it or nothing
    const draw =
      order.timeInForce === 'fok' && drawn.outcome === 'partial' ? { ...drawn, outcome: 'none' as const } : drawn;
    const advance = (r: RiskRecord) => ({ ...r, rngState: draw.state });
    if (draw.outcome === 'none') {
      await saveRecord(deps, account, advance);
      continue;
    }
    const raw = trigger.price;
    const price = roundPrice(trigger.slips ? slippedPrice(raw, order.side, sim.slippageBps) : raw, 6);
    const fee = commissionOf(draw.quantity, price, sim.commission);
    const applied = await applyVenueFill(
      deps,
      account,
      order.orderId,
      {
        quantity: draw.quantity,
        price,
        fee,
        reason: `${draw.outcome} fill at ${decimalString(price)} (${order.type})`,
      },
      advance,
    );
    if (applied.fill) {
      fills.push({
        orderId: order.orderId,
        fillId: applied.fill.fillId,
        quantity: applied.fill.quantity,
        price: applied.fill.price,
        reason: order.type,
      });
    }
  }
  if (!options.only) fills.push(...(await exitBrackets(deps, account, bySymbol)));
  const record = await saveRecord(
    deps,
    account,
    (r) => ({
      ...r,
      lastPrices: { ...r.lastPrices, ...Object.fromEntries(prices.map((p) => [p.symbol, p.price])) },
    }),
    true,
  );
  return { fills, record };
}

async function patchOrder(deps: TradingDeps, orderId: string, patch: Partial<Order>) {
  await withRetries(async () => {
    const order = await loadOrder(deps.store, orderId);
    const uow = deps.unitOfWork();
    deps.store.updateOrder(
      uow,
      { ...order, ...patch, updatedAt: iso(deps.now), version: order.version + 1 },
      order.version,
    );
    await uow.commit();
  });
}

/**
 * The circuit breaker tripping is its own audit record, beside the change that tripped it, and
 * the halt's notices ride with it too (sent once it commits: deliver what this answers).
 */
async function noteTrip(
  deps: TradingDeps,
  uow: UnitOfWork,
  account: Account,
  before: RiskRecord,
  after: RiskRecord,
): Promise<NotificationRecord[]> {
  if (before.state.emergencyShutdown.active || !after.state.emergencyShutdown.active) return [];
  uow.audit({
    action: 'risk.halt',
    resource: `account/${account.accountId}`,
    before: before.state.emergencyShutdown,
    after: after.state.emergencyShutdown,
  });
  return stageHaltNotices(deps.notices, deps.store, uow, { account, before, after });
}

/** Rewrites the risk record through `change`; with `mark`, equity is marked at the book's value afterwards. */
async function saveRecord(
  deps: TradingDeps,
  account: Account,
  change: (r: RiskRecord) => RiskRecord,
  mark = false,
): Promise<RiskRecord> {
  let halted: NotificationRecord[] = [];
  const saved = await withRetries(async () => {
    const { book } = await bookOf(deps, account.portfolioId);
    const record = await riskOf(deps.store, account, book, deps.now);
    let next = change(record);
    if (mark) {
      const settings = await currentSettings(deps.store);
      next = markEquity(next, book, deps.now, effectiveLimits(settings.riskLimits));
    }
    const at = iso(deps.now);
    next = { ...next, version: record.version + 1, updatedAt: at };
    const uow = deps.unitOfWork();
    deps.store.putRisk(uow, next, record.version || undefined);
    halted = await noteTrip(deps, uow, account, record, next);
    await uow.commit();
    return next;
  });
  await deps.notices?.deliver(halted);
  return saved;
}

/**
 * Exits the positions whose bracket a price update crosses: a sell of the whole position at the
 * stop or the target, recorded as its own order. Protective exits are not gated — a halted account
 * must still be able to stop its losses.
 */
async function exitBrackets(deps: TradingDeps, account: Account, bySymbol: Map<string, SimPrice>): Promise<SimFill[]> {
  const out: SimFill[] = [];
  const record = await deps.store.getRisk(account.accountId);
  if (!record) return out;
  const { book } = await bookOf(deps, account.portfolioId);
  for (const [symbol, levels] of Object.entries(record.brackets)) {
    const update = bySymbol.get(symbol);
    if (!update || !heldIn(book, symbol)) continue;
    const exit = bracketExit('long', levels, update);
    if (!exit) continue;
    const sim = account.simulation;
    const price = roundPrice(exit.slips && sim ? slippedPrice(exit.price, 'sell', sim.slippageBps) : exit.price, 6);
    const quantity = positionQuantity(book.positions[symbol]);
    const order = await createExitOrder(deps, account, symbol, quantity, levels, exit.reason);
    const fee = sim ? commissionOf(quantity, price, sim.commission) : ZERO;
    const applied = await applyVenueFill(deps, account, order.orderId, {
      quantity: money(quantity),
      price,
      fee,
      reason: `bracket ${exit.reason} at ${decimalString(price)}`,
    });
    if (applied.fill) {
      out.push({
        orderId: order.orderId,
        fillId: applied.fill.fillId,
        quantity: applied.fill.quantity,
        price: applied.fill.price,
        reason: `bracket-${exit.reason}`,
      });
    }
  }
  return out;
}

async function createExitOrder(
  deps: TradingDeps,
  account: Account,
  symbol: string,
  quantity: string,
  levels: RiskRecord['brackets'][string],
  reason: 'stop' | 'target',
): Promise<Order> {
  const orderId = newOrderId(deps.now);
  const decisionId = newDecisionId(deps.now);
  const at = iso(deps.now);
  const order: Order = {
    orderId,
    accountId: account.accountId,
    portfolioId: account.portfolioId,
    venue: account.venue,
    mode: account.mode,
    intent: levels.strategy ? 'strategy' : 'allocation',
    symbol,
    side: 'sell',
    type: reason === 'stop' ? 'stop' : 'limit',
    quantity,
    ...(reason === 'stop' && levels.stopLoss ? { stopPrice: levels.stopLoss } : {}),
    ...(reason === 'target' && levels.takeProfit ? { limitPrice: levels.takeProfit } : {}),
    timeInForce: 'gtc',
    ...(levels.strategy ? { strategy: levels.strategy } : {}),
    note: `bracket ${reason} of order ${levels.orderId}`,
    status: 'submitted',
    filledQuantity: '0',
    decisionId,
    clientOrderId: clientOrderIdOf(deps.tenantId, orderId),
    transitions: [{ from: null, to: 'submitted', at, reason: `bracket ${reason} of ${levels.orderId} triggered` }],
    fills: [],
    createdAt: at,
    createdBy: deps.actor,
    updatedAt: at,
    version: 1,
  };
  const decision: StoredDecision = {
    decisionId,
    accountId: account.accountId,
    orderId,
    intent: order.intent,
    approved: true,
    checks: [],
    inputs: { bracketOf: levels.orderId, reason, note: 'a protective exit of an open position is never gated' },
    dryRun: false,
    at,
    by: deps.actor,
  };
  const uow = deps.unitOfWork();
  deps.store.createOrder(uow, order);
  deps.store.putDecision(uow, decision);
  uow.audit({ action: 'order.bracket', resource: `order/${orderId}`, after: order });
  await uow.commit();
  return order;
}

/** A new trading day: the SIMULATION account's `day` orders still working expire (a broker expires its own). */
export async function expireDayOrders(deps: TradingDeps, account: Account): Promise<number> {
  if (account.venue !== 'SIMULATION') return 0;
  const working = (await deps.store.openOrders(account.accountId)).filter((o) => o.timeInForce === 'day');
  for (const order of working) await endOrder(deps, order.orderId, 'expired', 'a day order ends with its trading day');
  return working.length;
}

// --- cancel ---------------------------------------------------------------------------------

export async function cancelOrder(deps: TradingDeps, orderId: string): Promise<Order> {
  const order = await loadOrder(deps.store, orderId);
  if (!OPEN.has(order.status)) {
    throw new AppError(
      409,
      'ORDER_NOT_CANCELLABLE',
      `Order ${orderId} is ${order.status}; only working orders can be cancelled`,
      {
        extra: { status: order.status },
      },
    );
  }
  const account = await loadAccount(deps.store, order.accountId);
  if (account.venue !== 'SIMULATION' && order.brokerOrderId) {
    const broker = await deps.broker(account);
    try {
      await broker.cancelOrder(order.brokerOrderId);
    } catch (e) {
      if (e instanceof BrokerError && e.kind === 'not-cancelable') {
        const seen = await broker.order(order.brokerOrderId);
        if (seen) await syncBrokerOrder(deps, account, orderId, seen);
        const now = await loadOrder(deps.store, orderId);
        throw new AppError(
          409,
          'ORDER_NOT_CANCELLABLE',
          `${broker.name} could not cancel the order: it is ${now.status}`,
        );
      }
      throw e;
    }
  }
  return endOrder(deps, orderId, 'cancelled', 'cancelled by the trader');
}

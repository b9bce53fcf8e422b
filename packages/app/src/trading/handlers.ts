import { journalStats } from '@ballast/core/execution/index.js';
import { holdingFigures } from '@ballast/core/ledger/figures.js';
import { formatMoney } from '@ballast/core/money.js';
import { HARD_LIMITS } from '@ballast/core/risk/limits.js';
import {
  enableStrategy,
  resetEmergencyShutdown,
  startRiskDay,
  triggerEmergencyShutdown,
} from '@ballast/core/risk/state.js';
import type { RequestContext } from '@ballast/platform/context/types.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { AppError, preconditionFailed } from '@ballast/platform/errors.js';
import { requireFreshLogin } from '@ballast/platform/http/middlewares/limits/index.js';
import { etag } from '@ballast/platform/http/middlewares/validate/if-match.js';
import { newPortfolioId, type Portfolio, withRetries } from '../portfolio/index.js';
import type { NotificationRecord } from '../watchlists/index.js';
import {
  bookOf,
  cancelOrder,
  endOrder,
  expireDayOrders,
  loadAccount,
  loadOrder,
  placeOrder,
  processPrices,
  requireLiveTrading,
  riskOf,
  syncBrokerOrder,
  type TradingDeps,
} from './execution.js';
import { stageHaltNotices } from './halt-notices.js';
import { newAccountId, newChangeId } from './ids.js';
import { listEntries } from './journal-handlers.js';
import { jobs, ORDER_SYNC_INTERVAL_MS } from './jobs.js';
import {
  brokerNotConfigured,
  type TradingHandler,
  type TradingJobHandler,
  type TradingPorts,
  type SettingsHandler,
} from './ports.js';
import { initialRisk, riskView, strategyView, tradingStateOf } from './risk.js';
import { localMidnight, nextLocalMidnight } from './time.js';
import type { routes } from './routes.js';
import { currentSettings, replaceSettings, settingsView } from './settings.js';
import type { Account, ModeChange, Order, RiskRecord, TradingStore } from './store.js';

type R = typeof routes;
const iso = (ms: number) => new Date(ms).toISOString();

interface RequestParts {
  ports: TradingPorts;
  now: number;
  unitOfWork(): UnitOfWork;
  ctx: RequestContext;
  client: { ip?: string; userAgent?: string };
}

/** Who acts and where, for a request (its verified caller) or a job (the scheduler, its envelope's tenant). */
interface Acting {
  ports: TradingPorts;
  now: number;
  unitOfWork(): UnitOfWork;
  tenantId: string;
  env: RequestContext['env'];
  actor: string;
  ctx?: undefined;
}

export function tradingDeps(h: RequestParts | Acting): TradingDeps {
  const who = h.ctx ? { tenantId: h.ctx.tenantId, env: h.ctx.env, actor: h.ctx.principal.id } : h;
  return {
    tenantId: who.tenantId,
    store: h.ports.trading,
    portfolios: h.ports.portfolios,
    ledger: h.ports.ledger,
    prices: h.ports.prices,
    broker: h.ports.broker,
    liveTradingEnabled: h.ports.liveTradingEnabled,
    notices: h.ports.notices(),
    unitOfWork: h.unitOfWork,
    now: h.now,
    actor: who.actor,
    scheduleSync: (uow, account, dueAtMs) =>
      h.ports.due.schedule(uow, {
        job: jobs.orderSync.id,
        tenantId: who.tenantId,
        env: who.env,
        projectId: account.projectId,
        workId: account.accountId,
        dueAt: iso(dueAtMs),
        payload: { accountId: account.accountId },
      }),
  };
}

function accountView(a: Account) {
  const { tenantId: _tenant, ...rest } = a;
  return rest;
}

/** LIVE money needs a recent login, an explicit confirmation and a reason. */
function requireLiveConsent(h: RequestParts, body: { confirm?: boolean; reason?: string }, what: string) {
  requireFreshLogin(h.ctx.principal, h.now);
  const errors = [
    ...(body.confirm === true ? [] : [{ path: 'body.confirm', message: 'must be true' }]),
    ...(body.reason ? [] : [{ path: 'body.reason', message: 'is required' }]),
  ];
  if (errors.length) {
    throw new AppError(422, 'CONFIRMATION_REQUIRED', `${what} moves real money: send confirm: true and a reason`, {
      errors,
    });
  }
}

export const createAccount: TradingHandler<R['createAccount']> = async ({ body }, h) => {
  if (body.venue === 'LIVE') {
    requireLiveConsent(h, body, 'A LIVE account');
    await requireLiveTrading(h.ports.liveTradingEnabled, 'A LIVE account');
  }
  const at = iso(h.now);
  const accountId = newAccountId(h.now);
  const projectId = h.ctx.projectId ?? '';
  let portfolio: Portfolio;
  let created: Portfolio | undefined;
  const simulation = body.venue === 'SIMULATION' ? (body.simulation ?? defaultSimulation()) : undefined;
  if (body.portfolioId) {
    portfolio = (await bookOf({ ...h.ports, now: h.now }, body.portfolioId)).portfolio;
  } else {
    const cash = formatMoney(simulation?.initialBalance ?? '10000', simulation?.currency ?? 'USD');
    created = {
      portfolioId: newPortfolioId(h.now),
      tenantId: h.ctx.tenantId,
      projectId,
      name: `${body.name} (simulation)`,
      baseCurrency: simulation?.currency ?? 'USD',
      cash,
      description: `Funded by SIMULATION account ${accountId}`,
      createdAt: at,
      updatedAt: at,
      version: 1,
    };
    portfolio = created;
  }
  const account: Account = {
    accountId,
    tenantId: h.ctx.tenantId,
    projectId,
    name: body.name,
    venue: body.venue,
    mode: 'GUIDE',
    portfolioId: portfolio.portfolioId,
    currency: portfolio.baseCurrency,
    ...(simulation ? { simulation } : {}),
    createdAt: at,
    createdBy: h.ctx.principal.id,
    updatedAt: at,
    version: 1,
  };
  const uow = h.unitOfWork();
  if (created) {
    h.ports.portfolios.create(uow, created);
    uow.audit({ action: 'portfolio.create', resource: `portfolio/${created.portfolioId}`, after: created });
  }
  h.ports.trading.createAccount(uow, account);
  // the account's trading day starts at the tenant's local midnight (the daily reset keeps it there)
  const { timezone } = await currentSettings(h.ports.trading);
  const risk = initialRisk(account, portfolio.cash, h.now);
  const day = { ...risk.state, dayStart: localMidnight(h.now, timezone) };
  h.ports.trading.putRisk(uow, { ...risk, state: day, version: 1 }, undefined);
  scheduleDailyReset(h.ports.due, uow, account, h.ctx.env, nextLocalMidnight(h.now, timezone));
  uow.audit({
    action: 'account.create',
    resource: `account/${accountId}`,
    after: { ...account, ...(body.reason ? { reason: body.reason } : {}), ...h.client },
  });
  await uow.commit();
  return {
    status: 201,
    body: accountView(account),
    headers: { ETag: etag(account.version), Location: `/v1/accounts/${accountId}` },
  };
};

function defaultSimulation() {
  return {
    initialBalance: '10000',
    currency: 'USD',
    slippageBps: 5,
    commission: { perShare: 0, rate: 0, fixed: 0, minimum: 0 },
    latencyMs: 0,
    fillProbability: 1,
    partialFillProbability: 0,
    seed: 1,
  };
}

export const listAccounts: TradingHandler<R['listAccounts']> = async ({ query }, h) => {
  const page = await h.ports.trading.listAccounts(query);
  return { status: 200, body: { items: page.items.map(accountView), nextCursor: page.nextCursor } };
};

export const getAccount: TradingHandler<R['getAccount']> = async ({ params }, h) => {
  const account = await loadAccount(h.ports.trading, params.accountId);
  return { status: 200, body: accountView(account), headers: { ETag: etag(account.version) } };
};

const modeView = (a: Account) => ({ accountId: a.accountId, venue: a.venue, mode: a.mode, version: a.version });

export const getMode: TradingHandler<R['getMode']> = async ({ params }, h) => {
  const account = await loadAccount(h.ports.trading, params.accountId);
  return { status: 200, body: modeView(account), headers: { ETag: etag(account.version) } };
};

export const setMode: TradingHandler<R['setMode']> = async ({ params, body, ifMatch }, h) => {
  const before = await loadAccount(h.ports.trading, params.accountId);
  if (before.version !== ifMatch) throw preconditionFailed(`The account is at version ${before.version}`);
  if (body.mode === 'AUTONOMOUS' && before.venue !== 'SIMULATION') {
    if (before.venue === 'LIVE') requireLiveConsent(h, body, 'AUTONOMOUS trading on a LIVE account');
    if (!(await h.ports.hasBroker())) throw brokerNotConfigured();
  }
  if (body.mode === before.mode)
    return { status: 200, body: modeView(before), headers: { ETag: etag(before.version) } };
  const at = iso(h.now);
  const after: Account = { ...before, mode: body.mode, updatedAt: at, version: before.version + 1 };
  const change: ModeChange = {
    changeId: newChangeId(h.now),
    accountId: before.accountId,
    from: before.mode,
    to: body.mode,
    ...(body.reason ? { reason: body.reason } : {}),
    by: h.ctx.principal.id,
    at,
    ...h.client,
  };
  const uow = h.unitOfWork();
  h.ports.trading.updateAccount(uow, after, before.version);
  h.ports.trading.appendModeChange(uow, change);
  uow.audit({
    action: 'account.mode',
    resource: `account/${before.accountId}`,
    before: modeView(before),
    after: change,
  });
  await uow.commit();
  return { status: 200, body: modeView(after), headers: { ETag: etag(after.version) } };
};

export const modeHistory: TradingHandler<R['modeHistory']> = async ({ params, query }, h) => {
  await loadAccount(h.ports.trading, params.accountId);
  const page = await h.ports.trading.modeHistory(params.accountId, query);
  return { status: 200, body: page };
};

export const positions: TradingHandler<R['positions']> = async ({ params }, h) => {
  const account = await loadAccount(h.ports.trading, params.accountId);
  const { book } = await bookOf({ ...h.ports, now: h.now }, account.portfolioId);
  const record = await h.ports.trading.getRisk(account.accountId);
  const items = [];
  for (const position of Object.values(book.positions)) {
    const price = record?.lastPrices[position.symbol];
    const f = holdingFigures(position, price);
    if (f.quantity === '0') continue;
    const bracket = record?.brackets[position.symbol];
    items.push({
      symbol: position.symbol,
      quantity: f.quantity,
      averageCost: f.averageCost,
      ...(price ? { price, marketValue: f.marketValue } : {}),
      ...(bracket
        ? {
            bracket: {
              ...(bracket.stopLoss ? { stopLoss: bracket.stopLoss } : {}),
              ...(bracket.takeProfit ? { takeProfit: bracket.takeProfit } : {}),
            },
          }
        : {}),
    });
  }
  return {
    status: 200,
    body: { accountId: account.accountId, portfolioId: account.portfolioId, cash: book.cash, items },
  };
};

export const postPrices: TradingHandler<R['postPrices']> = async ({ params, body }, h) => {
  const account = await loadAccount(h.ports.trading, params.accountId);
  const result = await processPrices(tradingDeps(h), account, body.prices);
  return {
    status: 200,
    body: {
      accountId: account.accountId,
      fills: result.fills,
      tradingState: tradingStateOf(result.record),
      equity: String(result.record.state.equity),
    },
  };
};

export const resetAccount: TradingHandler<R['resetAccount']> = async ({ params, body }, h) => {
  const deps = tradingDeps(h);
  const before = await loadAccount(h.ports.trading, params.accountId);
  if (before.venue !== 'SIMULATION' || !before.simulation) {
    throw new AppError(422, 'NOT_A_SIMULATION', 'Only SIMULATION accounts can be reset');
  }
  for (const order of await h.ports.trading.openOrders(before.accountId)) await cancelOrder(deps, order.orderId);
  const at = iso(h.now);
  const sim = before.simulation;
  const fresh: Portfolio = {
    portfolioId: newPortfolioId(h.now),
    tenantId: h.ctx.tenantId,
    projectId: before.projectId,
    name: `${before.name} (simulation, reset ${at.slice(0, 10)})`,
    baseCurrency: sim.currency,
    cash: formatMoney(sim.initialBalance, sim.currency),
    description: `Funded by the reset of SIMULATION account ${before.accountId}: ${body.reason}`,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  const after: Account = { ...before, portfolioId: fresh.portfolioId, updatedAt: at, version: before.version + 1 };
  await withRetries(async () => {
    const record = await h.ports.trading.getRisk(before.accountId);
    const uow = h.unitOfWork();
    h.ports.portfolios.create(uow, fresh);
    h.ports.trading.updateAccount(uow, after, before.version);
    const next = initialRisk(after, fresh.cash, h.now);
    h.ports.trading.putRisk(uow, { ...next, version: (record?.version ?? 0) + 1 }, record?.version);
    uow.audit({
      action: 'account.reset',
      resource: `account/${before.accountId}`,
      before: { portfolioId: before.portfolioId, risk: record?.state },
      after: { portfolioId: fresh.portfolioId, reason: body.reason },
    });
    await uow.commit();
  });
  return { status: 200, body: accountView(after), headers: { ETag: etag(after.version) } };
};

// --- settings -------------------------------------------------------------------------------

export const getSettings: SettingsHandler<R['getSettings']> = async (_input, h) => {
  const settings = await currentSettings(h.ports.trading);
  return { status: 200, body: settingsView(settings), headers: { ETag: etag(settings.version) } };
};

export const putSettings: SettingsHandler<R['putSettings']> = async ({ body, ifMatch }, h) => {
  const settings = await replaceSettings(
    { store: h.ports.trading, unitOfWork: h.unitOfWork, now: h.now, actor: h.ctx.principal.id },
    body,
    ifMatch,
  );
  return { status: 200, body: settingsView(settings), headers: { ETag: etag(settings.version) } };
};

export const settingsHistory: SettingsHandler<R['settingsHistory']> = async ({ query }, h) => {
  return { status: 200, body: await h.ports.trading.settingsHistory(query) };
};

export const hardLimits: SettingsHandler<R['hardLimits']> = async () => ({
  status: 200,
  body: {
    limits: { ...HARD_LIMITS },
    notes: {
      maxDrawdownPct: 'an order is rejected, and the account halted, when drawdown from peak equity is ≥ this %',
      maxOpenPositions: 'strategy orders are rejected when this many positions are open (working orders count)',
      maxTradesPerDay: 'filled strategy orders this UTC day',
      maxTradesPerHour: 'filled strategy orders in the last 60 minutes',
      maxPositionLots: 'only for instruments with a lot size (FX, CFDs, futures)',
      maxPositionPctOfEquity: "a strategy order's notional against equity",
      minRiskReward: '(target − entry) / (entry − stop) for a long',
      maxConsecutiveLosses: 'a strategy is disabled after this many losses in a row',
      maxDailyLossPct: "today's realised loss against the day's starting equity",
      maxRiskPerTradePct: 'quantity × |entry − stop| against equity',
    },
  },
});

// --- risk -----------------------------------------------------------------------------------

export const validate: TradingHandler<R['validate']> = async ({ body }, h) => {
  const result = await placeOrder(tradingDeps(h), body, { dryRun: true });
  const decision = result.decision;
  return { status: 200, body: decision };
};

async function recordOf(
  store: TradingStore,
  h: RequestParts,
  accountId: string,
): Promise<{ account: Account; record: RiskRecord }> {
  const account = await loadAccount(store, accountId);
  const { book } = await bookOf({ ...h.ports, now: h.now }, account.portfolioId);
  return { account, record: await riskOf(store, account, book, h.now) };
}

export const riskState: TradingHandler<R['riskState']> = async ({ query }, h) => {
  const { record } = await recordOf(h.ports.trading, h, query.accountId);
  const settings = await currentSettings(h.ports.trading);
  return { status: 200, body: riskView(record, settings, h.now) };
};

export const decisions: TradingHandler<R['decisions']> = async ({ query }, h) => {
  const page = await h.ports.trading.listDecisions({
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
    ...(query.accountId ? { accountId: query.accountId } : {}),
    ...(query.approved ? { approved: query.approved === 'true' } : {}),
  });
  return { status: 200, body: page };
};

export const budgets: TradingHandler<R['budgets']> = async ({ query }, h) => {
  const { record } = await recordOf(h.ports.trading, h, query.accountId);
  const settings = await currentSettings(h.ports.trading);
  const names = new Set([
    ...Object.keys(record.state.strategies),
    ...settings.enabledStrategies,
    ...Object.keys(settings.strategyBudgets),
  ]);
  return {
    status: 200,
    body: { accountId: record.accountId, items: [...names].sort().map((n) => strategyView(record, settings, n)) },
  };
};

/**
 * Rewrites one account's risk record through `change` (a race re-reads and retries), audited;
 * `also` stages more writes in the same unit of work (a halt's notices), seeing before and after.
 */
async function changeRisk(
  store: TradingStore,
  h: RequestParts,
  accountId: string,
  action: string,
  change: (record: RiskRecord) => RiskRecord,
  also?: (uow: UnitOfWork, before: RiskRecord, after: RiskRecord) => Promise<void>,
): Promise<RiskRecord> {
  return withRetries(async () => {
    const record = await store.getRisk(accountId);
    if (!record) throw new AppError(404, 'ACCOUNT_NOT_FOUND', `No risk state for account ${accountId}`);
    const next = { ...change(record), version: record.version + 1, updatedAt: iso(h.now) };
    const uow = h.unitOfWork();
    store.putRisk(uow, next, record.version);
    uow.audit({
      action,
      resource: `account/${accountId}`,
      before: { emergencyShutdown: record.state.emergencyShutdown, reduceOnly: record.reduceOnly },
      after: { emergencyShutdown: next.state.emergencyShutdown, reduceOnly: next.reduceOnly, ...h.client },
    });
    await also?.(uow, record, next);
    await uow.commit();
    return next;
  });
}

export const reenableStrategy: TradingHandler<R['enableStrategy']> = async ({ params, body }, h) => {
  await loadAccount(h.ports.trading, body.accountId);
  const record = await changeRisk(h.ports.trading, h, body.accountId, 'risk.strategy.enable', (r) => ({
    ...r,
    state: enableStrategy(r.state, params.strategy, { by: h.ctx.principal.id, reason: body.reason, now: h.now }),
  }));
  return { status: 200, body: riskView(record, await currentSettings(h.ports.trading), h.now) };
};

export const halt: TradingHandler<R['halt']> = async ({ body }, h) => {
  const targets = body.accountId
    ? [{ accountId: (await loadAccount(h.ports.trading, body.accountId)).accountId, projectId: h.ctx.projectId ?? '' }]
    : await h.ports.trading.tenantAccounts();
  const halted = [];
  const notices = h.ports.notices();
  const told: NotificationRecord[] = [];
  for (const target of targets) {
    const store = target.projectId === h.ctx.projectId ? h.ports.trading : h.ports.trading.inProject(target.projectId);
    if (!(await store.getRisk(target.accountId))) continue;
    const account = await store.getAccount(target.accountId);
    const reason = `halted by ${h.ctx.principal.id}: ${body.reason}`;
    // the halt's notices commit with it: only the request that moves the account into the halt tells anyone
    let staged: NotificationRecord[] = [];
    const record = await changeRisk(
      store,
      h,
      target.accountId,
      body.reduceOnly ? 'risk.reduce-only' : 'risk.halt',
      (r) =>
        body.reduceOnly
          ? { ...r, reduceOnly: true }
          : { ...r, state: triggerEmergencyShutdown(r.state, { reason, now: h.now }) },
      async (uow, before, after) => {
        staged = account ? await stageHaltNotices(notices, store, uow, { account, before, after, reason }) : [];
      },
    );
    told.push(...staged);
    halted.push({
      accountId: target.accountId,
      tradingState: tradingStateOf(record),
    });
  }
  await notices?.deliver(told);
  return { status: 200, body: { halted } };
};

export const emergencyReset: TradingHandler<R['emergencyReset']> = async ({ body }, h) => {
  await loadAccount(h.ports.trading, body.accountId);
  const record = await changeRisk(h.ports.trading, h, body.accountId, 'risk.emergency.reset', (r) => ({
    ...r,
    reduceOnly: false,
    state: resetEmergencyShutdown(r.state, {
      by: h.ctx.principal.id,
      reason: body.reason,
      now: h.now,
      rebasePeak: body.rebasePeak,
    }),
  }));
  return { status: 200, body: riskView(record, await currentSettings(h.ports.trading), h.now) };
};

// --- orders ---------------------------------------------------------------------------------

const orderView = (o: Order) => {
  const { stopTriggered: _t, lotSize: _l, ...rest } = o;
  return rest;
};

export const createOrder: TradingHandler<R['createOrder']> = async ({ body }, h) => {
  const result = await placeOrder(tradingDeps(h), body);
  if (result.kind !== 'order') throw new Error('an order placement answered a dry run');
  return { status: 201, body: orderView(result.order), headers: { Location: `/v1/orders/${result.order.orderId}` } };
};

export const listOrders: TradingHandler<R['listOrders']> = async ({ query }, h) => {
  const page = await h.ports.trading.listOrders(query);
  return { status: 200, body: { items: page.items.map(orderView), nextCursor: page.nextCursor } };
};

export const getOrder: TradingHandler<R['getOrder']> = async ({ params }, h) => {
  return { status: 200, body: orderView(await loadOrder(h.ports.trading, params.orderId)) };
};

export const cancelWorkingOrder: TradingHandler<R['cancelOrder']> = async ({ params }, h) => {
  return { status: 200, body: orderView(await cancelOrder(tradingDeps(h), params.orderId)) };
};

// --- journal --------------------------------------------------------------------------------

/** Both kinds of entry, the caller's notes only: journal-handlers.ts. */
export const journal: TradingHandler<R['journal']> = (input, h) => listEntries(input, h);

export const journalStatsOf: TradingHandler<R['journalStats']> = async ({ query }, h) => {
  const trades = await h.ports.trading.closedTrades(query);
  const stats = journalStats(
    trades.map((t) => ({
      pnl: t.realisedPnl ?? '0',
      closedAt: t.at,
      symbol: t.symbol,
      ...(t.strategy ? { strategy: t.strategy } : {}),
    })),
  );
  return { status: 200, body: stats };
};

// --- jobs -----------------------------------------------------------------------------------

function scheduleDailyReset(
  due: TradingPorts['due'],
  uow: UnitOfWork,
  account: Account,
  env: RequestContext['env'],
  atMs: number,
) {
  due.schedule(uow, {
    job: jobs.dailyReset.id,
    tenantId: account.tenantId,
    env,
    projectId: account.projectId,
    workId: `${account.accountId}#day`,
    dueAt: iso(atMs),
    payload: { accountId: account.accountId },
  });
}

/** Starts the account's trading day at the tenant's local midnight, then books the next one. */
export const resetTradingDay: TradingJobHandler<(typeof jobs)['dailyReset']> = async (payload, h) => {
  const account = await h.ports.trading.getAccount(payload.accountId);
  if (!account) return 'skipped';
  const { timezone } = await currentSettings(h.ports.trading);
  const midnight = localMidnight(h.now, timezone);
  await withRetries(async () => {
    const record = await h.ports.trading.getRisk(account.accountId);
    if (!record) return;
    const state = startRiskDay(record.state, midnight);
    const uow = h.unitOfWork();
    if (state !== record.state) {
      h.ports.trading.putRisk(
        uow,
        { ...record, state, version: record.version + 1, updatedAt: iso(h.now) },
        record.version,
      );
      uow.audit({
        action: 'risk.day',
        resource: `account/${account.accountId}`,
        after: { dayStart: iso(midnight), timezone },
      });
    }
    scheduleDailyReset(h.ports.due, uow, account, h.envelope.env, nextLocalMidnight(h.now, timezone));
    await uow.commit();
  });
  const deps = tradingDeps({ ...h, tenantId: h.envelope.tenantId, env: h.envelope.env, actor: 'scheduler' });
  await expireDayOrders(deps, account);
  return 'processed';
};

/** A submission the broker still does not know after this long never reached it. */
const NEVER_ARRIVED_MS = 5 * 60_000;

/** Compares an account's working orders with its broker, then re-schedules itself while any still work. */
export const syncOrders: TradingJobHandler<(typeof jobs)['orderSync']> = async (payload, h) => {
  const account = await h.ports.trading.getAccount(payload.accountId);
  if (!account || account.venue === 'SIMULATION') return 'skipped';
  const deps = tradingDeps({
    ...h,
    ctx: undefined,
    tenantId: h.envelope.tenantId,
    env: h.envelope.env,
    actor: 'scheduler',
  });
  const broker = await h.ports.broker(account);
  const open = (await h.ports.trading.listOrders({ accountId: account.accountId, status: 'open', limit: 200 })).items;
  for (const order of open) {
    const seen = order.brokerOrderId
      ? await broker.order(order.brokerOrderId)
      : await broker.orderByClientId(order.clientOrderId);
    if (seen) await syncBrokerOrder(deps, account, order.orderId, seen);
    else if (order.status === 'pending' && h.now - Date.parse(order.createdAt) > NEVER_ARRIVED_MS) {
      await endOrder(
        deps,
        order.orderId,
        'rejected',
        `${broker.name} has no order ${order.clientOrderId}: it never arrived`,
      );
    }
  }
  const still = (await h.ports.trading.listOrders({ accountId: account.accountId, status: 'open', limit: 1 })).items;
  if (still.length) {
    const uow = h.unitOfWork();
    h.ports.due.schedule(uow, {
      job: jobs.orderSync.id,
      tenantId: h.envelope.tenantId,
      env: h.envelope.env,
      projectId: account.projectId,
      workId: account.accountId,
      dueAt: iso(h.now + ORDER_SYNC_INTERVAL_MS),
      payload: { accountId: account.accountId },
    });
    await uow.commit();
  }
  return 'processed';
};

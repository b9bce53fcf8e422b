import { cashCheck, quantityCheck, validateAllocationOrder } from '@ballast/core/execution/index.js';
import { positionQuantity } from '@ballast/core/ledger/figures.js';
import type { BookState } from '@ballast/core/ledger/types.js';
import { decimalString, money } from '@ballast/core/money.js';
import type { RiskLimits } from '@ballast/core/risk/limits.js';
import type { AccountRiskState } from '@ballast/core/risk/state.js';
import { type RiskCheck, type RiskDecision, validateTrade } from '@ballast/core/risk/validator.js';
import type { OrderBody } from './schemas.js';
import { equityOf, freeCash, freeQuantity, gateState, tradingStateOf } from './risk.js';
import type { OrderIntent, RiskRecord, Settings } from './store.js';

/** What the allocation set learns from the planning context (rebalancing passes it; a plain order has none). */
export interface AllocationContext {
  exclusion?: { reason: string };
  category?: { name: string; maxSinglePositionPct: number };
}

export type GateOrder = Pick<
  OrderBody,
  'symbol' | 'side' | 'quantity' | 'stopLoss' | 'takeProfit' | 'strategy' | 'lotSize'
> & { intent?: OrderIntent };

export interface GateInput {
  order: GateOrder;
  /** the price it is expected to fill at */
  price: string;
  record: RiskRecord;
  settings: Settings;
  limits: Readonly<RiskLimits>;
  book: BookState;
  nowMs: number;
  allocation?: AllocationContext;
}

export interface GateResult {
  intent: OrderIntent;
  decision: RiskDecision;
  /** what the decision was made on, recorded with it */
  inputs: Record<string, unknown>;
}

/** An order naming a strategy is a strategy order; anything else (rebalancing, DCA, a plain order) is allocation. */
export const intentOf = (order: GateOrder): OrderIntent => order.intent ?? (order.strategy ? 'strategy' : 'allocation');

function held(book: BookState, symbol: string): string {
  return Object.hasOwn(book.positions, symbol) ? positionQuantity(book.positions[symbol]) : '0';
}

/**
 * The pre-trade gate: the check set the order's intent chooses, on the account's state with every
 * working order counted. Pure: the caller records the decision (and applies its effects).
 */
export function decide(input: GateInput): GateResult {
  const { order, record, settings, book, nowMs, limits } = input;
  const intent = intentOf(order);
  const tradingState = tradingStateOf(record);
  const state = gateState(record, nowMs);
  const quantity = money(order.quantity);
  const price = money(input.price);
  const notional = quantity.times(price);
  const holding = held(book, order.symbol);
  const freeHeld = freeQuantity(record, order.symbol, holding);
  const cash = freeCash(book, record);
  const reducesPosition = order.side === 'sell' && quantity.lte(freeHeld);
  const inputs: Record<string, unknown> = {
    intent,
    symbol: order.symbol,
    side: order.side,
    quantity: order.quantity,
    price: input.price,
    notional: decimalString(notional),
    tradingState,
    equity: state.equity,
    peakEquity: state.peakEquity,
    dailyPnl: state.dailyPnl,
    openPositions: state.openPositions,
    cashAvailable: decimalString(cash),
    held: decimalString(freeHeld),
    limits,
    ...(order.strategy ? { strategy: order.strategy } : {}),
  };

  if (intent === 'allocation') {
    const value = equityOf(book, { ...record.lastPrices, [order.symbol]: input.price });
    const decision = validateAllocationOrder(
      {
        side: order.side,
        symbol: order.symbol,
        quantity,
        price,
        cashAvailable: cash,
        positionQuantity: freeHeld,
        portfolioValue: value,
        ...(input.allocation?.exclusion ? { exclusion: input.allocation.exclusion } : {}),
        ...(input.allocation?.category ? { category: input.allocation.category } : {}),
        ...(settings.maxOrderNotional ? { maxOrderNotional: settings.maxOrderNotional } : {}),
      },
      tradingState,
      state,
      limits,
      nowMs,
    );
    return { intent, decision, inputs: { ...inputs, portfolioValue: decimalString(value), ...input.allocation } };
  }

  const strategy = order.strategy ?? 'unknown';
  const enabled = settings.enabledStrategies.includes(strategy);
  const prior = Object.hasOwn(state.strategies, strategy) ? state.strategies[strategy] : undefined;
  const gated: AccountRiskState = enabled
    ? state
    : {
        ...state,
        strategies: {
          ...state.strategies,
          [strategy]: {
            consecutiveLosses: prior?.consecutiveLosses ?? 0,
            wins: prior?.wins ?? 0,
            losses: prior?.losses ?? 0,
            realisedPnl: prior?.realisedPnl ?? '0',
            disabled: true,
            disabledReason: 'not enabled in the trading settings',
          },
        },
      };
  const base = validateTrade(
    {
      strategyId: strategy,
      symbol: order.symbol,
      side: order.side === 'buy' ? 'long' : 'short',
      quantity,
      entry: price,
      stop: order.stopLoss ?? '0',
      target: order.takeProfit ?? '0',
      ...(order.lotSize ? { lotSize: order.lotSize } : {}),
    },
    gated,
    limits,
    nowMs,
    { tradingState, reducesPosition },
  );
  const extra: RiskCheck[] = [];
  const budget = Object.hasOwn(settings.strategyBudgets, strategy) ? settings.strategyBudgets[strategy] : undefined;
  if (budget !== undefined) {
    const used = money(record.strategyExposure[strategy] ?? '0');
    const after = used.plus(order.side === 'buy' ? notional : 0);
    // a sale only lowers the strategy's exposure: a stopped strategy (budget 0) may still close
    const passed = order.side === 'sell' || after.lte(money(budget));
    extra.push({
      id: 'strategyBudget',
      step: 11,
      name: "Within the strategy's budget",
      value: after.toNumber(),
      limit: money(budget).toNumber(),
      passed,
      detail: `${strategy} would hold ${decimalString(after)} of its budget ${budget}`,
    });
  }
  // cash for a buy, quantity for a sell: the allocation set's own checks
  extra.push(
    order.side === 'buy' ? cashCheck('buy', notional, cash, 12) : quantityCheck('sell', quantity, freeHeld, 12),
  );
  // SPEC order: the breaker (1) is decisive before the trading state it implies
  const stateCheck = base.checks.filter((c) => c.id === 'tradingState');
  const nine = base.checks.filter((c) => c.id !== 'tradingState');
  const checks = [...nine.slice(0, 1), ...stateCheck, ...nine.slice(1), ...extra];
  const first = checks.find((c) => !c.passed);
  const decision: RiskDecision = {
    approved: first === undefined,
    checks,
    ...(first ? { firstFailure: first.id } : {}),
    effects: base.effects,
    at: base.at,
  };
  return { intent, decision, inputs };
}

import type {
  BrokerAccount,
  BrokerOrder,
  BrokerOrderRequest,
  BrokerOrderState,
  BrokerOrderType,
  BrokerPosition,
} from '@ballast/app/trading/broker.js';
import { isDecimalString } from '@ballast/core/decimal-grammar.js';
import * as z from 'zod/mini';

/**
 * Alpaca's JSON (../../../../../../shared/VENDORS.md) and its mapping onto the broker port. Numbers
 * are decimal strings both ways; absent fields are null in Alpaca's answers.
 */

const decimal = z.string().check(z.refine(isDecimalString, 'a decimal string'));
const maybe = <T extends z.ZodMiniType>(schema: T) => z.optional(z.nullable(schema));

export const orderBody = z.object({
  id: z.string().check(z.minLength(1)),
  client_order_id: z.string(),
  symbol: z.string().check(z.minLength(1)),
  side: z.enum(['buy', 'sell']),
  type: z.string(),
  status: z.string().check(z.minLength(1)),
  // null on a notional order
  qty: maybe(decimal),
  filled_qty: decimal,
  filled_avg_price: maybe(decimal),
  limit_price: maybe(decimal),
  stop_price: maybe(decimal),
  submitted_at: maybe(z.string()),
  updated_at: maybe(z.string()),
  filled_at: maybe(z.string()),
});
export type AlpacaOrder = z.infer<typeof orderBody>;

export const accountBody = z.object({
  account_number: maybe(z.string()),
  currency: maybe(z.string()),
  cash: decimal,
  equity: decimal,
  buying_power: decimal,
  trading_blocked: maybe(z.boolean()),
  account_blocked: maybe(z.boolean()),
});

export const positionsBody = z.array(
  z.object({
    symbol: z.string().check(z.minLength(1)),
    qty: decimal,
    side: z.enum(['long', 'short']),
    avg_entry_price: decimal,
    market_value: maybe(decimal),
    current_price: maybe(decimal),
  }),
);

/** Alpaca's error body: `{"code": <8 digits>, "message": "…"}`, sometimes with figures beside them. */
export const errorBody = z.object({
  code: z.optional(z.number()),
  message: z.optional(z.string()),
});

/**
 * Vendor status → Ballast state. `done_for_day` is still open (it may trade tomorrow), and so is
 * every pending_* word: only the broker's last word closes an order. A word this list has never
 * seen is kept open too (`submitted`), so the order is polled again rather than closed wrongly.
 */
const STATES: Readonly<Record<string, BrokerOrderState>> = {
  new: 'submitted',
  accepted: 'submitted',
  pending_new: 'submitted',
  accepted_for_bidding: 'submitted',
  calculated: 'submitted',
  pending_cancel: 'submitted',
  pending_replace: 'submitted',
  stopped: 'submitted',
  suspended: 'submitted',
  done_for_day: 'submitted',
  held: 'submitted',
  partially_filled: 'partially_filled',
  filled: 'filled',
  canceled: 'cancelled',
  replaced: 'cancelled',
  expired: 'expired',
  rejected: 'rejected',
};

export const stateOf = (status: string): BrokerOrderState => STATES[status] ?? 'submitted';

/** The port has no trailing stop: one placed elsewhere reads as the stop order it is. */
const typeOf = (type: string): BrokerOrderType | undefined =>
  type === 'market' || type === 'limit' || type === 'stop' || type === 'stop_limit'
    ? type
    : type === 'trailing_stop'
      ? 'stop'
      : undefined;

/** Alpaca's RFC 3339 times (microseconds) → ISO 8601 UTC; undefined when absent or unreadable. */
function isoOf(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

const isZero = (text: string) => /^-?0(?:\.0+)?$/.test(text);

function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** undefined when the order has a type the port cannot name */
export function brokerOrderOf(order: AlpacaOrder): BrokerOrder | undefined {
  const type = typeOf(order.type);
  if (!type) return undefined;
  return compact({
    brokerOrderId: order.id,
    clientOrderId: order.client_order_id,
    symbol: order.symbol,
    side: order.side,
    type,
    venueStatus: order.status,
    state: stateOf(order.status),
    quantity: order.qty ?? order.filled_qty,
    filledQuantity: order.filled_qty,
    filledAveragePrice: order.filled_avg_price && !isZero(order.filled_qty) ? order.filled_avg_price : undefined,
    limitPrice: order.limit_price ?? undefined,
    stopPrice: order.stop_price ?? undefined,
    submittedAt: isoOf(order.submitted_at),
    updatedAt: isoOf(order.updated_at),
    filledAt: isoOf(order.filled_at),
  });
}

export function brokerAccountOf(account: z.infer<typeof accountBody>): BrokerAccount {
  return compact({
    accountNumber: account.account_number ?? undefined,
    currency: account.currency || 'USD',
    cash: account.cash,
    equity: account.equity,
    buyingPower: account.buying_power,
    tradingBlocked: Boolean(account.trading_blocked || account.account_blocked),
  });
}

export function brokerPositionsOf(positions: z.infer<typeof positionsBody>): BrokerPosition[] {
  return positions.map((position) =>
    compact({
      symbol: position.symbol,
      quantity: position.qty,
      side: position.side,
      averageEntryPrice: position.avg_entry_price,
      marketValue: position.market_value ?? undefined,
      currentPrice: position.current_price ?? undefined,
    }),
  );
}

/**
 * The POST /v2/orders body. A take-profit with a stop-loss is a bracket; either alone rides on
 * the entry as `oto` (one triggers the other).
 */
export function orderRequestBody(request: BrokerOrderRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {
    symbol: request.symbol,
    qty: request.quantity,
    side: request.side,
    type: request.type,
    time_in_force: request.timeInForce,
    client_order_id: request.clientOrderId,
  };
  if (request.limitPrice !== undefined) body.limit_price = request.limitPrice;
  if (request.stopPrice !== undefined) body.stop_price = request.stopPrice;
  if (request.takeProfit || request.stopLoss) {
    body.order_class = request.takeProfit && request.stopLoss ? 'bracket' : 'oto';
    if (request.takeProfit) body.take_profit = { limit_price: request.takeProfit.limitPrice };
    if (request.stopLoss) {
      body.stop_loss =
        request.stopLoss.limitPrice === undefined
          ? { stop_price: request.stopLoss.stopPrice }
          : { stop_price: request.stopLoss.stopPrice, limit_price: request.stopLoss.limitPrice };
    }
  }
  return body;
}

/** Why a request cannot be sent as it is, or undefined when it can. */
export function requestProblem(request: BrokerOrderRequest): string | undefined {
  const id = request.clientOrderId;
  if (typeof id !== 'string' || id.length < 1 || id.length > 48) return 'clientOrderId must be 1 to 48 characters';
  if (typeof request.symbol !== 'string' || !request.symbol.trim()) return 'symbol is required';
  const positive = (value: unknown) => isDecimalString(value) && !value.startsWith('-') && !isZero(value);
  if (!positive(request.quantity)) return 'quantity must be a positive decimal string';
  const prices: [string, unknown][] = [
    ['limitPrice', request.limitPrice],
    ['stopPrice', request.stopPrice],
    ['takeProfit.limitPrice', request.takeProfit?.limitPrice],
    ['stopLoss.stopPrice', request.stopLoss?.stopPrice],
    ['stopLoss.limitPrice', request.stopLoss?.limitPrice],
  ];
  for (const [name, value] of prices) {
    if (value !== undefined && !positive(value)) return `${name} must be a positive decimal string`;
  }
  if (request.takeProfit && request.takeProfit.limitPrice === undefined) return 'takeProfit needs a limitPrice';
  if (request.stopLoss && request.stopLoss.stopPrice === undefined) return 'stopLoss needs a stopPrice';
  return undefined;
}

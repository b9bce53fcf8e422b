import { type D, Dec } from '@ballast/core/money.js';
import { createHash, randomUUID } from 'node:crypto';
import { instrumentOf } from './catalogue.js';
import {
  type FakeRequest,
  type FakeResponse,
  type FakeVendorServer,
  minuteAllowance,
  startFakeServer,
} from './fake-server.js';
import { deterministicQuote, fakeAssetClass } from './prices.js';

/**
 * A fake Alpaca trading API (paper-api.alpaca.markets) speaking its real shapes
 * (../../../../../shared/VENDORS.md): orders, the account and positions of one paper account.
 *
 * - Auth: both `APCA-API-KEY-ID` and `APCA-API-SECRET-KEY` must match, else 403 `{"message":"forbidden."}`.
 * - `POST /v2/orders` validates as Alpaca does (qty xor notional; limit needs limit_price, stop
 *   needs stop_price; sub-penny prices and a client_order_id over 48 characters or used before
 *   → 422; a buy costing more than the buying power left → 403 insufficient buying power; a sell
 *   of more than is held → 403 insufficient qty — shorting is off). An accepted market order
 *   fills at once at the current price (unless `autoFillMarket: false`); other orders fill when
 *   marketable at the current price, at it: on arrival, or when `setPrice` crosses them.
 *   ioc/fok orders that cannot fill on arrival are canceled. Bracket / oto legs are held until
 *   their entry fills, then rest; when one of a bracket's legs fills the other is canceled.
 * - Open buys reserve buying power; sells free it (and add cash) only when they fill.
 * - Orders: `GET /v2/orders` (status open|closed|all, limit ≤ 500, after/until, direction,
 *   nested, symbols, side), `GET /v2/orders:by_client_order_id`, `GET|PATCH|DELETE /v2/orders/{id}`
 *   (PATCH replaces: a new order, the old one `replaced`; DELETE answers 204, or 422 when the
 *   order is done). `GET /v2/account`, `GET /v2/positions`, `GET /v2/positions/{symbol}`.
 * - Times are RFC 3339 with microseconds, as Alpaca writes them; numbers are strings.
 *
 * Not modelled: market hours, day orders expiring (see `expire`), margin, extended-hours fills,
 * the trade_updates stream, oco orders.
 */

export const FAKE_ALPACA_KEY_ID = 'PKFAKELOCAL0000000001';
export const FAKE_ALPACA_SECRET = 'fake-local-alpaca-secret-000000000000000';

const DEFAULT_CASH = '100000';
/** how long a 'timeout-after-accept' answer is held, unless the client goes first */
const DEFAULT_HOLD_MS = 30_000;
const ACCOUNT_ID = 'f1a3a1c8-0000-4000-8000-00000fa4e001';
const ACCOUNT_NUMBER = 'PA3FAKELOCAL';
const ACCOUNT_CREATED_AT = '2024-01-02T14:30:00.000000Z';

export interface AlpacaOrderJson {
  id: string;
  client_order_id: string;
  created_at: string;
  updated_at: string;
  submitted_at: string;
  filled_at: string | null;
  expired_at: string | null;
  canceled_at: string | null;
  failed_at: string | null;
  replaced_at: string | null;
  replaced_by: string | null;
  replaces: string | null;
  asset_id: string;
  symbol: string;
  asset_class: string;
  notional: string | null;
  qty: string | null;
  filled_qty: string;
  filled_avg_price: string | null;
  order_class: string;
  type: string;
  side: string;
  time_in_force: string;
  limit_price: string | null;
  stop_price: string | null;
  status: string;
  extended_hours: boolean;
  legs: AlpacaOrderJson[] | null;
  trail_percent: string | null;
  trail_price: string | null;
  hwm: string | null;
}

/**
 * What `failNext` can make the next requests do. `rate-limit` and `server-error` answer any
 * request; the others the next `POST /v2/orders`. `timeout-after-accept` and
 * `server-error-after-accept` place the order first, then hold the answer past the client's
 * timeout / answer a 500.
 */
export type FakeAlpacaFailure =
  | 'timeout-after-accept'
  | 'server-error-after-accept'
  | 'duplicate'
  | 'reject-buying-power'
  | 'server-error'
  | 'rate-limit';

export interface FakeAlpacaOptions {
  /** its clock: order times, and the default prices (deterministicQuote at now) */
  now?: () => number;
  /** the price of a symbol, when not set by `setPrice`; default deterministicQuote's */
  price?: (symbol: string) => string;
  /** the account's buying power before any order; default "100000" */
  buyingPower?: string;
  /** the account's cash before any order; default "100000" */
  cash?: string;
  /** fill accepted market orders at once (default true); false leaves them `new` until `fill` */
  autoFillMarket?: boolean;
  /** Alpaca's own limit (200 a minute per key) when set; unlimited when absent */
  requestsPerMinute?: number;
  /** how long 'timeout-after-accept' holds its answer (default 30 s; the client leaving ends it sooner) */
  holdMs?: number;
}

export interface FakeAlpaca extends FakeVendorServer {
  /** the symbol's price from now on; open orders it makes marketable fill at it */
  setPrice(symbol: string, price: string): void;
  /** the orders it holds (legs nested under their entry), oldest first */
  orders(): AlpacaOrderJson[];
  /** how many POST /v2/orders it received, scripted and refused ones included */
  ordersPosted(): number;
  /** fills an open order: all that is left, or `qty` of it (partially_filled), at `price` or the current price */
  fill(orderId: string, qty?: string, price?: string): AlpacaOrderJson;
  /** the broker rejects an open order */
  reject(orderId: string): AlpacaOrderJson;
  /** an open order expires (a day order at the close) */
  expire(orderId: string): AlpacaOrderJson;
  setBuyingPower(value: string): void;
  failNext(kind: FakeAlpacaFailure, times?: number): void;
  /** forgets orders, positions, prices set, failures queued and scripts; cash and buying power back to the start */
  reset(): void;
}

interface Held {
  json: AlpacaOrderJson;
  /** the quantity ordered (for a notional order, what its notional bought at its first fill) */
  total?: D;
  legs: Held[];
  parent?: Held;
  /** a stop_limit whose stop was reached */
  triggered: boolean;
}

interface Position {
  qty: D;
  avg: D;
}

const OPEN = new Set([
  'new',
  'partially_filled',
  'accepted',
  'pending_new',
  'held',
  'done_for_day',
  'accepted_for_bidding',
  'pending_cancel',
  'pending_replace',
  'stopped',
  'suspended',
  'calculated',
]);
const SIDES = new Set(['buy', 'sell']);
const TYPES = new Set(['market', 'limit', 'stop', 'stop_limit', 'trailing_stop']);
const TIME_IN_FORCE = new Set(['day', 'gtc', 'opg', 'cls', 'ioc', 'fok']);
const CLASSES = new Set(['simple', 'bracket', 'oco', 'oto']);
const DECIMAL = /^(?:0|[1-9]\d*)(?:\.\d+)?$/;

const alpacaTime = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z');
const decimalsOf = (text: string) => text.split('.')[1]?.length ?? 0;
const text = (d: D) => (d.isZero() ? '0' : d.toDecimalPlaces(9).toFixed());

/** A JSON number or decimal string as Alpaca reads it; undefined when absent, null when unreadable. */
function amountOf(value: unknown): string | undefined | null {
  if (value === undefined || value === null || value === '') return undefined;
  const raw = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  return typeof raw === 'string' && DECIMAL.test(raw.trim()) ? raw.trim() : null;
}

function assetIdOf(symbol: string): string {
  const hex = createHash('sha1').update(`alpaca-asset:${symbol}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const refusal = (status: number, code: number, message: string, extra: Record<string, unknown> = {}): FakeResponse => ({
  status,
  body: { ...extra, code, message },
});
const invalid = (message: string) => refusal(422, 40010000, message);
const notFound = (message: string) => refusal(404, 40410000, message);

export async function startFakeAlpaca(options: FakeAlpacaOptions = {}): Promise<FakeAlpaca> {
  const now = options.now ?? (() => Date.now());
  const autoFillMarket = options.autoFillMarket ?? true;
  const holdMs = options.holdMs ?? DEFAULT_HOLD_MS;
  const spend = minuteAllowance(options.requestsPerMinute, now);
  const startCash = new Dec(options.cash ?? DEFAULT_CASH);
  const startBuyingPower = new Dec(options.buyingPower ?? options.cash ?? DEFAULT_CASH);

  let cash = startCash;
  /** buying power before what open buys reserve */
  let buyingPower = startBuyingPower;
  let posted = 0;
  /** every order, legs too, by id; in the order they were placed */
  const byId = new Map<string, Held>();
  const positions = new Map<string, Position>();
  const prices = new Map<string, string>();
  const failures: { kind: FakeAlpacaFailure; times: number }[] = [];

  // --- prices and money --------------------------------------------------------------------------

  function priceText(symbol: string): string {
    const set = prices.get(symbol);
    if (set !== undefined) return set;
    if (options.price) return options.price(symbol);
    try {
      return deterministicQuote(symbol, new Date(now()).toISOString()).price;
    } catch {
      return '100.00';
    }
  }
  const priceOf = (symbol: string) => new Dec(priceText(symbol));

  const isOpen = (held: Held) => OPEN.has(held.json.status);
  const filledOf = (held: Held) => new Dec(held.json.filled_qty);
  /** what is still to fill; undefined for a notional order not filled yet */
  const remainingOf = (held: Held) => (held.total ? held.total.minus(filledOf(held)) : undefined);

  /** the money an open buy holds back: what is left of it at its limit (or stop, or the price) */
  function reservedBy(held: Held): D {
    const { json } = held;
    if (json.side !== 'buy' || !isOpen(held) || json.status === 'held') return new Dec(0);
    if (!held.total) return new Dec(json.notional ?? 0);
    const at = json.limit_price ?? json.stop_price ?? priceText(json.symbol);
    return (remainingOf(held) ?? new Dec(0)).times(at);
  }
  const available = () => [...byId.values()].reduce((left, held) => left.minus(reservedBy(held)), buyingPower);

  /** what of a symbol is not already promised to open sells */
  function sellable(symbol: string): D {
    const held = positions.get(symbol)?.qty ?? new Dec(0);
    let promised = new Dec(0);
    for (const order of byId.values()) {
      if (order.json.symbol !== symbol || order.json.side !== 'sell' || !isOpen(order)) continue;
      if (order.json.status === 'held') continue;
      promised = promised.plus(remainingOf(order) ?? new Dec(0));
    }
    return held.minus(promised);
  }

  function book(symbol: string, side: string, qty: D, price: D): void {
    const signed = side === 'buy' ? qty : qty.negated();
    const cost = qty.times(price);
    cash = side === 'buy' ? cash.minus(cost) : cash.plus(cost);
    buyingPower = side === 'buy' ? buyingPower.minus(cost) : buyingPower.plus(cost);
    const position = positions.get(symbol) ?? { qty: new Dec(0), avg: new Dec(0) };
    const after = position.qty.plus(signed);
    if (after.isZero()) {
      positions.delete(symbol);
      return;
    }
    const adding = position.qty.isZero() || position.qty.isPositive() === signed.isPositive();
    const crossed = !adding && after.isPositive() !== position.qty.isPositive();
    const avg = adding
      ? position.avg.times(position.qty.abs()).plus(cost).dividedBy(after.abs())
      : crossed
        ? price
        : position.avg;
    positions.set(symbol, { qty: after, avg });
  }

  // --- orders ----------------------------------------------------------------------------------------

  type TimeField = 'filled_at' | 'canceled_at' | 'expired_at' | 'failed_at' | 'replaced_at';
  function touch(held: Held, status: string, field?: TimeField) {
    const at = alpacaTime(now());
    held.json.status = status;
    held.json.updated_at = at;
    if (field) held.json[field] = at;
  }

  const CLOSED_AT = {
    canceled: 'canceled_at',
    expired: 'expired_at',
    rejected: 'failed_at',
    replaced: 'replaced_at',
  } as const;

  function close(held: Held, status: keyof typeof CLOSED_AT) {
    touch(held, status, CLOSED_AT[status]);
    for (const leg of held.legs) if (isOpen(leg)) touch(leg, 'canceled', 'canceled_at');
  }

  /** fills `qty` (at most what is left) at `price`, and what follows: legs wake up, a sibling leg goes */
  function fillOrder(held: Held, qty: D | undefined, price: D): void {
    const { json } = held;
    if (!held.total) held.total = new Dec(json.notional ?? 0).dividedBy(price).toDecimalPlaces(9, Dec.ROUND_DOWN);
    const left = held.total.minus(filledOf(held));
    const amount = qty === undefined || qty.greaterThan(left) ? left : qty;
    if (!amount.isPositive()) return;
    const filled = filledOf(held).plus(amount);
    const average = new Dec(json.filled_avg_price ?? 0)
      .times(filledOf(held))
      .plus(price.times(amount))
      .dividedBy(filled);
    json.filled_qty = text(filled);
    json.filled_avg_price = text(average);
    const done = filled.greaterThanOrEqualTo(held.total);
    touch(held, done ? 'filled' : 'partially_filled', done ? 'filled_at' : undefined);
    book(json.symbol, json.side, amount, price);
    if (!done) return;
    if (held.parent && held.parent.json.order_class === 'bracket') {
      for (const sibling of held.parent.legs) if (sibling !== held && isOpen(sibling)) close(sibling, 'canceled');
    }
    for (const leg of held.legs) {
      if (leg.json.status !== 'held') continue;
      touch(leg, 'new');
      work(leg);
    }
  }

  /** whether an open order would trade at `price` now (a trailing stop moves its mark first) */
  function marketable(held: Held, price: D): boolean {
    const { json } = held;
    const buy = json.side === 'buy';
    const limitOk = () =>
      buy ? price.lessThanOrEqualTo(json.limit_price ?? 0) : price.greaterThanOrEqualTo(json.limit_price ?? 0);
    const stopHit = () =>
      buy ? price.greaterThanOrEqualTo(json.stop_price ?? 0) : price.lessThanOrEqualTo(json.stop_price ?? 0);
    switch (json.type) {
      case 'market':
        return true;
      case 'limit':
        return limitOk();
      case 'stop':
        return stopHit();
      case 'stop_limit':
        held.triggered ||= stopHit();
        return held.triggered && limitOk();
      case 'trailing_stop': {
        const mark = json.hwm === null ? price : buy ? Dec.min(json.hwm, price) : Dec.max(json.hwm, price);
        json.hwm = text(mark);
        const trail = json.trail_price
          ? new Dec(json.trail_price)
          : mark.times(new Dec(json.trail_percent ?? 0)).dividedBy(100);
        const stop = buy ? mark.plus(trail) : mark.minus(trail);
        json.stop_price = text(stop.toDecimalPlaces(2));
        return buy ? price.greaterThanOrEqualTo(stop) : price.lessThanOrEqualTo(stop);
      }
      default:
        return false;
    }
  }

  /** an open order meets the current price: fills when it can */
  function work(held: Held, arriving = false): void {
    if (!isOpen(held) || held.json.status === 'held') return;
    if (held.json.type === 'market' && !(arriving && autoFillMarket)) return;
    const price = priceOf(held.json.symbol);
    if (marketable(held, price)) fillOrder(held, undefined, price);
  }

  function jsonOf(held: Held, nested = true): AlpacaOrderJson {
    return {
      ...held.json,
      legs: nested && held.legs.length ? held.legs.map((leg) => jsonOf(leg)) : null,
    };
  }

  function newOrder(fields: {
    symbol: string;
    side: string;
    type: string;
    timeInForce: string;
    qty?: string;
    notional?: string;
    limitPrice?: string;
    stopPrice?: string;
    trailPrice?: string;
    trailPercent?: string;
    orderClass: string;
    clientOrderId?: string;
    extendedHours: boolean;
    status: string;
  }): Held {
    const at = alpacaTime(now());
    const json: AlpacaOrderJson = {
      id: randomUUID(),
      client_order_id: fields.clientOrderId ?? randomUUID(),
      created_at: at,
      updated_at: at,
      submitted_at: at,
      filled_at: null,
      expired_at: null,
      canceled_at: null,
      failed_at: null,
      replaced_at: null,
      replaced_by: null,
      replaces: null,
      asset_id: assetIdOf(fields.symbol),
      symbol: fields.symbol,
      asset_class: fakeAssetClass(fields.symbol) === 'equity' ? 'us_equity' : 'crypto',
      notional: fields.notional ?? null,
      qty: fields.qty ?? null,
      filled_qty: '0',
      filled_avg_price: null,
      order_class: fields.orderClass,
      type: fields.type,
      side: fields.side,
      time_in_force: fields.timeInForce,
      limit_price: fields.limitPrice ?? null,
      stop_price: fields.stopPrice ?? null,
      status: fields.status,
      extended_hours: fields.extendedHours,
      legs: null,
      trail_percent: fields.trailPercent ?? null,
      trail_price: fields.trailPrice ?? null,
      hwm: null,
    };
    const held: Held = { json, legs: [], triggered: false, total: fields.qty ? new Dec(fields.qty) : undefined };
    byId.set(json.id, held);
    return held;
  }

  const clientIdTaken = (clientOrderId: string) =>
    [...byId.values()].some((held) => held.json.client_order_id === clientOrderId);

  /** sub-penny: at $1 and above two decimals, below it four (crypto is not held to it) */
  function subPenny(symbol: string, name: string, price: string): FakeResponse | undefined {
    if (fakeAssetClass(symbol) !== 'equity') return undefined;
    const allowed = new Dec(price).greaterThanOrEqualTo(1) ? 2 : 4;
    if (decimalsOf(price) <= allowed) return undefined;
    return refusal(
      422,
      42210000,
      `invalid ${name} ${price}. sub-penny increment does not fulfill minimum pricing criteria`,
    );
  }

  /** what a buy would cost, for the buying-power check (best effort for a body that may be invalid) */
  function costOf(body: Record<string, unknown>): D {
    const symbol = typeof body.symbol === 'string' ? body.symbol : '';
    const notional = amountOf(body.notional);
    if (notional) return new Dec(notional);
    const qty = amountOf(body.qty);
    const at = amountOf(body.limit_price) ?? amountOf(body.stop_price) ?? (symbol ? priceText(symbol) : '0');
    return qty && at ? new Dec(qty).times(at) : new Dec(0);
  }

  const insufficientBuyingPower = (cost: D): FakeResponse =>
    refusal(403, 40310000, 'insufficient buying power', {
      buying_power: text(Dec.max(available(), 0)),
      cost_basis: text(cost),
    });

  /** POST /v2/orders: Alpaca's checks in its order, then the order placed and worked */
  function place(input: unknown): FakeResponse {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return refusal(400, 40010000, 'request body format is invalid');
    }
    const body = input as Record<string, unknown>;
    const symbol = typeof body.symbol === 'string' ? body.symbol.trim().toUpperCase() : '';
    if (!symbol) return invalid('symbol is required');
    const side = body.side;
    if (typeof side !== 'string' || !SIDES.has(side)) return invalid('invalid side');
    const type = body.type;
    if (typeof type !== 'string' || !TYPES.has(type)) return invalid('invalid order type');
    const timeInForce = body.time_in_force;
    if (typeof timeInForce !== 'string' || !TIME_IN_FORCE.has(timeInForce)) return invalid('invalid time_in_force');

    const qty = amountOf(body.qty);
    const notional = amountOf(body.notional);
    if (qty === null) return invalid('invalid qty');
    if (notional === null) return invalid('invalid notional');
    if (qty !== undefined && notional !== undefined) {
      return refusal(400, 40010000, 'only one of qty or notional can be provided');
    }
    if (qty === undefined && notional === undefined) return invalid('qty or notional is required');
    if (qty !== undefined && (new Dec(qty).isZero() || decimalsOf(qty) > 9)) {
      return invalid('qty must be positive, with at most 9 decimals');
    }
    if (notional !== undefined && (new Dec(notional).lessThan(1) || decimalsOf(notional) > 2)) {
      return refusal(403, 40310000, 'notional must be at least $1, in cents');
    }
    const fractional = notional !== undefined || (qty !== undefined && qty.includes('.'));

    const price = (name: string): string | undefined | null => amountOf(body[name]);
    const limitPrice = price('limit_price');
    const stopPrice = price('stop_price');
    const trailPrice = price('trail_price');
    const trailPercent = price('trail_percent');
    for (const [name, value] of [
      ['limit_price', limitPrice],
      ['stop_price', stopPrice],
      ['trail_price', trailPrice],
      ['trail_percent', trailPercent],
    ] as const) {
      if (value === null || (value !== undefined && new Dec(value).isZero())) return invalid(`invalid ${name}`);
    }
    const needsLimit = type === 'limit' || type === 'stop_limit';
    const needsStop = type === 'stop' || type === 'stop_limit';
    if (needsLimit && limitPrice === undefined) return invalid('limit_price is required');
    if (needsStop && stopPrice === undefined) return invalid('stop_price is required');
    if (type === 'market' && (limitPrice !== undefined || stopPrice !== undefined)) {
      return invalid('market orders require no stop or limit price');
    }
    if (type === 'trailing_stop' && (trailPrice === undefined) === (trailPercent === undefined)) {
      return invalid('trailing_stop orders need one of trail_price or trail_percent');
    }
    if (fractional && (type !== 'market' || timeInForce !== 'day')) {
      return refusal(422, 42210000, 'fractional orders must be market orders with time_in_force day');
    }
    for (const [name, value] of [
      ['limit_price', limitPrice],
      ['stop_price', stopPrice],
      ['trail_price', trailPrice],
    ] as const) {
      const problem = value ? subPenny(symbol, name, value) : undefined;
      if (problem) return problem;
    }

    const orderClass = body.order_class === undefined || body.order_class === '' ? 'simple' : body.order_class;
    if (typeof orderClass !== 'string' || !CLASSES.has(orderClass)) return invalid('invalid order_class');
    if (orderClass === 'oco') return invalid('oco orders are not supported by this fake');
    let takeProfit: string | undefined;
    let stopLoss: { stop: string; limit?: string } | undefined;
    if (orderClass !== 'simple') {
      const leg = (name: string) => {
        const value = body[name];
        return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
      };
      const tp = leg('take_profit');
      const sl = leg('stop_loss');
      const tpLimit = tp ? amountOf(tp.limit_price) : undefined;
      const slStop = sl ? amountOf(sl.stop_price) : undefined;
      const slLimit = sl ? amountOf(sl.limit_price) : undefined;
      if (tpLimit === null || slStop === null || slLimit === null) return invalid('invalid leg price');
      if (tp && !tpLimit) return invalid('take_profit.limit_price is required');
      if (sl && !slStop) return invalid('stop_loss.stop_price is required');
      if (orderClass === 'bracket' && (!tpLimit || !slStop)) {
        return invalid('bracket orders must have both take_profit and stop_loss');
      }
      if (orderClass === 'oto' && Boolean(tpLimit) === Boolean(slStop)) {
        return invalid('oto orders must have exactly one of take_profit or stop_loss');
      }
      if (type !== 'market' && type !== 'limit') return invalid(`${orderClass} orders must be market or limit orders`);
      if (timeInForce !== 'day' && timeInForce !== 'gtc') {
        return invalid(`${orderClass} orders must be day or gtc orders`);
      }
      if (fractional) return invalid(`fractional orders cannot be ${orderClass} orders`);
      for (const [name, value] of [
        ['take_profit.limit_price', tpLimit],
        ['stop_loss.stop_price', slStop],
        ['stop_loss.limit_price', slLimit],
      ] as const) {
        const problem = value ? subPenny(symbol, name, value) : undefined;
        if (problem) return problem;
      }
      if (tpLimit && slStop) {
        const ordered = side === 'buy' ? new Dec(tpLimit).greaterThan(slStop) : new Dec(tpLimit).lessThan(slStop);
        if (!ordered) return invalid('take_profit.limit_price must be on the other side of stop_loss.stop_price');
      }
      takeProfit = tpLimit ?? undefined;
      stopLoss = slStop ? { stop: slStop, ...(slLimit ? { limit: slLimit } : {}) } : undefined;
    }

    const extendedHours = body.extended_hours === true;
    if (extendedHours && (type !== 'limit' || timeInForce !== 'day')) {
      return invalid('extended hours order must be DAY limit orders');
    }
    let clientOrderId: string | undefined;
    if (body.client_order_id !== undefined && body.client_order_id !== null && body.client_order_id !== '') {
      if (typeof body.client_order_id !== 'string') return invalid('invalid client_order_id');
      if (body.client_order_id.length > 48) return invalid('client_order_id must be no more than 48 characters');
      if (clientIdTaken(body.client_order_id)) return refusal(422, 40010001, 'client_order_id must be unique');
      clientOrderId = body.client_order_id;
    }

    if (side === 'buy') {
      const cost = costOf({ ...body, symbol });
      if (cost.greaterThan(available())) return insufficientBuyingPower(cost);
    } else {
      const wanted = qty ? new Dec(qty) : new Dec(notional ?? 0).dividedBy(priceOf(symbol));
      const left = sellable(symbol);
      if (wanted.greaterThan(left)) {
        const held = positions.get(symbol)?.qty ?? new Dec(0);
        return refusal(
          403,
          40310000,
          `insufficient qty available for order (requested: ${text(wanted)}, available: ${text(Dec.max(left, 0))})`,
          {
            available: text(Dec.max(left, 0)),
            existing_qty: text(held),
            held_for_orders: text(held.minus(left)),
            symbol,
          },
        );
      }
    }

    const entry = newOrder({
      symbol,
      side,
      type,
      timeInForce,
      qty,
      notional,
      // each was refused above when null (unreadable)
      limitPrice: limitPrice ?? undefined,
      stopPrice: stopPrice ?? undefined,
      trailPrice: trailPrice ?? undefined,
      trailPercent: trailPercent ?? undefined,
      orderClass,
      clientOrderId,
      extendedHours,
      status: 'new',
    });
    const exit = side === 'buy' ? 'sell' : 'buy';
    const legOf = (fields: { type: string; limitPrice?: string; stopPrice?: string }) => {
      const leg = newOrder({
        symbol,
        side: exit,
        timeInForce,
        qty,
        orderClass,
        extendedHours,
        status: 'held',
        ...fields,
      });
      leg.parent = entry;
      entry.legs.push(leg);
    };
    if (takeProfit) legOf({ type: 'limit', limitPrice: takeProfit });
    if (stopLoss)
      legOf({ type: stopLoss.limit ? 'stop_limit' : 'stop', stopPrice: stopLoss.stop, limitPrice: stopLoss.limit });

    work(entry, true);
    // immediate or nothing: what could not fill on arrival is canceled (a fill here is always whole)
    if ((timeInForce === 'ioc' || timeInForce === 'fok') && isOpen(entry)) close(entry, 'canceled');
    return { status: 200, body: jsonOf(entry) };
  }

  /** PATCH /v2/orders/{id}: a new order in its place (qty, limit_price, stop_price, trail, tif, client id) */
  function replace(held: Held, input: unknown): FakeResponse {
    if (!isOpen(held) || held.json.status === 'held') return refusal(422, 42210000, 'order is not replaceable');
    if (typeof input !== 'object' || input === null) return refusal(400, 40010000, 'request body format is invalid');
    const body = input as Record<string, unknown>;
    const old = held.json;
    const pick = (name: string, fallback: string | null) => {
      const value = amountOf(body[name]);
      return value === null ? null : (value ?? fallback ?? undefined);
    };
    const qty = pick('qty', old.qty);
    const limitPrice = pick('limit_price', old.limit_price);
    const stopPrice = pick('stop_price', old.stop_price);
    const trailPrice = pick('trail', old.trail_price);
    if (qty === null || limitPrice === null || stopPrice === null || trailPrice === null) {
      return invalid('invalid replacement');
    }
    const timeInForce = typeof body.time_in_force === 'string' ? body.time_in_force : old.time_in_force;
    if (!TIME_IN_FORCE.has(timeInForce)) return invalid('invalid time_in_force');
    const clientOrderId = typeof body.client_order_id === 'string' ? body.client_order_id : undefined;
    if (clientOrderId !== undefined && (clientOrderId.length > 48 || clientIdTaken(clientOrderId))) {
      return refusal(422, 40010001, 'client_order_id must be unique');
    }
    for (const [name, value] of [
      ['limit_price', limitPrice],
      ['stop_price', stopPrice],
    ] as const) {
      const problem = value ? subPenny(old.symbol, name, value) : undefined;
      if (problem) return problem;
    }
    const next = newOrder({
      symbol: old.symbol,
      side: old.side,
      type: old.type,
      timeInForce,
      qty,
      notional: qty ? undefined : (old.notional ?? undefined),
      limitPrice,
      stopPrice,
      trailPrice: old.type === 'trailing_stop' ? trailPrice : undefined,
      trailPercent: old.trail_percent ?? undefined,
      orderClass: old.order_class,
      clientOrderId,
      extendedHours: old.extended_hours,
      status: 'new',
    });
    close(held, 'replaced');
    old.replaced_by = next.json.id;
    next.json.replaces = old.id;
    work(next);
    return { status: 200, body: jsonOf(next) };
  }

  // --- account and positions ---------------------------------------------------------------------

  function positionJson(symbol: string, position: Position): Record<string, unknown> {
    const price = priceOf(symbol);
    let lastday = price;
    if (!prices.has(symbol) && !options.price) {
      try {
        lastday = new Dec(deterministicQuote(symbol, new Date(now()).toISOString()).previousClose);
      } catch {
        lastday = price;
      }
    }
    const marketValue = position.qty.times(price);
    const costBasis = position.qty.times(position.avg);
    const pl = marketValue.minus(costBasis);
    const intraday = position.qty.times(price.minus(lastday));
    const ratio = (part: D, whole: D) => (whole.isZero() ? '0' : text(part.dividedBy(whole.abs())));
    return {
      asset_id: assetIdOf(symbol),
      symbol,
      exchange: fakeAssetClass(symbol) === 'equity' ? instrumentOf(symbol).exchange : 'CRYPTO',
      asset_class: fakeAssetClass(symbol) === 'equity' ? 'us_equity' : 'crypto',
      asset_marginable: fakeAssetClass(symbol) === 'equity',
      avg_entry_price: text(position.avg),
      qty: text(position.qty),
      qty_available: text(Dec.max(sellable(symbol), 0)),
      side: position.qty.isNegative() ? 'short' : 'long',
      market_value: text(marketValue),
      cost_basis: text(costBasis),
      unrealized_pl: text(pl),
      unrealized_plpc: ratio(pl, costBasis),
      unrealized_intraday_pl: text(intraday),
      unrealized_intraday_plpc: ratio(intraday, position.qty.times(lastday)),
      current_price: text(price),
      lastday_price: text(lastday),
      change_today: ratio(price.minus(lastday), lastday),
    };
  }

  function accountJson(): Record<string, unknown> {
    let long = new Dec(0);
    let short = new Dec(0);
    for (const [symbol, position] of positions) {
      const value = position.qty.times(priceOf(symbol));
      if (value.isNegative()) short = short.plus(value);
      else long = long.plus(value);
    }
    const equity = cash.plus(long).plus(short);
    const power = text(Dec.max(available(), 0));
    return {
      id: ACCOUNT_ID,
      account_number: ACCOUNT_NUMBER,
      status: 'ACTIVE',
      crypto_status: 'ACTIVE',
      currency: 'USD',
      cash: text(cash),
      portfolio_value: text(equity),
      equity: text(equity),
      last_equity: text(startCash),
      buying_power: power,
      regt_buying_power: power,
      daytrading_buying_power: '0',
      non_marginable_buying_power: power,
      effective_buying_power: power,
      multiplier: '1',
      initial_margin: '0',
      maintenance_margin: '0',
      last_maintenance_margin: '0',
      sma: '0',
      long_market_value: text(long),
      short_market_value: text(short),
      position_market_value: text(long.plus(short.abs())),
      accrued_fees: '0',
      pending_transfer_in: '0',
      daytrade_count: 0,
      pattern_day_trader: false,
      trading_blocked: false,
      transfers_blocked: false,
      account_blocked: false,
      trade_suspended_by_user: false,
      shorting_enabled: false,
      created_at: ACCOUNT_CREATED_AT,
    };
  }

  // --- listing -----------------------------------------------------------------------------------------

  function list(query: URLSearchParams): FakeResponse {
    const status = query.get('status') ?? 'open';
    if (!['open', 'closed', 'all'].includes(status)) return invalid('invalid status');
    const limitText = query.get('limit');
    const limit = limitText === null ? 50 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) return invalid('invalid limit');
    const direction = query.get('direction') ?? 'desc';
    if (direction !== 'asc' && direction !== 'desc') return invalid('invalid direction');
    const bound = (name: string) => {
      const value = query.get(name);
      if (value === null) return undefined;
      const ms = Date.parse(value);
      return Number.isFinite(ms) ? ms : Number.NaN;
    };
    const after = bound('after');
    const until = bound('until');
    if (Number.isNaN(after) || Number.isNaN(until)) return invalid('invalid after or until');
    const nested = query.get('nested') === 'true';
    const symbols = query
      .get('symbols')
      ?.split(',')
      .map((s) => s.trim().toUpperCase())
      .filter(Boolean);
    const side = query.get('side');
    const wanted = [...byId.values()].filter((held) => {
      if (nested && held.parent) return false; // rolled up under its entry
      if (status === 'open' && !isOpen(held)) return false;
      if (status === 'closed' && isOpen(held)) return false;
      const at = Date.parse(held.json.submitted_at);
      if (after !== undefined && !(at > after)) return false;
      if (until !== undefined && !(at < until)) return false;
      if (symbols?.length && !symbols.includes(held.json.symbol)) return false;
      return !side || held.json.side === side;
    });
    // Map order is placement order: oldest first
    if (direction === 'desc') wanted.reverse();
    return { status: 200, body: wanted.slice(0, limit).map((held) => jsonOf(held, nested)) };
  }

  // --- failures on demand --------------------------------------------------------------------------

  const ORDER_FAILURES = new Set<FakeAlpacaFailure>([
    'timeout-after-accept',
    'server-error-after-accept',
    'duplicate',
    'reject-buying-power',
  ]);
  function takeFailure(request: FakeRequest): FakeAlpacaFailure | undefined {
    const isPost = request.method === 'POST' && request.path === '/v2/orders';
    const index = failures.findIndex((failure) => isPost || !ORDER_FAILURES.has(failure.kind));
    if (index < 0) return undefined;
    const failure = failures[index];
    failure.times -= 1;
    if (failure.times <= 0) failures.splice(index, 1);
    return failure.kind;
  }

  const rateLimited = (): FakeResponse => ({
    status: 429,
    body: { code: 42910000, message: 'rate limit exceeded' },
    headers: {
      'X-RateLimit-Limit': String(options.requestsPerMinute ?? 200),
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': String(Math.ceil((Math.floor(now() / 60_000) + 1) * 60)),
    },
  });
  const serverError = (): FakeResponse => refusal(500, 50010000, 'internal server error occurred');

  /** holds an answer until the client leaves, the server closes, or `holdMs` passes */
  function hold(request: FakeRequest, answer: FakeResponse): Promise<FakeResponse> {
    return new Promise((resolve) => {
      const signal = request.signal;
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve(answer);
      };
      const timer = setTimeout(done, holdMs);
      if (signal?.aborted) done();
      else signal?.addEventListener('abort', done, { once: true });
    });
  }

  // --- routing ---------------------------------------------------------------------------------------

  const ORDER_PATH = /^\/v2\/orders\/([^/]+)$/;
  const POSITION_PATH = /^\/v2\/positions\/([^/]+)$/;
  const notAllowed = () => refusal(405, 40510000, 'method not allowed');

  function route(request: FakeRequest): FakeResponse | Promise<FakeResponse> {
    const { method, path } = request;
    if (path === '/v2/orders') {
      if (method === 'GET') return list(request.query);
      if (method !== 'POST') return notAllowed();
      if (request.body !== undefined && request.json === undefined) {
        return refusal(400, 40010000, 'request body format is invalid');
      }
      return place(request.json);
    }
    if (path === '/v2/orders:by_client_order_id') {
      if (method !== 'GET') return notAllowed();
      const clientOrderId = request.query.get('client_order_id') ?? '';
      const held = [...byId.values()].find((order) => order.json.client_order_id === clientOrderId);
      return held ? { status: 200, body: jsonOf(held) } : notFound('order not found');
    }
    const orderMatch = ORDER_PATH.exec(path);
    if (orderMatch) {
      const held = byId.get(decodeURIComponent(orderMatch[1]));
      if (!held) return notFound('order not found');
      if (method === 'GET') return { status: 200, body: jsonOf(held) };
      if (method === 'PATCH') return replace(held, request.json);
      if (method !== 'DELETE') return notAllowed();
      if (!isOpen(held)) return refusal(422, 42210000, 'order is not cancelable');
      close(held, 'canceled');
      return { status: 204 };
    }
    if (path === '/v2/account') return method === 'GET' ? { status: 200, body: accountJson() } : notAllowed();
    if (path === '/v2/positions') {
      if (method !== 'GET') return notAllowed();
      return { status: 200, body: [...positions].map(([symbol, position]) => positionJson(symbol, position)) };
    }
    const positionMatch = POSITION_PATH.exec(path);
    if (positionMatch) {
      if (method !== 'GET') return notAllowed();
      const asked = decodeURIComponent(positionMatch[1]).toUpperCase();
      const symbol = [...positions.keys()].find((held) => held === asked || held.replace('/', '') === asked);
      return symbol
        ? { status: 200, body: positionJson(symbol, positions.get(symbol) as Position) }
        : notFound('position does not exist');
    }
    return notFound('endpoint not found');
  }

  const server = await startFakeServer(
    async (request) => {
      if (request.headers['apca-api-key-id'] !== FAKE_ALPACA_KEY_ID)
        return { status: 403, body: { message: 'forbidden.' } };
      if (request.headers['apca-api-secret-key'] !== FAKE_ALPACA_SECRET) {
        return { status: 403, body: { message: 'forbidden.' } };
      }
      if (!spend(FAKE_ALPACA_KEY_ID, 1).ok) return rateLimited();
      const failure = takeFailure(request);
      if (failure === 'rate-limit') return rateLimited();
      if (failure === 'server-error') return serverError();
      if (failure === 'duplicate') return refusal(422, 40010001, 'client_order_id must be unique');
      if (failure === 'reject-buying-power') {
        const body = typeof request.json === 'object' && request.json !== null ? request.json : {};
        return insufficientBuyingPower(costOf(body as Record<string, unknown>));
      }
      const answer = await route(request);
      if (failure === 'server-error-after-accept' && answer.status === 200) return serverError();
      if (failure === 'timeout-after-accept') return hold(request, answer);
      return answer;
    },
    {
      onRequest: (request) => {
        if (request.method === 'POST' && request.path === '/v2/orders') posted += 1;
      },
    },
  );

  const openOrder = (orderId: string): Held => {
    const held = byId.get(orderId);
    if (!held) throw new RangeError(`the fake holds no order ${orderId}`);
    if (!isOpen(held) || held.json.status === 'held') {
      throw new RangeError(`order ${orderId} is ${held.json.status}, not open`);
    }
    return held;
  };

  const controls = {
    setPrice(symbol: string, price: string) {
      if (!DECIMAL.test(price) || new Dec(price).isZero()) throw new RangeError(`not a price: ${price}`);
      prices.set(symbol.toUpperCase(), price);
      for (const held of [...byId.values()]) if (held.json.symbol === symbol.toUpperCase()) work(held);
    },
    orders: () => [...byId.values()].filter((held) => !held.parent).map((held) => jsonOf(held)),
    ordersPosted: () => posted,
    fill(orderId: string, qty?: string, price?: string) {
      const held = openOrder(orderId);
      if (qty !== undefined && (!DECIMAL.test(qty) || new Dec(qty).isZero())) throw new RangeError(`not a qty: ${qty}`);
      if (price !== undefined && !DECIMAL.test(price)) throw new RangeError(`not a price: ${price}`);
      const at = price ?? priceText(held.json.symbol);
      fillOrder(held, qty === undefined ? undefined : new Dec(qty), new Dec(at));
      return jsonOf(held);
    },
    reject(orderId: string) {
      const held = openOrder(orderId);
      close(held, 'rejected');
      return jsonOf(held);
    },
    expire(orderId: string) {
      const held = openOrder(orderId);
      close(held, 'expired');
      return jsonOf(held);
    },
    setBuyingPower(value: string) {
      if (!/^-?(?:0|[1-9]\d*)(?:\.\d+)?$/.test(value)) throw new RangeError(`not an amount: ${value}`);
      buyingPower = new Dec(value);
    },
    failNext(kind: FakeAlpacaFailure, times = 1) {
      if (!(times > 0)) throw new RangeError('a failure happens at least once');
      failures.push({ kind, times });
    },
    reset() {
      byId.clear();
      positions.clear();
      prices.clear();
      failures.length = 0;
      cash = startCash;
      buyingPower = startBuyingPower;
      posted = 0;
      server.clearScripts();
    },
  };
  return Object.assign(server, controls);
}

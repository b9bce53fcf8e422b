/**
 * The port a broker adapter implements (packages/adapters/src/brokers/<venue>). Quantities and
 * prices are decimal strings as the broker sent them; times are ISO 8601 UTC. The adapter speaks
 * the vendor's HTTP shapes, keeps within its rate limit, and never submits one order twice: a
 * POST that timed out or failed with a 5xx is looked up by its `clientOrderId`, never blindly
 * retried. Failures become a BrokerError; this context turns them into Problem Details.
 */

export type BrokerSide = 'buy' | 'sell';
export type BrokerOrderType = 'market' | 'limit' | 'stop' | 'stop_limit';
export type BrokerTimeInForce = 'day' | 'gtc' | 'ioc' | 'fok';

export interface BrokerOrderRequest {
  /** ≤ 48 characters, derived from the order's idempotency key: the broker refuses a second use */
  clientOrderId: string;
  symbol: string;
  side: BrokerSide;
  type: BrokerOrderType;
  quantity: string;
  limitPrice?: string;
  stopPrice?: string;
  timeInForce: BrokerTimeInForce;
  /** with stopLoss: a bracket order (Alpaca `order_class: bracket`); alone: `oto` */
  takeProfit?: { limitPrice: string };
  stopLoss?: { stopPrice: string; limitPrice?: string };
}

/** Ballast's view of a broker order's state (the adapter maps the vendor's statuses onto it). */
export type BrokerOrderState = 'submitted' | 'partially_filled' | 'filled' | 'cancelled' | 'rejected' | 'expired';

export interface BrokerOrder {
  brokerOrderId: string;
  clientOrderId: string;
  symbol: string;
  side: BrokerSide;
  type: BrokerOrderType;
  /** the vendor's own status word (`new`, `partially_filled`, `done_for_day`, …), kept for the record */
  venueStatus: string;
  state: BrokerOrderState;
  quantity: string;
  filledQuantity: string;
  /** average price of what has filled so far; absent until something fills */
  filledAveragePrice?: string;
  limitPrice?: string;
  stopPrice?: string;
  submittedAt?: string;
  updatedAt?: string;
  filledAt?: string;
  /** a rejection or cancellation reason, when the vendor gives one */
  reason?: string;
}

export interface BrokerAccount {
  accountNumber?: string;
  currency: string;
  cash: string;
  equity: string;
  buyingPower: string;
  tradingBlocked: boolean;
}

export interface BrokerPosition {
  symbol: string;
  quantity: string;
  side: 'long' | 'short';
  averageEntryPrice: string;
  marketValue?: string;
  currentPrice?: string;
}

export interface Broker {
  readonly name: string;
  /**
   * Places an order once. After a timeout, a dropped connection or a 5xx it looks the order up by
   * `clientOrderId` (and only re-sends when the broker says it has none); a reused `clientOrderId`
   * answers the order that holds it. 429 waits (honouring Retry-After) within the adapter's budget.
   */
  submitOrder(request: BrokerOrderRequest): Promise<BrokerOrder>;
  /** undefined when the broker has no order with that client id */
  orderByClientId(clientOrderId: string): Promise<BrokerOrder | undefined>;
  /** undefined when the broker has no such order */
  order(brokerOrderId: string): Promise<BrokerOrder | undefined>;
  /** asks the broker to cancel; a broker that says it cannot (already filled) is a BrokerError 'not-cancelable' */
  cancelOrder(brokerOrderId: string): Promise<void>;
  account(): Promise<BrokerAccount>;
  positions(): Promise<BrokerPosition[]>;
}

export type BrokerFailure =
  | 'insufficient-buying-power'
  | 'rejected'
  | 'duplicate-client-order-id'
  | 'not-cancelable'
  | 'not-found'
  | 'bad-request'
  | 'unauthorized'
  | 'rate-limited'
  | 'unavailable';

/** A broker call that failed; `retryable` and `retryAfterMs` are read structurally by call policies. */
export class BrokerError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly broker: string,
    readonly kind: BrokerFailure,
    message: string,
    readonly options: { status?: number; vendorCode?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'BrokerError';
    this.retryable = kind === 'rate-limited' || kind === 'unavailable';
  }

  get retryAfterMs(): number | undefined {
    return this.options.retryAfterMs;
  }
}

export interface BrokerSettings {
  /** `paper` or `live`: which of the vendor's endpoints, when `baseUrl` does not say */
  endpoint: 'paper' | 'live';
  /** overrides the vendor's URL for the endpoint (the routing entry; the fake server locally) */
  baseUrl?: string;
  keyId: string;
  secretKey: string;
  /** the routing entry's free-form options (timeoutMs, requestsPerMinute, …) */
  options?: Readonly<Record<string, unknown>>;
}

export interface BrokerDeps {
  fetch?: typeof fetch;
  /** how the adapter waits (backoff); tests pass one that returns at once */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export type BrokerFactory = (settings: BrokerSettings, deps?: BrokerDeps) => Broker;

/** Broker adapters by the routing entry's `adapter` name; functions bind them (functions → adapters). */
export type BrokerRegistry = Readonly<Record<string, BrokerFactory>>;

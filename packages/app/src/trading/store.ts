import type { OrderStatus } from '@ballast/core/execution/order-state.js';
import type { AccountRiskState } from '@ballast/core/risk/state.js';
import type { TradingState } from '@ballast/core/risk/trading-state.js';
import type { RiskCheck } from '@ballast/core/risk/validator.js';
import type { Page, PageRequest } from '@ballast/platform/data/query.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import type { OrderBody, SettingsBody, SimulationConfig, TradingMode, Venue } from './schemas.js';

export type OrderIntent = 'strategy' | 'allocation';
export type { OrderStatus, TradingState };

/** A trading account: a portfolio linked to a venue, in one project. */
export interface Account {
  accountId: string;
  tenantId: string;
  projectId: string;
  name: string;
  venue: Venue;
  mode: TradingMode;
  portfolioId: string;
  currency: string;
  simulation?: SimulationConfig;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  version: number;
}

export interface ModeChange {
  changeId: string;
  accountId: string;
  from: TradingMode;
  to: TradingMode;
  reason?: string;
  by: string;
  at: string;
  ip?: string;
  userAgent?: string;
}

/** What an accepted order holds back until it fills or ends: the two-orders race is decided on it. */
export interface Reservation {
  intent: OrderIntent;
  strategy?: string;
  side: 'buy' | 'sell';
  symbol: string;
  quantity: string;
  notional: string;
  /** a buy that opens a position (counts toward open positions until it ends) */
  opens: boolean;
  at: number;
}

/** An account's persisted risk state: core's state plus what only the service tracks. */
export interface RiskRecord {
  accountId: string;
  state: AccountRiskState;
  /** REDUCING is set by a reduce-only halt; HALTED is the circuit breaker (state.emergencyShutdown) */
  reduceOnly: boolean;
  reservations: Record<string, Reservation>;
  /** open notional per strategy (its budget's use) */
  strategyExposure: Record<string, string>;
  /** the simulation venue's PRNG (persisted so a run can be replayed) */
  rngState: number;
  /** the latest price the simulation saw per symbol */
  lastPrices: Record<string, string>;
  /** open bracket levels per symbol, from filled orders that carried them */
  brackets: Record<string, { orderId: string; stopLoss?: string; takeProfit?: string; strategy?: string }>;
  version: number;
  updatedAt: string;
}

export interface StoredDecision {
  decisionId: string;
  accountId: string;
  orderId?: string;
  intent: OrderIntent;
  approved: boolean;
  firstFailure?: string;
  checks: RiskCheck[];
  inputs: Record<string, unknown>;
  dryRun: boolean;
  at: string;
  by: string;
}

export interface Fill {
  fillId: string;
  quantity: string;
  price: string;
  fee: string;
  at: string;
  txId: string;
  realisedPnl?: string;
}

export interface Transition {
  from: OrderStatus | null;
  to: OrderStatus;
  at: string;
  reason?: string;
}

export interface Order
  extends Pick<
    OrderBody,
    | 'symbol'
    | 'side'
    | 'type'
    | 'quantity'
    | 'limitPrice'
    | 'stopPrice'
    | 'timeInForce'
    | 'stopLoss'
    | 'takeProfit'
    | 'strategy'
    | 'signalId'
    | 'note'
  > {
  orderId: string;
  accountId: string;
  portfolioId: string;
  venue: Venue;
  mode: TradingMode;
  intent: OrderIntent;
  status: OrderStatus;
  filledQuantity: string;
  averageFillPrice?: string;
  decisionId: string;
  clientOrderId: string;
  brokerOrderId?: string;
  reason?: string;
  lotSize?: string;
  /** a stop_limit whose stop was already hit */
  stopTriggered?: boolean;
  transitions: Transition[];
  fills: Fill[];
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  version: number;
}

export interface JournalEntry {
  /** absent on entries written before notes existed: every such entry is a fill */
  kind?: 'fill';
  entryId: string;
  accountId: string;
  orderId: string;
  fillId: string;
  source: Venue;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  price: string;
  fee: string;
  strategy?: string;
  intent: OrderIntent;
  realisedPnl?: string;
  at: string;
}

export type Settings = Omit<SettingsBody, 'reason'> & { version: number; updatedAt?: string; updatedBy?: string };

export interface SettingsVersion {
  version: number;
  at: string;
  by: string;
  reason?: string;
  before: Omit<Settings, 'version' | 'updatedAt' | 'updatedBy'> | null;
  after: Omit<Settings, 'version' | 'updatedAt' | 'updatedBy'>;
}

export interface OrderQuery extends PageRequest {
  accountId?: string;
  status?: OrderStatus | 'open';
  symbol?: string;
}

/** A project's trading data, plus the tenant-wide settings and account index. */
export interface TradingStore {
  getAccount(accountId: string): Promise<Account | undefined>;
  listAccounts(page: PageRequest): Promise<Page<Account>>;
  /** every account of the tenant (the kill switch), with the project each belongs to */
  tenantAccounts(): Promise<Array<{ accountId: string; projectId: string }>>;
  /** the same store for another project of the same tenant (the tenant-wide kill switch only) */
  inProject(projectId: string): TradingStore;
  createAccount(uow: UnitOfWork, account: Account): void;
  updateAccount(uow: UnitOfWork, account: Account, expectedVersion: number): void;
  appendModeChange(uow: UnitOfWork, change: ModeChange): void;
  modeHistory(accountId: string, page: PageRequest): Promise<Page<ModeChange>>;

  getRisk(accountId: string): Promise<RiskRecord | undefined>;
  /** creates (expectedVersion undefined) or replaces the risk record while still at expectedVersion */
  putRisk(uow: UnitOfWork, record: RiskRecord, expectedVersion: number | undefined): void;

  putDecision(uow: UnitOfWork, decision: StoredDecision): void;
  listDecisions(query: PageRequest & { accountId?: string; approved?: boolean }): Promise<Page<StoredDecision>>;

  getOrder(orderId: string): Promise<Order | undefined>;
  createOrder(uow: UnitOfWork, order: Order): void;
  updateOrder(uow: UnitOfWork, order: Order, expectedVersion: number): void;
  listOrders(query: OrderQuery): Promise<Page<Order>>;
  /** an account's orders still working at a venue (submitted or partially filled), oldest first */
  openOrders(accountId: string): Promise<Order[]>;
  /** a fill, once: a second write of the same fill id fails (409 FILL_ALREADY_APPLIED) */
  putFill(uow: UnitOfWork, orderId: string, fill: Fill): void;

  /** an automatic entry; the journal's list and notes are the JournalStore's (journal-store.ts) */
  appendJournal(uow: UnitOfWork, entry: JournalEntry): void;
  /** every closed trade (entries with a realised P&L) matching the filter, for the stats */
  closedTrades(filter: { accountId?: string; source?: Venue }): Promise<JournalEntry[]>;
  /**
   * Retention: up to `limit` of the project's oldest automatic entries, in id (time) order, stopping
   * at the first at or after `before` (ISO). Notes are never archived: they are their author's
   * personal data, kept until the author erases themselves.
   */
  oldestJournal(before: string, limit: number): Promise<JournalEntry[]>;
  /** Retention: deletes exactly these entries (already archived); an absent one is no error. */
  removeJournal(entries: readonly JournalEntry[]): Promise<void>;

  getSettings(): Promise<Settings | undefined>;
  putSettings(uow: UnitOfWork, settings: Settings, expectedVersion: number | undefined, history: SettingsVersion): void;
  settingsHistory(page: PageRequest): Promise<Page<SettingsVersion>>;
}

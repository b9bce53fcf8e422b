import type { BacktestMoney } from '@ballast/core/backtest/index.js';
import type { Page, PageRequest } from '@ballast/platform/data/query.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';

export type BacktestStatus = 'pending' | 'running' | 'completed' | 'failed';

/** The request as run: every field the caller left out filled with @ballast/core's default. */
export interface BacktestRequest {
  strategy: string;
  params: Record<string, unknown>;
  symbol: string;
  interval: string;
  /** ISO 8601: the window of stored bars (opens in [from, to]) */
  from: string;
  to: string;
  /** decimal string */
  initialCapital: string;
  currency: string;
  commission: { perShare: number; rate: number; fixed: number; minimum: number };
  slippageBps: number;
  sizing: { mode: 'percent'; percent: number } | { mode: 'risk'; riskPercent: number; maxPercent: number };
  quantityStep: number;
  allowShort: boolean;
  onOpposite: 'reverse' | 'close' | 'ignore';
  periodsPerYear: number;
  riskFree: number;
  startIndex: number;
}

/** A metric of core's BacktestMetrics; null where core's is NaN or infinite (no trades, no losses). */
export type StoredMetrics = Record<string, number | null>;

/** The money figures as core rounds them at its edge (decimal strings in the currency's minor unit). */
export type StoredMoney = BacktestMoney;

/** What a finished run stored beside its summary. */
export interface BacktestOutcome {
  /** bars the run read (the full curve's length) and the first and last bar's open (ISO) */
  bars: number;
  firstBarTime: string;
  lastBarTime: string;
  metrics: StoredMetrics;
  money: StoredMoney;
  tradeCount: number;
  skippedSignals: number;
  /** blobs it wrote: the full curve, and the trade log in this many parts */
  tradeParts: number;
}

/** A backtest's record: what was asked, how far it is, and (once completed) what came out. */
export interface StoredBacktest {
  backtestId: string;
  status: BacktestStatus;
  /** bars simulated of the bars traded; 0/0 until the bars are read */
  progress: { done: number; total: number };
  request: BacktestRequest;
  /** `inline` ran in the request; `job` on the jobs spine */
  runner: 'inline' | 'job';
  outcome?: BacktestOutcome;
  /** why a run failed */
  error?: { code: string; message: string };
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
  version: number;
}

/** The downsampled curve (≤ 2,000 points), as floats; rendered at the edge. */
export interface StoredCurve {
  /** indices into the full curve, increasing */
  index: number[];
  time: number[];
  equity: number[];
  drawdown: number[];
}

/** One project's backtests (tenant and project fixed by the scope). */
export interface BacktestStore {
  get(backtestId: string): Promise<StoredBacktest | undefined>;
  getCurve(backtestId: string): Promise<StoredCurve | undefined>;
  /** newest first */
  list(page: PageRequest): Promise<Page<StoredBacktest>>;
  /** creates it (expectedVersion undefined) or replaces it while at `expectedVersion` (409 otherwise) */
  put(uow: UnitOfWork, backtest: StoredBacktest, expectedVersion: number | undefined): void;
  /** the downsampled curve of a completed run, written with its summary */
  putCurve(uow: UnitOfWork, backtestId: string, curve: StoredCurve): void;
  /** removes the record and its curve while the record is at `expectedVersion` (412 otherwise) */
  delete(uow: UnitOfWork, backtestId: string, expectedVersion: number): void;
}

import type { BacktestConfig } from '@ballast/core/backtest/config.js';
import type { ParamSpace } from '@ballast/core/optimiser/space.js';
import type { Page, PageRequest } from '@ballast/platform/data/query.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import type { JobInvocation } from '@ballast/platform/jobs/worker.js';
import type { CandleInterval } from '../market-data/index.js';

export type OptimisationStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
export const OPTIMISATION_METHODS = ['grid', 'random', 'guided'] as const;
export type OptimisationMethod = (typeof OPTIMISATION_METHODS)[number];
export const OPTIMISATION_OBJECTIVES = [
  'sharpe',
  'sortino',
  'calmar',
  'totalReturn',
  'profitFactor',
  'expectancy',
] as const;
export type OptimisationObjective = (typeof OPTIMISATION_OBJECTIVES)[number];

/** Each is optional; the ones given must all hold for a candidate to pass. */
export interface OptimisationConstraints {
  /** the worst peak-to-trough fall, as a positive fraction: 0.15 = at most 15% */
  maxDrawdown?: number;
  minTrades?: number;
  /** 0..1 */
  minWinRate?: number;
  minProfitFactor?: number;
  minSharpe?: number;
}
export const CONSTRAINT_NAMES = ['maxDrawdown', 'minTrades', 'minWinRate', 'minProfitFactor', 'minSharpe'] as const;
export type ConstraintName = (typeof CONSTRAINT_NAMES)[number];

export interface ConstraintOutcome {
  name: ConstraintName;
  limit: number;
  /** the candidate's figure (drawdown as a positive fraction); null when it could not be computed */
  value: number | null;
  passed: boolean;
}

/** What was asked for: the search, the data and the backtest settings (core's config, defaults filled). */
export interface OptimisationSpec {
  strategy: string;
  /** as core's ParamSpaceSchema takes it: lists, or stepped ranges */
  space: ParamSpace;
  baseParams: Record<string, unknown>;
  method: OptimisationMethod;
  maxCandidates: number;
  seed: number;
  objective: OptimisationObjective;
  constraints: OptimisationConstraints;
  walkForward?: { folds: number; inSamplePct: number };
  symbol: string;
  interval: CandleInterval;
  from: string;
  to: string;
  /** core's BacktestConfig, defaults filled in (floats: analysis, not money) */
  config: BacktestConfig;
}

/** One evaluated candidate, as ranked (the index is its address in the compiled space). */
export interface RankedCandidate {
  rank: number;
  index: number;
  params: Record<string, unknown>;
  score: number | null;
  passed: boolean;
}

export interface LookAheadReport {
  /** true when some signal at a bar before a cut differs once the bars after the cut are gone */
  biased: boolean;
  /** the bars the series was cut after (indices into the optimisation's candles) */
  cuts: number[];
  /** signals compared (bars ≤ each cut, summed over the cuts) */
  barsChecked: number;
  /** the first changed signals (at most 50): bar, its open time, the cut, and both signals' sides */
  changed: Array<{ bar: number; time: string; cut: number; full: string | null; truncated: string | null }>;
}

export interface StoredOptimisation extends OptimisationSpec {
  optimisationId: string;
  status: OptimisationStatus;
  /** points in the space */
  spaceSize: number;
  /** candidates the search evaluates in all: min(maxCandidates, spaceSize) */
  total: number;
  /** the round being evaluated (guided search plans round after round; grid and random one) */
  round: number;
  /** candidates planned so far: the done counter that closes the current round */
  planned: number;
  /** candidates evaluated (an atomic counter, added to by each chunk in its own transaction) */
  done: number;
  /** the last round whose completion was claimed by a worker (it sent what comes next) */
  closedRound: number;
  bars: number;
  firstBarTime: string;
  lastBarTime: string;
  best?: RankedCandidate;
  lookAhead?: LookAheadReport;
  error?: { code: string; detail: string };
  createdAt: string;
  createdBy: string;
  startedAt?: string;
  finishedAt?: string;
  cancelledBy?: string;
  updatedAt: string;
  version: number;
}

export interface OptimisationResult {
  index: number;
  /** the parameters the backtest ran with: the base parameters under the candidate's point */
  params: Record<string, unknown>;
  /** the objective; null when it could not be computed (ranks last in its group) */
  score: number | null;
  /** every constraint held (and the parameters were valid) */
  passed: boolean;
  constraints: ConstraintOutcome[];
  /** every metric of core's backtest report; null where not finite */
  metrics: Record<string, number | null> | null;
  /** why the candidate could not run (parameters the strategy refuses) */
  error?: string;
  round: number;
  chunk: number;
}

export interface OptimisationChunk {
  round: number;
  chunk: number;
  candidates: number;
  /** the worker invocation that evaluated it */
  worker: JobInvocation;
  evaluatedAt: string;
  /** its best candidate by the optimisation's ranking (passers first), for "best so far" */
  best: { index: number; score: number | null; passed: boolean } | null;
}

/** Fields a record update may set (the rest stay), and whether the status must be one of `from`. */
export interface OptimisationPatch {
  set: Partial<Omit<StoredOptimisation, 'optimisationId' | 'version' | 'done'>>;
  /** the update applies only while the status is one of these */
  from: readonly OptimisationStatus[];
}

/** One project's optimisations (tenant and project fixed by the scope). */
export interface OptimisationStore {
  get(optimisationId: string): Promise<StoredOptimisation | undefined>;
  /** newest first */
  list(page: PageRequest): Promise<Page<StoredOptimisation>>;
  create(uow: UnitOfWork, record: StoredOptimisation): void;
  /** sets fields and bumps the version while the status is one of `patch.from` (409 OPTIMISATION_ENDED otherwise) */
  update(uow: UnitOfWork, optimisationId: string, patch: OptimisationPatch): void;
  /**
   * A chunk's results, the chunk (only if it was not recorded before: 409 CHUNK_RECORDED) and the
   * done counter's increment, in `uow`, while the optimisation is running (409 OPTIMISATION_ENDED).
   */
  recordChunk(uow: UnitOfWork, optimisationId: string, chunk: OptimisationChunk, results: OptimisationResult[]): void;
  getChunk(optimisationId: string, round: number, chunk: number): Promise<OptimisationChunk | undefined>;
  chunks(optimisationId: string): Promise<OptimisationChunk[]>;
  /** every result, by index */
  results(optimisationId: string): Promise<OptimisationResult[]>;
  /** true for the one caller that closes `round` (the counter reached `planned` and no one closed it yet) */
  claimRound(optimisationId: string, round: number): Promise<boolean>;
  putWalkForward(optimisationId: string, report: Record<string, unknown>): Promise<void>;
  getWalkForward(optimisationId: string): Promise<Record<string, unknown> | undefined>;
}

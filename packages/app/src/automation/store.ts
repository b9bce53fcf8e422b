import type { Page, PageRequest } from '@ballast/platform/data/query.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import type { CandleInterval } from '../market-data/index.js';
import type { PlaybookSchedule, Sizing } from './schemas.js';

export type PlaybookStatus = 'draft' | 'active' | 'retired';

/**
 * A strategy saved to trade: its parameters, the market it watches, the account it trades
 * through, how big its orders are and when its cycle runs. Every change is a new version.
 */
export interface Playbook {
  playbookId: string;
  name: string;
  /** a key of core's `strategies` */
  strategy: string;
  /** the strategy's parameters, defaults filled in */
  params: Record<string, unknown>;
  symbol: string;
  interval: CandleInterval;
  /** how many stored bars up to now the strategy step reads */
  bars: number;
  accountId: string;
  /** the optimisation it came from (`op_…`), only named */
  sourceOptimisationId?: string;
  schedule?: PlaybookSchedule;
  sizing: Sizing;
  /** the bracket a signal without its own stop or target gets, % from the entry */
  exits: { stopLossPct: string; takeProfitPct: string };
  /** orders (previews included) its cycles may place in one UTC day */
  maxOrdersPerDay: number;
  notes?: string;
  status: PlaybookStatus;
  activatedAt?: string;
  retiredAt?: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  version: number;
}

export type CycleStep = 'supervisor' | 'strategy' | 'risk' | 'execution';
/** proceed: the next step runs; stop: the cycle ends here, by decision; error: it ends here, by a fault */
export type StepOutcome = 'proceed' | 'stop' | 'error';

/** One step's decision: what it read, what it concluded and why. */
export interface AutomationDecision {
  decisionId: string;
  cycleId: string;
  playbookId: string;
  /** 1 supervisor, 2 strategy, 3 risk, 4 execution */
  stepIndex: number;
  step: CycleStep;
  outcome: StepOutcome;
  /** stable, machine-readable: HALTED, NO_SIGNAL, RISK_REJECTED, ORDER_PLACED, … */
  code: string;
  reasoning: string;
  inputs: Record<string, unknown>;
  output?: Record<string, unknown>;
  at: string;
}

export type CycleStatus = 'running' | 'completed' | 'stopped' | 'failed';

/**
 * One run of a playbook's cycle and what came of it. A later feedback job reads a playbook's
 * cycles (newest first) for the orders they placed and their outcomes: `orderId` names the
 * trading desk's order, whose fills and journal entries carry the result.
 */
export interface Cycle {
  cycleId: string;
  playbookId: string;
  /** the playbook's version it ran with */
  playbookVersion: number;
  strategy: string;
  symbol: string;
  interval: string;
  accountId: string;
  source: 'manual' | 'schedule';
  /** the schedule's slot a scheduled run stands for */
  slot?: string;
  status: CycleStatus;
  /** where it ended, and why */
  endedAt?: CycleStep;
  code?: string;
  reason?: string;
  mode?: string;
  venue?: string;
  signal?: {
    side: 'long' | 'short';
    entry: string;
    stopLoss: string | null;
    takeProfit: string | null;
    confidence: number;
    reason: string;
    barTime: string;
  };
  order?: { orderId: string; status: string; side: 'buy' | 'sell'; quantity: string; decisionId: string };
  steps: AutomationDecision[];
  startedAt: string;
  finishedAt?: string;
  by: string;
  version: number;
}

/**
 * The playbook's agent, its state at run time (kept out of the playbook, whose versions are the
 * user's changes): when its next scheduled cycle is due, its heartbeats and how its recent cycles went.
 */
export interface Agent {
  playbookId: string;
  /** the slot its next scheduled cycle stands for (active and scheduled), else null */
  nextRunAt: string | null;
  lastHeartbeatAt?: string;
  lastCycleId?: string;
  successCount: number;
  errorCount: number;
  /** the most recent cycles' outcomes, newest last (bounded) */
  recent: Array<{ at: string; ok: boolean }>;
  /** orders its cycles placed on `day` (UTC date) */
  ordersToday: { day: string; count: number };
  version: number;
}

/** The tenant's automation switch: while halted, every cycle of every project stops at its supervisor. */
export interface HaltState {
  halted: boolean;
  reason?: string;
  by?: string;
  at?: string;
  version: number;
}

// --- the feedback loop ----------------------------------------------------------------------

/** The thresholds the feedback loop judges a playbook by: the tenant's, or these defaults. */
export interface FeedbackSettings {
  /** below this win rate (0..1) a playbook underperforms */
  minWinRate: number;
  /** below this profit factor it underperforms */
  minProfitFactor: number;
  /** this many losses in a row disable its strategy, whatever else */
  maxConsecutiveLosses: number;
  /** fewer closed trades than this are too few to judge (monitor) */
  minTrades: number;
  /** with at least this many, a win rate and a profit factor both below their bounds disable it */
  disableAfterTrades: number;
  /** the live return per trade may fall short of the backtest's by this fraction of it (0.5 = 50%) */
  returnTolerance: number;
  /** days after an optimisation the loop started before it starts another for the playbook */
  reoptimiseCooldownDays: number;
  version: number;
  updatedAt?: string;
  updatedBy?: string;
}

/** A playbook's realised performance at one moment: its closed round trips. Money as decimal strings. */
export interface PerformanceSnapshot {
  snapshotId: string;
  playbookId: string;
  strategy: string;
  symbol: string;
  accountId: string;
  trades: number;
  wins: number;
  losses: number;
  /** null without trades */
  winRate: number | null;
  /** null without trades, or without a losing one */
  profitFactor: number | null;
  realisedPnl: string;
  /** realised P&L over the money the trades put in */
  return: number | null;
  /** mean return per round trip on its own cost */
  returnPerTrade: number | null;
  consecutiveLosses: number;
  decisionId: string;
  asOf: string;
}

export type FeedbackAction = 'monitor' | 'reoptimise' | 'disable';

/** One run of the feedback loop: what it read, what it concluded, what it did. */
export interface FeedbackDecision {
  decisionId: string;
  playbookId: string;
  strategy: string;
  symbol: string;
  accountId: string;
  trigger: 'manual' | 'schedule' | 'cycle';
  action: FeedbackAction;
  /** stable: NOT_ENOUGH_TRADES, WITHIN_BOUNDS, LOSS_STREAK, UNDERPERFORMING, BELOW_THRESHOLDS, RETURN_DEVIATION */
  code: string;
  reasoning: string;
  inputs: {
    live: Omit<PerformanceSnapshot, 'snapshotId' | 'playbookId' | 'strategy' | 'symbol' | 'accountId' | 'decisionId'>;
    expected: Record<string, unknown> | null;
    thresholds: Omit<FeedbackSettings, 'version' | 'updatedAt' | 'updatedBy'>;
    deviation: number | null;
  };
  /** what the action did: the optimisation started, the budget change */
  result: Record<string, unknown>;
  snapshotId: string;
  at: string;
  by: string;
}

export interface FeedbackQuery extends PageRequest {
  playbookId?: string;
}

export interface SnapshotQuery extends PageRequest {
  playbookId?: string;
  /** asOf bounds, inclusive, ISO */
  from?: string;
  to?: string;
}

export interface DecisionQuery extends PageRequest {
  playbookId?: string;
  cycleId?: string;
}

/** One project's automation records, plus the tenant-wide halt switch. */
export interface AutomationStore {
  getPlaybook(playbookId: string): Promise<Playbook | undefined>;
  /** newest first, optionally of one status */
  listPlaybooks(page: PageRequest & { status?: PlaybookStatus }): Promise<Page<Playbook>>;
  /** every version kept (the current one too), newest first */
  listVersions(playbookId: string, page: PageRequest): Promise<Page<Playbook>>;
  /** a new playbook at version 1, with its first version kept */
  createPlaybook(uow: UnitOfWork, playbook: Playbook): void;
  /**
   * replaces it while at `before.version` (412 otherwise) and keeps the new version. Becoming
   * active claims (strategy, symbol, account) in the same transaction (409 PLAYBOOK_ACTIVE_EXISTS
   * when another playbook holds it); leaving active releases the claim.
   */
  replacePlaybook(uow: UnitOfWork, before: Playbook, after: Playbook): void;
  /** a draft and its kept versions, while at `playbook.version` */
  deletePlaybook(uow: UnitOfWork, playbook: Playbook): Promise<void>;

  getCycle(cycleId: string): Promise<Cycle | undefined>;
  /** newest first; of one playbook when named */
  listCycles(page: PageRequest & { playbookId?: string }): Promise<Page<Cycle>>;
  /** creates it (expectedVersion undefined) or replaces it while at `expectedVersion` */
  putCycle(uow: UnitOfWork, cycle: Cycle, expectedVersion: number | undefined): void;
  /** newest cycle first, a cycle's steps last to first; by playbook or by cycle */
  listDecisions(query: DecisionQuery): Promise<Page<AutomationDecision>>;
  putDecision(uow: UnitOfWork, decision: AutomationDecision): void;
  /** claims a scheduled slot: a second claim fails the unit of work with 409 SLOT_ALREADY_RUN */
  claimSlot(uow: UnitOfWork, playbookId: string, slot: string): void;

  /** every active playbook of the project (at most MAX_ACTIVE_PLAYBOOKS), oldest first */
  activePlaybooks(): Promise<Playbook[]>;
  getAgent(playbookId: string): Promise<Agent | undefined>;
  putAgent(uow: UnitOfWork, agent: Agent, expectedVersion: number | undefined): void;

  /** the feedback loop's decisions, newest first; of one playbook when named */
  listFeedback(query: FeedbackQuery): Promise<Page<FeedbackDecision>>;
  getFeedback(decisionId: string): Promise<FeedbackDecision | undefined>;
  /** a decision and the snapshot it judged, written together */
  putFeedback(uow: UnitOfWork, decision: FeedbackDecision, snapshot: PerformanceSnapshot): void;
  /** newest first, by asOf within [from, to] when given */
  listSnapshots(query: SnapshotQuery): Promise<Page<PerformanceSnapshot>>;
  /** claims a feedback run (a scheduled day, a cycle): a second claim fails with 409 SLOT_ALREADY_RUN */
  claimFeedbackRun(uow: UnitOfWork, playbookId: string, run: string, nowMs: number): void;
  /** the tenant's thresholds (undefined before the first write) */
  getFeedbackSettings(): Promise<FeedbackSettings | undefined>;
  putFeedbackSettings(uow: UnitOfWork, settings: FeedbackSettings, expectedVersion: number | undefined): void;

  getHalt(): Promise<HaltState | undefined>;
  putHalt(uow: UnitOfWork, halt: HaltState, expectedVersion: number | undefined): void;
}

/** Most active playbooks one health report reads. */
export const MAX_ACTIVE_PLAYBOOKS = 500;

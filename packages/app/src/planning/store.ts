import type { Page, PageRequest } from '@ballast/platform/data/query.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import type { ProposalPlan, ProposalTrade } from '@ballast/core/rebalance/proposal.js';
import type { Recurrence } from '@ballast/core/schedule/recurrence.js';
import type { ProposalOptionsBody } from './rebalance-schemas.js';
import type { CATEGORY_TYPES } from './schemas.js';

/** An asset category of a portfolio: a slice of its value with a target, bounds and rebalancing rules. */
export interface Category {
  categoryId: string;
  portfolioId: string;
  name: string;
  /** upper-case, unique within the portfolio */
  code: string;
  type: (typeof CATEGORY_TYPES)[number];
  /** decimal strings, percent of the whole portfolio */
  targetPct: string;
  minPct?: string;
  maxPct?: string;
  rebalanceThresholdPct: string;
  riskLevel?: number;
  maxSinglePositionPct?: string;
  volatilityLimitPct?: string;
  taxLossHarvesting: boolean;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** A symbol's place in a category, with an optional relative weight within it. */
export interface Assignment {
  symbol: string;
  categoryId: string;
  /** decimal string > 0 */
  weight?: string;
  updatedAt: string;
}

/** A symbol the planner must leave alone (restricted stock, a personal rule), with why. */
export interface Exclusion {
  symbol: string;
  reason: string;
  updatedAt: string;
}

/** Where the store's keys live: the verified tenant and project of the request, never input. */
export interface ProjectScope {
  tenantId: string;
  projectId: string;
}

/** Most assignments (and exclusions) one portfolio holds: lists read them whole. */
export const MAX_ASSIGNMENTS = 1000;

export type ExecutionType = 'scheduled' | 'manual' | 'threshold';
export type ProposalStatus = 'proposed' | 'executing' | 'executed' | 'previewed' | 'failed';

/** A stored rebalance proposal: the plan, what it was made on, and what became of it. */
export interface Proposal {
  proposalId: string;
  portfolioId: string;
  /** the account its trades go through (gate outcomes were evaluated on it) */
  accountId?: string;
  options: ProposalOptionsBody;
  plan: ProposalPlan;
  /** whether the trades were put to the account's risk gate */
  gate: { evaluated: boolean; accountId?: string; detail?: string };
  /** what it was made on: execution refuses when any of it moved (409 PROPOSAL_STALE) */
  basis: { cash: string; quantities: Record<string, string>; prices: Record<string, string> };
  status: ProposalStatus;
  source: ExecutionType;
  scheduleId?: string;
  executionId?: string;
  createdAt: string;
  createdBy: string;
  /** after this it is stale whatever moved */
  expiresAt: string;
  version: number;
}

/** `sending`: its orders are going out now (a run that stops here is marked failed by its watchdog) */
export type ExecutionStatus = 'sending' | 'previewed' | 'awaiting_fills' | 'completed' | 'failed' | 'skipped';

/** One order an execution sent (or previewed, or could not send). */
export interface ExecutionOrder {
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  orderId?: string;
  /** the order's status when last looked at, or 'not_sent' */
  status: string;
  error?: { code: string; detail: string };
}

/** One rebalance run: manual, by a schedule, or by a schedule's drift trigger. */
export interface Execution {
  executionId: string;
  portfolioId: string;
  type: ExecutionType;
  proposalId?: string;
  scheduleId?: string;
  /** the schedule's slot (its due instant) this run is */
  slot?: string;
  accountId?: string;
  mode?: 'GUIDE' | 'AUTONOMOUS';
  status: ExecutionStatus;
  portfolioValue: string;
  /** total drift, percentage points */
  driftBefore: string;
  /** the plan's projected drift after its trades */
  driftAfter: string;
  tradesPlanned: number;
  tradesExecuted: number;
  orders: ExecutionOrder[];
  /** buys that wait for the sells' fills (their cash depends on the proceeds) */
  pendingBuys?: ProposalTrade[];
  /** slots the schedule missed (an outage) that this one run stands for */
  missedSlots?: number;
  success: boolean;
  detail?: string;
  error?: { code: string; detail: string };
  startedAt: string;
  finishedAt?: string;
  by: string;
  version: number;
}

/** A rebalancing schedule: when, how far drift may go, and whether it only proposes or also executes. */
export interface Schedule extends Recurrence {
  scheduleId: string;
  portfolioId: string;
  name: string;
  accountId?: string;
  /** calendar: every run proposes; drift: a run acts only when total drift is at least the threshold */
  trigger: 'calendar' | 'drift';
  /** total drift (percentage points) below which a run does nothing */
  driftThresholdPct: string;
  maxTrades?: number;
  cooldownDays: number;
  mode: 'propose' | 'execute';
  enabled: boolean;
  proposal: ProposalOptionsBody;
  /** null while disabled */
  nextRunAt: string | null;
  lastRunAt?: string;
  lastExecutionId?: string;
  createdAt: string;
  /** who made it (a principal id): a failed scheduled run tells them (absent on schedules made before) */
  createdBy?: string;
  updatedAt: string;
  version: number;
}

export type RuleKind = 'dca' | 'stop_loss';

/** A standing trade rule on one symbol: a recurring buy (DCA) or a protective sell (stop-loss). */
export interface Rule {
  ruleId: string;
  portfolioId: string;
  accountId: string;
  kind: RuleKind;
  symbol: string;
  enabled: boolean;
  /** dca: money per run (decimal, base currency), its recurrence, an optional price ceiling, fractional */
  dca?: Recurrence & { amount: string; maxPrice?: string; fractional: boolean };
  /** stop_loss: sell the whole position when the price falls stop % below its average cost */
  stopLoss?: { stopPct: string };
  nextRunAt?: string | null;
  lastRunAt?: string;
  /** stop-loss: when it fired (it disables itself then: a stop sells once) */
  triggeredAt?: string;
  createdAt: string;
  /** who made it (a principal id): a failed run tells them (absent on rules made before) */
  createdBy?: string;
  updatedAt: string;
  version: number;
}

export type RuleRunOutcome = 'ordered' | 'previewed' | 'skipped' | 'failed';

export interface RuleRun {
  runId: string;
  ruleId: string;
  at: string;
  outcome: RuleRunOutcome;
  detail: string;
  price?: string;
  quantity?: string;
  orderId?: string;
}

/** One project's planning data, per portfolio (tenant and project fixed by the scope). */
export interface PlanningStore {
  getCategory(portfolioId: string, categoryId: string): Promise<Category | undefined>;
  /** newest first (ids are time-sortable) */
  listCategories(portfolioId: string, page: PageRequest): Promise<Page<Category>>;
  /** every category of the portfolio, oldest first */
  allCategories(portfolioId: string): Promise<Category[]>;
  /** creates it and claims its code (409 CATEGORY_CODE_TAKEN when another category has it) */
  createCategory(uow: UnitOfWork, category: Category): void;
  /** replaces it while at `expectedVersion` (412 otherwise), moving the code claim if the code changed */
  replaceCategory(uow: UnitOfWork, before: Category, after: Category): void;
  /** removes it and its code claim while at `expectedVersion` */
  deleteCategory(uow: UnitOfWork, category: Category, expectedVersion: number): void;

  getAssignment(portfolioId: string, symbol: string): Promise<Assignment | undefined>;
  /** every assignment, by symbol */
  listAssignments(portfolioId: string): Promise<Assignment[]>;
  /** puts it, provided its category still exists (422 CATEGORY_NOT_FOUND otherwise) */
  putAssignment(uow: UnitOfWork, portfolioId: string, assignment: Assignment): void;
  /** 404 ASSIGNMENT_NOT_FOUND when there is none */
  deleteAssignment(uow: UnitOfWork, portfolioId: string, symbol: string): void;

  getExclusion(portfolioId: string, symbol: string): Promise<Exclusion | undefined>;
  listExclusions(portfolioId: string): Promise<Exclusion[]>;
  putExclusion(uow: UnitOfWork, portfolioId: string, exclusion: Exclusion): void;
  /** 404 EXCLUSION_NOT_FOUND when there is none */
  deleteExclusion(uow: UnitOfWork, portfolioId: string, symbol: string): void;

  getProposal(portfolioId: string, proposalId: string): Promise<Proposal | undefined>;
  /** newest first */
  listProposals(portfolioId: string, page: PageRequest): Promise<Page<Proposal>>;
  /** creates it (expectedVersion undefined) or replaces it while at `expectedVersion` (409 otherwise) */
  putProposal(uow: UnitOfWork, proposal: Proposal, expectedVersion: number | undefined): void;

  getExecution(portfolioId: string, executionId: string): Promise<Execution | undefined>;
  listExecutions(portfolioId: string, page: PageRequest): Promise<Page<Execution>>;
  putExecution(uow: UnitOfWork, execution: Execution, expectedVersion: number | undefined): void;
  /**
   * claims the (schedule or rule, slot) pair: a second claim of the same pair fails the unit of
   * work with 409 SLOT_ALREADY_RUN, so one slot runs once however often it is delivered
   */
  claimSlot(uow: UnitOfWork, portfolioId: string, ownerId: string, slot: string): void;

  getSchedule(portfolioId: string, scheduleId: string): Promise<Schedule | undefined>;
  listSchedules(portfolioId: string, page: PageRequest): Promise<Page<Schedule>>;
  putSchedule(uow: UnitOfWork, schedule: Schedule, expectedVersion: number | undefined): void;
  deleteSchedule(uow: UnitOfWork, schedule: Schedule, expectedVersion: number): void;

  getRule(portfolioId: string, ruleId: string): Promise<Rule | undefined>;
  listRules(portfolioId: string, page: PageRequest): Promise<Page<Rule>>;
  /** every rule of the portfolio (at most MAX_RULES), oldest first */
  allRules(portfolioId: string): Promise<Rule[]>;
  putRule(uow: UnitOfWork, rule: Rule, expectedVersion: number | undefined): void;
  deleteRule(uow: UnitOfWork, rule: Rule, expectedVersion: number): void;
  addRuleRun(uow: UnitOfWork, portfolioId: string, run: RuleRun): void;
  /** newest first */
  listRuleRuns(portfolioId: string, ruleId: string, page: PageRequest): Promise<Page<RuleRun>>;
  /** the portfolio's stop-loss watch: the instant its next check is due, if one is scheduled */
  getWatch(portfolioId: string): Promise<{ nextAt: string; version: number } | undefined>;
  putWatch(uow: UnitOfWork, portfolioId: string, nextAt: string, expectedVersion: number | undefined): void;
}

/** Most rules one portfolio holds. */
export const MAX_RULES = 200;

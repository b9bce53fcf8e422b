import type { Page, PageRequest } from '@ballast/platform/data/query.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
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
}

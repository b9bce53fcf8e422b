import type { Page, PageRequest } from '@ballast/platform/data/query.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';

export interface Portfolio {
  portfolioId: string;
  tenantId: string;
  projectId: string;
  name: string;
  baseCurrency: string;
  /** decimal string, never a float */
  cash: string;
  description?: string;
  /** lets buys, fees and withdrawals take cash below zero (margin); off unless set */
  allowNegativeCash?: boolean;
  createdAt: string;
  updatedAt: string;
  version: number;
  /** soft delete: set when deleted, purged after the grace period */
  deletedAt?: string;
}

/** Where a store's keys live: the verified tenant and project of the request or job, never input. */
export interface ProjectScope {
  tenantId: string;
  projectId: string;
}

/** One project's portfolios. */
export interface PortfolioStore {
  /** the portfolio, soft-deleted or not */
  get(portfolioId: string): Promise<Portfolio | undefined>;
  /** live portfolios only, newest first (by id, which is time-sortable) */
  list(page: PageRequest): Promise<Page<Portfolio>>;
  create(uow: UnitOfWork, portfolio: Portfolio): void;
  /** replaces a live portfolio while it is at `expectedVersion` (412 otherwise) */
  update(uow: UnitOfWork, portfolio: Portfolio, expectedVersion: number): void;
  /** removes a soft-deleted portfolio for good, if it is still at `expectedVersion` */
  purge(uow: UnitOfWork, portfolioId: string, expectedVersion: number): void;
}

import type { Page, PageRequest } from '@ballast/platform/data/query.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';

export type SignalStatus = 'open' | 'approved' | 'cancelled';

/** A strategy's trade idea at the close of one stored bar, and what a person did with it. */
export interface StoredSignal {
  signalId: string;
  strategy: string;
  /** the parameters it ran with, defaults filled in */
  params: Record<string, unknown>;
  symbol: string;
  interval: string;
  /** the open time of the bar it formed at (ISO) */
  barTime: string;
  side: 'long' | 'short';
  /** decimal strings, rounded at the edge from the strategy's floats */
  entry: string;
  stopLoss: string | null;
  takeProfit: string | null;
  /** 0..1 */
  confidence: number;
  reason: string;
  status: SignalStatus;
  /** the order its approval placed */
  orderId?: string;
  accountId?: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  version: number;
}

/** One project's research records (tenant and project fixed by the scope). */
export interface ResearchStore {
  getSignal(signalId: string): Promise<StoredSignal | undefined>;
  /** newest first, optionally of one status */
  listSignals(page: PageRequest & { status?: SignalStatus }): Promise<Page<StoredSignal>>;
  /** creates it (expectedVersion undefined) or replaces it while at `expectedVersion` (409 otherwise) */
  putSignal(uow: UnitOfWork, signal: StoredSignal, expectedVersion: number | undefined): void;
}

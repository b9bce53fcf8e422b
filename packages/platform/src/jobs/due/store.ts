import type { Env } from '../../context/types.js';
import type { UnitOfWork } from '../../data/unit-of-work.js';

/** One piece of scheduled work: run `job` for this tenant at (or soon after) `dueAt`. */
export interface DueWork {
  job: string;
  tenantId: string;
  env: Env;
  projectId?: string;
  /** unique within the tenant and job; a re-schedule of the same work and time overwrites */
  workId: string;
  /** ISO 8601 */
  dueAt: string;
  payload: unknown;
}

/**
 * The due-work index: work sits in one-minute slots (sharded), and a sparse index of occupied
 * slots per shard tells the dispatcher where to look, so a tick reads only slots that hold work —
 * however long the clock jumped.
 */
export interface DueWorkStore {
  /** stages the work into `uow`, so it commits with the change that made it due */
  schedule(uow: UnitOfWork, work: DueWork): void;
  /** writes many at once, outside any transaction (bulk seeding, benchmarks) */
  scheduleMany(work: readonly DueWork[]): Promise<void>;
  /** occupied slots of a shard at or before `uptoSlot`, oldest first */
  occupiedSlots(shard: number, uptoSlot: number): Promise<number[]>;
  /** one page of a slot's work */
  slotPage(shard: number, slot: number, after?: string): Promise<{ items: DueWork[]; after?: string }>;
  /** the slot has been dispatched */
  clearSlot(shard: number, slot: number): Promise<void>;
}

export const DUE_SHARDS = 16;
const MINUTE_MS = 60_000;

/** Work due at `dueMs` waits in the slot of the first minute boundary at or after it: never early. */
export function slotOf(dueMs: number): number {
  return Math.ceil(dueMs / MINUTE_MS);
}

export function slotStart(slot: number): number {
  return slot * MINUTE_MS;
}

/** A stable shard for a piece of work (FNV-1a of tenant and work id). */
export function shardOf(tenantId: string, workId: string): number {
  let h = 0x811c9dc5;
  const s = `${tenantId}#${workId}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % DUE_SHARDS;
}

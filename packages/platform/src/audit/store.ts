import type { Page } from '../data/query.js';
import type { UnitOfWork } from '../data/unit-of-work.js';
import type { AuditQuery, AuditRecord } from './record.js';

/** The audit log: records are staged into the unit of work of the change they describe. */
export interface AuditStore {
  stage(uow: UnitOfWork, record: AuditRecord): void;
  /** a tenant's records, newest first, optionally only one resource and/or action */
  list(tenantId: string, query: AuditQuery): Promise<Page<AuditRecord>>;
  /**
   * Retention: up to `limit` of a tenant's records of one month (`yyyy-mm`), oldest first across
   * its shards. What is left of the month after `remove` is what comes next.
   */
  oldestOfMonth(tenantId: string, month: string, limit: number): Promise<AuditRecord[]>;
  /** Retention: deletes exactly these records (already archived); an absent one is no error. */
  remove(records: readonly AuditRecord[]): Promise<void>;
}

import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { writeBatches } from '../data/batch.js';
import { encodeCursor, invalidCursor, openCursor } from '../data/cursor.js';
import { putIfAbsent, withoutKeys } from '../data/items.js';
import type { Page } from '../data/query.js';
import { dynamoUnitOfWork, type UnitOfWork } from '../data/unit-of-work.js';
import type { AuditQuery, AuditRecord } from './record.js';
import type { AuditStore } from './store.js';

/**
 * Records of one tenant and one month are spread over this many partitions, so a busy tenant's
 * audit writes (every trade, every scheduled run) never queue behind one hot partition; a month
 * bucket keeps each partition bounded over the years.
 */
export const AUDIT_SHARDS = 4;

const MONTH = /^\d{4}-\d{2}$/;
const monthOf = (iso: string) => iso.slice(0, 7);
const bucket = (tenantId: string, month: string, shard: number) => `TENANT#${tenantId}#AUDIT#${month}#${shard}`;

function previousMonth(month: string): string {
  const [year, mon] = month.split('-').map(Number);
  return mon === 1 ? `${year - 1}-12` : `${year}-${String(mon - 1).padStart(2, '0')}`;
}

/** A shard from the record id: spreads writes evenly without coordination. */
function shardOf(auditId: string): number {
  let h = 0;
  for (let i = 0; i < auditId.length; i++) h = (h * 31 + auditId.charCodeAt(i)) | 0;
  return Math.abs(h) % AUDIT_SHARDS;
}

interface ResumePoint {
  /** tenant the cursor was issued for */
  t: string;
  /** month bucket to continue in */
  m: string;
  /** records strictly older than this sort key */
  b?: string;
}

function decodeResumePoint(cursor: string | undefined, tenantId: string): ResumePoint | undefined {
  if (cursor === undefined) return undefined;
  const p = openCursor(cursor) as Partial<ResumePoint> | null;
  const ok =
    typeof p === 'object' &&
    p !== null &&
    p.t === tenantId &&
    typeof p.m === 'string' &&
    MONTH.test(p.m) &&
    (p.b === undefined || (typeof p.b === 'string' && p.b.length <= 100));
  if (!ok) throw invalidCursor('does not belong to this list');
  return p as ResumePoint;
}

/** Reads per shard and round, and rounds per page, that a filtered page may cost at most. */
const MAX_READS_PER_SHARD = 3;
const MAX_ROUNDS = 24;

const withoutSortKey = ({ SK: _sk, ...record }: AuditRecord & { SK: string }): AuditRecord => record;

export class DynamoAuditStore implements AuditStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  stage(uow: UnitOfWork, record: AuditRecord): void {
    const key = {
      PK: bucket(record.tenantId, monthOf(record.at), shardOf(record.auditId)),
      SK: `${record.at}#${record.auditId}`,
    };
    // Append-only: the condition makes an existing record impossible to overwrite.
    dynamoUnitOfWork(uow).stage(putIfAbsent(this.table, key, { ...record }));
  }

  async list(tenantId: string, q: AuditQuery): Promise<Page<AuditRecord>> {
    const resume = decodeResumePoint(q.cursor, tenantId);
    const oldest = monthOf(q.since);
    let month = resume?.m ?? monthOf(q.until);
    let before = resume?.b;
    const items: Array<AuditRecord & { SK: string }> = [];
    for (let round = 0; items.length < q.limit && month >= oldest; round++) {
      if (round >= MAX_ROUNDS) {
        // A very sparse filter: hand back what is complete so far and where to go on from.
        return { items: items.map(withoutSortKey), nextCursor: encodeCursor({ t: tenantId, m: month, b: before }) };
      }
      const need = q.limit - items.length;
      const shards = await Promise.all(
        Array.from({ length: AUDIT_SHARDS }, (_, shard) =>
          this.newest(bucket(tenantId, month, shard), need, before, q),
        ),
      );
      // Below the highest point where an unfinished shard stopped, records may still be missing:
      // only what is above that frontier is complete.
      const frontier = shards.reduce<string | undefined>(
        (high, s) => (s.stoppedAt !== undefined && (high === undefined || s.stoppedAt > high) ? s.stoppedAt : high),
        undefined,
      );
      const complete = shards
        .flatMap((s) => s.found)
        .filter((r) => frontier === undefined || r.SK >= frontier)
        .sort((a, b) => (a.SK < b.SK ? 1 : a.SK > b.SK ? -1 : 0));
      items.push(...complete.slice(0, need));
      if (items.length >= q.limit) break;
      if (frontier !== undefined) {
        before = frontier;
      } else {
        month = previousMonth(month);
        before = undefined;
      }
    }
    const last = items.at(-1);
    const more = items.length >= q.limit && last !== undefined;
    return {
      items: items.map(withoutSortKey),
      nextCursor: more ? encodeCursor({ t: tenantId, m: monthOf(last.at), b: last.SK }) : null,
    };
  }

  async oldestOfMonth(tenantId: string, month: string, limit: number): Promise<AuditRecord[]> {
    if (!MONTH.test(month)) throw new Error(`'${month}' is not a month`);
    const shards = await Promise.all(
      Array.from({ length: AUDIT_SHARDS }, async (_, shard) => {
        const found: Array<AuditRecord & { SK: string }> = [];
        let start: Record<string, unknown> | undefined;
        do {
          const res = await this.db.send(
            new QueryCommand({
              TableName: this.table,
              KeyConditionExpression: 'PK = :pk',
              ExpressionAttributeValues: { ':pk': bucket(tenantId, month, shard) },
              ScanIndexForward: true,
              ConsistentRead: true,
              Limit: limit - found.length,
              ExclusiveStartKey: start,
            }),
          );
          for (const item of res.Items ?? []) {
            found.push({ ...(withoutKeys<AuditRecord>(item) as AuditRecord), SK: String(item.SK) });
          }
          start = res.LastEvaluatedKey;
        } while (start && found.length < limit);
        return found;
      }),
    );
    // each shard's first `limit` holds every record of the month's first `limit` that lies in it
    return shards
      .flat()
      .sort((a, b) => (a.SK < b.SK ? -1 : a.SK > b.SK ? 1 : 0))
      .slice(0, limit)
      .map(withoutSortKey);
  }

  /** Deletes the records (archived elsewhere first), 25 a BatchWriteItem. */
  async remove(records: readonly AuditRecord[]): Promise<void> {
    const deletes = records.map((r) => ({
      DeleteRequest: { Key: { PK: bucket(r.tenantId, monthOf(r.at), shardOf(r.auditId)), SK: `${r.at}#${r.auditId}` } },
    }));
    await writeBatches(this.db, this.table, deletes, { what: 'deleting archived audit records' });
  }

  /** Up to `need` matching records of one partition, newest first, older than `before`. */
  private async newest(pk: string, need: number, before: string | undefined, q: AuditQuery) {
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':pk': pk };
    if (before !== undefined) values[':before'] = before;
    if (q.resource !== undefined) {
      filters.push('#resource = :resource');
      names['#resource'] = 'resource';
      values[':resource'] = q.resource;
    }
    if (q.action !== undefined) {
      filters.push('#action = :action');
      names['#action'] = 'action';
      values[':action'] = q.action;
    }
    const found: Array<AuditRecord & { SK: string }> = [];
    let start: Record<string, unknown> | undefined;
    for (let reads = 0; reads < MAX_READS_PER_SHARD && found.length < need; reads++) {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: before === undefined ? 'PK = :pk' : 'PK = :pk AND SK < :before',
          FilterExpression: filters.length ? filters.join(' AND ') : undefined,
          ExpressionAttributeNames: filters.length ? names : undefined,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: need - found.length,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of res.Items ?? []) {
        found.push({ ...(withoutKeys<AuditRecord>(item) as AuditRecord), SK: String(item.SK) });
      }
      start = res.LastEvaluatedKey;
      if (!start) break;
    }
    return { found, stoppedAt: start ? String(start.SK) : undefined };
  }
}

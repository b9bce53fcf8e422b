import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { withoutKeys } from '@ballast/platform/data/items.js';
import { type Page, queryAll, queryPage } from '@ballast/platform/data/query.js';
import { dynamoUnitOfWork, type UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { parseArchiveId } from './ids.js';
import type { ArchiveListQuery, ArchiveManifest, ArchiveStore, HealthStore } from './store.js';

export class DynamoHealthStore implements HealthStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly controlTable: string,
    private readonly now: () => number,
  ) {}

  async pingControlTable(): Promise<number> {
    const started = this.now();
    await this.db.send(new DescribeTableCommand({ TableName: this.controlTable }));
    return Math.round(this.now() - started);
  }

  /**
   * A read of a key that starts with the tenant (so the tenant-scoped credentials of the pooled
   * table allow it) and holds nothing: the table's latency, no data. Timed on the process's
   * monotonic clock, not the platform's (whose time a test or the local runtime may move).
   */
  async pingDataTable(table: string, tenantId: string): Promise<number> {
    const started = performance.now();
    await this.db.send(
      new GetCommand({ TableName: table, Key: { PK: `TENANT#${tenantId}#HEALTH`, SK: 'PING' }, ConsistentRead: true }),
    );
    return Math.round((performance.now() - started) * 10) / 10;
  }
}

/**
 * Archive manifests, in the control table beside the audit log they mostly describe:
 * `TENANT#t#ARCHIVES`, sort key `<kind>#<yyyy-mm>#<archiveId>` (listable by kind and period; the id
 * names its kind and month, so a get is one read), `DONE#<scope>` for how far a kind is done and
 * `LEASE#<scope>` for the run at work on it.
 */
const archivePartition = (tenantId: string) => `TENANT#${tenantId}#ARCHIVES`;
const archiveSk = (kind: string, month: string, archiveId: string) => `${kind}#${month}#${archiveId}`;

export class DynamoArchiveStore implements ArchiveStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  put(uow: UnitOfWork, tenantId: string, manifest: ArchiveManifest): void {
    dynamoUnitOfWork(uow).stage({
      Put: {
        TableName: this.table,
        Item: {
          ...manifest,
          PK: archivePartition(tenantId),
          SK: archiveSk(manifest.kind, manifest.from.slice(0, 7), manifest.archiveId),
        },
      },
    });
  }

  async get(tenantId: string, archiveId: string): Promise<ArchiveManifest | undefined> {
    const named = parseArchiveId(archiveId);
    if (!named) return undefined;
    const res = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: { PK: archivePartition(tenantId), SK: archiveSk(named.kind, named.month, archiveId) },
        ConsistentRead: true,
      }),
    );
    return withoutKeys<ArchiveManifest>(res.Item);
  }

  async ofMonth(
    tenantId: string,
    scope: { kind: 'audit' | 'journal'; env?: string; projectId?: string },
    month: string,
  ): Promise<ArchiveManifest[]> {
    const all = await queryAll<ArchiveManifest>(this.db, {
      table: this.table,
      pk: archivePartition(tenantId),
      prefix: `${scope.kind}#${month}#`,
    });
    return all.filter((m) => m.env === scope.env && m.projectId === scope.projectId).sort((a, b) => a.part - b.part);
  }

  list(tenantId: string, q: ArchiveListQuery): Promise<Page<ArchiveManifest>> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const conditions: string[] = [];
    if (q.env !== undefined) {
      conditions.push('#env = :env');
      names['#env'] = 'env';
      values[':env'] = q.env;
    }
    if (q.from !== undefined) {
      conditions.push('#to > :from');
      names['#to'] = 'to';
      values[':from'] = new Date(q.from).toISOString();
    }
    if (q.to !== undefined) {
      conditions.push('#from < :to');
      names['#from'] = 'from';
      values[':to'] = new Date(q.to).toISOString();
    }
    const prefix = `${q.kind}#`;
    return queryPage<ArchiveManifest>(this.db, {
      table: this.table,
      pk: archivePartition(tenantId),
      prefix,
      between: [
        q.from !== undefined ? `${prefix}${new Date(q.from).toISOString().slice(0, 7)}` : prefix,
        q.to !== undefined ? `${prefix}${new Date(q.to).toISOString().slice(0, 7)}#~` : `${prefix}~`,
      ],
      forward: false,
      limit: q.limit,
      cursor: q.cursor,
      ...(conditions.length ? { filter: { expression: conditions.join(' AND '), names, values } } : {}),
    });
  }

  async doneThrough(tenantId: string, scopeKey: string): Promise<string | undefined> {
    const res = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: { PK: archivePartition(tenantId), SK: `DONE#${scopeKey}` },
        ConsistentRead: true,
      }),
    );
    return typeof res.Item?.month === 'string' ? res.Item.month : undefined;
  }

  async setDoneThrough(tenantId: string, scopeKey: string, month: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { PK: archivePartition(tenantId), SK: `DONE#${scopeKey}`, month },
      }),
    );
  }

  async claim(tenantId: string, scopeKey: string, runKey: string, nowMs: number, untilMs: number): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { PK: archivePartition(tenantId), SK: `LEASE#${scopeKey}`, runKey, until: untilMs },
          ConditionExpression: 'attribute_not_exists(PK) OR #until < :now OR runKey = :run',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: { ':now': nowMs, ':run': runKey },
        }),
      );
      return true;
    } catch (e) {
      if ((e as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }

  async release(tenantId: string, scopeKey: string, runKey: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { PK: archivePartition(tenantId), SK: `LEASE#${scopeKey}` },
          ConditionExpression: 'runKey = :run',
          ExpressionAttributeValues: { ':run': runKey },
        }),
      );
    } catch (e) {
      // another run took an expired lease over: it is its to give back
      if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
    }
  }
}

import { DeleteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoUnitOfWork, type UnitOfWork } from '../../data/unit-of-work.js';
import { writeBatches } from '../../data/batch.js';
import { type DueWork, type DueWorkStore, shardOf, slotOf } from './store.js';

/** Dispatched slots are kept this long for inspection, then TTL removes them. */
const KEEP_SECONDS = 7 * 24 * 3600;
const SLOT_DIGITS = 10;

const keys = {
  work: (shard: number, slot: number, tenantId: string, workId: string) => ({
    PK: `DUE#${slot}#${shard}`,
    SK: `${tenantId}#${workId}`,
  }),
  slotMarker: (shard: number, slot: number) => ({
    PK: `DUESLOTS#${shard}`,
    SK: String(slot).padStart(SLOT_DIGITS, '0'),
  }),
};

function items(work: DueWork) {
  const slot = slotOf(Date.parse(work.dueAt));
  const shard = shardOf(work.tenantId, work.workId);
  const ttl = Math.floor((slot * 60_000) / 1000) + KEEP_SECONDS;
  return {
    work: { ...keys.work(shard, slot, work.tenantId, work.workId), ...work, ttl },
    marker: { ...keys.slotMarker(shard, slot), slot, shard, ttl },
  };
}

/** The due-work index in the control table. */
export class DynamoDueWorkStore implements DueWorkStore {
  /** slot markers already staged per unit of work: one transaction may not write an item twice */
  private readonly staged = new WeakMap<UnitOfWork, Set<string>>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  schedule(uow: UnitOfWork, work: DueWork): void {
    const { work: item, marker } = items(work);
    const tx = dynamoUnitOfWork(uow);
    tx.stage({ Put: { TableName: this.table, Item: item } });
    const seen = this.staged.get(uow) ?? new Set<string>();
    const markerId = `${marker.PK}|${marker.SK}`;
    if (!seen.has(markerId)) {
      tx.stage({ Put: { TableName: this.table, Item: marker } });
      seen.add(markerId);
      this.staged.set(uow, seen);
    }
  }

  async scheduleMany(work: readonly DueWork[]): Promise<void> {
    const markers = new Map<string, Record<string, unknown>>();
    const puts: Record<string, unknown>[] = [];
    for (const w of work) {
      const { work: item, marker } = items(w);
      puts.push(item);
      markers.set(`${marker.PK}|${marker.SK}`, marker);
    }
    puts.push(...markers.values());
    await writeBatches(
      this.db,
      this.table,
      puts.map((Item) => ({ PutRequest: { Item } })),
      { what: 'the due-work batch' },
    );
  }

  async occupiedSlots(shard: number, uptoSlot: number): Promise<number[]> {
    const slots: number[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'PK = :pk AND SK <= :upto',
          ExpressionAttributeValues: {
            ':pk': keys.slotMarker(shard, 0).PK,
            ':upto': keys.slotMarker(shard, uptoSlot).SK,
          },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of res.Items ?? []) slots.push(Number(item.slot));
      start = res.LastEvaluatedKey;
    } while (start);
    return slots;
  }

  async slotPage(shard: number, slot: number, after?: string): Promise<{ items: DueWork[]; after?: string }> {
    const pk = keys.work(shard, slot, '', '').PK;
    const res = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
        ExclusiveStartKey: after ? { PK: pk, SK: after } : undefined,
      }),
    );
    const found = (res.Items ?? []).map(
      (item): DueWork => ({
        job: String(item.job),
        tenantId: String(item.tenantId),
        env: item.env as DueWork['env'],
        ...(item.projectId ? { projectId: String(item.projectId) } : {}),
        workId: String(item.workId),
        dueAt: String(item.dueAt),
        payload: item.payload,
      }),
    );
    return { items: found, after: res.LastEvaluatedKey ? String(res.LastEvaluatedKey.SK) : undefined };
  }

  async clearSlot(shard: number, slot: number): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: keys.slotMarker(shard, slot) }));
  }
}

import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor } from './cursor.js';
import { withoutKeys } from './items.js';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

export interface PartitionQuery extends PageRequest {
  table: string;
  pk: string;
  /** sort-key prefix; empty or absent: the whole partition */
  prefix?: string;
  /**
   * inclusive sort-key range, both ends starting with `prefix` (a date range over date-keyed items);
   * replaces the prefix condition, while the prefix still bounds where a cursor may point
   */
  between?: readonly [string, string];
  index?: 'GSI1';
  /** ascending sort key (default) or newest first */
  forward?: boolean;
  /** e.g. `attribute_not_exists(deletedAt)`; names and values must not clash with #pk/#sk/:pk/:prefix */
  filter?: { expression: string; names?: Record<string, string>; values?: Record<string, unknown> };
}

/** A filtered list keeps reading until the page is full or the partition ends, at most this many reads. */
const MAX_READS_PER_PAGE = 10;
/** Items evaluated per read of a filtered list: enough that a run of filtered-out items does not starve a page. */
const FILTERED_READ = 100;

/** The key condition (partition, then a sort-key range or prefix) and the filter's names and values of a query. */
function keyCondition(q: Omit<PartitionQuery, 'limit' | 'cursor'>) {
  const skAttr = q.index ? 'GSI1SK' : 'SK';
  const names: Record<string, string> = { '#pk': q.index ? 'GSI1PK' : 'PK', ...(q.filter?.names ?? {}) };
  const values: Record<string, unknown> = { ':pk': q.pk, ...(q.filter?.values ?? {}) };
  let condition = '#pk = :pk';
  if (q.between) {
    const [low, high] = q.between;
    if (q.prefix && !(low.startsWith(q.prefix) && high.startsWith(q.prefix))) {
      throw new Error('a sort-key range must lie within the prefix');
    }
    names['#sk'] = skAttr;
    values[':low'] = low;
    values[':high'] = high;
    condition += ' AND #sk BETWEEN :low AND :high';
  } else if (q.prefix) {
    names['#sk'] = skAttr;
    values[':prefix'] = q.prefix;
    condition += ' AND begins_with(#sk, :prefix)';
  }
  return { names, values, condition };
}

/**
 * One page of one partition, oldest or newest first. A filter no longer makes pages short: it
 * reads on (bounded) until `limit` items match, so a page is short only when it is the last; the
 * cursor then points after the last item handed out, not after the last one read.
 */
export async function queryPage<T>(db: DynamoDBDocumentClient, q: PartitionQuery): Promise<Page<T>> {
  const pkAttr = q.index ? 'GSI1PK' : 'PK';
  const skAttr = q.index ? 'GSI1SK' : 'SK';
  const keyAttrs = q.index ? ['GSI1PK', 'GSI1SK', 'PK', 'SK'] : ['PK', 'SK'];
  const { names, values, condition } = keyCondition(q);
  const found: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined = decodeCursor(q.cursor, {
    pk: q.pk,
    pkAttr,
    skAttr,
    keyAttrs,
    prefix: q.prefix,
  });
  for (let reads = 0; reads < MAX_READS_PER_PAGE; reads++) {
    const res = await db.send(
      new QueryCommand({
        TableName: q.table,
        IndexName: q.index,
        KeyConditionExpression: condition,
        FilterExpression: q.filter?.expression,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        Limit: q.filter ? Math.max(FILTERED_READ, q.limit) : q.limit - found.length,
        ScanIndexForward: q.forward ?? true,
        ExclusiveStartKey: start,
      }),
    );
    found.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
    if (!start || found.length >= q.limit) break;
  }
  if (found.length > q.limit) {
    found.length = q.limit;
    const last = found[q.limit - 1];
    start = Object.fromEntries(keyAttrs.map((name) => [name, last[name]]));
  }
  return { items: found.map((item) => withoutKeys<T>(item) as T), nextCursor: encodeCursor(start) };
}

/**
 * Every item of one partition (optionally a sort-key prefix and a filter), in sort-key order, read
 * page by page. For bounded sets only (the working orders of one owner, a replay): past
 * `maxItems` it throws rather than hold an unbounded answer in a Lambda's memory.
 */
export async function queryAll<T>(
  db: DynamoDBDocumentClient,
  q: Omit<PartitionQuery, 'limit' | 'cursor'> & { maxItems?: number },
): Promise<T[]> {
  const { names, values, condition } = keyCondition(q);
  const maxItems = q.maxItems ?? 10_000;
  const out: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await db.send(
      new QueryCommand({
        TableName: q.table,
        IndexName: q.index,
        KeyConditionExpression: condition,
        FilterExpression: q.filter?.expression,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: q.forward ?? true,
        ExclusiveStartKey: start,
        ConsistentRead: q.index ? undefined : true,
      }),
    );
    for (const item of res.Items ?? []) out.push(withoutKeys<T>(item) as T);
    if (out.length > maxItems) throw new Error(`more than ${maxItems} items in ${q.pk}: read it in pages`);
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}

import {
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { AppError, conflict } from '../errors.js';

type TxItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** What a use case records alongside its change; the actor, time and request id come from the context. */
export interface AuditEntry {
  action: string;
  resource: string;
  before?: unknown;
  after?: unknown;
  /** the tenant whose log gets the record; defaults to the request's tenant */
  tenantId?: string;
  source?: 'api' | 'scheduler' | 'agent' | 'system';
}

/**
 * Writes that must agree, committed together: the change, its audit record, and anything else a
 * use case stages. Stores stage their writes into it; the use case commits once. If any condition
 * fails nothing is written, and the failing write's own error is raised.
 */
export interface UnitOfWork {
  audit(entry: AuditEntry): void;
  commit(): Promise<void>;
}

interface StagedWrite {
  item: TxItem;
  onConditionFailed?: () => AppError;
}

/** DynamoDB's TransactWriteItems accepts at most this many writes. */
const DYNAMO_TRANSACTION_LIMIT = 100;
/** What a store may stage in one unit of work: DynamoDB's limit less the commit marker's slot. */
export const MAX_TRANSACTION_WRITES = DYNAMO_TRANSACTION_LIMIT - 1;

/**
 * Where a request's commits leave their markers (see `DynamoUnitOfWork`): an item per commit,
 * keyed by what makes a retry "the same request" (the idempotency claim), so the retry's commit
 * meets the first one's marker. `sequence` is shared by the request's units of work: its n-th
 * commit is marker n on every attempt of the request.
 */
export interface CommitGuard {
  table: string;
  key(sequence: number): { PK: string; SK: string };
  sequence: { next: number };
  nowSeconds: number;
  ttlSeconds: number;
}

/** One commit's marker: its key, and the condition that lets this commit write it. */
interface Marker {
  key: { PK: string; SK: string };
  /** a fenced marker's number, once this commit has met a fence; undefined: expect no marker */
  fence?: number;
}

type MarkerState = { kind: 'absent' } | { kind: 'applied'; token: string } | { kind: 'fenced'; fence: number };
/** cancellation reasons that mean "too fast", not "your data": the write may be retried as it was */
const THROTTLED_REASONS = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

/** The DynamoDB unit of work: one TransactWriteItems across every table it touches. */
export class DynamoUnitOfWork implements UnitOfWork {
  private readonly writes: StagedWrite[] = [];
  private committed = false;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly stageAudit: (uow: DynamoUnitOfWork, entry: AuditEntry) => void,
    private readonly guard?: CommitGuard,
  ) {}

  /** Stages one write; `onConditionFailed` names the error when its own condition is what failed. */
  stage(item: TxItem, onConditionFailed?: () => AppError): void {
    if (this.committed) throw new Error('unit of work already committed');
    this.writes.push({ item, onConditionFailed });
  }

  audit(entry: AuditEntry): void {
    this.stageAudit(this, entry);
  }

  get size(): number {
    return this.writes.length;
  }

  async commit(): Promise<void> {
    if (this.committed) throw new Error('unit of work already committed');
    this.committed = true;
    if (this.writes.length === 0) return;
    if (this.writes.length > MAX_TRANSACTION_WRITES) {
      throw new Error(`a unit of work holds at most ${MAX_TRANSACTION_WRITES} writes, got ${this.writes.length}`);
    }
    if (!this.guard) {
      try {
        await this.send(this.writes.map((w) => w.item));
      } catch (e) {
        throw this.failure(e);
      }
      return;
    }
    await this.commitGuarded(this.guard);
  }

  private send(items: TxItem[]) {
    return this.db.send(new TransactWriteCommand({ TransactItems: items }));
  }

  /**
   * A commit that cannot be applied twice, nor reported unwritten when it was written. The
   * transaction also puts a marker naming this commit (its token); the marker's condition is what
   * a retry of the same request fails on once the first attempt was applied. When the SDK gives
   * up after an attempt that may have reached DynamoDB (a lost answer, then throttled retries),
   * the doubt is settled before answering: a fence put on the marker either finds our token (the
   * write happened: success) or takes the marker's place (the write did not happen and now never
   * can: nothing was written). Only when that too fails is the answer a 503 WRITE_IN_DOUBT; the
   * marker then still keeps a retry with the same Idempotency-Key from writing a second time.
   */
  private async commitGuarded(guard: CommitGuard): Promise<void> {
    const token = randomUUID();
    // a commit that was refused outright leaves its number to the next commit (a conflict retried
    // in the handler): the request's applied commits stay numbered alike on every attempt
    const sequence = guard.sequence.next;
    const marker: Marker = { key: guard.key(sequence) };
    const applied = () => {
      guard.sequence.next = sequence + 1;
    };
    // a fence met, a marker expired between two reads: bounded, each round learns the marker's state
    for (let round = 0; round < 3; round++) {
      const markerWrite: TxItem = {
        Put: {
          TableName: guard.table,
          Item: { ...marker.key, token, ttl: guard.nowSeconds + guard.ttlSeconds },
          ...this.markerCondition(marker, guard),
        },
      };
      try {
        await this.send([...this.writes.map((w) => w.item), markerWrite]);
        applied();
        return;
      } catch (e) {
        const markerFailed = conditionFailedAt(e, this.writes.length);
        if (!markerFailed && !mayHaveApplied(e)) throw this.failure(e);
        const state = markerFailed ? await this.markerState(guard, marker) : await this.fence(guard, marker);
        if (state === undefined) throw this.failure(e);
        if (state === 'unknown') {
          applied();
          throw inDoubt();
        }
        if (state.kind === 'applied') {
          applied();
          if (state.token === token) return;
          throw new AppError(
            409,
            'IDEMPOTENT_REQUEST_APPLIED',
            'A request with this Idempotency-Key was already applied, but its answer was lost: ' +
              'read the resource to see the outcome, or send a new request with a new key',
          );
        }
        marker.fence = state.kind === 'fenced' ? state.fence : undefined;
      }
    }
    applied();
    throw inDoubt();
  }

  private markerCondition(
    marker: Marker,
    guard: CommitGuard,
  ): {
    ConditionExpression: string;
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues: Record<string, number>;
  } {
    if (marker.fence === undefined) {
      // an expired marker (TTL deletes lazily) is as good as none: the key may be used again
      return {
        ConditionExpression: 'attribute_not_exists(PK) OR #ttl < :now',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':now': guard.nowSeconds },
      };
    }
    return {
      ConditionExpression: '#fence = :fence',
      ExpressionAttributeNames: { '#fence': 'fence' },
      ExpressionAttributeValues: { ':fence': marker.fence },
    };
  }

  private async markerState(guard: CommitGuard, marker: Marker): Promise<MarkerState | 'unknown'> {
    try {
      const res = await this.db.send(new GetCommand({ TableName: guard.table, Key: marker.key, ConsistentRead: true }));
      const item = res.Item;
      if (!item || (typeof item.ttl === 'number' && item.ttl < guard.nowSeconds)) return { kind: 'absent' };
      if (typeof item.token === 'string') return { kind: 'applied', token: item.token };
      return { kind: 'fenced', fence: Number(item.fence) };
    } catch {
      return 'unknown';
    }
  }

  /**
   * Settles whether a transaction whose answer never came was applied: the fence takes the marker's
   * place under the same condition the transaction's marker had, so exactly one of them wins.
   * undefined: the fence won, nothing was written (and a late attempt of ours can no longer apply).
   */
  private async fence(guard: CommitGuard, marker: Marker): Promise<MarkerState | 'unknown' | undefined> {
    const fence = (marker.fence ?? 0) + 1;
    try {
      await this.db.send(
        new PutCommand({
          TableName: guard.table,
          Item: { ...marker.key, fence, ttl: guard.nowSeconds + guard.ttlSeconds },
          ...this.markerCondition(marker, guard),
        }),
      );
      return undefined;
    } catch (e) {
      if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') return 'unknown';
      // the marker is there: our token means the lost attempt was applied; the caller sorts out the rest
      return this.markerState(guard, marker);
    }
  }

  /** A cancelled transaction becomes the failing write's own 409/412/404, never a 500. */
  private failure(e: unknown): unknown {
    const name = (e as { name?: string }).name;
    if (name !== 'TransactionCanceledException') return e;
    const reasons = (e as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
    const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
    if (failed >= 0) {
      const own = this.writes[failed]?.onConditionFailed;
      return own ? own() : conflict('WRITE_CONFLICT', 'The data changed concurrently; re-read and retry');
    }
    if (reasons.some((r) => r.Code === 'TransactionConflict')) {
      return conflict('WRITE_CONFLICT', 'A concurrent write touched the same item; retry');
    }
    // A throttled item cancels the whole transaction (nothing was written) and the SDK does not
    // retry a cancellation: the caller may, once the partition has cooled down.
    if (reasons.some((r) => THROTTLED_REASONS.has(r.Code ?? ''))) {
      return new AppError(
        503,
        'BACKEND_UNAVAILABLE',
        'The data store is throttling writes; nothing was written, retry',
        {
          headers: { 'Retry-After': '1' },
        },
      );
    }
    return e;
  }
}

/** Whether the transaction's marker (the write at `index`) is what failed its condition. */
function conditionFailedAt(e: unknown, index: number): boolean {
  if ((e as { name?: string }).name !== 'TransactionCanceledException') return false;
  const reasons = (e as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
  return reasons[index]?.Code === 'ConditionalCheckFailed';
}

/**
 * Whether a failed TransactWriteItems may still have been applied: a single attempt DynamoDB
 * answered with an error was not; an attempt without an answer (a timeout, a dropped connection)
 * may have been, and so may any retried call, whose earlier attempts' fates the SDK does not keep.
 */
function mayHaveApplied(e: unknown): boolean {
  const metadata = (e as { $metadata?: { attempts?: number; httpStatusCode?: number } }).$metadata;
  if ((metadata?.attempts ?? 1) > 1) return true;
  return metadata?.httpStatusCode === undefined;
}

function inDoubt(): AppError {
  return new AppError(
    503,
    'WRITE_IN_DOUBT',
    'The data store did not confirm the write, and whether it happened could not be settled: retry with the ' +
      'same Idempotency-Key, which cannot apply it twice',
    { headers: { 'Retry-After': '1' } },
  );
}

/** Stores receive the port type; only DynamoDB adapters (which created it) look inside. */
export function dynamoUnitOfWork(uow: UnitOfWork): DynamoUnitOfWork {
  if (!(uow instanceof DynamoUnitOfWork)) throw new Error('a DynamoDB store needs a DynamoDB unit of work');
  return uow;
}

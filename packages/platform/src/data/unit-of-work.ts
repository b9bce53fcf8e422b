import {
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
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
export const MAX_TRANSACTION_WRITES = 100;
/** cancellation reasons that mean "too fast", not "your data": the write may be retried as it was */
const THROTTLED_REASONS = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

/** The DynamoDB unit of work: one TransactWriteItems across every table it touches. */
export class DynamoUnitOfWork implements UnitOfWork {
  private readonly writes: StagedWrite[] = [];
  private committed = false;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly stageAudit: (uow: DynamoUnitOfWork, entry: AuditEntry) => void,
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
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: this.writes.map((w) => w.item) }));
    } catch (e) {
      throw this.failure(e);
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

/** Stores receive the port type; only DynamoDB adapters (which created it) look inside. */
export function dynamoUnitOfWork(uow: UnitOfWork): DynamoUnitOfWork {
  if (!(uow instanceof DynamoUnitOfWork)) throw new Error('a DynamoDB store needs a DynamoDB unit of work');
  return uow;
}

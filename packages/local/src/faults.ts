import {
  type DynamoDBClient,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';

/**
 * What a fault does to a DynamoDB call it hits:
 *   throttle           — DynamoDB refuses it (ProvisionedThroughputExceededException): nothing is
 *                        written; the SDK retries it (the standard retry strategy) before giving up;
 *   timeout-before     — the request never reaches DynamoDB and the client times out;
 *   timeout-after      — DynamoDB performs it, but the answer is lost (the ambiguous case): the
 *                        SDK's retry resends the same request, with the same ClientRequestToken
 *                        on a transaction, so a transaction is not applied twice;
 *   transaction-throttled — TransactWriteItems cancelled with a `ThrottlingError` reason (what
 *                        DynamoDB answers when one item's partition is throttled); not retried by
 *                        the SDK.
 */
export type DynamoFaultKind = 'throttle' | 'timeout-before' | 'timeout-after' | 'transaction-throttled';

export interface DynamoFault {
  kind: DynamoFaultKind;
  /** the operations it hits, by command name without `Command` (`TransactWriteItems`, `PutItem`, …) */
  operations: readonly string[];
  /** how many matching calls it hits, the next ones first */
  count: number;
  /** only calls whose (marshalled) input this accepts; default every call of the operations */
  when?: (input: Record<string, unknown>) => boolean;
}

export interface DynamoFaultInjector {
  /** arms a fault; faults are consumed in the order they were armed */
  arm(fault: DynamoFault): void;
  /** forgets every armed fault */
  clear(): void;
  /** calls each fault hit so far, by kind */
  readonly hits: Readonly<Record<DynamoFaultKind, number>>;
  /** matching calls still to be hit */
  pending(): number;
}

const MIDDLEWARE_NAME = 'ballastFaultInjection';

function throttled(): Error {
  return new ProvisionedThroughputExceededException({
    message: 'injected: the request rate for the table exceeds its throughput',
    $metadata: { httpStatusCode: 400 },
  });
}

function transactionThrottled(items: number): Error {
  return new TransactionCanceledException({
    message: 'injected: transaction cancelled, a partition was throttled',
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: Array.from({ length: Math.max(1, items) }, (_, i) =>
      i === 0 ? { Code: 'ThrottlingError', Message: 'Throughput exceeds the current capacity' } : { Code: 'None' },
    ),
  });
}

function timedOut(): Error {
  // what the SDK's HTTP handler throws when the socket times out (a transient, retryable error)
  const e = new Error('injected: the connection timed out');
  e.name = 'TimeoutError';
  Object.assign(e, { code: 'ETIMEDOUT', $metadata: {} });
  return e;
}

/**
 * Faults injected at the SDK boundary: a middleware on the DynamoDB client (shared by its document
 * client), inside the retry loop, so the SDK's own retries, the unit of work and the HTTP pipeline
 * all meet the failure as they would in the cloud. Nothing is mocked: a call a fault does not hit
 * goes to DynamoDB Local as usual. Used by the fault tests and the reliability benchmark.
 */
export function injectDynamoFaults(client: DynamoDBClient): DynamoFaultInjector {
  const armed: Array<DynamoFault & { left: number }> = [];
  const hits: Record<DynamoFaultKind, number> = {
    throttle: 0,
    'timeout-before': 0,
    'timeout-after': 0,
    'transaction-throttled': 0,
  };
  client.middlewareStack.remove(MIDDLEWARE_NAME);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      const input = args.input as Record<string, unknown>;
      const fault = armed.find(
        (f) => f.left > 0 && f.operations.includes(operation) && (f.when === undefined || f.when(input)),
      );
      if (!fault) return next(args);
      fault.left--;
      hits[fault.kind]++;
      if (fault.kind === 'throttle') throw throttled();
      if (fault.kind === 'timeout-before') throw timedOut();
      if (fault.kind === 'transaction-throttled') {
        throw transactionThrottled((input.TransactItems as unknown[] | undefined)?.length ?? 1);
      }
      await next(args);
      throw timedOut();
    },
    // `finalizeRequest` holds the retry middleware; `deserialize` runs inside it, once per attempt
    { step: 'deserialize', name: MIDDLEWARE_NAME, priority: 'high' },
  );
  return {
    arm(fault) {
      if (!Number.isInteger(fault.count) || fault.count < 1) throw new RangeError('a fault hits at least one call');
      armed.push({ ...fault, left: fault.count });
    },
    clear() {
      armed.length = 0;
    },
    hits,
    pending: () => armed.reduce((sum, f) => sum + f.left, 0),
  };
}

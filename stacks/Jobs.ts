import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Function as SstFunction, use, type StackContext } from 'sst/constructs';
import {
  DEFAULT_JOB_TIMEOUT_SECONDS,
  DEFAULT_MAX_RECEIVE_COUNT,
  type JobDef,
} from '../packages/platform/src/jobs/define-job.js';
import { sstHandler } from './bundling.js';
import { JOB_SETTINGS, isProdLike, stageNames } from './config.js';
import { Auth } from './Auth.js';
import { Data } from './Data.js';
import {
  JOB_TAG,
  blobsEnvironment,
  bootstrapEnvironment,
  dataEnvironment,
  functionLogGroup,
  notifyEnvironment,
  permissionTargets,
  stageEmailSender,
  track,
  type TrackedFunction,
} from './functions.js';
import { JOBS_GROUP } from './layout.js';
import { dispatcherStatements, workerStatements } from './permissions.js';

/** The dispatcher's Lambda entry: the one-minute rule invokes it; it moves due work onto the queues. */
export const DISPATCHER_HANDLER = 'functions/jobs/dispatcher.ts';
export const DISPATCHER_ID = 'dispatcher';

export const jobTimeoutSeconds = (job: Pick<JobDef, 'timeoutSeconds'>) =>
  job.timeoutSeconds ?? DEFAULT_JOB_TIMEOUT_SECONDS;
export const jobMaxReceiveCount = (job: Pick<JobDef, 'maxReceiveCount'>) =>
  job.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT;

export interface JobResources {
  job: JobDef;
  queue: Queue;
  deadLetterQueue: Queue;
  worker: SstFunction;
}

export interface JobsOutputs {
  dispatcher: SstFunction;
  jobs: JobResources[];
  idempotencyTable: Table;
  /** the dispatcher and every worker */
  functions: TrackedFunction[];
}

const logicalId = (jobId: string) => jobId.replace(/[^A-Za-z0-9]/g, '_');

/**
 * The jobs spine: a one-minute EventBridge rule → the dispatcher → one SQS queue per job (each with
 * a dead-letter queue) → that job's worker, with Powertools' idempotency records in a table of
 * their own. Every function gets only the bootstrap settings as environment and only what it uses.
 */
export function jobsStack(jobs: readonly JobDef[]) {
  return function Jobs({ stack }: StackContext): JobsOutputs {
    const stage = stack.stage;
    const names = stageNames(stage);
    const prodLike = isProdLike(stage);
    const data = use(Data);
    const environment = bootstrapEnvironment(stage, data);
    const sender = stageEmailSender(stack);
    const targets = permissionTargets(stack, data, use(Auth), sender);

    const ids = jobs.map((j) => j.id);
    if (new Set(ids).size !== ids.length) throw new Error(`duplicate job id in ${ids.join(', ')}`);

    /** Powertools idempotency's default layout: partition key `id`, TTL on `expiration`. */
    const idempotencyTable = new Table(stack, 'JobsIdempotencyTable', {
      tableName: names.jobsIdempotencyTable,
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: 'expiration',
      deletionProtection: prodLike,
      removalPolicy: prodLike ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    const queues = new Map<string, { queue: Queue; deadLetterQueue: Queue }>();
    for (const job of jobs) {
      const id = logicalId(job.id);
      const timeout = jobTimeoutSeconds(job);
      const deadLetterQueue = new Queue(stack, `DeadLetterQueue_${id}`, {
        queueName: names.jobDeadLetterQueue(job.queue),
        retentionPeriod: Duration.days(JOB_SETTINGS.deadLetterRetentionDays),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      });
      const queue = new Queue(stack, `Queue_${id}`, {
        queueName: names.jobQueue(job.queue),
        // A message a worker holds is invisible for six function timeouts, so a slow run is not
        // delivered twice while it is still running (AWS's guidance for Lambda event sources).
        visibilityTimeout: Duration.seconds(JOB_SETTINGS.visibilityTimeoutFactor * timeout),
        retentionPeriod: Duration.days(JOB_SETTINGS.queueRetentionDays),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: jobMaxReceiveCount(job) },
      });
      queues.set(job.id, { queue, deadLetterQueue });
    }

    const resources = jobs.map((job): JobResources => {
      const id = logicalId(job.id);
      const timeout = jobTimeoutSeconds(job);
      const { queue, deadLetterQueue } = queues.get(job.id) ?? {};
      if (!queue || !deadLetterQueue) throw new Error(`no queue for ${job.id}`);
      // a fan-out worker learns the URLs of the queues it sends to, and may send to those only
      const sendsTo = (job.sends ?? []).map((target) => {
        const found = queues.get(target)?.queue;
        if (!found) throw new Error(`${job.id} sends to ${target}, which is not a job`);
        return [target, found] as const;
      });
      const sendEnvironment: Record<string, string> = sendsTo.length
        ? { BALLAST_JOB_QUEUES: stack.toJsonString(Object.fromEntries(sendsTo.map(([t, q]) => [t, q.queueUrl]))) }
        : {};
      const worker = new SstFunction(stack, `Worker_${id}`, {
        functionName: names.functionName(`job-${job.queue}`),
        handler: sstHandler(job.handler),
        description: `${job.id}: ${job.summary}`.slice(0, 256),
        timeout,
        environment: {
          ...environment,
          ...blobsEnvironment(job.uses, data),
          ...dataEnvironment(job.uses, data),
          ...notifyEnvironment(job.uses, sender),
          BALLAST_JOBS_IDEMPOTENCY_TABLE: idempotencyTable.tableName,
          ...sendEnvironment,
        },
        permissions: workerStatements(
          job,
          targets,
          idempotencyTable.tableArn,
          sendsTo.map(([, q]) => q.queueArn),
        ),
        logGroup: functionLogGroup(stack, stage, `jobs/${job.id}`),
      });
      worker.addEventSource(
        new SqsEventSource(queue, {
          batchSize: job.batchSize ?? JOB_SETTINGS.batchSize,
          ...(job.concurrency ? { maxConcurrency: job.concurrency } : {}),
          maxBatchingWindow: Duration.seconds(JOB_SETTINGS.maxBatchingWindowSeconds),
          // Powertools batch returns the failed records; only those are retried (and dead-lettered).
          reportBatchItemFailures: true,
        }),
      );
      return { job, queue, deadLetterQueue, worker };
    });

    const dispatcher = new SstFunction(stack, 'Dispatcher', {
      functionName: names.functionName(`job-${DISPATCHER_ID}`),
      handler: sstHandler(DISPATCHER_HANDLER),
      description: 'Ballast job dispatcher: due work → job queues, every minute',
      timeout: JOB_SETTINGS.dispatcherTimeoutSeconds,
      // A failed tick is not retried by Lambda: the next tick re-reads every slot not yet cleared.
      retryAttempts: 0,
      environment: {
        ...environment,
        BALLAST_JOB_QUEUES: stack.toJsonString(Object.fromEntries(resources.map((r) => [r.job.id, r.queue.queueUrl]))),
      },
      permissions: dispatcherStatements({
        controlTableArn: data.controlTable.tableArn,
        queueArns: resources.map((r) => r.queue.queueArn),
      }),
      logGroup: functionLogGroup(stack, stage, `jobs/${DISPATCHER_ID}`),
    });

    new Rule(stack, 'DispatchTick', {
      description: `Ballast ${stage}: runs the job dispatcher every minute`,
      schedule: Schedule.rate(Duration.minutes(1)),
      // A missed tick is covered by the next one.
      targets: [new LambdaFunction(dispatcher, { retryAttempts: 0 })],
    });

    new CfnOutput(stack, 'JobsIdempotencyTableName', { value: idempotencyTable.tableName });

    return {
      dispatcher,
      jobs: resources,
      idempotencyTable,
      functions: [
        track(dispatcher, DISPATCHER_ID, JOBS_GROUP, JOB_TAG),
        ...resources.map((r) => track(r.worker, r.job.id, JOBS_GROUP, JOB_TAG)),
      ],
    };
  };
}

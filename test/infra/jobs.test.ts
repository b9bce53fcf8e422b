import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_JOBS as JOBS } from '../../packages/app/src/jobs.js';
import { JOB_SETTINGS, OUTPUTS, stageNames } from '../../stacks/config.js';
import { JOB_TAG } from '../../stacks/functions.js';
import { jobMaxReceiveCount, jobTimeoutSeconds } from '../../stacks/Jobs.js';
import { grantsOf } from './iam.js';
import {
  asArray,
  getAttOf,
  refOf,
  resourcesOf,
  synthForTest,
  tagValue,
  type CfnResource,
  type TestSynth,
} from './synth.js';

/**
 * The Jobs and Observability stacks of the real app, synthesised without bundling (every stack
 * inactive: placeholder function code, everything else as deployed). The functions' bundles,
 * handlers, environment and IAM are checked with real bundles in stacks.test.ts.
 */
const STAGE = 'jobstest';
const names = stageNames(STAGE);
let s: TestSynth;

beforeAll(async () => {
  s = await synthForTest({ stage: STAGE, build: false });
}, 300_000);

afterAll(async () => {
  await s?.cleanup();
});

const jobsStack = () => s.json.Jobs;
const queueNamed = (name: string): [string, CfnResource] => {
  const hit = resourcesOf(jobsStack(), 'AWS::SQS::Queue').find(([, q]) => q.Properties?.QueueName === name);
  if (!hit) throw new Error(`no queue ${name}`);
  return hit;
};
const fnTagged = (id: string): [string, CfnResource] => {
  const hit = resourcesOf(jobsStack(), 'AWS::Lambda::Function').find(([, f]) => tagValue(f, JOB_TAG) === id);
  if (!hit) throw new Error(`no function tagged ${id}`);
  return hit;
};
const alarms = () => resourcesOf(s.json.Observability, 'AWS::CloudWatch::Alarm').map(([, a]) => a);
const alarmNamed = (name: string) => {
  const hit = alarms().find((a) => a.Properties?.AlarmName === name);
  if (!hit) throw new Error(`no alarm ${name}`);
  return hit;
};

describe('jobs stack: queues', () => {
  it('gives every job a queue and a dead-letter queue, and nothing else has one', () => {
    const queues = resourcesOf(jobsStack(), 'AWS::SQS::Queue').map(([, q]) => q.Properties?.QueueName);
    expect(queues.sort()).toEqual(
      JOBS.flatMap((j) => [names.jobQueue(j.queue), names.jobDeadLetterQueue(j.queue)]).sort(),
    );
  });

  it('redrives to the DLQ after the job’s maxReceiveCount, with a visibility timeout of six job timeouts', () => {
    for (const job of JOBS) {
      const [, queue] = queueNamed(names.jobQueue(job.queue));
      const [dlqId, dlq] = queueNamed(names.jobDeadLetterQueue(job.queue));
      expect(queue.Properties?.VisibilityTimeout, job.id).toBe(6 * jobTimeoutSeconds(job));
      expect(queue.Properties?.RedrivePolicy, job.id).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
        maxReceiveCount: jobMaxReceiveCount(job),
      });
      expect(queue.Properties?.MessageRetentionPeriod).toBe(JOB_SETTINGS.queueRetentionDays * 86_400);
      expect(dlq.Properties?.MessageRetentionPeriod).toBe(14 * 86_400);
      for (const q of [queue, dlq]) expect(q.Properties?.SqsManagedSseEnabled, job.id).toBe(true);
    }
    // the declared defaults hold where a job does not set its own
    expect(JOBS.some((j) => j.maxReceiveCount === undefined)).toBe(true);
  });

  it('refuses plain-HTTP access to every queue', () => {
    const policies = resourcesOf(jobsStack(), 'AWS::SQS::QueuePolicy');
    const covered = policies.flatMap(([, p]) => asArray(p.Properties?.Queues as unknown[]).map(refOf));
    expect(covered.sort()).toEqual(
      resourcesOf(jobsStack(), 'AWS::SQS::Queue')
        .map(([id]) => id)
        .sort(),
    );
    for (const [, p] of policies) {
      const statements = (p.Properties?.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
      expect(statements.every((st) => st.Effect === 'Deny')).toBe(true);
    }
  });
});

describe('jobs stack: workers and the dispatcher', () => {
  it('feeds each worker from its own queue in batches, reporting partial batch failures', () => {
    const mappings = resourcesOf(jobsStack(), 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(JOBS.length);
    for (const job of JOBS) {
      const [queueId] = queueNamed(names.jobQueue(job.queue));
      const [workerId, worker] = fnTagged(job.id);
      const mine = mappings.filter(([, m]) => getAttOf(m.Properties?.EventSourceArn) === queueId);
      expect(mine, job.id).toHaveLength(1);
      expect(mine[0][1].Properties).toMatchObject({
        FunctionName: { Ref: workerId },
        BatchSize: job.batchSize ?? 10,
        MaximumBatchingWindowInSeconds: JOB_SETTINGS.maxBatchingWindowSeconds,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      // a job's concurrency bounds its workers (AWS's minimum is 2); the others scale as Lambda does
      expect(mine[0][1].Properties?.ScalingConfig, job.id).toEqual(
        job.concurrency ? { MaximumConcurrency: job.concurrency } : undefined,
      );
      expect(worker.Properties?.Timeout, job.id).toBe(jobTimeoutSeconds(job));
      expect(worker.Properties?.Runtime).toBe('nodejs22.x');
      expect(worker.Properties?.Architectures).toEqual(['arm64']);
    }
  });

  it('tells a fan-out worker only the queues it sends to, and lets it send to exactly those', () => {
    const senders = JOBS.filter((j) => j.sends?.length);
    expect(senders.map((j) => j.id)).toEqual(
      expect.arrayContaining(['research.optimisation-plan', 'research.optimisation-chunk']),
    );
    for (const job of JOBS) {
      const [workerId, worker] = fnTagged(job.id);
      const vars = (worker.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      if (!job.sends?.length) {
        expect(vars.BALLAST_JOB_QUEUES, job.id).toBeUndefined();
        continue;
      }
      // Fn::Join of literal JSON text and each queue's Ref (its URL)
      const join = (vars.BALLAST_JOB_QUEUES as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
      const queueName = (part: unknown) => jobsStack().Resources[refOf(part) ?? ''].Properties?.QueueName;
      const text = join[1].map((part) => (typeof part === 'string' ? part : `https://${queueName(part)}`)).join('');
      const queueOf = (id: string) => names.jobQueue(JOBS.find((j) => j.id === id)?.queue ?? '');
      expect(JSON.parse(text), job.id).toEqual(
        Object.fromEntries(job.sends.map((id) => [id, `https://${queueOf(id)}`])),
      );
      const grants = grantsOf(s, { stack: 'Jobs', id: workerId, resource: worker }, JOBS).get('sqs:SendMessage');
      expect([...(grants ?? [])].sort(), job.id).toEqual(job.sends.map((id) => `queue:${id}`).sort());
    }
  });

  it('runs the dispatcher from a one-minute EventBridge rule, without Lambda retries', () => {
    const rules = resourcesOf(jobsStack(), 'AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0];
    const [dispatcherId] = fnTagged('dispatcher');
    expect(rule.Properties?.ScheduleExpression).toBe('rate(1 minute)');
    expect(rule.Properties?.State).toBe('ENABLED');
    const targets = rule.Properties?.Targets as Array<{ Arn: unknown; RetryPolicy?: unknown }>;
    expect(targets.map((t) => getAttOf(t.Arn))).toEqual([dispatcherId]);
    const perms = resourcesOf(jobsStack(), 'AWS::Lambda::Permission').filter(
      ([, p]) => getAttOf(p.Properties?.FunctionName) === dispatcherId,
    );
    expect(perms.map(([, p]) => p.Properties?.Principal)).toEqual(['events.amazonaws.com']);
    const invokeConfig = resourcesOf(jobsStack(), 'AWS::Lambda::EventInvokeConfig').find(
      ([, c]) => refOf(c.Properties?.FunctionName) === dispatcherId,
    );
    expect(invokeConfig?.[1].Properties?.MaximumRetryAttempts).toBe(0);
  });

  it('keeps run records in an on-demand table in Powertools’ layout, with PITR, SSE and TTL on `expiration`', () => {
    const tables = resourcesOf(jobsStack(), 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(1);
    const [, t] = tables[0];
    expect(t.Properties).toMatchObject({
      TableName: names.jobsIdempotencyTable,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      DeletionProtectionEnabled: false,
    });
    expect(t.DeletionPolicy).toBe('Delete');
  });
});

describe('observability: jobs', () => {
  it('alarms when a job’s dead-letter queue holds a message', () => {
    for (const job of JOBS) {
      const a = alarmNamed(`ballast-${STAGE}-job-dead-letters-${job.queue}`);
      const [dlqId] = queueNamed(names.jobDeadLetterQueue(job.queue));
      expect(a.Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      const [dim] = a.Properties?.Dimensions as Array<{ Name: string; Value: unknown }>;
      expect(dim.Name).toBe('QueueName');
      expect(dim.Value).toBe(jobsStack().Resources[dlqId].Properties?.QueueName);
      expect(asArray(a.Properties?.AlarmActions as unknown[])).toHaveLength(1);
    }
  });

  it('alarms when a job queue’s oldest message waits too long', () => {
    for (const job of JOBS) {
      const a = alarmNamed(`ballast-${STAGE}-job-queue-age-${job.queue}`);
      const [queueId] = queueNamed(names.jobQueue(job.queue));
      expect(a.Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Threshold: 15 * 60,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      const [dim] = a.Properties?.Dimensions as Array<{ Name: string; Value: unknown }>;
      expect(dim.Value).toBe(jobsStack().Resources[queueId].Properties?.QueueName);
    }
  });

  it('alarms when the dispatcher has not run for 5 minutes, missing data counting as not run', () => {
    const a = alarmNamed(`ballast-${STAGE}-job-dispatcher-silent`);
    const [, dispatcher] = fnTagged('dispatcher');
    expect(a.Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Invocations',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    const [dim] = a.Properties?.Dimensions as Array<{ Name: string; Value: unknown }>;
    expect(dim.Name).toBe('FunctionName');
    expect(dim.Value).toBe(dispatcher.Properties?.FunctionName);
  });

  it('sends every alarm to the one alarm topic it exports', () => {
    const [topicId] = resourcesOf(s.json.Observability, 'AWS::SNS::Topic')[0];
    for (const a of alarms()) expect(a.Properties?.AlarmActions).toEqual([{ Ref: topicId }]);
    expect(s.json.Observability.Outputs?.[OUTPUTS.alarmTopic].Value).toEqual({ Ref: topicId });
  });

  it('never puts a tenant in a metric dimension, in alarms or on the dashboard', () => {
    const allowed = new Set(['ApiId', 'FunctionName', 'QueueName']);
    for (const a of alarms()) {
      const dims = [
        ...asArray(a.Properties?.Dimensions as Array<{ Name: string }>),
        ...asArray(
          a.Properties?.Metrics as Array<{ MetricStat?: { Metric: { Dimensions?: Array<{ Name: string }> } } }>,
        ).flatMap((m) => m.MetricStat?.Metric.Dimensions ?? []),
      ];
      for (const d of dims) expect(allowed, String(a.Properties?.AlarmName)).toContain(d.Name);
    }
    const [, dashboard] = resourcesOf(s.json.Observability, 'AWS::CloudWatch::Dashboard')[0];
    const body = JSON.stringify(dashboard.Properties?.DashboardBody);
    expect(body).toContain('Ballast');
    expect(body).not.toMatch(/tenant/i);
  });

  it('draws the operators’ dashboard: requests, latency percentiles, errors by code, jobs, dead letters, risk', () => {
    const [, dashboard] = resourcesOf(s.json.Observability, 'AWS::CloudWatch::Dashboard')[0];
    const body = JSON.stringify(dashboard.Properties?.DashboardBody);
    for (const title of [
      'API requests and errors',
      'API latency (p50, p90, p99)',
      'Errors by code',
      'Risk rejections',
      'Job runs by job and outcome',
      'Job queue depth',
      'Dead letters',
    ]) {
      expect(body, title).toContain(title);
    }
    // errors split by their Problem Details code; the gate's refusals picked out by theirs
    expect(body).toContain('code,context,route,service,stage');
    expect(body).toMatch(/code=\W*RISK_REJECTED/);
    expect(body).toContain('job,outcome,service,stage');
    for (const p of ['p50', 'p99']) expect(body).toMatch(new RegExp(`stat\\W+${p}\\W`));
    // one line per job's dead-letter queue
    for (const job of JOBS) expect(body, job.id).toContain(names.jobDeadLetterQueue(job.queue));
  });
});

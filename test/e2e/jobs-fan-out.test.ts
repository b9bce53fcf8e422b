import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../packages/local/src/app.js';
import { LocalClock } from '../../packages/local/src/clock.js';
import { LocalJobs } from '../../packages/local/src/jobs.js';
import { startLocalQueues, type LocalQueues } from '../../packages/local/src/queues.js';
import { defineJobs, type JobDef } from '../../packages/platform/src/jobs/define-job.js';
import { type JobEnvelope, jobEnvelope, runKey } from '../../packages/platform/src/jobs/envelope.js';
import { sqsJobQueues } from '../../packages/platform/src/jobs/queue.sqs.js';
import { job } from '../../packages/platform/src/jobs/worker.js';
import * as z from 'zod/mini';
import { startRuntime, type TestRuntime } from '../support/runtime.js';
import { gate } from '../support/fixtures/gated-worker.js';

/**
 * The jobs spine's fan-out: a worker sends straight to the queues of the jobs it declares (and to
 * no other), its envelopes carrying its run's tenant context; locally a job with `concurrency`
 * runs that many invocations at once, each with its own small batch.
 */

let t: TestRuntime;
let sqs: SQSClient;

beforeAll(async () => {
  t = await startRuntime();
  sqs = new SQSClient({
    region: 'us-east-1',
    endpoint: t.rt.queues.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterAll(async () => {
  sqs.destroy();
  await t.stop();
});

const fanOut = defineJobs('fanout-test', {
  sender: {
    id: 'fanout-test.sender',
    summary: 'sends to the heartbeat queue only',
    payload: z.strictObject({ to: z.string(), workIds: z.array(z.string()) }),
    uses: { control: 'read' },
    sends: ['ops.heartbeat'],
  },
});

function envelopeFor(def: JobDef, payload: unknown, workId: string): JobEnvelope {
  const head = { job: def.id, tenantId: 't_demo', workId, dueAt: '2026-06-01T10:00:00.000Z' };
  return { v: 1, ...head, env: 'dev', projectId: 'p_demo', key: runKey(head), payload };
}

const eventOf = (envelopes: JobEnvelope[]): SQSEvent => ({
  Records: envelopes.map((e, i) => ({
    messageId: `m-${e.workId}-${i}`,
    receiptHandle: 'r',
    body: JSON.stringify(e),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:local:000000000000:fanout',
    awsRegion: 'local',
  })),
});

describe('a worker sends to the jobs it declares', () => {
  const sender = job(
    fanOut.sender,
    async (payload, h) => {
      await h.send(
        payload.to,
        payload.workIds.map((workId) => ({ workId, payload: {} })),
      );
      return 'processed';
    },
    { queues: () => sqsJobQueues('us-east-1', t.rt.queues.urls, t.rt.queues.endpoint) },
    () => t.rt.platform,
  );

  it('enveloped with its run’s tenant context and due time, under run keys the receiver verifies', async () => {
    const res = await sender(eventOf([envelopeFor(fanOut.sender, { to: 'ops.heartbeat', workIds: ['a', 'b'] }, 'w1')]));
    expect(res.batchItemFailures).toEqual([]);
    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: t.rt.queues.urls['ops.heartbeat'], MaxNumberOfMessages: 10 }),
    );
    const envelopes = (got.Messages ?? []).map((m) => jobEnvelope.parse(JSON.parse(m.Body ?? '')));
    expect(envelopes.map((e) => e.workId).sort()).toEqual(['a', 'b']);
    for (const e of envelopes) {
      expect(e).toMatchObject({
        job: 'ops.heartbeat',
        tenantId: 't_demo',
        env: 'dev',
        projectId: 'p_demo',
        dueAt: '2026-06-01T10:00:00.000Z',
      });
      expect(e.key).toBe(runKey(e));
    }
  });

  it('refuses a job it does not declare: that run fails and nothing is sent', async () => {
    const to = 'research.optimisation-chunk';
    const res = await sender(
      eventOf([
        envelopeFor(fanOut.sender, { to, workIds: ['c'] }, 'w2'),
        envelopeFor(fanOut.sender, { to: 'ops.heartbeat', workIds: ['d'] }, 'w3'),
      ]),
    );
    expect(res.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m-w2-0']);
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: t.rt.queues.urls[to], MaxNumberOfMessages: 10 }));
    expect(got.Messages ?? []).toEqual([]);
  });

  it('an entry that declares `sends` without linking queues is refused when it is built', () => {
    expect(() =>
      job(
        fanOut.sender,
        async () => 'processed',
        {},
        () => t.rt.platform,
      ),
    ).toThrow(/must link queues/);
  });

  it('defineJobs refuses a concurrency below AWS’s minimum of 2', () => {
    const spec = { id: 'xy.z', summary: 's', payload: z.strictObject({}), uses: { control: 'read' } } as const;
    expect(() => defineJobs('xy', { z: { ...spec, concurrency: 1 } })).toThrow(/at least 2/);
  });
});

describe('local delivery runs a job’s workers at once, up to its concurrency', () => {
  const local = defineJobs('gate-test', {
    gated: {
      id: 'gate-test.gated',
      summary: 'three at once, one message each',
      payload: z.strictObject({}),
      uses: { control: 'read' },
      concurrency: 3,
      batchSize: 1,
    },
    plain: { id: 'gate-test.plain', summary: 'the default', payload: z.strictObject({}), uses: { control: 'read' } },
  });
  const fixture = 'test/support/fixtures/gated-worker.ts';
  const jobs: JobDef[] = [
    { ...local.gated, handler: fixture },
    { ...local.plain, handler: fixture },
  ];
  let queues: LocalQueues;
  let delivery: LocalJobs;

  beforeAll(async () => {
    queues = await startLocalQueues(jobs, 'gate-test');
    delivery = new LocalJobs(REPO_ROOT, jobs, queues, new LocalClock(), () => t.rt.platform);
  });
  afterAll(async () => {
    await delivery.stop();
    await queues.stop();
  });

  const fill = async (def: JobDef, count: number) => {
    const client = new SQSClient({
      region: 'us-east-1',
      endpoint: queues.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    for (let i = 0; i < count; i += 10) {
      const entries = Array.from({ length: Math.min(10, count - i) }, (_, k) => ({
        Id: String(k),
        MessageBody: JSON.stringify(envelopeFor(def, {}, `w${i + k}`)),
      }));
      await client.send(new SendMessageBatchCommand({ QueueUrl: queues.urls[def.id], Entries: entries }));
    }
    client.destroy();
  };
  const reset = () => {
    Object.assign(gate, { inFlight: 0, maxInFlight: 0, batches: [] });
    gate.streams.clear();
  };

  it('a job with concurrency 3 and batch size 1: three invocations at a time, each on its own message', async () => {
    reset();
    await fill(jobs[0], 7);
    const report = await delivery.deliver();
    expect(report.delivered['gate-test.gated']).toBe(7);
    expect(gate.maxInFlight).toBe(3);
    expect(gate.batches).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(gate.streams.size).toBe(3);
  });

  it('a job without concurrency: one invocation at a time, batches of up to ten (as before)', async () => {
    reset();
    await fill(jobs[1], 12);
    const report = await delivery.deliver();
    expect(report.delivered['gate-test.plain']).toBe(12);
    expect(gate.maxInFlight).toBe(1);
    expect(gate.batches.reduce((a, b) => a + b, 0)).toBe(12);
    expect(Math.max(...gate.batches)).toBeGreaterThan(1);
  });

  it('a test may run a job with fewer workers (one: the single-worker run)', async () => {
    reset();
    delivery.setConcurrency('gate-test.gated', 1);
    await fill(jobs[0], 4);
    await delivery.deliver();
    expect(gate.maxInFlight).toBe(1);
    expect(gate.streams.size).toBe(1);
    delivery.setConcurrency('gate-test.gated', undefined);
  });
});

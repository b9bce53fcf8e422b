import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../packages/app/src/jobs.js';
import { runKey } from '../../packages/platform/src/jobs/envelope.js';
import { startRuntime, type TestRuntime } from '../support/runtime.js';

let t: TestRuntime;
let sqs: SQSClient;
const metricLines: string[] = [];
const P = { 'X-Project-Id': 'p_demo' };
const DAY = 24 * 3600 * 1000;

beforeAll(async () => {
  t = await startRuntime({ metricsSink: (line) => metricLines.push(line) });
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

interface Tick {
  sent: Record<string, number>;
  delivered: Record<string, number>;
  failed: Record<string, number>;
  slots: number;
}

const tick = async (at?: number) => {
  const r = await t.call('POST', '/_local/tick', { body: at === undefined ? {} : { at: new Date(at).toISOString() } });
  expect(r.status).toBe(200);
  return r.body as unknown as Tick;
};

/** Job outcomes from the EMF lines the workers printed. */
const outcomes = (job: string) =>
  metricLines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((m) => m.job === job && typeof m.outcome === 'string')
    .map((m) => m.outcome);

describe('the jobs spine, end to end through the SQS emulator', () => {
  it('every tick sends one heartbeat, its worker records it, and readiness reports its age', async () => {
    const before = await t.call('GET', '/v1/health/ready');
    expect(before.body).toMatchObject({ checks: { jobs: { ok: false } } });
    const report = await tick();
    expect(report.sent['ops.heartbeat']).toBe(1);
    expect(report.delivered['ops.heartbeat']).toBe(1);
    const ready = await t.call('GET', '/v1/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', checks: { jobs: { ok: true } } });
  });

  it('a soft-deleted portfolio is purged by the scheduler once its grace period is over — not before', async () => {
    const token = await t.token('u_navigator', 't_demo');
    const created = await t.call('POST', '/v1/portfolios', { token, headers: P, body: { name: 'To purge' } });
    const id = String(created.body.portfolioId);
    const deleted = await t.call('DELETE', `/v1/portfolios/${id}`, { token, headers: { ...P, 'If-Match': '"1"' } });
    expect(deleted.status).toBe(204);
    const stored = () => t.rt.platform.db.send(new ScanForPortfolio(t.rt.tables.pooled, id));

    // A day later: nothing is due yet.
    const early = await tick(t.rt.platform.now() + DAY);
    expect(early.sent['portfolio.purge']).toBeUndefined();
    expect((await stored()).Items).toHaveLength(1);

    // Past the 30-day grace period: the slot is dispatched, the worker purges and audits.
    const due = await tick(t.rt.platform.now() + 30 * DAY);
    expect(due.sent['portfolio.purge']).toBe(1);
    expect(due.delivered['portfolio.purge']).toBe(1);
    expect((await stored()).Items).toHaveLength(0);
    const admin = await t.token('u_admin', 't_demo');
    const audit = await t.call('GET', `/v1/audit?resource=portfolio/${id}&action=portfolio.purge`, { token: admin });
    expect(audit.status).toBe(200);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items?.[0]).toMatchObject({ actor: 'scheduler', actorKind: 'scheduler', source: 'scheduler' });

    // The slot is cleared: the next tick dispatches nothing more for it.
    const again = await tick();
    expect(again.sent['portfolio.purge']).toBeUndefined();
  });

  it('a duplicate delivery of the same run does nothing (idempotent on the run key)', async () => {
    const heartbeat = ALL_JOBS.find((j) => j.id === 'ops.heartbeat');
    if (!heartbeat) throw new Error('no heartbeat job');
    const url = t.rt.queues.urls[heartbeat.id];
    const message = (dueAt: string) => {
      const work = { job: heartbeat.id, tenantId: 't_system', workId: heartbeat.id, dueAt };
      return JSON.stringify({ v: 1, env: 'dev', payload: {}, ...work, key: runKey(work) });
    };
    // Each tick a minute on, so its own heartbeat is a new run (two ticks in one minute share one).
    const nextMinute = () => t.rt.platform.now() + 60_000;
    // Redelivered later, as SQS's at-least-once delivery does: the second copy is recognised.
    let seen = outcomes(heartbeat.id).length;
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: message('2030-01-01T00:00:00.000Z') }));
    await tick(nextMinute());
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: message('2030-01-01T00:00:00.000Z') }));
    await tick(nextMinute());
    // each tick adds its own heartbeat: processed, processed; then ours again: a duplicate
    expect(outcomes(heartbeat.id).slice(seen).sort()).toEqual(['duplicate', 'processed', 'processed', 'processed']);

    // Both copies in one batch (processed concurrently): one runs, the other finds the run in
    // progress, fails, and on redelivery is a duplicate. Never two runs.
    seen = outcomes(heartbeat.id).length;
    for (let i = 0; i < 2; i++) {
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: message('2030-01-02T00:00:00.000Z') }));
    }
    await tick(nextMinute());
    const batch = outcomes(heartbeat.id).slice(seen);
    expect(batch.filter((o) => o === 'processed')).toHaveLength(2); // the tick's heartbeat and one copy
    expect(batch).toContain('duplicate');
  });

  it('a poison message fails every delivery and lands in the dead-letter queue; the others go on', async () => {
    const url = t.rt.queues.urls['portfolio.purge'];
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'not a job envelope' }));
    const forged = {
      v: 1,
      job: 'portfolio.purge',
      tenantId: 't_nobody',
      env: 'dev',
      projectId: 'p_demo',
      workId: 'pf_x',
      dueAt: '2030-01-01T00:00:00.000Z',
      payload: { portfolioId: 'pf_AAAAAAAAAAAAAAAAAAAA', version: 2 },
    };
    await sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify({ ...forged, key: runKey(forged) }) }),
    );
    const report = await tick();
    expect(report.failed['portfolio.purge']).toBe(6); // two messages, three deliveries each
    const depths = await t.call('GET', '/_local/queues');
    expect(depths.body['portfolio.purge']).toEqual({ queued: 0, deadLettered: 2 });
    expect(report.delivered['ops.heartbeat']).toBe(1);
  });
});

import { ScanCommand } from '@aws-sdk/lib-dynamodb';
class ScanForPortfolio extends ScanCommand {
  constructor(table: string, id: string) {
    super({ TableName: table, FilterExpression: 'portfolioId = :id', ExpressionAttributeValues: { ':id': id } });
  }
}

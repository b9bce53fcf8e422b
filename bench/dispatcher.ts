/**
 * Dispatcher throughput: N due items in ONE one-minute slot (default 100,000), read from the
 * due-work index in DynamoDB Local and fanned out to the in-process SQS emulator's queue by the
 * same `dispatchDue` the dispatcher Lambda runs. Baseline, measured in the same run against the
 * same emulator: sending N ready-made envelopes straight to the queue (no index reads), so the
 * ratio shows what reading the index costs on top of SQS. Writes bench/results/dispatcher.json.
 *
 *   npx tsx bench/dispatcher.ts [--items 100000]
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ALL_JOBS } from '../packages/app/src/jobs.js';
import { startDynamoLocal } from '../packages/local/src/dynamodb-local.js';
import { startLocalQueues } from '../packages/local/src/queues.js';
import { createDocumentClient, createDynamoClient } from '../packages/platform/src/data/client.js';
import { ensureTable } from '../packages/platform/src/data/tables.js';
import { type DueWork, DUE_SHARDS, slotStart } from '../packages/platform/src/jobs/due/store.js';
import { DynamoDueWorkStore } from '../packages/platform/src/jobs/due/store.dynamo.js';
import { dispatchDue } from '../packages/platform/src/jobs/dispatcher.js';
import { type JobEnvelope, runKey } from '../packages/platform/src/jobs/envelope.js';
import { sqsJobQueues } from '../packages/platform/src/jobs/queue.sqs.js';

const arg = process.argv.indexOf('--items');
const ITEMS = arg > 0 ? Number(process.argv[arg + 1]) : 100_000;
const JOB = 'portfolio.purge';

const dynamo = await startDynamoLocal();
const queues = await startLocalQueues(ALL_JOBS, 'bench');
try {
  const client = createDynamoClient({ region: 'local', endpoint: dynamo.endpoint });
  const db = createDocumentClient(client);
  await ensureTable(client, 'bench-control');
  const due = new DynamoDueWorkStore(db, 'bench-control');
  const send = sqsJobQueues('us-east-1', queues.urls, queues.endpoint);
  const slot = Math.floor(Date.UTC(2026, 2, 9, 13, 30) / 60_000);
  const dueAt = new Date(slotStart(slot)).toISOString();
  const work: DueWork[] = Array.from({ length: ITEMS }, (_, i) => ({
    job: JOB,
    tenantId: `t_bench${i % 50}`,
    env: 'dev',
    projectId: 'p_bench',
    workId: `pf_${String(i).padStart(20, '0')}`,
    dueAt,
    payload: { portfolioId: `pf_${String(i).padStart(20, '0')}`, version: 2 },
  }));

  let t = performance.now();
  await due.scheduleMany(work);
  const seedSeconds = (performance.now() - t) / 1000;

  // Baseline: the same envelopes, straight to the queue.
  const envelopes: JobEnvelope[] = work.map((w) => ({ v: 1, ...w, key: runKey(w) }));
  t = performance.now();
  await send.send(JOB, envelopes);
  const baselineSeconds = (performance.now() - t) / 1000;
  const afterBaseline = queues.depth(queues.names[JOB].queue);

  t = performance.now();
  const report = await dispatchDue(
    { due, queues: send, jobs: ALL_JOBS, logger: new Logger({ logLevel: 'ERROR' }), env: 'dev' },
    slotStart(slot) + 1000,
  );
  const dispatchSeconds = (performance.now() - t) / 1000;
  const queued = queues.depth(queues.names[JOB].queue) - afterBaseline;
  const leftover = (await Promise.all(Array.from({ length: DUE_SHARDS }, (_, s) => due.occupiedSlots(s, slot)))).flat();

  const results = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    machine: { cpus: cpus().length, model: cpus()[0]?.model },
    setup: {
      items: ITEMS,
      slots: 1,
      shards: DUE_SHARDS,
      note: 'DynamoDB Local (a JVM) and the fauxqs emulator on the same 2-core machine as the dispatcher',
    },
    seed: { seconds: Number(seedSeconds.toFixed(1)), itemsPerSec: Math.round(ITEMS / seedSeconds) },
    baseline: {
      what: 'SendMessageBatch of ready envelopes (no index reads)',
      seconds: Number(baselineSeconds.toFixed(2)),
      itemsPerSec: Math.round(ITEMS / baselineSeconds),
    },
    dispatcher: {
      what: 'dispatchDue: occupied-slot index, slot pages, fan-out to the queue',
      seconds: Number(dispatchSeconds.toFixed(2)),
      itemsPerSec: Math.round(ITEMS / dispatchSeconds),
      sent: report.sent[JOB] ?? 0,
      queued,
      slotsLeft: leftover.length,
    },
    ratio: { dispatcherVsBaseline: Number((baselineSeconds / dispatchSeconds).toFixed(3)) },
  };
  if (results.dispatcher.sent !== ITEMS || queued !== ITEMS || leftover.length) {
    throw new Error(`dispatch incomplete: ${JSON.stringify(results.dispatcher)}`);
  }
  await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
  await writeFile(join(import.meta.dirname, 'results/dispatcher.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(
    `${ITEMS.toLocaleString('en')} due items in one slot: dispatcher ${results.dispatcher.itemsPerSec} items/s ` +
      `(${results.dispatcher.seconds} s), baseline straight to SQS ${results.baseline.itemsPerSec} items/s; ` +
      `ratio ${results.ratio.dispatcherVsBaseline} → bench/results/dispatcher.json`,
  );
} finally {
  await queues.stop();
  await dynamo.stop();
}

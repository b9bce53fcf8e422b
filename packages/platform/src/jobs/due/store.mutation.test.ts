import {
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestTable, silentLogger, T0, testConfig } from '../../../test/support/harness.js';
import { SYSTEM_TENANT } from '../../context/types.js';
import { createPlatform, type Platform } from '../../platform.js';
import { type DueWork, shardOf, slotOf, slotStart } from './store.js';
import { DynamoDueWorkStore } from './store.dynamo.js';

// Behaviours of the due-work adapter the contract tests (store.test.ts) leave open, found by
// mutation testing: when TTL removes what is written, the retry of unprocessed batch writes, the
// order of slots of any age, work without a project, and marker pagination.

let db: DynamoDBDocumentClient;
let table: string;
let store: DynamoDueWorkStore;
let platform: Platform;

beforeAll(async () => {
  const made = await createTestTable('due-mut');
  db = made.db;
  table = made.table;
  store = new DynamoDueWorkStore(db, table);
  platform = createPlatform(testConfig(table), { db, logger: silentLogger(), now: () => T0, due: store });
});

afterEach(() => {
  vi.useRealTimers();
});

const WEEK_SECONDS = 7 * 24 * 3600;
const iso = (ms: number) => new Date(ms).toISOString();
const work = (tenantId: string, workId: string, dueAt: string, o: Partial<DueWork> = {}): DueWork => ({
  job: 'probe.run',
  tenantId,
  env: 'dev',
  projectId: 'p_1',
  workId,
  dueAt,
  payload: { workId },
  ...o,
});
const raw = async (PK: string, SK: string) =>
  (await db.send(new GetCommand({ TableName: table, Key: { PK, SK } }))).Item;
const uow = () => platform.unitOfWork({ kind: 'system', tenantId: SYSTEM_TENANT, requestId: 'test' }, T0);

type Send = DynamoDBDocumentClient['send'];
/** the table's client with `send` replaced; `real` reaches DynamoDB Local */
function clientWith(send: (command: Parameters<Send>[0], real: Send) => unknown): DynamoDBDocumentClient {
  const real: Send = db.send.bind(db);
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return (command: Parameters<Send>[0]) => send(command, real);
    },
  });
}

describe('time to live', () => {
  it('work and its slot marker are kept a week past their slot, never removed before it', async () => {
    const dueMs = T0 + 90_000 + 123;
    const item = work('t_ttl', 'w_ttl', iso(dueMs));
    const u = uow();
    store.schedule(u, item);
    await u.commit();
    const slot = slotOf(dueMs);
    const shard = shardOf('t_ttl', 'w_ttl');
    const ttl = slotStart(slot) / 1000 + WEEK_SECONDS;
    expect((await raw(`DUE#${slot}#${shard}`, 't_ttl#w_ttl'))?.ttl).toBe(ttl);
    expect(await raw(`DUESLOTS#${shard}`, String(slot).padStart(10, '0'))).toMatchObject({ slot, shard, ttl });
  });

  it('scheduleMany writes the same time to live', async () => {
    const dueMs = T0 + 7_777_000;
    await store.scheduleMany([work('t_ttlmany', 'w_1', iso(dueMs))]);
    const slot = slotOf(dueMs);
    const shard = shardOf('t_ttlmany', 'w_1');
    expect((await raw(`DUE#${slot}#${shard}`, 't_ttlmany#w_1'))?.ttl).toBe(slotStart(slot) / 1000 + WEEK_SECONDS);
  });
});

describe('slots and work of any shape', () => {
  it('a slot decades overdue still sorts before today’s', async () => {
    const old = Date.UTC(1975, 5, 1, 12, 0, 0); // a slot number of fewer digits than today's
    const shard = shardOf('t_ancient', 'w_old');
    const u = uow();
    store.schedule(u, work('t_ancient', 'w_old', iso(old)));
    await u.commit();
    expect(await store.occupiedSlots(shard, slotOf(T0))).toContain(slotOf(old));
  });

  it('work without a project comes back without one', async () => {
    const { projectId: _p, ...tenantWide } = work('t_noproj', 'w_np', iso(T0 + 600_000));
    const u = uow();
    store.schedule(u, tenantWide);
    await u.commit();
    const page = await store.slotPage(shardOf('t_noproj', 'w_np'), slotOf(T0 + 600_000));
    expect(page.items).toStrictEqual([tenantWide]);
    expect(page.after).toBeUndefined();
  });

  it('occupied slots are read to the end, however many pages they take', async () => {
    const shard = 11;
    const ids: string[] = [];
    for (let n = 0; ids.length < 5; n++) if (shardOf('t_pages', `p${n}`) === shard) ids.push(`p${n}`);
    const base = T0 + 50_000_000;
    const u = uow();
    ids.forEach((id, i) => store.schedule(u, work('t_pages', id, iso(base + i * 60_000))));
    await u.commit();
    const paged = new DynamoDueWorkStore(
      clientWith((command, real) => {
        if (command instanceof QueryCommand) command.input.Limit = 1;
        return real(command);
      }),
      table,
    );
    const all = await paged.occupiedSlots(shard, slotOf(base + 10 * 60_000));
    expect(all.every((s) => Number.isInteger(s))).toBe(true);
    const slots = all.filter((s) => s >= slotOf(base));
    expect(slots).toEqual(ids.map((_, i) => slotOf(base + i * 60_000)));
  });
});

describe('scheduleMany and unprocessed items', () => {
  it('items DynamoDB hands back unprocessed are written again until none is left', async () => {
    const dueMs = T0 + 20_000_000;
    const many = Array.from({ length: 6 }, (_, n) => work('t_unproc', `u${n}`, iso(dueMs)));
    let calls = 0;
    const throttling = new DynamoDueWorkStore(
      clientWith(async (command, real) => {
        if (!(command instanceof BatchWriteCommand)) return real(command);
        calls++;
        const requests = command.input.RequestItems?.[table] ?? [];
        // the first write takes one item only and hands back the rest
        const [taken, ...rest] = calls === 1 ? [requests.slice(0, 1), ...requests.slice(1)] : [requests];
        await real(new BatchWriteCommand({ RequestItems: { [table]: taken } }));
        return { UnprocessedItems: rest.length ? { [table]: rest } : {} } satisfies Partial<BatchWriteCommandOutput>;
      }),
      table,
    );
    await throttling.scheduleMany(many);
    expect(calls).toBe(2);
    const found: string[] = [];
    for (const w of many) {
      const page = await store.slotPage(shardOf(w.tenantId, w.workId), slotOf(dueMs));
      found.push(...page.items.filter((i) => i.tenantId === 't_unproc').map((i) => i.workId));
    }
    expect([...new Set(found)].sort()).toEqual(many.map((w) => w.workId).sort());
  });

  it('gives up after nine attempts, backing off twice as long each time', async () => {
    vi.useFakeTimers();
    const waits: number[] = [];
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    let calls = 0;
    const refusing = new DynamoDueWorkStore(
      clientWith(async (command) => {
        calls++;
        const requests = command instanceof BatchWriteCommand ? (command.input.RequestItems?.[table] ?? []) : [];
        return { UnprocessedItems: { [table]: requests } };
      }),
      table,
    );
    const outcome = refusing.scheduleMany([work('t_refused', 'w', iso(T0 + 30_000_000))]).then(
      () => 'written',
      (e: Error) => e.message,
    );
    await vi.runAllTimersAsync();
    expect(await outcome).toBe('DynamoDB kept throttling the due-work batch');
    expect(calls).toBe(9);
    for (const call of setTimeoutSpy.mock.calls) waits.push(Number(call[1]));
    expect(waits).toEqual([20, 40, 80, 160, 320, 640, 1280, 2560, 5120]);
  });
});

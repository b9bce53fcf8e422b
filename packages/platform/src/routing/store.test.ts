import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, silentLogger, T0, testConfig, unitsOfWork } from '../../test/support/harness.js';

import { createPlatform, type Platform } from '../platform.js';
import { RoutingRegistry } from './registry.js';
import type { RoutingConfig } from './schemas.js';
import type { RoutingStore } from './store.js';
import { DynamoRoutingStore } from './store.dynamo.js';

const AT = new Date(T0).toISOString();
let store: RoutingStore;
let platform: Platform;
let tableName: string;

beforeAll(async () => {
  const { table, db } = await createTestTable('routing');
  tableName = table;
  store = new DynamoRoutingStore(db, table);
  platform = createPlatform(testConfig(table), { db, logger: silentLogger(), now: () => T0 });
});

const { uow, commit, refusal } = unitsOfWork(() => platform);

const pooled = (tableName: string): RoutingConfig => ({ kind: 'data', mode: 'pooled', tableName });
const entry = (tenantId: string, config: RoutingConfig, env = 'dev') => ({
  tenantId,
  env,
  kind: config.kind,
  config,
  updatedAt: AT,
});

describe('routing store (DynamoDB)', () => {
  it('tells whether a data table exists (DescribeTable), so an entry naming none can be refused', async () => {
    expect(await store.tableExists(tableName)).toBe(true);
    expect(await store.tableExists(`${tableName}-missing`)).toBe(false);
  });

  it('an absent entry is undefined', async () => {
    expect(await store.get('t_none', 'dev', 'data')).toBeUndefined();
  });

  it('create → version 1, round trip; each replace at the current version adds one', async () => {
    let written: ReturnType<RoutingStore['put']> | undefined;
    await commit((u) => (written = store.put(u, entry('t_a', pooled('tbl-1')), undefined)));
    expect(written?.version).toBe(1);
    expect(await store.get('t_a', 'dev', 'data')).toEqual({
      tenantId: 't_a',
      env: 'dev',
      kind: 'data',
      config: pooled('tbl-1'),
      version: 1,
      updatedAt: AT,
    });
    await commit((u) => store.put(u, entry('t_a', pooled('tbl-2')), 1));
    expect(await store.get('t_a', 'dev', 'data')).toMatchObject({ version: 2, config: pooled('tbl-2') });
  });

  it('a stale expected version is refused by the database (412), and so is a second create', async () => {
    await commit((u) => store.put(u, entry('t_b', pooled('tbl-1')), undefined));
    await commit((u) => store.put(u, entry('t_b', pooled('tbl-2')), 1));
    const stale = await refusal((u) => store.put(u, entry('t_b', pooled('lost-update')), 1));
    expect(stale).toMatchObject({ status: 412, code: 'VERSION_MISMATCH' });
    const recreate = await refusal((u) => store.put(u, entry('t_b', pooled('recreate')), undefined));
    expect(recreate.status).toBe(412);
    const ahead = await refusal((u) => store.put(u, entry('t_b', pooled('from the future')), 7));
    expect(ahead.status).toBe(412);
    expect(await store.get('t_b', 'dev', 'data')).toMatchObject({ version: 2, config: pooled('tbl-2') });
  });

  it('entries are keyed by (tenant, env, kind)', async () => {
    await commit((u) => {
      store.put(u, entry('t_c', pooled('c-dev')), undefined);
      store.put(u, entry('t_c', pooled('c-prod'), 'prod'), undefined);
      store.put(u, entry('t_c', { kind: 'secrets', prefix: 'c/', refs: {} }), undefined);
      store.put(u, entry('t_d', pooled('d-dev')), undefined);
    });
    expect((await store.get('t_c', 'dev', 'data'))?.config).toEqual(pooled('c-dev'));
    expect((await store.get('t_c', 'prod', 'data'))?.config).toEqual(pooled('c-prod'));
    expect((await store.get('t_c', 'dev', 'secrets'))?.config).toEqual({ kind: 'secrets', prefix: 'c/', refs: {} });
    expect((await store.get('t_d', 'dev', 'data'))?.config).toEqual(pooled('d-dev'));
    expect(await store.get('t_c', 'staging', 'data')).toBeUndefined();
  });

  it('a delete notices a concurrent delete (404 ROUTING_NOT_FOUND)', async () => {
    await commit((u) => store.put(u, entry('t_e', pooled('e')), undefined));
    const first = uow();
    const second = uow();
    store.delete(first, 't_e', 'dev', 'data');
    store.delete(second, 't_e', 'dev', 'data');
    await first.commit();
    await expect(second.commit()).rejects.toMatchObject({ status: 404, code: 'ROUTING_NOT_FOUND' });
    expect(await store.get('t_e', 'dev', 'data')).toBeUndefined();
    // once gone it may be created afresh, at version 1
    await commit((u) => store.put(u, entry('t_e', pooled('e2')), undefined));
    expect((await store.get('t_e', 'dev', 'data'))?.version).toBe(1);
  });

  it('unit of work: a stale write next to a good one → neither lands', async () => {
    await commit((u) => store.put(u, entry('t_f', pooled('f-1')), undefined));
    const e = await refusal((u) => {
      store.put(u, entry('t_g', pooled('g-1')), undefined);
      u.audit({ action: 'routing.put', resource: 'routing/t_g/dev/data', tenantId: 't_g' });
      store.put(u, entry('t_f', pooled('f-stale')), 5);
    });
    expect(e.status).toBe(412);
    expect(await store.get('t_g', 'dev', 'data')).toBeUndefined();
    expect((await store.get('t_f', 'dev', 'data'))?.config).toEqual(pooled('f-1'));
    expect((await platform.audit.list('t_g', { limit: 5, since: AT, until: AT })).items).toEqual([]);
  });
});

describe('routing registry over the store', () => {
  it('an entry whose config is of another kind, or corrupt, counts as none (503 on require)', async () => {
    await commit((u) => {
      store.put(u, { ...entry('t_h', pooled('h')), kind: 'secrets' }, undefined);
      store.put(u, entry('t_h', { kind: 'data', mode: 'pooled' } as unknown as RoutingConfig), undefined);
    });
    const registry = new RoutingRegistry(store, () => T0);
    expect(await registry.find('t_h', 'dev', 'secrets')).toBeNull();
    await expect(registry.require('t_h', 'dev', 'data')).rejects.toMatchObject({
      status: 503,
      code: 'ROUTING_NOT_CONFIGURED',
    });
  });

  it('caches for its ttl, then reads again; invalidate clears at once', async () => {
    let now = T0;
    const registry = new RoutingRegistry(store, () => now);
    await commit((u) => store.put(u, entry('t_i', pooled('i-1')), undefined));
    expect((await registry.require('t_i', 'dev', 'data')).config.tableName).toBe('i-1');
    await commit((u) => store.put(u, entry('t_i', pooled('i-2')), 1));
    now += 3999;
    expect((await registry.require('t_i', 'dev', 'data')).config.tableName).toBe('i-1');
    now += 1;
    expect((await registry.require('t_i', 'dev', 'data')).config.tableName).toBe('i-2');
    await commit((u) => store.put(u, entry('t_i', pooled('i-3')), 2));
    registry.invalidate();
    expect((await registry.require('t_i', 'dev', 'data')).config.tableName).toBe('i-3');
  });
});

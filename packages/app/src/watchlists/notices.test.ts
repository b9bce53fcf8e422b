import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Role } from '@ballast/platform/context/types.js';
import type { Backend } from '@ballast/platform/http/handler.js';
import { createPlatform, type Platform } from '@ballast/platform/platform.js';
import type { RoutingConfig } from '@ballast/platform/routing/schemas.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, silentLogger, T0, testConfig, unitsOfWork } from '../../../platform/test/support/harness.js';
import { MAX_RECIPIENTS, type OutboundNotification } from './notifications.js';
import { noticesFor } from './notices.js';
import { DynamoNotificationStore } from './store.dynamo.js';

let db: DynamoDBDocumentClient;
let table: string;
let platform: Platform;

beforeAll(async () => {
  const made = await createTestTable('notices');
  db = made.db;
  table = made.table;
  platform = createPlatform(testConfig(table), { db, logger: silentLogger(), now: () => T0 });
});

const backend = (tenantId: string): Backend => ({
  platform,
  db,
  ctx: undefined,
  scope: { tenantId, env: 'dev' },
  data: {
    tenantId,
    env: 'dev',
    kind: 'data',
    config: { kind: 'data', mode: 'pooled', tableName: table } satisfies RoutingConfig,
    version: 1,
    updatedAt: '',
  },
  requestId: 'test',
  now: T0,
});

async function members(tenantId: string, list: Array<[string, Role[]]>) {
  const { commit } = unitsOfWork(() => platform);
  await commit((uow) => {
    for (const [userId, roles] of list) {
      platform.tenancy.putMember(uow, { tenantId, userId, roles, tier: 'operator', updatedAt: '' });
    }
  });
}

function notices(tenantId: string, sent: OutboundNotification[], o: { failSms?: boolean } = {}) {
  return noticesFor({
    notifier: () => ({
      send: async (m) => {
        if (o.failSms && m.channel === 'sms') throw new Error('no phone address is known for the user');
        sent.push(m);
        return { messageId: `m${sent.length}` };
      },
    }),
    // u_quiet wants nothing; everyone else e-mail, and SMS for a halt
    channelsFor: () => async (userId, kind) =>
      userId === 'u_quiet' ? [] : kind === 'risk.halt' ? ['email', 'sms'] : ['email'],
  })(backend(tenantId));
}

const uowOf = (tenantId: string) => platform.unitOfWork({ kind: 'scheduler', tenantId, requestId: 'test' }, T0);

describe('notices: who an event tells', () => {
  it('the named users who are members, in order and once, then the members holding a role', async () => {
    await members('t_who', [
      ['u_owner', ['trader']],
      ['u_admin1', ['admin']],
      ['u_admin2', ['admin', 'trader']],
      ['u_viewer', ['viewer']],
    ]);
    const n = notices('t_who', []);
    expect(await n.recipients({ users: ['u_owner', undefined, 'u_gone', 'apikey:k_1', 'u_owner'] })).toEqual([
      'u_owner',
    ]);
    const told = await n.recipients({ users: ['u_owner', 'u_admin2'], roles: ['admin'] });
    expect(told[0]).toBe('u_owner');
    expect(told[1]).toBe('u_admin2');
    expect([...told].sort()).toEqual(['u_admin1', 'u_admin2', 'u_owner']);
    expect(await n.recipients({ roles: ['viewer'] })).toEqual(['u_viewer']);
    expect(await n.recipients({})).toEqual([]);
  });

  it('members of another tenant are nobody here', async () => {
    await members('t_other', [['u_stranger', ['admin']]]);
    expect(await notices('t_who', []).recipients({ users: ['u_stranger'], roles: ['admin'] })).not.toContain(
      'u_stranger',
    );
  });

  it('at most MAX_RECIPIENTS, the named users first', async () => {
    const many: Array<[string, Role[]]> = Array.from({ length: MAX_RECIPIENTS + 5 }, (_, i) => [
      `u_admin${String(i).padStart(2, '0')}`,
      ['admin'],
    ]);
    await members('t_many', [['u_first', ['trader']], ...many]);
    const told = await notices('t_many', []).recipients({ users: ['u_first'], roles: ['admin'] });
    expect(told).toHaveLength(MAX_RECIPIENTS);
    expect(told[0]).toBe('u_first');
  });
});

describe('notices: staged with the change, sent after it', () => {
  it('stored only when the unit of work commits; sent on each user’s channels; told once a user', async () => {
    await members('t_stage', [
      ['u_a', ['admin']],
      ['u_quiet', ['admin']],
    ]);
    const sent: OutboundNotification[] = [];
    const n = notices('t_stage', sent);
    const store = new DynamoNotificationStore(db, table, 't_stage');
    const notice = { kind: 'risk.halt' as const, subject: 'Halted', body: 'It halted', resource: 'accounts/ac_1' };

    // a unit of work that never commits (the change lost its race) stores and sends nothing
    await n.stage(uowOf('t_stage'), ['u_a'], notice);
    expect((await store.list('u_a', { limit: 10 })).items).toEqual([]);

    const uow = uowOf('t_stage');
    const records = await n.tell(uow, { users: ['u_a'], roles: ['admin'] }, notice);
    expect(records.map((r) => r.userId).sort()).toEqual(['u_a', 'u_quiet']);
    expect(sent).toEqual([]);
    await uow.commit();
    const pending = (await store.list('u_a', { limit: 10 })).items;
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({
      kind: 'risk.halt',
      resource: 'accounts/ac_1',
      deliveries: [{ status: 'pending' }, { status: 'pending' }],
    });

    await n.deliver(records);
    expect(sent.map((m) => [m.userId, m.channel, m.kind])).toEqual([
      ['u_a', 'email', 'risk.halt'],
      ['u_a', 'sms', 'risk.halt'],
    ]);
    const [mine] = (await store.list('u_a', { limit: 10 })).items;
    expect(mine.deliveries.map((d) => [d.channel, d.status])).toEqual([
      ['email', 'sent'],
      ['sms', 'sent'],
    ]);
    // the user who wants no channel is told nothing, but the notification is listed for them
    const [quiet] = (await store.list('u_quiet', { limit: 10 })).items;
    expect(quiet.deliveries).toEqual([]);
  });

  it('a failing channel is recorded failed; delivering never throws', async () => {
    await members('t_fail', [['u_a', ['admin']]]);
    const n = notices('t_fail', [], { failSms: true });
    const uow = uowOf('t_fail');
    const records = await n.stage(uow, ['u_a'], { kind: 'risk.halt', subject: 's', body: 'b' });
    await uow.commit();
    await expect(n.deliver(records)).resolves.toBeUndefined();
    const [stored] = (await new DynamoNotificationStore(db, table, 't_fail').list('u_a', { limit: 10 })).items;
    expect(stored.deliveries).toEqual([
      { channel: 'email', status: 'sent', messageId: 'm1' },
      { channel: 'sms', status: 'failed', error: 'no phone address is known for the user' },
    ]);
    await expect(n.deliver([])).resolves.toBeUndefined();
  });
});

import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  createTestBed,
  type Invoke,
  probe,
  type SeededKey,
  type TestBed,
  withKey,
} from '../../../../test/support/harness.js';
import { newApiKey } from '../../../auth/api-keys.js';
import { defineRoutes } from '../../define-route.js';
import type { RouteHandler } from '../../handler.js';
import { redactSecrets } from './secrets.js';

const spec = {
  method: 'POST',
  summary: 'creates a credential whose secret is shown once',
  access: 'project',
  minTier: 'observer',
  roles: [],
  uses: { control: 'write' },
  idempotent: true,
  request: { body: z.object({ name: z.string() }) },
} as const;

const routes = defineRoutes('probe', {
  declared: {
    ...spec,
    id: 'probe.declared',
    path: '/v1/probe/credentials',
    responses: { 201: { description: 'Created', body: z.unknown(), secretFields: ['secret', 'recoveryCode'] } },
  },
  undeclared: {
    ...spec,
    id: 'probe.undeclared',
    path: '/v1/probe/credentials-undeclared',
    responses: { 201: { description: 'Created', body: z.unknown() } },
  },
});

interface Credential {
  code?: string;
  keyId?: string;
  name?: string;
  secret?: string;
  recoveryCode?: string;
  resource?: Record<string, unknown>;
  redacted?: string[];
}

const issued: string[] = [];
const create: RouteHandler<(typeof routes)['declared']> = async (input) => {
  const { keyId, secret } = newApiKey();
  issued.push(secret);
  const name = input.body.name;
  return { status: 201, body: { keyId, name, secret, recoveryCode: `rc-${keyId}` } };
};

let bed: TestBed;
let key: SeededKey;
let call: Record<keyof typeof routes, Invoke>;
let serial = 0;
const freshKey = () => `secret-key-${++serial}-${Date.UTC(2030, 0, 1)}`;

beforeAll(async () => {
  bed = await createTestBed({ prefix: 'idem-secrets' });
  await bed.tenant('t_alpha');
  await bed.project('t_alpha', 'p_alpha');
  key = await bed.apiKey({ tenantId: 't_alpha', projectId: 'p_alpha', tier: 'sovereign', roles: ['admin'] });
  call = {
    declared: probe(bed.platform, routes.declared, create),
    undeclared: probe(bed.platform, routes.undeclared, create as never),
  };
});

beforeEach(() => {
  bed.clock.nextMinute();
});

const send = (route: keyof typeof routes, idempotencyKey: string) =>
  call[route]<Credential>({ headers: { ...withKey(key), 'Idempotency-Key': idempotencyKey }, body: { name: 'ci' } });

/** Everything the control table holds, as text. */
async function everythingStored(): Promise<string> {
  const out = await bed.db.send(new ScanCommand({ TableName: bed.table }));
  return JSON.stringify(out.Items ?? []);
}

// issue 8: the API key secret returned by a creation was stored for 24 h in the idempotency record
// and handed out again on replay.
describe('secrets in idempotent responses', () => {
  it('the first response carries the secret; it is persisted nowhere; a replay → 409 SECRET_SHOWN_ONCE', async () => {
    const idem = freshKey();
    const first = await send('declared', idem);
    expect(first.status).toBe(201);
    const secret = first.body.secret ?? '';
    expect(secret).toMatch(/^bk_k_/);
    const stored = await everythingStored();
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(secret.slice(-43));
    expect(stored).not.toContain(`rc-${first.body.keyId}`);

    const replay = await send('declared', idem);
    expect(replay.status).toBe(409);
    expect(replay.headers['Idempotent-Replayed']).toBe('true');
    expect(replay.body.code).toBe('SECRET_SHOWN_ONCE');
    expect(replay.body.resource).toEqual({ keyId: first.body.keyId, name: 'ci' });
    expect(replay.body.redacted?.sort()).toEqual(['recoveryCode', 'secret']);
    expect(replay.text).not.toContain(secret);
    expect(issued.filter((s) => s === secret)).toHaveLength(1);
  });

  it('a route that forgets to declare it: an API key secret is still never stored, nor replayed', async () => {
    const idem = freshKey();
    const first = await send('undeclared', idem);
    expect(first.status).toBe(201);
    const secret = first.body.secret ?? '';
    expect(await everythingStored()).not.toContain(secret);
    const replay = await send('undeclared', idem);
    expect(replay.status).toBe(409);
    expect(replay.body.code).toBe('SECRET_SHOWN_ONCE');
    expect(replay.text).not.toContain(secret);
  });

  it('redactSecrets finds API key secrets at any depth and leaves everything else as it was', () => {
    const { secret } = newApiKey();
    const body = { a: 1, list: [{ s: secret }, 'x'], nested: { deeper: { token: secret, ok: 'bk_not_a_key' } } };
    const out = redactSecrets(body);
    expect(JSON.stringify(out.body)).not.toContain(secret);
    expect(out.fields.sort()).toEqual(['list.0.s', 'nested.deeper.token']);
    expect(out.body).toEqual({ a: 1, list: [{}, 'x'], nested: { deeper: { ok: 'bk_not_a_key' } } });
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.constant(JSON.parse('{"__proto__":{"a":1}}'))), (value) => {
        const out = redactSecrets(value);
        expect(out.fields).toEqual([]);
        expect(JSON.stringify(out.body)).toBe(JSON.stringify(value));
      }),
      { numRuns: 200 },
    );
  });
});

import { describe, expect, it } from 'vitest';
import { freePort } from '../../local/src/dynamodb-local.js';
import { defineRoutes } from '../src/http/define-route.js';
import { buildHandler } from '../src/http/route.js';
import type { LambdaEvent } from '../src/http/pipeline.js';
import { createPlatform } from '../src/platform.js';
import { testConfig } from './support/harness.js';

const routes = defineRoutes('probe', {
  list: {
    id: 'probe.list',
    method: 'GET',
    path: '/v1/probe',
    summary: 'A guarded route',
    access: 'authenticated',
    minTier: 'observer',
    roles: [],
    uses: { control: 'read' },
    request: {},
    responses: { 200: { description: 'OK' } },
  },
});

describe('a DynamoDB outage', () => {
  it('answers 503 BACKEND_UNAVAILABLE with Retry-After, not a 500', async () => {
    const port = await freePort(); // nothing listens there
    const p = createPlatform(testConfig('ctl', { dynamoEndpoint: `http://127.0.0.1:${port}` }));
    const handler = buildHandler(
      routes.list,
      async () => ({ status: 200 as const }),
      undefined,
      () => p,
    );
    const res = await handler({
      headers: { 'x-api-key': `bk_k_AAAAAAAAAAAAAAAA_${'A'.repeat(43)}` },
      requestContext: { requestId: 'req-outage-1' },
    } as unknown as LambdaEvent);
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['Retry-After']).toBe('1');
    expect(JSON.parse(res.body ?? '{}')).toMatchObject({ code: 'BACKEND_UNAVAILABLE', requestId: 'req-outage-1' });
  });
});

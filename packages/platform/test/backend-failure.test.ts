import { describe, expect, it } from 'vitest';
import { freePort } from '../../local/src/dynamodb-local.js';
import { buildHandler } from '../src/http/route.js';
import { createPlatform } from '../src/platform.js';
import { routeById } from '../src/routes/table.js';
import type { LambdaEvent } from '../src/http/types.js';

describe('a DynamoDB outage', () => {
  it('answers 503 BACKEND_UNAVAILABLE with Retry-After, not a 500', async () => {
    const port = await freePort(); // nothing listens there
    const p = createPlatform({
      controlTable: 'ctl',
      region: 'local',
      dynamoEndpoint: `http://127.0.0.1:${port}`,
      bootstrapSecretRef: 'x',
      defaultEnv: 'dev',
      secretsBackend: 'local',
      localSecretsDir: '/nonexistent',
      stage: 'test',
      logLevel: 'ERROR',
    });
    const h = buildHandler(
      routeById('modes.list'),
      async () => ({ body: {} }),
      () => p,
    );
    const res = await h({
      headers: { 'x-api-key': `bk_k_AAAAAAAAAAAAAAAA_${'A'.repeat(43)}` },
      requestContext: { requestId: 'req-outage-1' },
    } as unknown as LambdaEvent);
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['Retry-After']).toBe('1');
    expect(JSON.parse(res.body ?? '{}')).toMatchObject({ code: 'BACKEND_UNAVAILABLE', requestId: 'req-outage-1' });
  });
});

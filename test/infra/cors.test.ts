import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS, originAllowed } from '../../packages/platform/src/http/cors.js';
import { corsOrigins, stageSettings } from '../../stacks/config.js';
import { resourcesOf, synthForTest, type TestSynth } from './synth.js';

/** CORS origins are configuration data: stacks/cors-origins.json, one list per stage. */
let dir: string;
let s: TestSynth;
const STAGE = 'dev';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ballast-cors-'));
  s = await synthForTest({ stage: STAGE, build: false });
}, 300_000);
afterAll(async () => {
  await s?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function file(stages: unknown): Promise<string> {
  const f = path.join(dir, `cors-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(f, JSON.stringify({ stages }));
  return f;
}

describe('CORS origins per stage (stacks/cors-origins.json)', () => {
  it('each stage’s settings take their origins from the file; a stage not named there allows none', async () => {
    expect(stageSettings('dev').corsOrigins).toEqual(corsOrigins('dev'));
    expect(stageSettings('prod').corsOrigins).toEqual(corsOrigins('prod'));
    expect(corsOrigins('pr-123')).toEqual([]);
    const f = await file({ prod: ['https://app.example.com', 'https://admin.example.com:8443'] });
    expect(corsOrigins('prod', f)).toEqual(['https://app.example.com', 'https://admin.example.com:8443']);
    expect(corsOrigins('staging', f)).toEqual([]);
  });

  it('refuses what API Gateway would not match: patterns, paths, wildcards, duplicates, non-lists', async () => {
    for (const bad of [['http://localhost:*'], ['https://app.example.com/'], ['*'], ['app.example.com'], 'x']) {
      await expect(async () => corsOrigins('prod', await file({ prod: bad })), JSON.stringify(bad)).rejects.toThrow(
        /cors-origins\.json/,
      );
    }
    await expect(async () =>
      corsOrigins('prod', await file({ prod: ['https://a.io', 'https://a.io'] })),
    ).rejects.toThrow(/duplicate/);
    // the local runtime's entry may name any port of a loopback host
    expect(corsOrigins('local', await file({ local: ['http://localhost:*'] }))).toEqual(['http://localhost:*']);
  });

  it('matches `:*` as any port, nothing else', () => {
    const allowed = ['http://localhost:*', 'https://app.example.com'];
    expect(originAllowed('http://localhost:5173', allowed)).toBe(true);
    expect(originAllowed('http://localhost', allowed)).toBe(true);
    expect(originAllowed('https://app.example.com', allowed)).toBe(true);
    for (const other of ['http://localhost:5173.evil.io', 'http://localhost.evil.io', 'https://app.example.com:444'])
      expect(originAllowed(other, allowed), other).toBe(false);
    expect(originAllowed(undefined, allowed)).toBe(false);
  });

  it('the HTTP API of a stage with origins answers CORS for them, exposing the conventions’ headers', () => {
    const apis = resourcesOf(s.json.Api, 'AWS::ApiGatewayV2::Api');
    expect(apis).toHaveLength(1);
    const cors = apis[0][1].Properties?.CorsConfiguration as Record<string, unknown>;
    expect(cors.AllowOrigins).toEqual(corsOrigins(STAGE));
    expect(cors.AllowHeaders).toEqual([...CORS_ALLOW_HEADERS]);
    expect(cors.ExposeHeaders).toEqual([...CORS_EXPOSE_HEADERS]);
    for (const h of ['ETag', 'Location', 'X-Request-Id', 'Idempotent-Replayed', 'Retry-After', 'RateLimit-Limit'])
      expect(cors.ExposeHeaders, h).toContain(h);
    expect(cors.MaxAge).toBe(3600);
  });
});

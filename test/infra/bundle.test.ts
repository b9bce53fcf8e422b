import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTable } from '../../packages/platform/src/data/tables.js';
import { routeById } from '../../packages/app/src/routes.js';
import { sstEsbuildOptions } from '../../stacks/bundling.js';
import { ROOT } from './synth.js';

/**
 * The stack's bundling, run for real: SST's own esbuild with the options stacks/bundling.ts gives
 * it, then the bundle executed in a fresh Node 22 process — the way Lambda loads it.
 */
type Esbuild = typeof import('esbuild');
const sstRequire = createRequire(createRequire(import.meta.url).resolve('sst/package.json'));
let esbuild: Esbuild;
let dir: string;
const run = promisify(execFile);

async function bundle(name: string, entry: { file: string } | { source: string }): Promise<string> {
  const outfile = path.join(dir, `${name}.mjs`);
  const opts = sstEsbuildOptions(
    'file' in entry ? path.join(ROOT, entry.file) : 'stdin.ts',
    outfile,
  ) as unknown as Parameters<Esbuild['build']>[0];
  await esbuild.build(
    'file' in entry
      ? opts
      : {
          ...opts,
          entryPoints: undefined,
          stdin: { contents: entry.source, resolveDir: ROOT, sourcefile: `${name}.ts`, loader: 'ts' },
        },
  );
  return outfile;
}

async function runNode(script: string, env: Record<string, string>): Promise<string> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    cwd: dir,
  });
  return stdout;
}

beforeAll(async () => {
  esbuild = ((await import(pathToFileURL(sstRequire.resolve('esbuild')).href)) as { default: Esbuild }).default;
  dir = await mkdtemp(path.join(os.tmpdir(), 'ballast-bundle-test-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('function bundles', () => {
  it('take AWS credentials from the environment, without the rest of the default chain', async () => {
    const file = await bundle('creds', {
      source: `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
const c = new DynamoDBClient({ region: 'eu-central-1' });
const id = await c.config.credentials();
process.stdout.write(JSON.stringify({ accessKeyId: id.accessKeyId, sessionToken: id.sessionToken }));`,
    });
    const out = await runNode(`await import(${JSON.stringify(pathToFileURL(file).href)})`, {
      AWS_ACCESS_KEY_ID: 'AKIDLAMBDA',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
    });
    expect(JSON.parse(out)).toEqual({ accessKeyId: 'AKIDLAMBDA', sessionToken: 'token' });
    const code = await readFile(file, 'utf8');
    // SSO / STS web identity / INI / IMDS providers are gone
    expect(code).not.toMatch(/AWS_WEB_IDENTITY_TOKEN_FILE|AWS_CONTAINER_CREDENTIALS_FULL_URI|sso_start_url/);
  });

  it('bundle one copy of zod', async () => {
    const outfile = path.join(dir, 'zod-check.mjs');
    const opts = sstEsbuildOptions(
      path.join(ROOT, routeById('portfolios.create').handler),
      outfile,
    ) as unknown as Parameters<Esbuild['build']>[0];
    const result = await esbuild.build(opts);
    const zodRoots = new Set(
      Object.keys(result.metafile!.inputs)
        .map((i) => /^(.*node_modules\/zod)\//.exec(i)?.[1])
        .filter(Boolean),
    );
    expect([...zodRoots]).toHaveLength(1);
  });

  it('run a real route handler under Node 22 ESM (health.ready against DynamoDB Local)', async () => {
    const endpoint = inject('dynamoEndpoint');
    const table = `bundle_${Date.now().toString(36)}`;
    await ensureTable(
      new DynamoDBClient({
        region: 'local',
        endpoint,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
      table,
    );
    const route = routeById('health.ready');
    const file = await bundle('health-ready', { file: route.handler });
    const event = {
      version: '2.0',
      routeKey: `${route.method} ${route.path}`,
      rawPath: route.path,
      rawQueryString: '',
      headers: { 'user-agent': 'bundle-test' },
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'api',
        domainName: 'api.local',
        domainPrefix: 'api',
        requestId: 'req-1',
        routeKey: `${route.method} ${route.path}`,
        stage: '$default',
        time: '',
        timeEpoch: Date.now(),
        http: {
          method: route.method,
          path: route.path,
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'bundle-test',
        },
      },
    };
    const context = {
      awsRequestId: 'req-1',
      functionName: 'health-ready',
      functionVersion: '$LATEST',
      memoryLimitInMB: '512',
      invokedFunctionArn: 'arn:aws:lambda:eu-central-1:000000000000:function:health-ready',
      logGroupName: '/x',
      logStreamName: 'x',
      callbackWaitsForEmptyEventLoop: true,
    };
    const script = `const m = await import(${JSON.stringify(pathToFileURL(file).href)});
const ctx = {
  ...${JSON.stringify(context)},
  getRemainingTimeInMillis: () => 10000,
  done() {},
  fail() {},
  succeed() {},
};
const r = await m.handler(${JSON.stringify(event)}, ctx);
process.stdout.write('\\n@@' + JSON.stringify(r));`;
    const out = await runNode(script, {
      // DynamoDB Local keeps one database per access key and region: match ensureTable's
      AWS_REGION: 'local',
      BALLAST_CONTROL_TABLE: table,
      BALLAST_DYNAMODB_ENDPOINT: endpoint,
      BALLAST_BOOTSTRAP_SECRET: 'ballast/test/bootstrap-key',
      BALLAST_ENV: 'dev',
      BALLAST_SECRETS_BACKEND: 'aws',
      BALLAST_STAGE: 'test',
      BALLAST_LOG_LEVEL: 'ERROR',
    });
    const result = JSON.parse(out.slice(out.lastIndexOf('@@') + 2)) as { statusCode: number; body: string };
    expect(result, out).toMatchObject({ statusCode: 200 });
    expect(JSON.parse(result.body)).toMatchObject({ status: 'ready' });
  });
});

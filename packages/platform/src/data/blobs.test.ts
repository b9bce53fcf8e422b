import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { buildApp } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantBlobs, tenantPrefix } from './blobs.js';
import { createS3Client, GZIP_FROM_BYTES, S3BlobStore } from './blobs.s3.js';

/** The blob port over real S3 HTTP: the in-process emulator (fauxqs) on loopback, a bucket of its own. */

const BUCKET = 'ballast-test-blobs';
let app: ReturnType<typeof buildApp>;
let s3: S3Client;
let store: S3BlobStore;

beforeAll(async () => {
  app = buildApp({ logger: false, host: '127.0.0.1', defaultRegion: 'us-east-1' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  s3 = createS3Client({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}` });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  store = new S3BlobStore(s3, BUCKET);
});

afterAll(async () => {
  s3?.destroy();
  await app?.close();
});

const demo = { tenantId: 't_demo', env: 'dev', projectId: 'p_demo' };
const blobsOf = (scope = demo) => new TenantBlobs(() => store, scope);

/** Every key under a prefix, read straight from the bucket (functions never list). */
async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const res = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken: token }));
    for (const o of res.Contents ?? []) keys.push(String(o.Key));
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

describe('S3BlobStore', () => {
  it('puts and gets text and bytes as they were; a missing key is undefined', async () => {
    await store.put('a/text.json', '{"x":"é"}', 'application/json');
    expect(new TextDecoder().decode(await store.get('a/text.json'))).toBe('{"x":"é"}');
    const bytes = Uint8Array.from([0, 1, 2, 255, 254]);
    await store.put('a/bytes.bin', bytes, 'application/octet-stream');
    expect(await store.get('a/bytes.bin')).toEqual(bytes);
    expect(await store.get('a/none')).toBeUndefined();
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'a/text.json' }));
    expect(head.ContentType).toBe('application/json');
  });

  it('stores a large body gzipped (smaller on S3, marked so) and gives back the original bytes', async () => {
    const big = Buffer.from('1.25,'.repeat(GZIP_FROM_BYTES));
    await store.put('a/big.csv', big, 'text/csv');
    const raw = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'a/big.csv' }));
    expect(raw.ContentEncoding).toBe('gzip');
    expect((await raw.Body!.transformToByteArray()).byteLength).toBeLessThan(big.byteLength / 10);
    expect(Buffer.from((await store.get('a/big.csv'))!).equals(big)).toBe(true);
  });

  it('deletes more keys than one DeleteObjects call takes', async () => {
    const keys = Array.from({ length: 1005 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
    for (let i = 0; i < keys.length; i += 100) {
      await Promise.all(keys.slice(i, i + 100).map((k) => store.put(k, 'x', 'text/plain')));
    }
    expect(await keysUnder('many/')).toEqual(keys);
    await store.delete(keys);
    expect(await keysUnder('many/')).toEqual([]);
    await store.delete(['many/never-was']);
  });
});

describe('TenantBlobs: a project cannot leave its prefix', () => {
  it('puts every name under tenants/<tenant>/<env>/projects/<project>/', async () => {
    const blobs = blobsOf();
    expect(blobs.prefix).toBe('tenants/t_demo/dev/projects/p_demo/');
    await blobs.put('bt_1/curve.bin', 'curve', 'application/octet-stream');
    expect(await keysUnder('tenants/t_demo/dev/projects/p_demo/')).toContain(
      'tenants/t_demo/dev/projects/p_demo/bt_1/curve.bin',
    );
    expect(await blobs.getText('bt_1/curve.bin')).toBe('curve');
  });

  it("does not see another tenant's, env's or project's blob under the same name", async () => {
    await blobsOf().put('shared/name.txt', 'demo', 'text/plain');
    for (const other of [
      { ...demo, tenantId: 't_acme' },
      { ...demo, env: 'prod' },
      { ...demo, projectId: 'p_other' },
    ]) {
      const blobs = blobsOf(other);
      expect(await blobs.getText('shared/name.txt')).toBeUndefined();
      await blobs.delete(['shared/name.txt']);
    }
    expect(await blobsOf().getText('shared/name.txt')).toBe('demo');
  });

  it.each([
    '../t_acme/secret',
    'bt_1/../../../../t_acme/dev/projects/p_demo/x',
    '/absolute',
    'a//b',
    'a/./b',
    '..',
    '',
    'spaces here',
    'x'.repeat(513),
  ])('refuses the name %j before any call', async (name) => {
    const blobs = new TenantBlobs(() => {
      throw new Error('the bucket was reached');
    }, demo);
    expect(() => blobs.keyOf(name)).toThrow(/not a blob name/);
    await expect(blobs.put(name, 'x', 'text/plain')).rejects.toThrow(/not a blob name/);
    await expect(blobs.get(name)).rejects.toThrow(/not a blob name/);
  });

  it('refuses a scope part that is not an id (a `/` or `..` cannot reach the prefix)', () => {
    for (const bad of [
      { ...demo, tenantId: 't_demo/../t_acme' },
      { ...demo, env: '..' },
      { ...demo, projectId: 'p/x' },
      { ...demo, projectId: '' },
    ]) {
      expect(() => tenantPrefix(bad)).toThrow(/is not an id/);
    }
  });

  it('deletes its own keys only', async () => {
    const mine = blobsOf();
    const theirs = blobsOf({ ...demo, projectId: 'p_theirs' });
    await mine.put('bt_9/a', '1', 'text/plain');
    await mine.put('bt_9/b', '2', 'text/plain');
    await theirs.put('bt_9/a', '4', 'text/plain');
    await mine.delete(['bt_9/a', 'bt_9/b']);
    expect(await keysUnder(`${mine.prefix}bt_9/`)).toEqual([]);
    expect(await theirs.getText('bt_9/a')).toBe('4');
  });
});

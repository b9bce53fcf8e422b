import { gunzipSync, gzipSync } from 'node:zlib';
import { DeleteObjectsCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { BlobStore } from './blobs.js';

/** Bodies at least this large are stored gzipped (curves and logs shrink several times). */
export const GZIP_FROM_BYTES = 64 * 1024;
/** S3's DeleteObjects takes at most this many keys a call. */
const DELETE_BATCH = 1000;

export function createS3Client(opts: { region: string; endpoint?: string }): S3Client {
  return new S3Client({
    region: opts.region,
    // Checksums only where S3 requires them: the SDK's default (since 3.729) frames streamed bodies
    // as aws-chunked with trailing checksums, which local emulators store verbatim (TOOLCHAIN.md).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(opts.endpoint
      ? {
          endpoint: opts.endpoint,
          forcePathStyle: true,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
  });
}

/**
 * The stage's blob bucket on S3 (the in-process emulator locally). Large bodies are gzipped and
 * marked `Content-Encoding: gzip`; `get` gives back the bytes as they were put. Encryption at rest
 * is the bucket's default (SSE-S3), set by the Data stack.
 */
export class S3BlobStore implements BlobStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: string | Uint8Array, contentType: string): Promise<void> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    // a body that is gzip already (an archive) is stored as it is: gzip twice only costs time
    const gzip = bytes.byteLength >= GZIP_FROM_BYTES && contentType !== 'application/gzip';
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: gzip ? gzipSync(bytes, { level: 6 }) : bytes,
        ContentType: contentType,
        ...(gzip ? { ContentEncoding: 'gzip' } : {}),
      }),
    );
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!res.Body) return new Uint8Array(0);
      const bytes = await res.Body.transformToByteArray();
      return res.ContentEncoding === 'gzip' ? new Uint8Array(gunzipSync(bytes)) : bytes;
    } catch (e) {
      if (e instanceof NoSuchKey || (e as { name?: string }).name === 'NoSuchKey') return undefined;
      throw e;
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const res = await this.s3.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      if (res.Errors?.length) {
        const first = res.Errors[0];
        throw new Error(`S3 refused to delete ${res.Errors.length} object(s): ${first.Key} ${first.Code}`);
      }
    }
  }
}

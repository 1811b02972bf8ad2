import path from 'node:path';
import type { Env } from '../../env.ts';
import { FsBlobStore } from './fs-store.ts';
import type { BlobStore } from './blob.ts';

export * from './blob.ts';
export { FsBlobStore } from './fs-store.ts';
export type { S3StoreOptions } from './s3-store.ts';
export { sendBlob } from './http.ts';

/**
 * The store chosen by BLOB_STORE (ADR 0010): files under PATRIMOINE_DATA_DIR/blobs, or an S3 bucket
 * (the S3 SDK is loaded only then: every CLI command and node start would pay for it otherwise).
 */
export async function createBlobStore(
  env: Pick<Env, 'BLOB_STORE' | 'dataDir' | 'S3_BUCKET' | 'S3_ENDPOINT' | 'S3_REGION' | 'S3_ACCESS_KEY_ID' | 'S3_SECRET_ACCESS_KEY' | 'S3_FORCE_PATH_STYLE'>,
): Promise<BlobStore> {
  if (env.BLOB_STORE === 's3') {
    const { S3BlobStore } = await import('./s3-store.ts');
    return new S3BlobStore({
      bucket: env.S3_BUCKET!,
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      forcePathStyle: env.S3_FORCE_PATH_STYLE,
    });
  }
  return new FsBlobStore(path.join(env.dataDir, 'blobs'));
}

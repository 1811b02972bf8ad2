import path from 'node:path';
import type { Command } from 'commander';
import { loadEnv } from '../../env.ts';
import { createBlobStore } from './index.ts';
import { FsBlobStore } from './fs-store.ts';
import type { BlobStore } from './blob.ts';

export interface CopyReport {
  copied: number;
  unchanged: number;
  bytes: number;
}

/**
 * Copies every object under `prefix` from one store to another (moving from `fs` to `s3`, or a bucket
 * backup to a directory), through the stores: metadata kept, each object checked by its sha256 on
 * both sides, objects already there with the same checksum skipped (a copy can be re-run).
 */
export async function copyBlobs(from: BlobStore, to: BlobStore, prefix = '', onObject?: (key: string, copied: boolean) => void): Promise<CopyReport> {
  const report: CopyReport = { copied: 0, unchanged: 0, bytes: 0 };
  for await (const o of from.list(prefix)) {
    const src = await from.head(o.key);
    if (!src) continue;
    const dst = await to.head(o.key);
    if (dst && src.sha256 && dst.sha256 === src.sha256 && dst.size === src.size) {
      report.unchanged++;
      onObject?.(o.key, false);
      continue;
    }
    const obj = await from.get(o.key);
    if (!obj) continue;
    const written = await to.put(o.key, obj.body, { contentType: obj.info.contentType });
    if (obj.info.sha256 && written.sha256 !== obj.info.sha256) throw new Error(`« ${o.key} » : somme de contrôle différente après copie`);
    report.copied++;
    report.bytes += written.size;
    onObject?.(o.key, true);
  }
  return report;
}

/** `patrimoine blobs copy --from fs --to s3`: both stores come from the environment (ADR 0010). */
export function registerBlobCli(program: Command): void {
  const blobs = program.command('blobs').description('Blob store (files): copy between the filesystem and S3-compatible storage');
  blobs
    .command('copy')
    .description('Copy every object from one store to the other (fs = PATRIMOINE_DATA_DIR/blobs, s3 = the S3_* variables); re-runnable')
    .requiredOption('--from <store>', 'fs or s3')
    .requiredOption('--to <store>', 'fs or s3')
    .option('--prefix <prefix>', 'only keys starting with this prefix', '')
    .action(async (o: { from: string; to: string; prefix: string }) => {
      if (!['fs', 's3'].includes(o.from) || !['fs', 's3'].includes(o.to) || o.from === o.to) throw new Error('--from and --to: fs and s3, one each');
      const env = loadEnv();
      const open = async (kind: string): Promise<BlobStore> =>
        kind === 'fs' ? new FsBlobStore(path.join(env.dataDir, 'blobs')) : await createBlobStore({ ...env, BLOB_STORE: 's3' });
      if (o.from === 's3' || o.to === 's3') if (!env.S3_BUCKET) throw new Error('S3_BUCKET is required');
      const from = await open(o.from);
      const to = await open(o.to);
      try {
        await to.check();
        const r = await copyBlobs(from, to, o.prefix);
        console.log(`${r.copied} object(s) copied (${r.bytes} bytes), ${r.unchanged} already there.`);
      } finally {
        from.close?.();
        to.close?.();
      }
    });
}

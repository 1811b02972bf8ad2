/**
 * The node's local copy of extracts (ADR 0800): the blob store is the source of truth, shared by
 * every node; each node downloads an extract once into its cache directory (written to a temporary
 * name, then renamed: a reader never sees half a file) and reads it from there. A file whose size
 * differs from the extract's is downloaded again. Concurrent requests for the same extract share
 * one download.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import type { BlobStore } from '../../../platform/blob/blob.ts';

export class ExtractCache {
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(
    readonly dir: string,
    private readonly blobs: BlobStore,
  ) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** Local path of the file for `name` (a version id): its extract, or its count tables (ADR 0804). */
  pathOf(name: string, kind: 'extract' | 'counts' = 'extract'): string {
    if (!/^[0-9a-f-]{36}$/.test(name)) throw new Error(`extract cache: bad name ${name}`);
    return path.join(this.dir, kind === 'counts' ? `${name}.counts.parquet` : `${name}.parquet`);
  }

  async ensure(name: string, blobKey: string, bytes: number, kind: 'extract' | 'counts' = 'extract'): Promise<string> {
    const file = this.pathOf(name, kind);
    try {
      if (fs.statSync(file).size === bytes) return file;
    } catch {
      // absent: download it
    }
    const running = this.inflight.get(file);
    if (running) return running;
    const p = (async () => {
      const obj = await this.blobs.get(blobKey);
      if (!obj) throw new Error(`extract ${blobKey} is missing from the blob store`);
      const tmp = path.join(this.dir, `.${name}.${randomUUID()}.part`);
      try {
        await pipeline(obj.body, fs.createWriteStream(tmp, { mode: 0o600 }));
        fs.renameSync(tmp, file);
      } finally {
        fs.rmSync(tmp, { force: true });
      }
      return file;
    })();
    this.inflight.set(file, p);
    try {
      return await p;
    } finally {
      this.inflight.delete(file);
    }
  }

  drop(name: string): void {
    fs.rmSync(this.pathOf(name), { force: true });
    fs.rmSync(this.pathOf(name, 'counts'), { force: true });
  }
}

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import {
  assertKey,
  assertPrefix,
  BlobKeyError,
  checkContentType,
  Digest,
  resolveRange,
  toReadable,
  DEFAULT_CONTENT_TYPE,
  type BlobBody,
  type BlobInfo,
  type BlobListing,
  type BlobObject,
  type BlobStore,
  type ByteRange,
  type PutOptions,
} from './blob.ts';

interface Meta {
  sha256: string;
  size: number;
  contentType: string;
}

/**
 * Blobs as files under one directory (`PATRIMOINE_DATA_DIR/blobs`): `<key>` holds the content,
 * `.meta/<key>.json` its sha256 and content type. A write goes to `.tmp/` (same filesystem) and is
 * renamed into place, so a reader — this process or another one on a shared volume — sees the old or
 * the new file, whole. Directories are 0700, files 0600.
 */
export class FsBlobStore implements BlobStore {
  readonly kind = 'fs' as const;
  private readonly tmp: string;
  private readonly meta: string;
  constructor(readonly root: string) {
    this.tmp = path.join(root, '.tmp');
    this.meta = path.join(root, '.meta');
  }

  private file(key: string) {
    return path.join(this.root, ...assertKey(key).split('/'));
  }
  private metaFile(key: string) {
    return path.join(this.meta, ...assertKey(key).split('/')) + '.json';
  }
  private async mkdir(dir: string) {
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  }
  private tmpName() {
    return path.join(this.tmp, `${process.pid}-${randomBytes(8).toString('hex')}`);
  }

  async put(key: string, body: BlobBody, opts: PutOptions = {}): Promise<BlobInfo> {
    const target = this.file(key);
    const metaTarget = this.metaFile(key);
    const contentType = checkContentType(opts.contentType);
    await this.mkdir(this.tmp);
    const data = this.tmpName();
    const metaTmp = `${data}.json`;
    const digest = new Digest(opts.maxBytes);
    try {
      await pipeline(toReadable(body), digest, fs.createWriteStream(data, { mode: 0o600, flags: 'wx' }), opts.signal ? { signal: opts.signal } : {});
      const meta: Meta = { sha256: digest.hex(), size: digest.size, contentType };
      await fsp.writeFile(metaTmp, JSON.stringify(meta), { mode: 0o600, flag: 'wx' });
      await this.mkdir(path.dirname(metaTarget));
      await this.mkdir(path.dirname(target));
      // Metadata first: a reader that sees the new content sees its metadata (head() checks the size).
      await fsp.rename(metaTmp, metaTarget);
      await fsp.rename(data, target);
      const st = await fsp.stat(target);
      return { key, size: meta.size, sha256: meta.sha256, contentType, lastModified: st.mtime };
    } catch (e) {
      await fsp.rm(data, { force: true });
      await fsp.rm(metaTmp, { force: true });
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST')
        throw new BlobKeyError(key, 'un segment de la clé est déjà un fichier, ou la clé un dossier');
      throw e;
    }
  }

  private async readMeta(key: string, size: number): Promise<Pick<BlobInfo, 'sha256' | 'contentType'>> {
    try {
      const m = JSON.parse(await fsp.readFile(this.metaFile(key), 'utf8')) as Meta;
      // Sizes differ while another writer is between its two renames: the checksum is not this content's.
      return { sha256: m.size === size ? m.sha256 : null, contentType: m.contentType || DEFAULT_CONTENT_TYPE };
    } catch {
      return { sha256: null, contentType: DEFAULT_CONTENT_TYPE };
    }
  }

  async head(key: string): Promise<BlobInfo | null> {
    const file = this.file(key);
    let st: fs.Stats;
    try {
      st = await fsp.stat(file);
    } catch {
      return null;
    }
    if (!st.isFile()) return null;
    return { key, size: st.size, lastModified: st.mtime, ...(await this.readMeta(key, st.size)) };
  }

  async get(key: string, opts: { range?: ByteRange } = {}): Promise<BlobObject | null> {
    const file = this.file(key);
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(file, 'r');
    } catch {
      return null;
    }
    try {
      // One descriptor for stat and read: a concurrent replacement does not mix two contents.
      const st = await handle.stat();
      if (!st.isFile()) {
        await handle.close();
        return null;
      }
      const info: BlobInfo = { key, size: st.size, lastModified: st.mtime, ...(await this.readMeta(key, st.size)) };
      const range = opts.range ? resolveRange(opts.range, st.size) : undefined;
      const body = handle.createReadStream({ start: range?.start ?? 0, ...(range ? { end: range.end } : {}), highWaterMark: 1 << 20, autoClose: true });
      return range ? { info, body, range } : { info, body };
    } catch (e) {
      await handle.close().catch(() => undefined);
      throw e;
    }
  }

  async delete(key: string): Promise<boolean> {
    const file = this.file(key);
    let existed = true;
    try {
      await fsp.unlink(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      existed = false;
    }
    await fsp.rm(this.metaFile(key), { force: true });
    return existed;
  }

  async *list(prefix: string): AsyncIterable<BlobListing> {
    assertPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    const base = slash === -1 ? '' : prefix.slice(0, slash);
    const start = base ? path.join(this.root, ...base.split('/')) : this.root;
    const keys: string[] = [];
    const walk = async (dir: string, rel: string) => {
      let entries: fs.Dirent[];
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (e.name.startsWith('.')) continue;
        const k = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) {
          if (k.startsWith(prefix) || prefix.startsWith(`${k}/`)) await walk(path.join(dir, e.name), k);
        } else if (e.isFile() && k.startsWith(prefix)) keys.push(k);
      }
    };
    await walk(start, base);
    keys.sort();
    for (const k of keys) {
      const st = await fsp.stat(this.file(k)).catch(() => null);
      if (st?.isFile()) yield { key: k, size: st.size, lastModified: st.mtime };
    }
  }

  async check(): Promise<void> {
    await this.mkdir(this.tmp);
    const f = this.tmpName();
    await fsp.writeFile(f, 'ok', { mode: 0o600 });
    const back = await fsp.readFile(f, 'utf8');
    await fsp.rm(f, { force: true });
    if (back !== 'ok') throw new Error('relecture incorrecte');
  }

  /** Removes temporary files older than `ageMs` left by interrupted writes (a crashed process). */
  async sweepTemp(ageMs = 24 * 3600_000, now = Date.now()): Promise<number> {
    let n = 0;
    for (const name of await fsp.readdir(this.tmp).catch(() => [] as string[])) {
      const f = path.join(this.tmp, name);
      const st = await fsp.stat(f).catch(() => null);
      if (st && now - st.mtimeMs > ageMs) {
        await fsp.rm(f, { force: true });
        n++;
      }
    }
    return n;
  }
}

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
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
  contentType: string;
}

/** Every file starts with this many bytes of metadata (`PBLOB1 {json}` padded with spaces, then a newline). */
export const FS_HEADER_BYTES = 512;
const MAGIC = 'PBLOB1 ';

function header(meta: Meta): Buffer {
  const text = `${MAGIC}${JSON.stringify(meta)}`;
  if (Buffer.byteLength(text) > FS_HEADER_BYTES - 1) throw new Error('métadonnées trop longues');
  const buf = Buffer.alloc(FS_HEADER_BYTES, 0x20);
  buf.write(text, 0, 'utf8');
  buf[FS_HEADER_BYTES - 1] = 0x0a;
  return buf;
}

/**
 * Blobs as files under one directory (`PATRIMOINE_DATA_DIR/blobs`): `<key>` holds a 512-byte header
 * (sha256 and content type) then the content, so that content and metadata change together. A write
 * goes to `.tmp/` (same filesystem), its header is completed once the content is hashed, and the file
 * is renamed into place: a reader — this process or another one on a shared volume — sees the old or
 * the new file, whole, with its own metadata. Directories are 0700, files 0600.
 */
export class FsBlobStore implements BlobStore {
  readonly kind = 'fs' as const;
  private readonly tmp: string;
  constructor(readonly root: string) {
    this.tmp = path.join(root, '.tmp');
  }

  private file(key: string) {
    return path.join(this.root, ...assertKey(key).split('/'));
  }
  private async mkdir(dir: string) {
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  }
  private tmpName() {
    return path.join(this.tmp, `${process.pid}-${randomBytes(8).toString('hex')}`);
  }

  async put(key: string, body: BlobBody, opts: PutOptions = {}): Promise<BlobInfo> {
    const target = this.file(key);
    const contentType = checkContentType(opts.contentType);
    await this.mkdir(this.tmp);
    const data = this.tmpName();
    const digest = new Digest(opts.maxBytes);
    try {
      const placeholder = header({ sha256: '0'.repeat(64), contentType });
      await pipeline(
        toReadable(body),
        digest,
        async function* (source: AsyncIterable<Buffer>) {
          yield placeholder;
          yield* source;
        },
        fs.createWriteStream(data, { mode: 0o600, flags: 'wx' }),
        opts.signal ? { signal: opts.signal } : {},
      );
      const meta: Meta = { sha256: digest.hex(), contentType };
      const fh = await fsp.open(data, 'r+');
      try {
        await fh.write(header(meta), 0, FS_HEADER_BYTES, 0);
      } finally {
        await fh.close();
      }
      await this.mkdir(path.dirname(target));
      await fsp.rename(data, target);
      const st = await fsp.stat(target);
      return { key, size: digest.size, sha256: meta.sha256, contentType, lastModified: st.mtime };
    } catch (e) {
      await fsp.rm(data, { force: true });
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST')
        throw new BlobKeyError(key, 'un segment de la clé est déjà un fichier, ou la clé un dossier');
      throw e;
    }
  }

  /** Metadata and size of an open file (a file without header, put there by hand, is served whole). */
  private async describe(key: string, fh: fsp.FileHandle): Promise<{ info: BlobInfo; offset: number } | null> {
    const st = await fh.stat();
    if (!st.isFile()) return null;
    const buf = Buffer.alloc(FS_HEADER_BYTES);
    const { bytesRead } = await fh.read(buf, 0, FS_HEADER_BYTES, 0);
    if (bytesRead === FS_HEADER_BYTES && buf.subarray(0, MAGIC.length).toString('latin1') === MAGIC) {
      try {
        const m = JSON.parse(buf.subarray(MAGIC.length).toString('utf8').trim()) as Meta;
        return {
          info: { key, size: st.size - FS_HEADER_BYTES, sha256: m.sha256 || null, contentType: m.contentType || DEFAULT_CONTENT_TYPE, lastModified: st.mtime },
          offset: FS_HEADER_BYTES,
        };
      } catch {
        /* not our header */
      }
    }
    return { info: { key, size: st.size, sha256: null, contentType: DEFAULT_CONTENT_TYPE, lastModified: st.mtime }, offset: 0 };
  }

  private async openFile(key: string): Promise<fsp.FileHandle | null> {
    try {
      return await fsp.open(this.file(key), 'r');
    } catch (e) {
      if (e instanceof BlobKeyError) throw e;
      return null;
    }
  }

  async head(key: string): Promise<BlobInfo | null> {
    const fh = await this.openFile(key);
    if (!fh) return null;
    try {
      return (await this.describe(key, fh))?.info ?? null;
    } finally {
      await fh.close();
    }
  }

  async get(key: string, opts: { range?: ByteRange } = {}): Promise<BlobObject | null> {
    const fh = await this.openFile(key);
    if (!fh) return null;
    try {
      // One descriptor for metadata and content: a concurrent replacement does not mix two versions.
      const d = await this.describe(key, fh);
      if (!d) {
        await fh.close();
        return null;
      }
      const { info, offset } = d;
      const range = opts.range ? resolveRange(opts.range, info.size) : undefined;
      if (!range && info.size === 0) {
        await fh.close();
        return { info, body: Readable.from([]) };
      }
      const start = offset + (range?.start ?? 0);
      const end = offset + (range ? range.end : info.size - 1);
      const body = fh.createReadStream({ start, end, highWaterMark: 1 << 20, autoClose: true });
      return range ? { info, body, range } : { info, body };
    } catch (e) {
      await fh.close().catch(() => undefined);
      throw e;
    }
  }

  async delete(key: string): Promise<boolean> {
    try {
      await fsp.unlink(this.file(key));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
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
      const info = await this.head(k).catch(() => null);
      if (info) yield { key: k, size: info.size, lastModified: info.lastModified };
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

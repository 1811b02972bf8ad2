import fs from 'node:fs';
import readline from 'node:readline';
import { createGunzip } from 'node:zlib';
import { Transform, type Readable } from 'node:stream';
import yauzl from 'yauzl';

/**
 * Streams the lines of INSEE files, `.txt` (or `.csv`), `.txt.gz` or `.zip` (every `.txt`/`.csv`
 * entry), decoded as latin1. Memory stays bounded whatever the size: one line at a time.
 */
export interface LineProgress {
  /** Bytes of the file read so far (compressed bytes for .gz/.zip). */
  bytes: number;
  totalBytes: number;
}

function counted(stream: Readable, onBytes: (n: number) => void): Readable {
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      onBytes(chunk.length);
      cb(null, chunk);
    },
  });
  stream.on('error', (e) => t.destroy(e));
  return stream.pipe(t);
}

async function* linesOf(stream: Readable): AsyncGenerator<string> {
  stream.setEncoding('latin1');
  const rl = readline.createInterface({ input: stream, crlfDelay: Infinity });
  for await (const line of rl) if (line.trim()) yield line;
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, zip) => (err ? reject(err) : resolve(zip))));
}

async function* zipEntries(file: string, progress: (n: number) => void): AsyncGenerator<Readable> {
  const zip = await openZip(file);
  const queue: (yauzl.Entry | null | Error)[] = [];
  let notify: (() => void) | null = null;
  zip.on('entry', (e: yauzl.Entry) => {
    queue.push(e);
    notify?.();
  });
  zip.on('end', () => {
    queue.push(null);
    notify?.();
  });
  zip.on('error', (e: Error) => {
    queue.push(e);
    notify?.();
  });
  zip.readEntry();
  for (;;) {
    if (!queue.length) await new Promise<void>((r) => (notify = r));
    notify = null;
    const e = queue.shift()!;
    if (e === null) return;
    if (e instanceof Error) throw e;
    if (/\.(txt|csv)$/i.test(e.fileName) && !e.fileName.endsWith('/')) {
      const stream = await new Promise<Readable>((resolve, reject) => zip.openReadStream(e, (err, s) => (err ? reject(err) : resolve(s))));
      progress(e.compressedSize);
      yield stream;
    }
    zip.readEntry();
  }
}

/** Lines of one file; `onProgress` is called as bytes are read. */
export async function* readInseeFile(file: string, onProgress?: (p: LineProgress) => void): AsyncGenerator<string> {
  const totalBytes = fs.statSync(file).size;
  let bytes = 0;
  const tick = (n: number) => {
    bytes += n;
    onProgress?.({ bytes: Math.min(bytes, totalBytes), totalBytes });
  };
  if (/\.zip$/i.test(file)) {
    for await (const entry of zipEntries(file, tick)) yield* linesOf(entry);
    return;
  }
  const raw = counted(fs.createReadStream(file, { highWaterMark: 1 << 20 }), tick);
  if (/\.gz$/i.test(file)) {
    const gunzip = createGunzip();
    raw.on('error', (e) => gunzip.destroy(e));
    yield* linesOf(raw.pipe(gunzip));
  } else yield* linesOf(raw);
}

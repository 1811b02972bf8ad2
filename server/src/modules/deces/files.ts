import fs from 'node:fs';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { Transform, type Readable } from 'node:stream';
import yauzl from 'yauzl';

/**
 * Streams the lines of INSEE files, `.txt` (or `.csv`), `.txt.gz` or `.zip` (every `.txt`/`.csv`
 * entry), decoded as latin1. Memory stays bounded whatever the file holds: one line at a time, a line
 * longer than `maxLineChars` stops the reading, and so does a compressed file that inflates beyond
 * `maxInflatedBytes` or beyond `maxRatio` times its compressed size (a gzip or zip bomb), with a
 * `FileLimitError` naming the line (permanent: the job fails at once, it is not retried).
 */
export interface ReadLimits {
  /** Characters of one line (an INSEE line has 176; its CSV rendering about 250). */
  maxLineChars: number;
  /** Bytes after decompression, whole file. */
  maxInflatedBytes: number;
  /** Inflated / compressed bytes, checked once `ratioFloorBytes` have been inflated. */
  maxRatio: number;
  ratioFloorBytes: number;
}
export const READ_LIMITS: ReadLimits = { maxLineChars: 4096, maxInflatedBytes: 16 * 1024 ** 3, maxRatio: 100, ratioFloorBytes: 64 * 1024 ** 2 };

export class FileLimitError extends Error {
  /** Read by the job runner: the same file fails the same way, no retry. */
  readonly permanent = true;
}

const mb = (n: number) => `${Math.round(n / 1048576)} Mo`;

/** Counts inflated bytes against the compressed ones read so far. */
function inflateGuard(limits: ReadLimits, compressed: () => number, what: string): Transform {
  let inflated = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      inflated += chunk.length;
      const packed = Math.max(1, compressed());
      if (inflated > limits.maxInflatedBytes)
        return cb(new FileLimitError(`${what} : plus de ${mb(limits.maxInflatedBytes)} une fois décompressé (limite) : import arrêté.`));
      if (inflated > limits.ratioFloorBytes && inflated / packed > limits.maxRatio)
        return cb(
          new FileLimitError(
            `${what} : ${mb(inflated)} décompressés pour ${Math.max(1, Math.round(packed / 1024))} Ko compressés (rapport supérieur à ${limits.maxRatio}) : archive piégée ou corrompue, import arrêté.`,
          ),
        );
      cb(null, chunk);
    },
  });
}
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

/** A line of a file and its number (1-based, blank lines counted). */
export interface NumberedLine {
  n: number;
  text: string;
}

async function* linesOf(stream: Readable, limits: ReadLimits, first = 1): AsyncGenerator<NumberedLine, number> {
  let rest = '';
  let n = first - 1;
  const tooLong = (line: number) =>
    new FileLimitError(`ligne ${line} : plus de ${limits.maxLineChars} caractères sans fin de ligne (fichier corrompu ou piégé ?) : import arrêté.`);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      // latin1: one byte, one character; a chunk never splits a character.
      const s = rest + chunk.toString('latin1');
      let start = 0;
      for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', start)) {
        n++;
        const text = s.slice(start, s[i - 1] === '\r' ? i - 1 : i);
        start = i + 1;
        if (text.length > limits.maxLineChars) throw tooLong(n);
        if (text.trim()) yield { n, text };
      }
      rest = s.slice(start);
      if (rest.length > limits.maxLineChars) throw tooLong(n + 1);
    }
  } finally {
    stream.destroy();
  }
  if (rest.trim()) yield { n: ++n, text: rest.replace(/\r$/, '') };
  return n;
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, zip) => (err ? reject(err) : resolve(zip))));
}

async function* zipEntries(file: string, limits: ReadLimits, progress: (n: number) => void): AsyncGenerator<{ name: string; stream: Readable }> {
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
  let inflated = 0;
  try {
    for (;;) {
      if (!queue.length) await new Promise<void>((r) => (notify = r));
      notify = null;
      const e = queue.shift()!;
      if (e === null) return;
      if (e instanceof Error) throw e;
      if (/\.(txt|csv)$/i.test(e.fileName) && !e.fileName.endsWith('/')) {
        // yauzl checks that an entry inflates to its declared size: the declared sizes are checked first.
        inflated += e.uncompressedSize;
        if (inflated > limits.maxInflatedBytes)
          throw new FileLimitError(`${e.fileName} : plus de ${mb(limits.maxInflatedBytes)} une fois décompressé (limite) : import arrêté.`);
        if (e.uncompressedSize > limits.ratioFloorBytes && e.uncompressedSize / Math.max(1, e.compressedSize) > limits.maxRatio)
          throw new FileLimitError(`${e.fileName} : rapport de compression supérieur à ${limits.maxRatio} (archive piégée ou corrompue) : import arrêté.`);
        const stream = await new Promise<Readable>((resolve, reject) => zip.openReadStream(e, (err, s) => (err ? reject(err) : resolve(s))));
        progress(e.compressedSize);
        yield { name: e.fileName, stream };
      }
      zip.readEntry();
    }
  } finally {
    zip.close();
  }
}

/** Lines of one file with their numbers; `onProgress` is called as bytes are read. */
export async function* readInseeFile(file: string, onProgress?: (p: LineProgress) => void, limits: ReadLimits = READ_LIMITS): AsyncGenerator<NumberedLine> {
  const totalBytes = fs.statSync(file).size;
  let bytes = 0;
  const tick = (n: number) => {
    bytes += n;
    onProgress?.({ bytes: Math.min(bytes, totalBytes), totalBytes });
  };
  if (/\.zip$/i.test(file)) {
    let n = 0;
    for await (const entry of zipEntries(file, limits, tick)) n = yield* linesOf(entry.stream, limits, n + 1);
    return;
  }
  const raw = counted(fs.createReadStream(file, { highWaterMark: 1 << 20 }), tick);
  if (/\.gz$/i.test(file)) {
    const gunzip = createGunzip();
    const guard = inflateGuard(limits, () => bytes, path.basename(file));
    raw.on('error', (e) => gunzip.destroy(e));
    gunzip.on('error', (e) => guard.destroy(e));
    yield* linesOf(raw.pipe(gunzip).pipe(guard), limits);
  } else yield* linesOf(raw, limits);
}

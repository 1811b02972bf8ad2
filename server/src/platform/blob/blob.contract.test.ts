import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../../test/s3.ts';
import { loadEnv, EnvError } from '../../env.ts';
import { BlobKeyError, createBlobStore, BlobRangeError, BlobTooLargeError, FsBlobStore, assertKey, parseRangeHeader, type BlobStore } from './index.ts';
import { S3BlobStore, slice } from './s3-store.ts';
import { copyBlobs } from './copy.ts';

/** The same contract for both stores (ADR 0010): a filesystem directory and an S3 bucket (s3rver). */
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const text = async (r: Readable) => {
  const chunks: Buffer[] = [];
  for await (const c of r as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
};
const collect = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

let s3: LocalS3;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'patrimoine-blobs-'));
beforeAll(async () => {
  s3 = await startLocalS3();
});
afterAll(async () => {
  await s3?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const stores: [string, () => BlobStore][] = [
  ['fs', () => new FsBlobStore(path.join(root, 'fs'))],
  [
    's3',
    () =>
      new S3BlobStore({
        bucket: s3.bucket,
        endpoint: s3.endpoint,
        forcePathStyle: true,
        accessKeyId: 'S3RVER',
        secretAccessKey: 'S3RVER',
        partSize: 5 * 1024 * 1024,
      }),
  ],
];

describe('blob keys', () => {
  it('refuses path traversal and odd segments', () => {
    for (const bad of ['', '../x', 'a/../b', '/abs', 'a//b', '.hidden', 'a/.meta/x', 'a\\b', 'a/b/', 'é', 'x'.repeat(600), 'a/./b'])
      expect(() => assertKey(bad), bad).toThrow(BlobKeyError);
    expect(assertKey('deces/proofs/0b3e-1.pdf')).toBe('deces/proofs/0b3e-1.pdf');
  });
  it('cuts a range out of a whole stream (an S3-compatible store that ignores Range)', async () => {
    const whole = () => Readable.from([Buffer.from('0123'), Buffer.from('4567'), Buffer.from('89')]);
    expect((await text(slice(whole(), 2, 5))).toString()).toBe('2345');
    expect((await text(slice(whole(), 8, 9))).toString()).toBe('89');
    expect((await text(slice(whole(), 0, 0))).toString()).toBe('0');
  });
  it('parses HTTP ranges', () => {
    expect(parseRangeHeader('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRangeHeader('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRangeHeader('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRangeHeader('bytes=95-200', 100)).toEqual({ start: 95, end: 99 });
    expect(parseRangeHeader('items=1-2', 100)).toBeNull();
    expect(() => parseRangeHeader('bytes=100-', 100)).toThrow(BlobRangeError);
  });
});

describe.each(stores)('blob store contract: %s', (_name, make) => {
  let store: BlobStore;
  beforeAll(() => {
    store = make();
  });
  afterAll(() => store.close?.());

  it('writes a stream, computing size and sha256, and reads it back with its type', async () => {
    const body = Readable.from([Buffer.from('bonjour '), Buffer.from('le monde')]);
    const info = await store.put('t/one/a.txt', body, { contentType: 'text/plain; charset=utf-8' });
    expect(info).toMatchObject({ key: 't/one/a.txt', size: 16, sha256: sha('bonjour le monde') });
    const head = await store.head('t/one/a.txt');
    expect(head).toMatchObject({ size: 16, sha256: sha('bonjour le monde'), contentType: 'text/plain; charset=utf-8' });
    const got = await store.get('t/one/a.txt');
    expect((await text(got!.body)).toString()).toBe('bonjour le monde');
    expect(got!.info.size).toBe(16);
  });

  it('serves byte ranges, and refuses one past the end', async () => {
    await store.put('t/range.bin', '0123456789');
    const r = await store.get('t/range.bin', { range: { start: 2, end: 4 } });
    expect((await text(r!.body)).toString()).toBe('234');
    expect(r!.range).toEqual({ start: 2, end: 4 });
    expect(r!.info.size).toBe(10);
    const tail = await store.get('t/range.bin', { range: { start: 7 } });
    expect((await text(tail!.body)).toString()).toBe('789');
    await expect(store.get('t/range.bin', { range: { start: 10 } })).rejects.toThrow(BlobRangeError);
  });

  it('replaces an object whole, lists by prefix, deletes', async () => {
    await store.put('t/list/b.csv', 'old');
    await store.put('t/list/b.csv', 'new content');
    await store.put('t/list/a.csv', 'a');
    await store.put('t/list/sub/c.csv', 'c');
    await store.put('t/listing.csv', 'not in the folder');
    expect((await text((await store.get('t/list/b.csv'))!.body)).toString()).toBe('new content');
    expect((await collect(store.list('t/list/'))).map((x) => x.key)).toEqual(['t/list/a.csv', 't/list/b.csv', 't/list/sub/c.csv']);
    expect((await collect(store.list('t/list'))).map((x) => x.key)).toContain('t/listing.csv');
    expect((await collect(store.list('t/list/'))).find((x) => x.key === 't/list/b.csv')!.size).toBe(11);
    expect(await store.delete('t/list/b.csv')).toBe(true);
    expect(await store.delete('t/list/b.csv')).toBe(false);
    expect(await store.head('t/list/b.csv')).toBeNull();
    expect(await store.get('t/list/b.csv')).toBeNull();
    expect((await collect(store.list('t/nothing/'))).length).toBe(0);
  });

  it('refuses content over maxBytes and keeps the previous version', async () => {
    await store.put('t/limit.txt', 'small');
    await expect(store.put('t/limit.txt', Buffer.alloc(2000, 65), { maxBytes: 1000 })).rejects.toThrow(BlobTooLargeError);
    expect((await text((await store.get('t/limit.txt'))!.body)).toString()).toBe('small');
    await expect(store.put('t/fresh.txt', Buffer.alloc(2000, 65), { maxBytes: 1000 })).rejects.toThrow(BlobTooLargeError);
    expect(await store.head('t/fresh.txt')).toBeNull();
  });

  it('an upload cut in the middle leaves nothing', async () => {
    async function* cut() {
      yield Buffer.alloc(1000, 1);
      throw new Error('connexion coupée');
    }
    await expect(store.put('t/cut.bin', cut())).rejects.toThrow('connexion coupée');
    expect(await store.head('t/cut.bin')).toBeNull();
  });

  it('uploads a large object (multipart on S3) with the right checksum', async () => {
    const big = Buffer.alloc(11 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
    const chunks = function* () {
      for (let i = 0; i < big.length; i += 64 * 1024) yield big.subarray(i, i + 64 * 1024);
    };
    const info = await store.put('t/big.bin', Readable.from(chunks()), { contentType: 'application/octet-stream' });
    expect(info).toMatchObject({ size: big.length, sha256: sha(big) });
    expect(await store.head('t/big.bin')).toMatchObject({ size: big.length, sha256: sha(big) });
    const part = await store.get('t/big.bin', { range: { start: 5 * 1024 * 1024 - 2, end: 5 * 1024 * 1024 + 1 } });
    expect(await text(part!.body)).toEqual(big.subarray(5 * 1024 * 1024 - 2, 5 * 1024 * 1024 + 2));
    expect(sha(await text((await store.get('t/big.bin'))!.body))).toBe(sha(big));
  });

  it('refuses unsafe keys in every operation', async () => {
    await expect(store.put('../evil', 'x')).rejects.toThrow(BlobKeyError);
    await expect(store.get('a/../../etc/passwd')).rejects.toThrow(BlobKeyError);
    await expect(store.head('.meta/x')).rejects.toThrow(BlobKeyError);
    await expect(store.delete('/etc/passwd')).rejects.toThrow(BlobKeyError);
    await expect(collect(store.list('../'))).rejects.toThrow(BlobKeyError);
  });

  it('passes its readiness check', async () => {
    await expect(store.check()).resolves.toBeUndefined();
  });
});

describe('copy between stores', () => {
  it('copies fs → s3 with checksums and content types, and a second run copies nothing', async () => {
    const from = new FsBlobStore(path.join(root, 'copy-src'));
    const to = stores[1]![1]();
    await from.put('copie/a.csv', 'a;b\n1;2\n', { contentType: 'text/csv' });
    await from.put('copie/sous/b.pdf', '%PDF-1.4', { contentType: 'application/pdf' });
    expect(await copyBlobs(from, to, 'copie/')).toEqual({ copied: 2, unchanged: 0, bytes: 16 });
    expect(await to.head('copie/sous/b.pdf')).toMatchObject({ contentType: 'application/pdf', sha256: sha('%PDF-1.4') });
    expect(await copyBlobs(from, to, 'copie/')).toMatchObject({ copied: 0, unchanged: 2 });
    to.close?.();
  });
});

describe('configuration', () => {
  it('BLOB_STORE=s3 needs a bucket, and both S3 keys or none', async () => {
    expect(() => loadEnv({ BLOB_STORE: 's3' })).toThrow(EnvError);
    expect(() => loadEnv({ BLOB_STORE: 's3', S3_BUCKET: 'bkt', S3_ACCESS_KEY_ID: 'k' })).toThrow(/S3_SECRET_ACCESS_KEY/);
    expect(() => loadEnv({ BLOB_STORE: 's3', S3_BUCKET: 'Bad_Bucket' })).toThrow(/S3_BUCKET/);
    const env = loadEnv({ BLOB_STORE: 's3', S3_BUCKET: 'patrimoine', S3_ENDPOINT: 'http://minio:9000', S3_FORCE_PATH_STYLE: 'true' });
    const store = await createBlobStore(env);
    expect(store.kind).toBe('s3');
    store.close?.();
    expect((await createBlobStore(loadEnv({ PATRIMOINE_DATA_DIR: root }))).kind).toBe('fs');
  });
});

describe('filesystem store', () => {
  it('writes owner-only files and leaves no temporary file', async () => {
    const dir = path.join(root, 'modes');
    const store = new FsBlobStore(dir);
    await store.put('x/y.txt', 'secret');
    // A file put there by hand (no header) is served whole.
    fs.writeFileSync(path.join(dir, 'x', 'raw.txt'), 'brut');
    expect(await store.head('x/raw.txt')).toMatchObject({ size: 4, sha256: null });
    expect((await text((await store.get('x/raw.txt'))!.body)).toString()).toBe('brut');
    await store.put('x/empty.txt', '');
    expect((await text((await store.get('x/empty.txt'))!.body)).length).toBe(0);
    expect(fs.statSync(path.join(dir, 'x', 'y.txt')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, 'x')).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(path.join(dir, '.tmp'))).toEqual([]);
    fs.writeFileSync(path.join(dir, '.tmp', 'left-by-a-crash'), 'x');
    expect(await store.sweepTemp(24 * 3600_000)).toBe(0);
    expect(await store.sweepTemp(-1)).toBe(1);
    expect(fs.readdirSync(path.join(dir, '.tmp'))).toEqual([]);
  });
  it('two stores on the same directory (two processes on a shared volume) see each other’s writes', async () => {
    const a = new FsBlobStore(path.join(root, 'shared'));
    const b = new FsBlobStore(path.join(root, 'shared'));
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).put('same/key.txt', `version ${i} `.repeat(1000))));
    const got = (await text((await b.get('same/key.txt'))!.body)).toString();
    expect(got).toMatch(/^(version \d )+$/);
    expect(
      new Set(
        got
          .trim()
          .split(' ')
          .filter((w) => w !== 'version'),
      ).size,
    ).toBe(1);
    expect((await a.head('same/key.txt'))!.sha256).toBe(sha(got));
  });
});

import { createHash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';

/**
 * The blob store (ADR 0010): where the platform keeps files (uploads, produced files), on the local
 * filesystem of one node or on S3-compatible object storage shared by several nodes. Keys are paths
 * (`deces/proofs/<uuid>.pdf`); the store computes size and sha256 while writing.
 */
/** What list() gives of each object (head() for its checksum and type). */
export interface BlobListing {
  key: string;
  size: number;
  lastModified: Date;
}

export interface BlobInfo extends BlobListing {
  /** Hex sha256 of the content, computed when written (null for an object written by another tool). */
  sha256: string | null;
  contentType: string;
}

export interface PutOptions {
  contentType?: string;
  /** Refuses (BlobTooLargeError) and writes nothing when the content is larger. */
  maxBytes?: number;
  signal?: AbortSignal;
}

/** Inclusive byte range, as in HTTP: `{ start: 0, end: 99 }` is the first 100 bytes. */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface BlobObject {
  info: BlobInfo;
  body: Readable;
  /** The bytes served (inclusive), when a range was asked. */
  range?: { start: number; end: number };
}

export type BlobBody = Readable | AsyncIterable<Uint8Array> | Uint8Array | string;

export interface BlobStore {
  readonly kind: 'fs' | 's3';
  /** Writes the object (replacing any previous one) atomically: readers see the old or the new content, whole. */
  put(key: string, body: BlobBody, opts?: PutOptions): Promise<BlobInfo>;
  /** The content, or null when absent. A range past the end throws BlobRangeError. */
  get(key: string, opts?: { range?: ByteRange }): Promise<BlobObject | null>;
  head(key: string): Promise<BlobInfo | null>;
  /** True when something was deleted. */
  delete(key: string): Promise<boolean>;
  /** Objects whose key starts with `prefix` (a prefix of whole segments or not), in key order. */
  list(prefix: string): AsyncIterable<BlobListing>;
  /** Throws when the store cannot be written and read (readiness). */
  check(): Promise<void>;
  /** Removes what interrupted writes left (filesystem store; S3 uses a bucket lifecycle rule). */
  sweepTemp?(ageMs?: number): Promise<number>;
  close?(): void;
}

export class BlobKeyError extends Error {
  constructor(key: string, reason: string) {
    super(`Clé de fichier invalide « ${key.slice(0, 80)} » : ${reason}`);
    this.name = 'BlobKeyError';
  }
}
export class BlobTooLargeError extends Error {
  constructor(public readonly maxBytes: number) {
    super(`fichier trop volumineux (${maxBytes} octets au plus)`);
    this.name = 'BlobTooLargeError';
  }
}
export class BlobRangeError extends Error {
  constructor(public readonly size: number) {
    super(`plage d’octets hors du fichier (${size} octets)`);
    this.name = 'BlobRangeError';
  }
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._=-]{0,199}$/;

/**
 * Keys are relative paths of safe segments: no `..`, no leading dot (temporary and metadata files of
 * the filesystem store start with one), no backslash, no empty segment, 512 characters and 16 levels at most.
 */
export function assertKey(key: string): string {
  if (typeof key !== 'string' || !key) throw new BlobKeyError(String(key), 'clé vide');
  if (key.length > 512) throw new BlobKeyError(key, '512 caractères au plus');
  const parts = key.split('/');
  if (parts.length > 16) throw new BlobKeyError(key, '16 niveaux au plus');
  for (const p of parts) {
    if (!p) throw new BlobKeyError(key, 'segment vide');
    if (p === '.' || p === '..' || !SEGMENT.test(p)) throw new BlobKeyError(key, `segment « ${p.slice(0, 40)} » refusé (lettres, chiffres, . _ = -)`);
  }
  return key;
}

/** A prefix for list(): empty, or a key possibly ending with '/'. */
export function assertPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  assertKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}

export function toReadable(body: BlobBody): Readable {
  if (typeof body === 'string' || body instanceof Uint8Array) return Readable.from([Buffer.from(body)]);
  if (body instanceof Readable) return body;
  return Readable.from(body);
}

/** A pass-through that counts and hashes what goes through, and stops past `maxBytes`. */
export class Digest extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  constructor(private readonly maxBytes = Infinity) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
    this.size += chunk.length;
    if (this.size > this.maxBytes) return cb(new BlobTooLargeError(this.maxBytes));
    this.hash.update(chunk);
    cb(null, chunk);
  }
  hex(): string {
    return this.hash.digest('hex');
  }
}

/** Normalises a requested range against the object's size (inclusive end). */
export function resolveRange(range: ByteRange, size: number): { start: number; end: number } {
  const end = Math.min(range.end ?? size - 1, size - 1);
  if (!Number.isInteger(range.start) || range.start < 0 || range.start >= size || end < range.start) throw new BlobRangeError(size);
  return { start: range.start, end };
}

/**
 * Parses an HTTP `Range` header (one range, `bytes=a-b`, `bytes=a-`, `bytes=-n`) for an object of `size`
 * bytes: null when absent or not understood (serve the whole), BlobRangeError when unsatisfiable.
 */
export function parseRangeHeader(header: string | undefined, size: number): { start: number; end: number } | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (!m[1] && !m[2])) return null;
  if (!m[1]) {
    const n = Number(m[2]);
    if (n === 0) throw new BlobRangeError(size);
    return resolveRange({ start: Math.max(0, size - n) }, size);
  }
  return resolveRange({ start: Number(m[1]), end: m[2] ? Number(m[2]) : undefined }, size);
}

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
const CONTENT_TYPE = /^[\w!#$&^.+-]{1,127}\/[\w!#$&^.+-]{1,127}(\s*;\s*[\w.-]{1,64}=("[^"]{0,128}"|[\w.-]{1,128}))*$/;

export function checkContentType(ct: string | undefined): string {
  if (!ct) return DEFAULT_CONTENT_TYPE;
  if (ct.length > 255 || !CONTENT_TYPE.test(ct)) throw new Error(`type de contenu invalide « ${ct.slice(0, 60)} »`);
  return ct;
}

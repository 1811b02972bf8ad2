import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import {
  assertKey,
  assertPrefix,
  BlobRangeError,
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

export interface S3StoreOptions {
  bucket: string;
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** `http://host/bucket/key` instead of `http://bucket.host/key` (MinIO, s3rver, most on-premises stores). */
  forcePathStyle?: boolean;
  /** Size of a multipart part, and the size above which an upload is multipart (≥ 5 MiB, S3's minimum). */
  partSize?: number;
}

const MIN_PART = 5 * 1024 * 1024;
/** S3's limit for a single CopyObject (used to attach the checksum after a multipart upload). */
const COPY_LIMIT = 5 * 1024 * 1024 * 1024;

/** Bytes start..end (inclusive) of a whole-object stream. */
export function slice(body: Readable, start: number, end: number): Readable {
  let pos = 0;
  return Readable.from(
    (async function* () {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        const from = Math.max(start - pos, 0);
        const to = Math.min(end + 1 - pos, chunk.length);
        pos += chunk.length;
        if (to > from) yield chunk.subarray(from, to);
        if (pos > end) break;
      }
      body.destroy();
    })(),
  );
}

function status(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}
const notFound = (e: unknown) => status(e) === 404 || ['NotFound', 'NoSuchKey'].includes((e as Error).name);

/**
 * Blobs in an S3-compatible bucket (AWS, MinIO, Garage, Ceph RGW, Scaleway, OVH…). Small objects are one
 * PUT; larger ones a multipart upload of `partSize` parts read one at a time (memory stays bounded by
 * one part), aborted on any error so that nothing half-written remains. The sha256 computed while
 * sending is kept in the object's metadata (`x-amz-meta-sha256`). PUT and CompleteMultipartUpload are
 * atomic in S3: readers on every node see the old or the new object.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  readonly client: S3Client;
  private readonly bucket: string;
  private readonly partSize: number;
  constructor(opts: S3StoreOptions) {
    this.bucket = opts.bucket;
    this.partSize = Math.max(MIN_PART, opts.partSize ?? 8 * 1024 * 1024);
    this.client = new S3Client({
      region: opts.region ?? 'us-east-1',
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      forcePathStyle: opts.forcePathStyle ?? false,
      ...(opts.accessKeyId && opts.secretAccessKey ? { credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey } } : {}),
      // Plain checksums only when S3 requires them: several compatible stores refuse the newer trailers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  async put(key: string, body: BlobBody, opts: PutOptions = {}): Promise<BlobInfo> {
    assertKey(key);
    const contentType = checkContentType(opts.contentType);
    const digest = new Digest(opts.maxBytes);
    const input = toReadable(body);
    input.once('error', (e) => digest.destroy(e));
    const source = input.pipe(digest);
    const signal = opts.signal;
    const abortSignal = signal;
    let uploadId: string | undefined;
    const parts: CompletedPart[] = [];
    try {
      let buf: Buffer[] = [];
      let buffered = 0;
      const flush = async () => {
        const part = Buffer.concat(buf, buffered);
        buf = [];
        buffered = 0;
        if (!uploadId) {
          const r = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }), { abortSignal });
          uploadId = r.UploadId!;
        }
        const n = parts.length + 1;
        const r = await this.client.send(
          new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: n, Body: part, ContentLength: part.length }),
          { abortSignal },
        );
        parts.push({ PartNumber: n, ETag: r.ETag! });
      };
      for await (const chunk of source as AsyncIterable<Buffer>) {
        signal?.throwIfAborted();
        buf.push(chunk);
        buffered += chunk.length;
        if (buffered >= this.partSize) await flush();
      }
      const sha256 = digest.hex();
      if (!uploadId) {
        const data = Buffer.concat(buf, buffered);
        await this.client.send(
          new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: data, ContentLength: data.length, ContentType: contentType, Metadata: { sha256 } }),
          { abortSignal },
        );
      } else {
        if (buffered) await flush();
        await this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }), {
          abortSignal,
        });
        uploadId = undefined;
        // The checksum is known only now: copied onto the object's metadata (same content).
        if (digest.size <= COPY_LIMIT)
          await this.client.send(
            new CopyObjectCommand({
              Bucket: this.bucket,
              Key: key,
              CopySource: `${this.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
              MetadataDirective: 'REPLACE',
              ContentType: contentType,
              Metadata: { sha256 },
            }),
          );
      }
      return { key, size: digest.size, sha256, contentType, lastModified: new Date() };
    } catch (e) {
      if (uploadId) await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
      input.destroy();
      source.destroy();
      throw e;
    }
  }

  async head(key: string): Promise<BlobInfo | null> {
    assertKey(key);
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        key,
        size: r.ContentLength ?? 0,
        sha256: r.Metadata?.sha256 ?? null,
        contentType: r.ContentType ?? DEFAULT_CONTENT_TYPE,
        lastModified: r.LastModified ?? new Date(0),
      };
    } catch (e) {
      if (notFound(e)) return null;
      throw e;
    }
  }

  async get(key: string, opts: { range?: ByteRange } = {}): Promise<BlobObject | null> {
    assertKey(key);
    const range = opts.range;
    if (range && (!Number.isInteger(range.start) || range.start < 0 || (range.end !== undefined && range.end < range.start))) {
      const h = await this.head(key);
      if (!h) return null;
      throw new BlobRangeError(h.size);
    }
    try {
      const r = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end ?? ''}` } : {}) }),
      );
      const m = r.ContentRange ? /bytes (\d+)-(\d+)\/(\d+)/.exec(r.ContentRange) : null;
      const size = m ? Number(m[3]) : (r.ContentLength ?? 0);
      const info: BlobInfo = {
        key,
        size,
        sha256: r.Metadata?.sha256 ?? null,
        contentType: r.ContentType ?? DEFAULT_CONTENT_TYPE,
        lastModified: r.LastModified ?? new Date(0),
      };
      const body = r.Body as Readable;
      if (!range) return { info, body };
      // A store that ignores Range answers the whole object: the range is cut here.
      const served = m ? { start: Number(m[1]), end: Number(m[2]) } : resolveRange(range, size);
      return { info, body: m ? body : slice(body, served.start, served.end), range: served };
    } catch (e) {
      if (notFound(e)) return null;
      if (status(e) === 416) {
        const h = await this.head(key);
        if (!h) return null;
        throw new BlobRangeError(h.size);
      }
      throw e;
    }
  }

  async delete(key: string): Promise<boolean> {
    if (!(await this.head(key))) return false;
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    return true;
  }

  async *list(prefix: string): AsyncIterable<BlobListing> {
    assertPrefix(prefix);
    let token: string | undefined;
    do {
      const r = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: 1000 }));
      for (const o of r.Contents ?? []) if (o.Key) yield { key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) };
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
  }

  async check(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  close() {
    this.client.destroy();
  }
}

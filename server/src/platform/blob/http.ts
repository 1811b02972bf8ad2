import type { FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../errors.ts';
import { BlobRangeError, parseRangeHeader, type BlobStore } from './blob.ts';

export interface SendBlobOptions {
  /** Name proposed to the browser (Content-Disposition: attachment). */
  filename?: string;
  /** Overrides the stored content type. */
  contentType?: string;
  cacheControl?: string;
  notFound?: string;
}

/**
 * Serves a blob over HTTP: Content-Type, Content-Length, ETag (the sha256 when known), Last-Modified,
 * `Accept-Ranges: bytes`, one byte range (206, or 416 when unsatisfiable), 304 on If-None-Match.
 */
export async function sendBlob(req: FastifyRequest, reply: FastifyReply, store: BlobStore, key: string, opts: SendBlobOptions = {}) {
  const info = await store.head(key);
  if (!info) throw new NotFoundError(opts.notFound ?? 'Fichier introuvable.');
  const etag = info.sha256 ? `"${info.sha256}"` : `W/"${info.size.toString(16)}-${info.lastModified.getTime().toString(16)}"`;
  reply.header('etag', etag);
  reply.header('last-modified', info.lastModified.toUTCString());
  reply.header('accept-ranges', 'bytes');
  if (opts.cacheControl) reply.header('cache-control', opts.cacheControl);
  if (opts.filename) reply.header('content-disposition', `attachment; filename="${opts.filename.replace(/[^\w.-]/g, '_')}"`);
  reply.header('content-type', opts.contentType ?? info.contentType);
  if (req.headers['if-none-match'] === etag) return reply.status(304).send();
  let range: { start: number; end: number } | null = null;
  const ifRange = req.headers['if-range'];
  try {
    if (!ifRange || ifRange === etag) range = parseRangeHeader(req.headers.range, info.size);
  } catch (e) {
    if (e instanceof BlobRangeError) {
      reply.header('content-range', `bytes */${info.size}`);
      return reply.status(416).send();
    }
    throw e;
  }
  const obj = await store.get(key, range ? { range } : {});
  if (!obj) throw new NotFoundError(opts.notFound ?? 'Fichier introuvable.');
  if (obj.range) {
    reply.status(206);
    reply.header('content-range', `bytes ${obj.range.start}-${obj.range.end}/${obj.info.size}`);
    reply.header('content-length', obj.range.end - obj.range.start + 1);
  } else reply.header('content-length', obj.info.size);
  // A stream: Fastify sends it as is (the JSON serialiser does not see it).
  return reply.send(obj.body as never);
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MultipartFile, MultipartValue } from '@fastify/multipart';
import { DomainError, ValidationError, fieldError } from '../errors.ts';

/**
 * Multipart reception for every upload route (deaths bulk CSV, INSEE import, correction proofs, open
 * data validation…), bounded whatever the client does:
 * - limits on fields (counted here, below busboy's own limit, so that the request never reaches the
 *   state where @fastify/multipart stops reading the body while a file part is still open), on files
 *   (one), on parts, on the size of a field and of the file;
 * - a body timeout: no byte for `idleMs`, or the whole body not received after `totalMs`, gives a 408
 *   problem and the connection is closed;
 * - a client that leaves (socket closed) or a body that ends without its closing boundary stops the
 *   reception: the file stream is destroyed, so the caller's `onFile` rejects and cleans up what it
 *   wrote (the caller removes its files and directories in its `catch`).
 * Every failure is a `DomainError` (problem+json, French message naming the field).
 */
export interface UploadLimits {
  /** Text fields accepted (more → 400 naming the problem). */
  fields: number;
  /** Bytes of the file part. */
  fileBytes: number;
  /** Bytes of one text field. */
  fieldBytes: number;
  /** No byte received for this long → 408. */
  idleMs: number;
  /** Body not entirely received after this long → 408. */
  totalMs: number;
}

/** Defaults of the routes (read at each request: tests shorten the timeouts). */
export const DEFAULT_UPLOAD_LIMITS: Omit<UploadLimits, 'fileBytes'> = { fields: 30, fieldBytes: 4096, idleMs: 30_000, totalMs: 15 * 60_000 };

export class UploadTimeoutError extends DomainError {
  readonly status = 408;
  readonly type = 'request-timeout';
  readonly title = 'Envoi interrompu';
}

/** The client closed the connection before the end of its upload (nobody reads the answer). */
export class UploadAbortedError extends DomainError {
  readonly status = 400;
  readonly type = 'upload-aborted';
  readonly title = 'Envoi interrompu';
}

const mb = (n: number) => `${Math.round((n / 1048576) * 10) / 10} Mo`;

/** @fastify/multipart / busboy errors in French. */
function frenchError(e: unknown, limits: UploadLimits, fileField: string): Error {
  if (e instanceof DomainError) return e;
  const err = e as { code?: string; message?: string };
  switch (err.code) {
    case 'FST_FIELDS_LIMIT':
      return fieldError('fields', `trop de champs dans le formulaire (${limits.fields} au plus)`);
    case 'FST_FILES_LIMIT':
      return fieldError(fileField, 'un seul fichier par envoi');
    case 'FST_PARTS_LIMIT':
      return fieldError('fields', `trop de parties dans le formulaire (${limits.fields + 1} au plus)`);
    case 'FST_REQ_FILE_TOO_LARGE':
      return fieldError(fileField, `fichier trop volumineux (limite ${mb(limits.fileBytes)})`);
    case 'FST_PROTO_VIOLATION':
      return fieldError('fields', 'nom de champ interdit');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return fieldError(fileField, 'envoyez un formulaire multipart (multipart/form-data)');
    default:
      return new ValidationError(
        `Formulaire multipart illisible : ${/boundary/i.test(err.message ?? '') ? 'délimiteur (boundary) absent ou invalide' : 'corps mal formé ou incomplet'}.`,
        [{ field: fileField, message: 'formulaire multipart mal formé ou incomplet' }],
      );
  }
}

/**
 * Reads the multipart body: each text field goes to `onField`, the one file part to `onFile`, which
 * must consume `part.file` (e.g. `pipeline(part.file, fs.createWriteStream(…))`) and may throw.
 * `part.file.truncated` is checked here (size limit). Resolves when the body has been read entirely.
 */
export async function receiveMultipart(
  req: FastifyRequest,
  reply: FastifyReply,
  opts: {
    limits: UploadLimits;
    fileField: string;
    onField: (name: string, value: string) => void;
    /** `signal` aborts when the reception stops: pass it to `pipeline` so that the writer is destroyed too. */
    onFile: (part: MultipartFile, signal: AbortSignal) => Promise<void>;
  },
): Promise<{ files: number }> {
  const { limits, fileField } = opts;
  let fail!: (e: Error) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  let stopped: Error | null = null;
  let current: MultipartFile | null = null;
  const aborter = new AbortController();
  const stop = (e: Error) => {
    if (stopped) return;
    stopped = e;
    aborter.abort(e);
    // The answer (if anyone still reads it) closes the connection: the rest of the body is not read.
    reply.header('connection', 'close');
    current?.file.destroy(e);
    fail(e);
  };
  const raw = req.raw;
  let idle: NodeJS.Timeout | undefined;
  const armIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(
      () => stop(new UploadTimeoutError(`Aucune donnée reçue depuis ${Math.round(limits.idleMs / 1000)} s : envoi abandonné (formulaire incomplet ?).`)),
      limits.idleMs,
    );
  };
  const total = setTimeout(
    () => stop(new UploadTimeoutError(`Envoi trop long (plus de ${Math.round(limits.totalMs / 60_000)} min) : envoi abandonné.`)),
    limits.totalMs,
  );
  const onData = () => armIdle();
  const onClose = () => stop(new UploadAbortedError('La connexion a été fermée avant la fin de l’envoi.'));
  const socket = raw.socket;
  socket?.once('close', onClose);
  armIdle();
  let fields = 0;
  let files = 0;
  try {
    const parts = req.parts({
      limits: { fields: limits.fields + 1, files: 1, parts: limits.fields + 3, fileSize: limits.fileBytes, fieldSize: limits.fieldBytes },
    });
    const it = parts[Symbol.asyncIterator]();
    // The first next() pipes the request into the parser; only then may we watch its bytes (a
    // 'data' listener on an unpiped request would consume the body).
    let pending = it.next();
    raw.on('data', onData);
    for (;;) {
      let next: IteratorResult<MultipartFile | MultipartValue>;
      try {
        next = await Promise.race([pending, failed]);
      } catch (e) {
        throw frenchError(e, limits, fileField);
      }
      if (next.done) break;
      const part = next.value;
      if (part.type === 'file') {
        if (++files > 1) throw fieldError(fileField, 'un seul fichier par envoi');
        current = part;
        const written = opts.onFile(part, aborter.signal);
        try {
          await Promise.race([written, failed]);
        } catch (e) {
          // Let the caller's writer finish with the destroyed part (its file descriptor closed) before
          // the caller removes what it wrote: otherwise a deleted file stays open.
          part.file.destroy(stopped ?? (e as Error));
          await Promise.race([written.catch(() => undefined), new Promise((r) => setTimeout(r, 5000).unref())]);
          throw frenchError(stopped ?? e, limits, fileField);
        }
        current = null;
        if (part.file.truncated) throw fieldError(fileField, `fichier trop volumineux (limite ${mb(limits.fileBytes)})`);
      } else {
        if (++fields > limits.fields) throw fieldError('fields', `trop de champs dans le formulaire (${limits.fields} au plus)`);
        if (part.valueTruncated) throw fieldError(part.fieldname, `valeur trop longue (${limits.fieldBytes} octets au plus)`);
        opts.onField(part.fieldname, String(part.value ?? ''));
      }
      pending = it.next();
    }
    // A body that ended without its closing boundary ends the parts like a complete one: the
    // plugin does not say so, busboy's parser does (a part still open, or no final boundary).
    if (stopped) throw stopped;
    return { files };
  } catch (e) {
    if (!stopped) stop(e as Error);
    throw e;
  } finally {
    clearTimeout(idle);
    clearTimeout(total);
    raw.off('data', onData);
    socket?.off('close', onClose);
  }
}

/**
 * The file part as a stream for the blob store that fails when the part was cut at the size limit:
 * the store then writes nothing (a truncated file never becomes an object).
 */
export async function* checkedFile(part: MultipartFile, fileField: string, fileBytes: number): AsyncGenerator<Buffer> {
  for await (const chunk of part.file as AsyncIterable<Buffer>) yield chunk;
  if (part.file.truncated) throw fieldError(fileField, `fichier trop volumineux (limite ${mb(fileBytes)})`);
}

import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { importStarted, importStatus, type ImportStatus } from '@patrimoine/contracts/deces';
import { idParams } from '@patrimoine/contracts/common';
import { routeGroup } from '../../platform/auth/access.ts';
import type { AppContext } from '../../platform/context.ts';
import { NotFoundError, fieldError } from '../../platform/errors.ts';
import { recordAudit } from '../../platform/audit/audit.repository.ts';
import { SYSTEM, actorOf, requireUser } from '../../platform/auth/principal.ts';
import { API } from './deces.routes.ts';
import { assertCanLoad, importFile, type ImportReport } from './import.service.ts';
import { sourceName } from './insee.ts';
import { DEFAULT_UPLOAD_LIMITS, checkedFile, receiveMultipart } from '../../platform/http/upload.ts';

export const IMPORT_JOB = 'deces.import';
interface ImportPayload {
  file: string;
  name: string;
  actor: { id: string | null; label: string };
}

/** Blob key of an uploaded INSEE file. */
export const uploadKey = (stored: string) => `deces/uploads/${path.basename(stored)}`;

/**
 * Upload of an INSEE file by an administrator (the monthly file): stored in the blob store (any node
 * receives it, any worker imports it), imported by a job (one transaction; a restart re-runs it, which
 * is idempotent), progress visible. The job copies the file to its node's scratch directory (a zip is
 * read by random access) and removes both when done.
 */
export function registerImportJob(ctx: AppContext) {
  const dir = path.join(ctx.env.dataDir, 'scratch', 'deces-uploads');
  ctx.jobs.register<ImportPayload, ImportReport, never>(IMPORT_JOB, {
    retentionMs: 7 * 24 * 3600_000,
    maxAttempts: 2,
    async cleanup(job) {
      const stored = (job.payload as ImportPayload).file;
      await ctx.blobs.delete(uploadKey(stored));
      fs.rmSync(path.join(dir, path.basename(stored)), { force: true });
    },
    describe(job) {
      const p = job.payload as ImportPayload;
      return { title: `Import du fichier Insee des décès « ${p.name} »`, fileName: p.name };
    },
    async run({ payload, progress }) {
      const file = path.join(dir, path.basename(payload.file));
      const blob = await ctx.blobs.get(uploadKey(payload.file));
      if (!blob) throw new Error('Fichier Insee introuvable dans le magasin de fichiers (supprimé ?) : envoyez-le de nouveau.');
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      await pipeline(blob.body, fs.createWriteStream(file, { mode: 0o600 }));
      let last = 0;
      // The upload was authorised when it was enqueued; the job runs as the system, on behalf of its author.
      const report = await importFile(ctx, file, {
        caller: SYSTEM,
        actor: payload.actor,
        source: payload.name,
        onProgress: (p) => {
          if (p.lines - last >= 20_000 || p.bytes === p.totalBytes) {
            last = p.lines;
            void progress({ done: p.bytes, total: p.totalBytes, message: `${p.lines} lignes lues` }).catch(() => undefined);
          }
        },
      });
      fs.rmSync(file, { force: true });
      await ctx.blobs.delete(uploadKey(payload.file));
      return report;
    },
  });
  return dir;
}

export function adminRoutes(ctx: AppContext): FastifyPluginAsync {
  return routeGroup({ roles: ['admin'] }, async (g) => {
    const app = g.withTypeProvider<ZodTypeProvider>();
    app.post(
      `${API}/admin/import`,
      {
        schema: {
          tags: ['deces'],
          operationId: 'importDeathsFile',
          summary: 'Importer un fichier Insee (.txt, .txt.gz, .zip) — administrateurs',
          description:
            'Formulaire multipart, champ `file`. L’import tourne en tâche de fond (une transaction). Le premier fichier réel retire les données de démonstration (fictives) dans la même transaction (`result.demoRemoved`).',
          consumes: ['multipart/form-data'],
          response: { 201: importStarted },
        },
      },
      async (req, reply) => {
        const user = requireUser(req.caller);
        assertCanLoad(user);
        if (!req.isMultipart()) throw fieldError('file', 'envoyez le fichier Insee dans un formulaire multipart (champ file)');
        // Assigned in the callback (the casts keep TypeScript from narrowing them to their initial value).
        let original = '' as string;
        let target = null as string | null;
        let stored = '' as string;
        let bytes = 0;
        const fileBytes = ctx.env.PATRIMOINE_UPLOAD_LIMIT;
        try {
          await receiveMultipart(req, reply, {
            // The form has one file; a few text fields are tolerated (and ignored).
            limits: { ...DEFAULT_UPLOAD_LIMITS, fields: 10, fileBytes },
            fileField: 'file',
            onField: () => undefined,
            onFile: async (part, signal) => {
              original = part.filename || 'deces.txt';
              if (!/\.(txt|txt\.gz|zip)$/i.test(original)) throw fieldError('file', 'fichier .txt, .txt.gz ou .zip attendu');
              const lower = original.toLowerCase();
              stored = `${randomUUID()}${lower.endsWith('.zip') ? '.zip' : lower.endsWith('.gz') ? '.txt.gz' : '.txt'}`;
              target = uploadKey(stored);
              bytes = (await ctx.blobs.put(target, checkedFile(part, 'file', fileBytes), { contentType: 'application/octet-stream', signal })).size;
            },
          });
          if (!target) throw fieldError('file', 'fichier manquant');
        } catch (e) {
          if (target) await ctx.blobs.delete(target).catch(() => undefined);
          throw e;
        }
        const name = sourceName(original);
        const key = target;
        const job = await ctx.db
          .transaction(async (tx) => {
            const j = await ctx.jobs.enqueue(
              IMPORT_JOB,
              { file: stored, name, actor: actorOf(user) },
              { ownerId: user.userId, tx: tx as never, maxAttempts: 2 },
            );
            await recordAudit(tx as never, {
              actor: actorOf(user),
              action: 'deces.import.upload',
              entityType: 'job',
              entityId: j.id,
              after: { file: original, bytes },
            });
            return j;
          })
          .catch(async (e: unknown) => {
            await ctx.blobs.delete(key).catch(() => undefined);
            throw e;
          });
        return reply.status(201).send({ id: job.id, name });
      },
    );
    app.get(
      `${API}/admin/import/:id`,
      {
        schema: {
          tags: ['deces'],
          operationId: 'getDeathsImport',
          summary: 'État d’un import',
          params: idParams,
          response: { 200: importStatus },
        },
      },
      async (req): Promise<ImportStatus> => {
        const j = await ctx.jobs.getFor(req.params.id, requireUser(req.caller));
        if (j.type !== IMPORT_JOB) throw new NotFoundError('Cette tâche n’est pas un import de fichier des décès.');
        return { id: j.id, state: j.state, progress: j.progress as ImportStatus['progress'], result: j.result as ImportReport | null, error: j.error };
      },
    );
  });
}

import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { bulkCancelled, bulkFailed, bulkGone, bulkProgress, bulkStarted, bulkSummary, csvText, type BulkSummary } from '@patrimoine/contracts/deces';
import { idParams, problem } from '@patrimoine/contracts/common';
import { routeGroup } from '../../platform/auth/access.ts';
import type { AppContext } from '../../platform/context.ts';
import { ConflictError, ValidationError, fieldError } from '../../platform/errors.ts';
import { recordAudit } from '../../platform/audit/audit.repository.ts';
import { actorOf, requireUser, type Principal } from '../../platform/auth/principal.ts';
import { API } from './deces.routes.ts';
import { DEFAULT_UPLOAD_LIMITS, checkedFile, receiveMultipart } from './upload.ts';
import { sendBlob } from '../../platform/blob/index.ts';
import { BULK_JOB, type BulkPayload, type BulkResult, type BulkService } from './bulk.service.ts';

/** matchID's bulk contract: POST /search/csv, GET /search/csv/{id}, DELETE /search/csv/{id}. */
export function bulkRoutes(ctx: AppContext, bulk: BulkService): FastifyPluginAsync {
  return routeGroup('authenticated', async (g) => {
    const app = g.withTypeProvider<ZodTypeProvider>();

    app.post(
      `${API}/search/csv`,
      {
        schema: {
          tags: ['deces'],
          operationId: 'startDeathsBulkMatch',
          summary: 'Appariement en masse d’un fichier CSV (tâche persistante)',
          description:
            'Formulaire multipart : le fichier CSV (champ `file`) et, pour chaque champ de recherche (lastName, firstName, birthDate…), le nom de sa colonne ; ' +
            'options `sep`, `encoding` (utf8, latin1), `skipLines`, `dateFormat`, `candidateNumber` (1 à 10), `pruneScore` (0 à 1). Une tâche à la fois par compte (409).',
          consumes: ['multipart/form-data'],
          response: { 201: bulkStarted },
        },
      },
      async (req, reply) => {
        const p = requireUser(req.caller);
        if (!req.isMultipart()) throw fieldError('file', 'envoyez un formulaire multipart avec le fichier CSV (champ file)');
        if (await ctx.jobs.countActive(p.userId, BULK_JOB))
          throw new ConflictError('Une tâche d’appariement est déjà en cours pour votre compte : attendez sa fin ou annulez-la.');
        const id = randomUUID();
        const dir = id;
        const fields: Record<string, string> = {};
        let fileName: string | null = null;
        const fileBytes = ctx.env.PATRIMOINE_UPLOAD_LIMIT;
        try {
          await receiveMultipart(req, reply, {
            limits: { ...DEFAULT_UPLOAD_LIMITS, fileBytes },
            fileField: 'file',
            onField: (name, value) => {
              fields[name] = value;
            },
            onFile: async (part, signal) => {
              fileName = part.filename || 'fichier.csv';
              // Into the blob store (every node reads it); a part cut at the limit writes nothing.
              await ctx.blobs.put(bulk.keyOf(dir, 'input.csv'), checkedFile(part, 'file', fileBytes), { contentType: 'text/csv', signal });
            },
          });
          if (!fileName) throw fieldError('file', 'fichier CSV manquant (champ file)');
          const payload: BulkPayload = await bulk.prepare(dir, fileName, fields);
          const job = await ctx.db.transaction(async (tx) => {
            // One job per user, even for two uploads sent at the same moment: serialise on the user.
            await bulk.lockUser(tx as never, p.userId);
            if (await ctx.jobs.countActive(p.userId, BULK_JOB, tx as never))
              throw new ConflictError('Une tâche d’appariement est déjà en cours pour votre compte : attendez sa fin ou annulez-la.');
            const j = await ctx.jobs.enqueue(BULK_JOB, payload, { ownerId: p.userId, tx: tx as never });
            await recordAudit(tx as never, {
              actor: actorOf(p),
              action: 'deces.bulk.start',
              entityType: 'job',
              entityId: j.id,
              after: { fileName, rows: payload.totalRows, mapping: payload.mapping },
            });
            return j;
          });
          return reply.status(201).send({ msg: 'started', id: job.id });
        } catch (e) {
          await bulk.removeDir(dir).catch(() => undefined);
          throw e;
        }
      },
    );

    async function statusOf(id: string, principal: Principal) {
      const job = await ctx.jobs.getFor(id, principal);
      if (job.type !== BULK_JOB) throw new ValidationError('Cette tâche n’est pas un appariement.');
      const payload = job.payload as BulkPayload;
      const prog = job.progress as { done?: number; total?: number };
      const rows = prog.done ?? 0;
      const total = prog.total ?? payload.totalRows;
      return { job, payload, rows, total, percentage: total ? Math.round((rows / total) * 100) : 0 };
    }

    app.get(
      `${API}/search/csv/:id`,
      {
        schema: {
          tags: ['deces'],
          operationId: 'getDeathsBulkMatch',
          summary: 'État de l’appariement, puis le CSV résultat',
          description:
            'Pendant le traitement, l’état en JSON (`wait`, `active`) ; une fois terminé, le fichier résultat en CSV (vos colonnes, puis `sourceLineNumber`, le candidat et ses `scores`). ' +
            '410 quand la tâche est annulée ou son résultat expiré ; 500 quand elle a échoué.',
          params: idParams,
          response: {
            200: { content: { 'application/json': { schema: bulkProgress }, 'text/csv': { schema: csvText } } },
            410: bulkGone,
            500: bulkFailed.or(problem),
            default: problem,
          },
        },
      },
      async (req, reply) => {
        const s = await statusOf(req.params.id, requireUser(req.caller));
        const { job } = s;
        if (job.state === 'queued') return { status: 'wait' as const, id: job.id, progress: { rows: s.rows, percentage: s.percentage } };
        if (job.state === 'running') return { status: 'active' as const, id: job.id, progress: { rows: s.rows, percentage: s.percentage } };
        if (job.state === 'cancelled') return reply.status(410).send({ status: 'cancelled', id: job.id, msg: 'Tâche annulée.' });
        if (job.state === 'failed') return reply.status(500).send({ status: 'failed', id: job.id, msg: job.error });
        const key = bulk.keyOf(s.payload.dir, 'result.csv');
        if (!(await ctx.blobs.head(key))) return reply.status(410).send({ status: 'expired', id: job.id, msg: 'Résultat expiré.' });
        return sendBlob(req, reply, ctx.blobs, key, {
          contentType: 'text/csv; charset=utf-8',
          filename: `${s.payload.fileName.replace(/[^\w.-]/g, '_').replace(/\.csv$/i, '')}-resultats.csv`,
          cacheControl: 'private, no-store',
        });
      },
    );

    app.get(
      `${API}/search/csv/:id/summary`,
      {
        schema: {
          tags: ['deces'],
          operationId: 'getDeathsBulkMatchSummary',
          summary: 'Résumé JSON de l’appariement (état, progression, taux)',
          params: idParams,
          response: { 200: bulkSummary },
        },
      },
      async (req): Promise<BulkSummary> => {
        const s = await statusOf(req.params.id, requireUser(req.caller));
        const r = s.job.result as BulkResult | null;
        return {
          id: s.job.id,
          state: s.job.state,
          status: s.job.state === 'queued' ? 'wait' : s.job.state === 'running' ? 'active' : s.job.state,
          fileName: s.payload.fileName,
          mapping: s.payload.mapping,
          progress: { rows: s.rows, total: s.total, percentage: s.job.state === 'succeeded' ? 100 : s.percentage },
          result: r,
          error: s.job.error,
          expiresAt: s.job.expiresAt?.toISOString() ?? null,
        };
      },
    );

    app.delete(
      `${API}/search/csv/:id`,
      {
        schema: {
          tags: ['deces'],
          operationId: 'cancelDeathsBulkMatch',
          summary: 'Annuler un appariement',
          params: idParams,
          response: { 200: bulkCancelled },
        },
      },
      async (req) => {
        const p = requireUser(req.caller);
        await statusOf(req.params.id, p);
        const j = await ctx.jobs.cancel(req.params.id, p);
        await recordAudit(ctx.db, { actor: actorOf(p), action: 'deces.bulk.cancel', entityType: 'job', entityId: req.params.id });
        return { msg: 'cancelled' as const, id: req.params.id, state: j?.state ?? 'cancelled' };
      },
    );
  });
}

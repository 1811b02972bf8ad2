import { randomUUID } from 'node:crypto';
import { Readable, Transform, pipeline } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import {
  bulkCancelled,
  bulkDecisionBody,
  bulkDecisionInfo,
  bulkReviewPage,
  bulkReviewQuery,
  bulkExpired,
  bulkFailed,
  bulkGone,
  bulkJobs,
  bulkNoFile,
  bulkProgress,
  bulkStarted,
  bulkSummary,
  csvText,
  type BulkSummary,
} from '@patrimoine/contracts/deces';
import { idParams, problem } from '@patrimoine/contracts/common';
import { routeGroup } from '../../platform/auth/access.ts';
import type { AppContext } from '../../platform/context.ts';
import { TooManyRequestsError, ValidationError, fieldError } from '../../platform/errors.ts';
import { sendCsv } from '../../platform/http/common.ts';
import { bulkReview } from './bulk-review.ts';
import type { Db } from '../../db/client.ts';
import type { JobRow } from '../../platform/jobs/jobs.repository.ts';
import { orderRow, withMsg } from './matchid.ts';
import { recordAudit } from '../../platform/audit/audit.repository.ts';
import { actorOf, requireUser, type Principal } from '../../platform/auth/principal.ts';
import { API } from './deces.routes.ts';
import { DEFAULT_UPLOAD_LIMITS, checkedFile, receiveMultipart } from '../../platform/http/upload.ts';
import { sendBlob } from '../../platform/blob/index.ts';
import { BULK_JOB, BULK_RETENTION_MS, type BulkPayload, type BulkResult, type BulkService } from './bulk.service.ts';
import { MSG, type Webhooks } from './webhooks.ts';

const bulkResultQuery = z.object({ order: z.enum(['true', 'false']).optional().describe('true : chaque colonne du résultat devant sa colonne d’entrée') });
const queueJobsQuery = z.object({
  jobsType: z
    .enum(['completed', 'failed', 'active', 'delayed', 'waiting', 'wait', 'prioritized', 'paused'])
    .optional()
    .describe('Filtre d’état, noms de matchID'),
});
const QUEUE_TYPES: Record<string, string[]> = {
  completed: ['succeeded'],
  failed: ['failed'],
  active: ['running'],
  waiting: ['queued'],
  wait: ['queued'],
  prioritized: ['queued'],
  delayed: [],
  paused: [],
};

/** The JSON lines result (a blob's stream) as one JSON array, streamed. */
function jsonArrayOf(body: Readable): Readable {
  body.setEncoding('utf8'); // characters cut between two chunks are joined
  return Readable.from(
    (async function* () {
      let first = true;
      let carry = '';
      for await (const chunk of body as AsyncIterable<string>) {
        const lines = (carry + chunk).split('\n');
        carry = lines.pop()!;
        for (const l of lines) {
          if (!l) continue;
          yield (first ? '[' : ',') + l;
          first = false;
        }
      }
      if (carry) {
        yield (first ? '[' : ',') + carry;
        first = false;
      }
      yield first ? '[]' : ']';
    })(),
  );
}

/** The CSV result (a blob's stream) with matchID's `?order=true` layout (each result column before its input column). */
function orderedCsv(body: Readable, p: BulkPayload): Readable {
  const offset = p.header.length + 1;
  const mapping = p.mapping as Record<string, string>;
  const order = new Transform({
    objectMode: true,
    transform(row: string[], _enc, cb) {
      cb(null, orderRow(row, p.header, mapping, offset));
    },
  });
  // With backpressure; an error or a client gone destroys every stage (the blob's stream included).
  return pipeline(body, parse({ delimiter: p.sep, relax_column_count: true, relax_quotes: true }), order, stringify({ delimiter: p.sep }), () => undefined);
}

/** matchID's bulk contract: POST /search/csv, GET /search/csv/{id}, DELETE /search/csv/{id}. */
export function bulkRoutes(ctx: AppContext, bulk: BulkService, webhooks: Webhooks): FastifyPluginAsync {
  return routeGroup('authenticated', async (g) => {
    const app = g.withTypeProvider<ZodTypeProvider>();
    const review = bulkReview(ctx, bulk);

    app.post(
      `${API}/search/csv`,
      {
        schema: {
          tags: ['deces'],
          operationId: 'startDeathsBulkMatch',
          summary: 'Appariement en masse d’un fichier CSV (tâche persistante)',
          description:
            'Formulaire multipart, comme matchID : le fichier CSV (un seul fichier, quel que soit le nom du champ : `file`, `csv`…) et, pour chaque champ de recherche (lastName, firstName, birthDate…), le nom de sa colonne ' +
            '(une colonne nommée comme le champ s’associe d’elle-même) ; options `sep`, `encoding` (utf8, latin1, win1252, mac), `skipLines`, `dateFormat` (auto, ou un format dd/MM/yyyy, yyyy-MM-dd, yyyyMMdd, ddMMyyyy, MM/yyyy…), ' +
            '`candidateNumber` (1 à 10), `pruneScore` (0 à 1), `tmpfilePersistence` (ms), `chunkSize`, `webhook` ou `webhookUrl` (un webhook enregistré et validé par le compte : POST /webhook). 200 `{ msg: "started", id }` ; sans fichier 200 `{ msg: "no files attached" }` ; ' +
            'un appariement déjà en cours ou en attente pour le compte : 429 (sauf administrateur).',
          consumes: ['multipart/form-data'],
          response: { 200: bulkStarted.or(bulkNoFile), 429: problem },
        },
      },
      async (req, reply) => {
        const p = requireUser(req.caller);
        if (!req.isMultipart()) return { msg: 'no files attached' as const };
        await refuseSecondJob(p);
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
          if (!fileName) {
            await bulk.removeDir(dir);
            return { msg: 'no files attached' as const };
          }
          const payload: BulkPayload = await bulk.prepare(dir, fileName, fields);
          if (payload.webhook && !(await webhooks.isValidated(p.userId, payload.webhook)))
            throw withMsg(
              fieldError(
                fields.webhook ? 'webhook' : 'webhookUrl',
                'ce webhook n’est pas enregistré et validé par votre compte : POST /webhook avec « register », puis « challenge ».',
              ),
              MSG.mustValidate,
            );
          const job = await ctx.db.transaction(async (tx) => {
            // One job per user, even for two uploads sent at the same moment: serialise on the user.
            await bulk.lockUser(tx as never, p.userId);
            await refuseSecondJob(p, tx as never);
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
          // Committed: this node claims it now rather than at its next poll.
          ctx.jobs.notify();
          return reply.status(200).send({ msg: 'started', id: job.id });
        } catch (e) {
          await bulk.removeDir(dir).catch(() => undefined);
          throw e;
        }
      },
    );

    /** matchID: one running or waiting job per user (admins exempt) → 429 with its message. */
    async function refuseSecondJob(p: Principal, tx?: Db) {
      if (p.role === 'admin') return;
      const n = await ctx.jobs.countActive(p.userId, BULK_JOB, tx);
      if (n)
        throw withMsg(
          new TooManyRequestsError('Un appariement est déjà en cours ou en attente pour votre compte : attendez sa fin ou annulez-le.', 60),
          `There is already ${n} running or waiting jobs`,
        );
    }

    async function statusOf(id: string, principal: Principal) {
      const job = await ctx.jobs.getFor(id, principal);
      if (job.type !== BULK_JOB) throw new ValidationError('Cette tâche n’est pas un appariement.');
      const payload = job.payload as BulkPayload;
      const prog = job.progress as { done?: number; total?: number };
      const rows = prog.done ?? 0;
      const total = prog.total ?? payload.totalRows;
      return { job, payload, rows, total, percentage: total ? Math.round((rows / total) * 100) : 0 };
    }

    /** What deces-ui shows while a job waits: rows before it in the queue. */
    async function queueOf(job: JobRow) {
      const [running, waiting] = await Promise.all([
        ctx.jobs.list({ type: BULK_JOB, state: 'running', limit: 100 }),
        ctx.jobs.list({ type: BULK_JOB, state: 'queued', limit: 100 }),
      ]);
      const before = waiting.filter((j) => j.createdAt < job.createdAt);
      const left = (j: JobRow) => {
        const pr = j.progress as { done?: number; total?: number };
        return Math.max(0, (pr.total ?? (j.payload as BulkPayload).totalRows) - (pr.done ?? 0));
      };
      return {
        remainingRowsActive: running.reduce((n, j) => n + left(j), 0),
        remainingRowsWaiting: before.reduce((n, j) => n + (j.payload as BulkPayload).totalRows, 0),
        activeJobs: running.length,
        waitingJobs: before.length,
      };
    }

    for (const format of ['csv', 'json'] as const)
      app.get(
        `${API}/search/${format}/:id`,
        {
          schema: {
            tags: ['deces'],
            operationId: format === 'csv' ? 'getDeathsBulkMatch' : 'getDeathsBulkMatchJson',
            summary: format === 'csv' ? 'État de l’appariement, puis le CSV résultat' : 'État de l’appariement, puis le résultat en JSON',
            description:
              'Pendant le traitement, l’état en JSON (`wait` avec la file d’attente, `active` avec la progression) ; une fois terminé, le résultat ' +
              (format === 'csv'
                ? 'en CSV (vos colonnes, `sourceLineNumber`, puis les colonnes de matchID : score, scores, source, id, name.last, name.first, sex, birth.date, birth.city…). `?order=true` place chaque colonne du résultat devant la colonne d’entrée qui lui correspond. '
                : 'en JSON : un tableau dont le premier élément décrit les colonnes (`metadata.mapping`, `metadata.header`), puis une entrée par ligne résultat (la personne et `metadata.source`, `metadata.sourceLineNumber`). ') +
              'Annulée ou échouée : 400 `{ msg }` ; résultat expiré : 200 `{ msg: "Job succeeded but results expired" }`.',
            params: idParams,
            querystring: bulkResultQuery,
            response: {
              200:
                format === 'csv'
                  ? { content: { 'application/json': { schema: bulkProgress.or(bulkExpired) }, 'text/csv': { schema: csvText } } }
                  : { content: { 'application/json': { schema: bulkProgress.or(bulkExpired).or(z.array(z.record(z.string(), z.unknown()))) } } },
              400: bulkFailed.or(bulkGone).or(problem),
              default: problem,
            },
          },
        },
        async (req, reply) => {
          const s = await statusOf(req.params.id, requireUser(req.caller));
          const { job } = s;
          const progressOf = { rows: s.rows, percentage: s.percentage };
          if (job.state === 'queued') return { status: 'wait' as const, id: job.id, progress: progressOf, ...(await queueOf(job)) };
          if (job.state === 'running') return { status: 'active' as const, id: job.id, progress: progressOf };
          if (job.state === 'cancelled') return reply.status(400).send({ status: 'cancelled', id: job.id, msg: `Job ${job.id} was cancelled` });
          if (job.state === 'failed') return reply.status(400).send({ status: 'failed', id: job.id, msg: job.error });
          // The results are blobs (any node serves them): the CSV, and the JSON lines behind /search/json.
          const key = bulk.keyOf(s.payload.dir, format === 'csv' ? 'result.csv' : 'result.ndjson');
          const kept = s.payload.persistenceMs ?? BULK_RETENTION_MS;
          const expired = job.finishedAt && ctx.clock.now().getTime() - job.finishedAt.getTime() > kept;
          if (expired) await bulk.removeDir(s.payload.dir);
          const expiredAnswer = { msg: 'Job succeeded but results expired' as const, id: job.id };
          if (expired || !(await ctx.blobs.head(key))) return expiredAnswer;
          reply.header('job', JSON.stringify({ id: job.id, rows: s.payload.totalRows, columns: Object.keys(s.payload.mapping).length }));
          const filename = `${s.payload.fileName.replace(/[^\w.-]/g, '_').replace(/\.csv$/i, '')}-resultats.csv`;
          // The CSV as stored: sendBlob gives length, ETag and byte ranges.
          if (format === 'csv' && req.query.order !== 'true')
            return sendBlob(req, reply, ctx.blobs, key, { contentType: 'text/csv; charset=utf-8', filename, cacheControl: 'private, no-store' });
          // The other views are the blob's stream transformed on the way.
          const obj = await ctx.blobs.get(key);
          if (!obj) return expiredAnswer;
          reply.header('cache-control', 'private, no-store');
          if (format === 'json') {
            reply.header('content-type', 'application/json; charset=utf-8');
            return reply.send(jsonArrayOf(obj.body) as never);
          }
          reply.header('content-type', 'text/csv; charset=utf-8');
          reply.header('content-disposition', `attachment; filename="${filename}"`);
          return reply.send(orderedCsv(obj.body, s.payload) as never);
        },
      );

    app.get(
      `${API}/queue/jobs`,
      {
        schema: {
          tags: ['deces'],
          operationId: 'listDeathsBulkJobs',
          summary: 'Vos appariements (tous pour un administrateur), comme la file de matchID',
          querystring: queueJobsQuery,
          response: { 200: bulkJobs },
        },
      },
      async (req) => {
        const p = requireUser(req.caller);
        const rows = await ctx.jobs.list({ type: BULK_JOB, limit: 200, ...(p.role === 'admin' ? {} : { ownerId: p.userId }) });
        const status = { queued: 'wait', running: 'active', succeeded: 'completed', failed: 'failed', cancelled: 'cancelled' } as const;
        const wanted = req.query.jobsType ? QUEUE_TYPES[req.query.jobsType] : null;
        return {
          jobs: rows
            .filter((j) => !wanted || wanted.includes(j.state))
            .map((j) => {
              const pl = j.payload as BulkPayload;
              const pr = j.progress as { done?: number; total?: number };
              const total = pr.total ?? pl.totalRows;
              return {
                id: j.id,
                status: status[j.state],
                timestamp: j.createdAt.getTime(),
                processedOn: j.startedAt?.getTime() ?? null,
                finishedOn: j.finishedAt?.getTime() ?? null,
                progress: { rows: pr.done ?? 0, percentage: j.state === 'succeeded' ? 100 : total ? Math.round(((pr.done ?? 0) / total) * 100) : 0 },
                data: {
                  ...pl.mapping,
                  ...(pl.ignored ?? {}),
                  sep: pl.sep,
                  encoding: pl.encoding,
                  skipLines: pl.skipLines,
                  dateFormat: pl.dateFormat,
                  candidateNumber: pl.candidateNumber,
                  pruneScore: pl.pruneScore,
                  totalRows: pl.totalRows,
                  tmpfilePersistence: pl.persistenceMs ?? BULK_RETENTION_MS,
                  randomKey: j.id,
                  fileName: pl.fileName,
                  ...(p.role === 'admin' ? { user: j.ownerId ?? '' } : {}),
                },
              };
            }),
        };
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

    app.get(
      `${API}/search/csv/:id/review`,
      {
        schema: {
          tags: ['deces'],
          operationId: 'reviewDeathsBulkMatch',
          summary: 'Relire un appariement terminé : les lignes, leurs candidats (scores, raisons) et les décisions',
          description:
            'Filtre `filter` : all, matched (appariées), unmatched (sans correspondance), errors (en erreur), undecided (appariées sans décision), accepted, rejected ; pages de `size` lignes (100 au plus). Propriétaire de l’appariement ou administrateur.',
          params: idParams,
          querystring: bulkReviewQuery,
          response: { 200: bulkReviewPage, 404: problem, 409: problem },
        },
      },
      async (req) => {
        const s = await statusOf(req.params.id, requireUser(req.caller));
        return review.page(s.job, req.query);
      },
    );

    app.put(
      `${API}/search/csv/:id/decisions`,
      {
        schema: {
          tags: ['deces'],
          operationId: 'decideDeathsBulkMatchLine',
          summary: 'Accepter ou rejeter le candidat d’une ligne (null : retirer la décision)',
          description:
            '`candidateId` : la fiche acceptée parmi les candidats de la ligne (par défaut le meilleur). Propriétaire de l’appariement ou administrateur.',
          params: idParams,
          body: bulkDecisionBody,
          response: { 200: z.object({ decision: bulkDecisionInfo.nullable() }), 400: problem, 404: problem, 409: problem },
        },
      },
      async (req) => {
        const user = requireUser(req.caller);
        const s = await statusOf(req.params.id, user);
        return { decision: await review.decide(s.job, user, req.body) };
      },
    );

    app.get(
      `${API}/search/csv/:id/fr`,
      {
        schema: {
          tags: ['deces'],
          operationId: 'getDeathsBulkMatchFrench',
          summary: 'Le résultat en CSV français : dates JJ/MM/AAAA, scores en pourcentage, raisons et décisions',
          description:
            'Séparateur `;`, UTF-8 avec BOM (tableurs) ; une ligne par candidat (une ligne pour une ligne sans correspondance ou en erreur) : vos colonnes, « Résultat » (Appariée, Sans correspondance, En erreur), « Décision », les scores en %, les raisons et la fiche. Le format matchID reste `GET /search/csv/{id}`.',
          params: idParams,
          response: { 200: { content: { 'text/csv': { schema: csvText } } }, 404: problem, 409: problem },
        },
      },
      async (req, reply) => {
        const s = await statusOf(req.params.id, requireUser(req.caller));
        const { filename, columns, rows } = await review.frenchCsv(s.job);
        reply.header('cache-control', 'private, no-store');
        return sendCsv(reply, filename, columns, rows);
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
        const s = await statusOf(req.params.id, p);
        // matchID's answers: cancelled, already cancelled, or the state of a job that has ended.
        if (s.job.state === 'cancelled') return { msg: `Job ${req.params.id} already cancelled` };
        if (s.job.state === 'succeeded' || s.job.state === 'failed') return { msg: `job is ${s.job.state === 'succeeded' ? 'completed' : 'failed'}` };
        await ctx.db.transaction(async (tx) => {
          await recordAudit(tx as never, { actor: actorOf(p), action: 'deces.bulk.cancel', entityType: 'job', entityId: req.params.id });
        });
        await ctx.jobs.cancel(req.params.id, p);
        return { msg: `Job ${req.params.id} cancelled` };
      },
    );
  });
}

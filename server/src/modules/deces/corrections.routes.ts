import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  correction,
  correctionList,
  correctionsQuery,
  csvText,
  pdfFile,
  recordIdParams,
  reviewBody,
  type Correction,
  type CorrectableField,
} from '@patrimoine/contracts/deces';
import { idParams } from '@patrimoine/contracts/common';
import { routeGroup } from '../../platform/auth/access.ts';
import { sendCsv, wantsCsv } from '../../platform/http/common.ts';
import type { AppContext } from '../../platform/context.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, fieldError } from '../../platform/errors.ts';
import { recordAudit } from '../../platform/audit/audit.repository.ts';
import { actorOf, requireUser, type Principal } from '../../platform/auth/principal.ts';
import type { Db } from '../../db/client.ts';
import type { CorrectionRow, RecordRow } from './deces.repository.ts';
import { API } from './deces.routes.ts';
import type { DecesService } from './deces.service.ts';
import { parseDateQuery } from './request.ts';
import { DEFAULT_UPLOAD_LIMITS, receiveMultipart } from '../../platform/http/upload.ts';
import { sendBlob } from '../../platform/blob/index.ts';

/** Fields a correction may change, with their validation. */
const CORRECTABLE: Record<CorrectableField, (v: string) => string | null> = {
  lastName: (v) => (v.length <= 80 ? v.toUpperCase() : null),
  firstName: (v) => (v.length <= 80 ? v.toUpperCase() : null),
  sex: (v) => (['M', 'F'].includes(v.toUpperCase()) ? v.toUpperCase() : null),
  birthDate: (v) => {
    const d = parseDateQuery(v);
    return d && d.kind === 'exact' ? d.value : null;
  },
  birthCity: (v) => (v.length <= 60 ? v.toUpperCase() : null),
  birthLocationCode: (v) => (/^[0-9][0-9AB][0-9]{3}$/i.test(v) ? v.toUpperCase() : null),
  deathDate: (v) => {
    const d = parseDateQuery(v);
    return d && d.kind === 'exact' ? d.value : null;
  },
  deathLocationCode: (v) => (/^[0-9][0-9AB][0-9]{3}$/i.test(v) ? v.toUpperCase() : null),
  birthCountry: (v) => (v.length <= 60 ? v : null),
  deathCity: (v) => (v.length <= 60 ? v.toUpperCase() : null),
  deathCountry: (v) => (v.length <= 60 ? v : null),
  deathAge: (v) => (/^\d{1,3}$/.test(v) && Number(v) <= 130 ? String(Number(v)) : null),
};
const PROOF_LIMIT = 5 * 1024 * 1024;

/**
 * Corrections (A13): a signed-in user proposes new values for a record with a proof (a PDF, checked by
 * its signature and size, kept in the blob store (`deces/proofs/<uuid>.pdf`) and served only to its author and
 * reviewers, or an https link); a reviewer validates or rejects with a comment. Validated corrections
 * are served with the record (`modifications`) and searched.
 */
export function correctionsRoutes(ctx: AppContext, service: DecesService): FastifyPluginAsync {
  const proofKey = (file: string) => `deces/proofs/${path.basename(file)}`;
  const repo = service.repo;
  const reviewers = new Set(['reviewer', 'admin']);
  /** The id the wire shows for each record (matchID's, ADR 0308), by our id. */
  const wireIds = async (ids: string[]) => new Map((await repo.findByIds([...new Set(ids)])).map((r) => [r.id, r.matchidId ?? r.id]));
  const out = (c: NonNullable<Awaited<ReturnType<typeof repo.findCorrection>>>, ids?: Map<string, string>): Correction => ({
    id: c.id,
    recordId: ids?.get(c.recordId) ?? c.recordId,
    fields: c.fields as Record<string, string>,
    message: c.message,
    proofUrl: c.proofUrl,
    hasProofFile: !!c.proofFile,
    status: c.status,
    reviewComment: c.reviewComment,
    createdAt: c.createdAt.toISOString(),
    reviewedAt: c.reviewedAt?.toISOString() ?? null,
    authorId: c.authorId,
  });

  return routeGroup('authenticated', async (g) => {
    const app = g.withTypeProvider<ZodTypeProvider>();

    app.post(
      `${API}/id/:id/corrections`,
      {
        schema: {
          tags: ['deces'],
          operationId: 'proposeDeathCorrection',
          summary: 'Proposer une correction (preuve PDF ou lien)',
          description:
            'Formulaire multipart (champs corrigés, `message`, `proofUrl`, fichier PDF `proof` de 5 Mo au plus) ou corps JSON sans fichier. ' +
            'Champs corrigeables : lastName, firstName, sex, birthDate, birthCity, birthLocationCode, deathDate, deathLocationCode.',
          params: recordIdParams,
          response: { 201: correction },
        },
      },
      async (req, reply) => {
        const p = requireUser(req.caller);
        const record = await repo.findById(req.params.id);
        if (!record) throw new NotFoundError(`Aucun décès n’a l’identifiant « ${req.params.id} ».`);
        const input: Record<string, string> = {};
        let proof = null as Buffer | null; // assigned in a callback (the cast keeps TypeScript from narrowing it)
        if (req.isMultipart()) {
          await receiveMultipart(req, reply, {
            limits: { ...DEFAULT_UPLOAD_LIMITS, fields: 20, fieldBytes: 16_384, fileBytes: PROOF_LIMIT },
            fileField: 'proof',
            onField: (name, value) => {
              input[name] = value.trim();
            },
            onFile: async (part) => {
              const chunks: Buffer[] = [];
              for await (const c of part.file as AsyncIterable<Buffer>) chunks.push(c);
              const buf = Buffer.concat(chunks);
              if (part.file.truncated || buf.length > PROOF_LIMIT) throw fieldError('proof', 'preuve trop volumineuse (5 Mo au plus)');
              if (buf.length) proof = buf;
            },
          });
        } else
          Object.assign(input, Object.fromEntries(Object.entries((req.body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v ?? '').trim()])));
        const c = await propose(ctx, service, p, record, input, proof);
        return reply.status(201).send(out(c, new Map([[record.id, record.matchidId ?? record.id]])));
      },
    );

    app.get(
      `${API}/corrections`,
      {
        schema: {
          tags: ['deces'],
          operationId: 'listDeathCorrections',
          summary: 'Corrections : les miennes, ou toutes pour un relecteur (?format=csv pour exporter)',
          querystring: correctionsQuery,
          response: { 200: { content: { 'application/json': { schema: correctionList }, 'text/csv': { schema: csvText } } } },
        },
      },
      async (req, reply) => {
        const p = requireUser(req.caller);
        const all = reviewers.has(p.role) && req.query.mine !== 'true';
        const csv = wantsCsv(req);
        const r = await repo.corrections({
          status: req.query.status,
          // Either id of the record (matchID's as the wire shows it, or ours).
          recordId: req.query.recordId ? ((await repo.findById(req.query.recordId))?.id ?? req.query.recordId) : undefined,
          authorId: all ? undefined : p.userId,
          limit: csv ? 10_000 : req.query.pageSize,
          offset: csv ? 0 : (req.query.page - 1) * req.query.pageSize,
        });
        const ids = await wireIds(r.rows.map((c) => c.recordId));
        if (csv) {
          const cols = ['id', 'recordId', 'status', 'fields', 'message', 'proofUrl', 'hasProofFile', 'reviewComment', 'createdAt', 'reviewedAt'];
          return sendCsv(
            reply,
            'corrections-deces.csv',
            cols.map((k) => ({ key: k, header: k })),
            r.rows.map((c) => {
              const o = out(c, ids);
              return { ...o, fields: JSON.stringify(o.fields) };
            }),
          );
        }
        return { total: r.total, items: r.rows.map((c) => out(c, ids)) };
      },
    );

    app.post(
      `${API}/corrections/:id/review`,
      {
        config: { access: { roles: ['reviewer', 'admin'] } },
        schema: {
          tags: ['deces'],
          operationId: 'reviewDeathCorrection',
          summary: 'Valider ou rejeter une correction',
          params: idParams,
          body: reviewBody,
          response: { 200: correction },
        },
      },
      async (req) => {
        const p = requireUser(req.caller);
        const updated = await ctx.db.transaction(async (tx) => {
          const c = await repo.findCorrection(req.params.id, tx as unknown as Db);
          if (!c) throw new NotFoundError('Correction introuvable.');
          if (c.status !== 'pending') throw new ConflictError('Cette correction a déjà été relue.');
          if (c.authorId === p.userId) throw new ForbiddenError('On ne relit pas sa propre proposition.');
          if (req.body.decision === 'rejected' && !req.body.comment.trim()) throw fieldError('comment', 'un rejet doit être motivé');
          // The check above answers the common case; the conditional update decides between two
          // concurrent reviews (two nodes): only one finds the correction still pending.
          const row = await repo.reviewPendingCorrection(tx as unknown as Db, c.id, {
            status: req.body.decision,
            reviewerId: p.userId,
            reviewComment: req.body.comment,
            reviewedAt: ctx.clock.now(),
          });
          if (!row) throw new ConflictError('Cette correction vient d’être relue par une autre personne : rechargez-la pour voir sa décision.');
          await recordAudit(tx as unknown as Db, {
            actor: actorOf(p),
            action: `deces.correction.${req.body.decision === 'validated' ? 'validate' : 'reject'}`,
            entityType: 'deces_correction',
            entityId: c.id,
            before: { status: c.status },
            after: { status: row.status, comment: row.reviewComment },
          });
          return row;
        });
        service.correctionsChanged();
        return out(updated, await wireIds([updated.recordId]));
      },
    );

    app.get(
      `${API}/corrections/:id/proof`,
      {
        schema: {
          tags: ['deces'],
          operationId: 'getDeathCorrectionProof',
          summary: 'Preuve PDF d’une correction (auteur et relecteurs)',
          params: idParams,
          response: { 200: { content: { 'application/pdf': { schema: pdfFile } } } },
        },
      },
      async (req, reply) => {
        const p = requireUser(req.caller);
        const c = await repo.findCorrection(req.params.id);
        if (!c || !c.proofFile) throw new NotFoundError('Preuve introuvable.');
        if (c.authorId !== p.userId && !reviewers.has(p.role)) throw new ForbiddenError('Cette preuve n’est visible que de son auteur et des relecteurs.');
        return sendBlob(req, reply, ctx.blobs, proofKey(c.proofFile), {
          contentType: 'application/pdf',
          filename: `preuve-${c.id}.pdf`,
          cacheControl: 'private, no-store',
          notFound: 'Preuve introuvable.',
        });
      },
    );
  });
}

/**
 * A proposed correction: the fields checked, the proof (PDF signature or https link) required, the PDF
 * put in the blob store, the row and its audit in one transaction (no proof kept without its
 * correction). Shared by our route and matchID's `POST /id/{id}`.
 */
export async function propose(
  ctx: AppContext,
  service: DecesService,
  p: Principal,
  record: RecordRow,
  input: Record<string, string>,
  proof: Buffer | null,
  ignored: string[] = [],
): Promise<CorrectionRow> {
  const repo = service.repo;
  const proofKey = (file: string) => `deces/proofs/${path.basename(file)}`;
  const errors: { field: string; message: string }[] = [];
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(input)) {
    if (k === 'message' || k === 'proofUrl' || ignored.includes(k)) continue;
    const check = (CORRECTABLE as Record<string, ((v: string) => string | null) | undefined>)[k];
    if (!check) errors.push({ field: k, message: `champ non corrigeable (possibles : ${Object.keys(CORRECTABLE).join(', ')})` });
    else if (v) {
      const val = check(v);
      if (val === null) errors.push({ field: k, message: 'valeur invalide' });
      else fields[k] = val;
    }
  }
  if (!Object.keys(fields).length && !errors.length) errors.push({ field: 'fields', message: 'indiquez au moins un champ corrigé' });
  const message = (input.message ?? '').slice(0, 2000);
  const proofUrl = input.proofUrl || null;
  if (proofUrl && !/^https:\/\/[^\s]{4,500}$/.test(proofUrl)) errors.push({ field: 'proofUrl', message: 'lien https attendu' });
  if (proof && proof.subarray(0, 5).toString('latin1') !== '%PDF-') errors.push({ field: 'proof', message: 'la preuve doit être un fichier PDF' });
  if (!proof && !proofUrl) errors.push({ field: 'proof', message: 'joignez un acte (PDF) ou un lien vers la preuve' });
  if (errors.length) throw new ValidationError(`Correction invalide : ${errors.map((e) => e.field).join(', ')}`, errors);
  let proofFile: string | null = null;
  if (proof) {
    proofFile = `${randomUUID()}.pdf`;
    await ctx.blobs.put(proofKey(proofFile), proof, { contentType: 'application/pdf' });
  }
  const stored = proofFile;
  const c = await ctx.db
    .transaction(async (tx) => {
      const row = await repo.insertCorrection(tx as unknown as Db, { recordId: record.id, authorId: p.userId, fields, message, proofUrl, proofFile });
      await recordAudit(tx as unknown as Db, {
        actor: actorOf(p),
        action: 'deces.correction.propose',
        entityType: 'deces_correction',
        entityId: row.id,
        after: { recordId: record.id, fields, proofUrl, proofFile: !!proofFile },
      });
      return row;
    })
    .catch(async (e: unknown) => {
      // No proof without its correction.
      if (stored) await ctx.blobs.delete(proofKey(stored)).catch(() => undefined);
      throw e;
    });
  return c;
}

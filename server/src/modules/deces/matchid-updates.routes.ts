import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pdfFile, recordIdParams } from '@patrimoine/contracts/deces';
import { routeGroup } from '../../platform/auth/access.ts';
import type { AppContext } from '../../platform/context.ts';
import { DomainError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { recordAudit } from '../../platform/audit/audit.repository.ts';
import { actorOf, requireUser, type Principal } from '../../platform/auth/principal.ts';
import { DEFAULT_UPLOAD_LIMITS, receiveMultipart } from '../../platform/http/upload.ts';
import { sendBlob } from '../../platform/blob/index.ts';
import type { Db } from '../../db/client.ts';
import type { CorrectionRow } from './deces.repository.ts';
import { API } from './deces.routes.ts';
import { toPerson, type DecesService } from './deces.service.ts';
import { propose } from './corrections.routes.ts';
import { withMsg } from './matchid.ts';

/** 406, as matchID answers a request it understood but cannot apply. */
class NotAcceptableError extends DomainError {
  readonly status = 406;
  readonly type = 'not-acceptable';
  readonly title = 'Demande non applicable';
}

/**
 * matchID's own correction routes (deces-backend `search.controller.ts`), on our corrections:
 * - `POST /id/{id}`: a user proposes (multipart as deces-ui sends it: the corrected fields, `message`,
 *   `proof` as a link or a PDF in any file field; `author_id` ignored: the author is the caller) →
 *   `{msg: "Update stored"}`; a reviewer or administrator decides instead, with a body mapping
 *   each update id to a JSON review `{status: validated|rejected|closed, message, silent, …}`.
 * - `GET /updated`: the records with corrections — the caller's (other authors masked as matchID does),
 *   all for a reviewer — in matchID's person shape with `modifications`.
 * - `GET /updates/proof/{personId}-{updateId}`: the PDF proof, to its author and reviewers only (matchID
 *   serves it to anyone; the proof is personal data).
 * Update ids are our correction uuids without hyphens: matchID's proof route splits `{personId}-{hex}`.
 */
export function matchidUpdatesRoutes(ctx: AppContext, service: DecesService): FastifyPluginAsync {
  const repo = service.repo;
  const reviewers = new Set(['reviewer', 'admin']);
  const PROOF_LIMIT = 5 * 1024 * 1024;
  const hexOf = (uuid: string) => uuid.replace(/-/g, '');
  const uuidOf = (hex: string) =>
    /^[0-9a-f]{32}$/i.test(hex) ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`.toLowerCase() : null;
  const msg400 = (m: string, field: string, fr: string) => withMsg(new ValidationError(fr, [{ field, message: fr }]), m);
  const AUTH: Record<CorrectionRow['status'], number> = { pending: 0, validated: 1, rejected: -1 };

  async function emails(ids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const id of new Set(ids)) {
      const u = await ctx.usersRepo.findById(id);
      if (u) out.set(id, u.email ?? u.login);
    }
    return out;
  }
  /** `jean.dupont@x.fr` → `je...nt@x.fr`, as matchID shows other authors. */
  const mask = (a: string) => {
    const local = a.replace(/@.*/, '');
    return a ? `${a.substring(0, 2)}...${local.substring(local.length - 2)}${a.includes('@') ? '@' + a.replace(/.*@/, '') : ''}` : '';
  };

  function modificationOf(c: CorrectionRow, personId: string, author: string, own: boolean) {
    return {
      id: hexOf(c.id),
      date: c.createdAt.toISOString(),
      proof: c.proofUrl ?? (c.proofFile ? `${API}/updates/proof/${personId}-${hexOf(c.id)}` : null),
      auth: AUTH[c.status],
      author: own ? author : mask(author),
      fields: c.fields as Record<string, string>,
      ...(own && c.message ? { message: c.message } : {}),
      ...(own && c.reviewedAt ? { review: { status: c.status, date: c.reviewedAt.toISOString(), message: c.reviewComment || undefined } } : {}),
    };
  }

  async function decide(p: Principal, recordId: string, body: Record<string, unknown>) {
    const all = (await repo.corrections({ recordId, limit: 1000, offset: 0 })).rows;
    if (!all.length) {
      const e = new NotAcceptableError('Aucune correction à relire pour ce décès.');
      throw withMsg(e, 'Id exists but no update to validate');
    }
    const count = { rejected: 0, validated: 0, closed: 0, noChange: 0 };
    const invalidIds: string[] = [];
    for (const [key, raw] of Object.entries(body)) {
      const id = uuidOf(key);
      const c = id ? all.find((x) => x.id === id) : undefined;
      let review: { status?: string; message?: string } | null = null;
      try {
        review = typeof raw === 'string' ? (JSON.parse(raw) as { status?: string; message?: string }) : (raw as { status?: string; message?: string });
      } catch {
        review = null;
      }
      const status = review?.status;
      if (!c || !review || !status || !['validated', 'rejected', 'closed'].includes(status) || c.authorId === p.userId) {
        invalidIds.push(key);
        continue;
      }
      // matchID's « closed » (handled without a decision on the record) is a rejection here, said so.
      const target: CorrectionRow['status'] = status === 'validated' ? 'validated' : 'rejected';
      if (c.status === target) {
        count.noChange++;
        continue;
      }
      const comment = (review.message ?? '').slice(0, 2000) || (status === 'closed' ? 'Clôturée sans suite (API matchID).' : 'Rejetée (API matchID).');
      const row = await ctx.db.transaction(async (tx) => {
        const r = await repo.reviewPendingCorrection(tx as unknown as Db, c.id, {
          status: target,
          reviewerId: p.userId,
          reviewComment: comment,
          reviewedAt: ctx.clock.now(),
        });
        if (r)
          await recordAudit(tx as unknown as Db, {
            actor: actorOf(p),
            action: `deces.correction.${target === 'validated' ? 'validate' : 'reject'}`,
            entityType: 'deces_correction',
            entityId: c.id,
            before: { status: c.status },
            after: { status: r.status, comment: r.reviewComment, via: 'matchid', matchidStatus: status },
          });
        return r;
      });
      // Already decided (here or by someone else at the same moment): not changed by this call.
      if (!row) invalidIds.push(key);
      else count[status as 'validated' | 'rejected' | 'closed']++;
    }
    service.correctionsChanged();
    if (invalidIds.length === Object.keys(body).length) {
      throw withMsg(new NotAcceptableError('Aucun identifiant de correction valide.'), 'Update ids are all invalid');
    }
    return invalidIds.length ? { msg: 'Partial validation could be achieved', ...count, invalidIds } : { msg: 'All validations processed', ...count };
  }

  return routeGroup('authenticated', async (g) => {
    const app = g.withTypeProvider<ZodTypeProvider>();

    app.post(
      `${API}/id/:id`,
      {
        schema: {
          tags: ['deces'],
          operationId: 'updateDeathRecordMatchid',
          summary: 'Corriger un décès comme matchID (proposition, ou décision d’un relecteur)',
          description:
            'Contrat de matchID. Un utilisateur propose : multipart (champs corrigés, `message`, `proof` lien https ou fichier PDF dans n’importe quel champ) → `{msg: "Update stored"}`. ' +
            'Un relecteur ou un administrateur décide : corps `{<id de la correction>: "<JSON {status: validated|rejected|closed, message}>"}`.',
          params: recordIdParams,
          response: { 200: z.object({ msg: z.string() }).passthrough() },
        },
      },
      async (req, reply) => {
        const p = requireUser(req.caller);
        const record = await repo.findById(req.params.id);
        if (!record) throw withMsg(new NotFoundError(`Aucun décès n’a l’identifiant « ${req.params.id} ».`), 'Id not found');
        const input: Record<string, string> = {};
        let proof = null as Buffer | null;
        if (req.isMultipart()) {
          await receiveMultipart(req, reply, {
            limits: { ...DEFAULT_UPLOAD_LIMITS, fields: 30, fieldBytes: 16_384, fileBytes: PROOF_LIMIT },
            fileField: 'proof',
            onField: (name, value) => {
              input[name] = value.trim();
            },
            onFile: async (part) => {
              const chunks: Buffer[] = [];
              for await (const c of part.file as AsyncIterable<Buffer>) chunks.push(c);
              const buf = Buffer.concat(chunks);
              if (part.file.truncated || buf.length > PROOF_LIMIT) throw msg400('File too large', 'proof', 'preuve trop volumineuse (5 Mo au plus)');
              if (buf.length) proof = buf;
            },
          });
        } else
          for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, unknown>))
            input[k] = typeof v === 'string' ? v.trim() : JSON.stringify(v ?? '');
        if (reviewers.has(p.role)) return decide(p, record.id, (req.body && !req.isMultipart() ? req.body : input) as Record<string, unknown>);

        // matchID's proof is `proof` (a link) or an uploaded file; ours is `proofUrl` or `proof`.
        if (input.proof && !input.proofUrl) input.proofUrl = input.proof;
        delete input.proof;
        const fields = Object.keys(input).filter((k) => !['message', 'proofUrl', 'author_id'].includes(k));
        if (!proof && !input.proofUrl) throw msg400('Proof must be provided', 'proof', 'joignez un acte (PDF) ou un lien vers la preuve');
        if (!fields.length) throw msg400('A field at least must be provided', 'fields', 'indiquez au moins un champ corrigé');
        await propose(ctx, service, p, record, input, proof, ['author_id']);
        return { msg: 'Update stored' };
      },
    );

    app.get(
      `${API}/updated`,
      {
        schema: {
          tags: ['deces'],
          operationId: 'listUpdatedDeathRecordsMatchid',
          summary: 'Décès corrigés (les miens ; tous pour un relecteur), au format de matchID',
          response: { 200: z.array(z.record(z.string(), z.unknown())) },
        },
      },
      async (req) => {
        const p = requireUser(req.caller);
        const reviewer = reviewers.has(p.role);
        const mine = reviewer ? null : (await repo.corrections({ authorId: p.userId, limit: 10_000, offset: 0 })).rows;
        const recordIds = mine ? [...new Set(mine.map((c) => c.recordId))] : null;
        const rows = recordIds
          ? (await Promise.all(recordIds.map((id) => repo.corrections({ recordId: id, limit: 1000, offset: 0 })))).flatMap((r) => r.rows)
          : (await repo.corrections({ limit: 10_000, offset: 0 })).rows;
        if (!rows.length) return [];
        const byRecord = new Map<string, CorrectionRow[]>();
        for (const c of rows) byRecord.set(c.recordId, [...(byRecord.get(c.recordId) ?? []), c]);
        const records = await repo.findByIds([...byRecord.keys()]);
        const validated = await repo.validatedCorrections(records.map((r) => r.id));
        const authors = await emails(rows.map((c) => c.authorId));
        return records.map((r) => {
          const person: Record<string, unknown> = {
            ...toPerson(
              r,
              null,
              validated.filter((v) => v.recordId === r.id),
            ),
          };
          delete person.score;
          delete person.scores;
          delete person.reasons;
          const personId = String(person.id);
          person.modifications = (byRecord.get(r.id) ?? [])
            .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
            .map((c) => modificationOf(c, personId, authors.get(c.authorId) ?? '', reviewer || c.authorId === p.userId));
          return person;
        });
      },
    );

    app.get(
      `${API}/updates/proof/:id`,
      {
        schema: {
          tags: ['deces'],
          operationId: 'getDeathUpdateProofMatchid',
          summary: 'Preuve PDF d’une correction, au chemin de matchID (`{personId}-{updateId}`)',
          params: z.object({ id: z.string().max(100) }),
          response: { 200: { content: { 'application/pdf': { schema: pdfFile } } } },
        },
      },
      async (req, reply) => {
        const p = requireUser(req.caller);
        const m = /^(.*)-([a-f0-9]+)$/.exec(req.params.id);
        const record = m ? await repo.findById(m[1]!) : undefined;
        if (!m || !record) throw withMsg(new NotFoundError('Aucun décès ne correspond à cet identifiant.'), 'No such person id');
        const id = uuidOf(m[2]!);
        const c = id ? await repo.findCorrection(id) : undefined;
        if (!c || c.recordId !== record.id) throw withMsg(new NotFoundError('Aucune correction ne correspond à cet identifiant.'), 'No such update id');
        if (!c.proofFile) {
          if (c.proofUrl) throw withMsg(new NotAcceptableError('La preuve est un lien, pas un fichier.'), 'Proof is not a file, but a web reference');
          throw withMsg(new NotFoundError('Preuve introuvable.'), 'No such update id');
        }
        if (c.authorId !== p.userId && !reviewers.has(p.role)) throw new ForbiddenError('Cette preuve n’est visible que de son auteur et des relecteurs.');
        return sendBlob(req, reply, ctx.blobs, `deces/proofs/${c.proofFile}`, {
          contentType: 'application/pdf',
          filename: `preuve-${c.id}.pdf`,
          cacheControl: 'private, no-store',
          notFound: 'Preuve introuvable.',
        });
      },
    );
  });
}

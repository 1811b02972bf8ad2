import type { Readable } from 'node:stream';
import { and, eq, sql } from 'drizzle-orm';
import type { BulkDecision, BulkReviewRow, bulkReviewFilters } from '@patrimoine/contracts/deces';
import type { AppContext } from '../../platform/context.ts';
import type { Db } from '../../db/client.ts';
import { ConflictError, NotFoundError, fieldError } from '../../platform/errors.ts';
import { recordAudit } from '../../platform/audit/audit.repository.ts';
import { actorOf, type Principal } from '../../platform/auth/principal.ts';
import type { JobRow } from '../../platform/jobs/jobs.repository.ts';
import { decesBulkDecisions } from './deces.table.ts';
import { BULK_RETENTION_MS, type BulkPayload, type BulkService, type ReviewLine } from './bulk.service.ts';

type Filter = (typeof bulkReviewFilters)[number];
type DecisionRow = typeof decesBulkDecisions.$inferSelect;

/** Lines of a JSON lines blob, parsed one by one (memory stays bounded whatever the file's size). */
async function* ndjson<T>(body: Readable): AsyncGenerator<T> {
  body.setEncoding('utf8');
  let carry = '';
  try {
    for await (const chunk of body as AsyncIterable<string>) {
      const lines = (carry + chunk).split('\n');
      carry = lines.pop()!;
      for (const l of lines) if (l) yield JSON.parse(l) as T;
    }
    if (carry) yield JSON.parse(carry) as T;
  } finally {
    body.destroy();
  }
}

/** `AAAAMMJJ` → `JJ/MM/AAAA` (unknown parts stay `00`, as INSEE writes them); anything else unchanged. */
export function frDate(d: string): string {
  return /^\d{8}$/.test(d) ? `${d.slice(6, 8)}/${d.slice(4, 6)}/${d.slice(0, 4)}` : d;
}

/** Score components in the French CSV, in this order, with their column names. */
export const SCORE_COLUMNS = [
  ['name', 'Score identité (%)'],
  ['last', 'Score nom (%)'],
  ['first', 'Score prénom (%)'],
  ['sex', 'Score sexe (%)'],
  ['birthDate', 'Score date de naissance (%)'],
  ['birthLocation', 'Score lieu de naissance (%)'],
  ['deathDate', 'Score date de décès (%)'],
  ['deathLocation', 'Score lieu de décès (%)'],
  ['deathAge', 'Score âge au décès (%)'],
] as const;

const percent = (x: number | undefined) => (x === undefined ? '' : Math.round(x * 100));
const place = (l: { city: string; departmentCode: string; country: string; code: string }) =>
  !l.code ? '' : l.code.startsWith('99') ? l.country || l.city : `${l.city || l.code}${l.departmentCode ? ` (${l.departmentCode})` : ''}`;

/**
 * On-screen review of a finished bulk matching (the input lines with their candidates, scores and
 * reasons, read from `review.ndjson`), a decision per line (accepted or rejected, persisted in
 * `deces_bulk_decisions` with the audit), and the French CSV export that carries the decisions.
 * Only the job's owner or an admin reaches it (the routes check with `ctx.jobs.getFor`).
 */
export function bulkReview(ctx: AppContext, bulk: BulkService) {
  const decisionsOf = async (jobId: string, db: Db = ctx.db): Promise<Map<number, DecisionRow>> => {
    const rows = await db.select().from(decesBulkDecisions).where(eq(decesBulkDecisions.jobId, jobId));
    return new Map(rows.map((r) => [r.sourceLineNumber, r]));
  };

  /** The review lines of a finished job; a clear message when not finished or expired. */
  async function linesOf(job: JobRow): Promise<AsyncGenerator<ReviewLine>> {
    if (job.state !== 'succeeded') throw new ConflictError('L’appariement n’est pas terminé : les résultats se relisent une fois le traitement fini.');
    const p = job.payload as BulkPayload;
    const kept = p.persistenceMs ?? BULK_RETENTION_MS;
    if (job.finishedAt && ctx.clock.now().getTime() - job.finishedAt.getTime() > kept)
      throw new NotFoundError('Les résultats de cet appariement ont expiré : relancez l’appariement.');
    const obj = await ctx.blobs.get(bulk.keyOf(p.dir, 'review.ndjson'));
    if (!obj) throw new NotFoundError('Résultats à relire introuvables (expirés, ou appariement lancé avant la relecture à l’écran) : relancez l’appariement.');
    return ndjson<ReviewLine>(obj.body);
  }

  const matches = (l: ReviewLine, d: DecisionRow | undefined, f: Filter): boolean => {
    switch (f) {
      case 'all':
        return true;
      case 'matched':
        return l.candidates.length > 0;
      case 'unmatched':
        return !l.error && l.candidates.length === 0;
      case 'errors':
        return !!l.error;
      case 'undecided':
        return l.candidates.length > 0 && !d;
      case 'accepted':
      case 'rejected':
        return d?.decision === f;
    }
  };

  const decisionInfo = (d: DecisionRow | undefined): BulkReviewRow['decision'] =>
    d ? { decision: d.decision, candidateId: d.candidateId, decidedBy: d.decidedByLabel, decidedAt: d.decidedAt.toISOString() } : null;

  return {
    async page(job: JobRow, q: { filter: Filter; page: number; size: number }) {
      const p = job.payload as BulkPayload;
      const lines = await linesOf(job);
      const decisions = await decisionsOf(job.id);
      const from = (q.page - 1) * q.size;
      let total = 0;
      const items: BulkReviewRow[] = [];
      for await (const l of lines) {
        const d = decisions.get(l.n);
        if (!matches(l, d, q.filter)) continue;
        if (total >= from && items.length < q.size)
          items.push({
            sourceLineNumber: l.n,
            line: l.line,
            input: Object.fromEntries(p.header.map((h, j) => [h, l.cells[j] ?? ''])),
            error: l.error ?? null,
            candidates: l.candidates,
            decision: decisionInfo(d),
          });
        total++;
      }
      let accepted = 0;
      let rejected = 0;
      for (const d of decisions.values())
        if (d.decision === 'accepted') accepted++;
        else rejected++;
      return { total, page: q.page, size: q.size, header: p.header, mapping: p.mapping as Record<string, string>, decided: { accepted, rejected }, items };
    },

    /** Records (or with `decision: null` removes) the decision on one line; validated against the result first. */
    async decide(job: JobRow, user: Principal, body: { sourceLineNumber: number; decision: BulkDecision | null; candidateId?: string }) {
      let found: ReviewLine | null = null;
      for await (const l of await linesOf(job))
        if (l.n === body.sourceLineNumber) {
          found = l;
          break;
        }
      if (!found) throw fieldError('sourceLineNumber', `ligne ${body.sourceLineNumber} absente du résultat de l’appariement`);
      const line = found;
      if (body.decision !== null && !line.candidates.length)
        throw fieldError(
          'decision',
          `ligne ${line.n} : aucun candidat à ${body.decision === 'accepted' ? 'accepter' : 'rejeter'} (ligne ${line.error ? 'en erreur' : 'sans correspondance'})`,
        );
      if (body.candidateId && !line.candidates.some((c) => c.id === body.candidateId))
        throw fieldError('candidateId', `la fiche ${body.candidateId} n’est pas un candidat de la ligne ${line.n}`);
      const candidateId = body.candidateId ?? line.candidates[0]?.id ?? null;
      return ctx.db.transaction(async (tx) => {
        const where = and(eq(decesBulkDecisions.jobId, job.id), eq(decesBulkDecisions.sourceLineNumber, line.n));
        const [before] = await tx.select().from(decesBulkDecisions).where(where);
        let after: DecisionRow | undefined;
        if (body.decision === null) await tx.delete(decesBulkDecisions).where(where);
        else {
          const values = {
            jobId: job.id,
            sourceLineNumber: line.n,
            decision: body.decision,
            candidateId,
            decidedBy: user.userId,
            decidedByLabel: user.displayName || user.login,
            decidedAt: ctx.clock.now(),
          };
          [after] = await tx
            .insert(decesBulkDecisions)
            .values(values)
            .onConflictDoUpdate({
              target: [decesBulkDecisions.jobId, decesBulkDecisions.sourceLineNumber],
              set: {
                decision: sql`excluded.decision`,
                candidateId: sql`excluded.candidate_id`,
                decidedBy: sql`excluded.decided_by`,
                decidedByLabel: sql`excluded.decided_by_label`,
                decidedAt: sql`excluded.decided_at`,
              },
            })
            .returning();
        }
        await recordAudit(tx as never, {
          actor: actorOf(user),
          action: 'deces.bulk.decision',
          entityType: 'job',
          entityId: job.id,
          before: before ? { line: line.n, decision: before.decision, candidateId: before.candidateId } : undefined,
          after: after ? { line: line.n, decision: after.decision, candidateId: after.candidateId } : { line: line.n, decision: null },
        });
        return decisionInfo(after);
      });
    },

    /** The French CSV: one row per candidate (one row for a line without), decisions, readable scores, dates JJ/MM/AAAA. */
    async frenchCsv(job: JobRow) {
      const p = job.payload as BulkPayload;
      const lines = await linesOf(job);
      const decisions = await decisionsOf(job.id);
      const columns = [
        { key: 'line', header: 'Ligne' },
        ...p.header.map((h, j) => ({ key: `in${j}`, header: h })),
        { key: 'status', header: 'Résultat' },
        { key: 'decision', header: 'Décision' },
        { key: 'rank', header: 'Candidat n°' },
        { key: 'score', header: 'Score (%)' },
        ...SCORE_COLUMNS.map(([k, h]) => ({ key: `s_${k}`, header: h })),
        { key: 'reasons', header: 'Raisons du score' },
        { key: 'id', header: 'Identifiant de la fiche' },
        { key: 'last', header: 'Nom' },
        { key: 'first', header: 'Prénoms' },
        { key: 'sex', header: 'Sexe' },
        { key: 'birthDate', header: 'Date de naissance' },
        { key: 'birthPlace', header: 'Lieu de naissance' },
        { key: 'deathDate', header: 'Date de décès' },
        { key: 'deathPlace', header: 'Lieu de décès' },
        { key: 'age', header: 'Âge au décès' },
        { key: 'source', header: 'Fichier Insee' },
        { key: 'error', header: 'Erreur' },
      ];
      async function* rows(): AsyncGenerator<Record<string, unknown>[]> {
        for await (const l of lines) {
          const d = decisions.get(l.n);
          const base: Record<string, unknown> = { line: l.n };
          p.header.forEach((_, j) => (base[`in${j}`] = l.cells[j] ?? ''));
          base.status = l.error ? 'En erreur' : l.candidates.length ? 'Appariée' : 'Sans correspondance';
          if (!l.candidates.length) {
            yield [{ ...base, decision: '', error: l.error ?? '' }];
            continue;
          }
          yield l.candidates.map((c, i) => {
            const decision = !d ? 'À décider' : d.decision === 'rejected' ? 'Rejetée' : d.candidateId === c.id ? 'Acceptée' : 'Autre candidat accepté';
            const r: Record<string, unknown> = {
              ...base,
              decision,
              rank: i + 1,
              score: percent(c.score),
              reasons: c.reasons.join(' ; '),
              id: c.id,
              last: c.name.last,
              first: c.name.first.join(' '),
              sex: c.sex === 'M' ? 'Homme' : c.sex === 'F' ? 'Femme' : '',
              birthDate: frDate(c.birth.date),
              birthPlace: place(c.birth.location),
              deathDate: frDate(c.death.date),
              deathPlace: place(c.death.location),
              age: c.death.age ?? '',
              source: c.source,
              error: '',
            };
            for (const [k] of SCORE_COLUMNS) r[`s_${k}`] = percent((c.scores as Record<string, number | undefined>)[k]);
            return r;
          });
        }
      }
      const filename = `${p.fileName.replace(/[^\w.-]/g, '_').replace(/\.csv$/i, '')}-resultats-fr.csv`;
      return { filename, columns, rows: rows() };
    },
  };
}
export type BulkReview = ReturnType<typeof bulkReview>;

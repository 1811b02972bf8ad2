import { sql } from 'drizzle-orm';
import type { Db } from '../src/db/client.ts';

const hours = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);
const pick = (v: unknown, i: number) => (Array.isArray(v) ? v[i] : typeof v === 'string' ? v.replace(/[{}]/g, '').split(',')[i] : null);
const rowsOf = <T>(r: unknown): T[] => ((r as { rows?: T[] }).rows ?? (r as T[])) as T[];

/**
 * The former statistics (before the stored counters, ADR 0608): one aggregate scanning every request.
 * Kept here as the reference the stored figures must equal.
 */
export async function statsByScan(db: Db, now: Date, definitionId?: string) {
  const filter = definitionId ? sql`WHERE r.definition_id = ${definitionId}` : sql``;
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1));
  const months = Array.from({ length: 12 }, (_, i) => new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + i, 1)));
  const ends = months.map((m, i) => (i === 11 ? now : new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1))));
  const backlogCols = sql.join(
    ends.map(
      (e, i) =>
        sql`(count(*) FILTER (WHERE r.first_submitted_at < ${e.toISOString()}::timestamptz) - count(*) FILTER (WHERE r.final_decision_at < ${e.toISOString()}::timestamptz))::int AS ${sql.raw(`b${i}`)}`,
    ),
    sql`, `,
  );
  const main = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
    SELECT r.definition_id AS id, count(*)::int AS total, count(r.first_submitted_at)::int AS submitted,
      count(*) FILTER (WHERE r.last_validated_at IS NOT NULL)::int AS validated, count(*) FILTER (WHERE r.state = 'refused')::int AS refused,
      count(r.reopened_at)::int AS reopened, count(*) FILTER (WHERE r.state IN ('submitted', 'changes_requested'))::int AS backlog, ${backlogCols},
      percentile_cont(ARRAY[0.5, 0.8]) WITHIN GROUP (ORDER BY extract(epoch FROM r.first_submitted_at - r.created_at) / 3600) AS submit_p,
      percentile_cont(ARRAY[0.5, 0.8]) WITHIN GROUP (ORDER BY extract(epoch FROM r.first_decision_at - r.first_submitted_at) / 3600) AS first_p,
      percentile_cont(ARRAY[0.5, 0.8]) WITHIN GROUP (ORDER BY extract(epoch FROM r.final_decision_at - r.first_submitted_at) / 3600) AS final_p
    FROM hab_requests r ${filter} GROUP BY r.definition_id`),
  );
  return main.map((r) => ({
    definitionId: String(r.id),
    volumes: {
      submitted: Number(r.submitted),
      validated: Number(r.validated),
      refused: Number(r.refused),
      reopened: Number(r.reopened),
      total: Number(r.total),
    },
    backlog: Number(r.backlog),
    backlogSeries: months.map((m, i) => ({ month: m.toISOString().slice(0, 7), backlog: Number(r[`b${i}`]) })),
    timeToSubmit: { p50: hours(pick(r.submit_p, 0)), p80: hours(pick(r.submit_p, 1)) },
    timeToFirstDecision: { p50: hours(pick(r.first_p, 0)), p80: hours(pick(r.first_p, 1)) },
    timeToFinalDecision: { p50: hours(pick(r.final_p, 0)), p80: hours(pick(r.final_p, 1)) },
  }));
}

/** The statistics' figures on known dates: volumes, backlog per month end, percentiles (ADR 0608). */

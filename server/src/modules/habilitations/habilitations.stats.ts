import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';

const hours = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);
/** Element i of a PostgreSQL array (PGlite and node-postgres give a JS array; text form as a fallback). */
const pick = (v: unknown, i: number) => (Array.isArray(v) ? v[i] : typeof v === 'string' ? v.replace(/[{}]/g, '').split(',')[i] : null);
const rowsOf = <T>(r: unknown): T[] => ((r as { rows?: T[] }).rows ?? (r as T[])) as T[];

/**
 * Statistics per definition in ONE pass over hab_requests (the index on definition): volumes, backlog now
 * and at the end of each of the last 12 months, p50/p80 of time to submit, to first decision and to final
 * decision (hours). The backlog at the end of month m is « submitted before its end − finally decided
 * before its end »: 24 filtered counts evaluated on the same scan, instead of a second pass that grouped
 * every request by month (measured: `npm run bench:habilitations`, ADR 0608).
 */
export async function definitionStats(db: Db, now: Date, definitionId?: string) {
  const filter = definitionId ? sql`WHERE r.definition_id = ${definitionId}` : sql``;
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1));
  const months = Array.from({ length: 12 }, (_, i) => new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + i, 1)));
  // End of month i = first instant of month i + 1; the current month ends « now ».
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
    SELECT r.definition_id AS id,
      count(*)::int AS total,
      count(r.first_submitted_at)::int AS submitted,
      count(*) FILTER (WHERE r.last_validated_at IS NOT NULL)::int AS validated,
      count(*) FILTER (WHERE r.state = 'refused')::int AS refused,
      count(r.reopened_at)::int AS reopened,
      count(*) FILTER (WHERE r.state IN ('submitted', 'changes_requested'))::int AS backlog,
      ${backlogCols},
      percentile_cont(ARRAY[0.5, 0.8]) WITHIN GROUP (ORDER BY extract(epoch FROM r.first_submitted_at - r.created_at) / 3600) AS submit_p,
      percentile_cont(ARRAY[0.5, 0.8]) WITHIN GROUP (ORDER BY extract(epoch FROM r.first_decision_at - r.first_submitted_at) / 3600) AS first_p,
      percentile_cont(ARRAY[0.5, 0.8]) WITHIN GROUP (ORDER BY extract(epoch FROM r.final_decision_at - r.first_submitted_at) / 3600) AS final_p
    FROM hab_requests r ${filter}
    GROUP BY r.definition_id`),
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

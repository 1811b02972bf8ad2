import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';

const hours = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);
/** Element i of a PostgreSQL array (PGlite and node-postgres give a JS array; text form as a fallback). */
const pick = (v: unknown, i: number) => (Array.isArray(v) ? v[i] : typeof v === 'string' ? v.replace(/[{}]/g, '').split(',')[i] : null);
const rowsOf = <T>(r: unknown): T[] => ((r as { rows?: T[] }).rows ?? (r as T[])) as T[];

/**
 * Statistics per definition, in SQL aggregates over hab_requests and hab_events (one pass each, the
 * indexes on definition and request): volumes, backlog now and at the end of the last 12 months,
 * p50/p80 of time to submit, to first decision and to final decision (hours).
 */
export async function definitionStats(db: Db, now: Date, definitionId?: string) {
  const filter = definitionId ? sql`WHERE r.definition_id = ${definitionId}` : sql``;
  // The two aggregates run at once (two connections of the pool on PostgreSQL).
  const mainQuery = db.execute(sql`
    SELECT r.definition_id AS id,
      count(*)::int AS total,
      count(r.first_submitted_at)::int AS submitted,
      count(*) FILTER (WHERE r.last_validated_at IS NOT NULL)::int AS validated,
      count(*) FILTER (WHERE r.state = 'refused')::int AS refused,
      count(r.reopened_at)::int AS reopened,
      count(*) FILTER (WHERE r.state IN ('submitted', 'changes_requested'))::int AS backlog,
      percentile_cont(ARRAY[0.5, 0.8]) WITHIN GROUP (ORDER BY extract(epoch FROM r.first_submitted_at - r.created_at) / 3600) AS submit_p,
      percentile_cont(ARRAY[0.5, 0.8]) WITHIN GROUP (ORDER BY extract(epoch FROM r.first_decision_at - r.first_submitted_at) / 3600) AS first_p,
      percentile_cont(ARRAY[0.5, 0.8]) WITHIN GROUP (ORDER BY extract(epoch FROM r.final_decision_at - r.first_submitted_at) / 3600) AS final_p
    FROM hab_requests r ${filter}
    GROUP BY r.definition_id`);
  // Backlog at the end of month m = submitted before its end − finally decided before its end: two
  // counts per month (one pass each), accumulated here — not a join of every request with every month.
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1));
  const months = Array.from({ length: 12 }, (_, i) => new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + i, 1)).toISOString().slice(0, 7));
  const perMonthQuery = db.execute(sql`
    SELECT r.definition_id AS id, to_char(x.m, 'YYYY-MM') AS m, sum(x.s)::int AS submitted, sum(x.d)::int AS decided
    FROM hab_requests r
    CROSS JOIN LATERAL (VALUES (date_trunc('month', r.first_submitted_at AT TIME ZONE 'UTC'), 1, 0), (date_trunc('month', r.final_decision_at AT TIME ZONE 'UTC'), 0, 1)) AS x(m, s, d)
    WHERE x.m IS NOT NULL ${definitionId ? sql`AND r.definition_id = ${definitionId}` : sql``}
    GROUP BY 1, 2`);
  const [mainRows, perMonthRows] = await Promise.all([mainQuery, perMonthQuery]);
  const main = rowsOf<Record<string, unknown>>(mainRows);
  const perMonth = rowsOf<{ id: string; m: string; submitted: number; decided: number }>(perMonthRows);
  const byDef = new Map<string, { month: string; backlog: number }[]>();
  const grouped = new Map<string, { m: string; submitted: number; decided: number }[]>();
  for (const r of perMonth) grouped.set(r.id, [...(grouped.get(r.id) ?? []), { m: r.m, submitted: Number(r.submitted), decided: Number(r.decided) }]);
  for (const [id, list] of grouped) {
    const series = months.map((month) => {
      let open = 0;
      for (const x of list) if (x.m <= month) open += x.submitted - x.decided;
      return { month, backlog: open };
    });
    byDef.set(id, series);
  }
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
    backlogSeries: byDef.get(String(r.id)) ?? months.map((month) => ({ month, backlog: 0 })),
    timeToSubmit: { p50: hours(pick(r.submit_p, 0)), p80: hours(pick(r.submit_p, 1)) },
    timeToFirstDecision: { p50: hours(pick(r.first_p, 0)), p80: hours(pick(r.first_p, 1)) },
    timeToFinalDecision: { p50: hours(pick(r.final_p, 0)), p80: hours(pick(r.final_p, 1)) },
  }));
}

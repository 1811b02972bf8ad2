import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';

const hours = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);
const rowsOf = <T>(r: unknown): T[] => ((r as { rows?: T[] }).rows ?? (r as T[])) as T[];

/**
 * Statistics per definition, in SQL aggregates over hab_requests and hab_events (one pass each, the
 * indexes on definition and request): volumes, backlog now and at the end of the last 12 months,
 * p50/p80 of time to submit, to first decision and to final decision (hours).
 */
export async function definitionStats(db: Db, now: Date, definitionId?: string) {
  const filter = definitionId ? sql`WHERE r.definition_id = ${definitionId}` : sql``;
  const main = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
    SELECT r.definition_id AS id,
      count(*)::int AS total,
      count(r.first_submitted_at)::int AS submitted,
      count(*) FILTER (WHERE r.last_validated_at IS NOT NULL)::int AS validated,
      count(*) FILTER (WHERE r.state = 'refused')::int AS refused,
      count(r.reopened_at)::int AS reopened,
      count(*) FILTER (WHERE r.state IN ('submitted', 'changes_requested'))::int AS backlog,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.first_submitted_at - r.created_at) / 3600) AS submit_p50,
      percentile_cont(0.8) WITHIN GROUP (ORDER BY extract(epoch FROM r.first_submitted_at - r.created_at) / 3600) AS submit_p80,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.first_decision_at - r.first_submitted_at) / 3600) AS first_p50,
      percentile_cont(0.8) WITHIN GROUP (ORDER BY extract(epoch FROM r.first_decision_at - r.first_submitted_at) / 3600) AS first_p80,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.final_decision_at - r.first_submitted_at) / 3600) AS final_p50,
      percentile_cont(0.8) WITHIN GROUP (ORDER BY extract(epoch FROM r.final_decision_at - r.first_submitted_at) / 3600) AS final_p80
    FROM hab_requests r ${filter}
    GROUP BY r.definition_id`),
  );
  // Backlog at the end of month m: submitted before it, not finally decided before it.
  const months = Array.from({ length: 12 }, (_, i) => {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11 + i + 1, 1));
    return d;
  });
  const ends = sql.join(
    months.map((m) => sql`(${m.toISOString()}::timestamptz)`),
    sql`, `,
  );
  const series = rowsOf<{ id: string; month_end: string | Date; backlog: number }>(
    await db.execute(sql`
    SELECT r.definition_id AS id, m.e AS month_end,
      count(*) FILTER (WHERE r.first_submitted_at < m.e AND (r.final_decision_at IS NULL OR r.final_decision_at >= m.e))::int AS backlog
    FROM hab_requests r CROSS JOIN (VALUES ${ends}) AS m(e)
    ${filter}
    GROUP BY r.definition_id, m.e`),
  );
  const byDef = new Map<string, { month: string; backlog: number }[]>();
  for (const s of series) {
    const end = new Date(s.month_end);
    const month = new Date(end.getTime() - 86400_000).toISOString().slice(0, 7);
    const list = byDef.get(s.id) ?? [];
    list.push({ month, backlog: Number(s.backlog) });
    byDef.set(s.id, list);
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
    backlogSeries: (byDef.get(String(r.id)) ?? []).sort((a, b) => a.month.localeCompare(b.month)),
    timeToSubmit: { p50: hours(r.submit_p50), p80: hours(r.submit_p80) },
    timeToFirstDecision: { p50: hours(r.first_p50), p80: hours(r.first_p80) },
    timeToFinalDecision: { p50: hours(r.final_p50), p80: hours(r.final_p80) },
  }));
}

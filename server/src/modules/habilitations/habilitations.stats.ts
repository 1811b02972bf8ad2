import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';

const hours = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
const rowsOf = <T>(r: unknown): T[] => ((r as { rows?: T[] }).rows ?? (r as T[])) as T[];
const KINDS = ['submit', 'first', 'final'] as const;
type Kind = (typeof KINDS)[number];
const PERCENTILES = [0.5, 0.8] as const;

/** The two ranks (0-based) and the weight PostgreSQL's percentile_cont interpolates between, for n values. */
function ranks(p: number, n: number) {
  const pos = p * (n - 1);
  const lo = Math.floor(pos);
  return { lo, hi: Math.ceil(pos), frac: pos - lo };
}

/**
 * Statistics per definition from stored figures (ADR 0608): the counters and months a trigger on
 * hab_requests keeps in the transaction of every change (migration 0020), and percentiles read at their
 * rank in the ordered index of the durations, interpolated as `percentile_cont` does — so the figures are
 * those of the former aggregate over every request, without scanning or sorting them. Two round trips:
 * counters and months, then the values at the ranks (6 index probes per definition).
 */
export async function definitionStats(db: Db, now: Date, definitionId?: string) {
  const where = definitionId ? sql`WHERE definition_id = ${definitionId}` : sql``;
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1));
  const months = Array.from({ length: 12 }, (_, i) => new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + i, 1)));
  const counters = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      SELECT definition_id AS id, total, submitted, validated, refused, reopened, backlog, first_decided, final_decided
      FROM hab_stat_counters ${where} ${definitionId ? sql`AND` : sql`WHERE`} total > 0
      ORDER BY definition_id`),
  );
  if (!counters.length) return [];
  const ids = counters.map((c) => String(c.id));
  const monthRows = rowsOf<{ id: string; month: unknown; submitted: unknown; decided: unknown }>(
    await db.execute(sql`
      SELECT definition_id AS id, month, submitted, decided FROM hab_stat_months
      WHERE definition_id IN (${sql.join(
        ids.map((i) => sql`${i}`),
        sql`, `,
      )}) ORDER BY month`),
  );

  // The values at the ranks the percentiles need: one indexed probe (OFFSET on the ordered index) per rank pair.
  const probes: { id: string; kind: Kind; p: number; lo: number; hi: number; frac: number }[] = [];
  const parts: SQL[] = [];
  for (const c of counters) {
    const n: Record<Kind, number> = { submit: Number(c.submitted), first: Number(c.first_decided), final: Number(c.final_decided) };
    for (const kind of KINDS)
      for (const p of PERCENTILES) {
        if (n[kind] === 0) continue;
        const r = ranks(p, n[kind]);
        const tag = probes.length;
        probes.push({ id: String(c.id), kind, p, ...r });
        parts.push(
          sql`(SELECT ${tag}::int AS tag, hours FROM hab_stat_durations WHERE definition_id = ${String(c.id)} AND kind = ${kind} ORDER BY hours OFFSET ${r.lo} LIMIT ${r.hi - r.lo + 1})`,
        );
      }
  }
  const values = new Map<number, number[]>();
  if (parts.length)
    for (const v of rowsOf<{ tag: unknown; hours: unknown }>(await db.execute(sql.join(parts, sql` UNION ALL `)))) {
      const list = values.get(Number(v.tag)) ?? [];
      list.push(Number(v.hours));
      values.set(Number(v.tag), list);
    }
  const percentile = (id: string, kind: Kind, p: number): number | null => {
    const i = probes.findIndex((x) => x.id === id && x.kind === kind && x.p === p);
    if (i < 0) return null;
    const [lo, hi = lo] = (values.get(i) ?? []).sort((a, b) => a - b);
    if (lo === undefined) return null;
    // float8_lerp of PostgreSQL: lo + (hi - lo) * frac.
    return lo + (hi! - lo) * probes[i]!.frac;
  };

  return counters.map((c) => {
    const id = String(c.id);
    // Backlog at the end of month i: submitted before it ends − finally decided before it ends (cumulated
    // over every month since the first request). The current month ends « now »: its bucket holds the
    // dates of this month so far (transitions are dated by the clock, never ahead of it).
    const own = monthRows
      .filter((m) => m.id === id)
      .map((m) => ({ at: new Date(m.month as string | Date).getTime(), s: Number(m.submitted), d: Number(m.decided) }));
    const backlogAt = (end: number) => own.filter((m) => m.at < end).reduce((acc, m) => acc + m.s - m.d, 0);
    return {
      definitionId: id,
      volumes: {
        submitted: Number(c.submitted),
        validated: Number(c.validated),
        refused: Number(c.refused),
        reopened: Number(c.reopened),
        total: Number(c.total),
      },
      backlog: Number(c.backlog),
      backlogSeries: months.map((m) => ({
        month: m.toISOString().slice(0, 7),
        backlog: backlogAt(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1)),
      })),
      timeToSubmit: { p50: hours(percentile(id, 'submit', 0.5)), p80: hours(percentile(id, 'submit', 0.8)) },
      timeToFirstDecision: { p50: hours(percentile(id, 'first', 0.5)), p80: hours(percentile(id, 'first', 0.8)) },
      timeToFinalDecision: { p50: hours(percentile(id, 'final', 0.5)), p80: hours(percentile(id, 'final', 0.8)) },
    };
  });
}

import {
  actionStatuses,
  openingStatuses,
  timelinessValues,
  type Action as ActionDto,
  type BurnupPoint,
  type Dashboard,
  type GroupStats,
  type Opening as OpeningDto,
} from '@patrimoine/contracts/roadmap';
import { finalDeadline, parisDate, periodEnd, semesterOf, periodLabel } from './periods.ts';

export type { BurnupPoint, Dashboard, GroupStats };

function group(actions: ActionDto[], keysOf: (a: ActionDto) => { key: string; label: string }[]): GroupStats[] {
  const m = new Map<string, GroupStats & { sum: number; counted: number }>();
  for (const a of actions) {
    for (const { key, label } of keysOf(a)) {
      let g = m.get(key);
      if (!g) {
        g = { key, label, total: 0, a_lancer: 0, en_cours: 0, realisee: 0, abandonnee: 0, overdue: 0, meanProgress: 0, sum: 0, counted: 0 };
        m.set(key, g);
      }
      g.total++;
      g[a.status]++;
      if (a.overdue) g.overdue++;
      if (a.status !== 'abandonnee') {
        g.sum += a.progress;
        g.counted++;
      }
    }
  }
  return [...m.values()].map(({ sum, counted, ...g }) => ({ ...g, meanProgress: counted ? Math.round(sum / counted) : 0 }));
}

const sectionOrder = (s: string) =>
  s
    .split('.')
    .map((n) => n.padStart(3, '0'))
    .join('.');

/**
 * Burn-up from the update log: replays every status change of the actions in `ids`, in order, and
 * gives the state at the end of each day something changed (plus today).
 */
export function burnup(log: { actionId: string | null; at: Date; statusAfter: string | null }[], ids: Set<string>, now: Date): BurnupPoint[] {
  const status = new Map<string, string>();
  const points: BurnupPoint[] = [];
  // Counters kept up to date at each change: linear in the size of the log.
  let scope = 0;
  let started = 0;
  let done = 0;
  const count = (s: string | undefined, d: number) => {
    if (s === undefined || s === 'abandonnee') return;
    scope += d;
    if (s === 'en_cours' || s === 'realisee') started += d;
    if (s === 'realisee') done += d;
  };
  const snapshot = (date: string) => {
    const p = { date, scope, started, done };
    if (points.at(-1)?.date === date) points[points.length - 1] = p;
    else points.push(p);
  };
  for (const e of log) {
    if (!e.actionId || !e.statusAfter || !ids.has(e.actionId)) continue;
    count(status.get(e.actionId), -1);
    status.set(e.actionId, e.statusAfter);
    count(e.statusAfter, 1);
    snapshot(parisDate(e.at));
  }
  if (status.size) snapshot(parisDate(now));
  return points;
}

export interface DashboardFilters {
  section?: string;
  contributor?: string;
  status?: string;
}

/** Every figure of the dashboard, for the actions and openings given (already filtered). */
export function buildDashboard(
  actions: ActionDto[],
  openings: OpeningDto[],
  log: { actionId: string | null; at: Date; statusAfter: string | null }[],
  now: Date,
  parts: Record<string, string> = {},
): Dashboard {
  const empty: GroupStats = {
    key: 'all',
    label: 'Toutes les actions',
    total: 0,
    a_lancer: 0,
    en_cours: 0,
    realisee: 0,
    abandonnee: 0,
    overdue: 0,
    meanProgress: 0,
  };
  const totals = group(actions, () => [{ key: 'all', label: 'Toutes les actions' }])[0] ?? empty;
  const bySection = group(actions, (a) => [{ key: a.section.split('.')[0]!, label: '' }]).sort((x, y) =>
    sectionOrder(x.key).localeCompare(sectionOrder(y.key)),
  );
  const bySubsection = group(actions, (a) => [{ key: a.section, label: a.sectionTitle }]).sort((x, y) =>
    sectionOrder(x.key).localeCompare(sectionOrder(y.key)),
  );
  for (const s of bySection) s.label = parts[s.key] ? `${s.key}. ${parts[s.key]}` : `Partie ${s.key}`;
  const byContributor = group(actions, (a) => [
    ...a.contributors.map((c) => ({ key: c.code, label: c.name })),
    ...(a.contributors.length === 0 ? a.collectiveContributors.map((c) => ({ key: c, label: c })) : []),
  ]).sort((x, y) => y.total - x.total || x.key.localeCompare(y.key));
  const bySemester = group(actions, (a) => {
    const s = semesterOf(finalDeadline(a));
    return [{ key: s, label: periodLabel(s) }];
  }).sort((x, y) => x.key.localeCompare(y.key));
  const horizon = now.getTime() + 183 * 86400_000;
  const upcoming = actions
    .filter((a) => a.status !== 'realisee' && a.status !== 'abandonnee')
    .flatMap((a) =>
      [a.deadline, a.deadlineEnd]
        .filter((d): d is string => !!d)
        .map((d) => ({ a, d, end: periodEnd(d).getTime() }))
        .filter((x) => x.end > now.getTime() && x.end <= horizon),
    )
    .sort((x, y) => x.end - y.end)
    .map((x) => ({
      code: x.a.code,
      title: x.a.title,
      deadline: x.d,
      deadlineLabel: periodLabel(x.d),
      status: x.a.status,
      progress: x.a.progress,
      contributors: x.a.contributors.map((c) => c.code),
    }));
  const overdue = actions
    .filter((a) => a.overdue)
    .map((a) => ({
      code: a.code,
      title: a.title,
      deadline: finalDeadline(a),
      deadlineLabel: a.deadlineLabel,
      status: a.status,
      progress: a.progress,
      contributors: a.contributors.map((c) => c.code),
      lastNote: a.lastNote,
    }));

  const openingsByStatus = Object.fromEntries(openingStatuses.map((s) => [s, openings.filter((o) => o.status === s).length])) as Record<
    (typeof openingStatuses)[number],
    number
  >;
  const timelinessKeys = timelinessValues;
  const timeliness = Object.fromEntries(timelinessKeys.map((k) => [k, openings.filter((o) => o.timeliness === k).length])) as Record<
    (typeof timelinessKeys)[number],
    number
  >;
  const quarters = [...new Set(openings.map((o) => o.due))].sort();
  const openingsByQuarter = quarters.map((q) => {
    const list = openings.filter((o) => o.due === q);
    return {
      key: q,
      label: periodLabel(q),
      total: list.length,
      ...(Object.fromEntries(timelinessKeys.map((k) => [k, list.filter((o) => o.timeliness === k).length])) as Record<(typeof timelinessKeys)[number], number>),
    };
  });
  const ids = new Set(actions.map((a) => a.id));
  return {
    asOf: now,
    totals,
    statuses: [...actionStatuses],
    bySection,
    bySubsection,
    byContributor,
    bySemester,
    overdue,
    upcoming,
    openings: { total: openings.length, byStatus: openingsByStatus, timeliness, byQuarter: openingsByQuarter },
    burnup: burnup(log, ids, now),
    gaps: [],
  };
}

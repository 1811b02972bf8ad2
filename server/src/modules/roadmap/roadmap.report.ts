import { statusLabel, timelinessLabels, type Report } from '@patrimoine/contracts/roadmap';
import { actorLabel } from '@patrimoine/contracts/platform';
import { isOverdue, parisDate, periodEnd, periodLabel, periodStart, previousQuarter } from './periods.ts';
import type { ActionWithOrgs, DecisionRow, IndicatorRow, OpeningRow, RoadmapRepository, RoadmapRow, UpdateRow } from './roadmap.repository.ts';
import { actorLabelOf } from './roadmap.dto.ts';

export type { Report };
/** French label of a status of an action or an opening (« — » when none). */
export const statusFr = statusLabel;
const frDate = (ymd: string) => ymd.split('-').reverse().join('/');

export interface ReportInput {
  roadmap: RoadmapRow;
  quarter: string;
  now: Date;
  actions: ActionWithOrgs[];
  openings: OpeningRow[];
  /** Log entries of the quarter (oldest first). */
  updates: UpdateRow[];
  /** Latest note per action id, up to the report's date. */
  latestNotes: Map<string, { at: Date; actorLabel: string; note: string }>;
  indicators: IndicatorRow[];
  decisions: DecisionRow[];
  /** Status and progress changes up to the report's date: the state of each action at that date. */
  stateLog?: { actionId: string | null; at: Date; statusAfter: string | null; progressAfter: number | null }[];
}

/** The committee report of a quarter: what changed since the previous committee, what is late, indicators, decisions. */
export function buildReport(i: ReportInput): Report {
  const from = periodStart(i.quarter);
  const end = periodEnd(i.quarter);
  const asOf = i.now.getTime() < end.getTime() ? i.now : new Date(end.getTime() - 1);
  // The state of each action at the report's date (a past quarter's report shows that quarter's
  // situation, not today's), replayed from the log; the current state when the log says nothing.
  const past = new Map<string, { status?: string; progress?: number }>();
  for (const e of i.stateLog ?? []) {
    if (!e.actionId || e.at.getTime() > asOf.getTime()) continue;
    const s = past.get(e.actionId) ?? {};
    if (e.statusAfter) s.status = e.statusAfter;
    if (e.progressAfter !== null) s.progress = e.progressAfter;
    past.set(e.actionId, s);
  }
  const actions = i.actions.map((a) => ({
    ...a,
    status: (past.get(a.id)?.status ?? a.status) as typeof a.status,
    progress: past.get(a.id)?.progress ?? a.progress,
  }));
  const byId = new Map(actions.map((a) => [a.id, a]));
  const openingById = new Map(i.openings.map((o) => [o.id, o]));
  const statusChanges = i.updates
    .filter((u) => u.actionId && u.changes.status && byId.has(u.actionId))
    .map((u) => {
      const a = byId.get(u.actionId!)!;
      return {
        code: a.code,
        title: a.title,
        from: String(u.changes.status!.from),
        to: String(u.changes.status!.to),
        at: u.at,
        by: actorLabelOf(u.actorLabel),
        note: u.note,
      };
    });
  const progressChanges = i.updates.filter((u) => u.actionId && u.changes.progress && !u.changes.status).length;
  const notes = i.updates.filter((u) => u.actionId && u.note && u.kind !== 'import').length;
  const delivered = i.updates
    .filter((u) => u.openingId && u.kind !== 'import' && u.statusAfter === 'disponible' && openingById.has(u.openingId))
    .map((u) => {
      const o = openingById.get(u.openingId!)!;
      const on = (u.changes.availableOn?.to as string | null | undefined) ?? o.availableOn ?? parisDate(u.at);
      return {
        title: o.title,
        due: o.due,
        dueLabel: periodLabel(o.due),
        availableOn: on,
        onTime: on < parisDate(periodEnd(o.due)),
        automatic: u.kind === 'automatic',
        by: actorLabelOf(u.actorLabel),
      };
    });
  const overdue = actions
    .filter((a) => isOverdue(a, asOf))
    .map((a) => {
      const n = i.latestNotes.get(a.id);
      return {
        code: a.code,
        title: a.title,
        deadlineLabel: a.deadlineEnd ? `${periodLabel(a.deadline)} puis ${periodLabel(a.deadlineEnd)}` : periodLabel(a.deadline),
        status: a.status,
        progress: a.progress,
        contributors: a.organisations.map((o) => o.code).concat(a.organisations.length ? [] : a.collectiveContributors),
        lastNote: n && n.at.getTime() <= asOf.getTime() ? { at: n.at, by: actorLabelOf(n.actorLabel), note: n.note } : null,
      };
    });
  const indicators = i.indicators
    .map((ind) => {
      const a = [...byId.values()].find((x) => x.id === ind.actionId);
      const upTo = ind.history.filter((h) => new Date(h.at).getTime() <= asOf.getTime());
      const value = upTo.at(-1)?.value ?? (ind.history.length ? null : ind.currentValue);
      const previous = ind.history.filter((h) => new Date(h.at).getTime() < from.getTime()).at(-1)?.value ?? null;
      return { code: a?.code ?? '', name: ind.name, unit: ind.unit, target: ind.target, value, previous };
    })
    .sort((x, y) => x.code.localeCompare(y.code) || x.name.localeCompare(y.name));
  const counts = { total: actions.length, a_lancer: 0, en_cours: 0, realisee: 0, abandonnee: 0 };
  for (const a of actions) counts[a.status]++;
  return {
    roadmap: { id: i.roadmap.id, slug: i.roadmap.slug, title: i.roadmap.title },
    quarter: i.quarter,
    quarterLabel: periodLabel(i.quarter),
    previousQuarter: previousQuarter(i.quarter),
    from: parisDate(from),
    to: parisDate(asOf),
    generatedAt: i.now,
    summary: {
      actions: counts,
      overdue: overdue.length,
      statusChanges: statusChanges.length,
      progressChanges,
      notes,
      openingsDelivered: delivered.length,
      openingsAvailable: i.openings.filter((o) => o.status === 'disponible').length,
      openingsTotal: i.openings.length,
    },
    statusChanges,
    delivered,
    overdue,
    indicators,
    decisions: i.decisions.map((d) => ({ id: d.id, text: d.text, actionCode: d.actionCode, by: actorLabelOf(d.actorLabel), at: d.createdAt })),
    gaps: [],
    sections: [],
  };
}

/** Loads what the report of `quarter` needs and builds it (changes up to now or the end of the quarter). */
export async function loadReport(repo: RoadmapRepository, r: RoadmapRow, quarter: string, now: Date): Promise<Report> {
  const end = periodEnd(quarter);
  const to = now.getTime() < end.getTime() ? now : end;
  const [actions, openings, updates, notes, decisions, stateLog] = await Promise.all([
    repo.listActions(r.id),
    repo.listOpenings(r.id),
    repo.updatesBetween(r.id, periodStart(quarter), to),
    repo.latestNotes(r.id),
    repo.listDecisions(r.id, quarter),
    to.getTime() < now.getTime() ? repo.actionStateLog(r.id, to) : Promise.resolve([]),
  ]);
  const indicators = await repo.listIndicators(actions.map((a) => a.id));
  return buildReport({ roadmap: r, quarter, now, actions, openings: openings.map((x) => x.o), updates, latestNotes: notes, indicators, decisions, stateLog });
}

const mdCell = (s: string | number | null | undefined) =>
  String(s ?? '—')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');

/** The report as Markdown (to paste into minutes or a wiki). */
export function reportMarkdown(r: Report): string {
  const l: string[] = [];
  l.push(`# Comité de gouvernance des données — ${r.quarterLabel}`, '');
  l.push(`**${r.roadmap.title}** — période du ${frDate(r.from)} au ${frDate(r.to)} (depuis le comité du ${periodLabel(r.previousQuarter)}).`, '');
  l.push('## Synthèse', '');
  l.push(
    `- Actions : ${r.summary.actions.total} (${r.summary.actions.realisee} réalisées, ${r.summary.actions.en_cours} en cours, ${r.summary.actions.a_lancer} à lancer, ${r.summary.actions.abandonnee} abandonnées)`,
  );
  l.push(`- Actions en retard : ${r.summary.overdue}`);
  l.push(`- Changements de statut sur la période : ${r.summary.statusChanges}`);
  l.push(
    `- Ouvertures livrées sur la période : ${r.summary.openingsDelivered} (${r.summary.openingsAvailable} disponibles sur ${r.summary.openingsTotal})`,
    '',
  );
  l.push('## Changements de statut depuis le précédent comité', '');
  if (r.statusChanges.length === 0) l.push('Aucun changement de statut sur la période.', '');
  else {
    l.push('| Action | Intitulé | Avant | Après | Date | Par | Note |', '|---|---|---|---|---|---|---|');
    for (const c of r.statusChanges)
      l.push(
        `| ${c.code} | ${mdCell(c.title)} | ${statusFr(c.from)} | ${statusFr(c.to)} | ${frDate(parisDate(new Date(c.at)))} | ${mdCell(actorLabel(c.by))} | ${mdCell(c.note)} |`,
      );
    l.push('');
  }
  l.push('## Ouvertures livrées', '');
  if (r.delivered.length === 0) l.push('Aucune ouverture livrée sur la période.', '');
  else {
    l.push(`| Ouverture | Échéance | Disponible le | ${timelinessLabels.a_temps} |`, '|---|---|---|---|');
    for (const d of r.delivered) l.push(`| ${mdCell(d.title)} | ${d.dueLabel} | ${frDate(d.availableOn)} | ${d.onTime ? 'oui' : 'non'} |`);
    l.push('');
  }
  l.push('## Actions en retard', '');
  if (r.overdue.length === 0) l.push('Aucune action en retard.', '');
  else {
    l.push('| Action | Intitulé | Échéance | Statut | Avancement | Contributeurs | Dernière note |', '|---|---|---|---|---|---|---|');
    for (const o of r.overdue)
      l.push(
        `| ${o.code} | ${mdCell(o.title)} | ${o.deadlineLabel} | ${statusFr(o.status)} | ${o.progress} % | ${mdCell(o.contributors.join(', '))} | ${o.lastNote ? mdCell(`${frDate(parisDate(new Date(o.lastNote.at)))} (${actorLabel(o.lastNote.by)}) : ${o.lastNote.note}`) : '—'} |`,
      );
    l.push('');
  }
  l.push('## Indicateurs', '');
  if (r.indicators.length === 0) l.push('Aucun indicateur renseigné.', '');
  else {
    l.push('| Action | Indicateur | Valeur | Trimestre précédent | Cible | Unité |', '|---|---|---|---|---|---|');
    for (const x of r.indicators)
      l.push(`| ${x.code} | ${mdCell(x.name)} | ${mdCell(x.value)} | ${mdCell(x.previous)} | ${mdCell(x.target)} | ${mdCell(x.unit)} |`);
    l.push('');
  }
  l.push('## Décisions', '');
  if (r.decisions.length === 0) l.push('Aucune décision enregistrée pour ce comité.', '');
  else for (const d of r.decisions) l.push(`- ${d.actionCode ? `**${d.actionCode}** — ` : ''}${d.text.replace(/\r?\n/g, ' ')}`);
  if (r.gaps.length) {
    l.push('', '## Lacunes signalées', '', '| Action | Organisation | Lacune |', '|---|---|---|');
    for (const g of r.gaps) l.push(`| ${g.actionCode} | ${mdCell(g.organisation)} | ${mdCell(g.label)} |`);
  }
  for (const sec of r.sections) {
    l.push('', `## ${sec.title}`, '', sec.summary.replace(/\r?\n/g, ' '), '');
    if (sec.rows.length) {
      l.push(`| ${sec.columns.map(mdCell).join(' | ')} |`, `|${sec.columns.map(() => '---').join('|')}|`);
      for (const row of sec.rows) l.push(`| ${row.map(mdCell).join(' | ')} |`);
    }
  }
  l.push('', `_Généré par Patrimoine le ${frDate(parisDate(new Date(r.generatedAt)))}._`, '');
  return l.join('\n');
}

const esc = (s: unknown) =>
  String(s ?? '—')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** Print stylesheet: A4 pages with margins, repeated table headers, no row split across pages. */
export const REPORT_CSS = `
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
* { box-sizing: border-box; }
body { font-family: Marianne, Arial, Helvetica, sans-serif; color: #161616; font-size: 11pt; line-height: 1.4; margin: 0 auto; max-width: 1000px; padding: 1.5rem; }
header { border-bottom: 3px solid #000091; margin-bottom: 1rem; padding-bottom: .5rem; }
header .brand { font-weight: 700; text-transform: uppercase; font-size: 9pt; letter-spacing: .03em; }
h1 { font-size: 18pt; margin: .4rem 0; color: #000091; }
h2 { font-size: 13pt; margin: 1.4rem 0 .5rem; color: #000091; border-bottom: 1px solid #ddd; padding-bottom: .2rem; break-after: avoid; page-break-after: avoid; }
table { width: 100%; border-collapse: collapse; font-size: 9.5pt; margin: .4rem 0 1rem; }
th, td { border: 1px solid #929292; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #eeeeff; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
.summary { display: grid; grid-template-columns: repeat(4, 1fr); gap: .5rem; margin: .5rem 0 1rem; }
.summary div { border: 1px solid #ddd; border-left: 4px solid #000091; padding: .4rem .6rem; }
.summary strong { display: block; font-size: 16pt; }
.late { color: #ce0500; font-weight: 700; }
.nowrap { white-space: nowrap; }
.muted { color: #666; }
footer { margin-top: 2rem; font-size: 8.5pt; color: #666; }
@media print {
  body { padding: 0; max-width: none; }
  a { color: inherit; text-decoration: none; }
  .no-print { display: none; }
}
`;

/** The report as a standalone HTML page (no script), printable on A4. */
export function reportHtml(r: Report): string {
  const table = (head: string[], rows: string[][], caption: string) =>
    `<table><caption class="muted" style="caption-side:top;text-align:left">${esc(caption)}</caption><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
      .map((row) => `<tr>${row.map((c) => `<td>${c}</td>`).join('')}</tr>`)
      .join('')}</tbody></table>`;
  const s = r.summary;
  const parts: string[] = [];
  parts.push(
    `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Comité de gouvernance des données — ${esc(r.quarterLabel)}</title><meta name="viewport" content="width=device-width, initial-scale=1"><style>${REPORT_CSS}</style></head><body>`,
  );
  parts.push(
    `<header><div class="brand">Ministère de l’Intérieur — Patrimoine</div><h1>Comité de gouvernance des données — ${esc(r.quarterLabel)}</h1><p>${esc(r.roadmap.title)}<br><span class="muted">Période du ${frDate(r.from)} au ${frDate(r.to)}, depuis le comité du ${esc(periodLabel(r.previousQuarter))}.</span></p></header>`,
  );
  parts.push('<main>');
  parts.push(
    `<section aria-labelledby="synthese"><h2 id="synthese">Synthèse</h2><div class="summary"><div><strong>${s.actions.total}</strong>actions</div><div><strong>${s.actions.realisee ?? 0}</strong>réalisées</div><div><strong class="late">${s.overdue}</strong>en retard</div><div><strong>${s.openingsAvailable}/${s.openingsTotal}</strong>ouvertures disponibles</div></div><p>${s.statusChanges} changement(s) de statut, ${s.progressChanges} mise(s) à jour d’avancement et ${s.notes} note(s) sur la période ; ${s.openingsDelivered} ouverture(s) livrée(s).</p></section>`,
  );
  parts.push('<section aria-labelledby="changements"><h2 id="changements">Changements de statut depuis le précédent comité</h2>');
  parts.push(
    r.statusChanges.length
      ? table(
          ['Action', 'Intitulé', 'Avant', 'Après', 'Date', 'Par', 'Note'],
          r.statusChanges.map((c) => [
            `<strong class="nowrap">${esc(c.code)}</strong>`,
            esc(c.title),
            `<span class="nowrap">${esc(statusFr(c.from))}</span>`,
            `<span class="nowrap">${esc(statusFr(c.to))}</span>`,
            frDate(parisDate(new Date(c.at))),
            esc(actorLabel(c.by)),
            esc(c.note ?? ''),
          ]),
          'Changements de statut des actions',
        )
      : '<p>Aucun changement de statut sur la période.</p>',
  );
  parts.push('</section><section aria-labelledby="livrees"><h2 id="livrees">Ouvertures livrées</h2>');
  parts.push(
    r.delivered.length
      ? table(
          ['Ouverture', 'Échéance', 'Disponible le', timelinessLabels.a_temps],
          r.delivered.map((d) => [esc(d.title), esc(d.dueLabel), frDate(d.availableOn), d.onTime ? 'oui' : '<span class="late">non</span>']),
          'Ouvertures devenues disponibles',
        )
      : '<p>Aucune ouverture livrée sur la période.</p>',
  );
  parts.push('</section><section aria-labelledby="retard"><h2 id="retard">Actions en retard</h2>');
  parts.push(
    r.overdue.length
      ? table(
          ['Action', 'Intitulé', 'Échéance', 'Statut', 'Avanc.', 'Contributeurs', 'Dernière note'],
          r.overdue.map((o) => [
            `<strong class="nowrap">${esc(o.code)}</strong>`,
            esc(o.title),
            esc(o.deadlineLabel),
            `<span class="nowrap">${esc(statusFr(o.status))}</span>`,
            `<span class="nowrap">${o.progress} %</span>`,
            esc(o.contributors.join(', ')),
            o.lastNote
              ? `${frDate(parisDate(new Date(o.lastNote.at)))} (${esc(actorLabel(o.lastNote.by))}) : ${esc(o.lastNote.note)}`
              : '<span class="muted">aucune note</span>',
          ]),
          'Actions dont l’échéance est dépassée',
        )
      : '<p>Aucune action en retard.</p>',
  );
  parts.push('</section><section aria-labelledby="indicateurs"><h2 id="indicateurs">Indicateurs</h2>');
  parts.push(
    r.indicators.length
      ? table(
          ['Action', 'Indicateur', 'Valeur', 'Trimestre précédent', 'Cible', 'Unité'],
          r.indicators.map((x) => [esc(x.code), esc(x.name), esc(x.value), esc(x.previous), esc(x.target), esc(x.unit)]),
          'Indicateurs des actions',
        )
      : '<p>Aucun indicateur renseigné.</p>',
  );
  parts.push('</section><section aria-labelledby="decisions"><h2 id="decisions">Décisions</h2>');
  parts.push(
    r.decisions.length
      ? `<ol>${r.decisions.map((d) => `<li>${d.actionCode ? `<strong>${esc(d.actionCode)}</strong> — ` : ''}${esc(d.text)}</li>`).join('')}</ol>`
      : '<p>Aucune décision enregistrée pour ce comité.</p>',
  );
  if (r.gaps.length) {
    parts.push('</section><section aria-labelledby="lacunes"><h2 id="lacunes">Lacunes signalées</h2>');
    parts.push(
      table(
        ['Action', 'Organisation', 'Lacune'],
        r.gaps.map((g) => [`<strong class="nowrap">${esc(g.actionCode)}</strong>`, esc(g.organisation), esc(g.label)]),
        'Lacunes du réseau des administrateurs des données',
      ),
    );
  }
  for (const sec of r.sections) {
    parts.push(`</section><section aria-labelledby="s-${esc(sec.id)}"><h2 id="s-${esc(sec.id)}">${esc(sec.title)}</h2><p>${esc(sec.summary)}</p>`);
    if (sec.rows.length)
      parts.push(
        table(
          sec.columns,
          sec.rows.map((row) => row.map(esc)),
          sec.title,
        ),
      );
  }
  parts.push(`</section></main><footer>Généré par Patrimoine le ${frDate(parisDate(new Date(r.generatedAt)))}.</footer></body></html>`);
  return parts.join('');
}

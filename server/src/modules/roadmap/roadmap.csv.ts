import {
  openingTypeLabels,
  statusLabel,
  timelinessLabels,
  timelinessValues,
  type Action,
  type Dashboard,
  type Opening,
  type PublicRoadmap,
  type Update,
} from '@patrimoine/contracts/roadmap';
import { actorLabel } from '@patrimoine/contracts/platform';
import { labelOf } from '@patrimoine/contracts/common';

/** A CSV download: file name (without extension), columns and rows. The routes stream it. */
export interface CsvTable {
  name: string;
  columns: { key: string; header: string }[];
  rows: Record<string, unknown>[];
}

/** The actions list; its columns are re-importable by the bulk update (code, statut, avancement, pilote). */
export function actionsCsv(slug: string, items: Action[]): CsvTable {
  return {
    name: `actions-${slug}`,
    columns: [
      { key: 'code', header: 'code' },
      { key: 'title', header: 'intitulé' },
      { key: 'section', header: 'section' },
      { key: 'sectionTitle', header: 'titre de la section' },
      { key: 'deadlineLabel', header: 'échéance' },
      { key: 'dueDate', header: 'date limite' },
      { key: 'status', header: 'statut' },
      { key: 'overdue', header: 'en retard' },
      { key: 'progress', header: 'avancement' },
      { key: 'pilot', header: 'pilote' },
      { key: 'contributors', header: 'contributeurs' },
      { key: 'sourceNote', header: 'remarque sur la source' },
      { key: 'lastNoteText', header: 'dernière note' },
    ],
    rows: items.map((a) => ({
      ...a,
      contributors: [...a.contributors.map((c) => c.code), ...a.collectiveContributors].join(', '),
      lastNoteText: a.lastNote?.note ?? '',
    })),
  };
}

export function openingsCsv(slug: string, items: Opening[]): CsvTable {
  return {
    name: `ouvertures-${slug}`,
    columns: [
      { key: 'category', header: 'catégorie' },
      { key: 'title', header: 'ouverture' },
      { key: 'typeFr', header: 'type' },
      { key: 'due', header: 'échéance' },
      { key: 'statusFr', header: 'statut' },
      { key: 'availableOn', header: 'disponible le' },
      { key: 'timelinessFr', header: 'délai' },
      { key: 'organisationCode', header: 'organisation' },
      { key: 'assetTitle', header: 'actif du catalogue' },
    ],
    rows: items.map((o) => ({
      ...o,
      typeFr: labelOf(openingTypeLabels, o.type),
      statusFr: statusLabel(o.status),
      timelinessFr: labelOf(timelinessLabels, o.timeliness),
      assetTitle: o.asset?.title ?? o.assetId ?? '',
    })),
  };
}

export function updatesCsv(slug: string, items: (Update & { openingTitle: string | null })[]): CsvTable {
  return {
    name: `journal-${slug}`,
    columns: [
      { key: 'at', header: 'date' },
      { key: 'author', header: 'auteur' },
      { key: 'kind', header: 'type' },
      { key: 'actionCode', header: 'action' },
      { key: 'openingTitle', header: 'ouverture' },
      { key: 'statusAfter', header: 'statut après' },
      { key: 'progressAfter', header: 'avancement après' },
      { key: 'changesText', header: 'changements' },
      { key: 'note', header: 'note' },
    ],
    rows: items.map((x) => ({
      ...x,
      author: actorLabel(x.actorLabel),
      changesText: Object.entries(x.changes)
        .map(([k, c]) => `${k}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`)
        .join(' ; '),
    })),
  };
}

const statsColumns = [
  { key: 'key', header: 'clé' },
  { key: 'label', header: 'libellé' },
  { key: 'total', header: 'actions' },
  { key: 'a_lancer', header: 'à lancer' },
  { key: 'en_cours', header: 'en cours' },
  { key: 'realisee', header: 'réalisées' },
  { key: 'abandonnee', header: 'abandonnées' },
  { key: 'overdue', header: 'en retard' },
  { key: 'meanProgress', header: 'avancement moyen (%)' },
];

/** One table of the dashboard. */
export function dashboardCsv(
  slug: string,
  d: Dashboard,
  table: 'bySection' | 'bySubsection' | 'byContributor' | 'bySemester' | 'overdue' | 'upcoming' | 'openingsByQuarter' | 'burnup',
): CsvTable {
  const name = `tableau-de-bord-${table}-${slug}`;
  if (table === 'overdue' || table === 'upcoming') {
    const rows = (table === 'overdue' ? d.overdue : d.upcoming.map((x) => ({ ...x, lastNote: null }))).map((x) => ({
      ...x,
      status: statusLabel(x.status),
      contributors: x.contributors.join(', '),
      lastNote: x.lastNote?.note ?? '',
    }));
    return {
      name,
      columns: [
        { key: 'code', header: 'code' },
        { key: 'title', header: 'intitulé' },
        { key: 'deadlineLabel', header: 'échéance' },
        { key: 'status', header: 'statut' },
        { key: 'progress', header: 'avancement' },
        { key: 'contributors', header: 'contributeurs' },
        ...(table === 'overdue' ? [{ key: 'lastNote', header: 'dernière note' }] : []),
      ],
      rows,
    };
  }
  if (table === 'openingsByQuarter') {
    return {
      name,
      columns: [
        { key: 'key', header: 'trimestre' },
        { key: 'total', header: 'ouvertures' },
        ...timelinessValues.map((key) => ({ key, header: timelinessLabels[key] })),
      ],
      rows: d.openings.byQuarter,
    };
  }
  if (table === 'burnup') {
    return {
      name,
      columns: [
        { key: 'date', header: 'date' },
        { key: 'scope', header: 'périmètre' },
        { key: 'started', header: 'lancées' },
        { key: 'done', header: 'réalisées' },
      ],
      rows: d.burnup,
    };
  }
  return { name, columns: statsColumns, rows: d[table] };
}

/** The public page's tables, without names or notes, like the page. */
export function publicCsv(d: PublicRoadmap, table: 'actions' | 'openings'): CsvTable {
  if (table === 'openings')
    return {
      name: 'ouvertures',
      columns: [
        { key: 'title', header: 'ouverture' },
        { key: 'category', header: 'catégorie' },
        { key: 'type', header: 'type' },
        { key: 'dueLabel', header: 'échéance' },
        { key: 'status', header: 'statut' },
        { key: 'availableOn', header: 'disponible le' },
      ],
      rows: d.openings,
    };
  return {
    name: 'actions',
    columns: [
      { key: 'code', header: 'code' },
      { key: 'title', header: 'action' },
      { key: 'section', header: 'section' },
      { key: 'deadlineLabel', header: 'échéance' },
      { key: 'status', header: 'statut' },
      { key: 'progress', header: 'avancement (%)' },
      { key: 'overdue', header: 'en retard' },
    ],
    rows: d.actions,
  };
}

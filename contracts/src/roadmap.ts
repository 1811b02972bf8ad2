/**
 * Roadmap contract: the steering of the ministry's roadmap (actions, « en retard », sections,
 * contributors, indicators, announced openings, the dated update log, dashboards, the committee
 * report, the public transparency page and the CSV bulk update). Statuses and their French labels
 * are defined here once, for the server (validation, CSV, report) and the web app.
 */
import { z } from 'zod';
import { countsBy, fieldError, isoDay, labels, labelOf, paginationQuery, timestamp } from './common.ts';

// --- enums and labels ------------------------------------------------------------------------

export const actionStatuses = ['a_lancer', 'en_cours', 'realisee', 'abandonnee'] as const;
export const actionStatus = z.enum(actionStatuses);
export type ActionStatus = z.infer<typeof actionStatus>;
export const actionStatusLabels = labels(actionStatuses, { a_lancer: 'À lancer', en_cours: 'En cours', realisee: 'Réalisée', abandonnee: 'Abandonnée' });

export const openingStatuses = ['planifie', 'en_cours', 'disponible', 'reporte', 'abandonne'] as const;
export const openingStatus = z.enum(openingStatuses);
export type OpeningStatus = z.infer<typeof openingStatus>;
/** Feminine: « une ouverture ». */
export const openingStatusLabels = labels(openingStatuses, {
  planifie: 'Planifiée',
  en_cours: 'En cours',
  disponible: 'Disponible',
  reporte: 'Reportée',
  abandonne: 'Abandonnée',
});

export const openingTypes = ['jeu_de_donnees', 'api', 'code_source', 'algorithme'] as const;
export const openingType = z.enum(openingTypes);
export type OpeningType = z.infer<typeof openingType>;
export const openingTypeLabels = labels(openingTypes, { jeu_de_donnees: 'Jeu de données', api: 'API', code_source: 'Code source', algorithme: 'Algorithme' });

/** Whether an opening was (or will be) delivered by its due quarter. */
export const timelinessValues = ['a_temps', 'en_retard', 'date_inconnue', 'a_venir', 'sans_objet'] as const;
export const timeliness = z.enum(timelinessValues);
export type Timeliness = z.infer<typeof timeliness>;
export const timelinessLabels = labels(timelinessValues, {
  a_temps: 'Dans les délais',
  en_retard: 'En retard',
  date_inconnue: 'Date inconnue',
  a_venir: 'À venir',
  sans_objet: 'Sans objet',
});

/** Kinds of entries of the update log. */
export const updateKinds = ['import', 'edit', 'note', 'bulk', 'automatic', 'carry_over'] as const;
export const updateKind = z.enum(updateKinds);
export type UpdateKind = z.infer<typeof updateKind>;
export const updateKindLabels = labels(updateKinds, {
  import: 'Import',
  edit: 'Mise à jour',
  note: 'Note',
  bulk: 'Mise à jour en masse',
  automatic: 'Automatique',
  carry_over: 'Reprise',
});

/** Label of a status of an action or of an opening (the log and the report mix both). */
export function statusLabel(s: string | null | undefined): string {
  if (!s) return '—';
  return s in actionStatusLabels ? labelOf(actionStatusLabels, s) : labelOf(openingStatusLabels, s);
}

/** Names of the fields of the log's `changes`, as people read them. */
export const changeFieldLabels: Readonly<Record<string, string>> = {
  status: 'statut',
  progress: 'avancement',
  pilot: 'pilote',
  assetIds: 'actifs liés',
  deadline: 'échéance',
  deadlineEnd: 'seconde échéance',
  contributors: 'contributeurs',
  availableOn: 'disponible le',
  assetId: 'actif lié',
  organisationId: 'organisation',
  due: 'échéance',
};

/** One line of the log's changes, in French: « statut : À lancer → En cours ». */
export function describeChange(field: string, c: { from: unknown; to: unknown }): string {
  const v = (x: unknown) => {
    if (x === null || x === undefined || x === '') return '—';
    if (field === 'status') return statusLabel(String(x));
    if (field === 'progress') return `${String(x)} %`;
    if (Array.isArray(x)) return x.join(', ') || '—';
    return String(x);
  };
  const label = field.startsWith('indicateur:') ? `indicateur « ${field.slice(11)} »` : (changeFieldLabels[field] ?? field);
  return `${label} : ${v(c.from)} → ${v(c.to)}`;
}

// --- identifiers -----------------------------------------------------------------------------

export const period = z.string().regex(/^\d{4}-(S[12]|T[1-4])$/, 'Période attendue au format AAAA-S1, AAAA-S2 ou AAAA-T1 à AAAA-T4.');
export const quarter = z.string().regex(/^\d{4}-T[1-4]$/, 'Trimestre attendu au format AAAA-T1 à AAAA-T4 (ex. 2022-T1).');
const text = (max: number) => z.string().max(max, `${max} caractères au plus.`);
const day = z.iso.date('Date attendue (AAAA-MM-JJ).');

export const roadmapParams = z.object({ id: z.string().min(1).max(100).describe('Roadmap id (uuid) or slug, e.g. dac-2021-2023') });
export const actionCode = z.string().regex(/^[Aa]\d{1,4}(-\d{1,2})?$/, 'Code d’action attendu (ex. A10, A09-1).');
export const actionParams = roadmapParams.extend({ code: actionCode });
export const openingParams = roadmapParams.extend({ openingId: z.uuid() });
export const decisionParams = roadmapParams.extend({ decisionId: z.uuid() });

// --- responses -------------------------------------------------------------------------------

const changes = z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() }));
const codeName = z.object({ code: z.string(), name: z.string() });

export const roadmap = z.object({
  id: z.string(),
  slug: z.string(),
  title: z.string(),
  startYear: z.number(),
  endYear: z.number(),
  source: z.string().nullable(),
  public: z.boolean(),
});
export type Roadmap = z.output<typeof roadmap>;

/** A roadmap with what its filters need: parts, sections, contributors. */
export const roadmapSummary = roadmap.extend({
  parts: z.record(z.string(), z.string()),
  actions: z.number(),
  openings: z.number(),
  sections: z.array(z.object({ code: z.string(), title: z.string() })),
  contributors: z.array(codeName),
});
export type RoadmapSummary = z.output<typeof roadmapSummary>;

export const lastNote = z.object({ at: timestamp, actorLabel: z.string(), note: z.string() });
export type LastNote = z.output<typeof lastNote>;

export const action = z.object({
  id: z.string(),
  code: z.string(),
  parentCode: z.string().nullable(),
  title: z.string(),
  shortTitle: z.string().nullable(),
  section: z.string(),
  sectionTitle: z.string(),
  deadline: z.string(),
  deadlineEnd: z.string().nullable(),
  deadlineLabel: z.string(),
  dueDate: isoDay.describe('Last day of the final deadline period (Paris time)'),
  status: actionStatus,
  overdue: z.boolean().describe('« En retard »: not done nor abandoned and the final deadline period is over'),
  progress: z.number(),
  pilot: z.string().nullable(),
  contributors: z.array(codeName),
  collectiveContributors: z.array(z.string()),
  sourceContributors: z.array(z.string()),
  sourceNote: z.string().nullable().describe('Note on an inconsistency of the source'),
  assetIds: z.array(z.string()),
  carriedFromId: z.string().nullable(),
  updatedAt: timestamp,
  lastNote: lastNote.nullable(),
  canEdit: z.boolean().describe('Whether the caller may update this action'),
});
export type Action = z.output<typeof action>;

export const actionList = z.object({ items: z.array(action), total: z.number(), asOf: timestamp });

export const update = z.object({
  id: z.number(),
  at: timestamp,
  actorLabel: z.string().describe('Login of the author, or `system` (shown « le système »)'),
  kind: updateKind,
  note: z.string().nullable(),
  changes,
  statusAfter: z.string().nullable(),
  progressAfter: z.number().nullable(),
  actionCode: z.string().nullable(),
  roadmapTitle: z.string().nullable(),
});
export type Update = z.output<typeof update>;
export const updateListItem = update.extend({ openingTitle: z.string().nullable() });
export const updateList = z.object({ items: z.array(updateListItem), total: z.number() });

export const indicator = z.object({
  id: z.string(),
  name: z.string(),
  unit: z.string().nullable(),
  target: z.string().nullable(),
  currentValue: z.string().nullable(),
  history: z.array(z.object({ value: z.string(), at: z.string(), by: z.string() })),
  updatedAt: timestamp,
});
export type Indicator = z.output<typeof indicator>;

export const linkedAsset = z.object({
  id: z.string(),
  kind: z.string().nullable(),
  slug: z.string().nullable(),
  title: z.string().nullable(),
  openness: z.string().nullable(),
  found: z.boolean(),
});
const roadmapLink = z.object({ roadmapSlug: z.string(), roadmapTitle: z.string(), code: z.string() });

export const actionDetail = z.object({
  roadmap,
  action,
  indicators: z.array(indicator),
  assets: z.array(linkedAsset),
  updates: z.array(update),
  carriedFrom: roadmapLink.nullable(),
  carriedTo: z.array(roadmapLink),
  subActions: z.array(z.object({ code: z.string(), title: z.string(), status: actionStatus, overdue: z.boolean(), deadlineLabel: z.string() })),
});
export type ActionDetail = z.output<typeof actionDetail>;

export const opening = z.object({
  id: z.string(),
  position: z.number(),
  category: z.string(),
  title: z.string(),
  type: openingType,
  due: z.string(),
  dueLabel: z.string(),
  status: openingStatus,
  availableOn: isoDay.nullable(),
  timeliness,
  assetId: z.string().nullable(),
  /** The linked catalogue asset, resolved in lists when the catalog module is installed. */
  asset: z.object({ kind: z.string(), slug: z.string(), title: z.string(), openness: z.string() }).nullable().optional(),
  organisationCode: z.string().nullable(),
  updatedAt: timestamp,
  canEdit: z.boolean(),
});
export type Opening = z.output<typeof opening>;
export const openingList = z.object({ items: z.array(opening), total: z.number() });
export const openingDetail = z.object({ opening, updates: z.array(update) });

/** Figures of a group of actions (a part, a section, an organisation, a semester). */
export const groupStats = z.object({
  key: z.string(),
  label: z.string(),
  total: z.number(),
  a_lancer: z.number(),
  en_cours: z.number(),
  realisee: z.number(),
  abandonnee: z.number(),
  overdue: z.number(),
  meanProgress: z.number().describe('Mean progress (0-100), abandoned actions excluded'),
});
export type GroupStats = z.output<typeof groupStats>;
export const burnupPoint = z.object({ date: isoDay, scope: z.number(), started: z.number(), done: z.number() });
export type BurnupPoint = z.output<typeof burnupPoint>;

const timelinessCounts = z.object({ a_temps: z.number(), en_retard: z.number(), date_inconnue: z.number(), a_venir: z.number(), sans_objet: z.number() });
export const openingsSummary = z.object({
  total: z.number(),
  byStatus: countsBy(openingStatuses),
  timeliness: timelinessCounts,
  byQuarter: z.array(z.object({ key: z.string(), label: z.string(), total: z.number(), ...timelinessCounts.shape })),
});
const dueAction = z.object({
  code: z.string(),
  title: z.string(),
  deadline: z.string(),
  deadlineLabel: z.string(),
  status: actionStatus,
  progress: z.number(),
  contributors: z.array(z.string()),
});
/**
 * A gap another module reports on an action (a directorate without an appointed data administrator
 * for A57, without a mission letter for A58…): shown on the dashboard and in the committee report.
 */
export const roadmapGap = z.object({
  actionCode: z.string(),
  /** Organisation concerned (code), or null. */
  organisation: z.string().nullable(),
  /** What is missing, in French (« Aucun administrateur des données métiers nommé »). */
  label: z.string(),
  /** Module that reports it (« governance »). */
  source: z.string(),
});
export type RoadmapGap = z.output<typeof roadmapGap>;

/** A section another module adds to the committee report (e.g. the result of a review campaign). */
export const reportSection = z.object({
  id: z.string(),
  title: z.string(),
  /** One paragraph of summary. */
  summary: z.string(),
  columns: z.array(z.string()),
  rows: z.array(z.array(z.string())),
});
export type ReportSection = z.output<typeof reportSection>;

export const dashboard = z.object({
  asOf: timestamp,
  totals: groupStats,
  statuses: z.array(actionStatus),
  bySection: z.array(groupStats),
  bySubsection: z.array(groupStats),
  byContributor: z.array(groupStats),
  bySemester: z.array(groupStats),
  overdue: z.array(dueAction.extend({ lastNote: lastNote.nullable() })),
  upcoming: z.array(dueAction),
  openings: openingsSummary,
  burnup: z.array(burnupPoint),
  /** Gaps reported by other modules (governance: vacancies of the network). */
  gaps: z.array(roadmapGap),
});
export type Dashboard = z.output<typeof dashboard>;
export const dashboardTables = ['bySection', 'bySubsection', 'byContributor', 'bySemester', 'overdue', 'upcoming', 'openingsByQuarter', 'burnup'] as const;

export const decision = z.object({
  id: z.string(),
  quarter: z.string(),
  text: z.string(),
  actionCode: z.string().nullable(),
  actorLabel: z.string(),
  createdAt: timestamp,
});
export type Decision = z.output<typeof decision>;

/** The committee report of a quarter: what changed since the previous committee, what is late, indicators, decisions. */
export const report = z.object({
  roadmap: roadmap.pick({ id: true, slug: true, title: true }),
  quarter: z.string(),
  quarterLabel: z.string(),
  previousQuarter: z.string(),
  from: isoDay,
  to: isoDay,
  generatedAt: timestamp,
  summary: z.object({
    actions: z.object({ total: z.number(), a_lancer: z.number(), en_cours: z.number(), realisee: z.number(), abandonnee: z.number() }),
    overdue: z.number(),
    statusChanges: z.number(),
    progressChanges: z.number(),
    notes: z.number(),
    openingsDelivered: z.number(),
    openingsAvailable: z.number(),
    openingsTotal: z.number(),
  }),
  statusChanges: z.array(
    z.object({ code: z.string(), title: z.string(), from: z.string(), to: z.string(), at: timestamp, by: z.string(), note: z.string().nullable() }),
  ),
  delivered: z.array(
    z.object({ title: z.string(), due: z.string(), dueLabel: z.string(), availableOn: isoDay, onTime: z.boolean(), automatic: z.boolean(), by: z.string() }),
  ),
  overdue: z.array(
    z.object({
      code: z.string(),
      title: z.string(),
      deadlineLabel: z.string(),
      status: actionStatus,
      progress: z.number(),
      contributors: z.array(z.string()),
      lastNote: z.object({ at: timestamp, by: z.string(), note: z.string() }).nullable(),
    }),
  ),
  indicators: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      unit: z.string().nullable(),
      target: z.string().nullable(),
      value: z.string().nullable(),
      previous: z.string().nullable(),
    }),
  ),
  decisions: z.array(z.object({ id: z.string(), text: z.string(), actionCode: z.string().nullable(), by: z.string(), at: timestamp })),
  /** Gaps reported by other modules at the report's date. */
  gaps: z.array(roadmapGap),
  /** Sections added by other modules (review campaigns of the cartography…). */
  sections: z.array(reportSection),
});
export type Report = z.output<typeof report>;

/** The public transparency page: figures and tables, no names, no notes. */
export const publicAction = z.object({
  code: z.string(),
  title: z.string(),
  section: z.string(),
  deadlineLabel: z.string(),
  status: actionStatus,
  progress: z.number(),
  overdue: z.boolean(),
});
export const publicOpening = z.object({
  title: z.string(),
  category: z.string(),
  type: openingType,
  dueLabel: z.string(),
  status: openingStatus,
  availableOn: isoDay.nullable(),
});
export const publicRoadmap = z.object({
  roadmap,
  totals: groupStats,
  bySection: z.array(groupStats),
  bySemester: z.array(groupStats),
  burnup: z.array(burnupPoint),
  openingsSummary,
  actions: z.array(publicAction),
  openings: z.array(publicOpening),
});
export type PublicRoadmap = z.output<typeof publicRoadmap>;

// --- requests --------------------------------------------------------------------------------

const csvFormat = { format: z.enum(['json', 'csv']).optional().describe('csv: download as CSV.') };

export const actionFilters = z.object({
  status: actionStatus.optional(),
  section: z.string().max(20).optional().describe('Section (2.1) or part (2)'),
  contributor: z.string().max(100).optional().describe('Organisation code (DSR) or collective contributor'),
  overdue: z.enum(['true', 'false']).optional(),
});
export type ActionFilters = z.infer<typeof actionFilters>;
export const actionsQuery = actionFilters.extend(csvFormat);
export const dashboardQuery = actionFilters.omit({ overdue: true }).extend({ ...csvFormat, table: z.enum(dashboardTables).optional() });

export const openingFilters = z.object({
  status: openingStatus.optional(),
  type: openingType.optional(),
  category: z.string().max(300).optional(),
  timeliness: timeliness.optional(),
});
export type OpeningFilters = z.infer<typeof openingFilters>;
export const openingsQuery = openingFilters.extend(csvFormat);

export const publicRoadmapQuery = z.object({ format: z.enum(['json', 'csv']).optional(), table: z.enum(['actions', 'openings']).default('actions') });
export const reportQuery = z.object({
  quarter: quarter.optional().describe('Default: the current quarter'),
  format: z.enum(['json', 'md', 'html']).optional(),
});
export const updatesFilters = z.object({
  action: actionCode.optional().describe('Only this action'),
  from: day.optional(),
  to: day.optional().describe('Inclusive'),
});
export type UpdatesFilters = z.infer<typeof updatesFilters>;
export const updatesQuery = paginationQuery.extend({ ...updatesFilters.shape, ...csvFormat });
export const decisionsQuery = z.object({ quarter: quarter.optional() });

export const indicatorPatch = z.object({
  name: text(200).min(1, 'Nom obligatoire.'),
  unit: text(50).nullable().optional(),
  target: text(50).nullable().optional(),
  value: text(50).nullable().optional(),
  remove: z.boolean().optional(),
});
export type IndicatorPatch = z.infer<typeof indicatorPatch>;
export const actionPatch = z
  .object({
    status: actionStatus.optional(),
    progress: z.number().int('Entier attendu.').min(0, 'Entre 0 et 100.').max(100, 'Entre 0 et 100.').optional(),
    pilot: text(200).nullable().optional(),
    assetIds: z.array(z.uuid('Identifiant d’actif (uuid) attendu.')).max(50).optional(),
    indicators: z.array(indicatorPatch).max(20).optional(),
    note: text(5000).optional(),
    deadline: period.optional(),
    deadlineEnd: period.nullable().optional(),
    contributors: z.array(z.string().max(20)).max(30).optional().describe('Organisation codes (admin only)'),
  })
  .strict();
export type ActionPatch = z.infer<typeof actionPatch>;
/** A dated update: a note, with optional changes. */
export const actionNote = actionPatch.extend({ note: text(5000).min(1, 'La note est obligatoire.') }).strict();
export const actionNoteResult = z.object({ update, action });

export const openingPatch = z
  .object({
    status: openingStatus.optional(),
    availableOn: day.nullable().optional(),
    assetId: z.uuid('Identifiant d’actif (uuid) attendu.').nullable().optional(),
    organisationCode: z.string().max(20).nullable().optional(),
    due: quarter.optional(),
    note: text(5000).optional(),
  })
  .strict();
export type OpeningPatch = z.infer<typeof openingPatch>;

/** Size limit of a bulk update: below the platform's default JSON body limit (1 MiB), leaving room for the envelope. */
export const BULK_MAX_BYTES = 900 * 1024;
export const bulkUpdateBody = z
  .object({
    csv: z.string().min(1, 'Fichier vide.').max(BULK_MAX_BYTES, 'Fichier trop volumineux (900 Ko au plus).'),
    dryRun: z.boolean().default(false),
  })
  .strict();
export const bulkUpdateResult = z.object({
  dryRun: z.boolean(),
  applied: z.boolean(),
  lines: z.number(),
  unchanged: z.number(),
  updated: z.array(z.object({ line: z.number(), code: z.string(), changes })),
  errors: z.array(fieldError),
});
export type BulkUpdateResult = z.output<typeof bulkUpdateResult>;

export const createRoadmapBody = z
  .object({
    slug: z.string().regex(/^[a-z0-9][a-z0-9-]{1,60}$/, 'Identifiant en minuscules, chiffres et tirets.'),
    title: z.string().min(3).max(300),
    startYear: z.number().int().min(2000).max(2100),
    endYear: z.number().int().min(2000).max(2100),
    source: z.string().max(1000).nullable().optional(),
    public: z.boolean().optional(),
  })
  .strict();
export type CreateRoadmap = z.infer<typeof createRoadmapBody>;

export const carryOverBody = z
  .object({
    targetRoadmap: z.string().min(1).max(100),
    code: z.string().max(10).optional(),
    deadline: period,
    note: z.string().max(2000).optional(),
  })
  .strict();
export type CarryOver = z.infer<typeof carryOverBody>;
export const carryOverResult = z.object({ roadmap, code: z.string() });

export const decisionBody = z
  .object({
    quarter,
    text: z.string().trim().min(3, 'Décision trop courte.').max(5000),
    actionCode: z.string().max(10).nullable().optional(),
  })
  .strict();
export type DecisionInput = z.infer<typeof decisionBody>;

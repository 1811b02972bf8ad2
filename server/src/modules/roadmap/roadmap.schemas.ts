import { z } from 'zod';
import { actionStatuses, openingStatuses, openingTypes } from './roadmap.table.ts';

/** zod schemas of the roadmap API: validation of inputs and the OpenAPI document from one source. */
export const period = z.string().regex(/^\d{4}-(S[12]|T[1-4])$/, 'Période attendue au format AAAA-S1, AAAA-S2 ou AAAA-T1 à AAAA-T4.');
export const quarter = z.string().regex(/^\d{4}-T[1-4]$/, 'Trimestre attendu au format AAAA-T1 à AAAA-T4 (ex. 2022-T1).');
const text = (max: number) => z.string().max(max, `${max} caractères au plus.`);

export const roadmapParams = z.object({ id: z.string().min(1).max(100).describe('Roadmap id (uuid) or slug, e.g. dac-2021-2023') });
export const actionParams = roadmapParams.extend({ code: z.string().regex(/^[Aa]\d{1,4}(-\d{1,2})?$/, 'Code d’action attendu (ex. A10, A09-1).') });
export const openingParams = roadmapParams.extend({ openingId: z.uuid() });

export const roadmapSchema = z.object({
  id: z.string(),
  slug: z.string(),
  title: z.string(),
  startYear: z.number(),
  endYear: z.number(),
  source: z.string().nullable(),
  public: z.boolean(),
});
export const roadmapListItem = roadmapSchema.extend({
  parts: z.record(z.string(), z.string()),
  actions: z.number(),
  openings: z.number(),
  sections: z.array(z.object({ code: z.string(), title: z.string() })),
  contributors: z.array(z.object({ code: z.string(), name: z.string() })),
});

const lastNote = z.object({ at: z.string(), actorLabel: z.string(), note: z.string() }).nullable();
export const actionSchema = z.object({
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
  dueDate: z.string().describe('Last day of the final deadline period (Paris time)'),
  status: z.enum(actionStatuses),
  overdue: z.boolean().describe('« En retard »: not done nor abandoned and the final deadline period is over'),
  progress: z.number(),
  pilot: z.string().nullable(),
  contributors: z.array(z.object({ code: z.string(), name: z.string() })),
  collectiveContributors: z.array(z.string()),
  sourceContributors: z.array(z.string()),
  sourceNote: z.string().nullable().describe('Note on an inconsistency of the source'),
  assetIds: z.array(z.string()),
  carriedFromId: z.string().nullable(),
  updatedAt: z.string(),
  lastNote,
  canEdit: z.boolean().describe('Whether the caller may update this action'),
});

export const updateSchema = z.object({
  id: z.number(),
  at: z.string(),
  actorLabel: z.string(),
  kind: z.string(),
  note: z.string().nullable(),
  changes: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() })),
  statusAfter: z.string().nullable(),
  progressAfter: z.number().nullable(),
  actionCode: z.string().nullable(),
  roadmapTitle: z.string().nullable(),
});
export const indicatorSchema = z.object({
  id: z.string(),
  name: z.string(),
  unit: z.string().nullable(),
  target: z.string().nullable(),
  currentValue: z.string().nullable(),
  history: z.array(z.object({ value: z.string(), at: z.string(), by: z.string() })),
  updatedAt: z.string(),
});
const assetRef = z.object({
  id: z.string(),
  kind: z.string().nullable(),
  slug: z.string().nullable(),
  title: z.string().nullable(),
  openness: z.string().nullable(),
  found: z.boolean(),
});
export const actionDetailSchema = z.object({
  roadmap: roadmapSchema,
  action: actionSchema,
  indicators: z.array(indicatorSchema),
  assets: z.array(assetRef),
  updates: z.array(updateSchema),
  carriedFrom: z.object({ roadmapSlug: z.string(), roadmapTitle: z.string(), code: z.string() }).nullable(),
  carriedTo: z.array(z.object({ roadmapSlug: z.string(), roadmapTitle: z.string(), code: z.string() })),
  subActions: z.array(z.object({ code: z.string(), title: z.string(), status: z.enum(actionStatuses), overdue: z.boolean(), deadlineLabel: z.string() })),
});

export const openingSchema = z.object({
  id: z.string(),
  position: z.number(),
  category: z.string(),
  title: z.string(),
  type: z.enum(openingTypes),
  due: z.string(),
  dueLabel: z.string(),
  status: z.enum(openingStatuses),
  availableOn: z.string().nullable(),
  timeliness: z.enum(['a_temps', 'en_retard', 'date_inconnue', 'a_venir', 'sans_objet']),
  assetId: z.string().nullable(),
  /** The linked catalogue asset, resolved in lists when the catalog module is installed. */
  asset: z.object({ kind: z.string(), slug: z.string(), title: z.string(), openness: z.string() }).nullable().optional(),
  organisationCode: z.string().nullable(),
  updatedAt: z.string(),
  canEdit: z.boolean(),
});

export const indicatorPatch = z.object({
  name: text(200).min(1, 'Nom obligatoire.'),
  unit: text(50).nullable().optional(),
  target: text(50).nullable().optional(),
  value: text(50).nullable().optional(),
  remove: z.boolean().optional(),
});
export const actionPatchBody = z
  .object({
    status: z.enum(actionStatuses).optional(),
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
export const updateBody = actionPatchBody.extend({ note: text(5000).min(1, 'La note est obligatoire.') }).strict();

export const openingPatchBody = z
  .object({
    status: z.enum(openingStatuses).optional(),
    availableOn: z.iso.date('Date attendue (AAAA-MM-JJ).').nullable().optional(),
    assetId: z.uuid('Identifiant d’actif (uuid) attendu.').nullable().optional(),
    organisationCode: z.string().max(20).nullable().optional(),
    due: quarter.optional(),
    note: text(5000).optional(),
  })
  .strict();

export const groupStats = z.object({
  key: z.string(),
  label: z.string(),
  total: z.number(),
  a_lancer: z.number(),
  en_cours: z.number(),
  realisee: z.number(),
  abandonnee: z.number(),
  overdue: z.number(),
  meanProgress: z.number(),
});
const timelinessCounts = { a_temps: z.number(), en_retard: z.number(), date_inconnue: z.number(), a_venir: z.number(), sans_objet: z.number() };
export const dashboardSchema = z.object({
  asOf: z.string(),
  totals: groupStats,
  statuses: z.array(z.string()),
  bySection: z.array(groupStats),
  bySubsection: z.array(groupStats),
  byContributor: z.array(groupStats),
  bySemester: z.array(groupStats),
  overdue: z.array(
    z.object({
      code: z.string(),
      title: z.string(),
      deadline: z.string(),
      deadlineLabel: z.string(),
      status: z.string(),
      progress: z.number(),
      contributors: z.array(z.string()),
      lastNote,
    }),
  ),
  upcoming: z.array(
    z.object({
      code: z.string(),
      title: z.string(),
      deadline: z.string(),
      deadlineLabel: z.string(),
      status: z.string(),
      progress: z.number(),
      contributors: z.array(z.string()),
    }),
  ),
  openings: z.object({
    total: z.number(),
    byStatus: z.record(z.string(), z.number()),
    timeliness: z.object(timelinessCounts),
    byQuarter: z.array(z.object({ key: z.string(), label: z.string(), total: z.number(), ...timelinessCounts })),
  }),
  burnup: z.array(z.object({ date: z.string(), scope: z.number(), started: z.number(), done: z.number() })),
});

export const decisionSchema = z.object({
  id: z.string(),
  quarter: z.string(),
  text: z.string(),
  actionCode: z.string().nullable(),
  actorLabel: z.string(),
  createdAt: z.string(),
});

/**
 * Governance contract (issue 20): the network of people who carry the data policy (A41, A57–A60),
 * the periodic review campaigns of the cartography (A28) and the value of data projects (A29).
 * Enums and their French labels are defined here once, for the server and the web app.
 */
import { z } from 'zod';
import { isoDay, labels, paginationQuery, timestamp } from './common.ts';

// --- the network of people --------------------------------------------------------------------

export const governanceRoles = ['administrateur_ministeriel', 'administrateur_metier', 'referent_algorithmes', 'referent_prefecture'] as const;
export const governanceRole = z.enum(governanceRoles);
export type GovernanceRole = z.infer<typeof governanceRole>;
export const governanceRoleLabels = labels(governanceRoles, {
  administrateur_ministeriel: 'Administrateur ministériel des données',
  administrateur_metier: 'Administrateur des données métiers',
  referent_algorithmes: 'Référent algorithmes (Etalab)',
  referent_prefecture: 'Référent données, algorithmes et codes sources (préfecture de région)',
});
/** The roadmap action each role answers to. */
export const governanceRoleActions = labels(governanceRoles, {
  administrateur_ministeriel: 'A53',
  administrateur_metier: 'A57',
  referent_algorithmes: 'A41',
  referent_prefecture: 'A59',
});

export const appointmentPositions = ['titulaire', 'suppleant'] as const;
export const appointmentPosition = z.enum(appointmentPositions);
export type AppointmentPosition = z.infer<typeof appointmentPosition>;
export const appointmentPositionLabels = labels(appointmentPositions, { titulaire: 'Titulaire', suppleant: 'Suppléant(e)' });

/** The 18 régions (INSEE COG 2026 codes): the prefectures of région whose referents A59 asks for. */
export const regions = [
  { code: '84', name: 'Auvergne-Rhône-Alpes' },
  { code: '27', name: 'Bourgogne-Franche-Comté' },
  { code: '53', name: 'Bretagne' },
  { code: '24', name: 'Centre-Val de Loire' },
  { code: '94', name: 'Corse' },
  { code: '44', name: 'Grand Est' },
  { code: '32', name: 'Hauts-de-France' },
  { code: '11', name: 'Île-de-France' },
  { code: '28', name: 'Normandie' },
  { code: '75', name: 'Nouvelle-Aquitaine' },
  { code: '76', name: 'Occitanie' },
  { code: '52', name: 'Pays de la Loire' },
  { code: '93', name: 'Provence-Alpes-Côte d’Azur' },
  { code: '01', name: 'Guadeloupe' },
  { code: '02', name: 'Martinique' },
  { code: '03', name: 'Guyane' },
  { code: '04', name: 'La Réunion' },
  { code: '06', name: 'Mayotte' },
] as const;
export const regionCodes = regions.map((r) => r.code) as unknown as readonly [string, ...string[]];
export const regionName = (code: string | null | undefined) => regions.find((r) => r.code === code)?.name ?? code ?? '';

const personName = z.string().trim().min(2, 'nom de 2 caractères au moins').max(120, 'nom de 120 caractères au plus');
const email = z.email('adresse électronique invalide').max(200);
const phone = z
  .string()
  .trim()
  .max(30)
  .regex(/^[0-9+ ().-]*$/, 'numéro de téléphone invalide');

export const appointmentInput = z.object({
  role: governanceRole,
  position: appointmentPosition.default('titulaire'),
  /** Directorate code (business data administrator; optional for the ministerial roles). */
  organisation: z.string().trim().max(20).nullable().optional(),
  /** INSEE code of the région (prefecture referents). */
  region: z.string().trim().max(3).nullable().optional(),
  personName,
  email,
  phone: phone.nullable().optional(),
  /** Platform account of the person, when they have one (login). */
  userLogin: z.string().trim().max(80).nullable().optional(),
  appointedOn: isoDay,
  until: isoDay.nullable().optional(),
  /** Published on the public page (names of the administrators, as ministries publish them). */
  public: z.boolean().default(true),
  note: z.string().max(2000).nullable().optional(),
});
export type AppointmentInput = z.input<typeof appointmentInput>;
export const appointmentPatch = appointmentInput.partial().extend({ version: z.number().int().describe('Version read (optimistic lock).') });

export const missionLetter = z.object({
  signedOn: isoDay,
  signatory: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  uploadedAt: timestamp,
  uploadedBy: z.string(),
});

export const appointment = z.object({
  id: z.uuid(),
  role: governanceRole,
  position: appointmentPosition,
  organisation: z.object({ id: z.uuid(), code: z.string(), name: z.string() }).nullable(),
  region: z.string().nullable(),
  regionName: z.string().nullable(),
  personName: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  userLogin: z.string().nullable(),
  appointedOn: isoDay,
  until: isoDay.nullable(),
  /** In office today (appointed, not ended). */
  current: z.boolean(),
  public: z.boolean(),
  note: z.string().nullable(),
  letter: missionLetter.nullable(),
  version: z.number().int(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type Appointment = z.output<typeof appointment>;

export const directoryQuery = z.object({
  role: governanceRole.optional(),
  organisation: z.string().max(20).optional(),
  region: z.string().max(3).optional(),
  /** Include ended appointments. */
  history: z.enum(['true', 'false']).optional(),
  format: z.enum(['json', 'csv']).optional(),
});

/** A place of the network that should have someone: a directorate, a région, a ministerial role. */
export const networkSlot = z.object({
  key: z.string(),
  role: governanceRole,
  label: z.string(),
  organisationCode: z.string().nullable(),
  region: z.string().nullable(),
  titular: appointment.nullable(),
  deputies: z.array(appointment),
  /** No titular in office. */
  vacant: z.boolean(),
  /** A titular in office without a mission letter. */
  missingLetter: z.boolean(),
});
export type NetworkSlot = z.output<typeof networkSlot>;

export const network = z.object({
  asOf: timestamp,
  ministerial: z.array(networkSlot),
  directorates: z.array(networkSlot),
  regions: z.array(networkSlot),
  summary: z.object({
    directorates: z.number(),
    directoratesFilled: z.number(),
    directoratesWithLetter: z.number(),
    regions: z.number(),
    regionsFilled: z.number(),
    regionsWithLetter: z.number(),
  }),
});
export type Network = z.output<typeof network>;

export const publicNetwork = z.object({
  asOf: timestamp,
  items: z.array(z.object({ role: governanceRole, organisation: z.string().nullable(), region: z.string().nullable(), personName: z.string() })),
});

// --- review campaigns of the cartography (A28) ------------------------------------------------

export const campaignStatuses = ['ouverte', 'close'] as const;
export const campaignStatus = z.enum(campaignStatuses);
export const campaignStatusLabels = labels(campaignStatuses, { ouverte: 'Ouverte', close: 'Close' });

export const reviewOutcomes = ['en_attente', 'confirme', 'modifie'] as const;
export const reviewOutcome = z.enum(reviewOutcomes);
export type ReviewOutcome = z.infer<typeof reviewOutcome>;
export const reviewOutcomeLabels = labels(reviewOutcomes, { en_attente: 'À revoir', confirme: 'Confirmé sans changement', modifie: 'Mis à jour' });

export const campaignInput = z.object({
  title: z.string().trim().min(3, 'titre de 3 caractères au moins').max(200),
  dueOn: isoDay,
  /** Directorates asked (codes); empty: every organisation that owns assets. */
  organisations: z.array(z.string().trim().max(20)).max(100).default([]),
  /** Reminders start this many days before the due date (then daily until closed). */
  remindDaysBefore: z.number().int().min(0).max(90).default(7),
});

export const directorateProgress = z.object({
  organisationCode: z.string(),
  organisationName: z.string(),
  total: z.number(),
  confirmed: z.number(),
  modified: z.number(),
  pending: z.number(),
  /** Reviewed (confirmed or modified) share, 0–100. */
  percent: z.number(),
});
export type DirectorateProgress = z.output<typeof directorateProgress>;

export const campaign = z.object({
  id: z.uuid(),
  title: z.string(),
  status: campaignStatus,
  startedOn: isoDay,
  dueOn: isoDay,
  overdue: z.boolean(),
  remindDaysBefore: z.number(),
  lastReminderOn: isoDay.nullable(),
  createdBy: z.string(),
  createdAt: timestamp,
  closedAt: timestamp.nullable(),
  totals: directorateProgress.omit({ organisationCode: true, organisationName: true }),
  byDirectorate: z.array(directorateProgress),
});
export type Campaign = z.output<typeof campaign>;
export const campaignList = z.object({ items: z.array(campaign) });

export const reviewItem = z.object({
  assetId: z.uuid(),
  kind: z.string(),
  slug: z.string(),
  title: z.string(),
  organisationCode: z.string(),
  completeness: z.number(),
  lastConfirmedAt: timestamp.nullable(),
  stale: z.boolean(),
  outcome: reviewOutcome,
  reviewedAt: timestamp.nullable(),
  reviewedBy: z.string().nullable(),
  canConfirm: z.boolean(),
});
export type ReviewItem = z.output<typeof reviewItem>;
export const reviewItemsQuery = paginationQuery.extend({
  organisation: z.string().max(20).optional(),
  outcome: reviewOutcome.optional(),
  format: z.enum(['json', 'csv']).optional(),
});
export const reviewItemPage = z.object({ items: z.array(reviewItem), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });
export const campaignAssetParams = z.object({ id: z.uuid(), assetId: z.uuid() });
export const remindResult = z.object({ sent: z.number().int(), recipients: z.array(z.string()) });

// --- value of a data project (A29) -------------------------------------------------------------

export const criterionAxes = ['valeur', 'effort'] as const;
export const criterionAxis = z.enum(criterionAxes);
export const criterionAxisLabels = labels(criterionAxes, { valeur: 'Valeur', effort: 'Effort et risque' });

export const criterion = z.object({
  id: z.uuid(),
  label: z.string(),
  axis: criterionAxis,
  weight: z.number().int(),
  justification: z.string(),
  position: z.number().int(),
});
export type Criterion = z.output<typeof criterion>;
export const criterionInput = z.object({
  id: z.uuid().optional(),
  label: z.string().trim().min(3, 'libellé de 3 caractères au moins').max(200),
  axis: criterionAxis,
  weight: z.number().int().min(1, 'poids entre 1 et 100').max(100, 'poids entre 1 et 100'),
  justification: z.string().trim().min(10, 'justification de 10 caractères au moins').max(2000),
});
export const gridInput = z.object({ criteria: z.array(criterionInput).min(2, 'au moins deux critères').max(30, '30 critères au plus') });
export const grid = z.object({ criteria: z.array(criterion), updatedAt: timestamp.nullable() });

export const projectStatuses = ['proposee', 'evaluee', 'retenue', 'ajournee', 'rejetee'] as const;
export const projectStatus = z.enum(projectStatuses);
export type ProjectStatus = z.infer<typeof projectStatus>;
export const projectStatusLabels = labels(projectStatuses, {
  proposee: 'Proposé',
  evaluee: 'Évalué',
  retenue: 'Retenu',
  ajournee: 'Ajourné',
  rejetee: 'Rejeté',
});

export const projectInput = z.object({
  title: z.string().trim().min(3, 'titre de 3 caractères au moins').max(200),
  description: z.string().trim().max(10_000).default(''),
  organisation: z.string().trim().max(20),
  /** Catalogue assets the project would use (`kind:slug`). */
  assets: z.array(z.string().trim().max(200)).max(50).default([]),
});
export const scoreInput = z.object({
  scores: z
    .array(
      z.object({
        criterionId: z.uuid(),
        score: z.number().int().min(0, 'note entre 0 et 5').max(5, 'note entre 0 et 5'),
        comment: z.string().max(1000).optional(),
      }),
    )
    .max(30),
});
export const decisionInput = z.object({
  status: z.enum(['retenue', 'ajournee', 'rejetee']),
  decision: z.string().trim().min(5, 'motif de 5 caractères au moins').max(4000),
});

export const project = z.object({
  id: z.uuid(),
  title: z.string(),
  description: z.string(),
  organisationCode: z.string(),
  assets: z.array(z.object({ id: z.uuid(), ref: z.string(), title: z.string(), completeness: z.number() })),
  /** Mean completeness of the linked assets (data availability and quality), or null. */
  catalogQuality: z.number().nullable(),
  status: projectStatus,
  scores: z.array(z.object({ criterionId: z.uuid(), score: z.number(), comment: z.string().nullable() })),
  /** Weighted scores out of 100 (null until scored). */
  value: z.number().nullable(),
  effort: z.number().nullable(),
  scoredBy: z.string().nullable(),
  scoredAt: timestamp.nullable(),
  decision: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: timestamp.nullable(),
  createdBy: z.string(),
  createdAt: timestamp,
  version: z.number().int(),
});
export type Project = z.output<typeof project>;
export const projectList = z.object({ items: z.array(project) });
export const projectsQuery = z.object({ status: projectStatus.optional(), format: z.enum(['json', 'csv']).optional() });

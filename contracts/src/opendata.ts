/**
 * Open data contract (issue 16, first half): the schema catalogue (schema.data.gouv.fr's TableSchemas
 * loaded as reference data, plus the ministry's own uploaded schemas, versioned), the stateless
 * validation endpoint and its frictionless-shaped report with the personal-data verdicts.
 */
import { z } from 'zod';
import { labels, timestamp } from './common.ts';

// --- enums and labels ------------------------------------------------------------------------

export const schemaSources = ['reference', 'ministry'] as const;
export const schemaSource = z.enum(schemaSources);
export type SchemaSource = z.infer<typeof schemaSource>;
export const schemaSourceLabels = labels(schemaSources, { reference: 'schema.data.gouv.fr', ministry: 'Ministère' });

export const personalKinds = ['nir', 'iban', 'email', 'phone', 'firstName', 'lastName', 'birthDate', 'address'] as const;
export const personalKind = z.enum(personalKinds);
export type PersonalKindWire = z.infer<typeof personalKind>;
export const personalKindLabels = labels(personalKinds, {
  nir: 'NIR (numéro de sécurité sociale)',
  iban: 'IBAN',
  email: 'Adresse électronique personnelle',
  phone: 'Numéro de téléphone',
  firstName: 'Prénom',
  lastName: 'Nom de famille',
  birthDate: 'Date de naissance',
  address: 'Adresse postale',
});

/** French labels of the frictionless error types the validator reports. */
export const errorTypeLabels: Readonly<Record<string, string>> = {
  'source-error': 'Fichier illisible',
  'encoding-error': 'Encodage',
  'blank-label': 'En-tête vide',
  'duplicate-label': 'En-tête en double',
  'missing-label': 'Colonne manquante',
  'blank-row': 'Ligne vide',
  'extra-cell': 'Cellule en trop',
  'missing-cell': 'Cellule manquante',
  'type-error': 'Type',
  'constraint-error': 'Contrainte',
  'unique-error': 'Unicité',
  'primary-key': 'Clé primaire',
  'french-siret-value': 'SIRET',
  'french-siren-value': 'SIREN',
  'compare-columns-value': 'Comparaison de colonnes',
  'cohesive-columns-value': 'Colonnes solidaires',
  'opening-hours-value': "Horaires d'ouverture",
  'phone-number-value': 'Téléphone',
  'year-interval-value': "Intervalle d'années",
  'sum-columns-value': 'Somme de colonnes',
  'nomenclature-actes-value': 'Nomenclature des actes',
  'one-of-required': 'Une des colonnes requise',
};

// --- schema catalogue --------------------------------------------------------------------------

export const schemaSummary = z.object({
  id: z.uuid(),
  /** `etalab/schema-irve-statique` for the reference catalogue, `<organisation>/<slug>` for the ministry's. */
  name: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  version: z.string(),
  /** Every version known for this name (reference: as published on schema.data.gouv.fr). */
  versions: z.array(z.string()),
  source: schemaSource,
  fields: z.number().int(),
  homepage: z.string().nullable(),
  createdAt: timestamp,
});
export type SchemaSummary = z.output<typeof schemaSummary>;

export const schemaDetail = schemaSummary.extend({
  descriptor: z.record(z.string(), z.unknown()),
  organisationId: z.uuid().nullable(),
  createdBy: z.string().nullable(),
});
export type SchemaDetail = z.output<typeof schemaDetail>;

export const schemaListQuery = z.object({
  q: z.string().trim().max(200).optional().describe('Search in name and title.'),
  source: schemaSource.optional(),
  format: z.enum(['json', 'csv']).optional().describe('csv: download the list as CSV.'),
});

export const schemaList = z.object({ items: z.array(schemaSummary), total: z.number().int() });

export const schemaParams = z.object({ id: z.uuid() });

/** A ministry schema upload: a TableSchema descriptor (validated against the Table Schema profile). */
export const schemaUploadBody = z.object({
  slug: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{1,80}$/, 'identifiant en minuscules, chiffres et tirets (2 à 81 caractères)'),
  version: z
    .string()
    .trim()
    .regex(/^\d+\.\d+(\.\d+)?$/, 'version au format 1.0 ou 1.0.0'),
  organisationId: z.uuid(),
  descriptor: z.record(z.string(), z.unknown()),
});

// --- validation ----------------------------------------------------------------------------------

export const validationErrorItem = z.object({
  type: z.string(),
  rowNumber: z.number().int().nullable(),
  fieldName: z.string().nullable(),
  message: z.string(),
});

export const personalDataVerdict = z.object({
  fieldName: z.string(),
  kinds: z.array(personalKind),
  share: z.number(),
});

export const validationResult = z.object({
  valid: z.boolean(),
  stats: z.object({ rows: z.number().int(), errors: z.number().int(), bytes: z.number().int(), seconds: z.number() }),
  format: z.enum(['csv', 'xlsx', 'ods']),
  encoding: z.string().nullable(),
  dialect: z.object({ delimiter: z.string(), quoteChar: z.string() }).nullable(),
  header: z.array(z.string()),
  schema: z.object({ name: z.string().nullable(), version: z.string().nullable() }).nullable(),
  errors: z.array(validationErrorItem),
  errorCounts: z.record(z.string(), z.number().int()),
  truncated: z.boolean(),
  warnings: z.array(z.string()),
  personalData: z.array(personalDataVerdict),
});
export type ValidationResult = z.output<typeof validationResult>;

export const validationLimits = z.object({
  anonymousBytes: z.number().int(),
  userBytes: z.number().int(),
  maxErrors: z.number().int(),
});

// --- resources, versions, publication (issue 16, second half) ------------------------------------

/** Life of a resource version: analysed after upload, published by an explicit act, then replaced or withdrawn. */
export const versionStates = ['uploaded', 'analysing', 'invalid', 'review', 'ready', 'published', 'superseded', 'withdrawn'] as const;
export const versionState = z.enum(versionStates);
export type VersionState = z.infer<typeof versionState>;
export const versionStateLabels = labels(versionStates, {
  uploaded: 'Reçue',
  analysing: 'En cours d’analyse',
  invalid: 'Non conforme',
  review: 'Données personnelles à examiner',
  ready: 'Prête à publier',
  published: 'Publiée',
  superseded: 'Remplacée',
  withdrawn: 'Retirée',
});

/** The allowed transitions (the server refuses any other). */
export const versionTransitions: Readonly<Record<VersionState, readonly VersionState[]>> = {
  uploaded: ['analysing'],
  analysing: ['analysing', 'invalid', 'review', 'ready'],
  invalid: [],
  review: ['published'],
  ready: ['published'],
  published: ['superseded', 'withdrawn'],
  superseded: [],
  withdrawn: [],
};

/** Profile of one column, computed during the analysis. */
export const columnProfile = z.object({
  name: z.string(),
  type: z.enum(['integer', 'number', 'boolean', 'date', 'datetime', 'string', 'empty']),
  /** Share of empty cells (0–1). */
  emptyShare: z.number(),
  /** Distinct non-empty values (a lower bound when `distinctCapped`). */
  distinct: z.number().int(),
  distinctCapped: z.boolean(),
  min: z.string().nullable(),
  max: z.string().nullable(),
  /** Most frequent values (counted over the first distinct values when capped). */
  top: z.array(z.object({ value: z.string(), count: z.number().int() })),
});
export type ColumnProfile = z.output<typeof columnProfile>;

export const versionSummary = z.object({
  id: z.uuid(),
  resourceId: z.uuid(),
  number: z.number().int(),
  state: versionState,
  source: z.enum(['upload', 'url']),
  sourceUrl: z.string().nullable(),
  filename: z.string(),
  mediaType: z.string().nullable(),
  format: z.string().nullable(),
  bytes: z.number().int().nullable(),
  sha256: z.string().nullable(),
  encoding: z.string().nullable(),
  dialect: z.object({ delimiter: z.string(), quoteChar: z.string() }).nullable(),
  rows: z.number().int().nullable(),
  columns: z.array(z.string()),
  schema: z.object({ id: z.uuid().nullable(), name: z.string(), version: z.string() }).nullable(),
  valid: z.boolean().nullable(),
  errorCount: z.number().int().nullable(),
  personalData: z.array(personalDataVerdict),
  waiver: z.object({ reason: z.string(), by: z.string(), at: timestamp }).nullable(),
  error: z.string().nullable(),
  progress: z.object({ rows: z.number().int(), bytes: z.number().int(), totalBytes: z.number().int().nullable() }).nullable(),
  createdBy: z.string(),
  createdAt: timestamp,
  publishedBy: z.string().nullable(),
  publishedAt: timestamp.nullable(),
  withdrawnAt: timestamp.nullable(),
  withdrawnReason: z.string().nullable(),
  downloadUrl: z.string(),
});
export type VersionSummary = z.output<typeof versionSummary>;

export const versionDetail = versionSummary.extend({
  report: z
    .object({
      errors: z.array(validationErrorItem),
      errorCounts: z.record(z.string(), z.number().int()),
      truncated: z.boolean(),
      warnings: z.array(z.string()),
    })
    .nullable(),
  preview: z.array(z.array(z.string().nullable())),
  profile: z.array(columnProfile),
  /** Where the version belongs and what the caller may do with it (`GET /versions/:id`). */
  context: z.object({ datasetSlug: z.string(), datasetTitle: z.string(), resourceTitle: z.string(), canEdit: z.boolean(), canWaive: z.boolean() }).optional(),
});
export type VersionDetail = z.output<typeof versionDetail>;

export const resourceSummary = z.object({
  id: z.uuid(),
  datasetId: z.uuid(),
  slug: z.string(),
  title: z.string(),
  description: z.string(),
  schema: z.object({ id: z.uuid(), name: z.string(), version: z.string() }).nullable(),
  published: versionSummary.nullable(),
  versions: z.array(versionSummary),
  downloads: z.number().int(),
  downloadUrl: z.string(),
  createdAt: timestamp,
});
export type ResourceSummary = z.output<typeof resourceSummary>;

export const datasetPage = z.object({
  id: z.uuid(),
  slug: z.string(),
  title: z.string(),
  description: z.string(),
  producer: z.object({ code: z.string().nullable(), name: z.string().nullable(), organisationId: z.uuid().nullable() }),
  licence: z.string().nullable(),
  openness: z.string(),
  tags: z.array(z.string()),
  canEdit: z.boolean(),
  canWaive: z.boolean(),
  resources: z.array(resourceSummary),
});
export type DatasetPage = z.output<typeof datasetPage>;

export const publishedDatasetList = z.object({
  items: z.array(
    z.object({
      slug: z.string(),
      title: z.string(),
      producer: z.string().nullable(),
      resources: z.number().int(),
      downloads: z.number().int(),
      updatedAt: timestamp.nullable(),
    }),
  ),
});

export const datasetSlugParams = z.object({ slug: z.string().trim().min(1).max(200) });

export const resourceCreateBody = z.object({
  title: z.string().trim().min(1, 'titre obligatoire').max(200),
  slug: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{1,80}$/, 'identifiant en minuscules, chiffres et tirets (2 à 81 caractères)')
    .optional(),
  description: z.string().trim().max(5000).optional(),
  /** Catalogue schema id (uuid) or name; the latest version of a name is used. */
  schema: z.string().trim().max(300).optional(),
});

export const versionFromUrlBody = z.object({
  url: z
    .string()
    .trim()
    .max(2000)
    .regex(/^https?:\/\//i, 'adresse http(s) attendue'),
});

export const waiverBody = z.object({
  reason: z.string().trim().min(10, 'motif obligatoire (10 caractères au moins)').max(2000),
});

export const withdrawBody = z.object({
  reason: z.string().trim().min(3, 'motif obligatoire').max(2000),
});

export const usageQuery = z.object({
  from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'date au format AAAA-MM-JJ attendue')
    .optional(),
  to: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'date au format AAAA-MM-JJ attendue')
    .optional(),
  /** Organisation code (an admin: any; others: their own). Without it, an admin sees the ministry. */
  organisation: z.string().trim().max(40).optional(),
  /** Slug of a catalogue dataset: its dashboard. */
  dataset: z.string().trim().max(200).optional(),
  format: z.enum(['json', 'csv']).optional(),
});

const apiRef = z.object({ slug: z.string(), name: z.string() });

export const usageReport = z.object({
  from: z.string(),
  to: z.string(),
  /** What the dashboard covers: the ministry (both null), an organisation, or a dataset. */
  scope: z.object({ organisation: z.string().nullable(), dataset: z.string().nullable(), datasetTitle: z.string().nullable() }),
  days: z.array(z.object({ day: z.string(), downloads: z.number().int(), apiCalls: z.number().int() })),
  resources: z.array(
    z.object({
      resourceId: z.uuid(),
      dataset: z.string(),
      datasetTitle: z.string(),
      resource: z.string(),
      organisation: z.string().nullable(),
      downloads: z.number().int(),
    }),
  ),
  /** Per dataset: downloads of its files and calls of the gateway's APIs linked to it in the catalogue (exposes, uses). */
  datasets: z.array(
    z.object({
      dataset: z.string(),
      datasetTitle: z.string(),
      organisation: z.string().nullable(),
      downloads: z.number().int(),
      apiCalls: z.number().int(),
      apis: z.array(apiRef),
    }),
  ),
  organisations: z.array(z.object({ organisation: z.string().nullable(), downloads: z.number().int(), apiCalls: z.number().int() })),
  total: z.number().int(),
  /** Calls of the linked APIs (an API linked to two datasets counts once here). */
  apiCalls: z.number().int(),
});
export type UsageReport = z.output<typeof usageReport>;

export const monthlyUsageQuery = z.object({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'mois au format AAAA-MM attendu'),
  organisation: z.string().trim().max(40).optional(),
  format: z.enum(['json', 'csv']).optional(),
});
/** The month's indicators per dataset (A64): the monthly file. */
export const monthlyUsage = z.object({
  month: z.string(),
  rows: z.array(
    z.object({
      month: z.string(),
      organisation: z.string().nullable(),
      dataset: z.string(),
      datasetTitle: z.string(),
      downloads: z.number().int(),
      apiCalls: z.number().int(),
      reuses: z.number().int(),
      discussions: z.number().int(),
    }),
  ),
});
export type MonthlyUsage = z.output<typeof monthlyUsage>;

// --- push to data.gouv.fr -------------------------------------------------------------------------

export const datagouvAccountBody = z.object({
  target: z
    .string()
    .trim()
    .max(300)
    .regex(
      /^https:\/\/[^\s/]+(\/[^\s]*)?$|^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/[^\s]*)?$/,
      'adresse https du udata (https://www.data.gouv.fr, https://demo.data.gouv.fr…)',
    )
    .default('https://www.data.gouv.fr'),
  udataOrganization: z.string().trim().min(1, 'identifiant de l’organisation sur data.gouv.fr obligatoire').max(100),
  apiKey: z.string().trim().min(20, 'clé d’API de data.gouv.fr attendue (profil → clé d’API)').max(2000),
});

export const datagouvAccount = z.object({
  organisationId: z.uuid(),
  target: z.string(),
  udataOrganization: z.string(),
  /** The key's last characters (the key itself is never returned). */
  apiKeyHint: z.string(),
  updatedBy: z.string(),
  updatedAt: timestamp,
});

export const datagouvPush = z.object({
  datasetId: z.uuid(),
  target: z.string(),
  remoteId: z.string().nullable(),
  page: z.string().nullable(),
  state: z.enum(['queued', 'running', 'succeeded', 'failed']),
  error: z.string().nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  jobId: z.uuid().nullable(),
  requestedBy: z.string(),
  updatedAt: timestamp,
});
export type DatagouvPush = z.output<typeof datagouvPush>;

// --- reuses and discussions (A01) -----------------------------------------------------------------

/** udata's reuse types (`udata/core/reuse/constants.py`), so that imported reuses keep theirs. */
export const reuseTypes = ['api', 'application', 'idea', 'news_article', 'paper', 'post', 'visualization', 'hardware'] as const;
export const reuseType = z.enum(reuseTypes);
export type ReuseType = z.infer<typeof reuseType>;
export const reuseTypeLabels = labels(reuseTypes, {
  api: 'API',
  application: 'Application',
  idea: 'Idée',
  news_article: 'Article de presse',
  paper: 'Publication scientifique',
  post: 'Billet de blog',
  visualization: 'Visualisation',
  hardware: 'Objet connecté',
});
export const communitySources = ['local', 'datagouv'] as const;
export const communitySourceLabels = labels(communitySources, { local: 'Déclarée ici', datagouv: 'data.gouv.fr' });

export const reuse = z.object({
  id: z.uuid(),
  datasetId: z.uuid(),
  title: z.string(),
  url: z.string(),
  type: reuseType,
  author: z.string(),
  source: z.enum(communitySources),
  /** Its page on data.gouv.fr (imported reuses). */
  remotePage: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: timestamp,
});
export type Reuse = z.output<typeof reuse>;

export const reuseCreateBody = z.object({
  title: z.string().trim().min(3, 'titre obligatoire (3 caractères au moins)').max(200),
  url: z
    .string()
    .trim()
    .max(2000)
    .regex(/^https?:\/\/\S+$/i, 'adresse http(s) attendue'),
  type: reuseType,
  author: z.string().trim().min(2, 'auteur obligatoire').max(200),
});

export const discussionMessage = z.object({
  id: z.uuid(),
  body: z.string(),
  author: z.string(),
  /** Written by the producer (an editor or data_admin of the dataset's organisation). */
  producer: z.boolean(),
  postedAt: timestamp,
});

export const discussion = z.object({
  id: z.uuid(),
  datasetId: z.uuid(),
  title: z.string(),
  author: z.string(),
  source: z.enum(communitySources),
  remotePage: z.string().nullable(),
  /** The producer has answered. */
  answered: z.boolean(),
  closedAt: timestamp.nullable(),
  createdAt: timestamp,
  messages: z.array(discussionMessage),
});
export type Discussion = z.output<typeof discussion>;

export const discussionCreateBody = z.object({
  title: z.string().trim().min(5, 'titre obligatoire (5 caractères au moins)').max(200),
  body: z.string().trim().min(10, 'question obligatoire (10 caractères au moins)').max(5000),
});
export const discussionAnswerBody = z.object({
  body: z.string().trim().min(2, 'réponse obligatoire').max(5000),
  /** Closes the discussion with this answer. */
  close: z.boolean().optional(),
});

export const communityImport = z.object({
  at: timestamp,
  reuses: z.object({ added: z.number().int(), updated: z.number().int(), skipped: z.number().int() }),
  discussions: z.object({ added: z.number().int(), updated: z.number().int() }),
  /** Why some reuses were not kept (URL refused…), at most 20. */
  notes: z.array(z.string()),
});
export type CommunityImport = z.output<typeof communityImport>;

export const community = z.object({
  reuses: z.array(reuse),
  discussions: z.array(discussion),
  /** The caller answers questions and removes reuses (producer's editors). */
  canModerate: z.boolean(),
  /** The dataset is on data.gouv.fr (pushed): its reuses and discussions can be imported. */
  remotePage: z.string().nullable(),
  lastImport: communityImport.nullable(),
});
export type Community = z.output<typeof community>;

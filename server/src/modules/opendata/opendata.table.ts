import { bigint, boolean, date, foreignKey, index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid, integer } from 'drizzle-orm/pg-core';
import type { ColumnProfile, CommunityImport, ReuseType, SchemaSource, VersionState } from '@patrimoine/contracts/opendata';
import { organisations } from '../../platform/organisations/organisations.table.ts';

/**
 * A Table Schema of the catalogue, one row per (name, version): schema.data.gouv.fr's TableSchemas
 * (reference data, loaded at start from the copy shipped in the repository) and the ministry's own
 * schemas (uploaded by a data_admin, validated against the Table Schema profile). Rows are never
 * updated: a new version is a new row.
 */
export const opendataSchemas = pgTable(
  'opendata_schemas',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** `etalab/schema-irve-statique` (reference) or `<organisation code>/<slug>` (ministry). */
    name: text('name').notNull(),
    /** Version as published (`2.3.1`). */
    version: text('version').notNull(),
    /** `reference` (schema.data.gouv.fr) or `ministry`. */
    source: text('source').$type<SchemaSource>().notNull(),
    /** Title of the schema (descriptor `title`, else the catalogue's). */
    title: text('title').notNull(),
    /** Description (descriptor or catalogue). */
    description: text('description'),
    /** Every published version of this name (reference: from schemas.json), for display. */
    versions: jsonb('versions').$type<string[]>().notNull().default([]),
    /** Number of fields of the descriptor. */
    fieldCount: integer('field_count').notNull(),
    /** Home page of the schema (repository, documentation). */
    homepage: text('homepage'),
    /** The TableSchema descriptor itself (JSON). */
    descriptor: jsonb('descriptor').$type<Record<string, unknown>>().notNull(),
    /** sha256 of the canonical JSON of the descriptor (reference reloads skip identical rows). */
    sha256: text('sha256').notNull(),
    /** Owner organisation of a ministry schema; null for reference schemas. */
    organisationId: uuid('organisation_id').references(() => organisations.id, { onDelete: 'restrict' }),
    /** Who uploaded it (actor label); null for reference schemas. */
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('opendata_schemas_name_version').on(t.name, t.version), index('opendata_schemas_source').on(t.source)],
);

/**
 * A resource of a catalogue dataset (one file published over time: « Liste des auto-écoles »), with its
 * immutable versions. The owner organisation is the dataset's at creation (who may upload and publish).
 */
export const opendataResources = pgTable(
  'opendata_resources',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The catalogue dataset (`catalog_assets` id, kind dataset; no foreign key across modules). */
    datasetId: uuid('dataset_id').notNull(),
    /** Identifier unique within the dataset (stable download URL). */
    slug: text('slug').notNull(),
    /** Title shown on the public page. */
    title: text('title').notNull(),
    /** Description (plain text). */
    description: text('description').notNull().default(''),
    /** Schema the versions are validated against (a catalogue schema version), or null (structure only). */
    schemaId: uuid('schema_id').references(() => opendataSchemas.id, { onDelete: 'restrict' }),
    /** The version served by the stable URL (state published), or null. */
    publishedVersionId: uuid('published_version_id'),
    /** Who created it (login). */
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('opendata_resources_dataset_slug').on(t.datasetId, t.slug)],
);

/**
 * One version of a resource: the file (blob store, never rewritten), what the analysis found, and its
 * publication state (`uploaded → analysing → invalid | review | ready → published → superseded | withdrawn`).
 */
export const opendataVersions = pgTable(
  'opendata_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The resource this version belongs to. */
    resourceId: uuid('resource_id')
      .notNull()
      .references(() => opendataResources.id, { onDelete: 'cascade' }),
    /** 1, 2, 3… within the resource. */
    number: integer('number').notNull(),
    /** uploaded, analysing, invalid, review, ready, published, superseded, withdrawn (transitions: `versionTransitions`). */
    state: text('state').$type<VersionState>().notNull(),
    /** `upload` (multipart) or `url` (fetched by the analysis through the outbound policy). */
    source: text('source').$type<'upload' | 'url'>().notNull(),
    /** The link of a `url` version. */
    sourceUrl: text('source_url'),
    /** File name as uploaded (or the last segment of the link). */
    filename: text('filename').notNull(),
    /** Key of the file in the blob store (`opendata/versions/<id>`). */
    blobKey: text('blob_key').notNull(),
    /** Hex sha256 of the file (computed while storing it; null until a link is fetched). */
    sha256: text('sha256'),
    /** Size of the file in bytes. */
    bytes: bigint('bytes', { mode: 'number' }),
    /** Content-Type served. */
    mediaType: text('media_type'),
    /** csv, xlsx, ods. */
    format: text('format'),
    /** Detected encoding of a CSV. */
    encoding: text('encoding'),
    /** Detected separator and quote of a CSV. */
    dialect: jsonb('dialect').$type<{ delimiter: string; quoteChar: string } | null>(),
    /** Data rows (header excluded). */
    rows: integer('rows'),
    /** Header of the file. */
    columns: jsonb('columns').$type<string[]>().notNull().default([]),
    /** Schema the version was validated against (copied: the resource's may change later). */
    schemaId: uuid('schema_id').references(() => opendataSchemas.id, { onDelete: 'restrict' }),
    /** Name of that schema. */
    schemaName: text('schema_name'),
    /** Version of that schema. */
    schemaVersion: text('schema_version'),
    /** Whether the file conforms (null until analysed). */
    valid: boolean('valid'),
    /** Validation report: errors (1,000 at most), counts, warnings. */
    report: jsonb('report').$type<VersionReport | null>(),
    /** Personal-data verdicts per column. */
    personalData: jsonb('personal_data').$type<{ fieldName: string; kinds: string[]; share: number }[]>().notNull().default([]),
    /** First 50 data rows. */
    preview: jsonb('preview').$type<(string | null)[][]>().notNull().default([]),
    /** Column profile (type, empty share, distinct, min/max, top values). */
    profile: jsonb('profile').$type<ColumnProfile[]>().notNull().default([]),
    /** Rows and bytes read so far while analysing. */
    progress: jsonb('progress').$type<{ rows: number; bytes: number; totalBytes: number | null } | null>(),
    /** Why the analysis failed (unreadable file, unreachable URL…). */
    error: text('error'),
    /** The analysis job. */
    jobId: uuid('job_id'),
    /** Why a data_admin allowed the publication despite the personal-data verdict. */
    waiverReason: text('waiver_reason'),
    /** Who waived (login). */
    waivedBy: text('waived_by'),
    /** When the alert was waived. */
    waivedAt: timestamp('waived_at', { withTimezone: true }),
    /** Who uploaded the version (login). */
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Who published it (login). */
    publishedBy: text('published_by'),
    /** When it was published. */
    publishedAt: timestamp('published_at', { withTimezone: true }),
    /** When it was withdrawn. */
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
    /** Why it was withdrawn. */
    withdrawnReason: text('withdrawn_reason'),
  },
  (t) => [uniqueIndex('opendata_versions_resource_number').on(t.resourceId, t.number), index('opendata_versions_state').on(t.state)],
);

export interface VersionReport {
  errors: { type: string; rowNumber: number | null; fieldName: string | null; message: string }[];
  errorCounts: Record<string, number>;
  truncated: boolean;
  warnings: string[];
}

/** Downloads per resource and day (deduplicated per client for a short window, bots excluded). */
export const opendataDownloads = pgTable(
  'opendata_downloads',
  {
    /** The resource downloaded (its stable URL or one of its versions). */
    resourceId: uuid('resource_id')
      .notNull()
      .references(() => opendataResources.id, { onDelete: 'cascade' }),
    /** UTC day. */
    day: date('day').notNull(),
    /** Downloads counted that day. */
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.resourceId, t.day] })],
);

/** The data.gouv.fr account of an organisation: target udata, its organisation id there, the API key (encrypted). */
export const opendataDatagouvAccounts = pgTable('opendata_datagouv_accounts', {
  /** The ministry organisation. */
  organisationId: uuid('organisation_id')
    .primaryKey()
    .references(() => organisations.id, { onDelete: 'cascade' }),
  /** Base URL of the udata (`https://www.data.gouv.fr`, `https://demo.data.gouv.fr`…). */
  target: text('target').notNull(),
  /** The organisation's id on that udata (the datasets are created under it). */
  udataOrganization: text('udata_organization').notNull(),
  /** The API key, AES-256-GCM sealed (never returned by the API). */
  apiKeySealed: text('api_key_sealed').notNull(),
  /** Last characters of the key, to recognise it. */
  apiKeyHint: text('api_key_hint').notNull(),
  /** Who set it (login). */
  updatedBy: text('updated_by').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** What the last push of a dataset to data.gouv.fr gave: remote ids (kept for the next push), state, error. */
export const opendataDatagouvPushes = pgTable('opendata_datagouv_pushes', {
  /** The catalogue dataset. */
  datasetId: uuid('dataset_id').primaryKey(),
  /** Target the remote ids belong to. */
  target: text('target').notNull(),
  /** Remote dataset id (null until a first push succeeds). */
  remoteId: text('remote_id'),
  /** Its page on data.gouv.fr. */
  page: text('page'),
  /** Local resource id → remote resource id. */
  resources: jsonb('resources').$type<Record<string, string>>().notNull().default({}),
  /** queued, running, succeeded, failed. */
  state: text('state').$type<'queued' | 'running' | 'succeeded' | 'failed'>().notNull(),
  /** Why the last push failed (French, from udata's answer). */
  error: text('error'),
  /** What the last push did per resource (created, replaced, metadata, unchanged). */
  result: jsonb('result').$type<Record<string, unknown> | null>(),
  /** The push job. */
  jobId: uuid('job_id'),
  /** Who asked (login). */
  requestedBy: text('requested_by').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  /** What the last import of the dataset's reuses and discussions from data.gouv.fr gave (counts, notes, when). */
  communityImport: jsonb('community_import').$type<CommunityImport | null>(),
});

/**
 * A reuse of an open dataset (A01): an application, article, visualisation… built on it, declared
 * here by a signed-in user or imported from data.gouv.fr for pushed datasets. Shown on the public
 * dataset page; its URL is checked against the outbound policy (public addresses only).
 */
export const opendataReuses = pgTable(
  'opendata_reuses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The catalogue dataset reused (`catalog_assets` id; no foreign key across modules). */
    datasetId: uuid('dataset_id').notNull(),
    /** Title of the reuse. */
    title: text('title').notNull(),
    /** Where the reuse is (http or https, checked when declared or imported). */
    url: text('url').notNull(),
    /** udata's reuse type: api, application, idea, news_article, paper, post, visualization, hardware. */
    type: text('type').$type<ReuseType>().notNull(),
    /** Who made it (person or organisation, as declared or as data.gouv.fr names it). */
    author: text('author').notNull(),
    /** `local` (declared here) or `datagouv` (imported). */
    source: text('source').$type<'local' | 'datagouv'>().notNull(),
    /** Id of the reuse on data.gouv.fr (imported ones; the next import updates it). */
    remoteId: text('remote_id'),
    /** Its page on data.gouv.fr. */
    remotePage: text('remote_page'),
    /** Who declared it (login; null when imported). */
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('opendata_reuses_dataset').on(t.datasetId), uniqueIndex('opendata_reuses_remote').on(t.datasetId, t.remoteId)],
);

/**
 * A public question about an open dataset, answered by its producer (A01): asked here by a signed-in
 * user, or imported from data.gouv.fr (where it is answered) for pushed datasets.
 */
export const opendataDiscussions = pgTable(
  'opendata_discussions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The catalogue dataset the question is about. */
    datasetId: uuid('dataset_id').notNull(),
    /** Title of the question. */
    title: text('title').notNull(),
    /** Who asked (display name). */
    author: text('author').notNull(),
    /** `local` or `datagouv`. */
    source: text('source').$type<'local' | 'datagouv'>().notNull(),
    /** Id of the discussion on data.gouv.fr (imported ones). */
    remoteId: text('remote_id'),
    /** Its page on data.gouv.fr. */
    remotePage: text('remote_page'),
    /** Whether the producer has answered. */
    answered: boolean('answered').notNull().default(false),
    /** When it was closed (by the producer's answer, or on data.gouv.fr). */
    closedAt: timestamp('closed_at', { withTimezone: true }),
    /** Who asked (login; null when imported). */
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('opendata_discussions_dataset').on(t.datasetId), uniqueIndex('opendata_discussions_remote').on(t.datasetId, t.remoteId)],
);

/** The messages of a discussion, in order: the question first, then the answers. */
export const opendataDiscussionMessages = pgTable(
  'opendata_discussion_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The discussion. */
    discussionId: uuid('discussion_id').notNull(),
    /** 0 for the question, then 1, 2… */
    position: integer('position').notNull(),
    /** Text of the message (plain text). */
    body: text('body').notNull(),
    /** Who wrote it (display name). */
    author: text('author').notNull(),
    /** Written by the producer (editor or data_admin of the dataset's organisation, or its organisation on data.gouv.fr). */
    producer: boolean('producer').notNull().default(false),
    /** Who wrote it here (login; null when imported). */
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('opendata_discussion_messages_position').on(t.discussionId, t.position),
    // Named: the generated name is over PostgreSQL's 63 characters (it would be truncated, and drift).
    foreignKey({ name: 'opendata_discussion_messages_discussion_fk', columns: [t.discussionId], foreignColumns: [opendataDiscussions.id] }).onDelete('cascade'),
  ],
);

import { pgTable, text, uuid, timestamp, boolean, integer, jsonb, date, index, uniqueIndex, customType, bigserial } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import type { AssetKind, Lifecycle, Openness, RelationType, contactRoles, versionActions } from '@patrimoine/contracts/catalog';
import { organisations } from '../../platform/organisations/organisations.table.ts';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/** A contact of an asset with its role (responsable fonctionnel, DPO…). */
export interface AssetContact {
  role: (typeof contactRoles)[number];
  name: string;
  email?: string;
}

/**
 * Every asset of the ministry's catalogue (application, dataset, data model, API, source-code
 * repository, algorithm), described once: a common envelope plus kind-specific fields in `spec`.
 */
export const catalogAssets = pgTable(
  'catalog_assets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Kind: application, dataset, data_model, api, repository, algorithm. */
    kind: text('kind').$type<AssetKind>().notNull(),
    /** Identifier unique within the kind; references are written `kind:slug`. */
    slug: text('slug').notNull(),
    /** Title of the asset, shown everywhere and weighted first in search. */
    title: text('title').notNull(),
    /** Markdown description. */
    description: text('description').notNull().default(''),
    /** Owning directorate or service. */
    organisationId: uuid('organisation_id').references(() => organisations.id, { onDelete: 'set null' }),
    /** Contacts with typed roles: `[{ role, name, email }]`. */
    contacts: jsonb('contacts').$type<AssetContact[]>().notNull().default([]),
    /** Free tags (lower-case). */
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** projet, en_service, a_decommissionner, decommissionne. */
    lifecycle: text('lifecycle').$type<Lifecycle>().notNull().default('en_service'),
    /** Planned decommission date (roadmap action A06). */
    decommissionPlannedOn: date('decommission_planned_on'),
    /** Actual decommission date. */
    decommissionedOn: date('decommissioned_on'),
    /** ferme, a_ouvrir, ouvert, non_ouvrable. */
    openness: text('openness').$type<Openness>().notNull().default('ferme'),
    /** Legal reason why the asset cannot be opened (mandatory when non_ouvrable). */
    opennessReason: text('openness_reason'),
    /** Whether the asset holds or processes personal data. */
    personalData: boolean('personal_data').notNull().default(false),
    /** Kind-specific fields, validated by the kind's schema. */
    spec: jsonb('spec').$type<Record<string, unknown>>().notNull().default({}),
    /** Completeness score (0–100) computed from the kind's checks at every write. */
    completeness: integer('completeness').notNull().default(0),
    /** Demo content seeded by `seedDemo()` (not real ministry data). */
    isDemo: boolean('is_demo').notNull().default(false),
    /** Version number, incremented by every change (see catalog_asset_versions). */
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /** Login of the last person who changed the asset. */
    updatedBy: text('updated_by').notNull().default('system'),
    /** Last time the owner confirmed the description (an edit or a review « confirmed unchanged », A28). */
    lastConfirmedAt: timestamp('last_confirmed_at', { withTimezone: true }),
    /** Not confirmed for longer than the review policy's period (set by the governance module's sweep, cleared by a confirmation). */
    stale: boolean('stale').notNull().default(false),
  },
  (t) => [
    uniqueIndex('catalog_assets_kind_slug_idx').on(t.kind, t.slug),
    index('catalog_assets_org_idx').on(t.organisationId),
    index('catalog_assets_datagouv_idx').on(sql`(${t.spec}->>'datagouvId')`),
  ],
);

/**
 * What the search reads (ADR 0107): one narrow row per asset — the facet columns, the folded title and
 * the weighted full-text document — kept in step with catalog_assets by triggers (migration 0029) in
 * the transaction of every write. Matching, ranking, tier counts and facets read only this table; the
 * wide rows (description, spec, contacts) are fetched for the page's assets only.
 */
export const catalogSearch = pgTable(
  'catalog_search',
  {
    /** The asset (the row goes with it). */
    assetId: uuid('asset_id')
      .primaryKey()
      .references(() => catalogAssets.id, { onDelete: 'cascade' }),
    /** Copy of the asset's kind. */
    kind: text('kind').$type<AssetKind>().notNull(),
    /** Copy of the asset's owning organisation. */
    organisationId: uuid('organisation_id'),
    /** Copy of the asset's lifecycle. */
    lifecycle: text('lifecycle').$type<Lifecycle>().notNull(),
    /** Copy of the asset's openness (anonymous callers see `ouvert` only). */
    openness: text('openness').$type<Openness>().notNull(),
    /** Copy of the asset's personal-data flag (anonymous callers see assets without personal data only). */
    personalData: boolean('personal_data').notNull(),
    /** Copy of the asset's tags. */
    tags: text('tags').array().notNull(),
    /** Copy of the asset's title (the ranking's last tie-breaker but one). */
    title: text('title').notNull(),
    /** Title lower-cased without accents: exact and prefix ranking, title similarity, trigram suggestions. */
    titleNorm: text('title_norm').notNull(),
    /** French full-text document: title (A), slug and tags (B), description (C, first 20,000 characters), accent-insensitive. */
    search: tsvector('search').notNull(),
    /** The title's words alone (`fr_unaccent`): the lexemes of weight A of `search`, with their own index, so that the best matches of a broad query are found among titles (ADR 0107). */
    titleDoc: tsvector('title_doc').notNull(),
  },
  (t) => [
    index('catalog_search_search_idx').using('gin', t.search),
    index('catalog_search_title_norm_trgm_idx').using('gin', t.titleNorm.op('gin_trgm_ops')),
    index('catalog_search_title_doc_idx').using('gin', t.titleDoc),
    // The listing without a query (kind, then title) reads its page from this index.
    index('catalog_search_kind_title_idx').on(t.kind, t.title, t.assetId),
    index('catalog_search_tags_idx').using('gin', t.tags),
    index('catalog_search_org_idx').on(t.organisationId),
    index('catalog_search_openness_idx').on(t.openness, t.personalData),
    index('catalog_search_lifecycle_idx').on(t.lifecycle),
  ],
);

/**
 * Vocabulary of the catalogue's titles (ADR 0107): each folded word of at least 3 characters, with a
 * letter and not a French stop word, and how many titles hold it. Kept by the triggers of
 * catalog_assets; typo corrections and the empty state's suggestions look words up here (trigram index).
 */
export const catalogTitleWords = pgTable(
  'catalog_title_words',
  {
    /** A title word, lower-case and without accents. */
    word: text('word').primaryKey(),
    /** How many assets' titles hold the word (rows at 0 are removed by the trigger that brought them there). */
    titles: integer('titles').notNull(),
  },
  (t) => [index('catalog_title_words_trgm_idx').using('gin', t.word.op('gin_trgm_ops'))],
);

/** Full history of every asset: one snapshot per version, with who made it and when. */
export const catalogAssetVersions = pgTable(
  'catalog_asset_versions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** The asset (kept after deletion, so the history of a deleted asset stays readable). */
    assetId: uuid('asset_id').notNull(),
    /** Version number of the asset after this change (1 at creation). */
    version: integer('version').notNull(),
    /** create, update, delete, import. */
    action: text('action').$type<(typeof versionActions)[number]>().notNull(),
    /** The asset as it was after this version (the envelope and spec, owner as its code). */
    snapshot: jsonb('snapshot').$type<Record<string, unknown>>().notNull(),
    /** User who made the change (null for the system). */
    actorId: uuid('actor_id'),
    /** Login of that user at the time, or system/cli. */
    actorLabel: text('actor_label').notNull(),
    /** When the change was committed. */
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  // One snapshot per version of an asset: the last guard against two writers numbering theirs alike.
  (t) => [uniqueIndex('catalog_asset_versions_asset_version_idx').on(t.assetId, t.version)],
);

/** Typed, directional relations between assets, stored once and read from both ends. */
export const catalogRelations = pgTable(
  'catalog_relations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** produces, exposes, implements, uses, dependsOn, partOf, describes. */
    type: text('type').$type<RelationType>().notNull(),
    /** Asset the relation starts from (e.g. the application that produces). */
    fromId: uuid('from_id')
      .notNull()
      .references(() => catalogAssets.id, { onDelete: 'cascade' }),
    /** Asset the relation points to (e.g. the dataset produced). */
    toId: uuid('to_id')
      .notNull()
      .references(() => catalogAssets.id, { onDelete: 'cascade' }),
    /** Free note on the relation (e.g. « réplique quotidienne »). */
    note: text('note'),
    /** Date from which the relation holds. */
    since: date('since'),
    /** Login of who created the relation. */
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('catalog_relations_unique_idx').on(t.type, t.fromId, t.toId),
    index('catalog_relations_to_idx').on(t.toId),
    index('catalog_relations_from_idx').on(t.fromId),
  ],
);

/**
 * Synonyms of the catalogue search, edited by the data team: each row is a group of equivalent
 * expressions (« carte grise », « certificat d'immatriculation »); a query holding one of them also
 * searches the others (ADR 0106).
 */
export const catalogSynonyms = pgTable('catalog_synonyms', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** Equivalent expressions, as written by the data team (two or more; matched accent- and case-insensitively). */
  terms: text('terms').array().notNull(),
  /** Why these expressions are equivalent, or where they come from. */
  note: text('note'),
  /** Login of the last person who changed the group (`system` for the seeded list). */
  updatedBy: text('updated_by').notNull().default('system'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

import { pgTable, text, uuid, timestamp, boolean, integer, jsonb, date, index, uniqueIndex, customType, bigserial } from 'drizzle-orm/pg-core';
import { sql, type SQL } from 'drizzle-orm';
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
    /** Title lower-cased without accents, for typo-tolerant (trigram) search and prefix ranking. */
    titleNorm: text('title_norm').generatedAlwaysAs((): SQL => sql`immutable_unaccent(lower(title))`),
    /** French full-text document: title (A), tags (B), description (C), accent-insensitive. */
    search: tsvector('search').generatedAlwaysAs(
      (): SQL =>
        sql`setweight(to_tsvector('fr_unaccent'::regconfig, coalesce(title, '')), 'A') || setweight(to_tsvector('fr_unaccent'::regconfig, coalesce(slug, '') || ' ' || catalog_tags_text(tags)), 'B') || setweight(to_tsvector('fr_unaccent'::regconfig, left(coalesce(description, ''), 20000)), 'C')`,
    ),
  },
  (t) => [
    uniqueIndex('catalog_assets_kind_slug_idx').on(t.kind, t.slug),
    index('catalog_assets_org_idx').on(t.organisationId),
    index('catalog_assets_search_idx').using('gin', t.search),
    index('catalog_assets_title_norm_trgm_idx').using('gin', t.titleNorm.op('gin_trgm_ops')),
    index('catalog_assets_tags_idx').using('gin', t.tags),
    index('catalog_assets_datagouv_idx').on(sql`(${t.spec}->>'datagouvId')`),
  ],
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

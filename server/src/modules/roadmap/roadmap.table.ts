import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  date,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import type { ActionStatus, OpeningStatus, OpeningType } from '@patrimoine/contracts/roadmap';
import { organisations } from '../../platform/organisations/organisations.table.ts';

/** A roadmap: a dated programme of actions and announced openings (2021-2023, then 2024-2026…). */
export const roadmaps = pgTable('roadmaps', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** Stable short identifier used in URLs and imports, e.g. `dac-2021-2023`; unique. */
  slug: text('slug').notNull().unique(),
  /** Title as published, e.g. « Feuille de route Données, Algorithmes, Codes sources 2021-2023 ». */
  title: text('title').notNull(),
  /** First year covered. */
  startYear: integer('start_year').notNull(),
  /** Last year covered. */
  endYear: integer('end_year').notNull(),
  /** Where the content comes from (document, annexes). */
  source: text('source'),
  /** Titles of the roadmap's parts (top-level sections): `{ "2": "Faciliter et valoriser l'ouverture…" }`. */
  parts: jsonb('parts').$type<Record<string, string>>().notNull().default({}),
  /** Shown on the public transparency page (the roadmap itself is a public document). */
  public: boolean('public').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** An action of a roadmap (A01…A66, sub-actions A09-1…), with its steering state. */
export const roadmapActions = pgTable(
  'roadmap_actions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Roadmap the action belongs to. */
    roadmapId: uuid('roadmap_id')
      .notNull()
      .references(() => roadmaps.id, { onDelete: 'cascade' }),
    /** Code of the action inside its roadmap (A10, A09-2); unique per roadmap. */
    code: text('code').notNull(),
    /** Code of the parent action for a sub-action (A09 for A09-1), else null. */
    parentCode: text('parent_code'),
    /** Order of display (position in the source). */
    position: integer('position').notNull().default(0),
    /** Full title from the body of the roadmap. */
    title: text('title').notNull(),
    /** Short title of the annex table. */
    shortTitle: text('short_title'),
    /** Section number of the roadmap (« 2.1 »). */
    section: text('section').notNull(),
    /** Section title (« Ouvrir les données publiques »). */
    sectionTitle: text('section_title').notNull(),
    /** Deadline period: `YYYY-S1|S2` (semester) or `YYYY-T1..T4` (quarter). */
    deadline: text('deadline').notNull(),
    /** Second deadline when the source gives two (A10: 2021-S2 then 2022-S2); the action is due at the later one. */
    deadlineEnd: text('deadline_end'),
    /** Steering status: a_lancer, en_cours, realisee, abandonnee. */
    status: text('status').$type<ActionStatus>().notNull().default('a_lancer'),
    /** Progress from 0 to 100. */
    progress: integer('progress').notNull().default(0),
    /** Person who pilots the action (free text: name and service). */
    pilot: text('pilot'),
    /** Contributors that are not organisations of the table (« directions métiers »), as in the source. */
    collectiveContributors: text('collective_contributors').array().notNull().default([]),
    /** Contributors as written in the source, for reference. */
    sourceContributors: text('source_contributors').array().notNull().default([]),
    /** Note on an inconsistency or a particularity of the source (shown in the UI). */
    sourceNote: text('source_note'),
    /** Linked catalogue assets (ids of the catalog module; no foreign key, modules stay decoupled). */
    assetIds: uuid('asset_ids').array().notNull().default([]),
    /** The action of an earlier roadmap this one carries over (its history is shown with this one's). */
    carriedFromId: uuid('carried_from_id').references((): AnyPgColumn => roadmapActions.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('roadmap_actions_code_uq').on(t.roadmapId, t.code),
    index('roadmap_actions_status_idx').on(t.roadmapId, t.status),
    index('roadmap_actions_carried_idx').on(t.carriedFromId),
  ],
);

/** Organisations contributing to an action: they (their data administrators) may update it. */
export const roadmapActionContributors = pgTable(
  'roadmap_action_contributors',
  {
    /** The action. */
    actionId: uuid('action_id')
      .notNull()
      .references(() => roadmapActions.id, { onDelete: 'cascade' }),
    /** A contributing organisation. */
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.actionId, t.organisationId] }), index('roadmap_action_contributors_org_idx').on(t.organisationId)],
);

/** An indicator of an action (name, target, current value, unit) with the history of its values. */
export const roadmapIndicators = pgTable(
  'roadmap_indicators',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The action measured. */
    actionId: uuid('action_id')
      .notNull()
      .references(() => roadmapActions.id, { onDelete: 'cascade' }),
    /** Name (« Jeux de données publiés »). */
    name: text('name').notNull(),
    /** Unit (« jeux de données », « % »). */
    unit: text('unit'),
    /** Target value. */
    target: text('target'),
    /** Latest value (numeric, as text to keep the precision typed by people). */
    currentValue: text('current_value'),
    /** Values over time: `[{ value, at, by }]`, oldest first (bounded by the API). */
    history: jsonb('history').$type<{ value: string; at: string; by: string }[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('roadmap_indicators_name_uq').on(t.actionId, t.name)],
);

/** An announced opening (dataset, API, source code, algorithm) of the roadmap's follow-up table. */
export const roadmapOpenings = pgTable(
  'roadmap_openings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Roadmap announcing the opening. */
    roadmapId: uuid('roadmap_id')
      .notNull()
      .references(() => roadmaps.id, { onDelete: 'cascade' }),
    /** Order in the source table. */
    position: integer('position').notNull().default(0),
    /** Thematic category of the source table (« Données relatives aux collectivités territoriales »). */
    category: text('category').notNull(),
    /** What is opened. */
    title: text('title').notNull(),
    /** jeu_de_donnees, api, code_source, algorithme. */
    type: text('type').$type<OpeningType>().notNull(),
    /** Due quarter `YYYY-T1..T4`. */
    due: text('due').notNull(),
    /** planifie, en_cours, disponible, reporte, abandonne. */
    status: text('status').$type<OpeningStatus>().notNull().default('planifie'),
    /** Date it became available (null when unknown, e.g. available before the tool existed). */
    availableOn: date('available_on'),
    /** Linked catalogue asset id (no foreign key); its opening to `ouvert` makes this opening available. */
    assetId: uuid('asset_id'),
    /** Organisation in charge, when known (its data administrators may update the opening). */
    organisationId: uuid('organisation_id').references(() => organisations.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('roadmap_openings_title_uq').on(t.roadmapId, t.title), index('roadmap_openings_asset_idx').on(t.assetId)],
);

/**
 * The dated log of updates of actions and openings: who wrote what, when. Feeds the action page,
 * the committee report (changes since the previous committee) and the burn-up chart.
 */
export const roadmapUpdates = pgTable(
  'roadmap_updates',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** Roadmap of the entry. */
    roadmapId: uuid('roadmap_id')
      .notNull()
      .references(() => roadmaps.id, { onDelete: 'cascade' }),
    /** Action updated (null for an opening). */
    actionId: uuid('action_id').references(() => roadmapActions.id, { onDelete: 'cascade' }),
    /** Opening updated (null for an action). */
    openingId: uuid('opening_id').references(() => roadmapOpenings.id, { onDelete: 'cascade' }),
    /** When it happened. */
    at: timestamp('at', { withTimezone: true }).notNull(),
    /** Author (user id; null for the system: import, automatic update from the catalogue). */
    actorId: uuid('actor_id'),
    /** Author as displayed (login or « système »). */
    actorLabel: text('actor_label').notNull(),
    /** note, edit, bulk, automatic, carry_over. */
    kind: text('kind').notNull(),
    /** Text written by the author (or generated for automatic updates). */
    note: text('note'),
    /** Changed fields: `{ field: { from, to } }`. */
    changes: jsonb('changes').$type<Record<string, { from: unknown; to: unknown }>>().notNull().default({}),
    /** Status after this update (actions and openings), for the burn-up and the report. */
    statusAfter: text('status_after'),
    /** Progress after this update (actions). */
    progressAfter: integer('progress_after'),
  },
  (t) => [
    index('roadmap_updates_roadmap_at_idx').on(t.roadmapId, t.at),
    index('roadmap_updates_action_idx').on(t.actionId, t.at),
    index('roadmap_updates_opening_idx').on(t.openingId),
  ],
);

/** Decisions recorded by the data-governance committee (A54), per quarter. */
export const roadmapDecisions = pgTable(
  'roadmap_decisions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Roadmap steered by the committee. */
    roadmapId: uuid('roadmap_id')
      .notNull()
      .references(() => roadmaps.id, { onDelete: 'cascade' }),
    /** Committee quarter `YYYY-T1..T4`. */
    quarter: text('quarter').notNull(),
    /** The decision as worded by the committee. */
    text: text('text').notNull(),
    /** Action it concerns, if any (code). */
    actionCode: text('action_code'),
    /** Who recorded it (user id). */
    actorId: uuid('actor_id'),
    /** Who recorded it, as displayed. */
    actorLabel: text('actor_label').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('roadmap_decisions_quarter_idx').on(t.roadmapId, t.quarter)],
);

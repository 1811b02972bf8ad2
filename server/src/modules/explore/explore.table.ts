import { bigint, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type {
  DashboardCard,
  DashboardFilter,
  DashboardVisibility,
  ExtractColumn,
  ExtractState,
  QuestionDefinition,
  SqlDefinition,
  Visualization,
} from '@patrimoine/contracts/explore';
import type { CountTable } from './engine/convert.ts';
import { organisations } from '../../platform/organisations/organisations.table.ts';

export interface ExtractCounts {
  /** The count tables' Parquet file; null when the job found no column worth a table (or failed for good). */
  blobKey: string | null;
  bytes: number;
  tables: CountTable[];
}

/**
 * The Parquet extract of one published resource version (opendata), queried by DuckDB: converted once
 * by the job `explore.convert` into the blob store; every node reads it from its local cache.
 */
export const exploreExtracts = pgTable(
  'explore_extracts',
  {
    /** The opendata version converted (`opendata_versions` id; no foreign key across modules). */
    versionId: uuid('version_id').primaryKey(),
    /** Its resource (`opendata_resources` id). */
    resourceId: uuid('resource_id').notNull(),
    /** pending, converting, ready, failed. */
    state: text('state').$type<ExtractState>().notNull().default('pending'),
    /** Key of the Parquet file in the blob store (`explore/extracts/<version id>.parquet`) once ready. */
    blobKey: text('blob_key'),
    /** Size of the Parquet file in bytes (the local cache checks it). */
    bytes: bigint('bytes', { mode: 'number' }),
    /** Rows of the extract. */
    rows: bigint('rows', { mode: 'number' }),
    /** Columns with DuckDB's types and their family (number, text, date, boolean). */
    columns: jsonb('columns').$type<ExtractColumn[]>().notNull().default([]),
    /** Why the conversion failed (French), when failed. */
    error: text('error'),
    /** The conversion job. */
    jobId: uuid('job_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** When the conversion finished. */
    convertedAt: timestamp('converted_at', { withTimezone: true }),
    /**
     * Count tables of the extract (ADR 0804), when worth it: their Parquet file in the blob store
     * (`explore/extracts/<version id>.counts.parquet`), its size, and each table's id and columns;
     * `{ blobKey: null, tables: [] }` once the job ran and found none worth building; null while not
     * built yet (the extracts converted before ADR 0804 are queued at the next start).
     */
    counts: jsonb('counts').$type<ExtractCounts | null>(),
  },
  (t) => [index('explore_extracts_resource').on(t.resourceId)],
);

/** A saved question: a builder definition (no SQL) or a SQL query over named resources, and how to show it. */
export const exploreQuestions = pgTable(
  'explore_questions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Title shown on cards and lists. */
    title: text('title').notNull(),
    /** What the question answers (plain text). */
    description: text('description').notNull().default(''),
    /** `builder` or `sql`. */
    mode: text('mode').$type<'builder' | 'sql'>().notNull(),
    /** The builder's definition (mode builder). */
    builder: jsonb('builder').$type<QuestionDefinition>(),
    /** The SQL and its sources (mode sql). */
    sql: jsonb('sql').$type<SqlDefinition>(),
    /** table, bar, stacked_bar, line, line_cvs, pie, number, map_region, map_departement, map_commune. */
    visualization: text('visualization').$type<Visualization>().notNull().default('table'),
    /** Resources the question reads (visibility: a caller must be able to read every one). */
    resourceIds: jsonb('resource_ids').$type<string[]>().notNull(),
    /** Organisation of its author (its editors may change it). */
    organisationId: uuid('organisation_id').references(() => organisations.id, { onDelete: 'set null' }),
    /** Account id of the author. */
    ownerId: uuid('owner_id'),
    /** Who created it (actor label). */
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Last change. */
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('explore_questions_organisation').on(t.organisationId)],
);

/** A dashboard: cards of questions and texts on a grid, shared filters, public or restricted, embeddable. */
export const exploreDashboards = pgTable('explore_dashboards', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** Title shown above the grid. */
  title: text('title').notNull(),
  /** Introduction (plain text). */
  description: text('description').notNull().default(''),
  /** `restricted` (signed-in readers of every card's resources) or `public` (anyone; open data only). */
  visibility: text('visibility').$type<DashboardVisibility>().notNull().default('restricted'),
  /** Cards in grid order: `{kind: question, questionId, width}` or `{kind: text, text, width}`. */
  cards: jsonb('cards').$type<DashboardCard[]>().notNull().default([]),
  /** Shared filters: a column name applied to every card whose resource has it. */
  filters: jsonb('filters').$type<DashboardFilter[]>().notNull().default([]),
  /** Incremented to revoke every embed token issued so far. */
  embedGeneration: integer('embed_generation').notNull().default(1),
  /** Organisation of its author (its editors may change it). */
  organisationId: uuid('organisation_id').references(() => organisations.id, { onDelete: 'set null' }),
  /** Account id of the author. */
  ownerId: uuid('owner_id'),
  /** Who created it (actor label). */
  createdBy: text('created_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  /** Last change. */
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

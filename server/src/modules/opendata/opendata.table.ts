import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid, integer } from 'drizzle-orm/pg-core';
import type { SchemaSource } from '@patrimoine/contracts/opendata';
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

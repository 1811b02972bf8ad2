import { pgTable, text, uuid, timestamp, index, type AnyPgColumn } from 'drizzle-orm/pg-core';

/** The ministry's directorates and services: the owners of assets, actions and APIs. */
export const organisations = pgTable(
  'organisations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Short code used across the ministry (DNUM, DSR, DGEF…); unique. */
    code: text('code').notNull().unique(),
    /** Full name, e.g. « Direction du numérique ». */
    name: text('name').notNull(),
    /** Kind of structure: secretariat general, general directorate, directorate, service, prefecture… */
    kind: text('kind').notNull().default('direction'),
    /** Parent structure (a service inside a directorate). */
    parentId: uuid('parent_id').references((): AnyPgColumn => organisations.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('organisations_parent_idx').on(t.parentId)],
);

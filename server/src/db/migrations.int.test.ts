import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { is, sql, type SQL } from 'drizzle-orm';
import { PgTable, getTableConfig } from 'drizzle-orm/pg-core';
import * as api from 'drizzle-kit/api';
import * as schema from './schema.ts';
import type { Database } from './client.ts';
import { appliedCount, expectedMigrationCount, migrationsFolder } from './migrate.ts';
import { createTestDatabase } from '../../test/harness.ts';

/**
 * The migrations and the Drizzle schema (`schema.ts`) must describe the same database:
 * - applied from zero on a brand-new database (both engines), the migrations give exactly the tables,
 *   columns, defaults, keys and indexes of the schema (drizzle-kit's push diff finds nothing to do);
 * - the schema matches the last committed snapshot, i.e. `npm run db:generate` would write nothing.
 * Editing a table without generating its migration fails both.
 */

// drizzle-kit/api is CommonJS: its functions are on the default export under tsx/vitest.
const kit = ((api as unknown as { default?: typeof api }).default ?? api) as typeof api;

/**
 * Statements drizzle-kit 0.31's push diff proposes although the database is what the schema says
 * (its introspection does not normalise these forms). Each is matched exactly: changing the column,
 * index or key behind one makes it a difference again.
 */
const PUSH_FALSE_POSITIVES: Record<string, string> = {
  // Array defaults: the schema's `.default([])` is read back from the database as '{}'::type[].
  'ALTER TABLE "catalog_assets" ALTER COLUMN "tags" SET DEFAULT \'{}\'::text[];': 'array default',
  'ALTER TABLE "roadmap_actions" ALTER COLUMN "collective_contributors" SET DEFAULT \'{}\';': 'array default',
  'ALTER TABLE "roadmap_actions" ALTER COLUMN "source_contributors" SET DEFAULT \'{}\';': 'array default',
  'ALTER TABLE "roadmap_actions" ALTER COLUMN "asset_ids" SET DEFAULT \'{}\';': 'array default',
  'ALTER TABLE "governance_projects" ALTER COLUMN "asset_ids" SET DEFAULT \'{}\';': 'array default',
  // An index on an SQL expression with an operator class is always recreated by push.
  'DROP INDEX "deces_records_last_trgm_idx";': 'expression index',
  'CREATE INDEX "deces_records_last_trgm_idx" ON "deces_records" USING gin ("last_key" gin_trgm_ops);': 'expression index',
  'DROP INDEX "deces_records_first_year_last_idx";': 'expression index',
  'CREATE INDEX "deces_records_first_year_last_idx" ON "deces_records" USING btree ("first_phon","birth_year",left("last_key", 1));': 'expression index',
  // Composite primary keys are always dropped and re-added by push.
  'ALTER TABLE "gw_usage" DROP CONSTRAINT "gw_usage_granularity_bucket_api_id_application_id_pk";\n--> statement-breakpoint\nALTER TABLE "gw_usage" ADD CONSTRAINT "gw_usage_granularity_bucket_api_id_application_id_pk" PRIMARY KEY("granularity","bucket","api_id","application_id");':
    'composite primary key',
  'ALTER TABLE "governance_review_items" DROP CONSTRAINT "governance_review_items_campaign_id_asset_id_pk";\n--> statement-breakpoint\nALTER TABLE "governance_review_items" ADD CONSTRAINT "governance_review_items_campaign_id_asset_id_pk" PRIMARY KEY("campaign_id","asset_id");':
    'composite primary key',
  'ALTER TABLE "hab_roles" DROP CONSTRAINT "hab_roles_definition_id_user_id_role_pk";\n--> statement-breakpoint\nALTER TABLE "hab_roles" ADD CONSTRAINT "hab_roles_definition_id_user_id_role_pk" PRIMARY KEY("definition_id","user_id","role");':
    'composite primary key',
  'ALTER TABLE "opendata_downloads" DROP CONSTRAINT "opendata_downloads_resource_id_day_pk";\n--> statement-breakpoint\nALTER TABLE "opendata_downloads" ADD CONSTRAINT "opendata_downloads_resource_id_day_pk" PRIMARY KEY("resource_id","day");':
    'composite primary key',
};

const tables = Object.entries(schema).filter(([, v]) => is(v, PgTable)) as [string, PgTable][];
const tableNames = tables.map(([, t]) => getTableConfig(t).name);

/**
 * What push would change in the database for one table. One table at a time: drizzle-kit's
 * `pushSchema` drops the parameters of the one introspection query that takes some (the name of a
 * composite primary key), so this wrapper fills them in for the table being compared.
 */
async function pushDiff(database: Database, key: string, table: PgTable): Promise<string[]> {
  const name = getTableConfig(table).name;
  const execute = (q: SQL) => {
    const text = (q as unknown as { queryChunks: { value?: string[] }[] }).queryChunks.map((c) => c.value?.join('') ?? '').join('');
    if (text.includes('$1::regnamespace')) return database.db.execute(sql.raw(text.replace('$1', "'public'").replace('$2', `'${name}'`)));
    return database.db.execute(q);
  };
  const r = await kit.pushSchema({ [key]: table }, { execute } as never, ['public'], [name]);
  // Sequences are not per table: a serial column's sequence is another table's business.
  const foreignSequence = (s: string) => {
    const m = /^DROP SEQUENCE "public"\."(\w+)";$/.exec(s);
    return !!m && !m[1]!.startsWith(`${name}_`) && tableNames.some((t) => m[1]!.startsWith(`${t}_`));
  };
  // Composite primary keys are always dropped and re-added by push, under the same name: not a drift.
  const samePrimaryKey = (s: string) => {
    const m = /^ALTER TABLE "(\w+)" DROP CONSTRAINT "(\w+_pk)";\n--> statement-breakpoint\nALTER TABLE "\1" ADD CONSTRAINT "\2" PRIMARY KEY\([^)]*\);$/.exec(s);
    return !!m;
  };
  return r.statementsToExecute.filter((s) => !foreignSequence(s) && !samePrimaryKey(s) && !(s in PUSH_FALSE_POSITIVES));
}

let database: Database;
let drop: () => Promise<void>;

beforeAll(async () => {
  const tdb = await createTestDatabase({ fromZero: true });
  database = tdb.database;
  drop = tdb.drop;
}, 120_000);
afterAll(async () => drop?.());

describe('database migrations', () => {
  it('apply from zero on a brand-new database', async () => {
    expect(await appliedCount(database)).toBe(expectedMigrationCount());
    const rows = await database.query<{ table_name: string }>(`select table_name from information_schema.tables where table_schema = 'public'`);
    expect(rows.map((r) => r.table_name).sort()).toEqual(expect.arrayContaining([...tableNames].sort()));
  });

  it('give the database the Drizzle schema describes (no drift)', async () => {
    // drizzle-kit prints a spinner on stdout while it introspects; keep the test output readable.
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: unknown, ...rest: unknown[]) =>
      String(chunk).includes('Pulling schema') ? true : write(chunk as string, ...(rest as []))) as typeof process.stdout.write;
    const drift: Record<string, string[]> = {};
    try {
      for (const [key, table] of tables) {
        const d = await pushDiff(database, key, table);
        if (d.length) drift[getTableConfig(table).name] = d;
      }
    } finally {
      process.stdout.write = write;
    }
    expect(drift, 'statements the schema needs that no migration applies: run `npm run db:generate -- --name <module>_<what>`').toEqual({});
  }, 120_000);

  it('match the last committed snapshot: `npm run db:generate` would write nothing', async () => {
    const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: { idx: number; tag: string }[] };
    const last = journal.entries.at(-1)!;
    expect(fs.existsSync(path.join(migrationsFolder, `${last.tag}.sql`))).toBe(true);
    const snapshot = JSON.parse(fs.readFileSync(path.join(migrationsFolder, 'meta', `${String(last.idx).padStart(4, '0')}_snapshot.json`), 'utf8'));
    const current = kit.generateDrizzleJson(schema, snapshot.id);
    const statements = await kit.generateMigration(snapshot, current);
    expect(statements, 'the schema changed since the last migration: run `npm run db:generate -- --name <module>_<what>`').toEqual([]);
  });
});

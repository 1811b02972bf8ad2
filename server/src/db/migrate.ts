import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './client.ts';

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Applies pending migrations (idempotent); returns how many were applied. */
export async function runMigrations(database: Database): Promise<number> {
  const before = await appliedCount(database);
  if (database.kind === 'pglite') {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(database.db as never, { migrationsFolder });
  } else {
    const { migrate } = await import('drizzle-orm/node-postgres/migrator');
    // Several nodes may start at once: one migrates, the others wait on the advisory lock.
    // The lock is held on a dedicated connection so that it is released by the same session.
    const pg = await import('pg');
    const lock = new pg.default.Client({ connectionString: database.url });
    await lock.connect();
    try {
      await lock.query('SELECT pg_advisory_lock(727274)');
      await migrate(database.db as never, { migrationsFolder });
    } finally {
      await lock.query('SELECT pg_advisory_unlock(727274)').catch(() => undefined);
      await lock.end();
    }
  }
  return (await appliedCount(database)) - before;
}

export function expectedMigrationCount(): number {
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

export async function appliedCount(database: Database): Promise<number> {
  try {
    const rows = await database.query<{ n: number }>('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
    return rows[0]?.n ?? 0;
  } catch {
    return 0;
  }
}

/** True when every migration shipped with this build has been applied. */
export async function migrationsUpToDate(database: Database): Promise<boolean> {
  return (await appliedCount(database)) >= expectedMigrationCount();
}

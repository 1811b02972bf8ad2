import fs from 'node:fs';
import { openDatabase } from '../src/db/client.ts';
import { runMigrations } from '../src/db/migrate.ts';

/**
 * Runs once per test run: migrates a template database for the engine under test, so that each
 * test file starts from a copy instead of replaying every migration.
 */
export async function setupEngine(engine: 'pglite' | 'postgres') {
  const { PGLITE_SNAPSHOT, PG_TEMPLATE } = await import('./harness.ts');
  if (engine === 'postgres') {
    const pg = await import('pg');
    const admin = new pg.default.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${PG_TEMPLATE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${PG_TEMPLATE}`);
    const u = new URL(process.env.DATABASE_URL!);
    u.pathname = `/${PG_TEMPLATE}`;
    const db = await openDatabase({ url: u.toString(), poolSize: 1 });
    await runMigrations(db);
    await db.close();
    return async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${PG_TEMPLATE} WITH (FORCE)`);
      await admin.end();
    };
  }
  const db = await openDatabase({ dataDir: 'memory://' });
  await runMigrations(db);
  const dump = await (db as unknown as { pglite: { dumpDataDir(c: 'gzip'): Promise<Blob> } }).pglite.dumpDataDir('gzip');
  fs.writeFileSync(PGLITE_SNAPSHOT, Buffer.from(await dump.arrayBuffer()));
  await db.close();
  return () => fs.rmSync(PGLITE_SNAPSHOT, { force: true });
}

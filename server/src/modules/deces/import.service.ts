import fs from 'node:fs';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../platform/context.ts';
import type { Actor } from '../../platform/auth/principal.ts';
import type { Db } from '../../db/client.ts';
import { recordAudit } from '../../platform/audit/audit.repository.ts';
import { readInseeFile, type LineProgress } from './files.ts';
import { InseeLineError, oppositionKey, parseLine, sourceName, splitLine } from './insee.ts';
import { createDecesRepository, RECORD_COLUMNS, rowValues } from './deces.repository.ts';

export interface ImportReport {
  source: string;
  lines: number;
  inserted: number;
  rejected: number;
  opposed: number;
  lastRecordDate: string | null;
  errors: { line: number; message: string }[];
}

export interface ImportProgress extends LineProgress {
  lines: number;
}

const BATCH = 500;

/** COPY text format escaping. */
function copyField(v: string | number | null): string {
  if (v === null) return '\\N';
  return String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/**
 * Imports one INSEE file in one transaction (all or nothing): unparseable lines are reported (up to
 * 100 kept), records on the RGPD opposition list are skipped, records already present (same id) are
 * not inserted twice. On PostgreSQL rows go through COPY into a staging table then one set-based
 * insert; on PGlite through batched multi-row inserts.
 */
export async function importFile(
  ctx: AppContext,
  file: string,
  opts: { actor: Actor; source?: string; onProgress?: (p: ImportProgress) => void },
): Promise<ImportReport> {
  const repo = createDecesRepository(ctx.db);
  if (!fs.existsSync(file)) throw new Error(`Fichier introuvable : ${file}`);
  const source = opts.source ?? sourceName(file);
  const opposed = await repo.oppositionKeys();
  const report: ImportReport = { source, lines: 0, inserted: 0, rejected: 0, opposed: 0, lastRecordDate: null, errors: [] };
  let last: LineProgress = { bytes: 0, totalBytes: 0 };
  const lines = readInseeFile(file, (p) => {
    last = p;
  });
  async function* rows(): AsyncGenerator<(string | number | null)[]> {
    for await (const line of lines) {
      report.lines++;
      if (report.lines % 5000 === 0) opts.onProgress?.({ ...last, lines: report.lines });
      try {
        const r = parseLine(line, source);
        if (opposed.size && opposed.has(oppositionKey(r.deathDate, r.deathCode, r.certificateId))) {
          report.opposed++;
          continue;
        }
        if (/^\d{8}$/.test(r.deathDate) && (!report.lastRecordDate || r.deathDate > report.lastRecordDate)) report.lastRecordDate = r.deathDate;
        yield rowValues(r);
      } catch (e) {
        if (!(e instanceof InseeLineError)) throw e;
        report.rejected++;
        if (report.errors.length < 100) report.errors.push({ line: report.lines, message: e.message });
      }
    }
  }
  const finish = async (tx: Db) => {
    const src = await repo.insertSource(tx, {
      name: source,
      lines: report.lines,
      inserted: report.inserted,
      rejected: report.rejected,
      opposed: report.opposed,
      lastRecordDate: report.lastRecordDate,
      errors: report.errors,
    });
    await recordAudit(tx, {
      actor: opts.actor,
      action: 'deces.import',
      entityType: 'deces_source',
      entityId: src.id,
      after: { ...report, errors: report.errors.length },
    });
  };

  if (ctx.database.kind === 'postgres' && ctx.database.url) {
    const pg = await import('pg');
    const { from: copyFrom } = await import('pg-copy-streams');
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const client = new pg.default.Client({ connectionString: ctx.database.url, application_name: 'patrimoine-deces-import' });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(`CREATE TEMP TABLE deces_stage (LIKE deces_records) ON COMMIT DROP`);
      const copy = client.query(copyFrom(`COPY deces_stage (${RECORD_COLUMNS.join(', ')}) FROM STDIN`));
      const done = new Promise<void>((resolve, reject) => {
        copy.on('finish', resolve);
        copy.on('error', reject);
      });
      let buf: string[] = [];
      try {
        for await (const r of rows()) {
          buf.push(r.map(copyField).join('\t'));
          if (buf.length >= 2000) {
            if (!copy.write(buf.join('\n') + '\n')) await new Promise((res) => copy.once('drain', res));
            buf = [];
          }
        }
      } catch (e) {
        // A read or parse failure mid-COPY: abort the COPY so that the rollback below can run.
        copy.destroy(e as Error);
        await done.catch(() => undefined);
        throw e;
      }
      if (buf.length) copy.write(buf.join('\n') + '\n');
      copy.end();
      await done;
      // A load that is large relative to the table is faster with the secondary indexes rebuilt once
      // at the end than maintained row by row (the GIN trigram index above all). DDL is transactional.
      const [{ staged }] = (await client.query<{ staged: number }>('SELECT count(*)::int AS staged FROM deces_stage')).rows as [{ staged: number }];
      const [{ existing }] = (await client.query<{ existing: number }>(`SELECT reltuples::bigint AS existing FROM pg_class WHERE relname = 'deces_records'`))
        .rows as [{ existing: number }];
      const rebuild = staged > 50_000 && staged > Number(existing) * 0.2;
      let indexes: { indexname: string; indexdef: string }[] = [];
      if (rebuild) {
        indexes = (
          await client.query<{ indexname: string; indexdef: string }>(
            `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'deces_records' AND indexname <> 'deces_records_pkey'`,
          )
        ).rows;
        for (const i of indexes) await client.query(`DROP INDEX ${i.indexname}`);
      }
      const ins = await client.query(
        // Duplicates inside the file are skipped by ON CONFLICT DO NOTHING too: no sort needed.
        `INSERT INTO deces_records SELECT * FROM deces_stage ON CONFLICT (id) DO NOTHING`,
      );
      if (rebuild) {
        await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
        for (const i of indexes) await client.query(i.indexdef);
      }
      report.inserted = ins.rowCount ?? 0;
      const tx = drizzle(client) as unknown as Db;
      await finish(tx);
      await client.query('COMMIT');
      await client.query('ANALYZE deces_records').catch(() => undefined);
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      await client.end();
    }
  } else {
    await ctx.db.transaction(async (tx) => {
      let batch: (string | number | null)[][] = [];
      for await (const r of rows()) {
        batch.push(r);
        if (batch.length >= BATCH) {
          report.inserted += await repo.insertRows(tx as unknown as Db, batch);
          batch = [];
        }
      }
      report.inserted += await repo.insertRows(tx as unknown as Db, batch);
      await finish(tx as unknown as Db);
    });
    await ctx.db.execute(sql`ANALYZE deces_records`).catch(() => undefined);
  }
  opts.onProgress?.({ ...last, bytes: last.totalBytes, lines: report.lines });
  return report;
}

/**
 * Applies INSEE's RGPD opposition list: either full records (fixed width or CSV rendering) or a CSV
 * with the death date, death place code and certificate number. Matching records are deleted and the
 * keys kept so that later imports skip them. One transaction, audited.
 */
export async function applyOppositions(
  ctx: AppContext,
  file: string,
  actor: Actor,
): Promise<{ keys: number; deleted: number; rejected: { line: number; message: string }[] }> {
  const repo = createDecesRepository(ctx.db);
  const keys = new Set<string>();
  const rejected: { line: number; message: string }[] = [];
  let n = 0;
  for await (const line of readInseeFile(file)) {
    n++;
    const cells = line.split(/[;,]/).map((c) => c.replace(/^"|"$/g, '').trim());
    if (cells.length === 3) {
      if (n === 1 && !/\d/.test(cells[0]!)) continue; // header
      const date = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(cells[0]!);
      const d = date ? `${date[3]}${date[2]}${date[1]}` : cells[0]!.replace(/-/g, '');
      if (!/^\d{8}$/.test(d)) {
        rejected.push({ line: n, message: `date de décès illisible : « ${cells[0]} »` });
        continue;
      }
      keys.add(oppositionKey(d, cells[1]!, cells[2]!));
      continue;
    }
    try {
      const f = splitLine(line).map((x) => x.trim());
      keys.add(oppositionKey(f[6]!, f[7]!, f[8]!));
    } catch (e) {
      rejected.push({ line: n, message: e instanceof Error ? e.message : String(e) });
    }
  }
  const deleted = await ctx.db.transaction(async (tx) => {
    const ids = await repo.oppose(tx as unknown as Db, [...keys]);
    await recordAudit(tx as unknown as Db, {
      actor,
      action: 'deces.oppose',
      entityType: 'deces_opposition',
      after: { file: sourceName(file), keys: keys.size, deleted: ids },
    });
    return ids.length;
  });
  return { keys: keys.size, deleted, rejected };
}

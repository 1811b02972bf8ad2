import fs from 'node:fs';
import { DEMO_SOURCE, type ImportReport } from '@patrimoine/contracts/deces';
import type { AppContext } from '../../platform/context.ts';
import { actorOf, requireUser, type Actor, type Caller } from '../../platform/auth/principal.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import type { Db } from '../../db/client.ts';
import { recordAudit } from '../../platform/audit/audit.repository.ts';
import { readInseeFile, type LineProgress } from './files.ts';
import { InseeLineError, oppositionKey, parseLine, sourceName, splitLine } from './insee.ts';
import { createDecesRepository, loadWithCopy, rowValues } from './deces.repository.ts';

export type { ImportReport };

/**
 * Who may change the registry's content (imports, oppositions): the platform itself (CLI, jobs, demo)
 * or an administrator. An anonymous caller gets 401, any other account 403: never the system's path.
 */
export function assertCanLoad(caller: Caller): void {
  if (caller.kind === 'system') return;
  const user = requireUser(caller);
  if (user.role !== 'admin') throw new ForbiddenError('Seuls les administrateurs chargent ou retirent des décès.');
}

export interface ImportProgress extends LineProgress {
  lines: number;
}

const BATCH = 500;

/**
 * Imports one INSEE file in one transaction (all or nothing): unparseable lines are reported (up to
 * 100 kept), records on the RGPD opposition list are skipped, records already present (same id) are
 * not inserted twice. On PostgreSQL rows go through COPY into a staging table then one set-based
 * insert; on PGlite through batched multi-row inserts. A real file (any source but the demo's)
 * removes the synthetic demo records in the same transaction, and says so (`demoRemoved`).
 *
 * `caller` must be the system or an administrator; `actor` (default: the caller) is recorded in the
 * audit log, e.g. the administrator on whose behalf an import job runs.
 */
export async function importFile(
  ctx: AppContext,
  file: string,
  opts: { caller: Caller; actor?: Actor; source?: string; onProgress?: (p: ImportProgress) => void },
): Promise<ImportReport> {
  assertCanLoad(opts.caller);
  const actor = opts.actor ?? actorOf(opts.caller);
  const repo = createDecesRepository(ctx.db);
  if (!fs.existsSync(file)) throw new Error(`Fichier introuvable : ${file}`);
  const source = opts.source ?? sourceName(file);
  const real = source !== DEMO_SOURCE;
  const opposed = await repo.oppositionKeys();
  const report: ImportReport = { source, lines: 0, inserted: 0, rejected: 0, opposed: 0, lastRecordDate: null, errors: [] };
  let last: LineProgress = { bytes: 0, totalBytes: 0 };
  const lines = readInseeFile(file, (p) => {
    last = p;
  });
  async function* rows(): AsyncGenerator<(string | number | null)[]> {
    for await (const { n, text } of lines) {
      report.lines++;
      if (report.lines % 5000 === 0) opts.onProgress?.({ ...last, lines: report.lines });
      try {
        const r = parseLine(text, source);
        if (opposed.size && opposed.has(oppositionKey(r.deathDate, r.deathCode, r.certificateId))) {
          report.opposed++;
          continue;
        }
        if (/^\d{8}$/.test(r.deathDate) && (!report.lastRecordDate || r.deathDate > report.lastRecordDate)) report.lastRecordDate = r.deathDate;
        yield rowValues(r);
      } catch (e) {
        if (!(e instanceof InseeLineError)) throw e;
        report.rejected++;
        // The line number is the file's (blank lines counted), as an editor shows it.
        if (report.errors.length < 100) report.errors.push({ line: n, message: e.message });
      }
    }
  }
  const finish = async (tx: Db) => {
    // Demo content never mixes with real data: the first real file replaces the synthetic records.
    if (real && (await repo.demoLoaded(tx))) report.demoRemoved = await repo.removeDemo(tx);
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
      actor,
      action: 'deces.import',
      entityType: 'deces_source',
      entityId: src.id,
      after: { ...report, errors: report.errors.length },
    });
  };

  if (ctx.database.kind === 'postgres' && ctx.database.url) {
    await loadWithCopy(ctx.database.url, rows(), async (tx, inserted) => {
      report.inserted = inserted;
      await finish(tx);
    });
  } else {
    await ctx.db.transaction(async (tx) => {
      // Rows imported before matchID's id was computed get it from their file's next import.
      const backfill = await repo.needsMatchidBackfill(tx as unknown as Db);
      const insert = async (b: (string | number | null)[][]) => {
        const n = await repo.insertRows(tx as unknown as Db, b);
        if (backfill && n < b.length)
          await repo.backfillMatchid(
            tx as unknown as Db,
            b.map((r) => [String(r[0]), String(r[r.length - 1])]),
          );
        return n;
      };
      let batch: (string | number | null)[][] = [];
      for await (const r of rows()) {
        batch.push(r);
        if (batch.length >= BATCH) {
          report.inserted += await insert(batch);
          batch = [];
        }
      }
      report.inserted += await insert(batch);
      await finish(tx as unknown as Db);
    });
    await repo.analyze();
  }
  if (report.demoRemoved)
    ctx.logger.info(
      { source, demoRemoved: report.demoRemoved },
      `deces import: ${report.demoRemoved} synthetic demo records removed (replaced by a real file)`,
    );
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
  caller: Caller,
): Promise<{ keys: number; deleted: number; rejected: { line: number; message: string }[] }> {
  assertCanLoad(caller);
  const actor = actorOf(caller);
  const repo = createDecesRepository(ctx.db);
  const keys = new Set<string>();
  const rejected: { line: number; message: string }[] = [];
  let seen = 0;
  for await (const { n, text: line } of readInseeFile(file)) {
    seen++;
    const cells = line.split(/[;,]/).map((c) => c.replace(/^"|"$/g, '').trim());
    if (cells.length === 3) {
      if (seen === 1 && !/\d/.test(cells[0]!)) continue; // header
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

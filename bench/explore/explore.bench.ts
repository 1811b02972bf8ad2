/**
 * Explore benchmark (issue 18), on generated crimes-and-offences rows (département, month,
 * indicator, count, rate):
 * - conversion of a CSV to Parquet (`convertToParquet`, the job's code), MB/s, against the target
 *   « 1 GB in < 60 s »;
 * - through the sandbox (the module's code path: compiled SQL, bound values, a locked instance):
 *   a grouped aggregation (builder question: sum by département and month, p95 target < 1 s) and a
 *   filtered page of the tabular API (p95 target < 100 ms);
 * - the same queries on PostgreSQL (when DATABASE_URL is set), same rows, with an index on the
 *   filtered columns, printed beside DuckDB's.
 * Sizes: EXPLORE_BENCH_ROWS (default 10,000,000), EXPLORE_BENCH_CSV_ROWS (rows of the CSV converted,
 * default 5,000,000 ≈ 200 MB), EXPLORE_BENCH_PG_ROWS (default EXPLORE_BENCH_ROWS), EXPLORE_BENCH_RUNS (default 20).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { buildCounts, convertToParquet, COUNT_N, COUNT_TABLE, type CountTable } from '../../server/src/modules/explore/engine/convert.ts';
import { Sandbox } from '../../server/src/modules/explore/engine/sandbox.ts';
import { compileQuestion, compileTabular, pickCount, SOURCE } from '../../server/src/modules/explore/engine/compile.ts';
import type { ExtractColumn } from '../../contracts/src/explore.ts';

const ROWS = Number(process.env.EXPLORE_BENCH_ROWS ?? 10_000_000);
const CSV_ROWS = Number(process.env.EXPLORE_BENCH_CSV_ROWS ?? 5_000_000);
const PG_ROWS = Number(process.env.EXPLORE_BENCH_PG_ROWS ?? ROWS);
const RUNS = Number(process.env.EXPLORE_BENCH_RUNS ?? 20);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'explore-bench-'));
const fmt = (n: number) => n.toLocaleString('fr-FR');
const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(0.95 * xs.length))]!;
const verdict = (ok: boolean) => (ok ? 'OK' : 'NON ATTEINT');

/** The generator, in SQL: 101 départements, 120 months, 8 indicators; the same rows for every engine. */
const GENERATOR = (n: number) => `
  SELECT lpad(CAST(1 + (i % 95) AS VARCHAR), 2, '0') AS departement,
         CAST(2015 + ((i // 95) % 120) // 12 AS VARCHAR) || '-' || lpad(CAST(1 + ((i // 95) % 120) % 12 AS VARCHAR), 2, '0') AS mois,
         'Indicateur ' || CAST((i // 11400) % 8 AS VARCHAR) AS indicateur,
         CAST((hash(i) % 500) AS BIGINT) AS nombre,
         round((hash(i * 7) % 10000) / 100.0, 2) AS taux
  FROM range(${n}) t(i)`;

async function generate(): Promise<{ parquet: string; csv: string; columns: ExtractColumn[] }> {
  const inst = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB', temp_directory: dir });
  const c = await inst.connect();
  const parquet = path.join(dir, 'rows.parquet');
  const csv = path.join(dir, 'rows.csv');
  let t = performance.now();
  await c.run(`COPY (${GENERATOR(ROWS)}) TO '${parquet}' (FORMAT parquet, COMPRESSION zstd)`);
  console.log(
    `Génération : ${fmt(ROWS)} lignes en Parquet (${fmt(Math.round(fs.statSync(parquet).size / 1e6))} Mo) en ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  t = performance.now();
  await c.run(`COPY (${GENERATOR(CSV_ROWS)}) TO '${csv}' (FORMAT csv, DELIMITER ';', HEADER true)`);
  c.closeSync();
  inst.closeSync();
  const columns: ExtractColumn[] = [
    { name: 'departement', type: 'VARCHAR', kind: 'text' },
    { name: 'mois', type: 'VARCHAR', kind: 'text' },
    { name: 'indicateur', type: 'VARCHAR', kind: 'text' },
    { name: 'nombre', type: 'BIGINT', kind: 'number' },
    { name: 'taux', type: 'DOUBLE', kind: 'number' },
  ];
  return { parquet, csv, columns };
}

const question = (dep?: string) => ({
  resourceId: '00000000-0000-4000-8000-000000000000',
  filters: dep ? [{ column: 'indicateur', op: 'exact' as const, value: dep }] : [],
  groupBy: [{ column: 'departement' }, { column: 'mois' }],
  measures: [{ fn: 'sum' as const, column: 'nombre' }],
  sort: null,
  limit: 10_000,
});
const page = (i: number) => ({
  page: 1 + (i % 5),
  pageSize: 20,
  params: { departement__exact: String(1 + ((i * 37) % 95)).padStart(2, '0'), indicateur__exact: `Indicateur ${i % 8}`, nombre__greater: '100' },
});

/** A filter the count tables cannot answer (a range on a column of 10,000 values): the count scans, beside the page. */
const pageUncounted = (i: number) => ({
  page: 1 + (i % 5),
  pageSize: 20,
  params: { departement__exact: String(1 + ((i * 37) % 95)).padStart(2, '0'), taux__greater: String(50 + (i % 40)) },
});

async function duck(parquet: string, columns: ExtractColumn[], tables: CountTable[], countsFile: string | null) {
  const sandbox = new Sandbox({ memoryMb: 1024, threads: 2, timeoutMs: 60_000, maxRows: 100_000 }, path.join(dir, 'spill'));
  const sources = [{ alias: SOURCE, file: parquet }, ...(countsFile ? [{ alias: '__counts', file: countsFile }] : [])];
  await sandbox.query(sources, `SELECT count(*) FROM ${SOURCE}`);
  const agg: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const q = compileQuestion(columns, question(i % 2 ? `Indicateur ${i % 8}` : undefined));
    const t = performance.now();
    await sandbox.query(sources, q.sql, q.params);
    agg.push(performance.now() - t);
  }
  const pages: number[] = [];
  const before: number[] = [];
  const uncounted: number[] = [];
  const next: number[] = [];
  let answered = 0;
  for (let i = 0; i < RUNS * 3; i++) {
    const c = compileTabular(columns, page(i));
    // Before (ADR 0803): the page, then a count over the extract.
    let t = performance.now();
    await sandbox.query(sources, c.page.sql, c.page.params);
    const scanned = await sandbox.query(sources, c.count.sql, c.count.params);
    before.push(performance.now() - t);
    // Now (ADR 0804), as the service does: the count from a count table when one answers, beside the page.
    const count = pickCount(c, tables, '__counts', COUNT_N, COUNT_TABLE);
    if (count.fromTable) answered++;
    t = performance.now();
    const [, counted] = await Promise.all([sandbox.query(sources, c.page.sql, c.page.params), sandbox.query(sources, count.sql, count.params)]);
    pages.push(performance.now() - t);
    if (Number(counted.rows[0]![0]) !== Number(scanned.rows[0]![0]))
      throw new Error(`count table gave ${String(counted.rows[0]![0])}, the scan ${String(scanned.rows[0]![0])}`);
    const u = compileTabular(columns, pageUncounted(i));
    const uc = pickCount(u, tables, '__counts', COUNT_N, COUNT_TABLE);
    t = performance.now();
    await Promise.all([sandbox.query(sources, u.page.sql, u.page.params), sandbox.query(sources, uc.sql, uc.params)]);
    uncounted.push(performance.now() - t);
    // The next page of the same filter: the service keeps the total of an (immutable) extract.
    const n = compileTabular(columns, { ...page(i), page: page(i).page + 1 });
    t = performance.now();
    await sandbox.query(sources, n.page.sql, n.page.params);
    next.push(performance.now() - t);
  }
  sandbox.close();
  return { agg: p95(agg), page: p95(pages), before: p95(before), uncounted: p95(uncounted), next: p95(next), answered, of: RUNS * 3 };
}

async function postgres(csvOf: (n: number) => Promise<string>) {
  const url = process.env.DATABASE_URL;
  if (!url) return null;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('DROP TABLE IF EXISTS explore_bench');
    await client.query('CREATE UNLOGGED TABLE explore_bench (departement text, mois text, indicateur text, nombre bigint, taux double precision)');
    const file = await csvOf(PG_ROWS);
    let t = performance.now();
    await pipeline(fs.createReadStream(file), client.query(copyFrom(`COPY explore_bench FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true)`)));
    await client.query('CREATE INDEX ON explore_bench (departement, indicateur)');
    await client.query('ANALYZE explore_bench');
    console.log(`PostgreSQL : ${fmt(PG_ROWS)} lignes chargées et indexées en ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const agg: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const filter = i % 2 ? `Indicateur ${i % 8}` : null;
      t = performance.now();
      await client.query(
        `SELECT departement, mois, sum(nombre) AS m0 FROM explore_bench ${filter ? 'WHERE indicateur = $1' : ''} GROUP BY 1, 2 ORDER BY 1, 2 LIMIT 10000`,
        filter ? [filter] : [],
      );
      agg.push(performance.now() - t);
    }
    const pages: number[] = [];
    for (let i = 0; i < RUNS * 3; i++) {
      const p = page(i);
      const values = [p.params.departement__exact, p.params.indicateur__exact, 100];
      t = performance.now();
      await client.query(
        `SELECT * FROM explore_bench WHERE departement = $1 AND indicateur = $2 AND nombre >= $3 ORDER BY ctid LIMIT 20 OFFSET ${(p.page - 1) * 20}`,
        values,
      );
      await client.query('SELECT count(*) FROM explore_bench WHERE departement = $1 AND indicateur = $2 AND nombre >= $3', values);
      pages.push(performance.now() - t);
    }
    return { agg: p95(agg), page: p95(pages) };
  } finally {
    await client.query('DROP TABLE IF EXISTS explore_bench').catch(() => undefined);
    await client.end();
  }
}

async function main() {
  console.log(
    `Exploration (DuckDB ${ROWS >= 1e6 ? `${ROWS / 1e6} M` : fmt(ROWS)} lignes, ${RUNS} mesures par requête, ${os.cpus().length} cœurs, charge ${os.loadavg()[0]!.toFixed(1)})`,
  );
  const { parquet, csv, columns } = await generate();
  const mb = fs.statSync(csv).size / 1e6;
  let t = performance.now();
  const res = await convertToParquet(
    { path: csv, format: 'csv', encoding: 'utf-8', dialect: { delimiter: ';', quoteChar: '"' } },
    path.join(dir, 'converted.parquet'),
    dir,
  );
  const s = (performance.now() - t) / 1000;
  const perGb = (s / mb) * 1000;
  console.log(
    `Conversion CSV → Parquet : ${fmt(Math.round(mb))} Mo (${fmt(res.rows)} lignes) en ${s.toFixed(1)} s, ${(mb / s).toFixed(0)} Mo/s, soit ${perGb.toFixed(0)} s pour 1 Go (cible < 60 s) ${verdict(perGb < 60)}`,
  );
  t = performance.now();
  const countsFile = path.join(dir, 'counts.parquet');
  const counts = await buildCounts(parquet, countsFile, columns, ROWS, dir, { threads: 2, memoryMb: 1024 });
  console.log(
    `Tables de comptes (ADR 0804) sur ${fmt(ROWS)} lignes : ${((performance.now() - t) / 1000).toFixed(1)} s, ${counts ? `${counts.tables.map((x) => `(${x.columns.join(', ')}) ${fmt(x.rows)} combinaisons`).join(' ; ')}, ${fmt(Math.round(counts.bytes / 1e3))} ko` : 'aucune'}`,
  );
  const d = await duck(parquet, columns, counts?.tables ?? [], counts ? countsFile : null);
  console.log(`DuckDB, agrégation groupée (somme par département et mois) : p95 ${ms(d.agg)} (cible < 1 s) ${verdict(d.agg < 1000)}`);
  console.log(
    `DuckDB, page filtrée de l’API tabulaire, premier appel (page + total exact), avant (page puis comptage de l’extrait) : p95 ${ms(d.before)} (cible < 100 ms) ${verdict(d.before < 100)}`,
  );
  console.log(
    `DuckDB, même page, total par une table de comptes (${d.answered}/${d.of} filtres), page et total en parallèle : p95 ${ms(d.page)} (cible < 100 ms) ${verdict(d.page < 100)}`,
  );
  console.log(
    `DuckDB, page d’un filtre hors tables de comptes (département + taux >= x), comptage de l’extrait en parallèle de la page : p95 ${ms(d.uncounted)} (cible < 100 ms) ${verdict(d.uncounted < 100)}`,
  );
  console.log(`DuckDB, page suivante du même filtre (total gardé) : p95 ${ms(d.next)} (cible < 100 ms) ${verdict(d.next < 100)}`);
  t = performance.now();
  const p = await postgres(async (n) => {
    if (n === CSV_ROWS) return csv;
    const inst = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB', temp_directory: dir });
    const c = await inst.connect();
    const f = path.join(dir, `pg-${n}.csv`);
    await c.run(`COPY (${GENERATOR(n)}) TO '${f}' (FORMAT csv, DELIMITER ';', HEADER true)`);
    c.closeSync();
    inst.closeSync();
    return f;
  });
  if (p) {
    console.log(`PostgreSQL, agrégation groupée : p95 ${ms(p.agg)} (DuckDB ${ms(d.agg)}, ×${(p.agg / d.agg).toFixed(1)})`);
    console.log(`PostgreSQL, page filtrée (index sur département et indicateur) : p95 ${ms(p.page)} (DuckDB ${ms(d.page)})`);
  } else {
    console.log('PostgreSQL : DATABASE_URL absent, comparaison non mesurée.');
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

await main();

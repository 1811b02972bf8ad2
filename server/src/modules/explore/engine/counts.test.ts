import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtractColumn } from '@patrimoine/contracts/explore';
import { buildCounts, COUNT_N, COUNT_TABLE, convertToParquet, type CountsResult } from './convert.ts';
import { Sandbox, type SandboxSource } from './sandbox.ts';
import { compileTabular, pickCount, SOURCE } from './compile.ts';

/**
 * ADR 0804: count tables give the tabular API's exact total. Every total read from a count table is
 * compared with the count over the extract, for each filter operator, NULLs, combinations, groups.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'explore-counts-'));
const parquet = path.join(dir, 'rows.parquet');
const countsFile = path.join(dir, 'counts.parquet');
let sandbox: Sandbox;
let columns: ExtractColumn[];
let counts: CountsResult | null;
let sources: SandboxSource[];
const ROWS = 40_000;

beforeAll(async () => {
  // 40,000 rows: a code (60 values, some NULL), a month (24), a category (5), a small integer (30), a
  // rate (thousands of values: never in a count table), a unique label.
  const inst = await DuckDBInstance.create(':memory:', { threads: '1' });
  const c = await inst.connect();
  const csv = path.join(dir, 'rows.csv');
  await c.run(`COPY (SELECT CASE WHEN i % 97 = 0 THEN NULL ELSE lpad(CAST(i % 60 AS VARCHAR), 2, '0') END AS code,
                       '2024-' || lpad(CAST(1 + (i // 7) % 12 AS VARCHAR), 2, '0') AS mois_2024,
                       'Catégorie ' || CAST((i // 13) % 5 AS VARCHAR) AS categorie,
                       CAST(hash(i) % 30 AS INTEGER) AS petit,
                       round((hash(i * 3) % 100000) / 100.0, 2) AS taux,
                       'ligne ' || CAST(i AS VARCHAR) AS libelle
                FROM range(${ROWS}) t(i)) TO '${csv}' (FORMAT csv, DELIMITER ';', HEADER true)`);
  c.closeSync();
  inst.closeSync();
  const res = await convertToParquet({ path: csv, format: 'csv', encoding: 'utf-8', dialect: { delimiter: ';', quoteChar: '"' } }, parquet, dir);
  columns = res.columns;
  counts = await buildCounts(parquet, countsFile, columns, res.rows, dir, { threads: 1, memoryMb: 256 });
  sandbox = new Sandbox({ memoryMb: 256, threads: 1, timeoutMs: 10_000, maxRows: 1000 }, path.join(dir, 'spill'));
  sources = [
    { alias: SOURCE, file: parquet },
    { alias: '__counts', file: countsFile },
  ];
}, 60_000);
afterAll(() => {
  sandbox?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function totals(params: Record<string, string>) {
  const compiled = compileTabular(columns, { page: 1, pageSize: 20, params });
  const fromTable = pickCount(compiled, counts!.tables, '__counts', COUNT_N, COUNT_TABLE);
  const scan = await sandbox.query(sources, compiled.count.sql, compiled.count.params);
  const table = await sandbox.query(sources, fromTable.sql, fromTable.params);
  return { fromTable: fromTable.fromTable, scan: Number(scan.rows[0]![0]), table: Number(table.rows[0]![0]) };
}

describe('count tables', () => {
  it('are built over the few-valued columns only, each under a tenth of the rows', () => {
    expect(counts).not.toBeNull();
    const inTables = new Set(counts!.tables.flatMap((t) => t.columns));
    expect(inTables.has('taux')).toBe(false);
    expect(inTables.has('libelle')).toBe(false);
    for (const c of ['code', 'mois_2024', 'categorie', 'petit']) expect(inTables.has(c)).toBe(true);
    for (const t of counts!.tables) expect(t.rows).toBeLessThanOrEqual(ROWS / 10);
    expect(counts!.tables.length).toBeLessThanOrEqual(4);
  });

  it.each([
    [{ code__exact: '07' }],
    [{ code__differs: '07' }],
    [{ code__isnull: '' }],
    [{ code__isnotnull: '', categorie__exact: 'Catégorie 3' }],
    [{ code__in: '01,02,59' }],
    [{ code__notin: '01,02' }],
    [{ categorie__contains: 'GORIE 2' }],
    [{ categorie__notcontains: '4' }],
    [{ petit__greater: '12', categorie__exact: 'Catégorie 1' }],
    [{ petit__strictly_less: '5', code__exact: '33' }],
    [{ mois_2024__exact: '2024-03', categorie__in: 'Catégorie 0,Catégorie 4' }],
    [{ code__exact: 'zz' }],
    [{ categorie__groupby: '', petit__sum: '' }],
    [{ code__groupby: '', categorie__exact: 'Catégorie 2' }],
  ])('give the exact total of %j', async (params) => {
    const r = await totals(params);
    expect(r.fromTable).toBe(true);
    expect(r.table).toBe(r.scan);
  });

  it('leave a filter on another column, or on __id, to the count over the extract', async () => {
    expect((await totals({ taux__greater: '500', code__exact: '07' })).fromTable).toBe(false);
    expect((await totals({ __id__less: '100' })).fromTable).toBe(false);
    expect((await totals({ libelle__contains: 'ligne 1' })).fromTable).toBe(false);
  });

  it('are not built for a column named like their own columns', async () => {
    const named: ExtractColumn[] = [{ name: '__explore_n', type: 'BIGINT', kind: 'number' }];
    expect(await buildCounts(parquet, path.join(dir, 'none.parquet'), named, ROWS, dir)).toBeNull();
  });
});

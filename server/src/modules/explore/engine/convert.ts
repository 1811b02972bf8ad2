/**
 * Conversion of one analysed resource version (CSV, XLSX, ODS) to Parquet with DuckDB (ADR 0800).
 * The opendata analysis already knows the format, the encoding and the dialect: a UTF-8 CSV is read
 * by DuckDB as is; another encoding is transcoded to UTF-8 first; a spreadsheet is read by the
 * opendata module's zip-bounded readers and written as a UTF-8 CSV. Column types are DuckDB's
 * detection (codes with leading zeros — départements, communes — stay text), with `,` as the decimal
 * separator for `;`-separated files (the sandbox adds the row id `__id`, the row's number in the file); when detection fails on a later row, every column is read as text.
 *
 * This instance reads and writes only the paths given here (never a user's SQL).
 */
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { stringify } from 'csv-stringify';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ColumnKind, ExtractColumn } from '@patrimoine/contracts/explore';
import { quoteIdent } from './sandbox.ts';

export interface ConvertInput {
  path: string;
  format: 'csv' | 'xlsx' | 'ods';
  encoding: string | null;
  dialect: { delimiter: string; quoteChar: string } | null;
  /** Rows of a spreadsheet (the opendata module's readers). */
  readSheet?: (path: string) => AsyncIterable<(string | null)[]>;
}

export interface ConvertResult {
  rows: number;
  columns: ExtractColumn[];
  bytes: number;
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** An in-memory DuckDB for one conversion or count build: bounded threads and memory, spills to `workDir`, no extension downloads. */
function workInstance(workDir: string, opts: { threads?: number; memoryMb?: number }) {
  return DuckDBInstance.create(':memory:', {
    threads: String(opts.threads ?? 2),
    memory_limit: `${opts.memoryMb ?? 1024}MB`,
    temp_directory: workDir,
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
}

export function kindOf(type: string): ColumnKind {
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U?(TINY|SMALL|BIG|HUGE)?INT|UINTEGER|FLOAT|DOUBLE|REAL|DECIMAL)/.test(type)) return 'number';
  if (/^(DATE|TIMESTAMP)/.test(type)) return 'date';
  if (type === 'BOOLEAN') return 'boolean';
  return 'text';
}

async function toUtf8Csv(input: ConvertInput, out: string): Promise<{ delimiter: string; quote: string }> {
  if (input.format !== 'csv') {
    if (!input.readSheet) throw new Error('convert: no spreadsheet reader');
    const rows = input.readSheet(input.path);
    await pipeline(rows, stringify({ delimiter: ',', quoted_string: true }), fs.createWriteStream(out, { mode: 0o600 }));
    return { delimiter: ',', quote: '"' };
  }
  const enc = (input.encoding ?? 'utf-8').toLowerCase();
  const decoder = new TextDecoder(enc === 'windows-1252' ? 'windows-1252' : enc);
  await pipeline(
    fs.createReadStream(input.path),
    new Transform({
      transform(chunk: Buffer, _e, cb) {
        cb(null, Buffer.from(decoder.decode(chunk, { stream: true })));
      },
      flush(cb) {
        cb(null, Buffer.from(decoder.decode()));
      },
    }),
    fs.createWriteStream(out, { mode: 0o600 }),
  );
  return { delimiter: input.dialect?.delimiter ?? ',', quote: input.dialect?.quoteChar ?? '"' };
}

/** Writes `outPath` (Parquet, zstd) from the version's file; returns its rows and columns. */
export async function convertToParquet(
  input: ConvertInput,
  outPath: string,
  workDir: string,
  opts: { threads?: number; memoryMb?: number } = {},
): Promise<ConvertResult> {
  let csvPath = input.path;
  let delimiter = input.dialect?.delimiter ?? ',';
  let quote = input.dialect?.quoteChar ?? '"';
  let tmp: string | null = null;
  const utf8 = input.format === 'csv' && (!input.encoding || input.encoding.toLowerCase() === 'utf-8');
  if (!utf8) {
    tmp = `${workDir}/source-${process.pid}-${Date.now()}.csv`;
    ({ delimiter, quote } = await toUtf8Csv(input, tmp));
    csvPath = tmp;
  }
  const instance = await workInstance(workDir, opts);
  const c = await instance.connect();
  try {
    const base = `${lit(csvPath)}, delim = ${lit(delimiter)}, quote = ${lit(quote)}, escape = ${lit(quote)}, header = true, strict_mode = false, null_padding = true`;
    const decimal = delimiter === ',' ? '' : `, decimal_separator = ','`;
    const copy = (args: string) => c.run(`COPY (SELECT * FROM read_csv(${args})) TO ${lit(outPath)} (FORMAT parquet, COMPRESSION zstd)`);
    try {
      await copy(`${base}${decimal}, sample_size = 100000`);
    } catch {
      // A value that does not fit the detected type further down the file: everything as text.
      await copy(`${base}, all_varchar = true`);
    }
    const desc = await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${lit(outPath)})`);
    const columns = (desc.getRowObjectsJson() as { column_name: string; column_type: string }[])
      .filter((r) => r.column_name !== '__id')
      .map((r) => ({
        name: r.column_name,
        type: r.column_type,
        kind: kindOf(r.column_type),
      }));
    const count = await c.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet(${lit(outPath)})`);
    const rows = Number((count.getRowObjectsJson()[0] as { n: string }).n);
    return { rows, columns, bytes: fs.statSync(outPath).size };
  } finally {
    c.closeSync();
    instance.closeSync();
    if (tmp) fs.rmSync(tmp, { force: true });
  }
}

// ---- count tables (ADR 0804) ------------------------------------------------------------------------

/** The row count column and the table id column of a count table (no extract column may start with `__explore`). */
export const COUNT_N = '__explore_n';
export const COUNT_TABLE = '__explore_table';

/** One count table: the rows of the extract counted per combination of `columns`' values. */
export interface CountTable {
  /** Its id in the counts file (`__explore_table`). */
  id: number;
  columns: string[];
  /** Rows of the count table (combinations present). */
  rows: number;
}

export interface CountsResult {
  tables: CountTable[];
  bytes: number;
}

/** Columns with at most this many distinct values are candidates; at most `MAX_CANDIDATES` of them (fewest values first). */
const MAX_DISTINCT = 1000;
const MAX_CANDIDATES = 6;
const MAX_TABLES = 4;

function subsets<T>(xs: T[], size: number): T[][] {
  if (size === 0) return [[]];
  if (xs.length < size) return [];
  const [head, ...rest] = xs;
  return [...subsets(rest, size - 1).map((s) => [head!, ...s]), ...subsets(rest, size)];
}

/**
 * Count tables of an extract (ADR 0804): for the columns with few distinct values (codes, months,
 * categories, small integers), the number of rows per combination of values, so that the exact
 * total of a tabular filter on those columns is a sum over a few thousand rows instead of a scan of
 * the extract. Chosen at conversion: the largest combinations of candidate columns whose number of
 * combinations (HyperLogLog estimate, or the product of the columns' values when that is already
 * small) stays under a tenth of the rows (1 M at most); at most four tables, written to one Parquet
 * file sorted by table (small row groups: a table's min/max statistics prune the others). Returns null when no table is worth it.
 */
export async function buildCounts(
  parquetPath: string,
  outPath: string,
  columns: ExtractColumn[],
  rows: number,
  workDir: string,
  opts: { threads?: number; memoryMb?: number } = {},
): Promise<CountsResult | null> {
  if (!columns.length || columns.some((c) => c.name.startsWith('__explore'))) return null;
  const cap = Math.min(1_000_000, Math.max(2_000, Math.floor(rows / 10)));
  const instance = await workInstance(workDir, opts);
  const c = await instance.connect();
  const q = quoteIdent;
  const src = `read_parquet(${lit(parquetPath)})`;
  try {
    const distinct = (await c.runAndReadAll(`SELECT ${columns.map((col, i) => `approx_count_distinct(${q(col.name)}) AS d${i}`).join(', ')} FROM ${src}`))
      .getRows()[0]!
      .map((v) => Number(v));
    // NULL is a value of its own in a count table: one more combination per column at most.
    const candidates = columns
      .map((col, i) => ({ name: col.name, values: distinct[i]! + 1 }))
      .filter((x) => x.values <= MAX_DISTINCT + 1)
      .sort((a, b) => a.values - b.values)
      .slice(0, MAX_CANDIDATES);
    if (!candidates.length) return null;
    // The subsets to estimate: those whose product of values is over the cap.
    const all: { cols: typeof candidates; product: number }[] = [];
    for (let size = candidates.length; size >= 1; size--)
      for (const s of subsets(candidates, size)) all.push({ cols: s, product: s.reduce((p, x) => p * x.values, 1) });
    const toEstimate = all.filter((s) => s.product > cap && s.cols.length > 1);
    const estimates = new Map<number, number>();
    if (toEstimate.length) {
      const row = (
        await c.runAndReadAll(
          `SELECT ${toEstimate.map((s, i) => `approx_count_distinct(hash(${s.cols.map((x) => q(x.name)).join(', ')})) AS e${i}`).join(', ')} FROM ${src}`,
        )
      ).getRows()[0]!;
      toEstimate.forEach((s, i) => estimates.set(all.indexOf(s), Number(row[i])));
    }
    const chosen: string[][] = [];
    all.forEach((s, i) => {
      if (chosen.length >= MAX_TABLES) return;
      const size = Math.min(s.product, estimates.get(i) ?? s.product);
      if (size > cap) return;
      const names = s.cols.map((x) => x.name);
      if (chosen.some((t) => names.every((n) => t.includes(n)))) return;
      chosen.push(names);
    });
    if (!chosen.length) return null;
    // Keep the columns in the extract's order (stable ids for the same choice).
    const order = new Map(columns.map((col, i) => [col.name, i]));
    const tables = chosen.map((t) => [...t].sort((a, b) => order.get(a)! - order.get(b)!));
    const used = [...new Set(tables.flat())].sort((a, b) => order.get(a)! - order.get(b)!);
    // One GROUP BY per table, each tagged with its number (faster here than GROUPING SETS, which keeps every set's state at once).
    const selects = tables.map(
      (t, id) =>
        `SELECT ${id} AS ${COUNT_TABLE}, ${used.map((u) => (t.includes(u) ? q(u) : `NULL AS ${q(u)}`)).join(', ')}, count(*)::BIGINT AS ${COUNT_N} FROM ${src} GROUP BY ${t.map(q).join(', ')}`,
    );
    await c.run(`COPY (${selects.join(' UNION ALL ')} ORDER BY 1) TO ${lit(outPath)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 16384)`);
    const sizes = new Map(
      (await c.runAndReadAll(`SELECT ${COUNT_TABLE}, count(*) FROM read_parquet(${lit(outPath)}) GROUP BY 1`))
        .getRows()
        .map((r) => [Number(r[0]), Number(r[1])]),
    );
    return {
      tables: tables.map((t, id) => ({ id, columns: t, rows: sizes.get(id) ?? 0 })),
      bytes: fs.statSync(outPath).size,
    };
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

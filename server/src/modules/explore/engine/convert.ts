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
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(opts.threads ?? 2),
    memory_limit: `${opts.memoryMb ?? 1024}MB`,
    temp_directory: workDir,
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
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

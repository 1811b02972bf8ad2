import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertToParquet } from './convert.ts';
import { Sandbox, SandboxError, type SandboxSource } from './sandbox.ts';
import { compileQuestion, compileTabular, SOURCE } from './compile.ts';
import type { ExtractColumn } from '@patrimoine/contracts/explore';

/** Issue 18, engine: conversion to Parquet, the DuckDB sandbox and its refusals, SQL compilation. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'explore-engine-'));
const csv = path.join(dir, 'crimes.csv');
const parquet = path.join(dir, 'crimes.parquet');
const other = path.join(dir, 'other.parquet');
let sandbox: Sandbox;
let columns: ExtractColumn[];
let sources: SandboxSource[];

beforeAll(async () => {
  fs.writeFileSync(
    csv,
    'departement;mois;indicateur;nombre;taux\n' +
      '01;2024-01;Vols;12;1,5\n' +
      '01;2024-02;Vols;15;2,25\n' +
      '2A;2024-01;Cambriolages;3;0,5\n' +
      '75;2024-01;Vols;120;10\n' +
      '75;2024-02;Cambriolages;40;;\n',
  );
  const res = await convertToParquet({ path: csv, format: 'csv', encoding: 'utf-8', dialect: { delimiter: ';', quoteChar: '"' } }, parquet, dir);
  columns = res.columns;
  fs.writeFileSync(path.join(dir, 'o.csv'), 'a\n1\n');
  await convertToParquet({ path: path.join(dir, 'o.csv'), format: 'csv', encoding: 'utf-8', dialect: { delimiter: ',', quoteChar: '"' } }, other, dir);
  sandbox = new Sandbox({ memoryMb: 128, threads: 1, timeoutMs: 5000, maxRows: 1000 }, path.join(dir, 'spill'));
  sources = [{ alias: SOURCE, file: parquet }];
});
afterAll(() => {
  sandbox?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('conversion', () => {
  it('keeps codes with leading zeros as text, reads French decimals, counts rows, adds __id', async () => {
    expect(columns.map((c) => [c.name, c.kind])).toEqual([
      ['departement', 'text'],
      ['mois', 'text'],
      ['indicateur', 'text'],
      ['nombre', 'number'],
      ['taux', 'number'],
    ]);
    const r = await sandbox.query(sources, `SELECT __id, departement, taux FROM ${SOURCE} ORDER BY __id`);
    expect(r.rows[0]).toEqual([1, '01', 1.5]);
    expect(r.rows[2]).toEqual([3, '2A', 0.5]);
    expect(r.rows.length).toBe(5);
  });

  it('transcodes windows-1252 to UTF-8', async () => {
    const f = path.join(dir, 'latin.csv');
    fs.writeFileSync(f, Buffer.concat([Buffer.from('nom;n\n'), Buffer.from([0x9c, 0x75, 0x76, 0x72, 0x65]), Buffer.from(';1\n')]));
    const out = path.join(dir, 'latin.parquet');
    await convertToParquet({ path: f, format: 'csv', encoding: 'windows-1252', dialect: { delimiter: ';', quoteChar: '"' } }, out, dir);
    const r = await sandbox.query([{ alias: 't', file: out }], 'SELECT nom FROM t');
    expect(r.rows).toEqual([['œuvre']]);
  });
});

describe('sandbox', () => {
  const refused = async (sql: string) => {
    const e = await sandbox.query(sources, sql).catch((x: unknown) => x);
    expect(e, sql).toBeInstanceOf(SandboxError);
    return (e as SandboxError).message;
  };

  it('reads its own source only: read_csv of /etc/passwd, another Parquet, glob are refused', async () => {
    expect(await refused(`SELECT * FROM read_csv('/etc/passwd')`)).toMatch(/Accès refusé/);
    expect(await refused(`SELECT * FROM read_text('/etc/passwd')`)).toMatch(/Accès refusé/);
    expect(await refused(`SELECT * FROM read_parquet('${other}')`)).toMatch(/Accès refusé/);
    expect(await refused(`SELECT * FROM glob('/etc/*')`)).toMatch(/Accès refusé/);
  });

  it('refuses COPY, ATTACH, INSTALL, LOAD, SET, PRAGMA, writes and several statements', async () => {
    expect(await refused(`COPY ${SOURCE} TO '${dir}/leak.csv'`)).toMatch(/SELECT|refusé/);
    expect(fs.existsSync(`${dir}/leak.csv`)).toBe(false);
    expect(await refused(`ATTACH '${dir}/x.duckdb' AS x`)).toMatch(/SELECT|refusé/);
    expect(await refused('INSTALL httpfs')).toMatch(/SELECT|refusé/);
    expect(await refused('LOAD httpfs')).toMatch(/SELECT|refusé/);
    expect(await refused(`SET enable_external_access = true`)).toMatch(/SELECT|refusé/);
    expect(await refused(`SET threads = 8`)).toMatch(/SELECT|refusé/);
    expect(await refused(`PRAGMA memory_limit = '10GB'`)).toMatch(/SELECT|refusé/);
    expect(await refused(`CREATE TABLE t AS SELECT 1`)).toMatch(/SELECT|refusé/);
    expect(await refused(`DROP VIEW ${SOURCE}`)).toMatch(/SELECT|refusé/);
    expect(await refused(`SELECT 1; DROP VIEW ${SOURCE}`)).toMatch(/Une seule instruction/);
    // Even run directly on the instance, the configuration is locked and external access is off.
    const settings = await sandbox.query(
      sources,
      `SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', 'lock_configuration', 'threads')`,
    );
    expect(Object.fromEntries(settings.rows as [string, string][])).toEqual({ enable_external_access: 'false', lock_configuration: 'true', threads: '1' });
    // The source is still there.
    expect((await sandbox.query(sources, `SELECT count(*) FROM ${SOURCE}`)).rows).toEqual([[5]]);
  });

  it('limits the rows read and interrupts a query past the timeout', async () => {
    const many = await sandbox.query(sources, 'SELECT * FROM range(5000)', [], { maxRows: 100 });
    expect(many.rows.length).toBe(100);
    expect(many.truncated).toBe(true);
    const slow = await sandbox
      .query(sources, 'SELECT count(*) FROM range(100000000000) a, range(1000) b WHERE a.range % 7 = b.range', [], { timeoutMs: 200 })
      .catch((e: unknown) => e);
    expect(slow).toBeInstanceOf(SandboxError);
    expect((slow as SandboxError).kind).toBe('timeout');
  });

  it('runs a bounded number of queries at once on a node; beyond the queue, refuses', async () => {
    const small = new Sandbox({ memoryMb: 128, threads: 1, timeoutMs: 300, maxRows: 10 }, path.join(dir, 'spill2'), 2, 1, 0);
    const slow = small.query(sources, 'SELECT count(*) FROM range(100000000000) a, range(1000) b WHERE a.range % 7 = b.range').catch((e: unknown) => e);
    const busy = await small.query(sources, 'SELECT 1').catch((e: unknown) => e);
    expect((busy as SandboxError).kind).toBe('busy');
    expect(((await slow) as SandboxError).kind).toBe('timeout');
    expect((await small.query(sources, 'SELECT 1')).rows).toEqual([[1]]);
    small.close();
  });

  it('interrupts a query whose caller no longer needs it, and gives its slot back at once', async () => {
    // One slot, a queue of one: the cancelled count must free the slot long before its 60 s timeout.
    const small = new Sandbox({ memoryMb: 128, threads: 1, timeoutMs: 60_000, maxRows: 10 }, path.join(dir, 'spill3'), 2, 1, 1);
    const stop = new AbortController();
    const slow = small
      .query(sources, 'SELECT count(*) FROM range(100000000000) a, range(1000) b WHERE a.range % 7 = b.range', [], { signal: stop.signal })
      .catch((e: unknown) => e);
    const next = small.query(sources, 'SELECT 2');
    // Once it runs (DuckDB interrupted mid-query), not before.
    setTimeout(() => stop.abort(), 300);
    expect(((await slow) as SandboxError).kind).toBe('cancelled');
    expect((await next).rows).toEqual([[2]]);
    // Already cancelled: it never takes a slot.
    const hold = small.query(sources, 'SELECT count(*) FROM range(100000000000) a, range(1000) b WHERE a.range % 7 = b.range', [], { signal: stop.signal });
    expect(((await hold.catch((e: unknown) => e)) as SandboxError).kind).toBe('cancelled');
    small.close();
  });

  it('binds values: a value is never SQL', async () => {
    const r = await sandbox.query(sources, `SELECT count(*) FROM ${SOURCE} WHERE departement = $1`, ["01' OR '1'='1"]);
    expect(r.rows).toEqual([[0]]);
  });
});

describe('compilation', () => {
  it('compiles the tabular API parameters with quoted columns and bound values', async () => {
    const c = compileTabular(columns, { page: 1, pageSize: 2, params: { departement__in: '01,75', nombre__greater: '13', nombre__sort: 'desc' } });
    expect(c.page.sql).not.toContain('75');
    const r = await sandbox.query(sources, c.page.sql, c.page.params);
    expect(r.rows.map((x) => x[1])).toEqual(['75', '75']);
    const n = await sandbox.query(sources, c.count.sql, c.count.params);
    expect(n.rows).toEqual([[3]]);
    const g = compileTabular(columns, { page: 1, pageSize: 20, params: { indicateur__groupby: '', nombre__sum: '' } });
    expect((await sandbox.query(sources, g.page.sql, g.page.params)).rows).toEqual([
      ['Cambriolages', 43],
      ['Vols', 147],
    ]);
    expect(g.outputColumns).toEqual(['indicateur', 'nombre__sum']);
  });

  it('names the field of an unknown column, operator or bad value', () => {
    const e = (() => {
      try {
        compileTabular(columns, { page: 1, pageSize: 20, params: { 'x"; DROP__exact': '1', nombre__less: 'abc', departement__foo: '1' } });
      } catch (x) {
        return x as { errors: { field: string }[] };
      }
    })();
    expect(e!.errors.map((x) => x.field).sort()).toEqual(['query.departement__foo', 'query.nombre__less', 'query.x"; DROP__exact']);
  });

  it('compiles a builder question: group by month, measures, percentiles, sort', async () => {
    const q = compileQuestion(columns, {
      resourceId: '00000000-0000-0000-0000-000000000000',
      filters: [{ column: 'indicateur', op: 'exact', value: 'Vols' }],
      groupBy: [{ column: 'mois' }],
      measures: [
        { fn: 'sum', column: 'nombre' },
        { fn: 'count_distinct', column: 'departement' },
        { fn: 'median', column: 'nombre' },
      ],
      sort: { by: 'm0', direction: 'desc' },
      limit: 10,
    });
    const r = await sandbox.query(sources, q.sql, q.params);
    expect(r.rows).toEqual([
      ['2024-01', 132, 2, 66],
      ['2024-02', 15, 1, 15],
    ]);
    expect(q.outputColumns).toEqual(['mois', 'm0', 'm1', 'm2']);
  });
});

/**
 * SQL compilation of the tabular API's parameters and of the question builder (ADR 0801): every
 * identifier is one of the resource's columns, quoted; every value is a bound parameter (`$1`…),
 * cast to the column's family; functions and operators come from fixed tables. Nothing a caller
 * sends is ever concatenated into the SQL.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import type { ExtractColumn, FilterOp, MeasureFn, QuestionDefinition, QuestionFilter } from '@patrimoine/contracts/explore';
import { filterOps, measureFnLabels, tabularAggregates } from '@patrimoine/contracts/explore';
import { ValidationError } from '../../../platform/errors.ts';
import { quoteIdent } from './sandbox.ts';

/** The row id every extract carries (as api-tabular's `__id`). */
export const ROW_ID = '__id';
/** The view name of the single source of the tabular API and of builder questions. */
export const SOURCE = 'source';

export type FieldProblem = { field: string; message: string };

class Params {
  readonly values: DuckDBValue[] = [];
  add(v: DuckDBValue): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

function columnsByName(columns: ExtractColumn[]): Map<string, ExtractColumn> {
  return new Map(columns.map((c) => [c.name, c]));
}

const BOOL_TRUE = new Set(['true', 'vrai', 'oui', '1']);
const BOOL_FALSE = new Set(['false', 'faux', 'non', '0']);

/** One value cast to the column's family, or a French problem. */
function bindValue(p: Params, col: ExtractColumn, raw: unknown, field: string, problems: FieldProblem[]): string | null {
  if (col.kind === 'number') {
    const n = typeof raw === 'number' ? raw : Number(String(raw).trim().replace(',', '.'));
    if (!Number.isFinite(n) || String(raw).trim() === '') {
      problems.push({ field, message: `« ${String(raw).slice(0, 40)} » n’est pas un nombre (colonne « ${col.name} »)` });
      return null;
    }
    return p.add(n);
  }
  if (col.kind === 'boolean') {
    const s = String(raw).trim().toLowerCase();
    if (BOOL_TRUE.has(s)) return p.add(true);
    if (BOOL_FALSE.has(s)) return p.add(false);
    problems.push({ field, message: `« ${String(raw).slice(0, 40)} » n’est pas un booléen (oui ou non)` });
    return null;
  }
  if (col.kind === 'date') {
    const s = String(raw).trim();
    if (!/^\d{4}-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?)?$/.test(s)) {
      problems.push({ field, message: `« ${s.slice(0, 40)} » n’est pas une date AAAA-MM-JJ` });
      return null;
    }
    const iso = s.length === 7 ? `${s}-01` : s;
    return `CAST(${p.add(iso)} AS ${col.type.startsWith('TIMESTAMP') ? 'TIMESTAMP' : 'DATE'})`;
  }
  return p.add(String(raw));
}

function filterSql(p: Params, col: ExtractColumn, op: FilterOp, value: unknown, field: string, problems: FieldProblem[]): string | null {
  const c = quoteIdent(col.name);
  const asText = col.kind === 'text' ? c : `CAST(${c} AS VARCHAR)`;
  switch (op) {
    case 'isnull':
      return `${c} IS NULL`;
    case 'isnotnull':
      return `${c} IS NOT NULL`;
    case 'contains':
    case 'notcontains': {
      const v = p.add(String(value ?? ''));
      return op === 'contains' ? `contains(lower(${asText}), lower(${v}))` : `(${c} IS NULL OR NOT contains(lower(${asText}), lower(${v})))`;
    }
    case 'in':
    case 'notin': {
      const list = Array.isArray(value) ? value : String(value ?? '').split(',');
      if (!list.length || list.length > 200) {
        problems.push({ field, message: 'entre 1 et 200 valeurs séparées par des virgules' });
        return null;
      }
      const bound = list.map((v) => bindValue(p, col, typeof v === 'string' ? v.trim() : v, field, problems));
      if (bound.some((b) => b === null)) return null;
      return `${c} ${op === 'in' ? 'IN' : 'NOT IN'} (${bound.join(', ')})`;
    }
    default: {
      if (value === undefined || value === null) {
        problems.push({ field, message: 'valeur obligatoire' });
        return null;
      }
      const v = bindValue(p, col, value, field, problems);
      if (v === null) return null;
      const sym = { exact: '=', differs: 'IS DISTINCT FROM', less: '<=', greater: '>=', strictly_less: '<', strictly_greater: '>' }[op];
      return `${c} ${sym} ${v}`;
    }
  }
}

export interface CompiledQuery {
  sql: string;
  params: DuckDBValue[];
}

// ---- tabular API ----------------------------------------------------------------------------------

export interface TabularRequest {
  page: number;
  pageSize: number;
  columns?: string;
  /** Every other query parameter (`col__op`). */
  params: Record<string, string>;
}

export interface CompiledTabular {
  page: CompiledQuery;
  count: CompiledQuery;
  /** Without LIMIT/OFFSET: the CSV export. */
  all: CompiledQuery;
  outputColumns: string[];
  /** The filter alone (`a = $1 AND …`, '' without a filter), its columns, and the grouping columns: what a count table must hold to answer the total. */
  where: string;
  filterColumns: string[];
  groupColumns: string[];
  grouped: boolean;
}

const TABULAR_SUFFIXES = new Set<string>([...filterOps, 'sort', 'groupby', ...tabularAggregates]);
const AGG_SQL: Record<(typeof tabularAggregates)[number], (c: string) => string> = {
  count: (c) => `count(${c})`,
  sum: (c) => `sum(${c})`,
  avg: (c) => `avg(${c})`,
  min: (c) => `min(${c})`,
  max: (c) => `max(${c})`,
};

/** The tabular API's query parameters (`col__exact=…`, `col__sort=desc`, `col__groupby`, `col__sum`…) to SQL. */
export function compileTabular(columns: ExtractColumn[], req: TabularRequest): CompiledTabular {
  const byName = columnsByName([...columns, { name: ROW_ID, type: 'BIGINT', kind: 'number' }]);
  const problems: FieldProblem[] = [];
  const p = new Params();
  const where: string[] = [];
  const filterColumns = new Set<string>();
  const order: string[] = [];
  const groups: string[] = [];
  const aggs: { sql: string; alias: string }[] = [];
  for (const [key, raw] of Object.entries(req.params)) {
    const field = `query.${key}`;
    const at = key.lastIndexOf('__');
    const suffix = at > 0 ? key.slice(at + 2) : '';
    if (at <= 0 || !TABULAR_SUFFIXES.has(suffix)) {
      problems.push({ field, message: 'paramètre inconnu : attendu <colonne>__<opérateur> (exact, contains, in, less, greater, sort, groupby, sum…)' });
      continue;
    }
    const name = key.slice(0, at);
    const col = byName.get(name);
    if (!col) {
      problems.push({ field, message: `colonne « ${name.slice(0, 60)} » inconnue dans cette ressource` });
      continue;
    }
    if (suffix === 'sort') {
      if (raw !== 'asc' && raw !== 'desc') problems.push({ field, message: 'asc ou desc' });
      else order.push(`${quoteIdent(name)} ${raw === 'desc' ? 'DESC' : 'ASC'} NULLS LAST`);
    } else if (suffix === 'groupby') {
      groups.push(quoteIdent(name));
    } else if ((tabularAggregates as readonly string[]).includes(suffix)) {
      const fn = suffix as (typeof tabularAggregates)[number];
      if (fn !== 'count' && fn !== 'min' && fn !== 'max' && col.kind !== 'number') {
        problems.push({ field, message: `la colonne « ${name} » n’est pas numérique` });
        continue;
      }
      aggs.push({ sql: AGG_SQL[fn](quoteIdent(name)), alias: `${name}__${fn}` });
    } else {
      const s = filterSql(p, col, suffix as FilterOp, raw, field, problems);
      if (s) where.push(s);
      filterColumns.add(name);
    }
  }
  let select: string[];
  let outputColumns: string[];
  const grouped = groups.length > 0 || aggs.length > 0;
  if (grouped) {
    select = [...groups, ...aggs.map((a) => `${a.sql} AS ${quoteIdent(a.alias)}`)];
    outputColumns = [...groups.map((g) => g.slice(1, -1).replace(/""/g, '"')), ...aggs.map((a) => a.alias)];
  } else if (req.columns) {
    const wanted = req.columns
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const w of wanted)
      if (!byName.has(w)) problems.push({ field: 'query.columns', message: `colonne « ${w.slice(0, 60)} » inconnue dans cette ressource` });
    outputColumns = wanted;
    select = wanted.map(quoteIdent);
  } else {
    outputColumns = [ROW_ID, ...columns.map((c) => c.name)];
    select = outputColumns.map(quoteIdent);
  }
  if (problems.length) throw new ValidationError('Paramètres de la requête invalides.', problems);
  const whereSql = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  const groupSql = groups.length ? ` GROUP BY ${groups.join(', ')}` : '';
  // Without a sort, rows come in file order (DuckDB preserves the insertion order of a scan), and a page
  // stops reading once it has its rows.
  const orderSql = order.length ? ` ORDER BY ${order.join(', ')}` : grouped && groups.length ? ` ORDER BY ${groups.join(', ')}` : '';
  const body = `SELECT ${select.join(', ')} FROM ${SOURCE}${whereSql}${groupSql}`;
  const offset = (req.page - 1) * req.pageSize;
  return {
    page: { sql: `${body}${orderSql} LIMIT ${req.pageSize} OFFSET ${offset}`, params: p.values },
    count: { sql: grouped ? `SELECT count(*) AS n FROM (${body}) AS g` : `SELECT count(*) AS n FROM ${SOURCE}${whereSql}`, params: p.values },
    all: { sql: `${body}${orderSql}`, params: p.values },
    outputColumns,
    where: where.join(' AND '),
    filterColumns: [...filterColumns],
    groupColumns: groups.map((g) => g.slice(1, -1).replace(/""/g, '"')),
    grouped,
  };
}

/**
 * The total of a tabular request from a count table (ADR 0804), when the table holds every filtered
 * and grouped column: the same filter (same bound values) over the table's combinations, summing their
 * rows (or counting the distinct groups). The answer is the exact count: every row of the extract is
 * in exactly one combination, and the filter reads only the combination's values. Null otherwise.
 */
export function countFromTable(
  compiled: CompiledTabular,
  table: { id: number; columns: string[] },
  view: string,
  n: string,
  tableColumn: string,
): CompiledQuery | null {
  const needed = [...compiled.filterColumns, ...compiled.groupColumns];
  if (needed.includes(ROW_ID) || !needed.every((c) => table.columns.includes(c))) return null;
  const where = ` WHERE ${quoteIdent(tableColumn)} = ${Number(table.id)}${compiled.where ? ` AND ${compiled.where}` : ''}`;
  if (!compiled.grouped) return { sql: `SELECT coalesce(sum(${quoteIdent(n)}), 0) AS n FROM ${quoteIdent(view)}${where}`, params: compiled.count.params };
  if (!compiled.groupColumns.length) return null;
  return {
    sql: `SELECT count(*) AS n FROM (SELECT DISTINCT ${compiled.groupColumns.map(quoteIdent).join(', ')} FROM ${quoteIdent(view)}${where}) AS g`,
    params: compiled.count.params,
  };
}

// ---- question builder ------------------------------------------------------------------------------

const NUMERIC_MEASURES: MeasureFn[] = ['sum', 'avg', 'median', 'p25', 'p75', 'p90'];
const MEASURE_SQL: Record<MeasureFn, (c: string) => string> = {
  count: () => 'count(*)',
  count_distinct: (c) => `count(DISTINCT ${c})`,
  sum: (c) => `sum(${c})`,
  avg: (c) => `avg(${c})`,
  median: (c) => `median(${c})`,
  p25: (c) => `quantile_cont(${c}, 0.25)`,
  p75: (c) => `quantile_cont(${c}, 0.75)`,
  p90: (c) => `quantile_cont(${c}, 0.9)`,
  min: (c) => `min(${c})`,
  max: (c) => `max(${c})`,
};

/** Output names of a builder question: the grouping columns, then `m0`, `m1`… for the measures. */
export function measureAlias(i: number): string {
  return `m${i}`;
}

/**
 * A builder question to SQL. `extraFilters` are a dashboard's shared filters (applied only when the
 * resource has the column: the caller passes those that apply).
 */
export function compileQuestion(
  columns: ExtractColumn[],
  q: QuestionDefinition,
  extraFilters: QuestionFilter[] = [],
): CompiledQuery & { outputColumns: string[] } {
  const byName = columnsByName(columns);
  const problems: FieldProblem[] = [];
  const p = new Params();
  const need = (name: string, field: string): ExtractColumn | null => {
    const col = byName.get(name);
    if (!col) problems.push({ field, message: `colonne « ${name.slice(0, 60)} » inconnue dans cette ressource` });
    return col ?? null;
  };
  const where: string[] = [];
  [...q.filters, ...extraFilters].forEach((f, i) => {
    const field = i < q.filters.length ? `builder.filters.${i}` : `filters.${i - q.filters.length}`;
    const col = need(f.column, `${field}.column`);
    if (!col) return;
    const s = filterSql(p, col, f.op, f.value, `${field}.value`, problems);
    if (s) where.push(s);
  });
  const groupExprs: string[] = [];
  const outputColumns: string[] = [];
  q.groupBy.forEach((g, i) => {
    const col = need(g.column, `builder.groupBy.${i}.column`);
    if (!col) return;
    const c = quoteIdent(col.name);
    let expr = c;
    if (g.grain) {
      if (col.kind === 'date') expr = `strftime(${c}, '${g.grain === 'month' ? '%Y-%m' : '%Y'}')`;
      else if (col.kind === 'text') expr = g.grain === 'month' ? `left(${c}, 7)` : `left(${c}, 4)`;
      else problems.push({ field: `builder.groupBy.${i}.grain`, message: 'un regroupement par mois ou par année demande une colonne de dates' });
    }
    groupExprs.push(`${expr} AS ${quoteIdent(col.name)}`);
    outputColumns.push(col.name);
  });
  const measures: string[] = [];
  q.measures.forEach((m, i) => {
    let c = '*';
    if (m.fn !== 'count') {
      if (!m.column) {
        problems.push({ field: `builder.measures.${i}.column`, message: `obligatoire pour « ${measureFnLabels[m.fn]} »` });
        return;
      }
      const col = need(m.column, `builder.measures.${i}.column`);
      if (!col) return;
      if (NUMERIC_MEASURES.includes(m.fn) && col.kind !== 'number') {
        problems.push({ field: `builder.measures.${i}.column`, message: `« ${measureFnLabels[m.fn]} » demande une colonne numérique` });
        return;
      }
      c = quoteIdent(col.name);
    }
    measures.push(`${MEASURE_SQL[m.fn](c)} AS ${measureAlias(i)}`);
    outputColumns.push(measureAlias(i));
  });
  let orderSql = '';
  if (q.sort) {
    if (!outputColumns.includes(q.sort.by)) problems.push({ field: 'builder.sort.by', message: 'trier par une colonne regroupée ou une mesure' });
    else orderSql = ` ORDER BY ${quoteIdent(q.sort.by)} ${q.sort.direction === 'desc' ? 'DESC' : 'ASC'} NULLS LAST`;
  } else if (groupExprs.length) {
    orderSql = ` ORDER BY ${q.groupBy.map((_, i) => i + 1).join(', ')}`;
  }
  if (problems.length) throw new ValidationError('La question est incomplète ou invalide.', problems);
  const whereSql = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  const groupSql = groupExprs.length ? ` GROUP BY ${q.groupBy.map((_, i) => i + 1).join(', ')}` : '';
  return {
    sql: `SELECT ${[...groupExprs, ...measures].join(', ')} FROM ${SOURCE}${whereSql}${groupSql}${orderSql} LIMIT ${q.limit}`,
    params: p.values,
    outputColumns,
  };
}

/** The count query of a tabular request: from the smallest count table that answers it, else over the extract. */
export function pickCount(
  compiled: CompiledTabular,
  tables: { id: number; columns: string[]; rows: number }[],
  view: string,
  n: string,
  tableColumn: string,
): CompiledQuery & { fromTable: boolean } {
  for (const t of [...tables].sort((a, b) => a.rows - b.rows)) {
    const q = countFromTable(compiled, t, view, n, tableColumn);
    if (q) return { ...q, fromTable: true };
  }
  return { ...compiled.count, fromTable: false };
}

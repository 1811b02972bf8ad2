import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem } from '@patrimoine/contracts/common';

/** The one problem+json schema (contracts/common), under the name routes have used. */
export const problemSchema = problem;

/** Standard error responses for a route's OpenAPI description. */
export const problems = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
} as const;

export function requestMeta(req: FastifyRequest) {
  return { ip: req.ip, userAgent: req.headers['user-agent'], requestId: req.id };
}

/** True when the client asked for CSV (`?format=csv` or `Accept: text/csv`). */
export function wantsCsv(req: FastifyRequest): boolean {
  const q = req.query as { format?: string } | undefined;
  return q?.format === 'csv' || (req.headers.accept ?? '').split(',')[0]?.trim().startsWith('text/csv') === true;
}

/** A cell a spreadsheet would read as a formula (OWASP « CSV injection »): =, +, -, @, tab, CR first. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A number written as text (`-12`, `+3,5`, `1e-3`): a spreadsheet reads it as that number, not a formula. */
const PLAIN_NUMBER = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$/;

/**
 * Neutralises a CSV cell per OWASP: a text starting with `=`, `+`, `-`, `@`, a tab or a carriage
 * return is prefixed with a single quote so that no spreadsheet evaluates it (`=HYPERLINK(…)` comes
 * out as `'=HYPERLINK(…)`). Numbers, and texts that are plain numbers, are left as they are. For code
 * that writes CSV itself; `sendCsv` applies it to every cell.
 */
export function csvSafe(value: string): string;
export function csvSafe<T>(value: T): T | string;
export function csvSafe(value: unknown): unknown {
  if (typeof value !== 'string' || !FORMULA_START.test(value) || PLAIN_NUMBER.test(value)) return value;
  return `'${value}`;
}

/**
 * Streams rows as a CSV download — the platform's one CSV writer: every text cell goes through
 * `csvSafe` (formula injection); UTF-8 with BOM so that spreadsheet software reads accents,
 * `;`-separated as French spreadsheets expect unless `separator` says otherwise.
 */
export function sendCsv(
  reply: FastifyReply,
  filename: string,
  columns: { key: string; header: string }[],
  rows: AsyncIterable<Record<string, unknown>[]> | Iterable<Record<string, unknown>>,
  separator = ';',
): FastifyReply {
  const out = stringify({
    header: true,
    columns,
    delimiter: separator,
    bom: true,
    cast: {
      string: (v) => csvSafe(v),
      date: (d) => d.toISOString(),
      boolean: (b) => (b ? 'oui' : 'non'),
      object: (o) => csvSafe(JSON.stringify(o)),
    },
  });
  const source = Readable.from(
    (async function* () {
      for await (const item of rows as AsyncIterable<unknown>) {
        if (Array.isArray(item)) for (const r of item) yield r;
        else yield item;
      }
    })(),
    { objectMode: true },
  );
  source.on('error', (e) => out.destroy(e));
  source.pipe(out);
  reply.header('content-type', 'text/csv; charset=utf-8');
  reply.header('content-disposition', `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`);
  return reply.send(out);
}

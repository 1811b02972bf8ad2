import { stringify } from 'csv-stringify/sync';
import type { AppContext } from '../../platform/context.ts';
import { csvSafe } from '../../platform/http/common.ts';
import { fieldError } from '../../platform/errors.ts';
import type { HabilitationsService } from './habilitations.service.ts';

/** Monthly publication of the open CSV of active habilitations (issue 14, like DataPass's open export). */
export const OPENDATA_JOB = 'habilitations.opendata';
const PREFIX = 'habilitations/opendata/';
const FILE = /^habilitations-(\d{4}-(?:0[1-9]|1[0-2]))\.csv$/;

/** Columns of the open CSV: no person, no state (every row is active at the end of the month). */
export const openDataColumns = [
  { key: 'slug', header: 'habilitation' },
  { key: 'definitionName', header: 'api' },
  { key: 'organisationName', header: 'organisation' },
  { key: 'siret', header: 'siret' },
  { key: 'scopes', header: 'perimetre' },
  { key: 'createdAt', header: 'date_debut' },
  { key: 'expiresAt', header: 'date_fin' },
];

export const fileOf = (month: string) => `habilitations-${month}.csv`;
export const monthOfFile = (file: string) => FILE.exec(file)?.[1] ?? null;
export const keyOf = (month: string) => `${PREFIX}${fileOf(month)}`;
/** First instant after the month `YYYY-MM` (UTC). */
export const endOfMonth = (month: string) => new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 1));
/** The last month that has ended at `now`. */
export const lastEndedMonth = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);

/** The CSV (UTF-8 with BOM, `;`, cells through csvSafe), as `sendCsv` writes it. */
export function openDataCsv(rows: Awaited<ReturnType<HabilitationsService['openData']>>): string {
  return stringify(
    rows.map((h) => ({ ...h, scopes: h.scopes.join(' ') })),
    {
      header: true,
      columns: openDataColumns,
      delimiter: ';',
      bom: true,
      cast: { string: (v) => csvSafe(v), date: (d) => d.toISOString() },
    },
  );
}

export function createOpenDataExports(deps: { ctx: AppContext; svc: HabilitationsService }) {
  const { ctx, svc } = deps;
  return {
    /**
     * Writes the file of a month that has ended (habilitations active at its end). Without `replace`, a month
     * already published is left as it is: the published file is what was true when the month closed.
     */
    async publish(month: string, opts: { replace?: boolean } = {}) {
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw fieldError('month', 'mois AAAA-MM attendu');
      const end = endOfMonth(month);
      if (end > ctx.clock.now()) throw fieldError('month', `le mois ${month} n’est pas terminé : il sera publié le ${end.toISOString().slice(0, 10)}`);
      const key = keyOf(month);
      const existing = await ctx.blobs.head(key);
      if (existing && !opts.replace) return { month, published: false, size: existing.size, rows: null };
      const rows = await svc.openData(end);
      const info = await ctx.blobs.put(key, openDataCsv(rows), { contentType: 'text/csv; charset=utf-8' });
      ctx.logger.info({ month, rows: rows.length }, 'habilitations: open data published');
      return { month, published: true, size: info.size, rows: rows.length };
    },
    /** The monthly round: publishes the last ended month when it is not yet (idempotent across nodes). */
    async publishDue() {
      return this.publish(lastEndedMonth(ctx.clock.now()));
    },
    /** Published months, newest first. */
    async list() {
      const out: { month: string; file: string; size: number; publishedAt: Date; url: string }[] = [];
      for await (const o of ctx.blobs.list(PREFIX)) {
        const file = o.key.slice(PREFIX.length);
        const month = monthOfFile(file);
        if (month) out.push({ month, file, size: o.size, publishedAt: o.lastModified, url: `/api/habilitations/opendata/exports/${file}` });
      }
      return out.sort((a, b) => b.month.localeCompare(a.month));
    },
    keyOf,
  };
}
export type OpenDataExports = ReturnType<typeof createOpenDataExports>;

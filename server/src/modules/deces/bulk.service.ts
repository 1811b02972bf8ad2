import fs from 'node:fs';
import path from 'node:path';
import type { Transform } from 'node:stream';
import { parse } from 'csv-parse';
import { quoteGuard } from './quote-guard.ts';
import { bulkDateFormats, type BulkResult } from '@patrimoine/contracts/deces';
import { stringify } from 'csv-stringify/sync';
import type { AppContext } from '../../platform/context.ts';
import { fieldError } from '../../platform/errors.ts';
import { csvSafe } from '../../platform/http/common.ts';
import { FileLimitError } from './files.ts';
import { withMsg } from './matchid.ts';
import type { DecesService } from './deces.service.ts';
import { MSG, type Webhooks } from './webhooks.ts';
import type { toPerson } from './deces.service.ts';
import iconv from 'iconv-lite';
import { communesOfPostalCode } from './postal.ts';
import { RESULT_COLUMNS, bulkHeader, compileDateFormat, encodingOf, readWithFormat } from './matchid.ts';
import { PERSON_FIELDS, type PersonField, parseDateQuery } from './request.ts';
import type { PersonQuery } from './score.ts';
import { scoreChunk, type ChunkOutput } from './bulk-chunk.ts';
import { firstNameList, lastNameKey, phonetic } from './text.ts';
import type { Db } from '../../db/client.ts';

/**
 * Bulk matching (`POST /search/csv`), a persistent job: the uploaded CSV is read in chunks; each chunk's
 * candidates come from ONE set-based query joining its rows to the records on blocking keys; rows are
 * scored in memory and appended to the result CSV. The checkpoint (rows done, result bytes) lets the job
 * resume after a restart exactly where it stopped.
 *
 * Files (ADR 0010): the input and the finished results are in the blob store (`deces/bulk/<dir>/input.csv`,
 * `…/result.csv`, and the JSON lines of `GET /search/json/{id}` in `…/result.ndjson`), so that any node
 * serves them and any worker runs the job. The results are written to this node's scratch directory
 * while the job runs and stored when it ends; a job resumed on another
 * node (no partial result there) starts again from the first row.
 */
export const BULK_JOB = 'deces.bulk';
export const BULK_RETENTION_MS = 24 * 3600_000;
/** Base of the deaths API (as `API` of deces.routes.ts, which imports this file). */
const BULK_API = '/deces/api/v1';
const CHUNK = 1000;
const PIPELINE = 2;
/** Default `pruneScore`: on the benchmark, precision ≥ 99.7 % at recall ≥ 97.2 % (1 M records). */
export const DEFAULT_PRUNE_SCORE = 0.6;
export const DATE_FORMATS = bulkDateFormats;
/** Our options of a bulk upload. */
export const BULK_OPTIONS = ['sep', 'encoding', 'skipLines', 'dateFormat', 'candidateNumber', 'pruneScore'] as const;
/** matchID's options, accepted as its clients send them (ADR 0305). */
export const MATCHID_COMPAT_OPTIONS = [
  'tmpfilePersistence',
  'chunkSize',
  'dateFormatA',
  'escape',
  'quote',
  'size',
  'fuzzy',
  'block',
  'webhook',
  'webhookUrl',
] as const;
/** matchID's search columns this module does not use to match (accepted, kept in the job's data). */
export const MATCHID_OTHER_FIELDS = ['q', 'birthPostalCode', 'deathPostalCode', 'birthGeoPoint', 'deathGeoPoint', 'lastSeenAliveDate', 'source'] as const;

export interface BulkOptions {
  mapping: Partial<Record<PersonField, string>>;
  sep: string;
  /** An iconv-lite encoding name (`utf8`, `latin1`, `win1252`, `macintosh`…). */
  encoding: string;
  skipLines: number;
  /** `auto`, one of `bulkDateFormats`, or a date-fns / moment pattern (`dd/MM/yyyy`, `yyyyMMdd`, `MM/yyyy`). */
  dateFormat: string;
  candidateNumber: number;
  pruneScore: number;
  /** matchID's `tmpfilePersistence`: how long (ms) the result stays downloadable after the end (≤ 24 h). */
  persistenceMs?: number;
  /** matchID's options accepted for compatibility; `chunkSize` does not change results (ADR 0305). */
  compat?: Record<string, string>;
  /** matchID columns given that this module does not search on (kept in the job's data). */
  ignored?: Record<string, string>;
  /** matchID's `webhook` (or `webhookUrl`): a URL the owner registered and validated, told of the job's events. */
  webhook?: string;
}
export interface BulkPayload extends BulkOptions {
  dir: string;
  fileName: string;
  totalRows: number;
  header: string[];
}
interface Checkpoint {
  rows: number;
  bytes: number;
  /** Bytes of the JSON lines result (`GET /search/json/{id}`). Absent in older checkpoints. */
  jsonBytes?: number;
  matched: number;
  errors: { line: number; message: string }[];
  /** Rows in error (the list keeps the first 1000). Absent in checkpoints written before. */
  failed?: number;
  /** Records the CSV parser could not read (bad quotes), reported and skipped. */
  skipped?: number;
  /** Score buckets of the rows done so far (kept across a resume). */
  buckets?: Record<string, number>;
  /** Last input line done (skipped records up to it are counted). */
  line?: number;
  /** Bytes of the review lines (`…/review.ndjson`, the on-screen review). Absent in older checkpoints. */
  reviewBytes?: number;
}

/** One line of `review.ndjson`: an input row and its candidates with scores and reasons. */
export interface ReviewLine {
  n: number;
  line: number;
  cells: string[];
  error?: string;
  candidates: Omit<ReturnType<typeof toPerson>, 'flags' | 'modifications'>[];
}
/** Characters of one CSV record: beyond, the file is not a CSV (or a quote is never closed). */
export const MAX_RECORD_CHARS = 64 * 1024;
const cell = (v: string) => csvSafe(v);
export type { BulkResult };

/** Reads a date cell according to the chosen format, as AAAAMMJJ. */
export function bulkDate(v: string, fmt: BulkOptions['dateFormat']): string | null {
  const d = readDate(v, fmt);
  if (!d) return d;
  return calendarDate(d) ? d : null;
}

/**
 * A date AAAAMMJJ that exists in the calendar (31/02 or 29/02 of a common year does not), unknown parts
 * `00` allowed (`19500000`, `19500300`), years 1800 to 2100 (or unknown).
 */
export function calendarDate(d: string): boolean {
  if (!/^\d{8}$/.test(d)) return false;
  const y = Number(d.slice(0, 4));
  const m = Number(d.slice(4, 6));
  const day = Number(d.slice(6, 8));
  if (y !== 0 && (y < 1800 || y > 2100)) return false;
  if (m > 12 || (m === 0 && day > 0)) return false;
  if (day === 0) return true;
  const leap = y === 0 || (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0));
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return day <= days;
}

function readDate(v: string, fmt: BulkOptions['dateFormat']): string | null {
  const s = v.trim();
  if (!s) return '';
  return readFullDate(s, fmt) ?? partialDate(s);
}

/**
 * A birth or death date known only by its year (`1919`) or its month (`03/1919`, `03-1919`), as many
 * files hold them whatever the format of their full dates: AAAA0000 or AAAAMM00, the registry's own
 * notation for unknown parts (matchID's search also takes a year alone). No full date in any format is
 * four digits or a month and a year.
 */
function partialDate(s: string): string | null {
  if (/^\d{4}$/.test(s)) return `${s}0000`;
  const m = /^(\d{1,2})[/.-](\d{4})$/.exec(s);
  return m && Number(m[1]) >= 1 && Number(m[1]) <= 12 ? `${m[2]}${m[1]!.padStart(2, '0')}00` : null;
}

function readFullDate(s: string, fmt: BulkOptions['dateFormat']): string | null {
  let m: RegExpExecArray | null;
  if (fmt !== 'auto' && !(DATE_FORMATS as readonly string[]).includes(fmt)) {
    const f = compileDateFormat(fmt);
    return f ? readWithFormat(s, f) : null;
  }
  switch (fmt) {
    case 'DD/MM/YYYY':
      m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
      return m ? `${m[3]}${m[2]!.padStart(2, '0')}${m[1]!.padStart(2, '0')}` : null;
    case 'MM/DD/YYYY':
      m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
      return m ? `${m[3]}${m[1]!.padStart(2, '0')}${m[2]!.padStart(2, '0')}` : null;
    case 'DD-MM-YYYY':
      m = /^(\d{1,2})-(\d{1,2})-(\d{4})$/.exec(s);
      return m ? `${m[3]}${m[2]!.padStart(2, '0')}${m[1]!.padStart(2, '0')}` : null;
    case 'YYYY-MM-DD':
      m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
      return m ? `${m[1]}${m[2]}${m[3]}` : null;
    case 'YYYYMMDD':
      return /^\d{8}$/.test(s) ? s : null;
    default: {
      const d = parseDateQuery(s);
      return d && d.kind === 'exact' ? d.value : null;
    }
  }
}

/** Builds the query of one input row; throws a message for a bad row. */
function rowQuery(cells: Record<string, string>, o: BulkOptions): PersonQuery {
  const q: PersonQuery = {};
  for (const [field, col] of Object.entries(o.mapping) as [PersonField, string][]) {
    const v = (cells[col] ?? '').trim();
    if (!v) continue;
    if (field === 'birthDate' || field === 'deathDate') {
      const d = bulkDate(v, o.dateFormat);
      if (d === null) throw new Error(`${field} (colonne « ${col} ») : date illisible ou inexistante « ${v.slice(0, 40)} » (format ${o.dateFormat})`);
      // All zeros (`00/00/0000`, `0000`): the date is unknown, not a criterion every record contradicts.
      if (d && !/^0+$/.test(d)) q[field] = { kind: 'exact', value: d };
    } else if (field === 'sex') {
      const s = v.toUpperCase()[0];
      if (s === 'M' || s === 'H' || s === '1') q.sex = 'M';
      else if (s === 'F' || s === '2') q.sex = 'F';
    } else if (field === 'deathAge') {
      const n = Number(v);
      if (Number.isFinite(n)) q.deathAge = { from: n, to: n };
    } else if (field === 'birthLocationCode' || field === 'deathLocationCode' || field === 'birthDepartment' || field === 'deathDepartment') {
      q[field] = v.toUpperCase();
    } else if (field === 'birthPostalCode' || field === 'deathPostalCode') {
      // A postal code points to its communes: one of them scores as a place, never as a hard filter
      // (a postal code shared by several communes says less than a commune).
      const codes = /^\d{5}$/.test(v) ? communesOfPostalCode(v) : [];
      const code = codes.filter((c) => !/^(75056|13055|69123)$/.test(c));
      const key = field === 'birthPostalCode' ? 'birthLocationCode' : 'deathLocationCode';
      if (code.length === 1 && !q[key]) q[key] = code[0];
    } else q[field] = v.slice(0, 200);
  }
  if (!q.lastName && !q.firstName && !q.legalName) throw new Error('ni nom ni prénom');
  return q;
}

export function registerBulk(ctx: AppContext, service: DecesService, webhooks?: Webhooks) {
  /** This node's scratch directory of running jobs (the partial result). */
  const scratch = path.join(ctx.env.dataDir, 'scratch', 'deces-bulk');
  const scratchOf = (p: BulkPayload) => path.join(scratch, path.basename(p.dir));
  const keyOf = (dir: string, file: 'input.csv' | 'result.csv' | 'result.ndjson' | 'review.ndjson') => `deces/bulk/${path.basename(dir)}/${file}`;
  /** Every file of one upload: its blobs (input, CSV and JSON lines results) and this node's scratch copy. */
  const removeDir = async (dir: string) => {
    await ctx.blobs.delete(keyOf(dir, 'input.csv'));
    await ctx.blobs.delete(keyOf(dir, 'result.csv'));
    await ctx.blobs.delete(keyOf(dir, 'result.ndjson'));
    await ctx.blobs.delete(keyOf(dir, 'review.ndjson'));
    fs.rmSync(path.join(scratch, path.basename(dir)), { recursive: true, force: true });
  };

  ctx.jobs.register<BulkPayload, BulkResult, Checkpoint>(BULK_JOB, {
    retentionMs: BULK_RETENTION_MS,
    maxAttempts: 3,
    async cleanup(job) {
      await removeDir((job.payload as BulkPayload).dir);
    },
    /** The webhook hears `completed` (then `deleted` when the results expire) or `failed`. */
    async finished(job, outcome) {
      const p = job.payload as BulkPayload;
      if (!p.webhook || !webhooks || !job.ownerId) return;
      const base = { ownerId: job.ownerId, url: p.webhook, jobId: job.id };
      if (outcome === 'failed') return webhooks.notify({ ...base, event: 'failed' });
      await webhooks.notify({ ...base, event: 'completed' });
      const kept = p.persistenceMs ?? BULK_RETENTION_MS;
      await webhooks.notify({ ...base, event: 'deleted' }, { runAfter: new Date(ctx.clock.now().getTime() + kept) });
    },
    describe(job) {
      const p = job.payload as BulkPayload;
      const kept = p.persistenceMs ?? BULK_RETENTION_MS;
      const available = job.state === 'succeeded' && !!job.finishedAt && ctx.clock.now().getTime() - job.finishedAt.getTime() <= kept;
      return {
        title: `Appariement du fichier « ${p.fileName} » avec le fichier des décès`,
        fileName: p.fileName,
        downloads: available
          ? [
              { label: 'Résultat en CSV français (dates JJ/MM/AAAA, décisions)', href: `${BULK_API}/search/csv/${job.id}/fr` },
              { label: 'Résultat au format matchID (CSV)', href: `${BULK_API}/search/csv/${job.id}` },
            ]
          : [],
      };
    },
    async run({ job, payload: p, checkpoint: saved, progress, signal }) {
      if (p.webhook && webhooks && job.ownerId && !saved && job.attempts <= 1)
        await webhooks.notify({ ownerId: job.ownerId, url: p.webhook, jobId: job.id, event: 'started' });
      const dir = scratchOf(p);
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const outFile = path.join(dir, 'result.csv');
      const jsonFile = path.join(dir, 'result.ndjson');
      const reviewFile = path.join(dir, 'review.ndjson');
      const sizeOf = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : -1);
      // The partial results are on the node that wrote them: elsewhere (or from a checkpoint written
      // before the review file existed) the job starts again.
      const checkpoint =
        saved &&
        sizeOf(outFile) >= saved.bytes &&
        (saved.jsonBytes === undefined || sizeOf(jsonFile) >= saved.jsonBytes) &&
        saved.reviewBytes !== undefined &&
        sizeOf(reviewFile) >= saved.reviewBytes
          ? saved
          : null;
      const input = await ctx.blobs.get(keyOf(p.dir, 'input.csv'));
      if (!input) throw new Error('Fichier à apparier introuvable (supprimé ou expiré) : relancez l’appariement.');
      const cp: Checkpoint = checkpoint ?? { rows: 0, bytes: 0, matched: 0, errors: [] };
      if (checkpoint) {
        fs.truncateSync(outFile, cp.bytes);
        if (cp.jsonBytes !== undefined) fs.truncateSync(jsonFile, cp.jsonBytes);
        fs.truncateSync(reviewFile, cp.reviewBytes!);
      } else {
        fs.writeFileSync(reviewFile, '', { mode: 0o600 });
        cp.reviewBytes = 0;
      }
      if (!checkpoint || cp.jsonBytes === undefined) {
        const headerRow = [...p.header, 'sourceLineNumber', ...RESULT_COLUMNS.map(bulkHeader)];
        if (!checkpoint) {
          fs.writeFileSync(outFile, stringify([headerRow.map(cell)], { delimiter: p.sep }), { mode: 0o600 });
          cp.bytes = fs.statSync(outFile).size;
        }
        // matchID's JSON result: a metadata object (mapping, header), then one object per result row.
        const mapField = Object.fromEntries(Object.entries(p.mapping).map(([f, c]) => [c, f]));
        fs.writeFileSync(jsonFile, JSON.stringify({ metadata: { mapping: mapField, header: p.header } }) + '\n', { mode: 0o600 });
        cp.jsonBytes = fs.statSync(jsonFile).size;
      }
      const out = fs.openSync(outFile, 'a');
      const jsonOut = fs.openSync(jsonFile, 'a');
      const reviewOut = fs.openSync(reviewFile, 'a');
      let tooLong: Error | null = null;
      cp.failed ??= cp.errors.length;
      cp.skipped ??= 0;
      const buckets: Record<string, number> = (cp.buckets = { ...(cp.buckets ?? {}) });
      // Records the parser skips (bad quotes) are counted when the chunk before them is done, so that a
      // resume (which reads the file again) neither loses nor counts them twice.
      const doneLine = () => cp.errors.reduce((m, e) => Math.max(m, e.line), 0);
      let resumeLine = checkpoint ? (checkpoint.line ?? doneLine()) : 0;
      const pendingSkips: { line: number; message: string }[] = [];
      const takeSkips = (upTo: number) => {
        while (pendingSkips.length && pendingSkips[0]!.line <= upTo) {
          const e = pendingSkips.shift()!;
          cp.skipped!++;
          cp.failed!++;
          if (cp.errors.length < 1000) cp.errors.push(e);
        }
      };
      try {
        // A quote never closed would swallow the rest of the file: its line is reported and matching goes on.
        const addSkip = (e: { line: number; message: string }) => {
          if (e.line <= resumeLine) return; // counted before the restart
          let i = pendingSkips.length;
          while (i > 0 && pendingSkips[i - 1]!.line > e.line) i--;
          pendingSkips.splice(i, 0, e);
        };
        // Encodings other than UTF-8 and Latin-1 (Mac Roman, Windows-1252…) are decoded to UTF-8 first.
        const guard = quoteGuard(
          (line, excerpt) => addSkip({ line, message: `ligne illisible (guillemet jamais fermé) : ${excerpt}` }),
          p.encoding === 'latin1' ? 'latin1' : 'utf8',
        );
        const raw = input.body;
        let decoded: NodeJS.ReadableStream = raw;
        if (p.encoding !== 'utf8' && p.encoding !== 'latin1') {
          const dec = iconv.decodeStream(p.encoding) as unknown as Transform;
          const enc = iconv.encodeStream('utf8') as unknown as Transform;
          raw.on('error', (e) => dec.destroy(e));
          dec.on('error', (e) => enc.destroy(e));
          decoded = raw.pipe(dec).pipe(enc);
        }
        // A read error of the blob's stream (or of the decoding) ends the job with it.
        decoded.on('error', (e) => guard.destroy(e));
        const parser = decoded.pipe(guard).pipe(
          parse({
            delimiter: p.sep,
            columns: false,
            from_line: p.skipLines + 2,
            relax_column_count: true,
            relax_quotes: true,
            skip_empty_lines: true,
            skip_records_with_error: true,
            max_record_size: MAX_RECORD_CHARS,
            bom: true,
            encoding: p.encoding === 'latin1' ? 'latin1' : 'utf8',
            quote: p.compat?.quote === 'null' ? false : (p.compat?.quote ?? '"'),
            info: true,
          }),
        );
        parser.on('skip', (err: Error & { code?: string; lines?: number }) => {
          const line = err.lines ?? 0;
          if (err.code === 'CSV_MAX_RECORD_SIZE') {
            tooLong ??= new FileLimitError(
              `ligne ${line} : enregistrement de plus de ${MAX_RECORD_CHARS} caractères (guillemet jamais fermé ou fichier qui n’est pas un CSV) : appariement arrêté.`,
            );
            parser.destroy(tooLong);
            return;
          }
          addSkip({
            line,
            message: `ligne illisible (guillemets mal placés) : ${err.message.replace(/^Invalid Record Length: |^Invalid Closing Quote: /, '').slice(0, 200)}`,
          });
        });
        let chunk: { line: number; n: number; cells: string[] }[] = [];
        let seen = 0;
        type Prepared = {
          chunk: typeof chunk;
          queries: { row: number; q: PersonQuery | null; err?: string }[];
          result: Promise<ChunkOutput>;
        };
        const inflight: Prepared[] = [];
        // Candidate queries run ahead of scoring (up to PIPELINE chunks): the database works on the
        // next chunks while this process scores the current one. Output stays in input order.
        const prepare = (): Prepared | null => {
          if (!chunk.length) return null;
          const queries: { row: number; q: PersonQuery | null; err?: string }[] = chunk.map((c, i) => {
            const cells = Object.fromEntries(p.header.map((h, j) => [h, c.cells[j] ?? '']));
            try {
              return { row: i, q: rowQuery(cells, p) };
            } catch (e) {
              return { row: i, q: null, err: (e as Error).message };
            }
          });
          const keys = queries
            .filter((x) => x.q)
            .flatMap((x) => {
              const q = x.q!;
              const bd = q.birthDate?.kind === 'exact' ? q.birthDate.value : '';
              // Day or month unknown: no exact-date key, and the names' block spans a year either side.
              const partial = /00$/.test(bd);
              const first = firstNameList(q.firstName)[0] ?? '';
              return [q.lastName, q.legalName]
                .filter((l): l is string => !!l)
                .concat(q.lastName || q.legalName ? [] : [''])
                .map((l) => ({
                  row: x.row,
                  lastPhon: phonetic(lastNameKey(l)),
                  lastKey: lastNameKey(l),
                  firstPhon: phonetic(first),
                  firstKey: first,
                  birthDate: partial ? '' : bd,
                  birthYear: bd && !bd.startsWith('0000') ? Number(bd.slice(0, 4)) : null,
                  birthYearWindow: partial ? 1 : 10,
                  sex: q.sex ?? '',
                }));
            });
          const rows = chunk;
          // Scored as soon as its candidates arrive (this thread is then free for the next chunks).
          const result = service.repo
            .bulkCandidates(keys)
            .then((cands) =>
              scoreChunk({ header: p.header, sep: p.sep, pruneScore: p.pruneScore, candidateNumber: p.candidateNumber, chunk: rows, queries, cands }),
            );
          result.catch(() => undefined);
          const prepared = { chunk, queries, result };
          chunk = [];
          return prepared;
        };
        const finish = async ({ chunk, result }: Prepared) => {
          const r = await result;
          cp.matched += r.matched;
          cp.failed! += r.errors.length;
          for (const e of r.errors) if (cp.errors.length < 1000) cp.errors.push(e);
          for (const [k, v] of Object.entries(r.buckets)) buckets[k] = (buckets[k] ?? 0) + v;
          const lastLine = chunk[chunk.length - 1]?.line ?? 0;
          takeSkips(lastLine);
          resumeLine = Math.max(resumeLine, lastLine);
          fs.writeSync(out, r.csv);
          cp.bytes += Buffer.byteLength(r.csv);
          fs.writeSync(jsonOut, r.json);
          cp.jsonBytes! += Buffer.byteLength(r.json);
          fs.writeSync(reviewOut, r.review);
          cp.reviewBytes! += Buffer.byteLength(r.review);
          cp.rows += chunk.length;
          await progress(
            { done: cp.rows, total: p.totalRows, message: `${cp.rows} lignes traitées` },
            { ...cp, errors: [...cp.errors], buckets: { ...buckets }, line: resumeLine },
          );
          // (a copy: the checkpoint may be written later, when more errors have been pushed to cp.errors)
        };
        for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
          if (signal.aborted) throw signal.reason;
          seen++;
          if (seen <= cp.rows) continue;
          // matchID refuses a row with more cells than the header (its message, which its UI recognises).
          if (rec.record.length > p.header.length)
            throw Object.assign(
              new Error(
                `Error: column header mismatch expected: ${p.header.length} columns got: ${rec.record.length} (ligne ${rec.info.lines} : plus de cellules que de colonnes dans l’en-tête)`,
              ),
              { permanent: true },
            );
          chunk.push({ line: rec.info.lines, n: seen, cells: rec.record });
          if (chunk.length >= CHUNK) {
            inflight.push(prepare()!);
            if (inflight.length > PIPELINE) await finish(inflight.shift()!);
          }
        }
        if (tooLong) throw tooLong;
        const last = prepare();
        if (last) inflight.push(last);
        while (inflight.length) await finish(inflight.shift()!);
        takeSkips(Infinity);
      } catch (e) {
        throw tooLong ?? e;
      } finally {
        fs.closeSync(out);
        fs.closeSync(jsonOut);
        fs.closeSync(reviewOut);
        input.body.destroy();
      }
      // Stored for every node (the CSV and the JSON lines of `GET /search/json/{id}`); the scratch copy goes.
      await ctx.blobs.put(keyOf(p.dir, 'result.ndjson'), fs.createReadStream(jsonFile, { highWaterMark: 1 << 20 }), {
        contentType: 'application/x-ndjson; charset=utf-8',
      });
      await ctx.blobs.put(keyOf(p.dir, 'review.ndjson'), fs.createReadStream(reviewFile, { highWaterMark: 1 << 20 }), {
        contentType: 'application/x-ndjson; charset=utf-8',
      });
      await ctx.blobs.put(keyOf(p.dir, 'result.csv'), fs.createReadStream(outFile, { highWaterMark: 1 << 20 }), { contentType: 'text/csv; charset=utf-8' });
      fs.rmSync(dir, { recursive: true, force: true });
      const rows = cp.rows + cp.skipped;
      return { rows, matched: cp.matched, unmatched: rows - cp.matched - cp.failed, errors: cp.errors, failed: cp.failed, scoreBuckets: buckets };
    },
  });

  return {
    scratch,
    keyOf,
    removeDir,
    /** Serialises the job starts of one user until the transaction ends (one job per user). */
    lockUser: (tx: Db, userId: string) => service.repo.lock(tx, `deces.bulk:${userId}`),
    /**
     * Removes the files of jobs that are gone (results expired and purged by the job runner) or of
     * uploads that never became a job, in the blob store and in this node's scratch directory; files
     * younger than an hour are left alone (upload in progress).
     */
    async sweep(now = Date.now()): Promise<number> {
      const live = new Set(await service.repo.bulkJobDirs());
      const newest = new Map<string, number>();
      for await (const o of ctx.blobs.list('deces/bulk/')) {
        const d = o.key.split('/')[2]!;
        newest.set(d, Math.max(newest.get(d) ?? 0, o.lastModified.getTime()));
      }
      if (fs.existsSync(scratch))
        for (const d of fs.readdirSync(scratch)) newest.set(d, Math.max(newest.get(d) ?? 0, fs.statSync(path.join(scratch, d)).mtimeMs));
      let removed = 0;
      for (const [d, mtime] of newest) {
        if (live.has(d) || now - mtime < 3600_000) continue;
        await removeDir(d);
        removed++;
      }
      return removed;
    },
    /** Validates options and the mapping against the file's header (every error names its field). */
    async prepare(dir: string, fileName: string, input: Record<string, string>): Promise<BulkPayload> {
      const key = keyOf(dir, 'input.csv');
      // deces-ui sends every option, unset ones as the text `undefined`: they are absent.
      const fields = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== 'undefined' && v !== 'null' && v !== ''));
      if (input.quote === 'null') fields.quote = 'null';
      const known = new Set<string>([...PERSON_FIELDS, ...BULK_OPTIONS, ...MATCHID_COMPAT_OPTIONS, ...MATCHID_OTHER_FIELDS]);
      for (const k of Object.keys(fields)) if (!known.has(k)) throw fieldError(k, `paramètre inconnu « ${k} »`);
      // matchID: `webhook || webhookUrl`, checked by its rules here; registered and validated: by the route.
      const webhook = fields.webhook || fields.webhookUrl;
      if (webhook) {
        const refused = webhooks ? webhooks.urlRefusal(webhook) : { msg: MSG.mustValidate, detail: 'les webhooks ne sont pas proposés ici.' };
        if (refused) throw withMsg(fieldError(fields.webhook ? 'webhook' : 'webhookUrl', `URL de webhook refusée : ${refused.detail}`), refused.msg);
      }
      const encoding = encodingOf(fields.encoding ?? 'utf8');
      if (!encoding || !iconv.encodingExists(encoding)) throw fieldError('encoding', 'utf8, latin1, win1252 (Windows) ou mac (Mac Roman)');
      const enc = encoding;
      const skipLines = fields.skipLines ? Number(fields.skipLines) : 0;
      if (!Number.isInteger(skipLines) || skipLines < 0 || skipLines > 100) throw fieldError('skipLines', 'entier entre 0 et 100');
      const candidateNumber = fields.candidateNumber ? Number(fields.candidateNumber) : 1;
      if (!Number.isInteger(candidateNumber) || candidateNumber < 1 || candidateNumber > 10) throw fieldError('candidateNumber', 'entier entre 1 et 10');
      const pruneScore = fields.pruneScore ? Number(fields.pruneScore) : DEFAULT_PRUNE_SCORE;
      if (!Number.isFinite(pruneScore) || pruneScore < 0 || pruneScore > 1) throw fieldError('pruneScore', 'nombre entre 0 et 1');
      const dateFormat = (fields.dateFormatA || fields.dateFormat || 'auto').trim();
      if (!(DATE_FORMATS as readonly string[]).includes(dateFormat) && !compileDateFormat(dateFormat))
        throw fieldError(
          fields.dateFormatA ? 'dateFormatA' : 'dateFormat',
          `auto, ou un format de date comme dd/MM/yyyy, yyyy-MM-dd, yyyyMMdd, ddMMyyyy, MM/yyyy`,
        );
      const chunkSize = fields.chunkSize ? Number(fields.chunkSize) : 50;
      if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 10_000) throw fieldError('chunkSize', 'entier entre 1 et 10 000');
      let persistenceMs: number | undefined;
      if (fields.tmpfilePersistence) {
        const n = Number(fields.tmpfilePersistence);
        if (!Number.isFinite(n) || n < 0) throw fieldError('tmpfilePersistence', 'durée de conservation du résultat en millisecondes');
        // As matchID: at least a minute; at most our retention (24 h).
        persistenceMs = Math.min(BULK_RETENTION_MS, Math.max(60_000, Math.round(n)));
      }
      for (const k of ['quote', 'escape'] as const) if (fields[k] && fields[k] !== 'null' && fields[k].length !== 1) throw fieldError(k, 'un seul caractère');
      const compat = Object.fromEntries(MATCHID_COMPAT_OPTIONS.filter((k) => fields[k] !== undefined).map((k) => [k, fields[k]!]));
      // Header from the first 256 KB; the row count by streaming (memory stays bounded whatever the size).
      const info = await ctx.blobs.head(key);
      if (!info) throw fieldError('file', 'fichier CSV manquant (champ file)');
      const first = info.size ? await ctx.blobs.get(key, { range: { start: 0, end: 256 * 1024 - 1 } }) : null;
      const headChunks: Buffer[] = [];
      if (first) for await (const c of first.body as AsyncIterable<Buffer>) headChunks.push(c);
      const lines = iconv
        .decode(Buffer.concat(headChunks), enc)
        .replace(/^\uFEFF/, '')
        .split(/\r\n|\r|\n/);
      const headerLine = lines[skipLines] ?? '';
      let sep = fields.sep;
      if (sep === '\\t' || sep === 'tab') sep = '\t';
      if (!sep) sep = [';', ',', '\t', '|'].map((s) => ({ s, n: headerLine.split(s).length })).sort((a, b) => b.n - a.n)[0]!.s;
      if (sep.length !== 1) throw fieldError('sep', 'un seul caractère (, ; | ou tabulation)');
      const header = (parseHeader(headerLine, sep) ?? []).map((h) => h.trim());
      if (header.length < 1 || !headerLine.trim()) throw fieldError('file', 'fichier vide ou sans ligne d’en-tête');
      const mapping: BulkOptions['mapping'] = {};
      for (const f of PERSON_FIELDS) {
        // A column named as the field maps itself (matchID's default mapping).
        const col = fields[f] ?? (header.includes(f) ? f : undefined);
        if (!col) continue;
        if (!header.includes(col)) throw fieldError(f, `colonne « ${col} » absente du fichier (colonnes : ${header.join(', ')})`);
        mapping[f] = col;
      }
      const ignored = Object.fromEntries(MATCHID_OTHER_FIELDS.filter((k) => fields[k] !== undefined).map((k) => [k, fields[k]!]));
      if (!mapping.lastName && !mapping.firstName && !mapping.legalName)
        throw fieldError('lastName', 'indiquez au moins la colonne du nom (lastName=…) ou du prénom');
      // Lines end with \n, \r\n or a lone \r (old Mac files): a \r not followed by \n counts too.
      let newlines = 0;
      let lastByte = 10;
      let prevCr = false;
      const whole = await ctx.blobs.get(key);
      if (!whole) throw fieldError('file', 'fichier CSV manquant (champ file)');
      for await (const chunk of whole.body as AsyncIterable<Buffer>) {
        for (let i = 0; i < chunk.length; i++) {
          const b = chunk[i];
          if (b === 10) {
            if (!prevCr) newlines++;
            prevCr = false;
          } else if (b === 13) {
            newlines++;
            prevCr = true;
          } else prevCr = false;
        }
        lastByte = chunk[chunk.length - 1] ?? lastByte;
      }
      if (lastByte === 13) lastByte = 10;
      // Data rows: lines after the header (blank lines are skipped by the job; this is the progress total).
      const totalRows = Math.max(0, newlines + (lastByte === 10 ? 0 : 1) - skipLines - 1);
      return {
        dir: path.basename(dir),
        fileName,
        mapping,
        sep,
        encoding: enc,
        skipLines,
        dateFormat,
        candidateNumber,
        pruneScore,
        totalRows,
        header,
        ...(persistenceMs ? { persistenceMs } : {}),
        compat: { ...compat, chunkSize: String(chunkSize) },
        ignored,
        ...(webhook ? { webhook } : {}),
      };
    },
  };
}
export type BulkService = ReturnType<typeof registerBulk>;

function parseHeader(line: string, sep: string): string[] | null {
  const out: string[] = [];
  let cur = '';
  let inQ = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (inQ) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') inQ = false;
      else cur += ch;
    } else if (ch === '"') inQ = true;
    else if (ch === sep) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

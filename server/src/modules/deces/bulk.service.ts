import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse';
import { quoteGuard } from './quote-guard.ts';
import { bulkDateFormats, type BulkResult } from '@patrimoine/contracts/deces';
import { stringify } from 'csv-stringify/sync';
import type { AppContext } from '../../platform/context.ts';
import { fieldError } from '../../platform/errors.ts';
import { csvSafe } from '../../platform/http/common.ts';
import { FileLimitError } from './files.ts';
import type { DecesService } from './deces.service.ts';
import { PERSON_CSV_COLUMNS, toPerson } from './deces.service.ts';
import { PERSON_FIELDS, type PersonField, parseDateQuery } from './request.ts';
import { scoreRecord, type PersonQuery } from './score.ts';
import { firstNameList, lastNameKey, phonetic } from './text.ts';
import type { RecordRow } from './deces.repository.ts';
import type { Db } from '../../db/client.ts';

/**
 * Bulk matching (`POST /search/csv`), a persistent job: the uploaded CSV is read in chunks; each chunk's
 * candidates come from ONE set-based query joining its rows to the records on blocking keys; rows are
 * scored in memory and appended to the result CSV. The checkpoint (rows done, result bytes) lets the job
 * resume after a restart exactly where it stopped.
 */
export const BULK_JOB = 'deces.bulk';
export const BULK_RETENTION_MS = 24 * 3600_000;
const CHUNK = 1000;
const PIPELINE = 2;
/** Default `pruneScore`: on the benchmark, precision ≥ 99.7 % at recall ≥ 97.2 % (1 M records). */
export const DEFAULT_PRUNE_SCORE = 0.6;
export const DATE_FORMATS = bulkDateFormats;

export interface BulkOptions {
  mapping: Partial<Record<PersonField, string>>;
  sep: string;
  encoding: 'utf8' | 'latin1';
  skipLines: number;
  dateFormat: (typeof DATE_FORMATS)[number];
  candidateNumber: number;
  pruneScore: number;
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
}
/** Characters of one CSV record: beyond, the file is not a CSV (or a quote is never closed). */
export const MAX_RECORD_CHARS = 64 * 1024;
const cell = (v: string) => csvSafe(v);
export type { BulkResult };

/** Reads a date cell according to the chosen format, as AAAAMMJJ. */
export function bulkDate(v: string, fmt: BulkOptions['dateFormat']): string | null {
  const d = readDate(v, fmt);
  if (!d) return d;
  const m = Number(d.slice(4, 6));
  const day = Number(d.slice(6, 8));
  return m <= 12 && day <= 31 && !(m === 0 && day > 0) ? d : null;
}

function readDate(v: string, fmt: BulkOptions['dateFormat']): string | null {
  const s = v.trim();
  if (!s) return '';
  let m: RegExpExecArray | null;
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
      if (d === null) throw new Error(`${field} (colonne « ${col} ») : date illisible « ${v.slice(0, 40)} » (format ${o.dateFormat})`);
      if (d) q[field] = { kind: 'exact', value: d };
    } else if (field === 'sex') {
      const s = v.toUpperCase()[0];
      if (s === 'M' || s === 'H' || s === '1') q.sex = 'M';
      else if (s === 'F' || s === '2') q.sex = 'F';
    } else if (field === 'deathAge') {
      const n = Number(v);
      if (Number.isFinite(n)) q.deathAge = { from: n, to: n };
    } else if (field === 'birthLocationCode' || field === 'deathLocationCode' || field === 'birthDepartment' || field === 'deathDepartment') {
      q[field] = v.toUpperCase();
    } else q[field] = v.slice(0, 200);
  }
  if (!q.lastName && !q.firstName && !q.legalName) throw new Error('ni nom ni prénom');
  return q;
}

export function registerBulk(ctx: AppContext, service: DecesService) {
  const root = path.join(ctx.env.dataDir, 'deces', 'bulk');
  const dirOf = (p: BulkPayload) => path.join(root, path.basename(p.dir));

  ctx.jobs.register<BulkPayload, BulkResult, Checkpoint>(BULK_JOB, {
    retentionMs: BULK_RETENTION_MS,
    maxAttempts: 3,
    async cleanup(job) {
      const p = job.payload as BulkPayload;
      fs.rmSync(dirOf(p), { recursive: true, force: true });
    },
    async run({ payload: p, checkpoint, progress, signal }) {
      const dir = dirOf(p);
      const outFile = path.join(dir, 'result.csv');
      const cp: Checkpoint = checkpoint ?? { rows: 0, bytes: 0, matched: 0, errors: [] };
      if (checkpoint) fs.truncateSync(outFile, cp.bytes);
      else {
        const headerRow = [...p.header, 'sourceLineNumber', ...PERSON_CSV_COLUMNS.map((c) => c.header), 'scores'];
        fs.writeFileSync(outFile, stringify([headerRow.map(cell)], { delimiter: p.sep }), { mode: 0o600 });
        cp.bytes = fs.statSync(outFile).size;
      }
      const out = fs.openSync(outFile, 'a');
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
        const guard = quoteGuard(
          (line, excerpt) => addSkip({ line, message: `ligne illisible (guillemet jamais fermé) : ${excerpt}` }),
          p.encoding === 'latin1' ? 'latin1' : 'utf8',
        );
        const parser = fs
          .createReadStream(path.join(dir, 'input.csv'))
          .pipe(guard)
          .pipe(
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
        let chunk: { line: number; cells: string[] }[] = [];
        let seen = 0;
        type Prepared = {
          chunk: typeof chunk;
          queries: { row: number; q: PersonQuery | null; err?: string }[];
          cands: Promise<{ row: number; rec: RecordRow }[]>;
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
                  birthDate: /00$/.test(bd) ? '' : bd,
                  birthYear: bd && !bd.startsWith('0000') ? Number(bd.slice(0, 4)) : null,
                  sex: q.sex ?? '',
                }));
            });
          const cands = service.repo.bulkCandidates(keys);
          cands.catch(() => undefined);
          const prepared = { chunk, queries, cands };
          chunk = [];
          return prepared;
        };
        const finish = async ({ chunk, queries, cands: pending }: Prepared) => {
          const cands = await pending;
          const byRow = new Map<number, RecordRow[]>();
          for (const c of cands) {
            const list = byRow.get(c.row) ?? [];
            if (!list.some((r) => r.id === c.rec.id)) list.push(c.rec);
            byRow.set(c.row, list);
          }
          const lines: string[][] = [];
          for (const x of queries) {
            const src = chunk[x.row]!;
            const input = [...p.header.map((_, j) => src.cells[j] ?? ''), String(src.line)];
            if (!x.q) {
              cp.failed!++;
              if (cp.errors.length < 1000) cp.errors.push({ line: src.line, message: x.err! });
              lines.push([...input, ...PERSON_CSV_COLUMNS.map(() => ''), '']);
              continue;
            }
            const scored = (byRow.get(x.row) ?? [])
              .map((r) => ({ r, s: scoreRecord(x.q!, r) }))
              .filter((m) => m.s.score >= p.pruneScore)
              .sort((a, b) => b.s.score - a.s.score)
              .slice(0, p.candidateNumber);
            if (!scored.length) lines.push([...input, ...PERSON_CSV_COLUMNS.map(() => ''), '']);
            else {
              cp.matched++;
              const b = scored[0]!.s.score >= 0.9 ? '>= 0,9' : scored[0]!.s.score >= 0.7 ? '0,7–0,9' : '< 0,7';
              buckets[b] = (buckets[b] ?? 0) + 1;
              for (const m of scored) {
                const person = toPerson(m.r, m.s);
                lines.push([...input, ...PERSON_CSV_COLUMNS.map((c) => String(c.get(person) ?? '')), JSON.stringify(m.s.scores)]);
              }
            }
          }
          const lastLine = chunk[chunk.length - 1]?.line ?? 0;
          takeSkips(lastLine);
          resumeLine = Math.max(resumeLine, lastLine);
          // Cells echoed from the input (and the registry's values) are neutralised: no formula (OWASP).
          const text = stringify(
            lines.map((l) => l.map(cell)),
            { delimiter: p.sep },
          );
          fs.writeSync(out, text);
          cp.bytes += Buffer.byteLength(text);
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
          chunk.push({ line: rec.info.lines, cells: rec.record });
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
      }
      const rows = cp.rows + cp.skipped;
      return { rows, matched: cp.matched, unmatched: rows - cp.matched - cp.failed, errors: cp.errors, scoreBuckets: buckets };
    },
  });

  return {
    root,
    dirOf,
    /** Serialises the job starts of one user until the transaction ends (one job per user). */
    lockUser: (tx: Db, userId: string) => service.repo.lock(tx, `deces.bulk:${userId}`),
    /**
     * Removes upload directories whose job is gone (results expired and purged by the job runner) or
     * that never became a job; directories younger than an hour are left alone (upload in progress).
     */
    async sweep(now = Date.now()): Promise<number> {
      if (!fs.existsSync(root)) return 0;
      const live = new Set(await service.repo.bulkJobDirs());
      let removed = 0;
      for (const d of fs.readdirSync(root)) {
        const full = path.join(root, d);
        if (live.has(d) || now - fs.statSync(full).mtimeMs < 3600_000) continue;
        fs.rmSync(full, { recursive: true, force: true });
        removed++;
      }
      return removed;
    },
    /** Validates options and the mapping against the file's header (every error names its field). */
    async prepare(dir: string, fileName: string, fields: Record<string, string>): Promise<BulkPayload> {
      const known = new Set<string>([...PERSON_FIELDS, 'sep', 'encoding', 'skipLines', 'dateFormat', 'candidateNumber', 'pruneScore']);
      for (const k of Object.keys(fields)) if (!known.has(k)) throw fieldError(k, `paramètre inconnu « ${k} »`);
      const encoding = (fields.encoding ?? 'utf8').toLowerCase().replace('-', '');
      if (!['utf8', 'latin1', 'iso88591', 'windows1252'].includes(encoding)) throw fieldError('encoding', 'utf8 ou latin1');
      const enc: BulkOptions['encoding'] = encoding === 'utf8' ? 'utf8' : 'latin1';
      const skipLines = fields.skipLines ? Number(fields.skipLines) : 0;
      if (!Number.isInteger(skipLines) || skipLines < 0 || skipLines > 100) throw fieldError('skipLines', 'entier entre 0 et 100');
      const candidateNumber = fields.candidateNumber ? Number(fields.candidateNumber) : 1;
      if (!Number.isInteger(candidateNumber) || candidateNumber < 1 || candidateNumber > 10) throw fieldError('candidateNumber', 'entier entre 1 et 10');
      const pruneScore = fields.pruneScore ? Number(fields.pruneScore) : DEFAULT_PRUNE_SCORE;
      if (!Number.isFinite(pruneScore) || pruneScore < 0 || pruneScore > 1) throw fieldError('pruneScore', 'nombre entre 0 et 1');
      const dateFormat = (fields.dateFormat || 'auto') as BulkOptions['dateFormat'];
      if (!DATE_FORMATS.includes(dateFormat)) throw fieldError('dateFormat', `un de : ${DATE_FORMATS.join(', ')}`);
      // Header from the first 256 KB; the row count by streaming (memory stays bounded whatever the size).
      const file = path.join(dir, 'input.csv');
      const fd = fs.openSync(file, 'r');
      const head = Buffer.alloc(256 * 1024);
      const got = fs.readSync(fd, head, 0, head.length, 0);
      fs.closeSync(fd);
      const lines = head
        .subarray(0, got)
        .toString(enc === 'utf8' ? 'utf8' : 'latin1')
        .replace(/^\uFEFF/, '')
        .split(/\r?\n/);
      const headerLine = lines[skipLines] ?? '';
      let sep = fields.sep;
      if (sep === '\\t' || sep === 'tab') sep = '\t';
      if (!sep) sep = [';', ',', '\t', '|'].map((s) => ({ s, n: headerLine.split(s).length })).sort((a, b) => b.n - a.n)[0]!.s;
      if (sep.length !== 1) throw fieldError('sep', 'un seul caractère (, ; | ou tabulation)');
      const header = (parseHeader(headerLine, sep) ?? []).map((h) => h.trim());
      if (header.length < 1 || !headerLine.trim()) throw fieldError('file', 'fichier vide ou sans ligne d’en-tête');
      const mapping: BulkOptions['mapping'] = {};
      for (const f of PERSON_FIELDS) {
        const col = fields[f];
        if (!col) continue;
        if (!header.includes(col)) throw fieldError(f, `colonne « ${col} » absente du fichier (colonnes : ${header.join(', ')})`);
        mapping[f] = col;
      }
      if (!mapping.lastName && !mapping.firstName && !mapping.legalName)
        throw fieldError('lastName', 'indiquez au moins la colonne du nom (lastName=…) ou du prénom');
      let newlines = 0;
      let lastByte = 10;
      for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
        lastByte = chunk[chunk.length - 1] ?? lastByte;
      }
      // Data rows: lines after the header (blank lines are skipped by the job; this is the progress total).
      const totalRows = Math.max(0, newlines + (lastByte === 10 ? 0 : 1) - skipLines - 1);
      return { dir: path.basename(dir), fileName, mapping, sep, encoding: enc, skipLines, dateFormat, candidateNumber, pruneScore, totalRows, header };
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

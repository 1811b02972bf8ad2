import { stringify } from 'csv-stringify/sync';
import { csvSafe } from '../../platform/http/common.ts';
import type { CandidateRow } from './deces.repository.ts';
import { toPerson } from './deces.service.ts';
import { RESULT_COLUMNS, prettyCell } from './matchid.ts';
import { prepareQuery, scoreRecord, scoreValue, type PersonQuery } from './score.ts';

/**
 * Scoring and writing of one chunk of a bulk job (`bulk.service.ts`), apart from the job's state: a
 * pure function of its input (a worker thread running it was measured and not kept, ADR 0303). The
 * caller appends the texts and applies the counts in input order (the checkpoint stays exact).
 */
export interface ChunkInput {
  header: string[];
  sep: string;
  pruneScore: number;
  candidateNumber: number;
  chunk: { line: number; n: number; cells: string[] }[];
  queries: { row: number; q: PersonQuery | null; err?: string }[];
  cands: { row: number; rec: CandidateRow }[];
}
export interface ChunkOutput {
  /** Result CSV, JSON lines (`GET /search/json/{id}`) and review lines of the chunk. */
  csv: string;
  json: string;
  review: string;
  matched: number;
  /** Rows in error, in input order. */
  errors: { line: number; message: string }[];
  /** Score buckets of the chunk's best candidates. */
  buckets: Record<string, number>;
}

const cell = (v: string) => csvSafe(v);

export function scoreChunk({ header, sep, pruneScore, candidateNumber, chunk, queries, cands }: ChunkInput): ChunkOutput {
  const byRow = new Map<number, CandidateRow[]>();
  for (const c of cands) {
    const list = byRow.get(c.row) ?? [];
    if (!list.some((r) => r.id === c.rec.id)) list.push(c.rec);
    byRow.set(c.row, list);
  }
  const lines: string[][] = [];
  const json: string[] = [];
  const review: string[] = [];
  const errors: ChunkOutput['errors'] = [];
  const buckets: Record<string, number> = {};
  let matched = 0;
  const empty = RESULT_COLUMNS.map(() => '');
  for (const x of queries) {
    const src = chunk[x.row]!;
    // matchID's sourceLineNumber: the data row's rank (1 for the first row after the header).
    const input = [...header.map((_, j) => src.cells[j] ?? ''), String(src.n)];
    const metadata = { source: Object.fromEntries(header.map((h, j) => [h, src.cells[j] ?? ''])), sourceLineNumber: src.n };
    if (!x.q) {
      errors.push({ line: src.line, message: x.err! });
      lines.push([...input, ...empty]);
      json.push(JSON.stringify({ metadata: { ...metadata, error: x.err } }));
      review.push(JSON.stringify({ n: src.n, line: src.line, cells: src.cells, error: x.err, candidates: [] }));
      continue;
    }
    // Every candidate is scored without explanations (and those that cannot reach pruneScore
    // without comparing places); only the candidates returned are explained.
    const pq = prepareQuery(x.q);
    const kept: { r: CandidateRow; v: number }[] = [];
    for (const r of byRow.get(x.row) ?? []) {
      const v = scoreValue(pq, r, pruneScore);
      if (v !== null && v >= pruneScore) kept.push({ r, v });
    }
    const scored = kept
      .sort((a, b) => b.v - a.v)
      .slice(0, candidateNumber)
      .map((m) => ({ r: m.r, s: scoreRecord(pq, m.r) }));
    const candidates: unknown[] = [];
    if (!scored.length) {
      lines.push([...input, ...empty]);
      json.push(JSON.stringify({ metadata }));
    } else {
      matched++;
      const b = scored[0]!.s.score >= 0.9 ? '>= 0,9' : scored[0]!.s.score >= 0.7 ? '0,7–0,9' : '< 0,7';
      buckets[b] = (buckets[b] ?? 0) + 1;
      for (const m of scored) {
        const person = toPerson(m.r, m.s);
        lines.push([...input, ...RESULT_COLUMNS.map((c) => prettyCell(c.get(person)))]);
        const { reasons: _r, flags: _f, ...rest } = person;
        json.push(JSON.stringify({ ...rest, metadata }));
        const { flags: _g, modifications: _m, ...shown } = person;
        candidates.push(shown);
      }
    }
    review.push(JSON.stringify({ n: src.n, line: src.line, cells: src.cells, candidates }));
  }
  // Cells echoed from the input (and the registry's values) are neutralised: no formula (OWASP).
  const csv = stringify(
    lines.map((l) => l.map(cell)),
    { delimiter: sep },
  );
  return {
    csv,
    json: json.length ? json.join('\n') + '\n' : '',
    review: review.length ? review.join('\n') + '\n' : '',
    matched,
    errors,
    buckets,
  };
}

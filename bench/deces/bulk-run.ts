/**
 * One bulk matching run through `POST /search/csv` (end to end: upload, job pick-up, matching), then
 * precision / recall against the queries' truth, by threshold and by injected error. Shared by
 * `deces.bench.ts` (fresh database) and `bulk-profile.ts` (a persistent one).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { parse as parseCsv } from 'csv-parse/sync';
import type { JobsService } from '../../server/src/platform/jobs/jobs.service.ts';
import type { BlobStore } from '../../server/src/platform/blob/index.ts';
import type { BenchQuery } from './noise.ts';

export const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
export const line = (label: string, value: string, target?: string, ok?: boolean) =>
  console.log(`${label.padEnd(34)} ${value.padStart(16)}${target ? `   target ${target}${ok === undefined ? '' : ok ? '  ✔' : '  ✘'}` : ''}`);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export function memorySampler() {
  let peak = 0;
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  return {
    stop() {
      clearInterval(t);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

export interface BulkFigures {
  rowsPerSecond: number;
  precision: number;
  recall: number;
  f1: number;
}

export async function bulkRun(
  app: FastifyInstance,
  jobs: JobsService,
  token: string,
  label: string,
  queries: BenchQuery[],
  blobs?: BlobStore,
): Promise<BulkFigures> {
  line(
    `load average before (${label})`,
    os
      .loadavg()
      .map((x) => fmt(x, 1))
      .join(' '),
  );
  const csv = [
    'nom;prenom;naissance;lieu;sexe;verite',
    ...queries.map((q: BenchQuery) => [q.lastName, q.firstName, q.birthDate, q.birthCity, q.sex, q.truth ?? ''].map((x) => x.replace(/;/g, ' ')).join(';')),
  ].join('\n');
  const boundary = '----bench';
  const fields: Record<string, string> = {
    lastName: 'nom',
    firstName: 'prenom',
    birthDate: 'naissance',
    birthCity: 'lieu',
    sex: 'sexe',
    dateFormat: 'DD/MM/YYYY',
    ...(process.env.DECES_BENCH_PRUNE ? { pruneScore: process.env.DECES_BENCH_PRUNE } : {}),
    // More than one candidate per row is for the analysis of the saved review lines (DECES_BENCH_SAVE_DIR):
    // the precision and recall printed below then count only each row's first line.
    ...(process.env.DECES_BENCH_CANDIDATES ? { candidateNumber: process.env.DECES_BENCH_CANDIDATES } : {}),
  };
  const body =
    Object.entries(fields)
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('') +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`;
  const bulkMem = memorySampler();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const res = await app.inject({
    method: 'POST',
    url: '/deces/api/v1/search/csv',
    payload: body,
    headers: { ...bearer(token), 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  if (res.statusCode !== 200) throw new Error(`bulk refused: ${res.body}`);
  const { id } = res.json() as { id: string };
  const job = await jobs.waitFor(id, 3_600_000);
  const bulkS = (performance.now() - t0) / 1000;
  const bulkPeak = bulkMem.stop();
  const cpu = process.cpuUsage(cpu0);
  if (job.state !== 'succeeded') throw new Error(`bulk ${job.state}: ${job.error}`);
  line(`bulk rows (${label})`, fmt(queries.length));
  line(`bulk throughput (${label}), end to end incl. job pick-up`, `${fmt(queries.length / bulkS)} rows/s`, '≥ 3,000 rows/s', queries.length / bulkS >= 3000);
  // This process's CPU time (the database's apart): less sensitive than wall-clock time to a loaded machine.
  line(
    `Node CPU (${label})`,
    `${fmt((cpu.user + cpu.system) / 1000 / queries.length, 3)} ms/row`,
    `→ ${fmt(queries.length / ((cpu.user + cpu.system) / 1e6))} rows per CPU second`,
  );
  line('peak RSS during bulk', `${fmt(bulkPeak / 1048576)} MB`);
  const out = await app.inject({ url: `/deces/api/v1/search/csv/${id}`, headers: bearer(token) });
  // The result file, to compare two versions' outputs byte for byte (`cmp`): same matches, same scores.
  if (process.env.DECES_BENCH_SAVE_DIR) {
    fs.mkdirSync(process.env.DECES_BENCH_SAVE_DIR, { recursive: true });
    const base = path.join(process.env.DECES_BENCH_SAVE_DIR, label.replace(/[^A-Za-z0-9]+/g, '-'));
    fs.writeFileSync(`${base}.csv`, out.body);
    fs.writeFileSync(`${base}.json`, (await app.inject({ url: `/deces/api/v1/search/json/${id}`, headers: bearer(token) })).body);
    const dir = (job.payload as { dir?: string } | undefined)?.dir;
    const blob = dir ? await blobs?.get(`deces/bulk/${dir}/review.ndjson`) : null;
    if (blob) {
      const parts: Buffer[] = [];
      for await (const c of blob.body as AsyncIterable<Buffer>) parts.push(c);
      fs.writeFileSync(`${base}.review.ndjson`, Buffer.concat(parts));
    }
  }
  const all = parseCsv(out.body, { delimiter: ';', relax_column_count: true }) as string[][];
  const h = all[0]!;
  const col = (name: string) => h.indexOf(name);
  const [cTruth, cLine, cScore, cId, cLast, cFirst, cBirth] = ['verite', 'sourceLineNumber', 'score', 'id', 'name.last', 'name.first', 'birth.date'].map(
    col,
  ) as number[];
  // A row's best candidate is its first line (more lines with DECES_BENCH_CANDIDATES > 1).
  const rows = all.slice(1).filter((r, i, a) => i === 0 || r[cLine!] !== a[i - 1]![cLine!]);
  let tp = 0;
  let fp = 0;
  let present = 0;
  const misses: Record<string, number> = {};
  const wrong: string[] = [];
  const missed: string[] = [];
  for (const r of rows) {
    const truth = r[cTruth!] || null;
    const got = r[cId!] || null;
    if (truth) present++;
    if (got && got === truth) tp++;
    else if (got) {
      fp++;
      if (wrong.length < 5)
        wrong.push(`${r.slice(0, 5).join(' ')} → ${r[cLast!]} ${r[cFirst!]} ${r[cBirth!]} (score ${r[cScore!]}, truth ${truth ?? 'alive'})`);
    } else if (truth) {
      const q = queries[Number(r[cLine!]) - 1];
      for (const n of q?.noise.length ? q.noise : ['none']) misses[n] = (misses[n] ?? 0) + 1;
      if (missed.length < Number(process.env.DECES_BENCH_SHOW_MISSES ?? 0)) missed.push(`${r.slice(0, 6).join(' ')} [${q?.noise.join(', ')}]`);
    }
  }
  // Precision / recall if the bulk had kept only best candidates at or above a threshold.
  const best = rows.map((r) => ({ truth: r[cTruth!] || null, got: r[cId!] || null, score: Number(r[cScore!] || 0) }));
  const curve = [0.5, 0.6, 0.65, 0.7, 0.75, 0.8].map((th) => {
    const kept = best.filter((b) => b.got && b.score >= th);
    const ok = kept.filter((b) => b.got === b.truth).length;
    return `${th}: P ${fmt((ok / Math.max(1, kept.length)) * 100, 2)} % R ${fmt((ok / Math.max(1, present)) * 100, 2)} %`;
  });
  const precision = tp / Math.max(1, tp + fp);
  const recall = tp / Math.max(1, present);
  line(`precision (${label})`, `${fmt(precision * 100, 2)} %`, '≥ 99.5 %', precision >= 0.995);
  line(`recall (${label})`, `${fmt(recall * 100, 2)} %`, '≥ 97 %', recall >= 0.97);
  line(`F1 (${label})`, `${fmt(((2 * precision * recall) / Math.max(1e-9, precision + recall)) * 100, 2)} %`);
  console.log(`\nby threshold: ${curve.join(' | ')}`);
  console.log(`missed matches by injected error: ${JSON.stringify(misses)}`);
  if (missed.length) console.log(`examples of missed matches:\n  ${missed.join('\n  ')}`);
  if (wrong.length) console.log(`examples of wrong matches:\n  ${wrong.join('\n  ')}`);
  return { rowsPerSecond: queries.length / bulkS, precision, recall, f1: (2 * precision * recall) / Math.max(1e-9, precision + recall) };
}

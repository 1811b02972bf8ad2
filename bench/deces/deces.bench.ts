/**
 * Deaths-records benchmark: import, search latency under load, bulk matching throughput, memory, and
 * matching quality (precision / recall) on synthetic data with realistic errors. Prints figures
 * against the targets of issue 5; asserts nothing. Stops by itself and drops its database.
 *
 *   DATABASE_URL=postgres://root@127.0.0.1:5432/test npm run bench:deces      # 1,000,000 records on PostgreSQL
 *   npm run bench:deces                                                         # 100,000 records on PGlite
 * Options: DECES_BENCH_COUNT (records), DECES_BENCH_QUERIES (bulk rows), DECES_BENCH_RPS, DECES_BENCH_SECONDS,
 * DECES_BENCH_FILE (reuse a generated file of DECES_BENCH_COUNT records, seed 1), DECES_BENCH_PRUNE (bulk pruneScore).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeSyntheticFile } from '../../server/src/modules/deces/index.ts';
import { importFile } from '../../server/src/modules/deces/import.service.ts';
import { SYSTEM } from '../../server/src/platform/auth/principal.ts';
import { benchQueries, benchQueriesB, type BenchQuery } from './noise.ts';
import { parse as parseCsv } from 'csv-parse/sync';

const pg = !!process.env.DATABASE_URL;
if (pg) process.env.PATRIMOINE_TEST_DB = 'postgres';
const COUNT = Number(process.env.DECES_BENCH_COUNT ?? (pg ? 1_000_000 : 100_000));
const QUERIES = Number(process.env.DECES_BENCH_QUERIES ?? (pg ? 20_000 : 5_000));
const RPS = Number(process.env.DECES_BENCH_RPS ?? 50);
const SECONDS = Number(process.env.DECES_BENCH_SECONDS ?? 20);
const SEED = 1;

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const line = (label: string, value: string, target?: string, ok?: boolean) =>
  console.log(`${label.padEnd(34)} ${value.padStart(16)}${target ? `   target ${target}${ok === undefined ? '' : ok ? '  ✔' : '  ✘'}` : ''}`);

function memorySampler() {
  let peak = 0;
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  return {
    stop() {
      clearInterval(t);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

function percentile(xs: number[], p: number) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

async function main() {
  const { createTestPlatform, bearer } = await import('../../server/test/harness.ts');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deces-bench-'));
  console.log(`deces benchmark — ${fmt(COUNT)} records on ${pg ? 'PostgreSQL' : 'PGlite'}, ${os.cpus().length} CPU(s), Node ${process.version}\n`);
  // DECES_BENCH_FILE: reuse a file made by `patrimoine deces generate --count COUNT --seed 1`.
  const file = process.env.DECES_BENCH_FILE ?? path.join(tmp, 'deces-bench.txt.gz');
  let t0 = performance.now();
  if (!process.env.DECES_BENCH_FILE) {
    await writeSyntheticFile(file, COUNT, SEED);
    line('generate (gzip)', `${fmt((performance.now() - t0) / 1000, 1)} s`);
  }

  const t = await createTestPlatform({ startJobs: true, env: { PATRIMOINE_UPLOAD_LIMIT: String(200 * 1024 * 1024) } });
  try {
    // 1. Import
    const mem = memorySampler();
    t0 = performance.now();
    const rep = await importFile(t.ctx, file, { caller: SYSTEM, actor: { id: null, label: 'bench' } });
    const importS = (performance.now() - t0) / 1000;
    const importPeak = mem.stop();
    line('import', `${fmt(importS, 1)} s`, pg ? '< 60 s' : undefined, pg ? importS < 60 : undefined);
    line('import rate', `${fmt(rep.lines / importS)} rec/s`);
    line('records inserted', fmt(rep.inserted));
    line('peak RSS during import', `${fmt(importPeak / 1048576)} MB`, 'bounded (independent of file size)');

    // Maintenance after a bulk load, as autovacuum would do it (hint bits, visibility map, statistics);
    // timed apart so that it does not run during the latency measurement.
    if (pg) {
      t0 = performance.now();
      await t.ctx.database.exec('VACUUM (ANALYZE) deces_records');
      line('VACUUM ANALYZE after import', `${fmt((performance.now() - t0) / 1000, 1)} s`);
    }

    // 2. Search latency at a fixed request rate (open loop), through HTTP.
    const queries = benchQueries(COUNT, SEED, QUERIES);
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    // Warm-up (JIT, connection pool, database cache), not measured.
    for (const q of queries.slice(0, 200))
      await (await fetch(`${address}/deces/api/v1/search?${new URLSearchParams({ lastName: q.lastName, firstName: q.firstName })}`)).arrayBuffer();
    line('machine load average (1 min)', fmt(os.loadavg()[0]!, 1));
    const total = RPS * SECONDS;
    const lat: number[] = [];
    let errors = 0;
    const start = performance.now();
    const pending: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / RPS;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const q = queries[i % queries.length]!;
      const params = new URLSearchParams({
        lastName: q.lastName,
        firstName: q.firstName,
        ...(q.birthDate ? { birthDate: q.birthDate } : {}),
        ...(q.birthCity ? { birthCity: q.birthCity } : {}),
      });
      pending.push(
        (async () => {
          const s = performance.now();
          const r = await fetch(`${address}/deces/api/v1/search?${params}`);
          await r.arrayBuffer();
          if (!r.ok) errors++;
          lat.push(performance.now() - s);
        })(),
      );
    }
    await Promise.all(pending);
    const p95 = percentile(lat, 95);
    line(`search p50 @ ${RPS} req/s`, `${fmt(percentile(lat, 50), 1)} ms`);
    line(`search p95 @ ${RPS} req/s`, `${fmt(p95, 1)} ms`, '< 50 ms', p95 < 50);
    line(`search p99 @ ${RPS} req/s`, `${fmt(percentile(lat, 99), 1)} ms`);
    line('search errors', `${errors} / ${total}`);

    // 3. Bulk matching throughput and quality, on two independent noise models.
    const bulkRun = async (label: string, queries: BenchQuery[]) => {
      const csv = [
        'nom;prenom;naissance;lieu;sexe;verite',
        ...queries.map((q: BenchQuery) => [q.lastName, q.firstName, q.birthDate, q.birthCity, q.sex, q.truth ?? ''].map((x) => x.replace(/;/g, ' ')).join(';')),
      ].join('\n');
      const user = await t.tokenFor('reader');
      const boundary = '----bench';
      const fields: Record<string, string> = {
        lastName: 'nom',
        firstName: 'prenom',
        birthDate: 'naissance',
        birthCity: 'lieu',
        sex: 'sexe',
        dateFormat: 'DD/MM/YYYY',
        ...(process.env.DECES_BENCH_PRUNE ? { pruneScore: process.env.DECES_BENCH_PRUNE } : {}),
      };
      const body =
        Object.entries(fields)
          .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
          .join('') +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`;
      const bulkMem = memorySampler();
      t0 = performance.now();
      const res = await t.app.inject({
        method: 'POST',
        url: '/deces/api/v1/search/csv',
        payload: body,
        headers: { ...bearer(user.token), 'content-type': `multipart/form-data; boundary=${boundary}` },
      });
      if (res.statusCode !== 200) throw new Error(`bulk refused: ${res.body}`);
      const { id } = res.json() as { id: string };
      const job = await t.ctx.jobs.waitFor(id, 3_600_000);
      const bulkS = (performance.now() - t0) / 1000;
      const bulkPeak = bulkMem.stop();
      if (job.state !== 'succeeded') throw new Error(`bulk ${job.state}: ${job.error}`);
      line(`bulk rows (${label})`, fmt(queries.length));
      line(
        `bulk throughput (${label}), end to end incl. job pick-up`,
        `${fmt(queries.length / bulkS)} rows/s`,
        '≥ 3,000 rows/s',
        queries.length / bulkS >= 3000,
      );
      line('peak RSS during bulk', `${fmt(bulkPeak / 1048576)} MB`);
      const out = await t.app.inject({ url: `/deces/api/v1/search/csv/${id}`, headers: bearer(user.token) });
      const all = parseCsv(out.body, { delimiter: ';', relax_column_count: true }) as string[][];
      const h = all[0]!;
      const col = (name: string) => h.indexOf(name);
      const [cTruth, cLine, cScore, cId, cLast, cFirst, cBirth] = ['verite', 'sourceLineNumber', 'score', 'id', 'name.last', 'name.first', 'birth.date'].map(
        col,
      ) as number[];
      const rows = all.slice(1);
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
    };
    await bulkRun('model A', queries);
    await bulkRun('model B', benchQueriesB(COUNT, 1, QUERIES));
  } finally {
    await t.teardown();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

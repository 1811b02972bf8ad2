/**
 * Deaths-records benchmark: import, search latency under load, bulk matching throughput, memory, and
 * matching quality (precision / recall) on synthetic data with realistic errors. Prints figures
 * against the targets of issue 5; asserts nothing. Stops by itself and drops its database.
 *
 *   DATABASE_URL=postgres://root@127.0.0.1:5432/test npm run bench:deces      # 1,000,000 records on PostgreSQL
 *   npm run bench:deces                                                         # 100,000 records on PGlite
 * Options: DECES_BENCH_COUNT (records), DECES_BENCH_QUERIES (bulk rows), DECES_BENCH_RPS, DECES_BENCH_SECONDS,
 * DECES_BENCH_FILE (reuse a generated file of DECES_BENCH_COUNT records, seed 1), DECES_BENCH_PRUNE (bulk pruneScore),
 * DECES_BENCH_MODELS (bulk runs: `A,B,small`), DECES_BENCH_SHOW_MISSES (examples of missed matches),
 * DECES_BENCH_SAVE_DIR (result CSV, JSON and review lines of each run), DECES_BENCH_CANDIDATES (candidates per row).
 * `bulk-profile.ts` repeats the bulk runs on a persistent database (no import each time).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeSyntheticFile } from '../../server/src/modules/deces/index.ts';
import { importFile } from '../../server/src/modules/deces/import.service.ts';
import { SYSTEM } from '../../server/src/platform/auth/principal.ts';
import { benchQueries, benchQueriesB } from './noise.ts';
import { bulkRun, fmt, line, memorySampler } from './bulk-run.ts';

const pg = !!process.env.DATABASE_URL;
if (pg) process.env.PATRIMOINE_TEST_DB = 'postgres';
const COUNT = Number(process.env.DECES_BENCH_COUNT ?? (pg ? 1_000_000 : 100_000));
const QUERIES = Number(process.env.DECES_BENCH_QUERIES ?? (pg ? 20_000 : 5_000));
const RPS = Number(process.env.DECES_BENCH_RPS ?? 50);
const SECONDS = Number(process.env.DECES_BENCH_SECONDS ?? 20);
const MODELS = (process.env.DECES_BENCH_MODELS ?? 'A,B').split(',');
const SEED = 1;

function percentile(xs: number[], p: number) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

async function main() {
  const { createTestPlatform } = await import('../../server/test/harness.ts');
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
    const user = await t.tokenFor('reader');
    if (MODELS.includes('A')) await bulkRun(t.app, t.ctx.jobs, user.token, 'model A', queries);
    if (MODELS.includes('B')) await bulkRun(t.app, t.ctx.jobs, user.token, 'model B', benchQueriesB(COUNT, 1, QUERIES));
    // Issue 17: a 3,000-row file done in under 3 s, job pick-up included.
    if (MODELS.includes('small')) await bulkRun(t.app, t.ctx.jobs, user.token, '3,000 rows', benchQueriesB(COUNT, 1, 2_700));
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

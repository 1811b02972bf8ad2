/**
 * Sequential search profile on a persistent database (no load): time per search, candidates read.
 *   DATABASE_URL=postgres://…/deces_prof npx tsx bench/deces/search-profile.ts [count]
 * The database must hold the benchmark file (`patrimoine deces generate --count 1000000 --seed 1` + import).
 */
import { loadEnv } from '../../server/src/env.ts';
import { createContext } from '../../server/src/platform/bootstrap.ts';
import { moduleFactories } from '../../server/src/modules/index.ts';
import { parseSearchRequest } from '../../server/src/modules/deces/request.ts';
import type { DecesService } from '../../server/src/modules/deces/deces.service.ts';
import { benchQueries } from './noise.ts';

const COUNT = Number(process.env.DECES_BENCH_COUNT ?? 1_000_000);
const n = Number(process.argv[2] ?? 300);
const env = { ...loadEnv(), LOG_LEVEL: 'warn' as const, PATRIMOINE_ROLE: 'api' as const };
const p = await createContext(env, moduleFactories);
const service = (p.services as { deces: DecesService }).deces;
const queries = benchQueries(COUNT, 1, n);
const times: number[] = [];
const slow: { ms: number; q: string }[] = [];
let cands = 0;
for (const q of queries) {
  const req = parseSearchRequest({
    lastName: q.lastName,
    firstName: q.firstName,
    ...(q.birthDate ? { birthDate: q.birthDate } : {}),
    ...(q.birthCity ? { birthCity: q.birthCity } : {}),
  });
  const t0 = performance.now();
  const r = await service.search(req);
  times.push(performance.now() - t0);
  slow.push({ ms: performance.now() - t0, q: `${q.lastName} | ${q.firstName} | ${q.birthDate} | ${q.birthCity} (${q.noise.join(', ')}) → ${r.total}` });
  cands += r.total;
}
times.sort((a, b) => a - b);
console.log(
  `searches ${times.length}: p50 ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms, p95 ${times[Math.floor(times.length * 0.95)]!.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms, mean results ${(cands / times.length).toFixed(1)}`,
);
console.log(
  slow
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 8)
    .map((x) => `${x.ms.toFixed(0)} ms  ${x.q}`)
    .join('\n'),
);
await p.close();

/**
 * Sequential HTTP search profile: latency and Node CPU per request (server and client in this process).
 *   DATABASE_URL=postgres://…/deces_prof npx tsx bench/deces/http-profile.ts [count]
 */
import { loadEnv } from '../../server/src/env.ts';
import { createContext } from '../../server/src/platform/bootstrap.ts';
import { moduleFactories } from '../../server/src/modules/index.ts';
import { buildApp } from '../../server/src/app.ts';
import { benchQueries } from './noise.ts';

const n = Number(process.argv[2] ?? 300);
const env = { ...loadEnv(), LOG_LEVEL: 'warn' as const, PATRIMOINE_ROLE: 'api' as const };
const platform = await createContext(env, moduleFactories);
const app = await buildApp(platform, { logger: false });
const address = await app.listen({ port: 0, host: '127.0.0.1' });
const queries = benchQueries(Number(process.env.DECES_BENCH_COUNT ?? 1_000_000), 1, n);
const run = async (qs: typeof queries) => {
  const lat: number[] = [];
  for (const q of qs) {
    const params = new URLSearchParams({
      lastName: q.lastName,
      firstName: q.firstName,
      ...(q.birthDate ? { birthDate: q.birthDate } : {}),
      ...(q.birthCity ? { birthCity: q.birthCity } : {}),
    });
    const t0 = performance.now();
    await (await fetch(`${address}/deces/api/v1/search?${params}`)).arrayBuffer();
    lat.push(performance.now() - t0);
  }
  return lat.sort((a, b) => a - b);
};
await run(queries.slice(0, 50));
const cpu0 = process.cpuUsage();
const lat = await run(queries);
const cpu = process.cpuUsage(cpu0);
console.log(
  `HTTP searches ${lat.length}: p50 ${lat[Math.floor(lat.length / 2)]!.toFixed(1)} ms, p95 ${lat[Math.floor(lat.length * 0.95)]!.toFixed(1)} ms; Node CPU ${((cpu.user + cpu.system) / 1000 / lat.length).toFixed(2)} ms per request`,
);
// Open loop at RPS requests/s for SECONDS (DECES_BENCH_RPS, DECES_BENCH_SECONDS): latency under a fixed rate.
const rps = Number(process.env.DECES_BENCH_RPS ?? 50);
const total = rps * Number(process.env.DECES_BENCH_SECONDS ?? 20);
const open: number[] = [];
const start = performance.now();
const pending: Promise<void>[] = [];
for (let i = 0; i < total; i++) {
  const wait = start + (i * 1000) / rps - performance.now();
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
      const t0 = performance.now();
      await (await fetch(`${address}/deces/api/v1/search?${params}`)).arrayBuffer();
      open.push(performance.now() - t0);
    })(),
  );
}
await Promise.all(pending);
open.sort((a, b) => a - b);
console.log(
  `open loop ${rps} req/s × ${total / rps} s: p50 ${open[Math.floor(open.length / 2)]!.toFixed(1)} ms, p95 ${open[Math.floor(open.length * 0.95)]!.toFixed(1)} ms, p99 ${open[Math.floor(open.length * 0.99)]!.toFixed(1)} ms (load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)})`,
);
await app.close();
await platform.close();

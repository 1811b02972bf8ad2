// Platform benchmark: request overhead of the HTTP platform (ids, headers, access rules, problem+json)
// and the cost of authentication. Prints figures against targets; never fails on time.
//   npm run bench:platform                 (PGlite)
//   DATABASE_URL=postgres://… npm run bench:platform
import autocannon from 'autocannon';
import type { AddressInfo } from 'node:net';

// The harness picks its engine when it is loaded: decide before importing it.
if (process.env.DATABASE_URL) process.env.PATRIMOINE_TEST_DB = 'postgres';
const { createTestDatabase, testEnv } = await import('../../server/test/harness.ts');
const { createContext } = await import('../../server/src/platform/bootstrap.ts');
const { moduleFactories } = await import('../../server/src/modules/index.ts');
const { buildApp } = await import('../../server/src/app.ts');
const { seedOrganisations } = await import('../../server/src/platform/seed.ts');
const { hashPassword, verifyPassword } = await import('../../server/src/platform/auth/password.ts');

const DURATION = Number(process.env.BENCH_SECONDS ?? 5);

function row(name: string, value: string, target: string, ok: boolean) {
  console.log(`${ok ? '✔' : '✘'} ${name.padEnd(46)} ${value.padEnd(30)} target ${target}`);
}

async function load(url: string, headers: Record<string, string> = {}, connections = 20) {
  const r = await autocannon({ url, connections, duration: DURATION, headers });
  return { rps: r.requests.average, p50: r.latency.p50, p97: r.latency.p97_5, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

async function main() {
  const tdb = await createTestDatabase();
  const env = testEnv({ LOG_LEVEL: 'silent', PATRIMOINE_SCRYPT_N: '131072', REDIS_URL: '' });
  const platform = await createContext(env, moduleFactories, { database: tdb.database, migrate: false });
  await seedOrganisations(platform.ctx);
  const app = await buildApp(platform, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const { user } = await platform.ctx.users.create(
    { login: 'bench', displayName: 'Bench', role: 'admin', organisationCode: 'DNUM', password: 'correct horse battery staple' },
    { id: null, label: 'bench' },
  );
  const { token } = await platform.ctx.auth.createToken(user.id, 'bench', null, { id: null, label: 'bench' });
  console.log(`Platform benchmark on ${tdb.database.kind}, ${DURATION} s per scenario, 20 connections\n`);
  const mem0 = process.memoryUsage().rss;

  const health = await load(`${base}/api/health`);
  row('GET /api/health (no auth)', `${Math.round(health.rps)} req/s, p99 ${health.p99} ms`, '≥ 5,000 req/s', health.rps >= 5000);
  const notFound = await load(`${base}/api/nope`);
  row('404 problem+json', `${Math.round(notFound.rps)} req/s, p99 ${notFound.p99} ms`, '≥ 5,000 req/s', notFound.rps >= 5000);
  const authed = await load(`${base}/api/account/tokens`, { authorization: `Bearer ${token}` });
  row(
    'GET with bearer token (token + user lookup)',
    `p50 ${authed.p50} ms, p97.5 ${authed.p97} ms, ${Math.round(authed.rps)} req/s`,
    'p97.5 < 20 ms',
    authed.p97 < 20,
  );
  const admin = await load(`${base}/api/admin/audit?pageSize=50`, { authorization: `Bearer ${token}` }, 10);
  row('GET /api/admin/audit page of 50', `p50 ${admin.p50} ms, p97.5 ${admin.p97} ms`, 'p97.5 < 50 ms', admin.p97 < 50);

  // Password hashing: OWASP cost, measured sequentially (it runs on libuv's thread pool).
  const h = await hashPassword('bench password 2026');
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    await verifyPassword('bench password 2026', h);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  row(
    'scrypt verify (N=2^17, r=8)',
    `p50 ${times[5]!.toFixed(0)} ms, max ${times[9]!.toFixed(0)} ms`,
    '100–1,000 ms (deliberately slow)',
    times[5]! > 50 && times[5]! < 1000,
  );
  const mem1 = process.memoryUsage().rss;
  // PGlite's WASM heap and one 128 MB scrypt buffer per concurrent login are the bulk of it.
  row('RSS after the run', `${Math.round(mem1 / 1e6)} MB (+${Math.round((mem1 - mem0) / 1e6)} MB)`, '< 800 MB', mem1 < 800e6);
  const errors = health.errors + authed.errors + admin.errors;
  if (errors) console.log(`\n${errors} non-2xx responses or errors during the run.`);
  await app.close();
  await platform.close();
  await tdb.drop();
}

await main();

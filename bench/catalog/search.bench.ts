// Catalogue benchmark: search latency (French full text + trigram typo tolerance + facets) on a
// generated catalogue of realistic assets. Prints figures against the target; never fails on time.
//   DATABASE_URL=postgres://root@127.0.0.1:5432/test npm run bench:catalog   (PostgreSQL, 100,000 assets: the target)
//   npm run bench:catalog                                        (embedded PGlite, 10,000 assets by default)
//   BENCH_ASSETS=20000 BENCH_QUERIES=300 BENCH_VERBOSE=1 npm run bench:catalog
//   BENCH_DB_URL=postgres://…/patrimoine_t_… npm run bench:catalog   (reuses a database loaded with BENCH_KEEP=1:
//     migrates it, skips the load and the write path, keeps it; for iterating on the search)
import { sql } from 'drizzle-orm';
import type { AssetKind, Lifecycle, Openness } from '@patrimoine/contracts/catalog';
import { generateAsset, queries as baseQueries, relaxedQueries, rng } from './generator.ts';

if (process.env.DATABASE_URL) process.env.PATRIMOINE_TEST_DB = 'postgres';
const { createTestDatabase, testEnv } = await import('../../server/test/harness.ts');
const { createContext } = await import('../../server/src/platform/bootstrap.ts');
const { moduleFactories } = await import('../../server/src/modules/index.ts');
const { buildApp } = await import('../../server/src/app.ts');
const { seedOrganisations } = await import('../../server/src/platform/seed.ts');
const { catalogAssets } = await import('../../server/src/modules/catalog/catalog.table.ts');
const { completeness } = await import('../../server/src/modules/catalog/catalog.completeness.ts');
const { createCatalogService } = await import('../../server/src/modules/catalog/catalog.service.ts');
const { ANONYMOUS, SYSTEM, principalOfUser } = await import('../../server/src/platform/auth/principal.ts');

// PGlite (single-threaded WASM) is the development engine: smaller defaults keep the run short.
const REUSE = process.env.BENCH_DB_URL;
// A reused database is a PostgreSQL one: the PostgreSQL defaults apply (its size is read from it below).
const onPostgres = !!(process.env.DATABASE_URL || REUSE);
const N = Number(process.env.BENCH_ASSETS ?? (onPostgres ? 100_000 : 10_000));
// Every scenario mixes the usual queries with those that need relaxed matching (issue 11).
const queries = [...baseQueries, ...relaxedQueries];
const Q = Number(process.env.BENCH_QUERIES ?? (onPostgres ? 210 : 70));
const LOAD_ONLY = !!process.env.BENCH_LOAD_ONLY;

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const mb = (b: number) => `${Math.round(b / 1024 / 1024)} MB`;

function row(name: string, xs: number[], target?: number) {
  xs.sort((a, b) => a - b);
  const p95 = pct(xs, 95);
  const mark = target === undefined ? ' ' : p95 < target ? '✔' : '✘';
  console.log(
    `${mark} ${name.padEnd(52)} p50 ${pct(xs, 50).toFixed(1).padStart(6)} ms  p95 ${p95.toFixed(1).padStart(6)} ms  p99 ${pct(xs, 99).toFixed(1).padStart(6)} ms${target ? `   target p95 < ${target} ms` : ''}`,
  );
}

/** A database loaded by an earlier run (BENCH_KEEP=1), brought to the current migrations; never dropped. */
async function reuseDatabase(url: string) {
  const { openDatabase } = await import('../../server/src/db/client.ts');
  const { runMigrations } = await import('../../server/src/db/migrate.ts');
  const database = await openDatabase({ url, poolSize: 5 });
  const t = performance.now();
  const applied = await runMigrations(database);
  if (applied) console.log(`  ${applied} migration(s) applied to the reused database in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return { database, url, drop: async () => {} };
}

async function main() {
  const tdb = REUSE ? await reuseDatabase(REUSE) : await createTestDatabase();
  const env = testEnv({ LOG_LEVEL: 'silent', REDIS_URL: '' });
  const platform = await createContext(env, moduleFactories, { database: tdb.database, migrate: false });
  try {
    await seedOrganisations(platform.ctx);
    const db = platform.ctx.db;
    const orgs = await platform.ctx.organisations.list();
    // A reused database says how many assets it holds.
    const held = REUSE
      ? Number(((await db.execute(sql`select count(*)::int as n from catalog_assets`)) as unknown as { rows: { n: number }[] }).rows[0]?.n ?? 0)
      : N;
    console.log(
      `Catalogue benchmark on ${tdb.database.kind}: ${held.toLocaleString('fr-FR')} assets${REUSE ? ' (reused database)' : ''}, ${Q} queries per scenario`,
    );
    const mem0 = process.memoryUsage().rss;

    // Generation and bulk load (straight into the table: the per-asset write path is measured below).
    const r = rng(42);
    let t0 = performance.now();
    const BATCH = 1000;
    for (let i = 0; i < (REUSE ? 0 : N); i += BATCH) {
      const rows = [];
      for (let j = i; j < Math.min(N, i + BATCH); j++) {
        const g = generateAsset(j, r);
        const owner = orgs[g.ownerIndex % orgs.length]!;
        const score = completeness({
          kind: g.kind as never,
          description: g.description,
          owner: owner.code,
          contacts: [],
          tags: g.tags,
          lifecycle: g.lifecycle,
          decommissionPlannedOn: null,
          openness: g.openness,
          spec: g.spec,
        }).score;
        rows.push({
          kind: g.kind as AssetKind,
          slug: g.slug,
          title: g.title,
          description: g.description,
          organisationId: owner.id,
          tags: g.tags,
          lifecycle: g.lifecycle as Lifecycle,
          openness: g.openness as Openness,
          opennessReason: g.opennessReason,
          personalData: g.personalData,
          spec: g.spec,
          completeness: score,
          updatedBy: 'bench',
        });
      }
      await db.insert(catalogAssets).values(rows);
    }
    await db.execute(sql`analyze catalog_assets`);
    // The narrow search table (ADR 0107), when this schema has it.
    const narrow = (await db.execute(sql`select to_regclass('catalog_search') is not null as ok`)) as unknown as { rows: { ok: boolean }[] };
    // Vacuumed as autovacuum would after a bulk load (visibility map, GIN pending list flushed).
    if (narrow.rows[0]?.ok) await db.execute(sql`vacuum analyze catalog_search`);
    const loadMs = performance.now() - t0;
    if (!REUSE)
      console.log(
        `  bulk load: ${(loadMs / 1000).toFixed(1)} s (${Math.round(N / (loadMs / 1000)).toLocaleString('fr-FR')} assets/s, tsvector and indexes included)`,
      );

    if (LOAD_ONLY) return;
    const service = createCatalogService(platform.ctx);
    const reader = principalOfUser({ id: 'x', login: 'bench', displayName: 'b', role: 'reader', organisationId: null });
    const run = async (name: string, f: (q: string, i: number) => Promise<unknown>, target?: number, qs: string[] = queries) => {
      for (let i = 0; i < 20; i++) await f(qs[i % qs.length]!, i); // warm-up
      const xs: number[] = [];
      const byQuery = new Map<string, number[]>();
      for (let i = 0; i < Q; i++) {
        const q = qs[i % qs.length]!;
        const t = performance.now();
        await f(q, i);
        const ms = performance.now() - t;
        xs.push(ms);
        byQuery.set(q, [...(byQuery.get(q) ?? []), ms]);
      }
      row(name, xs, target);
      if (process.env.BENCH_VERBOSE) {
        const slow = [...byQuery]
          .map(([q, v]) => [q, v.sort((a, b) => a - b)[Math.floor(v.length / 2)]!] as const)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 5);
        console.log(`    slowest queries (median): ${slow.map(([q, m]) => `« ${q} » ${m.toFixed(0)} ms`).join(', ')}`);
      }
    };
    // How the queries were understood: strict, corrected, relaxed.
    const kinds = { strict: 0, corrected: 0, synonyms: 0, relaxed: 0 };
    for (const q of queries) {
      const i = (await service.search({ q }, 1, 1, reader)).interpretation;
      if (i?.relaxed) kinds.relaxed++;
      if (i?.corrections.length) kinds.corrected++;
      if (i?.synonyms.length) kinds.synonyms++;
      if (i && !i.relaxed && !i.corrections.length) kinds.strict++;
    }
    console.log(
      `  ${queries.length} distinct queries: ${kinds.strict} strict, ${kinds.relaxed} relaxed (« at least m of n words »), ${kinds.corrected} with a typo corrected, ${kinds.synonyms} with synonyms`,
    );
    console.log('');
    await run('search + facets (q, page of 20)', (q) => service.search({ q }, 1, 20, reader), 50);
    await run('search + facets, relaxed queries only', (q) => service.search({ q }, 1, 20, reader), 50, relaxedQueries);
    await run('search + facets, anonymous (public only)', (q) => service.search({ q }, 1, 20, ANONYMOUS), 50);
    await run(
      'search + facets, q + kind + owner filters',
      (q, i) => service.search({ q, kind: [['dataset', 'application', 'api'][i % 3]!], owner: [orgs[i % orgs.length]!.code] }, 1, 20, reader),
      50,
    );
    await run('facets only, no query (whole catalogue)', () => service.search({}, 1, 20, reader), 50);
    const sample = await service.search({ q: 'permis' }, 1, 1, reader);
    const first = sample.items[0]!;
    await run('asset page (asset, checks, relations)', () => service.get(first.kind, first.slug, reader));

    // Through HTTP (routing, validation, serialisation of 20 assets and facets).
    const app = await buildApp(platform, { logger: false });
    await app.ready();
    const { user } = await platform.ctx.users.create(
      { login: `bench${Date.now()}`, displayName: 'Bench', role: 'reader', password: 'correct horse battery staple' },
      { id: null, label: 'bench' },
    );
    const { token } = await platform.ctx.auth.createToken(user.id, 'bench', null, { id: null, label: 'bench' });
    await run(
      'HTTP GET /api/catalog/assets?q=… (inject)',
      (q) => app.inject({ url: `/api/catalog/assets?q=${encodeURIComponent(q)}&pageSize=20`, headers: { authorization: `Bearer ${token}` } }),
      50,
    );

    // The full write path (validation, version, audit, event) for comparison (not on a reused database).
    t0 = performance.now();
    const W = REUSE ? 0 : 200;
    for (let i = 0; i < W; i++) {
      await service.create(
        {
          kind: 'dataset',
          slug: `bench-write-${i}`,
          title: `Jeu de test ${i}`,
          description: '',
          owner: 'DNUM',
          contacts: [],
          tags: ['bench'],
          lifecycle: 'en_service',
          decommissionPlannedOn: null,
          decommissionedOn: null,
          openness: 'ferme',
          opennessReason: null,
          personalData: false,
          spec: {},
        },
        SYSTEM,
      );
    }
    if (W) console.log(`\n  asset creation through the service (validation, version, audit, event): ${((performance.now() - t0) / W).toFixed(1)} ms per asset`);
    await app.close();
    const sizeRows = (await db.execute(
      sql`select pg_total_relation_size('catalog_assets')::bigint as size, coalesce(pg_total_relation_size(to_regclass('catalog_search')), 0)::bigint as narrow`,
    )) as unknown as { rows: { size: number; narrow: number }[] };
    const size = sizeRows.rows[0]?.size ?? 0;
    const narrowSize = Number(sizeRows.rows[0]?.narrow ?? 0);
    console.log(
      `  catalog_assets + indexes on disk: ${mb(Number(size))}${narrowSize ? `; catalog_search + indexes: ${mb(narrowSize)}` : ''}; process RSS ${mb(process.memoryUsage().rss)} (+${mb(process.memoryUsage().rss - mem0)} during the run)`,
    );
  } finally {
    await platform.close();
    // BENCH_KEEP=1 keeps the PostgreSQL database for EXPLAIN ANALYZE sessions.
    if (process.env.BENCH_KEEP && tdb.url) console.log(`  kept: ${tdb.url}`);
    else await tdb.drop();
  }
}

await main();
process.exit(0);

/**
 * Governance benchmark (issue 20): latency of the directory (network page, appointments list and
 * CSV) and of the review campaigns (opening a campaign, its progress per directorate, a page of a
 * directorate's assets, one-click confirmation) at a realistic ministry scale — by default 120
 * organisations, 20,000 catalogue assets, 1,500 appointments — through the HTTP stack
 * (`app.inject`), on PGlite, or on PostgreSQL with `PATRIMOINE_TEST_DB=postgres DATABASE_URL=…`.
 * Prints p50/p95 against targets, and memory; stops by itself.
 *
 *   npm run bench:governance
 *   GOV_BENCH_ASSETS=50000 npm run bench:governance
 */
import { performance } from 'node:perf_hooks';
import { createTestPlatform, bearer } from '../../server/test/harness.ts';
import { catalogAssets } from '../../server/src/modules/catalog/catalog.table.ts';
import { governanceAppointments } from '../../server/src/modules/governance/governance.table.ts';
import { organisations } from '../../server/src/platform/organisations/organisations.table.ts';

const ORGS = Number(process.env.GOV_BENCH_ORGS ?? 120);
const ASSETS = Number(process.env.GOV_BENCH_ASSETS ?? 20_000);
const APPOINTMENTS = Number(process.env.GOV_BENCH_APPOINTMENTS ?? 1_500);
const ITERATIONS = Number(process.env.GOV_BENCH_ITERATIONS ?? 20);

const t = await createTestPlatform();
const admin = (await t.tokenFor('admin')).token;
const db = t.ctx.db;
const started = performance.now();

// --- synthetic ministry ------------------------------------------------------------------------
const extra = await db
  .insert(organisations)
  .values(Array.from({ length: ORGS }, (_, i) => ({ code: `BENCH${i}`, name: `Direction synthétique ${i}`, kind: 'direction' })))
  .returning({ id: organisations.id, code: organisations.code });
const kinds = ['application', 'dataset', 'api', 'repository', 'data_model', 'algorithm'] as const;
for (let i = 0; i < ASSETS; i += 1000) {
  await db.insert(catalogAssets).values(
    Array.from({ length: Math.min(1000, ASSETS - i) }, (_, j) => {
      const n = i + j;
      return {
        kind: kinds[n % kinds.length]!,
        slug: `bench-${n}`,
        title: `Actif synthétique ${n}`,
        organisationId: extra[n % extra.length]!.id,
        completeness: n % 101,
        lastConfirmedAt: new Date(Date.now() - (n % 700) * 86400_000),
      };
    }),
  );
}
for (let i = 0; i < APPOINTMENTS; i += 500) {
  await db.insert(governanceAppointments).values(
    Array.from({ length: Math.min(500, APPOINTMENTS - i) }, (_, j) => {
      const n = i + j;
      return {
        role: 'administrateur_metier' as const,
        position: n % 3 === 0 ? ('suppleant' as const) : ('titulaire' as const),
        organisationId: extra[n % extra.length]!.id,
        personName: `Personne ${n}`,
        email: `personne.${n}@bench.invalid`,
        appointedOn: '2024-01-01',
        until: n % 4 === 0 ? '2025-01-01' : null,
        letterFile: n % 2 ? `bench-${n}.pdf` : null,
        letterSignedOn: n % 2 ? '2024-01-15' : null,
      };
    }),
  );
}
const setupMs = performance.now() - started;

// --- measures ----------------------------------------------------------------------------------
async function measure(name: string, target: number, fn: () => Promise<{ statusCode: number }>) {
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const s = performance.now();
    const r = await fn();
    times.push(performance.now() - s);
    if (r.statusCode >= 400) throw new Error(`${name}: HTTP ${r.statusCode}`);
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
  const ok = q(0.95) <= target;
  console.log(
    `${name.padEnd(44)} p50 ${q(0.5).toFixed(1).padStart(7)} ms   p95 ${q(0.95).toFixed(1).padStart(7)} ms   target p95 ≤ ${target} ms   ${ok ? 'OK' : 'ABOVE TARGET'}`,
  );
  return ok;
}
const h = bearer(admin);
const inject = (method: 'GET' | 'POST', url: string, payload?: unknown) => t.app.inject({ method, url, headers: h, payload: payload as never });
const results: boolean[] = [];

console.log(
  `Governance benchmark — ${t.ctx.database.kind}: ${ORGS} synthetic organisations, ${ASSETS} assets, ${APPOINTMENTS} appointments (setup ${(setupMs / 1000).toFixed(1)} s), ${ITERATIONS} iterations`,
);
results.push(await measure('GET /api/governance/network', 300, () => inject('GET', '/api/governance/network')));
results.push(await measure('GET /api/governance/appointments', 300, () => inject('GET', '/api/governance/appointments')));
results.push(await measure('GET /api/governance/appointments?format=csv', 400, () => inject('GET', '/api/governance/appointments?format=csv')));
results.push(await measure('GET roadmap dashboard (with network gaps)', 800, () => inject('GET', '/api/roadmaps/dac-2021-2023/dashboard')));

const s0 = performance.now();
const due = new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 10);
const c = await inject('POST', '/api/governance/campaigns', { title: 'Campagne du banc', dueOn: due });
if (c.statusCode !== 201) throw new Error(`campaign: ${c.statusCode} ${c.body}`);
const campaign = c.json() as { id: string; totals: { total: number } };
const openMs = performance.now() - s0;
console.log(
  `${'POST /api/governance/campaigns (once)'.padEnd(44)} ${openMs.toFixed(0)} ms for ${campaign.totals.total} assets (stale sweep included)   target ≤ 10000 ms   ${openMs <= 10_000 ? 'OK' : 'ABOVE TARGET'}`,
);
results.push(openMs <= 10_000);
results.push(await measure('GET campaign progress (per directorate)', 300, () => inject('GET', `/api/governance/campaigns/${campaign.id}`)));
results.push(await measure('GET campaign list', 400, () => inject('GET', '/api/governance/campaigns')));
let k = 0;
results.push(
  await measure('GET items of one directorate (page of 50)', 300, () =>
    inject('GET', `/api/governance/campaigns/${campaign.id}/items?organisation=BENCH${k++ % ORGS}&pageSize=50`),
  ),
);
const items = (await inject('GET', `/api/governance/campaigns/${campaign.id}/items?pageSize=500`)).json() as { items: { assetId: string }[] };
let n = 0;
results.push(
  await measure('POST confirm (one click)', 300, () => inject('POST', `/api/governance/campaigns/${campaign.id}/items/${items.items[n++]!.assetId}/confirm`)),
);
const mem = process.memoryUsage();
console.log(`Memory: rss ${(mem.rss / 1048576).toFixed(0)} MB, heap used ${(mem.heapUsed / 1048576).toFixed(0)} MB`);
console.log(results.every(Boolean) ? 'All figures within targets.' : 'Some figures are above their targets.');
await t.teardown();
process.exit(0);

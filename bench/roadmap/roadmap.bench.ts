/**
 * Roadmap benchmark: latency of the list, dashboard, committee report, action page, public page and
 * CSV bulk update on a large synthetic roadmap (default 2,000 actions, 500 openings, 20,000 log
 * entries), through the HTTP stack (`app.inject`), on PGlite — or on PostgreSQL with
 * `PATRIMOINE_TEST_DB=postgres DATABASE_URL=…`. Prints figures against targets; stops by itself.
 *
 *   npm run bench:roadmap                       # defaults
 *   ROADMAP_BENCH_ACTIONS=5000 npm run bench:roadmap
 */
import { performance } from 'node:perf_hooks';
import { createTestPlatform, bearer } from '../../server/test/harness.ts';
import { FixedClock } from '../../server/src/platform/clock.ts';
import {
  roadmapActionContributors,
  roadmapActions,
  roadmapIndicators,
  roadmapOpenings,
  roadmapUpdates,
  roadmaps,
} from '../../server/src/modules/roadmap/roadmap.table.ts';

const ACTIONS = Number(process.env.ROADMAP_BENCH_ACTIONS ?? 2000);
const OPENINGS = Number(process.env.ROADMAP_BENCH_OPENINGS ?? 500);
const UPDATES_PER_ACTION = 10;
const ITERATIONS = Number(process.env.ROADMAP_BENCH_ITERATIONS ?? 15);

/** Deterministic PRNG (mulberry32), so that runs are comparable. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const r = rng(2024);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;

const clock = new FixedClock(new Date('2026-05-15T10:00:00Z'));
const t = await createTestPlatform({ clock });
const admin = (await t.tokenFor('admin')).token;
const db = t.ctx.db;

// --- synthetic roadmap -------------------------------------------------------------------------
const started = performance.now();
const orgs = await t.ctx.organisations.list();
const [rm] = await db
  .insert(roadmaps)
  .values({
    slug: 'bench-2024-2028',
    title: 'Feuille de route synthétique 2024-2028',
    startYear: 2024,
    endYear: 2028,
    parts: { '1': 'Partie 1', '2': 'Partie 2', '3': 'Partie 3', '4': 'Partie 4', '5': 'Partie 5' },
  })
  .returning();
const roadmapId = rm!.id;
const semesters = ['2024-S1', '2024-S2', '2025-S1', '2025-S2', '2026-S1', '2026-S2', '2027-S1', '2027-S2', '2028-S1', '2028-S2'];
const statuses = ['a_lancer', 'en_cours', 'realisee', 'abandonnee'] as const;
const actionIds: string[] = [];
for (let i = 0; i < ACTIONS; i += 500) {
  const rows = [];
  for (let j = i; j < Math.min(ACTIONS, i + 500); j++) {
    const part = 1 + (j % 5);
    const status = pick(statuses);
    rows.push({
      roadmapId,
      code: `A${String(j + 1).padStart(4, '0')}`,
      position: j,
      title: `Action synthétique ${j + 1} : ouvrir et partager les données du domaine ${1 + (j % 37)}`,
      section: `${part}.${1 + (j % 4)}`,
      sectionTitle: `Section ${part}.${1 + (j % 4)}`,
      deadline: pick(semesters),
      status,
      progress: status === 'realisee' ? 100 : status === 'a_lancer' ? 0 : Math.floor(r() * 100),
      pilot: `Pilote ${j % 50}`,
      collectiveContributors: j % 7 === 0 ? ['directions métiers'] : [],
    });
  }
  const inserted = await db
    .insert(roadmapActions)
    .values(rows as never)
    .returning({ id: roadmapActions.id });
  actionIds.push(...inserted.map((x) => x.id));
}
const links = actionIds.flatMap((id) => [...new Set([pick(orgs).id, pick(orgs).id])].map((organisationId) => ({ actionId: id, organisationId })));
for (let i = 0; i < links.length; i += 1000) await db.insert(roadmapActionContributors).values(links.slice(i, i + 1000));
const quarters = ['2024-T1', '2024-T2', '2024-T3', '2024-T4', '2025-T1', '2025-T2', '2025-T3', '2025-T4', '2026-T1', '2026-T2', '2026-T3', '2026-T4'];
const openingRows = Array.from({ length: OPENINGS }, (_, i) => {
  const status = pick(['planifie', 'en_cours', 'disponible', 'reporte'] as const);
  return {
    roadmapId,
    position: i,
    category: `Catégorie ${i % 6}`,
    title: `Ouverture synthétique ${i + 1}`,
    type: pick(['jeu_de_donnees', 'api'] as const),
    due: pick(quarters),
    status,
    availableOn: status === 'disponible' ? `2025-${String(1 + (i % 12)).padStart(2, '0')}-15` : null,
  };
});
for (let i = 0; i < openingRows.length; i += 500) await db.insert(roadmapOpenings).values(openingRows.slice(i, i + 500));
const t0 = new Date('2024-01-10T09:00:00Z').getTime();
const span = clock.now().getTime() - t0;
for (let i = 0; i < actionIds.length; i += 200) {
  const rows = [];
  for (const id of actionIds.slice(i, i + 200)) {
    for (let k = 0; k < UPDATES_PER_ACTION; k++) {
      const st = k === 0 ? 'a_lancer' : pick(statuses);
      rows.push({
        roadmapId,
        actionId: id,
        at: new Date(t0 + ((k + r()) / UPDATES_PER_ACTION) * span),
        actorLabel: 'bench',
        kind: k === 0 ? 'import' : 'edit',
        note: `Point d’étape ${k}`,
        changes: k === 0 ? {} : { status: { from: 'en_cours', to: st } },
        statusAfter: st,
        progressAfter: Math.floor(r() * 100),
      });
    }
  }
  await db.insert(roadmapUpdates).values(rows);
}
const indicatorRows = actionIds
  .filter((_, i) => i % 5 === 0)
  .map((actionId) => ({
    actionId,
    name: 'Jeux de données publiés',
    unit: 'jeux',
    target: '12',
    currentValue: '6',
    history: Array.from({ length: 12 }, (_, m) => ({ value: String(m), at: new Date(t0 + (m / 12) * span).toISOString(), by: 'bench' })),
  }));
for (let i = 0; i < indicatorRows.length; i += 500) await db.insert(roadmapIndicators).values(indicatorRows.slice(i, i + 500));
await t.ctx.database.exec('analyze');
console.log(
  `Synthetic roadmap on ${t.ctx.database.kind}: ${ACTIONS} actions, ${OPENINGS} openings, ${ACTIONS * UPDATES_PER_ACTION} log entries, ${indicatorRows.length} indicators (built in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
);

// --- measurements ------------------------------------------------------------------------------
const R = `/api/roadmaps/bench-2024-2028`;
interface Case {
  name: string;
  target: number;
  run(): Promise<{ statusCode: number; body: string }>;
  iterations?: number;
}
const get =
  (url: string, auth = true) =>
  () =>
    t.app.inject({ url, headers: auth ? bearer(admin) : {} });
const bulkCsv = [
  'code;statut;avancement;note',
  ...Array.from({ length: ACTIONS }, (_, i) => `A${String(i + 1).padStart(4, '0')};en_cours;${i % 100};Mise à jour ${i}`),
].join('\n');
const cases: Case[] = [
  { name: 'GET actions (all)', target: 400, run: get(`${R}/actions`) },
  { name: 'GET actions?overdue=true&contributor=DNUM', target: 300, run: get(`${R}/actions?overdue=true&contributor=DNUM`) },
  { name: 'GET actions?format=csv', target: 500, run: get(`${R}/actions?format=csv`) },
  { name: 'GET action detail (A0100)', target: 100, run: get(`${R}/actions/A0100`) },
  { name: 'GET dashboard', target: 600, run: get(`${R}/dashboard`) },
  { name: 'GET dashboard?section=3', target: 500, run: get(`${R}/dashboard?section=3`) },
  { name: 'GET report 2026-T1 (json)', target: 800, run: get(`${R}/report?quarter=2026-T1`) },
  { name: 'GET report 2026-T1 (html)', target: 1000, run: get(`${R}/report?quarter=2026-T1&format=html`) },
  { name: 'GET report 2026-T1 (md)', target: 1000, run: get(`${R}/report?quarter=2026-T1&format=md`) },
  { name: 'GET public page (no login)', target: 600, run: get(`/api/public/roadmaps/bench-2024-2028`, false) },
  {
    name: `POST bulk dry-run (${ACTIONS} lines)`,
    target: 20_000,
    iterations: 2,
    run: () => t.app.inject({ method: 'POST', url: `${R}/actions/bulk`, headers: bearer(admin), payload: { csv: bulkCsv, dryRun: true } }),
  },
];

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
console.log(`\n${'case'.padEnd(46)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'target'.padStart(8)}  size`);
let failed = 0;
for (const c of cases) {
  const n = c.iterations ?? ITERATIONS;
  const first = await c.run();
  if (first.statusCode !== 200) {
    console.log(`${c.name.padEnd(46)} HTTP ${first.statusCode}: ${first.body.slice(0, 200)}`);
    failed++;
    continue;
  }
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await c.run();
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  const p95 = pct(times, 95);
  const ok = p95 <= c.target;
  if (!ok) failed++;
  console.log(
    `${c.name.padEnd(46)} ${pct(times, 50).toFixed(1).padStart(8)} ${p95.toFixed(1).padStart(8)} ${times.at(-1)!.toFixed(1).padStart(8)} ${String(c.target).padStart(8)}  ${(first.body.length / 1024).toFixed(0)} KiB ${ok ? '' : '  ABOVE TARGET'}`,
  );
}
console.log(
  `\n${failed === 0 ? 'All cases within target (p95).' : `${failed} case(s) above target or failing.`} Node ${process.version}, ${t.ctx.database.kind}.`,
);
await t.teardown();
process.exit(0);

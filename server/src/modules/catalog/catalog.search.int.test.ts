import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { createCatalogRepository, type Candidates, type CatalogRepository, type SearchFilters } from './catalog.repository.ts';
import { catalogAssets } from './catalog.table.ts';

// The search's large-catalogue paths (bounded re-ranking, sampled facets) with the thresholds lowered,
// so that a small catalogue exercises them (ADR 0102).
let t: TestPlatform;
let repo: CatalogRepository;
const all: SearchFilters = { publicOnly: false };

beforeAll(async () => {
  t = await createTestPlatform();
  const orgs = await t.ctx.organisations.list();
  const rows: (typeof catalogAssets.$inferInsert)[] = [];
  // 30 titles with the word, 40 descriptions only, 50 without it; one title is exactly the query.
  for (let i = 0; i < 120; i++) {
    const inTitle = i < 30;
    const inDescription = i >= 30 && i < 70;
    rows.push({
      kind: i % 2 ? 'dataset' : 'application',
      slug: `actif-${i}`,
      title: i === 17 ? 'Registres' : inTitle ? `Registre des ${['véhicules', 'armes', 'associations'][i % 3]} numéro ${i}` : `Fichier numéro ${i}`,
      description: inDescription ? 'Les données viennent du registre national.' : 'Données de gestion.',
      organisationId: orgs[i % orgs.length]!.id,
      tags: i % 4 ? ['gestion'] : ['gestion', 'national'],
      openness: i % 3 ? 'ouvert' : 'ferme',
      updatedBy: 'test',
    });
  }
  await t.ctx.db.insert(catalogAssets).values(rows);
  await t.ctx.db.execute(sql`analyze catalog_assets`);
  // Match sets of up to 5 assets are read by key (the probe's ids); larger ones take the large-catalogue paths.
  repo = createCatalogRepository(t.ctx.db, { rerankTop: 7, sampleRows: 100, sampleMinTable: 50, sampleMinMatches: 15, idsMax: 5 });
});
afterAll(async () => t?.teardown());

describe('search on a large catalogue (lowered thresholds)', () => {
  it('re-ranks only the best matches, and pages across the re-ranked boundary without overlap or gap', async () => {
    const f = { ...all, q: 'registres' };
    const { total } = await repo.facets({ ...f, q: 'xx' }); // warms the caches; no match
    expect(total).toBe(0);
    const seen: string[] = [];
    for (let page = 1; page <= 40; page++) {
      const items = await repo.page(f, page, 3, await repo.plan(f));
      seen.push(...items.map((a) => a.slug));
      if (items.length < 3) break;
    }
    expect(seen[0]).toBe('actif-17'); // exact title first
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(70); // 30 titles + 40 descriptions
    // Title matches come before description-only matches.
    const firstDescription = seen.findIndex((s) => Number(s.split('-')[1]) >= 30);
    expect(firstDescription).toBe(30);
  });

  it('finds the best matches among titles when enough candidates hold the terms there, or by key for small sets: the same order as pre-ranking every match', async () => {
    const tuning = { rerankTop: 7, sampleRows: 100, sampleMinTable: 50, sampleMinMatches: 15 };
    const full = createCatalogRepository(t.ctx.db, { ...tuning, titleCandidates: false, idsMax: 0 });
    const bounded = createCatalogRepository(t.ctx.db, { ...tuning, idsMax: 0 });
    const byKey = createCatalogRepository(t.ctx.db, { ...tuning, idsMax: 1000 });
    const queries = [
      'registres',
      'registre',
      'registre des armes',
      'numéro',
      'regis',
      'donnees',
      'registre national',
      'registre véhicules inexistantmot',
      'fichier national gestion',
    ];
    for (const q of queries) {
      const f = { ...all, q };
      expect((await byKey.plan(f)).ids, q).toBeDefined();
      expect((await bounded.plan(f)).ids, q).toBeUndefined();
      for (const page of [1, 2, 3, 4]) {
        const expected = (await full.page(f, page, 3, await full.plan(f))).map((x) => x.slug);
        expect(
          (await bounded.page(f, page, 3, await bounded.plan(f))).map((x) => x.slug),
          `${q}, page ${page}`,
        ).toEqual(expected);
        expect(
          (await byKey.page(f, page, 3, await byKey.plan(f))).map((x) => x.slug),
          `${q}, page ${page}`,
        ).toEqual(expected);
      }
      expect((await byKey.facets(f, await byKey.plan(f))).total, q).toBe((await full.facets(f, await full.plan(f))).total);
    }
  });

  it('estimates the facets of very large match sets from a sample, and says so; small sets are exact', async () => {
    const broad = await repo.facets(all);
    expect(broad.estimated).toBe(true);
    expect(broad.total).toBeGreaterThan(0);
    expect(Object.keys(broad.kind).sort()).toEqual(['application', 'dataset']);
    const narrow = await repo.facets({ ...all, q: 'armes' }, await repo.plan({ ...all, q: 'armes' }));
    expect(narrow.estimated).toBe(false);
    expect(narrow.total).toBe(10);
    expect(narrow.kind).toEqual({ application: 5, dataset: 5 });
    const tagged = await repo.facets({ ...all, q: 'armes', tags: ['national'] }, await repo.plan({ ...all, q: 'armes', tags: ['national'] }));
    expect(tagged).toMatchObject({ estimated: false, total: 3, kind: { application: 3 }, tags: { gestion: 3, national: 3 } });
  });

  it('corrects a misspelt word from the titles, and searches the corrected words in full text', async () => {
    const f = { ...all, q: 'asociations' };
    const plan = await repo.plan(f);
    expect(plan.tsquery).toBe("((('asoci') | 'asociations':*) | (('associ') | 'associations':*))");
    expect(plan.interpretation?.corrections).toEqual([{ word: 'asociations', correction: 'associations' }]);
    const items = await repo.page(f, 1, 20, plan);
    expect(items).toHaveLength(9); // 10 association titles, one of which is « Registres »
    expect(items.every((a) => a.title.includes('associations'))).toBe(true);
    expect((await repo.facets(f, plan)).total).toBe(9);
    expect((await repo.plan({ ...all, q: 'registre' })).tsquery).toBe("(('registr') | 'registre':*)");
  });

  it('relaxes a query whose words are not all in one asset, ranking by words matched and where', async () => {
    // « armes » in 10 titles, « national » in 40 descriptions and 30 tags: no asset has both with « véhicules ».
    const f = { ...all, q: 'registre véhicules inexistantmot' };
    const plan = await repo.plan(f);
    expect(plan.interpretation).toMatchObject({ terms: ['registre', 'véhicules', 'inexistantmot'], minMatched: 2, relaxed: true });
    const items = await repo.page(f, 1, 20, plan);
    expect(items.length).toBeGreaterThan(0);
    // Registre + véhicules in the title: every one of them before the rest.
    expect(items.slice(0, 10).every((a) => a.title.startsWith('Registre des véhicules'))).toBe(true);
    expect((await repo.facets(f, plan)).total).toBe(10);
  });

  // Last: adds assets whose words are in tags more than in titles.
  it('finds the best matches among the titles in title order, or pre-ranks every match: the same pages either way (words in titles, tags, descriptions)', async () => {
    const orgs = await t.ctx.organisations.list();
    const rows: (typeof catalogAssets.$inferInsert)[] = [];
    for (let i = 0; i < 60; i++) {
      // « canin » in 3 titles, 25 tags, 10 descriptions; « brigade » in 20 titles (one exactly « Brigade canine »).
      const title =
        i === 0
          ? 'Brigade canine'
          : i < 3
            ? `Chenil canin ${'x'.repeat(i)}`
            : i < 20
              ? `Brigade ${['cynophile', 'fluviale'][i % 2]} ${'y'.repeat(i % 5)} ${i}`
              : `Chenil ${i}`;
      rows.push({
        kind: i % 3 ? 'dataset' : 'api',
        slug: `chenil-${i}`,
        title,
        description: i >= 40 && i < 50 ? 'Suivi canin de la brigade.' : 'Gestion.',
        organisationId: orgs[i % orgs.length]!.id,
        tags: i >= 10 && i < 35 ? ['canin', ...(i % 2 ? ['brigade'] : [])] : ['chenil'],
        openness: i % 4 ? 'ouvert' : 'ferme',
        updatedBy: 'test',
      });
    }
    await t.ctx.db.insert(catalogAssets).values(rows);
    const tuning = { rerankTop: 7, sampleRows: 100, sampleMinTable: 50, sampleMinMatches: 15, idsMax: 0 };
    const used = new Set<Candidates>();
    const full = createCatalogRepository(t.ctx.db, { ...tuning, titleCandidates: false });
    const bounded = createCatalogRepository(t.ctx.db, { ...tuning, onCandidates: (c) => used.add(c) });
    const queries = [
      'canin',
      'canine',
      'brigade',
      'brig',
      'brigade canine',
      'canin brigade',
      'chenil canin',
      'canin chenil inexistantmot',
      'brigade cynophile',
      'suivi',
      'suivi canin',
    ];
    for (const q of queries)
      for (const publicOnly of [false, true]) {
        const f = { publicOnly, q };
        for (const page of [1, 2, 3, 4]) {
          const expected = (await full.page(f, page, 3, await full.plan(f))).map((x) => x.slug);
          expect(
            (await bounded.page(f, page, 3, await bounded.plan(f))).map((x) => x.slug),
            `${q}, public ${publicOnly}, page ${page}`,
          ).toEqual(expected);
        }
      }
    // Both strategies took part: title holders (in title order), every match pre-ranked.
    expect([...used].sort()).toEqual(['all', 'title']);
    const exact = await bounded.page({ ...all, q: 'brigade canine' }, 1, 3, await bounded.plan({ ...all, q: 'brigade canine' }));
    expect(exact[0]?.slug).toBe('chenil-0');
  });
});

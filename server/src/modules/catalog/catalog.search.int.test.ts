import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { createCatalogRepository, type CatalogRepository, type SearchFilters } from './catalog.repository.ts';
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
  repo = createCatalogRepository(t.ctx.db, { rerankTop: 7, sampleRows: 100, sampleMinTable: 50, sampleMinMatches: 15 });
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
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';

// Search that finds what people type (issue 11, ADR 0106), on the demo catalogue: several words,
// some absent, misspelt, or synonyms of the data team's list (seeded by migration 0023).
let t: TestPlatform;
let admin: string;
let reader: string;

beforeAll(async () => {
  t = await createTestPlatform();
  for (const m of t.modules) if (m.name === 'catalog') await m.seedDemo!();
  admin = (await t.tokenFor('admin')).token;
  reader = (await t.tokenFor('reader')).token;
});
afterAll(async () => t?.teardown());

type Result = {
  items: { slug: string; title: string; kind: string }[];
  total: number;
  interpretation: { terms: string[]; corrections: { word: string; correction: string }[]; synonyms: unknown[]; minMatched: number; relaxed: boolean } | null;
  suggestions: { queries: string[]; related: { slug: string; title: string }[]; withoutFilters: number | null } | null;
};
async function search(q: string, token?: string, extra = ''): Promise<Result> {
  const r = await t.app.inject({ url: `/api/catalog/assets?q=${encodeURIComponent(q)}&pageSize=20${extra}`, headers: token ? bearer(token) : {} });
  expect(r.statusCode).toBe(200);
  return r.json() as Result;
}

describe('catalogue search on the demo content', () => {
  it.each([
    ['données décès', 'Fichier des personnes décédées (INSEE)'],
    ['donnees deces', 'Fichier des personnes décédées (INSEE)'],
    ['jeu de données décès', 'Fichier des personnes décédées (INSEE)'],
    ['résultats des élections municipales', 'Résultats des élections'],
    ['sécurité civile pompiers', 'INFOSDIS — entrepôt national de données de sécurité civile'],
    ['candylib', 'Candilib'],
    ['histovek', 'Histovec'],
  ])('« %s » finds « %s » among the first results (and public assets anonymously)', async (q, title) => {
    const r = await search(q, reader);
    expect(r.items.slice(0, 5).map((a) => a.title)).toContain(title);
    expect((await search(q)).total).toBeGreaterThan(0);
  });

  it('says how the query was understood: relaxed matching, corrections, synonyms', async () => {
    const elections = await search('résultats des élections municipales', reader);
    expect(elections.interpretation).toMatchObject({ terms: ['résultats', 'élections', 'municipales'], relaxed: true });
    expect(elections.interpretation!.minMatched).toBeLessThan(3);
    expect(elections.items[0]!.title).toBe('Résultats des élections');
    const candilib = await search('candylib', reader);
    expect(candilib.interpretation?.corrections).toEqual([{ word: 'candylib', correction: 'candilib' }]);
    const strict = await search('permis de conduire', reader);
    expect(strict.interpretation).toMatchObject({ terms: ['permis conduire'], relaxed: false, minMatched: 1 }); // one expression of the synonym list
  });

  it('ranks by how many words an asset matches, then where: title before tags before description', async () => {
    // « décès » is in the titles of the deaths assets and in the tags of others (MatchID).
    const r = await search('décès', reader);
    const titles = r.items.map((a) => a.title);
    const matchid = titles.indexOf('MatchID — mise en qualité de l’identité pivot');
    const inTitle = titles.filter((x) => /décédées/i.test(x));
    expect(matchid).toBeGreaterThan(-1);
    expect(inTitle.every((x) => titles.indexOf(x) < matchid)).toBe(true);
  });

  it('uses the seeded synonyms: « carte grise » finds the certificat d’immatriculation, « RH » the human resources', async () => {
    const grise = await search('carte grise', reader);
    expect(grise.interpretation?.synonyms).toEqual([{ expression: 'carte grise', alternatives: ['certificat d’immatriculation'.replace('’', "'")] }]);
    expect(grise.items.map((a) => a.title)).toContain('API certificat d’immatriculation (carte de stationnement résident)');
    const rh = await search('rh', reader);
    expect(rh.items.map((a) => a.title)).toContain('ValoRH — valorisation de la donnée RH');
    const hr = await search('ressources humaines', reader);
    expect(hr.items.map((a) => a.title)).toContain('ValoRH — valorisation de la donnée RH');
  });

  it('offers corrections, related assets and the count without filters when nothing is found', async () => {
    const r = await search('histovek', reader, '&kind=algorithm');
    expect(r.total).toBe(0);
    expect(r.suggestions?.withoutFilters).toBeGreaterThan(0);
    expect(r.suggestions?.related.map((a) => a.title)).toContain('Histovec');
    const none = await search('zzqqxw', reader);
    expect(none.total).toBe(0);
    expect(none.suggestions).toMatchObject({ withoutFilters: null });
    const typo = await search('imatrikulasion', reader);
    expect(typo.total).toBe(0);
    expect(typo.suggestions?.queries.length).toBeGreaterThan(0);
  });
});

describe('synonym list (the data team edits it)', () => {
  it('is read by any account, written by admin and data_admin only, with French errors; a change applies to the next search', async () => {
    const list = await t.app.inject({ url: '/api/catalog/synonyms', headers: bearer(reader) });
    expect(list.statusCode).toBe(200);
    const items = (list.json() as { items: { terms: string[] }[] }).items;
    expect(items.some((g) => g.terms.includes('carte grise'))).toBe(true);
    expect((await t.app.inject({ url: '/api/catalog/synonyms' })).statusCode).toBe(401);
    const payload = { terms: ['zorglub', 'Histovec'], note: 'test' };
    expect((await t.app.inject({ method: 'POST', url: '/api/catalog/synonyms', headers: bearer(reader), payload })).statusCode).toBe(403);

    const bad = await t.app.inject({ method: 'POST', url: '/api/catalog/synonyms', headers: bearer(admin), payload: { terms: ['Véhicule', 'vehicule'] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ errors: [{ field: 'terms.1' }] });
    const one = await t.app.inject({ method: 'POST', url: '/api/catalog/synonyms', headers: bearer(admin), payload: { terms: ['seul'] } });
    expect(one.statusCode).toBe(400);
    expect(JSON.stringify(one.json())).toContain('au moins deux expressions équivalentes');

    expect((await search('zorglub', reader)).total).toBe(0);
    const created = await t.app.inject({ method: 'POST', url: '/api/catalog/synonyms', headers: bearer(admin), payload });
    expect(created.statusCode).toBe(201);
    const id = (created.json() as { id: string }).id;
    const found = await search('zorglub', reader);
    expect(found.items.map((a) => a.title)).toContain('Histovec');

    const upd = await t.app.inject({ method: 'PUT', url: `/api/catalog/synonyms/${id}`, headers: bearer(admin), payload: { terms: ['zorglub', 'Candilib'] } });
    expect(upd.statusCode).toBe(200);
    expect((await search('zorglub', reader)).items.map((a) => a.title)).toContain('Candilib');
    expect((await t.app.inject({ method: 'DELETE', url: `/api/catalog/synonyms/${id}`, headers: bearer(admin) })).statusCode).toBe(204);
    expect((await search('zorglub', reader)).total).toBe(0);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/catalog/synonyms/${id}`, headers: bearer(admin) })).statusCode).toBe(404);

    const audit = await t.ctx.db.execute(
      (await import('drizzle-orm')).sql`select action from audit_log where entity_type = 'catalog_synonym' and entity_id = ${id} order by id`,
    );
    expect((audit as unknown as { rows: { action: string }[] }).rows.map((r) => r.action)).toEqual([
      'catalog.synonym.create',
      'catalog.synonym.update',
      'catalog.synonym.delete',
    ]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Parser } from 'n3';
import jsonld from 'jsonld';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';

let t: TestPlatform;
const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';

beforeAll(async () => {
  t = await createTestPlatform();
  const admin = (await t.tokenFor('admin')).token;
  const post = (b: object) => t.app.inject({ method: 'POST', url: '/api/catalog/assets', headers: bearer(admin), payload: b });
  await post({
    kind: 'dataset',
    slug: 'accidents',
    title: 'Accidents corporels de la circulation',
    description: 'Bases annuelles « BAAC ».',
    owner: 'DSR',
    openness: 'ouvert',
    tags: ['sécurité routière'],
    contacts: [{ role: 'contact_public', name: 'ONISR', email: 'onisr@interieur.gouv.fr' }],
    spec: {
      frequency: 'annual',
      licence: 'Licence Ouverte 2.0',
      temporalCoverageStart: '2005-01-01',
      spatialCoverage: 'France',
      datagouvId: '53698f4ca3a729239d2036df',
      resources: [{ title: 'Caractéristiques 2022', url: 'https://www.data.gouv.fr/fr/datasets/r/5fc299c0', format: 'csv', size: 1234 }],
    },
  });
  await post({ kind: 'dataset', slug: 'secret', title: 'Jeu fermé', openness: 'ferme' });
  await post({ kind: 'dataset', slug: 'perso', title: 'Jeu personnel', openness: 'a_ouvrir', personalData: true });
});
afterAll(async () => t?.teardown());

describe('DCAT-AP', () => {
  it('serves Turtle that an RDF parser reads, with the DCAT-AP properties, public datasets only', async () => {
    const r = await t.app.inject('/catalog.ttl');
    expect(r.headers['content-type']).toContain('text/turtle');
    const quads = new Parser({ format: 'text/turtle' }).parse(r.body);
    const objects = (p: string) => quads.filter((q) => q.predicate.value === p).map((q) => q.object.value);
    expect(quads.some((q) => q.predicate.value.endsWith('#type') && q.object.value === `${DCAT}Catalog`)).toBe(true);
    expect(objects(`${DCAT}dataset`)).toHaveLength(1);
    expect(objects(`${DCT}title`)).toContain('Accidents corporels de la circulation');
    expect(objects(`${DCT}identifier`)).toContain('53698f4ca3a729239d2036df');
    expect(objects(`${DCT}accrualPeriodicity`)).toContain('http://publications.europa.eu/resource/authority/frequency/ANNUAL');
    expect(objects(`${DCT}license`)[0]).toMatch(/Licence-Ouverte/);
    expect(objects(`${DCAT}downloadURL`)).toContain('https://www.data.gouv.fr/fr/datasets/r/5fc299c0');
    expect(objects('http://www.w3.org/2006/vcard/ns#hasEmail')).toContain('mailto:onisr@interieur.gouv.fr');
    expect(objects(`${DCT}publisher`).length).toBeGreaterThan(1);
    expect(r.body).not.toContain('Jeu fermé');
    expect(r.body).not.toContain('Jeu personnel');
  });

  it('serves JSON-LD that jsonld.js turns into the same graph as the Turtle', async () => {
    const r = await t.app.inject('/catalog.jsonld');
    expect(r.headers['content-type']).toContain('application/ld+json');
    const nquads = (await jsonld.toRDF(r.json(), { format: 'application/n-quads' })) as unknown as string;
    const fromJson = nquads.trim().split('\n').length;
    const fromTurtle = new Parser({ format: 'text/turtle' }).parse((await t.app.inject('/catalog.ttl')).body).length;
    expect(fromJson).toBe(fromTurtle);
    expect(nquads).toContain(`<${DCAT}Dataset>`);
  });

  it('negotiates the format on /catalog', async () => {
    expect((await t.app.inject({ url: '/catalog', headers: { accept: 'text/turtle' } })).headers['content-type']).toContain('text/turtle');
    expect((await t.app.inject({ url: '/catalog', headers: { accept: 'application/ld+json' } })).headers['content-type']).toContain('application/ld+json');
    const html = await t.app.inject({ url: '/catalog', headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(html.statusCode).toBe(303);
    expect(html.headers.location).toBe('/catalogue');
  });

  it('documents the RDF responses by media type in the OpenAPI document', async () => {
    const doc = (await t.app.inject('/api/openapi.json')).json();
    const ok = (path: string) => doc.paths[path].get.responses['200'].content;
    expect(ok('/catalog.ttl')['text/turtle'].schema.type).toBe('string');
    expect(ok('/catalog.jsonld')['application/ld+json'].schema.type).toBe('object');
    expect(Object.keys(ok('/catalog')).sort()).toEqual(['application/ld+json', 'text/turtle']);
    expect(doc.paths['/catalog'].get.responses['303']).toBeDefined();
    expect(doc.paths['/catalog.ttl'].get.operationId).toBe('getCatalogDcatTurtle');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Parser, Store, type Quad } from 'n3';
import SHACLValidator from 'rdf-validate-shacl';
import jsonld from 'jsonld';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { dcatQuads } from './catalog.dcat.ts';

let t: TestPlatform;
const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';
const VCARD = 'http://www.w3.org/2006/vcard/ns#';

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
    expect(objects(`${DCT}license`)[0]).toBe('https://www.etalab.gouv.fr/licence-ouverte-open-licence');
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

// ---------------------------------------------------------------------------------------------
// SEMICeu's own SHACL shapes (fixtures/dcat-ap, see its README) on the demo catalogue plus a
// data.gouv.fr import: what data.europa.eu's validator and data.gouv.fr's harvester check.

const SHAPES = {
  'DCAT-AP 3.0.1 (core + range)': ['dcat-ap-3.0.1-shapes.ttl', 'dcat-ap-3.0.1-ranges.ttl'],
  'DCAT-AP 2.1.1 (core + range)': ['dcat-ap-2.1.1-shapes.ttl', 'dcat-ap-2.1.1-range.ttl'],
};

function shapesStore(files: string[]): Store {
  const store = new Store();
  for (const f of files) store.addQuads(new Parser().parse(readFileSync(new URL(`./fixtures/dcat-ap/${f}`, import.meta.url), 'utf8')));
  return store;
}

/** Violations grouped by path and message, most frequent first (with one focus node as example). */
async function violations(shapes: Store, data: Quad[]): Promise<string[]> {
  const report = await new SHACLValidator(shapes).validate(new Store(data));
  const groups = new Map<string, { n: number; example: string }>();
  for (const r of report.results) {
    if (r.severity?.value !== 'http://www.w3.org/ns/shacl#Violation') continue;
    const key = `${r.path?.value ?? '(node)'} — ${r.message.map((m) => m.value).join(' / ') || r.sourceConstraintComponent?.value}`;
    const g = groups.get(key) ?? { n: 0, example: `${r.focusNode?.value} → ${r.value?.value ?? ''}` };
    g.n++;
    groups.set(key, g);
  }
  return [...groups.entries()].sort((x, y) => y[1].n - x[1].n).map(([k, g]) => `${g.n} × ${k} (ex. ${g.example})`);
}

/** A data.gouv.fr organisation export (API v1 page) with every licence id and the fields udata gives. */
const licenceIds = [
  'lov2',
  'fr-lo',
  'odc-odbl',
  'odc-by',
  'odc-pddl',
  'cc-by',
  'cc-by-sa',
  'cc-zero',
  'other-at',
  'other-open',
  'other-pd',
  'other-closed',
  'notspecified',
];
const frequencyIds = [
  'continuous',
  'punctual',
  'daily',
  'weekly',
  'biweekly',
  'monthly',
  'quarterly',
  'semiannual',
  'annual',
  'irregular',
  'unknown',
  'hourly',
  'threeTimesAYear',
];
const formats = ['csv', 'json', 'xlsx', 'zip', 'geojson', 'pdf', 'shp', 'xml', 'ods', 'txt', 'parquet', 'CSV', 'application/json'];
const datagouvExport = {
  data: licenceIds.map((license, i) => ({
    id: `5b7ffc618b4c4169d30727${String(i).padStart(2, '0')}`,
    title: `Jeu importé ${i} (${license})`,
    slug: `jeu-importe-${i}`,
    description: `Description du jeu ${i}.`,
    page: `https://www.data.gouv.fr/fr/datasets/jeu-importe-${i}/`,
    license,
    frequency: frequencyIds[i % frequencyIds.length],
    tags: ['import', `t${i}`],
    created_at: '2019-03-04T10:00:00.000000+00:00',
    last_modified: '2024-05-06T11:12:13.000000+00:00',
    last_update: '2024-05-06T11:12:13.000000+00:00',
    temporal_coverage: i % 2 ? { start: '2010-01-01', end: '2020-12-31' } : null,
    spatial: i % 3 ? { zones: ['country:fr'], granularity: 'country' } : { zones: ['fr:departement:75'], granularity: 'fr:departement' },
    contact_points: [{ id: `cp${i}`, name: `Bureau ${i}`, email: `bureau${i}@interieur.gouv.fr`, role: 'contact' }],
    schema: i % 4 === 0 ? { name: 'etalab/schema-irve-statique', version: '2.3.1', url: null } : null,
    private: false,
    archived: null,
    resources: [
      { title: `Fichier ${i}`, url: `https://www.data.gouv.fr/fr/datasets/r/${i}-a`, format: formats[i % formats.length], filesize: 1000 + i, type: 'main' },
      { title: `Sans format ${i}`, url: `https://static.data.gouv.fr/resources/jeu-${i}/fichier`, type: 'documentation' },
    ],
  })),
  page: 1,
  page_size: 20,
  total: licenceIds.length,
};

/** Assets created in Patrimoine: what udata's harvester reads, and what must never be published. */
const ownAssets = [
  {
    kind: 'dataset',
    slug: 'temps-reel',
    title: 'Disponibilité des bornes en temps réel',
    description: 'Flux continu.',
    owner: 'DSR',
    openness: 'ouvert',
    contacts: [
      { role: 'dpo', name: 'DPO du ministère', email: 'dpo@interieur.gouv.fr' },
      { role: 'contact_public', name: 'Bureau des données routières', email: 'donnees-routieres@interieur.gouv.fr' },
    ],
    spec: {
      frequency: 'continuous',
      schemaRef: 'etalab/schema-irve-dynamique',
      spatialCoverage: 'France',
      licence: 'ODbL',
      resources: [{ title: 'Flux', url: 'https://exemple.interieur.gouv.fr/flux.json', format: 'json', size: 42 }],
    },
  },
  {
    kind: 'dataset',
    slug: 'ponctuel',
    title: 'Enquête ponctuelle',
    openness: 'ouvert',
    spec: {
      frequency: 'punctual',
      licence: 'Licence Ouverte 1.0',
      schemaRef: 'https://schema.data.gouv.fr/schemas/etalab/schema-irve-statique/2.3.1/schema-statique.json',
    },
  },
  { kind: 'dataset', slug: 'ferme', title: 'Jeu fermé secret', openness: 'ferme' },
  { kind: 'dataset', slug: 'a-ouvrir', title: 'Jeu pas encore ouvert', openness: 'a_ouvrir' },
  { kind: 'dataset', slug: 'perso', title: 'Jeu de données personnelles', openness: 'a_ouvrir', personalData: true },
  {
    kind: 'dataset',
    slug: 'archive',
    title: 'Jeu archivé décommissionné',
    openness: 'ouvert',
    lifecycle: 'decommissionne',
    decommissionedOn: '2024-01-31',
  },
];
/**
 * udata's API v1 records with every field the import keeps (fixtures/udata/api-v1-statuses.json: a complete
 * dataset, a private one, an archived one), plus a variant with a schema URL, a creator, a Polygon and zones.
 */
interface UdataRecord {
  id: string;
  slug: string;
  title: string;
  created_at: string;
  last_modified: string;
  organization: { id: string; [k: string]: unknown };
  spatial: { geom: unknown; [k: string]: unknown };
  [k: string]: unknown;
}
const statuses = JSON.parse(readFileSync(new URL('./fixtures/udata/api-v1-statuses.json', import.meta.url), 'utf8')) as { data: UdataRecord[] };
const [complete, privateOne, archivedOne] = statuses.data as [UdataRecord, UdataRecord, UdataRecord];
const SCHEMA_URL = 'https://schema.data.gouv.fr/schemas/etalab/schema-dae/2.0.0/schema.json';
const variant = {
  ...complete,
  id: '5c1bab838b4c415d323a0099',
  slug: 'jeu-variante',
  title: 'Défibrillateurs (variante avec URL de schéma)',
  organization: { ...complete.organization, page: 'https://www.data.gouv.fr/organizations/commune-de-sixt-sur-aff/' },
  schema: { name: 'etalab/schema-dae', version: '2.0.0', url: SCHEMA_URL },
  contact_points: [
    { id: 'cp1', name: 'Accueil', email: null, contact_form: 'https://www.sixt-sur-aff.fr/accueil', role: 'contact' },
    { id: 'cp2', name: 'Bureau d’études', email: 'etudes@sixt-sur-aff.fr', contact_form: null, role: 'creator' },
  ],
  spatial: {
    zones: ['country:fr', 'fr:departement:35'],
    granularity: 'fr:departement',
    geom: {
      type: 'Polygon',
      coordinates: [
        [
          [-2.08, 47.91],
          [-2.02, 47.91],
          [-2.02, 47.95],
          [-2.08, 47.91],
        ],
      ],
    },
  },
};

const hidden = ['Jeu fermé secret', 'Jeu pas encore ouvert', 'Jeu de données personnelles', 'Jeu archivé décommissionné'];
const created: Record<string, { asset?: unknown; createdAt?: string; updatedAt?: string }> = {};

describe('DCAT-AP validated with SEMICeu’s SHACL shapes', () => {
  let s: TestPlatform;
  beforeAll(async () => {
    s = await createTestPlatform();
    for (const m of s.modules) if (m.name === 'catalog') await m.seedDemo!();
    // The open data demo publishes files: their dcat:Distribution (checksum, conformsTo, byteSize) are checked too.
    for (const m of s.modules) if (m.name === 'opendata') await m.seedDemo!();
    const dsr = (await s.tokenFor('data_admin', { organisationCode: 'DSR' })).token;
    const r = await s.app.inject({
      method: 'POST',
      url: '/api/catalog/import/datagouv',
      headers: bearer(dsr),
      payload: { content: JSON.stringify(datagouvExport), owner: 'DSR' },
    });
    expect(r.statusCode, r.body).toBe(200);
    for (const data of [statuses.data, [variant]]) {
      const imp = await s.app.inject({
        method: 'POST',
        url: '/api/catalog/import/datagouv',
        headers: bearer(dsr),
        payload: { content: JSON.stringify({ data, page: 1, page_size: 20, total: data.length }), owner: 'DSR' },
      });
      expect(imp.statusCode, imp.body).toBe(200);
    }
    const admin = (await s.tokenFor('admin')).token;
    for (const a of ownAssets) {
      const c = await s.app.inject({ method: 'POST', url: '/api/catalog/assets', headers: bearer(admin), payload: a });
      expect(c.statusCode, c.body).toBe(201);
      created[a.slug] = c.json();
    }
  });
  afterAll(async () => s?.teardown());

  const turtle = async () => new Parser({ format: 'text/turtle' }).parse((await s.app.inject('/catalog.ttl')).body);
  const fromJsonLd = async () =>
    new Parser({ format: 'application/n-quads' }).parse(
      (await jsonld.toRDF((await s.app.inject('/catalog.jsonld')).json(), { format: 'application/n-quads' })) as unknown as string,
    );

  it('/catalog.ttl and /catalog.jsonld have 0 violations of DCAT-AP 3.0.1 (core + range)', async () => {
    const shapes = shapesStore(SHAPES['DCAT-AP 3.0.1 (core + range)']);
    for (const [label, quads] of [
      ['Turtle', await turtle()],
      ['JSON-LD', await fromJsonLd()],
    ] as const) {
      expect(quads.filter((q) => q.object.value === `${DCAT}Dataset`).length, label).toBeGreaterThan(licenceIds.length);
      // The imported datasets carrying every field are in the graph that is checked.
      for (const slug of ['jeu-complet', 'jeu-variante'])
        expect(
          quads.some((q) => q.subject.value === ds(slug) && q.object.value === `${DCAT}Dataset`),
          `${label} ${slug}`,
        ).toBe(true);
      expect(
        quads.some((q) => q.predicate.value === 'http://spdx.org/rdf/terms#checksumValue'),
        `${label}: published open data files are distributions`,
      ).toBe(true);
      const v = await violations(shapes, quads);
      expect(v.slice(0, 30), `${label}: ${v.length} kinds of violations`).toEqual([]);
    }
  }, 120_000);

  it('the 2.1.1 profile of the same graph has 0 violations of DCAT-AP 2.1.1 (core + range); the 3.0.1 one differs by dcat:byteSize and locn:geometry only', async () => {
    // Every dataset, public or not: dcatQuads leaves out what is not publishable by itself.
    const assets = (await s.services.catalog!.listAssets({ kind: 'dataset', page: 1, pageSize: 500 })).items;
    expect(assets.length).toBeGreaterThan(licenceIds.length);
    const opts = { baseUrl: 'https://patrimoine.example', title: 'Catalogue', publisherName: 'Ministère' };
    const shapes = shapesStore(SHAPES['DCAT-AP 2.1.1 (core + range)']);
    expect(await violations(shapes, dcatQuads(assets, { ...opts, profile: '2.1.1' }))).toEqual([]);
    const v301 = await violations(shapes, dcatQuads(assets, opts));
    // 2.1.1 wants a decimal byte size and a literal geometry, 3.0.1 a non-negative integer and a locn:Geometry node.
    expect(v301, v301.join('\n')).toHaveLength(2);
    expect(v301.join('\n')).toContain(`${DCAT}byteSize — Value does not have datatype <http://www.w3.org/2001/XMLSchema#decimal>`);
    expect(v301.join('\n')).toContain('http://www.w3.org/ns/locn#geometry — ');
  }, 120_000);
  it('/catalog.ttl?profile=2.1.1 has 0 violations of DCAT-AP 2.1.1 (core + range)', async () => {
    const r = await s.app.inject('/catalog.ttl?profile=2.1.1');
    expect(r.statusCode).toBe(200);
    const quads = new Parser({ format: 'text/turtle' }).parse(r.body);
    expect(await violations(shapesStore(SHAPES['DCAT-AP 2.1.1 (core + range)']), quads)).toEqual([]);
    expect((await s.app.inject('/catalog.ttl?profile=1.0')).statusCode).toBe(400);
  }, 120_000);

  const store = async () => new Store(await turtle());
  /** Objects of (subject, predicate); a subject given as a string is an IRI, or `_:id` for a blank node. */
  const one = (st: Store, subject: string, predicate: string) =>
    st.getObjects(subject.startsWith('http') ? subject : `_:${subject}`, predicate, null).map((o) => o.value);
  const ds = (slug: string) => `http://localhost:8080/catalogue/dataset/${slug}`;

  it('publishes no asset that is not public: closed, to open, personal, decommissioned (Turtle and JSON-LD)', async () => {
    const ttl = (await s.app.inject('/catalog.ttl')).body;
    const json = (await s.app.inject('/catalog.jsonld')).body;
    for (const title of hidden) {
      expect(ttl).not.toContain(title);
      expect(json).not.toContain(title);
    }
    expect(ttl).toContain('Enquête ponctuelle');
  });
  it('publishes no data.gouv.fr dataset imported as private or archived (Turtle and JSON-LD)', async () => {
    const ttl = (await s.app.inject('/catalog.ttl')).body;
    const json = (await s.app.inject('/catalog.jsonld')).body;
    for (const d of [privateOne, archivedOne]) {
      for (const body of [ttl, json]) {
        expect(body).not.toContain(d.title);
        expect(body).not.toContain(d.id);
        expect(body).not.toContain(`/catalogue/dataset/${d.slug}`);
      }
    }
    // The complete one, imported with them, is published: the two are left out for their status only.
    expect(ttl).toContain(complete.title);
    expect(json).toContain(complete.title);
    const st = await store();
    expect(st.getSubjects(`${DCAT}dataset`, null, null)).toHaveLength(1);
    const published = st.getObjects(null, `${DCAT}dataset`, null).map((o) => o.value);
    expect(published).toContain(ds('jeu-complet'));
    expect(published).not.toContain(ds('jeu-prive'));
    expect(published).not.toContain(ds('jeu-archive'));
  });

  it('gives an imported dataset what udata’s harvester reads: source dates, vCard contact points, schema, source publisher, zones and geometry', async () => {
    const st = await store();
    const full = ds('jeu-complet');
    // Dates: data.gouv.fr's created_at and last_modified, not the time of the import.
    expect(one(st, full, `${DCT}issued`)).toEqual([new Date(complete.created_at).toISOString()]);
    expect(one(st, full, `${DCT}modified`)).toEqual([new Date(complete.last_modified).toISOString()]);
    // Contact points: the source's « contact » as a vCard (udata's contact_point_from_vcard reads fn, hasEmail, hasURL).
    const cps = one(st, full, `${DCAT}contactPoint`);
    expect(cps).toHaveLength(1);
    expect(one(st, cps[0]!, `${VCARD}fn`)).toEqual(['Mairie de Sixt-sur-Aff']);
    expect(one(st, cps[0]!, `${VCARD}hasEmail`)).toEqual(['mailto:mairie@sixt-sur-aff.fr']);
    const vcps = one(st, ds('jeu-variante'), `${DCAT}contactPoint`);
    expect(vcps.flatMap((n) => one(st, n, `${VCARD}hasURL`))).toEqual(['https://www.sixt-sur-aff.fr/accueil']);
    const creators = one(st, ds('jeu-variante'), `${DCT}creator`);
    expect(creators.flatMap((n) => one(st, n, 'http://xmlns.com/foaf/0.1/name'))).toEqual(['Bureau d’études']);
    // Schema: the schema.data.gouv.fr page of name and version, or the schema's URL, titled by its name.
    expect(one(st, full, `${DCT}conformsTo`)).toEqual(['https://schema.data.gouv.fr/etalab/schema-dae/2.0.0/']);
    expect(one(st, ds('jeu-variante'), `${DCT}conformsTo`)).toEqual([SCHEMA_URL]);
    expect(one(st, SCHEMA_URL, `${DCT}title`)).toEqual(['etalab/schema-dae']);
    // Publisher: the source organisation (not one of ours); ours is the distributor.
    const pubs = one(st, full, `${DCT}publisher`);
    expect(pubs).toEqual([`https://www.data.gouv.fr/organizations/${complete.organization.id}/`]);
    expect(one(st, pubs[0]!, 'http://xmlns.com/foaf/0.1/name')).toEqual(['Commune de Sixt-sur-Aff']);
    expect(one(st, full, 'http://data.europa.eu/930/distributor')).toEqual(['http://localhost:8080/organisations/DSR']);
    expect(one(st, ds('jeu-variante'), `${DCT}publisher`)).toEqual(['https://www.data.gouv.fr/organizations/commune-de-sixt-sur-aff/']);
    // Our own datasets keep our organisation as publisher.
    expect(one(st, ds('temps-reel'), `${DCT}publisher`)).toEqual(['http://localhost:8080/organisations/DSR']);
    // Zones: data.gouv.fr's zone addresses with their ids; country:fr is also the EU country.
    const spatial = one(st, ds('jeu-variante'), `${DCT}spatial`);
    expect(spatial).toContain('https://www.data.gouv.fr/api/1/spatial/zone/fr:departement:35/');
    expect(spatial).toContain('https://www.data.gouv.fr/api/1/spatial/zone/country:fr/');
    expect(spatial).toContain('http://publications.europa.eu/resource/authority/country/FRA');
    expect(one(st, 'https://www.data.gouv.fr/api/1/spatial/zone/fr:departement:35/', `${DCT}identifier`)).toEqual(['fr:departement:35']);
    expect(one(st, full, `${DCT}spatial`)).toContain('https://www.data.gouv.fr/api/1/spatial/zone/fr:commune:35327/');
    // Geometry: a GeoJSON literal on the location, as udata's spatial_from_rdf parses it, and a locn:Geometry.
    const GSP = 'http://www.opengis.net/ont/geosparql#';
    const located = one(st, full, `${DCT}spatial`).filter((n) => !n.startsWith('http'));
    expect(located).toHaveLength(1);
    const lit = st.getObjects(`_:${located[0]}`, `${GSP}asGeoJSON`, null);
    expect(lit).toHaveLength(1);
    expect((lit[0] as { datatype: { value: string } }).datatype.value).toBe(`${GSP}geoJSONLiteral`);
    expect(JSON.parse(lit[0]!.value)).toEqual(complete.spatial.geom);
    const geometry = one(st, located[0]!, 'http://www.w3.org/ns/locn#geometry');
    expect(one(st, geometry[0]!, `${GSP}asWKT`)[0]).toMatch(/^MULTIPOLYGON \(\(\(-2\.08 47\.91, /);
    const vloc = one(st, ds('jeu-variante'), `${DCT}spatial`).filter((n) => !n.startsWith('http'));
    const vgeom = one(st, vloc[0]!, 'http://www.w3.org/ns/locn#geometry');
    expect(one(st, vgeom[0]!, `${GSP}asWKT`)).toEqual(['POLYGON ((-2.08 47.91, -2.02 47.91, -2.02 47.95, -2.08 47.91))']);
  });

  it('the 2.1.1 profile gives the geometry as a GeoJSON literal of locn:geometry', async () => {
    const quads = new Parser({ format: 'text/turtle' }).parse((await s.app.inject('/catalog.ttl?profile=2.1.1')).body);
    const st = new Store(quads);
    const loc = one(st, ds('jeu-complet'), `${DCT}spatial`).filter((n) => !n.startsWith('http'));
    const g = st.getObjects(`_:${loc[0]}`, 'http://www.w3.org/ns/locn#geometry', null);
    expect(g).toHaveLength(1);
    expect(g[0]!.termType).toBe('Literal');
    expect(JSON.parse(g[0]!.value)).toEqual(complete.spatial.geom);
  });

  it('keeps what udata’s DCAT harvester reads: frequency, contact points, schema, dates, spatial coverage', async () => {
    const st = await store();
    const EUF = 'http://publications.europa.eu/resource/authority/frequency/';
    expect(one(st, ds('temps-reel'), `${DCT}accrualPeriodicity`)).toEqual([`${EUF}UPDATE_CONT`]);
    expect(one(st, ds('ponctuel'), `${DCT}accrualPeriodicity`)).toEqual([`${EUF}AS_NEEDED`]);
    // Contact points: the asset's public contact as a vCard, not the publisher nor the DPO.
    const cps = st.getObjects(ds('temps-reel'), `${DCAT}contactPoint`, null);
    expect(cps).toHaveLength(1);
    expect(one(st, cps[0]!.value, `${VCARD}fn`)).toEqual(['Bureau des données routières']);
    expect(one(st, cps[0]!.value, `${VCARD}hasEmail`)).toEqual(['mailto:donnees-routieres@interieur.gouv.fr']);
    expect(st.getObjects(ds('ponctuel'), `${DCAT}contactPoint`, null)).toHaveLength(0);
    // The TableSchema: a schema.data.gouv.fr name becomes its page, a URL stays as it is.
    expect(one(st, ds('temps-reel'), `${DCT}conformsTo`)).toEqual(['https://schema.data.gouv.fr/etalab/schema-irve-dynamique/']);
    expect(one(st, ds('ponctuel'), `${DCT}conformsTo`)).toEqual(['https://schema.data.gouv.fr/schemas/etalab/schema-irve-statique/2.3.1/schema-statique.json']);
    // Dates are the asset's, not the time of the export.
    const asset = created['temps-reel'] as { createdAt: string; updatedAt: string };
    expect(one(st, ds('temps-reel'), `${DCT}issued`)).toEqual([new Date(asset.createdAt).toISOString()]);
    expect(one(st, ds('temps-reel'), `${DCT}modified`)).toEqual([new Date(asset.updatedAt).toISOString()]);
    // Spatial coverage: the label, and the EU country for « France ».
    const spatial = one(st, ds('temps-reel'), `${DCT}spatial`);
    expect(spatial).toContain('http://publications.europa.eu/resource/authority/country/FRA');
    expect(spatial.flatMap((n) => one(st, n, 'http://www.w3.org/2004/02/skos/core#prefLabel'))).toEqual(['France']);
    // Formats and sizes.
    const dist = one(st, ds('temps-reel'), `${DCAT}distribution`)[0]!;
    expect(one(st, dist, `${DCT}format`)).toEqual(['http://publications.europa.eu/resource/authority/file-type/JSON']);
    expect(one(st, dist, `${DCAT}mediaType`)).toEqual(['http://www.iana.org/assignments/media-types/application/json']);
    expect(one(st, dist, `${DCAT}byteSize`)).toEqual(['42']);
  });

  it('gives each imported data.gouv.fr licence the URI data.gouv.fr recognises, and none for notspecified', async () => {
    const st = await store();
    const slugOf = (i: number) => ds(`jeu-importe-${i}`);
    const lic = (i: number) => one(st, slugOf(i), `${DCT}license`);
    const rights = (i: number) => one(st, slugOf(i), `${DCT}rights`).flatMap((n) => one(st, n, 'http://www.w3.org/2000/01/rdf-schema#label'));
    expect(lic(licenceIds.indexOf('lov2'))).toEqual(['https://www.etalab.gouv.fr/licence-ouverte-open-licence']);
    expect(lic(licenceIds.indexOf('fr-lo'))).toEqual(['https://www.etalab.gouv.fr/wp-content/uploads/2014/05/Licence_Ouverte.pdf']);
    expect(lic(licenceIds.indexOf('odc-odbl'))).toEqual(['http://opendatacommons.org/licenses/odbl/summary/']);
    expect(lic(licenceIds.indexOf('odc-by'))).toEqual(['http://opendatacommons.org/licenses/by/summary/']);
    expect(lic(licenceIds.indexOf('cc-by-sa'))).toEqual(['http://www.opendefinition.org/licenses/cc-by-sa']);
    expect(lic(licenceIds.indexOf('cc-zero'))).toEqual(['http://www.opendefinition.org/licenses/cc-zero']);
    expect(lic(licenceIds.indexOf('other-at'))).toEqual([]);
    expect(rights(licenceIds.indexOf('other-at'))).toEqual(['Other (Attribution)']);
    expect(lic(licenceIds.indexOf('notspecified'))).toEqual([]);
    expect(rights(licenceIds.indexOf('notspecified'))).toEqual([]);
    // A resource without format has no dct:format; the imported CSV has the EU CSV.
    const dists = one(st, slugOf(0), `${DCAT}distribution`).sort();
    expect(one(st, dists[0]!, `${DCT}format`)).toEqual(['http://publications.europa.eu/resource/authority/file-type/CSV']);
    expect(one(st, dists[1]!, `${DCT}format`)).toEqual([]);
  });
});

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { readPubliccodeYaml, validatePubliccode } from './publiccode.validate.ts';

let t: TestPlatform;
let admin: string;
let dsr: string;

beforeAll(async () => {
  t = await createTestPlatform();
  admin = (await t.tokenFor('admin')).token;
  dsr = (await t.tokenFor('data_admin', { organisationCode: 'DSR' })).token;
});
afterAll(async () => t?.teardown());

const udata = {
  data: [
    {
      id: '53698f4ca3a729239d2036df',
      title: 'Bases de données annuelles des accidents corporels de la circulation routière',
      slug: 'bases-de-donnees-annuelles-des-accidents-corporels-de-la-circulation-routiere-annees-de-2005-a-2022',
      description: 'Pour chaque accident corporel…',
      page: 'https://www.data.gouv.fr/fr/datasets/bases-de-donnees-annuelles-des-accidents-corporels/',
      license: 'lov2',
      frequency: 'annual',
      tags: ['accidents', 'securite-routiere'],
      temporal_coverage: { start: '2005-01-01', end: '2022-12-31' },
      spatial: { zones: ['country:fr'], granularity: 'country' },
      resources: [{ title: 'Caractéristiques 2022', url: 'https://www.data.gouv.fr/fr/datasets/r/5fc299c0', format: 'csv', filesize: 1234567 }],
    },
    { id: '5b7ffc618b4c4169d30727e0', title: 'Radars automatiques', description: null, license: 'fr-lo', frequency: 'biweekly', tags: null, resources: [] },
  ],
  page: 1,
  total: 2,
};

describe('interoperability', () => {
  it('imports a data.gouv.fr organisation export, matching by data.gouv.fr id on the next run', async () => {
    const imp = (content: string, dryRun = false) =>
      t.app.inject({ method: 'POST', url: '/api/catalog/import/datagouv', headers: bearer(dsr), payload: { content, owner: 'DSR', dryRun } });
    const dry = await imp(JSON.stringify(udata), true);
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json().summary.created).toBe(2);
    expect(await t.services.catalog!.listAssets({ kind: 'dataset', page: 1, pageSize: 10 })).toMatchObject({ total: 0 });
    expect((await imp(JSON.stringify(udata))).json().summary.created).toBe(2);
    const list = await t.services.catalog!.listAssets({ kind: 'dataset', page: 1, pageSize: 10 });
    const acc = list.items.find((a) => a.title.startsWith('Bases'))!;
    expect(acc.spec).toMatchObject({
      datagouvId: '53698f4ca3a729239d2036df',
      licence: 'Licence Ouverte 2.0',
      frequency: 'annual',
      temporalCoverageStart: '2005-01-01',
      spatialCoverage: 'France',
    });
    expect(acc.openness).toBe('ouvert');
    // The asset is renamed and enriched in Patrimoine; the next import matches it by id and keeps the slug and contacts.
    await t.app.inject({
      method: 'PUT',
      url: `/api/catalog/assets/dataset/${acc.slug}`,
      headers: bearer(dsr),
      payload: {
        kind: 'dataset',
        slug: 'accidents',
        title: acc.title,
        owner: 'DSR',
        openness: 'ouvert',
        contacts: [{ role: 'contact_public', name: 'ONISR' }],
        spec: acc.spec,
      },
    });
    udata.data[0]!.title = 'Accidents corporels (BAAC)';
    const again = (await imp(JSON.stringify(udata))).json();
    expect(again.summary).toMatchObject({ created: 0, updated: 1, unchanged: 1 });
    const after = await t.services.catalog!.getAsset('dataset', 'accidents');
    expect(after).toMatchObject({ title: 'Accidents corporels (BAAC)', contacts: [{ name: 'ONISR' }] });
    const bad = await imp(JSON.stringify({ data: [{ title: 'sans id' }] }));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('data.0.id');
  });

  it('maps the source organisation to ours over HTTP (acronym = code), keeping the source publisher', async () => {
    const page = {
      data: [
        {
          id: '6123456789abcdef01234567',
          title: 'Radars de la sécurité routière (organisation source)',
          description: 'Jeu publié par la délégation à la sécurité routière sur data.gouv.fr.',
          license: 'lov2',
          frequency: 'monthly',
          organization: { id: '5c3f0a1b8b4c41120e8b4567', name: 'Délégation à la sécurité routière', acronym: 'DSR' },
          resources: [],
        },
      ],
      page: 1,
      total: 1,
    };
    const admin = (await t.tokenFor('admin')).token;
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/catalog/import/datagouv',
      headers: bearer(admin),
      payload: { content: JSON.stringify(page), owner: 'DNUM' },
    });
    expect(r.statusCode, r.body).toBe(200);
    const row = await t.services.catalog!.listAssets({ kind: 'dataset', q: 'organisation source', page: 1, pageSize: 10 });
    const a = row.items.find((x) => x.spec.datagouvId === page.data[0]!.id)!;
    expect(a.owner).toBe('DSR');
    expect(a.spec.publisher).toMatchObject({ name: 'Délégation à la sécurité routière' });
  });

  const udataDir = join(import.meta.dirname, 'fixtures', 'udata');
  const importDatagouv = (content: string, token = dsr) =>
    t.app.inject({ method: 'POST', url: '/api/catalog/import/datagouv', headers: bearer(token), payload: { content, owner: 'DSR' } });

  it('imports udata’s real API v1 datasets keeping acronym, source organisation, dates and each resource’s type, description, mime and checksum', async () => {
    const page = JSON.parse(readFileSync(join(udataDir, 'udata-fixtures-datasets.json'), 'utf8'));
    const r = await importDatagouv(JSON.stringify(page));
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().summary.created).toBe(page.data.length);
    for (const src of page.data) {
      const row = await t.services.catalog!.listAssets({ kind: 'dataset', q: src.title, page: 1, pageSize: 50 });
      const a = row.items.find((x) => x.spec.datagouvId === src.id)!;
      expect(a, src.slug).toBeDefined();
      expect(a.spec.frequency).toBe(src.frequency);
      expect(a.spec.publisher).toMatchObject({ name: src.organization.name, datagouvId: src.organization.id });
      if (src.acronym) expect(a.spec.acronym).toBe(src.acronym);
      expect(a.spec.issued).toBe(new Date(src.created_at_internal).toISOString());
      expect(a.spec.modified).toBe(new Date(src.last_modified_internal).toISOString());
      const resources = a.spec.resources as Record<string, unknown>[];
      expect(resources).toHaveLength(src.resources.length);
      type R = { url: string; type?: string; mime?: string; checksum?: { type: string; value: string }; description?: string | null };
      src.resources.forEach((x: R, i: number) => {
        expect(resources[i], `${src.slug} resource ${i}`).toMatchObject({
          url: x.url,
          ...(x.type ? { type: x.type } : {}),
          ...(x.mime ? { mime: x.mime } : {}),
          ...(x.checksum ? { checksum: { type: x.checksum.type, value: x.checksum.value } } : {}),
          ...(x.description?.trim() ? { description: x.description.length <= 10_000 ? x.description : expect.any(String) } : {}),
        });
      });
      expect(a.openness).toBe('ouvert');
    }
  });

  it('keeps zones, geometry, contact points, schema and dates, and never publishes a private or archived dataset', async () => {
    const page = JSON.parse(readFileSync(join(udataDir, 'api-v1-statuses.json'), 'utf8'));
    const r = await importDatagouv(JSON.stringify(page));
    expect(r.statusCode, r.body).toBe(200);
    const full = await t.services.catalog!.getAsset('dataset', 'jeu-complet');
    expect(full).toMatchObject({
      openness: 'ouvert',
      contacts: [
        { role: 'contact_public', name: 'Mairie de Sixt-sur-Aff', email: 'mairie@sixt-sur-aff.fr' },
        { role: 'autre', name: 'Service technique' },
      ],
      spec: {
        licence: 'Licence Ouverte 2.0',
        spatialZones: ['fr:commune:35327'],
        spatialGranularity: 'fr:commune',
        spatialGeometry: page.data[0].spatial.geom,
        contactPoints: [
          { name: 'Mairie de Sixt-sur-Aff', email: 'mairie@sixt-sur-aff.fr', role: 'contact' },
          { name: 'Service technique', contactForm: 'https://www.sixt-sur-aff.fr/contact', role: 'publisher' },
        ],
        schema: { name: 'etalab/schema-dae', version: '2.0.0' },
        schemaRef: 'etalab/schema-dae@2.0.0',
        publisher: { name: 'Commune de Sixt-sur-Aff', acronym: 'SSA' },
        issued: new Date(page.data[0].created_at).toISOString(),
        modified: new Date(page.data[0].last_modified).toISOString(),
      },
    });
    const priv = await t.services.catalog!.getAsset('dataset', 'jeu-prive');
    const arch = await t.services.catalog!.getAsset('dataset', 'jeu-archive');
    expect(priv).toMatchObject({ openness: 'ferme', spec: { datagouvStatus: 'private', frequency: 'semiannual', spatialCoverage: 'France' } });
    expect(arch).toMatchObject({ openness: 'ferme', lifecycle: 'decommissionne', decommissionedOn: '2024-03-01', spec: { datagouvStatus: 'archived' } });
    const ttl = (await t.app.inject('/catalog.ttl')).body;
    expect(ttl).toContain(page.data[0].title);
    expect(ttl).not.toContain(page.data[1].title);
    expect(ttl).not.toContain(page.data[2].title);
    expect((await t.app.inject('/api/catalog/assets/dataset/jeu-prive')).statusCode).toBe(404);
    // The open one turns private at the source: the next import closes it and it leaves the DCAT catalogue.
    page.data[0].private = true;
    expect((await importDatagouv(JSON.stringify(page))).statusCode).toBe(200);
    expect(await t.services.catalog!.getAsset('dataset', 'jeu-complet')).toMatchObject({ openness: 'ferme', spec: { datagouvStatus: 'private' } });
    expect((await t.app.inject('/catalog.ttl')).body).not.toContain(page.data[0].title);
  });

  it('exports a valid publiccode.yml for a described repository, and imports it back', async () => {
    const description =
      'Histovec permet à un vendeur de partager gratuitement l’historique administratif de son véhicule (immatriculations, sinistres, contrôles techniques) avec un acheteur, à partir des données du SIV.';
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/catalog/assets',
      headers: bearer(admin),
      payload: {
        kind: 'repository',
        slug: 'histovec',
        title: 'Histovec',
        owner: 'DSR',
        openness: 'ouvert',
        description,
        tags: ['historique de véhicule', 'partage de rapport'],
        spec: {
          url: 'https://github.com/histovec/histovec',
          licence: 'AGPL-3.0-or-later',
          developmentStatus: 'stable',
          softwareType: 'standalone/web',
          maintenance: 'internal',
        },
        contacts: [{ role: 'referent_technique', name: 'Équipe Histovec', email: 'histovec@interieur.gouv.fr' }],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const r = await t.app.inject('/api/catalog/assets/repository/histovec/publiccode.yml');
    expect(r.statusCode, r.body).toBe(200);
    expect(validatePubliccode(r.body)).toEqual([]);
    const pc = parseYaml(r.body);
    expect(pc).toMatchObject({
      publiccodeYmlVersion: '0.4',
      name: 'Histovec',
      url: 'https://github.com/histovec/histovec',
      platforms: ['web'],
      developmentStatus: 'stable',
      softwareType: 'standalone/web',
      description: { fr: { longDescription: description, features: ['historique de véhicule', 'partage de rapport'] } },
      legal: { license: 'AGPL-3.0-or-later' },
      maintenance: { type: 'internal', contacts: [{ name: 'Équipe Histovec', email: 'histovec@interieur.gouv.fr' }] },
      localisation: { localisationReady: false, availableLanguages: ['fr'] },
    });
    expect([...pc.description.fr.shortDescription].length).toBeLessThanOrEqual(150);
    pc.name = 'Candilib';
    pc.url = 'https://github.com/LAB-MI/candilibV2';
    const imp = await t.app.inject({
      method: 'POST',
      url: '/api/catalog/publiccode',
      headers: bearer(dsr),
      payload: { content: JSON.stringify(pc), slug: 'candilib', owner: 'DSR' },
    });
    expect(imp.statusCode, imp.body).toBe(200);
    expect(await t.services.catalog!.getAsset('repository', 'candilib')).toMatchObject({
      title: 'Candilib',
      spec: { url: 'https://github.com/LAB-MI/candilibV2', licence: 'AGPL-3.0-or-later' },
    });
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/catalog/publiccode',
      headers: bearer(dsr),
      payload: { content: 'name: X\nurl: pas une url\n', slug: 'x', owner: 'DSR' },
    });
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toContain('publiccode.url');
  });

  it('refuses to export a publiccode.yml that the standard’s rules refuse, and says what is missing', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/api/catalog/assets',
      headers: bearer(admin),
      payload: {
        kind: 'repository',
        slug: 'incomplet',
        title: 'Dépôt incomplet',
        owner: 'DSR',
        openness: 'ouvert',
        description: 'Trop court.',
        spec: { url: 'https://github.com/LAB-MI', licence: 'NOASSERTION', maintenance: 'internal' },
      },
    });
    const r = await t.app.inject('/api/catalog/assets/repository/incomplet/publiccode.yml');
    expect(r.statusCode).toBe(409);
    const fields = r.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['spec.url', 'spec.licence', 'description', 'tags', 'contacts', 'spec.developmentStatus', 'spec.softwareType', 'spec.platforms']),
    );
    expect(r.json().detail).toMatch(/ne donne pas un publiccode\.yml valide/);
    const page = await t.app.inject({ url: '/api/catalog/assets/repository/incomplet', headers: bearer(dsr) });
    const check = page.json().completeness.checks.find((c: { id: string }) => c.id === 'publiccode');
    expect(check).toMatchObject({ ok: false });
    expect(check.label).toMatch(/licence en identifiant SPDX/);
  });

  const fixtures = join(import.meta.dirname, 'fixtures', 'publiccode');
  const roundTrip = [
    ...readdirSync(join(fixtures, 'valid')).map((f) => `valid/${f}`),
    ...readdirSync(join(fixtures, 'standard')).map((f) => `standard/${f}`),
    'real/lynis.yml',
  ].filter((f) => f.endsWith('.yml'));

  it.each(roundTrip)('imports %s and exports it back valid, every key equal', async (file) => {
    const text = readFileSync(join(fixtures, file), 'utf8');
    const original = (readPubliccodeYaml(text) as { value: Record<string, unknown> }).value;
    const slug = `pc-${file
      .replace(/\.yml$/, '')
      .replace(/[^a-z0-9]+/gi, '-')
      .toLowerCase()}`.slice(0, 80);
    const imp = await t.app.inject({ method: 'POST', url: '/api/catalog/publiccode', headers: bearer(dsr), payload: { content: text, slug, owner: 'DSR' } });
    expect(imp.statusCode, imp.body).toBe(200);
    const out = await t.app.inject({ url: `/api/catalog/assets/repository/${slug}/publiccode.yml`, headers: bearer(dsr) });
    expect(out.statusCode, out.body).toBe(200);
    expect(validatePubliccode(out.body)).toEqual([]);
    const back = (readPubliccodeYaml(out.body) as { value: Record<string, unknown> }).value;
    for (const key of Object.keys(original)) expect(back[key], `${file}: ${key}`).toEqual(original[key]);
  });

  it('keeps an invalid real publiccode.yml (Catala) as it is, and its export names what the standard refuses', async () => {
    const text = readFileSync(join(fixtures, 'real', 'catala.yml'), 'utf8');
    const imp = await t.app.inject({
      method: 'POST',
      url: '/api/catalog/publiccode',
      headers: bearer(dsr),
      payload: { content: text, slug: 'catala', owner: 'DSR' },
    });
    expect(imp.statusCode, imp.body).toBe(200);
    const a = await t.services.catalog!.getAsset('repository', 'catala');
    expect(a!.spec.publiccode).toEqual((readPubliccodeYaml(text) as { value: unknown }).value);
    expect(a!.spec).toMatchObject({
      url: 'https://github.com/CatalaLang/catala',
      licence: 'apache-2.0',
      softwareType: 'standalone/other',
      maintenance: 'internal',
    });
    const out = await t.app.inject({ url: '/api/catalog/assets/repository/catala/publiccode.yml', headers: bearer(dsr) });
    expect(out.statusCode).toBe(409);
    const fields = out.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['publiccode.creationDate', 'spec.developmentStatus', 'description', 'spec.platforms']));
  });

  it('exports the algorithm inventory in Etalab’s columns', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/api/catalog/assets',
      headers: bearer(admin),
      payload: {
        kind: 'algorithm',
        slug: 'points',
        title: 'Calcul des points du permis',
        owner: 'DSR',
        openness: 'ouvert',
        spec: {
          purpose: 'Calculer le solde de points',
          legalBasis: 'Code de la route L223-1',
          individualDecisions: true,
          automation: 'fully_automated',
          algorithmType: 'rules',
          decisionsPerYear: 1000000,
        },
      },
    });
    const csv = await t.app.inject('/api/catalog/algorithms.csv');
    const [head, row] = csv.body.replace(/^\uFEFF/, '').split('\n');
    // Every column, in Etalab's order: catalog.algorithms.int.test.ts.
    expect(head!.split(';').slice(4, 7)).toEqual(['Nom de l’algorithme', 'Contexte global', 'Finalité de l’algorithme']);
    expect(row).toContain('Calcul des points du permis;;Calculer le solde de points;;décision entièrement automatisée;Code de la route L223-1;;1000000');
  });

  it('imports a data dictionary from CSV into a data model, and exports it', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/api/catalog/assets',
      headers: bearer(admin),
      payload: { kind: 'data_model', slug: 'siv', title: 'Modèle du SIV', owner: 'DSR' },
    });
    const csvIn =
      'table;colonne;type;description;donnee_personnelle;exemple\nvehicule;immatriculation;text;Numéro d’immatriculation;non;AB-123-CD\ntitulaire;nom;text;Nom du titulaire;oui;\n';
    const put = await t.app.inject({ method: 'PUT', url: '/api/catalog/assets/data_model/siv/dictionary', headers: bearer(dsr), payload: { content: csvIn } });
    expect(put.statusCode, put.body).toBe(200);
    const a = await t.services.catalog!.getAsset('data_model', 'siv');
    expect(a!.spec.tables).toEqual([
      {
        name: 'vehicule',
        columns: [{ name: 'immatriculation', type: 'text', description: 'Numéro d’immatriculation', personalData: false, example: 'AB-123-CD' }],
      },
      { name: 'titulaire', columns: [{ name: 'nom', type: 'text', description: 'Nom du titulaire', personalData: true }] },
    ]);
    const out = await t.app.inject({ url: '/api/catalog/assets/data_model/siv/dictionary.csv', headers: bearer(dsr) });
    expect(out.body).toContain('vehicule;immatriculation;text;Numéro d’immatriculation;non;AB-123-CD');
    const ddl = `CREATE TABLE vehicule (
  immatriculation varchar(9) NOT NULL PRIMARY KEY,
  date_mise_en_circulation date,
  titulaire_id integer REFERENCES titulaire(id)
);
COMMENT ON TABLE vehicule IS 'Véhicules immatriculés';
COMMENT ON COLUMN vehicule.immatriculation IS 'Numéro d''immatriculation';`;
    const sqlPut = await t.app.inject({ method: 'PUT', url: '/api/catalog/assets/data_model/siv/dictionary', headers: bearer(dsr), payload: { content: ddl } });
    expect(sqlPut.statusCode, sqlPut.body).toBe(200);
    expect((await t.services.catalog!.getAsset('data_model', 'siv'))!.spec.tables).toEqual([
      {
        name: 'vehicule',
        description: 'Véhicules immatriculés',
        columns: [
          { name: 'immatriculation', type: 'varchar(9)', personalData: false, description: 'Numéro d’immatriculation'.replace('’', "'") },
          { name: 'date_mise_en_circulation', type: 'date', personalData: false },
          { name: 'titulaire_id', type: 'integer', personalData: false },
        ],
      },
    ]);
    const badSql = await t.app.inject({
      method: 'PUT',
      url: '/api/catalog/assets/data_model/siv/dictionary',
      headers: bearer(dsr),
      payload: { content: 'CREATE TABLE x (\n  a int,,\n);' },
    });
    expect(badSql.statusCode).toBe(400);
    expect(badSql.json().errors[0].field).toBe('ligne 2');
    const bad = await t.app.inject({
      method: 'PUT',
      url: '/api/catalog/assets/data_model/siv/dictionary',
      headers: bearer(dsr),
      payload: { content: 'table;colonne;donnee_personnelle\nt;c;peut-être\n;x;non\n' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(['ligne 2', 'ligne 3']);
  });
});

describe('publiccode.yml of the demo repositories', () => {
  let d: TestPlatform;
  beforeAll(async () => {
    d = await createTestPlatform();
    for (const m of d.modules) if (m.name === 'catalog') await m.seedDemo!();
  });
  afterAll(async () => d?.teardown());

  it('exports each demo repository only as a valid file, otherwise refuses and its completeness says what is missing', async () => {
    const token = (await d.tokenFor('admin')).token;
    const list = await d.app.inject({ url: '/api/catalog/assets?kind=repository&pageSize=100', headers: bearer(token) });
    const slugs: string[] = list.json().items.map((a: { slug: string }) => a.slug);
    expect(slugs.length).toBeGreaterThanOrEqual(4);
    for (const slug of slugs) {
      const r = await d.app.inject(`/api/catalog/assets/repository/${slug}/publiccode.yml`);
      const page = (await d.app.inject({ url: `/api/catalog/assets/repository/${slug}`, headers: bearer(token) })).json();
      const check = page.completeness.checks.find((c: { id: string }) => c.id === 'publiccode');
      if (r.statusCode === 200) {
        expect(validatePubliccode(r.body), slug).toEqual([]);
        expect(check.ok).toBe(true);
      } else {
        expect(r.statusCode, slug).toBe(409);
        expect(r.json().errors.length, slug).toBeGreaterThan(0);
        expect(check.ok, slug).toBe(false);
      }
    }
    // Completed in the catalogue (description, SPDX licence, maintenance with its contact), one becomes exportable.
    const cur = page0(await d.app.inject({ url: '/api/catalog/assets/repository/candilib', headers: bearer(token) }));
    const put = await d.app.inject({
      method: 'PUT',
      url: '/api/catalog/assets/repository/candilib',
      headers: bearer(token),
      payload: {
        kind: 'repository',
        slug: 'candilib',
        title: cur.title,
        owner: cur.owner,
        openness: cur.openness,
        tags: cur.tags,
        description:
          'candilibV2 est l’application de réservation des places d’examen pratique du permis de conduire par les candidats libres, publiée par le Lab MI du ministère de l’Intérieur sous licence libre.',
        contacts: [{ role: 'referent_technique', name: 'Lab MI', email: 'labmi@interieur.gouv.fr' }],
        spec: { ...cur.spec, licence: 'AGPL-3.0-only', maintenance: 'internal' },
      },
    });
    expect(put.statusCode, put.body).toBe(200);
    const r = await d.app.inject('/api/catalog/assets/repository/candilib/publiccode.yml');
    expect(r.statusCode, r.body).toBe(200);
    expect(validatePubliccode(r.body)).toEqual([]);
  });
});

type Shown = { title: string; owner: string; openness: string; tags: string[]; spec: Record<string, unknown> };
const page0 = (r: { json: () => { asset?: Shown } & Shown }): Shown => r.json().asset ?? r.json();

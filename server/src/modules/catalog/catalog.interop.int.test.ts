import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';

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

  it('exports and imports publiccode.yml for a repository', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/api/catalog/assets',
      headers: bearer(admin),
      payload: {
        kind: 'repository',
        slug: 'histovec',
        title: 'Histovec',
        owner: 'DSR',
        openness: 'ouvert',
        description: 'Historique des véhicules.',
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
    const r = await t.app.inject('/api/catalog/assets/repository/histovec/publiccode.yml');
    expect(r.statusCode).toBe(200);
    const pc = parseYaml(r.body);
    expect(pc).toMatchObject({
      publiccodeYmlVersion: '0.4',
      name: 'Histovec',
      url: 'https://github.com/histovec/histovec',
      developmentStatus: 'stable',
      softwareType: 'standalone/web',
      legal: { license: 'AGPL-3.0-or-later' },
      maintenance: { type: 'internal', contacts: [{ name: 'Équipe Histovec', email: 'histovec@interieur.gouv.fr' }] },
    });
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
    expect(bad.json().errors[0].field).toBe('publiccode.url');
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
    expect(head!.split(';').slice(0, 5)).toEqual([
      'Administration (direction)',
      'Nom de l’algorithme',
      'Finalité',
      'Base juridique',
      'Fonde des décisions administratives individuelles',
    ]);
    expect(row).toContain('Calcul des points du permis;Calculer le solde de points;Code de la route L223-1;oui;décision entièrement automatisée;1000000');
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

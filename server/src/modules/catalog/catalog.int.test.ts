import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import type { CatalogAssetChanged } from './index.ts';

let t: TestPlatform;
let admin: string;
let dsr: string;
let dgef: string;
let reader: string;
const events: CatalogAssetChanged[] = [];

const post = (token: string, payload: unknown) =>
  t.app.inject({ method: 'POST', url: '/api/catalog/assets', headers: bearer(token), payload: payload as object });

beforeAll(async () => {
  t = await createTestPlatform();
  t.ctx.events.on('catalog.asset.changed', async (p) => {
    events.push(p);
  });
  admin = (await t.tokenFor('admin')).token;
  dsr = (await t.tokenFor('data_admin', { organisationCode: 'DSR' })).token;
  dgef = (await t.tokenFor('data_admin', { organisationCode: 'DGEF' })).token;
  reader = (await t.tokenFor('reader')).token;
});
afterAll(async () => t?.teardown());

describe('assets', () => {
  it('creates an asset of every kind, with its kind-specific fields and completeness', async () => {
    const bodies = [
      {
        kind: 'application',
        slug: 'histovec',
        title: 'Histovec',
        owner: 'DSR',
        openness: 'ouvert',
        description: 'Historique des véhicules d’occasion, à partir du système d’immatriculation des véhicules.',
        spec: { purpose: 'Consulter l’historique d’un véhicule', hosting: 'Cloud π', technologies: ['Node.js'] },
        tags: ['Véhicules'],
      },
      {
        kind: 'dataset',
        slug: 'accidents-corporels',
        title: 'Bases de données annuelles des accidents corporels de la circulation routière',
        owner: 'DSR',
        openness: 'ouvert',
        spec: {
          licence: 'Licence Ouverte 2.0',
          frequency: 'annual',
          resources: [{ title: 'Caractéristiques 2022', url: 'https://www.data.gouv.fr/fr/datasets/r/1', format: 'csv' }],
        },
      },
      {
        kind: 'data_model',
        slug: 'modele-siv',
        title: 'Modèle de données du SIV',
        owner: 'DSR',
        spec: { tables: [{ name: 'vehicule', columns: [{ name: 'immatriculation', type: 'text', personalData: false, description: 'Numéro' }] }] },
      },
      {
        kind: 'api',
        slug: 'api-histovec',
        title: 'API Histovec',
        owner: 'DSR',
        openness: 'ouvert',
        spec: { baseUrl: 'https://histovec.interieur.gouv.fr/api', accessType: 'open_with_account' },
      },
      {
        kind: 'repository',
        slug: 'histovec-code',
        title: 'Code source de Histovec',
        owner: 'DSR',
        openness: 'ouvert',
        spec: { url: 'https://github.com/histovec/histovec', licence: 'AGPL-3.0-or-later', developmentStatus: 'stable' },
      },
      {
        kind: 'algorithm',
        slug: 'candilib-attribution',
        title: 'Attribution des places d’examen Candilib',
        owner: 'DSR',
        openness: 'a_ouvrir',
        spec: { purpose: 'Répartir les places', individualDecisions: true, automation: 'fully_automated', algorithmType: 'rules' },
      },
    ];
    for (const b of bodies) {
      const r = await post(dsr, b);
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json()).toMatchObject({ kind: b.kind, slug: b.slug, owner: 'DSR', version: 1 });
      expect(r.json().completeness).toBeGreaterThan(0);
      expect(r.json().completeness).toBeLessThan(100);
    }
    const got = await t.app.inject({ url: '/api/catalog/assets/application/histovec', headers: bearer(reader) });
    expect(got.json().asset.tags).toEqual(['véhicules']);
    const missing = got
      .json()
      .completeness.checks.filter((c: { ok: boolean }) => !c.ok)
      .map((c: { id: string }) => c.id);
    expect(missing).toEqual(expect.arrayContaining(['contacts', 'schema', 'dictionary', 'users']));
    expect(missing).not.toContain('hosting');
  });

  it('refuses invalid input with the field named', async () => {
    const unknownField = await post(admin, { kind: 'dataset', slug: 'x-1', title: 'Jeu X', spec: { hosting: 'no' } });
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json().errors[0].field).toBe('spec');
    const badEnum = await post(admin, { kind: 'api', slug: 'x-2', title: 'API X', spec: { accessType: 'whatever', baseUrl: 'not a url' } });
    expect(
      badEnum
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['spec.accessType', 'spec.baseUrl']);
    const noReason = await post(admin, { kind: 'dataset', slug: 'x-3', title: 'Jeu secret', openness: 'non_ouvrable' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0].field).toBe('opennessReason');
    const badSlug = await post(admin, { kind: 'dataset', slug: 'Élan', title: 'Jeu' });
    expect(badSlug.json().errors[0].field).toBe('body.slug');
    // People read the field as the form labels it, not its path in the request (issue 11).
    expect(badSlug.json().errors[0].label).toBe('Identifiant');
    expect(badSlug.json().detail).toMatch(/^Identifiant : /);
    expect(badSlug.json().detail).not.toMatch(/body\./);
    const badOwner = await post(admin, { kind: 'dataset', slug: 'x-4', title: 'Jeu', owner: 'NOPE' });
    expect(badOwner.json().errors[0]).toMatchObject({ field: 'owner' });
    const dup = await post(dsr, { kind: 'application', slug: 'histovec', title: 'Encore', owner: 'DSR' });
    expect(dup.statusCode).toBe(409);
    // Named as the form names it, as on a 400.
    expect(dup.json().errors[0]).toMatchObject({ field: 'slug', label: 'Identifiant' });
  });

  it('applies permissions: anonymous sees public non-personal assets, data_admin edits only their organisation', async () => {
    await post(dgef, { kind: 'application', slug: 'agdref', title: 'AGDREF', owner: 'DGEF', personalData: true, openness: 'ferme' });
    expect((await t.app.inject('/api/catalog/assets/application/agdref')).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/api/catalog/assets/application/agdref', headers: bearer(reader) })).statusCode).toBe(200);
    const anonR = await t.app.inject('/api/catalog/assets?pageSize=100');
    expect(anonR.statusCode, anonR.body).toBe(200);
    const anon = anonR.json();
    expect(anon.items.every((a: { openness: string; personalData: boolean }) => a.openness === 'ouvert' && !a.personalData)).toBe(true);
    expect(anon.items.map((a: { slug: string }) => a.slug)).toContain('histovec');

    const put = (token: string, owner = 'DGEF') =>
      t.app.inject({
        method: 'PUT',
        url: '/api/catalog/assets/application/agdref',
        headers: bearer(token),
        payload: { kind: 'application', slug: 'agdref', title: 'AGDREF 2', owner, personalData: true },
      });
    expect((await put(dsr)).statusCode).toBe(403);
    expect((await put(reader)).statusCode).toBe(403);
    expect((await post(dsr, { kind: 'application', slug: 'stolen', title: 'Chez les autres', owner: 'DGEF' })).statusCode).toBe(403);
    expect((await put(dgef, 'DSR')).statusCode).toBe(403); // cannot give it away to another directorate
    expect((await put(dgef)).statusCode).toBe(200);
    expect((await put(admin)).statusCode).toBe(200); // unchanged content: still fine
    const del = await t.app.inject({ method: 'DELETE', url: '/api/catalog/assets/application/agdref', headers: bearer(dsr) });
    expect(del.statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/catalog/assets', payload: { kind: 'dataset', slug: 'anon', title: 'Anonyme' } })).statusCode).toBe(
      401,
    );
  });

  it('keeps a version history with who changed what, audited, and emits catalog.asset.changed', async () => {
    events.length = 0;
    const body = {
      kind: 'algorithm',
      slug: 'candilib-attribution',
      title: 'Attribution des places d’examen Candilib',
      owner: 'DSR',
      openness: 'ouvert',
      spec: { purpose: 'Répartir équitablement les places', individualDecisions: true, automation: 'fully_automated', algorithmType: 'rules' },
    };
    const stale = await t.app.inject({
      method: 'PUT',
      url: '/api/catalog/assets/algorithm/candilib-attribution',
      headers: { ...bearer(dsr), 'if-match': '7' },
      payload: body,
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().errors[0]).toMatchObject({ field: 'version', label: expect.any(String) });
    const r = await t.app.inject({
      method: 'PUT',
      url: '/api/catalog/assets/algorithm/candilib-attribution',
      headers: { ...bearer(dsr), 'if-match': '1' },
      payload: body,
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().version).toBe(2);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ asset: { kind: 'algorithm', slug: 'candilib-attribution', openness: 'ouvert' }, previousOpenness: 'a_ouvrir' });
    expect(events[0]!.at).toBeInstanceOf(Date);
    const h = (await t.app.inject({ url: '/api/catalog/assets/algorithm/candilib-attribution/history', headers: bearer(reader) })).json();
    expect(h.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(h.items[0].snapshot.openness).toBe('ouvert');
    expect(h.items[1].snapshot.openness).toBe('a_ouvrir');
    const audit = (
      await t.app.inject({ url: '/api/admin/audit?action=catalog.asset.update&entityId=algorithm:candilib-attribution', headers: bearer(admin) })
    ).json();
    expect(audit.total).toBe(1);
    expect(audit.items[0].before.openness).toBe('a_ouvrir');
  });

  it('offers the catalogue service to other modules', async () => {
    const svc = t.services.catalog!;
    const a = await svc.getAsset('application', 'histovec');
    expect(a).toMatchObject({ kind: 'application', slug: 'histovec', title: 'Histovec', openness: 'ouvert' });
    expect(await svc.getAssetById(a!.id)).toMatchObject({ slug: 'histovec' });
    expect(await svc.getAsset('application', 'nope')).toBeNull();
    expect(await svc.getAssetById('00000000-0000-0000-0000-000000000000')).toBeNull();
    const l = await svc.listAssets({ kind: 'dataset', page: 1, pageSize: 10 });
    expect(l.items.every((x) => x.kind === 'dataset')).toBe(true);
  });
});

describe('search', () => {
  beforeAll(async () => {
    const mk = (slug: string, title: string, description = '', extra: object = {}) =>
      post(admin, { kind: 'dataset', slug, title, description, owner: 'DNUM', openness: 'ouvert', ...extra });
    await mk('deces', 'Fichier des personnes décédées', 'Décès enregistrés par l’INSEE depuis 1970.');
    await mk('elections', 'Résultats des élections municipales', 'Résultats par bureau de vote.', { tags: ['élections'] });
    await mk('radars', 'Localisation des radars automatiques', 'Emplacement des radars fixes.', { owner: 'DSR' });
  });

  it('is accent- and case-insensitive, stems French words, tolerates a typo in titles, and ranks titles first', async () => {
    const s = async (q: string) =>
      (await t.app.inject({ url: `/api/catalog/assets?q=${encodeURIComponent(q)}`, headers: bearer(reader) }))
        .json()
        .items.map((a: { slug: string }) => a.slug);
    expect((await s('DECEDEES'))[0]).toBe('deces');
    expect((await s('élection'))[0]).toBe('elections'); // singular finds the plural
    expect(await s('radar')).toContain('radars');
    expect((await s('Histovek'))[0]).toBe('histovec'); // typo
    expect((await s('hi'))[0]).toBe('histovec'); // prefix: results while typing
    expect(await s('xyzzy')).toEqual([]);
  });

  it('returns facets and filters by them, and exports CSV', async () => {
    const r = (await t.app.inject({ url: '/api/catalog/assets?kind=dataset&pageSize=5', headers: bearer(reader) })).json();
    expect(r.facets.kind).toEqual({ dataset: r.total });
    expect(r.facets.owner.DSR).toBeGreaterThan(0);
    const dsrOnly = (await t.app.inject({ url: '/api/catalog/assets?kind=dataset&owner=DSR', headers: bearer(reader) })).json();
    expect(dsrOnly.items.every((a: { owner: string }) => a.owner === 'DSR')).toBe(true);
    const tags = (await t.app.inject({ url: '/api/catalog/assets?tags=élections', headers: bearer(reader) })).json();
    expect(tags.items.map((a: { slug: string }) => a.slug)).toEqual(['elections']);
    const csv = await t.app.inject({ url: '/api/catalog/assets?format=csv&owner=DSR', headers: bearer(reader) });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\n')[0]).toContain('type;identifiant;titre');
    expect(csv.body).toContain('histovec');
  });
});

describe('relations', () => {
  const rel = (token: string, type: string, from: string, to: string, note?: string) =>
    t.app.inject({ method: 'POST', url: '/api/catalog/relations', headers: bearer(token), payload: { type, from, to, note } });

  it('enforces which kinds may relate, stores once and reads from both ends', async () => {
    const bad = await rel(admin, 'produces', 'dataset:deces', 'application:histovec');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('type');
    expect((await rel(admin, 'uses', 'application:histovec', 'application:histovec')).statusCode).toBe(400);
    expect((await rel(admin, 'uses', 'application:histovec', 'dataset:nope')).json().errors[0].field).toBe('to');
    const ok = await rel(dsr, 'produces', 'application:histovec', 'dataset:accidents-corporels', 'export annuel');
    expect(ok.statusCode, ok.body).toBe(201);
    expect((await rel(dsr, 'produces', 'application:histovec', 'dataset:accidents-corporels')).statusCode).toBe(409);
    expect((await rel(dgef, 'exposes', 'api:api-histovec', 'dataset:accidents-corporels')).statusCode).toBe(403);
    expect((await rel(dsr, 'exposes', 'api:api-histovec', 'dataset:accidents-corporels')).statusCode).toBe(201);
    expect((await rel(dsr, 'implements', 'repository:histovec-code', 'application:histovec')).statusCode).toBe(201);
    expect((await rel(dsr, 'uses', 'algorithm:candilib-attribution', 'dataset:accidents-corporels')).statusCode).toBe(201);

    const app = (await t.app.inject({ url: '/api/catalog/assets/application/histovec', headers: bearer(reader) })).json();
    expect(app.relations.find((r: { type: string }) => r.type === 'produces')).toMatchObject({
      direction: 'outgoing',
      label: 'produit',
      to: 'dataset:accidents-corporels',
      note: 'export annuel',
    });
    const ds = (await t.app.inject({ url: '/api/catalog/assets/dataset/accidents-corporels', headers: bearer(reader) })).json();
    expect(ds.relations.find((r: { type: string }) => r.type === 'produces')).toMatchObject({
      direction: 'incoming',
      label: 'est produit par',
      from: 'application:histovec',
    });
    const count = await t.ctx.database.query<{ n: number }>(`select count(*)::int as n from catalog_relations where type = 'produces'`);
    expect(count[0]!.n).toBe(1);
  });

  it('draws the neighbourhood graph by depth and type, and lists the impact downstream (CSV too)', async () => {
    const g1 = (await t.app.inject({ url: '/api/catalog/assets/repository/histovec-code/graph?depth=1', headers: bearer(reader) })).json();
    expect(g1.nodes.map((n: { ref: string }) => n.ref).sort()).toEqual(['application:histovec', 'repository:histovec-code']);
    const g2 = (await t.app.inject({ url: '/api/catalog/assets/repository/histovec-code/graph?depth=2', headers: bearer(reader) })).json();
    expect(g2.nodes.map((n: { ref: string }) => n.ref)).toContain('dataset:accidents-corporels');
    const g3 = (await t.app.inject({ url: '/api/catalog/assets/repository/histovec-code/graph?depth=3', headers: bearer(reader) })).json();
    expect(g3.nodes.map((n: { ref: string }) => n.ref)).toEqual(expect.arrayContaining(['api:api-histovec', 'algorithm:candilib-attribution']));
    const typed = (await t.app.inject({ url: '/api/catalog/assets/repository/histovec-code/graph?depth=3&types=implements', headers: bearer(reader) })).json();
    expect(typed.nodes).toHaveLength(2);
    expect((await t.app.inject({ url: '/api/catalog/assets/repository/histovec-code/graph?depth=4' })).statusCode).toBe(400);

    // A change of the code affects the application, the dataset it produces, and what uses or exposes that dataset.
    const imp = (await t.app.inject({ url: '/api/catalog/assets/repository/histovec-code/impact', headers: bearer(reader) })).json();
    expect(imp.items.map((i: { ref: string; depth: number }) => `${i.depth} ${i.ref}`)).toEqual([
      '1 application:histovec',
      '2 dataset:accidents-corporels',
      '3 api:api-histovec',
      '3 algorithm:candilib-attribution',
    ]);
    const csv = await t.app.inject({ url: '/api/catalog/assets/repository/histovec-code/impact?format=csv', headers: bearer(reader) });
    expect(csv.body).toContain('api:api-histovec');
    const none = (await t.app.inject({ url: '/api/catalog/assets/algorithm/candilib-attribution/impact', headers: bearer(reader) })).json();
    expect(none.items).toEqual([]);
  });

  it('deletes a relation (audited) and cascades when an asset is deleted, keeping its history', async () => {
    const list = (await t.app.inject({ url: '/api/catalog/relations?asset=api:api-histovec', headers: bearer(reader) })).json();
    expect(list.items).toHaveLength(1);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/catalog/relations/${list.items[0].id}`, headers: bearer(dgef) })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/catalog/relations/${list.items[0].id}`, headers: bearer(dsr) })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/catalog/assets/repository/histovec-code', headers: bearer(dsr) })).statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/catalog/relations?asset=application:histovec&type=implements', headers: bearer(reader) })).json().items).toEqual(
      [],
    );
    const v = await t.ctx.database.query<{ action: string }>(
      `select action from catalog_asset_versions v where snapshot->>'slug' = 'histovec-code' order by version`,
    );
    expect(v.map((x) => x.action)).toEqual(['create', 'delete']);
  });

  it('shows the dashboards to signed-in users', async () => {
    expect((await t.app.inject('/api/catalog/dashboard')).statusCode).toBe(401);
    const d = (await t.app.inject({ url: '/api/catalog/dashboard', headers: bearer(reader) })).json();
    expect(d.byKind.find((k: { kind: string }) => k.kind === 'dataset').n).toBeGreaterThan(3);
    expect(d.openedFromPlan).toBe(1); // the Candilib algorithm went from a_ouvrir to ouvert
    const dsrOnly = (await t.app.inject({ url: '/api/catalog/dashboard?owner=DSR', headers: bearer(reader) })).json();
    expect(dsrOnly.byOrg.map((o: { code: string }) => o.code)).toEqual(['DSR']);
  });
});

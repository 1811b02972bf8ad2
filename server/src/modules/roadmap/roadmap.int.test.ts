import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { FixedClock } from '../../platform/clock.ts';

let t: TestPlatform;
const clock = new FixedClock(new Date('2022-03-15T10:00:00Z'));
let admin: string;
let dsr: string;
let dgef: string;
let reader: string;
const R = '/api/roadmaps/dac-2021-2023';

const get = (url: string, token = reader) => t.app.inject({ url, headers: bearer(token) });
const patch = (url: string, token: string, payload: object) => t.app.inject({ method: 'PATCH', url, headers: bearer(token), payload });
const post = (url: string, token: string, payload: object) => t.app.inject({ method: 'POST', url, headers: bearer(token), payload });

beforeAll(async () => {
  t = await createTestPlatform({ clock });
  admin = (await t.tokenFor('admin')).token;
  dsr = (await t.tokenFor('data_admin', { organisationCode: 'DSR', login: 'dsr.test' })).token;
  dgef = (await t.tokenFor('data_admin', { organisationCode: 'DGEF' })).token;
  reader = (await t.tokenFor('reader')).token;
});
afterAll(async () => t?.teardown());

describe('reference roadmap', () => {
  it('is imported once, with 66 actions, 3 sub-actions and 30 openings', async () => {
    const list = await get('/api/roadmaps');
    expect(list.statusCode).toBe(200);
    const r = list.json().items.find((x: { slug: string }) => x.slug === 'dac-2021-2023');
    expect(r).toMatchObject({ title: 'Feuille de route Données, Algorithmes, Codes sources 2021-2023', actions: 69, openings: 30 });
    expect(r.sections.map((s: { code: string }) => s.code)).toContain('2.1');
    expect(r.contributors.map((c: { code: string }) => c.code)).toEqual(expect.arrayContaining(['DSR', 'DNUM', 'directions métiers']));
    // seedReference is idempotent.
    for (const m of t.modules) await m.seedReference?.();
    expect((await get('/api/roadmaps')).json().items).toHaveLength(1);
    const actions = (await get(`${R}/actions`)).json();
    expect(actions.total).toBe(69);
    const a41 = actions.items.find((a: { code: string }) => a.code === 'A41');
    expect(a41.sourceNote).toMatch(/annexe/);
  });

  it('needs an account to read, and refuses unknown roadmaps and actions', async () => {
    expect((await t.app.inject(`${R}/actions`)).statusCode).toBe(401);
    expect((await get('/api/roadmaps/nope/actions')).statusCode).toBe(404);
    expect((await get(`${R}/actions/A99`)).statusCode).toBe(404);
    const bad = await get(`${R}/actions/X1`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toMatch(/code/);
  });

  it('computes « en retard » from the deadline and the injected clock', async () => {
    clock.set('2022-06-30T21:59:59Z'); // 23:59:59 in Paris on 30 June 2022
    let a = (await get(`${R}/actions/A05`)).json().action; // due 2022 S1
    expect(a.overdue).toBe(false);
    clock.set('2022-06-30T22:00:00Z');
    a = (await get(`${R}/actions/A05`)).json().action;
    expect(a.overdue).toBe(true);
    // A10 has two deadlines (2021 S2, 2022 S2): due at the later one.
    const a10 = (await get(`${R}/actions/A10`)).json().action;
    expect(a10).toMatchObject({ deadline: '2021-S2', deadlineEnd: '2022-S2', overdue: false, dueDate: '2022-12-31' });
    const overdue = (await get(`${R}/actions?overdue=true`)).json().items.map((x: { code: string }) => x.code);
    expect(overdue).toContain('A05');
    expect(overdue).toContain('A06'); // 2021 S2
    expect(overdue).not.toContain('A10');
    expect(overdue).not.toContain('A01'); // 2022 S2
    clock.set('2022-03-15T10:00:00Z');
  });

  it('filters actions by status, section and contributor, and exports CSV', async () => {
    const dsrActions = (await get(`${R}/actions?contributor=DSR`)).json().items.map((x: { code: string }) => x.code);
    expect(dsrActions).toEqual(['A10', 'A11', 'A12', 'A14']);
    const s21 = (await get(`${R}/actions?section=2.1`)).json().items;
    expect(s21.every((x: { section: string }) => x.section === '2.1')).toBe(true);
    expect((await get(`${R}/actions?section=2`)).json().total).toBeGreaterThan(s21.length);
    expect((await get(`${R}/actions?status=realisee`)).json().total).toBe(0);
    const bad = await get(`${R}/actions?status=finie`);
    expect(bad.statusCode).toBe(400);
    const csv = await get(`${R}/actions?format=csv&contributor=DSR`);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toContain('code;intitulé;section');
    expect(lines).toHaveLength(5);
  });
});

describe('updates and permissions', () => {
  it('lets a DSR data administrator update A10 (its organisation), not A01 nor the deadline', async () => {
    const r = await patch(`${R}/actions/A10`, dsr, {
      status: 'en_cours',
      progress: 50,
      pilot: 'Bureau des données (DSR)',
      note: 'Premier jeu publié sur data.gouv.fr.',
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ code: 'A10', status: 'en_cours', progress: 50, pilot: 'Bureau des données (DSR)', canEdit: true });
    expect(r.json().lastNote.note).toBe('Premier jeu publié sur data.gouv.fr.');

    const other = await patch(`${R}/actions/A01`, dsr, { status: 'en_cours' });
    expect(other.statusCode).toBe(403);
    expect(other.json().detail).toMatch(/A01/);
    const deadline = await patch(`${R}/actions/A10`, dsr, { deadline: '2023-S2' });
    expect(deadline.statusCode).toBe(403);
    expect((await patch(`${R}/actions/A10`, reader, { progress: 10 })).statusCode).toBe(403);
    expect((await patch(`${R}/actions/A10`, dgef, { progress: 10 })).statusCode).toBe(403);
    const editor = (await t.tokenFor('editor', { organisationCode: 'DSR' })).token;
    expect((await patch(`${R}/actions/A10`, editor, { progress: 10 })).statusCode).toBe(403);

    // Seen everywhere: the list, the dashboard, the log, the audit.
    const list = (await get(`${R}/actions?contributor=DSR`)).json().items.find((a: { code: string }) => a.code === 'A10');
    expect(list).toMatchObject({ status: 'en_cours', progress: 50, canEdit: false });
    const detail = (await get(`${R}/actions/A10`, dsr)).json();
    expect(detail.action.canEdit).toBe(true);
    expect(detail.updates[0]).toMatchObject({
      actorLabel: 'dsr.test',
      kind: 'edit',
      note: 'Premier jeu publié sur data.gouv.fr.',
      statusAfter: 'en_cours',
      changes: { status: { from: 'a_lancer', to: 'en_cours' }, progress: { from: 0, to: 50 } },
    });
    expect(detail.updates.at(-1).kind).toBe('import');
    const audit = (await get('/api/admin/audit?action=roadmap.action.update', admin)).json();
    expect(audit.items[0]).toMatchObject({ entityId: 'dac-2021-2023/A10', actorLabel: 'dsr.test' });
  });

  it('validates input field by field', async () => {
    const r = await patch(`${R}/actions/A10`, admin, { progress: 150, status: 'fini' });
    expect(r.statusCode).toBe(400);
    expect(
      r
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['body.progress', 'body.status']);
    const nothing = await patch(`${R}/actions/A10`, admin, {});
    expect(nothing.statusCode).toBe(400);
    const ind = await patch(`${R}/actions/A10`, admin, { indicators: [{ name: 'Jeux publiés', value: 'beaucoup' }] });
    expect(ind.json().errors[0].field).toBe('indicators.0.value');
    const asset = await patch(`${R}/actions/A10`, admin, { assetIds: ['7d2c6f0e-0000-4000-8000-000000000000'] });
    expect(asset.statusCode).toBe(400);
    expect(asset.json().errors[0].field).toBe('assetIds.0');
    const emptyNote = await post(`${R}/actions/A10/updates`, dsr, { note: '' });
    expect(emptyNote.json().errors[0].field).toBe('body.note');
  });

  it('records dated updates with indicators and their history', async () => {
    clock.set('2022-04-10T09:00:00Z');
    const r = await post(`${R}/actions/A10/updates`, dsr, {
      note: 'Point d’étape',
      indicators: [{ name: 'Jeux de données publiés', unit: 'jeux', target: '2', value: '1' }],
    });
    expect(r.statusCode, r.body).toBe(201);
    clock.set('2022-05-10T09:00:00Z');
    await post(`${R}/actions/A10/updates`, dsr, {
      note: 'Second jeu publié',
      status: 'realisee',
      indicators: [{ name: 'Jeux de données publiés', value: '2' }],
    });
    const d = (await get(`${R}/actions/A10`)).json();
    expect(d.action).toMatchObject({ status: 'realisee', progress: 100, overdue: false });
    expect(d.indicators[0]).toMatchObject({ name: 'Jeux de données publiés', target: '2', currentValue: '2', unit: 'jeux' });
    expect(d.indicators[0].history.map((h: { value: string }) => h.value)).toEqual(['1', '2']);
    expect(d.updates.map((u: { note: string }) => u.note).slice(0, 2)).toEqual(['Second jeu publié', 'Point d’étape']);
  });

  it('lets the admin update any action, its deadline and contributors', async () => {
    const r = await patch(`${R}/actions/A01`, admin, { deadline: '2023-S1', contributors: ['DNUM', 'DSR'] });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().contributors.map((c: { code: string }) => c.code)).toEqual(['DNUM', 'DSR']);
    // Now DSR contributes to A01 and may update it.
    expect((await patch(`${R}/actions/A01`, dsr, { progress: 5 })).statusCode).toBe(200);
    const unknown = await patch(`${R}/actions/A01`, admin, { contributors: ['NOPE'] });
    expect(unknown.json().errors[0].field).toBe('contributors.0');
  });
});

describe('openings', () => {
  it('lists the 30 openings with type, due quarter and timeliness, and exports CSV', async () => {
    const r = (await get(`${R}/openings`)).json();
    expect(r.total).toBe(30);
    expect(r.items.filter((o: { type: string }) => o.type === 'api')).toHaveLength(3);
    const armes = r.items.find((o: { title: string }) => o.title.startsWith('Référentiel général des armes'));
    expect(armes).toMatchObject({ status: 'disponible', due: '2021-T3', timeliness: 'date_inconnue' });
    expect((await get(`${R}/openings?status=disponible`)).json().total).toBe(2);
    const csv = await get(`${R}/openings?format=csv`);
    expect(csv.body).toContain('catégorie;ouverture;type');
  });

  it('updates an opening: admin only unless an organisation is in charge', async () => {
    const o = (await get(`${R}/openings`)).json().items.find((x: { title: string }) => x.title === 'Données limitations de vitesse');
    expect((await patch(`${R}/openings/${o.id}`, dsr, { status: 'en_cours' })).statusCode).toBe(403);
    const assign = await patch(`${R}/openings/${o.id}`, admin, { organisationCode: 'DSR' });
    expect(assign.json().organisationCode).toBe('DSR');
    const future = await patch(`${R}/openings/${o.id}`, dsr, { status: 'disponible', availableOn: '2030-01-01' });
    expect(future.json().errors[0].field).toBe('availableOn');
    const done = await patch(`${R}/openings/${o.id}`, dsr, { status: 'disponible', note: 'Publié.' });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ status: 'disponible', availableOn: '2022-05-10', timeliness: 'a_temps' });
    const log = (await get(`${R}/openings/${o.id}`)).json().updates;
    expect(log[0]).toMatchObject({ statusAfter: 'disponible', note: 'Publié.' });
  });

  it('becomes available when its linked catalogue dataset becomes « ouvert » (through the catalogue API)', async () => {
    const created = await post('/api/catalog/assets', admin, {
      kind: 'dataset',
      slug: 'auto-ecoles-agreees',
      title: 'Auto-écoles agréées',
      owner: 'DSR',
      openness: 'a_ouvrir',
    });
    expect(created.statusCode, created.body).toBe(201);
    const assetId = created.json().id;
    const o = (await get(`${R}/openings`)).json().items.find((x: { title: string }) => x.title.startsWith('Données auto-écoles agréées'));
    const link = await patch(`${R}/openings/${o.id}`, admin, { assetId });
    expect(link.json()).toMatchObject({ assetId, status: 'planifie' });
    const listed = (await get(`${R}/openings`)).json().items.find((x: { id: string }) => x.id === o.id);
    expect(listed.asset).toEqual({ kind: 'dataset', slug: 'auto-ecoles-agreees', title: 'Auto-écoles agréées', openness: 'a_ouvrir' });
    const badLink = await patch(`${R}/openings/${o.id}`, admin, { assetId: '7d2c6f0e-0000-4000-8000-000000000000' });
    expect(badLink.json().errors[0].field).toBe('assetId.0');

    clock.set('2022-05-20T08:00:00Z');
    const opened = await t.app.inject({
      method: 'PUT',
      url: '/api/catalog/assets/dataset/auto-ecoles-agreees',
      headers: bearer(admin),
      payload: { kind: 'dataset', slug: 'auto-ecoles-agreees', title: 'Auto-écoles agréées', owner: 'DSR', openness: 'ouvert' },
    });
    expect(opened.statusCode, opened.body).toBe(200);
    const after = (await get(`${R}/openings/${o.id}`)).json();
    expect(after.opening).toMatchObject({ status: 'disponible', availableOn: '2022-05-20', timeliness: 'en_retard' });
    expect(after.updates[0]).toMatchObject({ kind: 'automatic', statusAfter: 'disponible' });
    expect(after.updates[0].note).toMatch(/Auto-écoles agréées.*ouvert/);
  });

  it('also reacts to the event emitted directly, inside the emitter’s transaction', async () => {
    const o = (await get(`${R}/openings`)).json().items.find((x: { title: string }) => x.title === 'Données auto-écoles labélisées');
    const assetId = '11111111-2222-4333-8444-555555555555';
    await t.ctx.db.transaction(async (tx) => {
      await tx.execute(`update roadmap_openings set asset_id = '${assetId}', status = 'planifie', available_on = null where id = '${o.id}'` as never);
    });
    const emit = t.ctx.events.emit.bind(t.ctx.events) as unknown as (n: string, p: unknown, tx: unknown) => Promise<void>;
    // Rolled back with the emitter's transaction.
    await expect(
      t.ctx.db.transaction(async (tx) => {
        await emit(
          'catalog.asset.changed',
          {
            asset: { id: assetId, kind: 'dataset', slug: 'x', title: 'X', openness: 'ouvert', organisationId: null },
            previousOpenness: 'ferme',
            actor: { id: null, label: 'test' },
            at: clock.now(),
          },
          tx,
        );
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect((await get(`${R}/openings/${o.id}`)).json().opening.status).toBe('planifie');
    await t.ctx.db.transaction(async (tx) => {
      await emit(
        'catalog.asset.changed',
        {
          asset: { id: assetId, kind: 'dataset', slug: 'x', title: 'X', openness: 'ouvert', organisationId: null },
          previousOpenness: 'ferme',
          actor: { id: null, label: 'test' },
          at: clock.now(),
        },
        tx,
      );
    });
    expect((await get(`${R}/openings/${o.id}`)).json().opening.status).toBe('disponible');
  });
});

describe('bulk update from CSV', () => {
  it('reports every error by line and applies nothing', async () => {
    const csv = ['code;statut;avancement;note', 'A11;en cours;20;ok', 'A12;finie;10;', 'A99;en_cours;;', 'A14;en_cours;120;', 'A01;en_cours;10;'].join('\n');
    const r = await post(`${R}/actions/bulk`, dsr, { csv });
    expect(r.statusCode).toBe(400);
    const errors = r.json().errors.map((e: { field: string }) => e.field);
    expect(errors).toEqual(['lignes.3.statut', 'lignes.4.code', 'lignes.5.avancement']);
    expect((await get(`${R}/actions/A11`)).json().action.status).toBe('a_lancer');
    // A01: DSR was added as contributor earlier; a DGEF admin gets a per-line permission error.
    const forbidden = await post(`${R}/actions/bulk`, dgef, { csv: 'code;statut\nA15;en_cours\nA10;en_cours' });
    expect(forbidden.json().errors).toEqual([{ field: 'lignes.3.code', message: expect.stringMatching(/A10/) }]);
    expect((await get(`${R}/actions/A15`)).json().action.status).toBe('a_lancer');
  });

  it('dry-runs, then applies all lines in one go (the CSV export can be re-imported)', async () => {
    const csv = '\uFEFFcode;intitulé;statut;avancement;pilote;note\nA11;x;en cours;20;Mme Durand;Lancement\nA12;y;réalisée;;;Terminé\nA14;z;a_lancer;0;;\n';
    const dry = await post(`${R}/actions/bulk`, dsr, { csv, dryRun: true });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toMatchObject({ dryRun: true, applied: false, lines: 3, unchanged: 1 });
    expect(dry.json().updated.map((u: { code: string }) => u.code)).toEqual(['A11', 'A12']);
    expect((await get(`${R}/actions/A11`)).json().action.status).toBe('a_lancer');
    const applied = await post(`${R}/actions/bulk`, dsr, { csv });
    expect(applied.json()).toMatchObject({ applied: true, lines: 3, unchanged: 1 });
    expect((await get(`${R}/actions/A11`)).json().action).toMatchObject({ status: 'en_cours', progress: 20, pilot: 'Mme Durand' });
    expect((await get(`${R}/actions/A12`)).json().action).toMatchObject({ status: 'realisee', progress: 100 });
    expect((await get(`${R}/actions/A12`)).json().updates[0]).toMatchObject({ kind: 'bulk', note: 'Terminé' });
    const exported = (await get(`${R}/actions?format=csv&contributor=DSR`)).body;
    const again = await post(`${R}/actions/bulk`, dsr, { csv: exported });
    expect(again.json()).toMatchObject({ applied: true, unchanged: 5, updated: [] }); // A01 (DSR added earlier), A10, A11, A12, A14
  });

  it('refuses a file without a code column', async () => {
    const r = await post(`${R}/actions/bulk`, dsr, { csv: 'action_id;statut\nA11;en_cours' });
    expect(r.json().errors[0].field).toBe('lignes.1.code');
  });
});

describe('dashboard, report, decisions, public page', () => {
  it('gives figures by section, contributor and semester, a burn-up, and CSV of each table', async () => {
    clock.set('2022-06-01T10:00:00Z');
    const d = (await get(`${R}/dashboard`)).json();
    expect(d.totals.total).toBe(69);
    expect(d.totals.realisee).toBe(2);
    expect(d.bySection.map((s: { key: string }) => s.key)).toEqual(['1', '2', '3', '4', '5']);
    expect(d.bySection[1].label).toMatch(/^2\. Faciliter/);
    const dsrStats = d.byContributor.find((c: { key: string }) => c.key === 'DSR');
    expect(dsrStats).toMatchObject({ total: 5, realisee: 2, en_cours: 1, a_lancer: 2 }); // A01 (added), A10, A11, A12, A14
    expect(d.bySemester.map((s: { key: string }) => s.key)).toEqual(['2021-S2', '2022-S1', '2022-S2', '2023-S1', '2023-S2']);
    expect(d.upcoming.map((u: { code: string }) => u.code)).toContain('A05'); // 2022 S1 ends 30 June
    expect(d.overdue.map((u: { code: string }) => u.code)).toContain('A06');
    expect(d.burnup[0]).toMatchObject({ date: '2022-03-15', scope: 69, started: 1, done: 0 }); // import and A10 started the same day
    expect(d.burnup.at(-1)).toMatchObject({ date: '2022-06-01', done: 2 });
    expect(d.openings.total).toBe(30);
    const filtered = (await get(`${R}/dashboard?contributor=DSR`)).json();
    expect(filtered.totals.total).toBe(5);
    const csv = await get(`${R}/dashboard?format=csv&table=bySection`);
    expect(csv.body).toContain('clé;libellé;actions');
    expect((await get(`${R}/dashboard?format=csv&table=burnup`)).body).toContain('date;périmètre;lancées;réalisées');
  });

  it('records decisions (admin) and produces the committee report in JSON, Markdown and HTML', async () => {
    expect((await post(`${R}/decisions`, dsr, { quarter: '2022-T2', text: 'Décision X' })).statusCode).toBe(403);
    const d = await post(`${R}/decisions`, admin, { quarter: '2022-T2', text: 'Relancer la DSR sur les données de vitesse <urgent>', actionCode: 'A11' });
    expect(d.statusCode, d.body).toBe(201);
    expect((await post(`${R}/decisions`, admin, { quarter: '2022-T5', text: 'x' })).json().errors.map((e: { field: string }) => e.field)).toContain(
      'body.quarter',
    );
    const rep = (await get(`${R}/report?quarter=2022-T2`)).json();
    expect(rep.statusChanges.map((c: { code: string }) => c.code)).toEqual(['A10', 'A11', 'A12']);
    expect(rep.delivered.map((x: { title: string }) => x.title)).toEqual([
      'Données limitations de vitesse',
      'Données auto-écoles agréées (puis résultats au permis de conduire)',
      'Données auto-écoles labélisées',
    ]);
    expect(rep.decisions[0].text).toMatch(/vitesse/);
    expect(rep.indicators[0]).toMatchObject({ code: 'A10', value: '2', previous: null });
    expect(rep.overdue.length).toBeGreaterThan(0);
    // The previous quarter only saw A10 start (15 March).
    const q1 = (await get(`${R}/report?quarter=2022-T1`)).json();
    expect(q1.statusChanges.map((c: { code: string; to: string }) => `${c.code}:${c.to}`)).toEqual(['A10:en_cours']);
    expect(q1.delivered).toEqual([]);
    // A past quarter shows that quarter's situation, replayed from the log, not today's.
    expect(q1.summary.actions).toMatchObject({ en_cours: 1, realisee: 0 });
    expect(rep.summary.actions.realisee).toBeGreaterThanOrEqual(2);
    const md = await get(`${R}/report?quarter=2022-T2&format=md`);
    expect(md.headers['content-type']).toContain('text/markdown');
    expect(md.headers['content-disposition']).toContain('comite-dac-2021-2023-2022-T2.md');
    expect(md.body).toContain('# Comité de gouvernance des données — 2e trimestre 2022');
    expect(md.body).toContain('| A10 |');
    const html = await get(`${R}/report?quarter=2022-T2&format=html`);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.body).toContain('@page { size: A4');
    expect(html.body).toContain('&lt;urgent&gt;');
    expect(html.body).not.toContain('<urgent>');
    expect(html.body).not.toContain('<script');
    expect((await get(`${R}/report?quarter=2019-T1`)).statusCode).toBe(400);
  });

  it('lists and exports the roadmap’s log, by action and period', async () => {
    const all = (await get(`${R}/updates?pageSize=5`)).json();
    expect(all.items).toHaveLength(5);
    expect(all.total).toBeGreaterThan(99); // 99 import entries, then updates
    const a10 = (await get(`${R}/updates?action=A10`)).json();
    expect(a10.items.every((u: { actionCode: string }) => u.actionCode === 'A10')).toBe(true);
    expect(a10.items[0].note).toBe('Second jeu publié');
    const april = (await get(`${R}/updates?action=A10&from=2022-04-10&to=2022-04-10`)).json();
    expect(april.items.map((u: { note: string }) => u.note)).toEqual(['Point d’étape']);
    const csv = await get(`${R}/updates?format=csv&from=2022-05-20&to=2022-05-20`);
    expect(csv.body.split('\n')[0]).toContain('date;auteur;type;action;ouverture');
    expect(csv.body).toContain('Données auto-écoles agréées');
    expect((await get(`${R}/updates?from=2022-13-01`)).statusCode).toBe(400);
  });

  it('publishes the progress without login, without names or notes', async () => {
    const r = await t.app.inject('/api/public/roadmaps/dac-2021-2023');
    expect(r.statusCode).toBe(200);
    expect(r.json().totals.total).toBe(69);
    expect(r.json().openings).toHaveLength(30);
    expect(r.body).not.toContain('Mme Durand');
    expect(r.body).not.toContain('dsr.test');
    expect((await t.app.inject('/api/public/roadmaps')).json().items).toHaveLength(1);

    const actions = await t.app.inject('/api/public/roadmaps/dac-2021-2023?format=csv');
    expect(actions.headers['content-type']).toContain('text/csv');
    const lines = actions.body.trim().split('\n');
    expect(lines[0]).toContain('code;action;section;échéance;statut');
    expect(lines).toHaveLength(70);
    expect(actions.body).not.toContain('Mme Durand');
    const openings = await t.app.inject('/api/public/roadmaps/dac-2021-2023?format=csv&table=openings');
    expect(openings.body.trim().split('\n')).toHaveLength(31);
    expect((await t.app.inject('/api/public/roadmaps/dac-2021-2023?format=csv&table=people')).statusCode).toBe(400);
  });
});

describe('several roadmaps', () => {
  it('carries an action over to a later roadmap, keeping its history', async () => {
    const created = await post('/api/roadmaps', admin, { slug: 'dac-2024-2026', title: 'Feuille de route 2024-2026', startYear: 2024, endYear: 2026 });
    expect(created.statusCode, created.body).toBe(201);
    expect((await post('/api/roadmaps', dsr, { slug: 'x-2024', title: 'X', startYear: 2024, endYear: 2026 })).statusCode).toBe(403);
    expect((await post('/api/roadmaps', admin, { slug: 'dac-2024-2026', title: 'Doublon', startYear: 2024, endYear: 2026 })).statusCode).toBe(409);
    const c = await post(`${R}/actions/A11/carry-over`, admin, { targetRoadmap: 'dac-2024-2026', deadline: '2024-S2', code: 'A05' });
    expect(c.statusCode, c.body).toBe(201);
    const d = (await get('/api/roadmaps/dac-2024-2026/actions/A05')).json();
    expect(d.action).toMatchObject({
      status: 'en_cours',
      progress: 20,
      deadline: '2024-S2',
      contributors: [{ code: 'DSR', name: 'Délégation à la sécurité routière' }],
    });
    expect(d.carriedFrom).toMatchObject({ roadmapSlug: 'dac-2021-2023', code: 'A11' });
    expect(d.updates.map((u: { note: string }) => u.note)).toEqual(expect.arrayContaining(['Lancement']));
    expect(d.updates.find((u: { note: string }) => u.note === 'Lancement').actionCode).toBe('A11');
    const old = (await get(`${R}/actions/A11`)).json();
    expect(old.carriedTo).toEqual([{ roadmapSlug: 'dac-2024-2026', roadmapTitle: 'Feuille de route 2024-2026', code: 'A05' }]);
    expect((await post(`${R}/actions/A11/carry-over`, admin, { targetRoadmap: 'dac-2024-2026', deadline: '2024-S2', code: 'A06' })).statusCode).toBe(409);
    expect((await post(`${R}/actions/A12/carry-over`, admin, { targetRoadmap: 'dac-2024-2026', deadline: '2024-S2' })).statusCode).toBe(409);
    // The DSR data administrator edits the carried-over action too.
    expect((await patch('/api/roadmaps/dac-2024-2026/actions/A05', dsr, { progress: 40 })).statusCode).toBe(200);
  });

  it('documents every route in OpenAPI', async () => {
    const paths = Object.keys((await t.app.inject('/api/openapi.json')).json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/roadmaps',
        '/api/roadmaps/{id}/actions',
        '/api/roadmaps/{id}/actions/{code}',
        '/api/roadmaps/{id}/actions/{code}/updates',
        '/api/roadmaps/{id}/openings',
        '/api/roadmaps/{id}/openings/{openingId}',
        '/api/roadmaps/{id}/report',
        '/api/roadmaps/{id}/dashboard',
      ]),
    );
  });
});

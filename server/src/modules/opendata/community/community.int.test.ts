import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { bearer, createTestPlatform, type TestPlatform } from '../../../../test/harness.ts';
import { auditLog } from '../../../platform/audit/audit.table.ts';
import { opendataVersions } from '../opendata.table.ts';
import { startFakeUdata, type FakeUdata } from '../datagouv/fake-udata.ts';

/** Issue 16 (A01): reuses and discussions of an open dataset, declared here or imported from data.gouv.fr (udata fake). */
const KEY = 'cle-de-test-organisation-dsr-communaute-42';
const ORG = '6a1b2c3d4e5f60718293a4b6';
let t: TestPlatform;
let fake: FakeUdata;
let editor: string;
let reader: string;
let outsider: string;

const B = 'xXcommXx';
async function publishFile(resourceId: string) {
  const payload = Buffer.from(
    `--${B}\r\nContent-Disposition: form-data; name="file"; filename="liste.csv"\r\nContent-Type: text/csv\r\n\r\nid;commune\r\nAE-1;Belval\r\n\r\n--${B}--\r\n`,
  );
  const up = await t.app.inject({
    method: 'POST',
    url: `/api/opendata/resources/${resourceId}/versions`,
    headers: { ...bearer(editor), 'content-type': `multipart/form-data; boundary=${B}` },
    payload,
  });
  expect(up.statusCode, up.body).toBe(201);
  const [row] = await t.ctx.db.select().from(opendataVersions).where(eq(opendataVersions.id, up.json().id));
  await t.ctx.jobs.waitFor(row!.jobId!, 30_000);
  const p = await t.app.inject({ method: 'POST', url: `/api/opendata/versions/${up.json().id}/publish`, headers: bearer(editor) });
  expect(p.statusCode, p.body).toBe(200);
}

beforeAll(async () => {
  fake = await startFakeUdata({ keys: { [KEY]: { id: 'u1', organizations: [ORG] } }, organizations: { [ORG]: 'Délégation à la sécurité routière' } });
  t = await createTestPlatform({ startJobs: true, env: { DATAGOUV_ALLOW_PRIVATE: 'true' } });
  editor = (await t.tokenFor('editor', { organisationCode: 'DSR' })).token;
  reader = (await t.tokenFor('reader')).token;
  outsider = (await t.tokenFor('editor', { organisationCode: 'DNUM' })).token;
  const dataAdmin = (await t.tokenFor('data_admin', { organisationCode: 'DSR' })).token;
  const admin = (await t.tokenFor('admin')).token;
  for (const [slug, openness] of [
    ['auto-ecoles-communaute', 'ouvert'],
    ['fichier-interne', 'ferme'],
  ] as const) {
    const a = await t.app.inject({
      method: 'POST',
      url: '/api/catalog/assets',
      headers: bearer(admin),
      payload: { kind: 'dataset', slug, title: `Jeu ${slug}`, description: 'Jeu de test.', owner: 'DSR', openness },
    });
    expect(a.statusCode, a.body).toBe(201);
  }
  const r = await t.app.inject({
    method: 'POST',
    url: '/api/opendata/datasets/auto-ecoles-communaute/resources',
    headers: bearer(editor),
    payload: { title: 'Liste', slug: 'liste' },
  });
  await publishFile(r.json().id);
  const dsrId = (await t.ctx.organisations.list()).find((o) => o.code === 'DSR')!.id;
  const acc = await t.app.inject({
    method: 'PUT',
    url: `/api/opendata/datagouv/accounts/${dsrId}`,
    headers: bearer(dataAdmin),
    payload: { target: fake.url, udataOrganization: ORG, apiKey: KEY },
  });
  expect(acc.statusCode, acc.body).toBe(200);
});
afterAll(async () => {
  await t?.teardown();
  await fake?.close();
});

const url = '/api/opendata/datasets/auto-ecoles-communaute';

describe('reuses and discussions', () => {
  it('a signed-in user declares a reuse; its URL must be a public http(s) address', async () => {
    const body = { title: 'Carte des auto-écoles', url: 'https://93.184.216.34/carte', type: 'visualization', author: 'Association Permis Pour Tous' };
    expect((await t.app.inject({ method: 'POST', url: `${url}/reuses`, payload: body })).statusCode).toBe(401);
    const js = await t.app.inject({ method: 'POST', url: `${url}/reuses`, headers: bearer(reader), payload: { ...body, url: 'javascript:alert(1)' } });
    expect(js.statusCode).toBe(400);
    expect(js.json().errors[0].field).toMatch(/url$/);
    const loop = await t.app.inject({ method: 'POST', url: `${url}/reuses`, headers: bearer(reader), payload: { ...body, url: 'http://127.0.0.1:8080/x' } });
    expect(loop.statusCode).toBe(400);
    expect(loop.json().errors[0]).toMatchObject({ field: 'url' });
    expect(loop.json().errors[0].message).toMatch(/adresse refusée/);
    const ok = await t.app.inject({ method: 'POST', url: `${url}/reuses`, headers: bearer(reader), payload: body });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ title: body.title, type: 'visualization', source: 'local', author: body.author });
    const dup = await t.app.inject({ method: 'POST', url: `${url}/reuses`, headers: bearer(reader), payload: body });
    expect(dup.statusCode).toBe(400);
    // Not on a dataset that is not open (404 for those who may not see it).
    const closed = await t.app.inject({ method: 'POST', url: '/api/opendata/datasets/fichier-interne/reuses', headers: bearer(reader), payload: body });
    expect(closed.statusCode).toBe(404);
  });

  it('a question is public; the producer’s editor answers (signed by the organisation); others cannot', async () => {
    const q = await t.app.inject({
      method: 'POST',
      url: `${url}/discussions`,
      headers: bearer(reader),
      payload: { title: 'Mise à jour', body: 'À quelle fréquence la liste est-elle mise à jour ?' },
    });
    expect(q.statusCode, q.body).toBe(201);
    expect(q.json()).toMatchObject({ answered: false, source: 'local' });
    const id = q.json().id;
    const answer = { body: 'Chaque mois, le premier lundi.', close: true };
    expect((await t.app.inject({ method: 'POST', url: `/api/opendata/discussions/${id}/answers`, headers: bearer(reader), payload: answer })).statusCode).toBe(
      403,
    );
    expect(
      (await t.app.inject({ method: 'POST', url: `/api/opendata/discussions/${id}/answers`, headers: bearer(outsider), payload: answer })).statusCode,
    ).toBe(403);
    const a = await t.app.inject({ method: 'POST', url: `/api/opendata/discussions/${id}/answers`, headers: bearer(editor), payload: answer });
    expect(a.statusCode, a.body).toBe(200);
    expect(a.json().answered).toBe(true);
    expect(a.json().closedAt).toBeTruthy();
    expect(a.json().messages).toHaveLength(2);
    expect(a.json().messages[1]).toMatchObject({ producer: true, body: answer.body });
    expect(a.json().messages[1].author).toMatch(/^Producteur/);
    const again = await t.app.inject({ method: 'POST', url: `/api/opendata/discussions/${id}/answers`, headers: bearer(editor), payload: answer });
    expect(again.statusCode).toBe(409);
    // Anonymous visitors read them on the public page.
    const pub = await t.app.inject({ method: 'GET', url: `${url}/community` });
    expect(pub.statusCode).toBe(200);
    expect(pub.json()).toMatchObject({ canModerate: false, remotePage: null, lastImport: null });
    expect(pub.json().reuses).toHaveLength(1);
    expect(pub.json().discussions[0].messages.map((m: { body: string }) => m.body)).toEqual([
      'À quelle fréquence la liste est-elle mise à jour ?',
      answer.body,
    ]);
    expect((await t.app.inject({ method: 'GET', url: '/api/opendata/datasets/fichier-interne/community' })).statusCode).toBe(404);
    const audit = await t.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'opendata.discussion.answer'));
    expect(audit).toHaveLength(1);
  });

  it('imports reuses and discussions of the pushed dataset from data.gouv.fr; a private URL is skipped; a second import updates', async () => {
    const before = await t.app.inject({ method: 'POST', url: `${url}/community/import`, headers: bearer(editor) });
    expect(before.statusCode).toBe(409);
    const push = await t.app.inject({ method: 'POST', url: `${url}/push`, headers: bearer(editor) });
    expect(push.statusCode, push.body).toBe(202);
    await t.ctx.jobs.waitFor(push.json().jobId, 30_000);
    const remoteId = [...fake.datasets.values()][0]!.id;
    fake.addReuse(remoteId, { title: 'Appli permis', url: 'https://93.184.216.40/appli', type: 'application', organization: { name: 'Start-up Permis' } });
    fake.addReuse(remoteId, { title: 'Interne', url: 'http://10.0.0.8/x', type: 'post' });
    fake.addReuse(remoteId, { title: 'Supprimée', url: 'https://93.184.216.41/y', deleted: true });
    fake.addDiscussion(remoteId, {
      title: 'Coordonnées GPS',
      user: { first_name: 'Alex', last_name: 'Martin' },
      messages: [
        { content: 'Les coordonnées sont-elles disponibles ?', first_name: 'Alex', last_name: 'Martin' },
        { content: 'Oui, dans la prochaine version.', first_name: 'Agent', last_name: 'DSR', organization: ORG },
      ],
    });
    expect((await t.app.inject({ method: 'POST', url: `${url}/community/import`, headers: bearer(outsider) })).statusCode).toBe(403);
    const imp = await t.app.inject({ method: 'POST', url: `${url}/community/import`, headers: bearer(editor) });
    expect(imp.statusCode, imp.body).toBe(200);
    expect(imp.json()).toMatchObject({ reuses: { added: 1, updated: 0, skipped: 1 }, discussions: { added: 1, updated: 0 } });
    expect(imp.json().notes[0]).toMatch(/Interne.*adresse refusée/);
    const c = (await t.app.inject({ method: 'GET', url: `${url}/community`, headers: bearer(editor) })).json();
    expect(c.canModerate).toBe(true);
    expect(c.remotePage).toMatch(/^http:\/\/127\.0\.0\.1/);
    const imported = c.reuses.find((r: { source: string }) => r.source === 'datagouv');
    expect(imported).toMatchObject({ title: 'Appli permis', author: 'Start-up Permis', type: 'application' });
    expect(imported.remotePage).toMatch(/\/reuses\//);
    const d = c.discussions.find((x: { source: string }) => x.source === 'datagouv');
    expect(d).toMatchObject({ title: 'Coordonnées GPS', author: 'Alex Martin', answered: true });
    expect(d.messages[1]).toMatchObject({ producer: true });
    // An imported discussion is answered on data.gouv.fr.
    const ans = await t.app.inject({
      method: 'POST',
      url: `/api/opendata/discussions/${d.id}/answers`,
      headers: bearer(editor),
      payload: { body: 'Réponse ici' },
    });
    expect(ans.statusCode).toBe(409);
    const again = await t.app.inject({ method: 'POST', url: `${url}/community/import`, headers: bearer(editor) });
    expect(again.json()).toMatchObject({ reuses: { added: 0, updated: 1, skipped: 1 }, discussions: { added: 0, updated: 1 } });
    expect((await t.app.inject({ method: 'GET', url: `${url}/community` })).json().lastImport.reuses.updated).toBe(1);
  });

  it('the producer’s editor removes a reuse; a reader cannot', async () => {
    const c = (await t.app.inject({ method: 'GET', url: `${url}/community` })).json();
    const local = c.reuses.find((r: { source: string }) => r.source === 'local');
    expect((await t.app.inject({ method: 'DELETE', url: `/api/opendata/reuses/${local.id}`, headers: bearer(reader) })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/opendata/reuses/${local.id}`, headers: bearer(outsider) })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/opendata/reuses/${local.id}`, headers: bearer(editor) })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: `${url}/community` })).json().reuses).toHaveLength(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { bearer, createTestPlatform, type TestPlatform } from '../../../../test/harness.ts';
import { opendataDatagouvAccounts, opendataVersions } from '../opendata.table.ts';
import { startFakeUdata, type FakeUdata } from './fake-udata.ts';
import { udataLicence } from './push.ts';

/** Issue 16: the push of a dataset's published files to data.gouv.fr, as a job, against the udata fake. */
const KEY = 'cle-de-test-organisation-dsr-0123456789';
const ORG = '5a1b2c3d4e5f60718293a4b5';
let t: TestPlatform;
let fake: FakeUdata;
let editor: string;
let dataAdmin: string;
let outsider: string;
let dsrId: string;
let resourceId: string;

const B = 'xXpushXx';
function multipart(content: string) {
  const payload = Buffer.from(
    `--${B}\r\nContent-Disposition: form-data; name="file"; filename="liste.csv"\r\nContent-Type: text/csv\r\n\r\n${content}\r\n--${B}--\r\n`,
  );
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${B}` } };
}
async function publish(content: string) {
  const m = multipart(content);
  const up = await t.app.inject({
    method: 'POST',
    url: `/api/opendata/resources/${resourceId}/versions`,
    headers: { ...bearer(editor), ...m.headers },
    payload: m.payload,
  });
  expect(up.statusCode, up.body).toBe(201);
  const [row] = await t.ctx.db.select().from(opendataVersions).where(eq(opendataVersions.id, up.json().id));
  await t.ctx.jobs.waitFor(row!.jobId!, 30_000);
  const p = await t.app.inject({ method: 'POST', url: `/api/opendata/versions/${up.json().id}/publish`, headers: bearer(editor) });
  expect(p.statusCode, p.body).toBe(200);
}
async function pushAndWait() {
  const r = await t.app.inject({ method: 'POST', url: '/api/opendata/datasets/auto-ecoles/push', headers: bearer(editor) });
  expect(r.statusCode, r.body).toBe(202);
  await t.ctx.jobs.waitFor(r.json().jobId, 30_000);
  return (await t.app.inject({ method: 'GET', url: '/api/opendata/datasets/auto-ecoles/push', headers: bearer(editor) })).json();
}

beforeAll(async () => {
  fake = await startFakeUdata({ keys: { [KEY]: { id: 'u1', organizations: [ORG] } }, organizations: { [ORG]: 'Délégation à la sécurité routière' } });
  t = await createTestPlatform({ startJobs: true, env: { DATAGOUV_ALLOW_PRIVATE: 'true' } });
  editor = (await t.tokenFor('editor', { organisationCode: 'DSR' })).token;
  dataAdmin = (await t.tokenFor('data_admin', { organisationCode: 'DSR' })).token;
  outsider = (await t.tokenFor('data_admin', { organisationCode: 'DNUM' })).token;
  const admin = (await t.tokenFor('admin')).token;
  dsrId = (await t.ctx.organisations.list()).find((o) => o.code === 'DSR')!.id;
  await t.app.inject({
    method: 'POST',
    url: '/api/catalog/assets',
    headers: bearer(admin),
    payload: {
      kind: 'dataset',
      slug: 'auto-ecoles',
      title: 'Auto-écoles agréées',
      description: 'Liste des auto-écoles.',
      owner: 'DSR',
      openness: 'ouvert',
      tags: ['permis'],
      spec: { licence: 'Licence Ouverte 2.0' },
    },
  });
  const r = await t.app.inject({
    method: 'POST',
    url: '/api/opendata/datasets/auto-ecoles/resources',
    headers: bearer(editor),
    payload: { title: 'Liste', slug: 'liste' },
  });
  resourceId = r.json().id;
  await publish('id;commune\r\nAE-1;Belval\r\n');
});
afterAll(async () => {
  await t?.teardown();
  await fake?.close();
});

describe('push to data.gouv.fr', () => {
  it('refuses a push without an account', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/api/opendata/datasets/auto-ecoles/push', headers: bearer(editor) });
    expect(r.statusCode).toBe(409);
    expect(r.json().detail).toMatch(/clé d’API/);
  });

  it('a data_admin of the organisation sets the account; the key is sealed at rest and never returned', async () => {
    const body = { target: fake.url, udataOrganization: ORG, apiKey: KEY };
    expect((await t.app.inject({ method: 'PUT', url: `/api/opendata/datagouv/accounts/${dsrId}`, headers: bearer(outsider), payload: body })).statusCode).toBe(
      403,
    );
    expect((await t.app.inject({ method: 'PUT', url: `/api/opendata/datagouv/accounts/${dsrId}`, headers: bearer(editor), payload: body })).statusCode).toBe(
      403,
    );
    const short = await t.app.inject({
      method: 'PUT',
      url: `/api/opendata/datagouv/accounts/${dsrId}`,
      headers: bearer(dataAdmin),
      payload: { ...body, apiKey: 'court' },
    });
    expect(short.statusCode).toBe(400);
    expect(short.json().errors[0].field).toMatch(/apiKey$/);
    const r = await t.app.inject({ method: 'PUT', url: `/api/opendata/datagouv/accounts/${dsrId}`, headers: bearer(dataAdmin), payload: body });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.body).not.toContain(KEY);
    expect(r.json().apiKeyHint).toBe('…6789');
    const [row] = await t.ctx.db.select().from(opendataDatagouvAccounts);
    expect(row!.apiKeySealed).not.toContain(KEY);
    expect(row!.apiKeySealed.split('.')).toHaveLength(3);
  });

  it('creates the dataset and uploads the published file; a second push changes nothing; a new version replaces the file', async () => {
    const first = await pushAndWait();
    expect(first).toMatchObject({ state: 'succeeded', error: null });
    expect(first.remoteId).toBeTruthy();
    expect(fake.datasets.size).toBe(1);
    const remote = fake.datasets.get(first.remoteId)!;
    expect(remote).toMatchObject({ title: 'Auto-écoles agréées', license: 'lov2', organization: { id: ORG } });
    expect(first.result.resources).toEqual([expect.objectContaining({ localId: resourceId, action: 'created' })]);
    const rid = first.result.resources[0].remoteId;
    expect(fake.files.get(rid)!.toString()).toBe('id;commune\r\nAE-1;Belval\r\n');

    const second = await pushAndWait();
    expect(second.remoteId).toBe(first.remoteId);
    expect(second.result.resources[0]).toMatchObject({ remoteId: rid, action: 'unchanged' });
    expect(fake.datasets.size).toBe(1);

    await publish('id;commune\r\nAE-1;Belval\r\nAE-2;Montval\r\n');
    const third = await pushAndWait();
    expect(third.result.resources[0]).toMatchObject({ remoteId: rid, action: 'replaced' });
    expect(fake.files.get(rid)!.toString()).toContain('AE-2;Montval');
  });

  it('a refused key makes the push fail visibly, with data.gouv.fr’s reason', async () => {
    await t.app.inject({
      method: 'PUT',
      url: `/api/opendata/datagouv/accounts/${dsrId}`,
      headers: bearer(dataAdmin),
      payload: { target: fake.url, udataOrganization: ORG, apiKey: 'cle-revoquee-0000000000000' },
    });
    const r = await pushAndWait();
    expect(r.state).toBe('failed');
    expect(r.error).toBeTruthy();
    // The remote ids are kept for the next push.
    expect(r.remoteId).toBeTruthy();
    expect((await t.app.inject({ method: 'GET', url: '/api/opendata/datasets/auto-ecoles/push', headers: bearer(outsider) })).statusCode).toBe(403);
  });

  it('maps the catalogue’s licences to udata’s ids', () => {
    expect(udataLicence('Licence Ouverte 2.0')).toBe('lov2');
    expect(udataLicence('ODbL')).toBe('odc-odbl');
    expect(udataLicence('propriétaire')).toBeUndefined();
  });
});

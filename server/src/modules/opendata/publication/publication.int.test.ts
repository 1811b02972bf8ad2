import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Parser } from 'n3';
import { eq } from 'drizzle-orm';
import { bearer, createTestPlatform, type TestPlatform } from '../../../../test/harness.ts';
import { auditLog } from '../../../platform/audit/audit.table.ts';
import { opendataDownloads, opendataVersions } from '../opendata.table.ts';
import type { PublicationService } from './publication.service.ts';
import { assertTransition } from './publication.service.ts';

/** Issue 16 (second half): resources, versions, analysis job, publication, waiver, downloads, DCAT, usage. */
let t: TestPlatform;
let pub: PublicationService;
let editor: string;
let dataAdmin: string;
let outsider: string;
let admin: string;
let resourceId: string;
let schemaId: string;

const B = 'xXpubXx';
function multipart(filename: string, content: string | Buffer) {
  const payload = Buffer.concat([
    Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`),
    Buffer.isBuffer(content) ? content : Buffer.from(content),
    Buffer.from(`\r\n--${B}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${B}` } };
}

const schema = {
  fields: [
    { name: 'id', type: 'string', constraints: { required: true, pattern: '^AE-[0-9]{3}$' } },
    { name: 'commune', type: 'string' },
    { name: 'places', type: 'integer', constraints: { minimum: 0, maximum: 500 } },
  ],
  primaryKey: ['id'],
};
const good = 'id;commune;places\r\nAE-001;Belval;12\r\nAE-002;Montval;30\r\nAE-003;Belval;\r\n';
const bad = 'id;commune;places\r\nAE-001;Belval;12\r\nAE-002;Montval;900\r\n';
const withEmails =
  'id;commune;places;courriel\r\n' +
  Array.from(
    { length: 12 },
    (_, i) => `AE-${String(i + 1).padStart(3, '0')};Belval;${i};${['jeanne.martin', 'paul.durand', 'luc.petit'][i % 3]}${i}@exemple-messagerie.fr`,
  ).join('\r\n') +
  '\r\n';

async function upload(token: string, content: string, filename = 'auto-ecoles.csv') {
  const m = multipart(filename, content);
  return t.app.inject({
    method: 'POST',
    url: `/api/opendata/resources/${resourceId}/versions`,
    headers: { ...bearer(token), ...m.headers },
    payload: m.payload,
  });
}
async function analysed(id: string) {
  const row = (await t.ctx.db.select().from(opendataVersions).where(eq(opendataVersions.id, id)))[0]!;
  await t.ctx.jobs.waitFor(row.jobId!, 30_000);
  return (await t.app.inject({ method: 'GET', url: `/api/opendata/versions/${id}`, headers: bearer(editor) })).json();
}

beforeAll(async () => {
  t = await createTestPlatform({ startJobs: true });
  pub = t.services.opendataPublication!;
  editor = (await t.tokenFor('editor', { organisationCode: 'DSR' })).token;
  dataAdmin = (await t.tokenFor('data_admin', { organisationCode: 'DSR' })).token;
  outsider = (await t.tokenFor('editor', { organisationCode: 'DNUM' })).token;
  admin = (await t.tokenFor('admin')).token;
  const c = await t.app.inject({
    method: 'POST',
    url: '/api/catalog/assets',
    headers: bearer(admin),
    payload: { kind: 'dataset', slug: 'auto-ecoles', title: 'Auto-écoles agréées', owner: 'DSR', openness: 'ouvert', spec: { licence: 'Licence Ouverte 2.0' } },
  });
  expect(c.statusCode, c.body).toBe(201);
  await t.app.inject({
    method: 'POST',
    url: '/api/catalog/assets',
    headers: bearer(admin),
    payload: { kind: 'dataset', slug: 'ferme', title: 'Jeu fermé', owner: 'DSR', openness: 'ferme' },
  });
  const dsrAdmin = await t.app.inject({
    method: 'POST',
    url: '/api/opendata/schemas',
    headers: bearer(admin),
    payload: { slug: 'auto-ecoles', version: '1.0', organisationId: (await t.ctx.organisations.list()).find((o) => o.code === 'DSR')!.id, descriptor: schema },
  });
  expect(dsrAdmin.statusCode, dsrAdmin.body).toBe(201);
  schemaId = dsrAdmin.json().id;
});
afterAll(async () => t?.teardown());

describe('resources and versions', () => {
  it('only an editor or data_admin of the owner organisation creates a resource; fields are checked', async () => {
    const body = { title: 'Liste des auto-écoles', slug: 'liste', schema: schemaId };
    const denied = await t.app.inject({ method: 'POST', url: '/api/opendata/datasets/auto-ecoles/resources', headers: bearer(outsider), payload: body });
    expect(denied.statusCode).toBe(403);
    const anon = await t.app.inject({ method: 'POST', url: '/api/opendata/datasets/auto-ecoles/resources', payload: body });
    expect(anon.statusCode).toBe(401);
    const badSchema = await t.app.inject({
      method: 'POST',
      url: '/api/opendata/datasets/auto-ecoles/resources',
      headers: bearer(editor),
      payload: { ...body, schema: 'nope/nope' },
    });
    expect(badSchema.statusCode).toBe(400);
    expect(badSchema.json().errors[0].field).toBe('schema');
    const r = await t.app.inject({ method: 'POST', url: '/api/opendata/datasets/auto-ecoles/resources', headers: bearer(editor), payload: body });
    expect(r.statusCode, r.body).toBe(201);
    resourceId = r.json().id;
    expect(r.json().schema).toMatchObject({ id: schemaId, name: 'dsr/auto-ecoles' });
    const dup = await t.app.inject({ method: 'POST', url: '/api/opendata/datasets/auto-ecoles/resources', headers: bearer(editor), payload: body });
    expect(dup.statusCode).toBe(400);
    expect(dup.json().errors[0].field).toBe('slug');
  });

  it('refuses an upload from outside the organisation before reading it, and a file of another format', async () => {
    expect((await upload(outsider, good)).statusCode).toBe(403);
    const r = await upload(editor, good, 'photo.png');
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0].field).toBe('file');
    expect(await t.ctx.db.select().from(opendataVersions)).toHaveLength(0);
  });

  it('an invalid file is analysed by a job: report, profile, preview; state invalid, nothing published', async () => {
    const r = await upload(editor, bad);
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ number: 1, state: 'uploaded', bytes: Buffer.byteLength(bad) });
    expect(r.json().sha256).toMatch(/^[0-9a-f]{64}$/);
    const v = await analysed(r.json().id);
    expect(v.state).toBe('invalid');
    expect(v.valid).toBe(false);
    expect(v.report.errors[0]).toMatchObject({ rowNumber: 3, fieldName: 'places' });
    expect(v.rows).toBe(2);
    const publish = await t.app.inject({ method: 'POST', url: `/api/opendata/versions/${v.id}/publish`, headers: bearer(editor) });
    expect(publish.statusCode).toBe(409);
  });

  it('a fixed file is ready with its profile and preview; publishing is an explicit, audited act', async () => {
    const r = await upload(editor, good);
    const v = await analysed(r.json().id);
    expect(v).toMatchObject({ number: 2, state: 'ready', valid: true, rows: 3, format: 'csv', encoding: 'utf-8', columns: ['id', 'commune', 'places'] });
    expect(v.dialect.delimiter).toBe(';');
    expect(v.schema).toMatchObject({ name: 'dsr/auto-ecoles', version: '1.0' });
    expect(v.preview).toEqual([
      ['AE-001', 'Belval', '12'],
      ['AE-002', 'Montval', '30'],
      ['AE-003', 'Belval', ''],
    ]);
    const places = v.profile.find((p: { name: string }) => p.name === 'places');
    expect(places).toMatchObject({ type: 'integer', distinct: 2, min: '12', max: '30' });
    expect(places.emptyShare).toBeCloseTo(1 / 3, 2);
    const commune = v.profile.find((p: { name: string }) => p.name === 'commune');
    expect(commune.top[0]).toEqual({ value: 'Belval', count: 2 });
    // Not public before publication.
    expect((await t.app.inject({ method: 'GET', url: `/api/opendata/versions/${v.id}` })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/opendata/datasets/auto-ecoles/resources/liste/download' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: `/api/opendata/versions/${v.id}/publish`, headers: bearer(outsider) })).statusCode).toBe(403);
    const p = await t.app.inject({ method: 'POST', url: `/api/opendata/versions/${v.id}/publish`, headers: bearer(editor) });
    expect(p.statusCode, p.body).toBe(200);
    expect(p.json()).toMatchObject({ state: 'published' });
    const audit = await t.ctx.db.select().from(auditLog).where(eq(auditLog.entityId, v.id));
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['opendata.version.upload', 'opendata.version.analysing', 'opendata.version.ready', 'opendata.version.published']),
    );
    const again = await t.app.inject({ method: 'POST', url: `/api/opendata/versions/${v.id}/publish`, headers: bearer(editor) });
    expect(again.statusCode).toBe(409);
    // The same file again is refused: nothing new to publish.
    expect((await upload(editor, good)).statusCode).toBe(409);
  });

  it('personal data put a version in review: publication needs a data_admin waiver with a reason; it supersedes the previous one', async () => {
    const r = await upload(editor, withEmails);
    const v = await analysed(r.json().id);
    expect(v.state).toBe('review');
    expect(v.personalData).toEqual([expect.objectContaining({ fieldName: 'courriel', kinds: ['email'] })]);
    const refused = await t.app.inject({ method: 'POST', url: `/api/opendata/versions/${v.id}/publish`, headers: bearer(editor) });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toMatch(/administrateur des données/);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/opendata/versions/${v.id}/waiver`,
          headers: bearer(editor),
          payload: { reason: 'Adresses de service, vérifiées une à une.' },
        })
      ).statusCode,
    ).toBe(403);
    const short = await t.app.inject({ method: 'POST', url: `/api/opendata/versions/${v.id}/waiver`, headers: bearer(dataAdmin), payload: { reason: 'ok' } });
    expect(short.statusCode).toBe(400);
    expect(short.json().errors[0].field).toMatch(/reason$/);
    const w = await t.app.inject({
      method: 'POST',
      url: `/api/opendata/versions/${v.id}/waiver`,
      headers: bearer(dataAdmin),
      payload: { reason: 'Adresses de service, vérifiées une à une.' },
    });
    expect(w.statusCode, w.body).toBe(200);
    expect(w.json().waiver).toMatchObject({ reason: 'Adresses de service, vérifiées une à une.' });
    const p = await t.app.inject({ method: 'POST', url: `/api/opendata/versions/${v.id}/publish`, headers: bearer(editor) });
    expect(p.statusCode, p.body).toBe(200);
    const page = (await t.app.inject({ method: 'GET', url: '/api/opendata/datasets/auto-ecoles' })).json();
    expect(page).toMatchObject({ title: 'Auto-écoles agréées', producer: { code: 'DSR' }, licence: 'Licence Ouverte 2.0', canEdit: false });
    const res = page.resources[0];
    expect(res.published.number).toBe(3);
    // The public sees published and superseded versions, never the invalid one.
    expect(res.versions.map((x: { number: number; state: string }) => [x.number, x.state])).toEqual([
      [3, 'published'],
      [2, 'superseded'],
    ]);
    const edit = (await t.app.inject({ method: 'GET', url: '/api/opendata/datasets/auto-ecoles', headers: bearer(editor) })).json();
    expect(edit.canEdit).toBe(true);
    expect(edit.resources[0].versions).toHaveLength(3);
    const audit = await t.ctx.db.select().from(auditLog).where(eq(auditLog.entityId, v.id));
    expect(audit.find((a) => a.action === 'opendata.version.waive')).toBeTruthy();
  });

  it('refuses publication on a dataset that is not open in the catalogue', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/api/opendata/datasets/ferme/resources', headers: bearer(editor), payload: { title: 'Fichier' } });
    expect(r.statusCode).toBe(201);
    const m = multipart('f.csv', 'a;b\r\n1;2\r\n');
    const up = await t.app.inject({
      method: 'POST',
      url: `/api/opendata/resources/${r.json().id}/versions`,
      headers: { ...bearer(editor), ...m.headers },
      payload: m.payload,
    });
    const v = await analysed(up.json().id);
    expect(v.state).toBe('ready');
    const p = await t.app.inject({ method: 'POST', url: `/api/opendata/versions/${v.id}/publish`, headers: bearer(editor) });
    expect(p.statusCode).toBe(409);
    expect((await t.app.inject({ method: 'GET', url: '/api/opendata/datasets/ferme' })).statusCode).toBe(404);
  });

  it('checks every transition on the server', () => {
    expect(() => assertTransition('invalid', 'published')).toThrow(/Transition refusée/);
    expect(() => assertTransition('withdrawn', 'published')).toThrow();
    expect(() => assertTransition('superseded', 'withdrawn')).toThrow();
    expect(() => assertTransition('ready', 'published')).not.toThrow();
  });

  it('a link to a private address fails visibly (refused when registered)', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: `/api/opendata/resources/${resourceId}/versions/from-url`,
      headers: bearer(editor),
      payload: { url: 'http://127.0.0.1/x.csv' },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0].field).toBe('url');
  });
});

describe('downloads', () => {
  const url = '/api/opendata/datasets/auto-ecoles/resources/liste/download';
  const browser = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0' };

  it('serves the published version with Content-Type, Content-Disposition, ETag, 304, Range 206 and 416', async () => {
    const r = await t.app.inject({ method: 'GET', url, headers: browser });
    expect(r.statusCode).toBe(200);
    expect(r.body).toBe(withEmails);
    expect(r.headers['content-type']).toMatch(/text\/csv/);
    expect(r.headers['content-disposition']).toBe('attachment; filename="auto-ecoles-liste-v3.csv"');
    const etag = r.headers.etag as string;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect((await t.app.inject({ method: 'GET', url, headers: { ...browser, 'if-none-match': etag } })).statusCode).toBe(304);
    const part = await t.app.inject({ method: 'GET', url, headers: { ...browser, range: 'bytes=0-1' } });
    expect(part.statusCode).toBe(206);
    expect(part.body).toBe('id');
    expect(part.headers['content-range']).toBe(`bytes 0-1/${Buffer.byteLength(withEmails)}`);
    const past = await t.app.inject({ method: 'GET', url, headers: { ...browser, range: 'bytes=99999-' } });
    expect(past.statusCode).toBe(416);
  });

  it('counts downloads per resource and day, once per client within the window, bots excluded', async () => {
    await pub.counter.flush();
    await t.ctx.db.delete(opendataDownloads);
    // Another browser than the previous test's (whose downloads are still within the window).
    const other = { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0) Chrome/128.0 Safari/537.36' };
    await t.app.inject({ method: 'GET', url, headers: other });
    await t.app.inject({ method: 'GET', url, headers: other });
    await t.app.inject({ method: 'GET', url, headers: { 'user-agent': 'Googlebot/2.1 (+http://www.google.com/bot.html)' } });
    await t.app.inject({ method: 'GET', url, headers: { 'user-agent': 'curl/8.5.0' } });
    await t.app.inject({ method: 'GET', url, remoteAddress: '203.0.113.9', headers: other });
    await pub.counter.flush();
    const rows = await t.ctx.db.select().from(opendataDownloads);
    expect(rows).toEqual([{ resourceId, day: new Date().toISOString().slice(0, 10), count: 2 }]);
    const page = (await t.app.inject({ method: 'GET', url: '/api/opendata/datasets/auto-ecoles' })).json();
    expect(page.resources[0].downloads).toBe(2);
  });

  it('serves a superseded version at its own URL, and 410 once a version is withdrawn', async () => {
    const page = (await t.app.inject({ method: 'GET', url: '/api/opendata/datasets/auto-ecoles' })).json();
    const [published, superseded] = page.resources[0].versions;
    const old = await t.app.inject({ method: 'GET', url: superseded.downloadUrl, headers: browser });
    expect(old.statusCode).toBe(200);
    expect(old.body).toBe(good);
    const w = await t.app.inject({
      method: 'POST',
      url: `/api/opendata/versions/${published.id}/withdraw`,
      headers: bearer(editor),
      payload: { reason: 'Adresses retirées à la demande du producteur.' },
    });
    expect(w.statusCode, w.body).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: published.downloadUrl, headers: browser })).statusCode).toBe(410);
    expect((await t.app.inject({ method: 'GET', url, headers: browser })).statusCode).toBe(404);
    // Republish the superseded one? No: superseded is final; a new upload is the way back.
    expect((await t.app.inject({ method: 'POST', url: `/api/opendata/versions/${superseded.id}/publish`, headers: bearer(editor) })).statusCode).toBe(409);
    const again = await upload(editor, good.replace('AE-003;Belval;', 'AE-003;Belval;5'));
    const v = await analysed(again.json().id);
    expect((await t.app.inject({ method: 'POST', url: `/api/opendata/versions/${v.id}/publish`, headers: bearer(editor) })).statusCode).toBe(200);
  });
});

describe('DCAT and usage', () => {
  it('lists the published resource as a dcat:Distribution of its dataset', async () => {
    const ttl = (await t.app.inject('/catalog.ttl')).body;
    const quads = new Parser({ format: 'text/turtle' }).parse(ttl);
    const dist = quads.find(
      (q) =>
        q.predicate.value === 'http://www.w3.org/ns/dcat#downloadURL' && q.object.value.endsWith('/api/opendata/datasets/auto-ecoles/resources/liste/download'),
    );
    expect(dist).toBeTruthy();
    const of = (p: string) => quads.filter((q) => q.subject.equals(dist!.subject) && q.predicate.value === p).map((q) => q.object.value);
    expect(of('http://www.w3.org/ns/dcat#mediaType')).toEqual(['http://www.iana.org/assignments/media-types/text/csv']);
    expect(of('http://purl.org/dc/terms/format')).toEqual(['http://publications.europa.eu/resource/authority/file-type/CSV']);
    expect(of('http://www.w3.org/ns/dcat#byteSize')).toHaveLength(1);
    expect(of('http://purl.org/dc/terms/conformsTo')[0]).toMatch(new RegExp(`/api/opendata/schemas/${schemaId}$`));
    const sum = of('http://spdx.org/rdf/terms#checksum')[0];
    expect(quads.find((q) => q.subject.value === sum && q.predicate.value === 'http://spdx.org/rdf/terms#checksumValue')!.object.value).toMatch(
      /^[0-9a-f]{64}$/,
    );
  });

  it('gives downloads per day, resource and organisation to the organisation, as JSON and CSV', async () => {
    const u = await t.app.inject({ method: 'GET', url: '/api/opendata/usage', headers: bearer(dataAdmin) });
    expect(u.statusCode, u.body).toBe(200);
    expect(u.json().total).toBe(2);
    expect(u.json().days).toHaveLength(30);
    expect(u.json().resources[0]).toMatchObject({ dataset: 'auto-ecoles', organisation: 'DSR', downloads: 2 });
    expect((await t.app.inject({ method: 'GET', url: '/api/opendata/usage?organisation=DNUM', headers: bearer(dataAdmin) })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/opendata/usage' })).statusCode).toBe(401);
    const csv = await t.app.inject({ method: 'GET', url: '/api/opendata/usage?format=csv', headers: bearer(admin) });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body).toMatch(/auto-ecoles/);
    const badDate = await t.app.inject({ method: 'GET', url: '/api/opendata/usage?from=2026-13-45x', headers: bearer(admin) });
    expect(badDate.statusCode).toBe(400);
  });
});

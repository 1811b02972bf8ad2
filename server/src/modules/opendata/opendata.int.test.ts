import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { RELS, WORKBOOK, zipOf } from './validation/zip-writer.test-helper.ts';
import { DEFAULT_UPLOAD_LIMITS } from '../../platform/http/upload.ts';
import { MAX_CONCURRENT_VALIDATIONS } from './opendata.service.ts';

/** Issue 16 (first half): schema catalogue, ministry schema upload, the stateless validation endpoint. */
let t: TestPlatform;
beforeAll(async () => {
  t = await createTestPlatform({ env: { PATRIMOINE_OPENDATA_ANON_LIMIT: '4096' } });
});
afterAll(async () => t?.teardown());

const B = 'xXopendataXx';
function multipart(parts: { name: string; value: string | Buffer; filename?: string }[]) {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disp = p.filename ? `form-data; name="${p.name}"; filename="${p.filename}"` : `form-data; name="${p.name}"`;
    chunks.push(Buffer.from(`--${B}\r\nContent-Disposition: ${disp}\r\n${p.filename ? 'Content-Type: application/octet-stream\r\n' : ''}\r\n`));
    chunks.push(Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${B}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${B}` } };
}

const schema = {
  fields: [
    { name: 'id_site', type: 'string', constraints: { required: true, pattern: '^CV-[0-9]{5}$' } },
    { name: 'vitesse_max', type: 'integer', constraints: { minimum: 20, maximum: 130 } },
    { name: 'contact', type: 'string' },
  ],
  primaryKey: ['id_site'],
};

describe('schema catalogue', () => {
  it('loads the 60 TableSchemas of schema.data.gouv.fr with their versions, idempotently', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/opendata/schemas?source=reference' });
    expect(r.statusCode).toBe(200);
    const body = r.json() as { items: { id: string; name: string; version: string; versions: string[] }[]; total: number };
    expect(body.total).toBe(60);
    const irve = body.items.find((i) => i.name === 'etalab/schema-irve-statique')!;
    expect(irve.versions.length).toBeGreaterThan(3);
    expect(irve.version).toBe(irve.versions.at(-1));
    const detail = await t.app.inject({ method: 'GET', url: `/api/opendata/schemas/${irve.id}` });
    expect((detail.json() as { descriptor: { fields: unknown[] } }).descriptor.fields.length).toBeGreaterThan(10);
    for (const m of t.modules) await m.seedReference?.();
    expect((await t.app.inject({ method: 'GET', url: '/api/opendata/schemas?source=reference' })).json().total).toBe(60);
    const csv = await t.app.inject({ method: 'GET', url: '/api/opendata/schemas?q=irve&format=csv' });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body).toMatch(/etalab\/schema-irve-statique/);
  });

  it('a data_admin publishes versioned schemas for their organisation only; the profile is enforced', async () => {
    const admin = await t.tokenFor('data_admin', { organisationCode: 'DNUM' });
    const orgs = await t.ctx.organisations.list();
    const dnum = orgs.find((o) => o.code === 'DNUM')!;
    const other = orgs.find((o) => o.code !== 'DNUM')!;
    const post = (body: unknown, token = admin.token) =>
      t.app.inject({ method: 'POST', url: '/api/opendata/schemas', payload: body as object, headers: bearer(token) });
    const ok = await post({ slug: 'controles', version: '1.0.0', organisationId: dnum.id, descriptor: schema });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ name: 'dnum/controles', version: '1.0.0', source: 'ministry', fields: 3 });
    expect((await post({ slug: 'controles', version: '1.0.0', organisationId: dnum.id, descriptor: schema })).statusCode).toBe(409);
    const lower = await post({ slug: 'controles', version: '0.9', organisationId: dnum.id, descriptor: schema });
    expect(lower.statusCode).toBe(400);
    const v2 = await post({ slug: 'controles', version: '1.1.0', organisationId: dnum.id, descriptor: { ...schema, title: 'v2' } });
    expect(v2.json().versions).toEqual(['1.0.0', '1.1.0']);
    const bad = await post({ slug: 'pas-un-schema', version: '1.0', organisationId: dnum.id, descriptor: { fields: [{ name: 'a', type: 'banane' }] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.length).toBeGreaterThan(0);
    expect(JSON.stringify(bad.json().errors)).toMatch(/descriptor/);
    const noFields = await post({ slug: 'pas-un-schema', version: '1.0', organisationId: dnum.id, descriptor: { title: 'x' } });
    expect(noFields.json().errors[0].message).toMatch(/fields/);
    expect((await post({ slug: 'ailleurs', version: '1.0', organisationId: other.id, descriptor: schema })).statusCode).toBe(403);
    const reader = await t.tokenFor('reader');
    expect((await post({ slug: 'x', version: '1.0', organisationId: dnum.id, descriptor: schema }, reader.token)).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/opendata/schemas', payload: {} })).statusCode).toBe(401);
    const audit = await t.app.inject({ method: 'GET', url: '/api/opendata/schemas?source=ministry' });
    expect(audit.json().items.map((i: { name: string; version: string }) => `${i.name}@${i.version}`)).toEqual(['dnum/controles@1.1.0']);
  });
});

describe('POST /api/opendata/validate', () => {
  const validate = async (file: string | Buffer, filename: string, schemaField?: string, headers: Record<string, string> = {}) => {
    const m = multipart([...(schemaField !== undefined ? [{ name: 'schema', value: schemaField }] : []), { name: 'file', value: file, filename }]);
    return t.app.inject({ method: 'POST', url: '/api/opendata/validate', payload: m.payload, headers: { ...m.headers, ...headers } });
  };

  it('reports errors at the right line, anonymous, with a JSON schema', async () => {
    const r = await validate('id_site;vitesse_max;contact\r\nCV-00001;90;\r\nCV-2;200;\r\n', 'sites.csv', JSON.stringify(schema));
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.valid).toBe(false);
    expect(body.stats.rows).toBe(2);
    expect(body.errors.map((e: { type: string; rowNumber: number; fieldName: string }) => [e.type, e.rowNumber, e.fieldName])).toEqual([
      ['constraint-error', 3, 'id_site'],
      ['constraint-error', 3, 'vitesse_max'],
    ]);
    expect(body.errors[1].message).toMatch(/Ligne 3, colonne « vitesse_max » : 200 est supérieur au maximum 130/);
    const fixed = await validate('id_site;vitesse_max\r\nCV-00001;90\r\nCV-00002;110\r\n', 'sites.csv', JSON.stringify(schema));
    expect(fixed.json()).toMatchObject({ valid: true, stats: { rows: 2, errors: 0 }, errors: [] });
  });

  it('uses a catalogue schema by id, by name and by its schema.data.gouv.fr URL; flags personal data', async () => {
    const list = (await t.app.inject({ method: 'GET', url: '/api/opendata/schemas?q=dnum/controles' })).json();
    const id = list.items[0].id as string;
    const csv = 'id_site;vitesse_max;contact\nCV-00001;90;jeanne.martin@example.org\nCV-00002;110;paul.durand@example.org\n';
    const byId = (await validate(csv, 'a.csv', id)).json();
    expect(byId.valid).toBe(true);
    expect(byId.schema).toMatchObject({ name: 'dnum/controles', version: '1.1.0' });
    expect(byId.personalData).toEqual([{ fieldName: 'contact', kinds: ['email'], share: 1 }]);
    expect((await validate(csv, 'a.csv', 'dnum/controles')).json().valid).toBe(true);
    const url = 'https://schema.data.gouv.fr/schemas/etalab/schema-irve-statique/latest/schema-statique.json';
    const irve = (await validate('x;y\n1;2\n', 'irve.csv', url)).json();
    expect(irve.schema.name).toBe('etalab/schema-irve-statique');
    expect(irve.errors.some((e: { type: string }) => e.type === 'missing-label')).toBe(true);
  });

  it('refuses what it cannot use, in French, and applies the size limits', async () => {
    const notSchema = await validate('a\n1\n', 'a.csv', '{"title": "pas de champs"}');
    expect(notSchema.statusCode).toBe(400);
    expect(notSchema.json().errors[0]).toMatchObject({ field: 'schema.fields' });
    const redos = await validate('a\n1\n', 'a.csv', JSON.stringify({ fields: [{ name: 'a', constraints: { pattern: '^(a+)+$' } }] }));
    expect(redos.statusCode).toBe(400);
    expect(redos.json().errors[0]).toMatchObject({ field: 'schema.fields[0].constraints.pattern' });
    expect(redos.json().errors[0].message).toMatch(/quantificateur imbriqué/);
    const local = await validate('a\n1\n', 'a.csv', 'http://127.0.0.1:9/schema.json');
    expect(local.statusCode).toBe(400);
    expect(local.json().errors[0].field).toBe('schema');
    const big = 'a;b\n' + '1;2\n'.repeat(2000);
    const tooBig = await validate(big, 'big.csv', '');
    expect(tooBig.statusCode).toBe(400);
    expect(tooBig.json().errors[0].message).toMatch(/trop volumineux/);
    const user = await t.tokenFor('reader');
    const asUser = await validate(big, 'big.csv', '', bearer(user.token));
    expect(asUser.statusCode).toBe(200);
    expect(asUser.json().stats.rows).toBe(2000);
    const empty = (await validate('', 'vide.csv', '')).json();
    expect(empty.valid).toBe(false);
    expect(empty.errors[0].message).toMatch(/vide/);
    const sheet = `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>${' '.repeat(10 * 1024 * 1024)}</t></is></c></row></sheetData></worksheet>`;
    const bomb = zipOf({ 'xl/workbook.xml': WORKBOOK, 'xl/_rels/workbook.xml.rels': RELS, 'xl/worksheets/sheet1.xml': sheet });
    const b = (await validate(bomb, 'bombe.xlsx', '', bearer(user.token))).json();
    expect(b.valid).toBe(false);
    expect(b.errors[0].message).toMatch(/bombe/);
    // An upload cut in the middle (no closing boundary): a 400 problem, and no temporary file left.
    // The server's temporary directories go to a directory of this test only (os.tmpdir() reads
    // TMPDIR at each call): other test files running meanwhile make their own elsewhere.
    const ownTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'od-cut-upload-'));
    const previousTmp = process.env.TMPDIR;
    process.env.TMPDIR = ownTmp;
    const before = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('patrimoine-opendata-')).length;
    const whole = multipart([{ name: 'file', value: 'a;b\n' + '1;2\n'.repeat(500), filename: 'a.csv' }]);
    DEFAULT_UPLOAD_LIMITS.idleMs = 300;
    const cut = await t.app
      .inject({
        method: 'POST',
        url: '/api/opendata/validate',
        payload: whole.payload.subarray(0, whole.payload.length - 1000),
        headers: whole.headers,
      })
      .finally(() => {
        DEFAULT_UPLOAD_LIMITS.idleMs = 30_000;
      });
    // 400 when the parser sees the end of the body, 408 when it waits for more.
    expect([400, 408]).toContain(cut.statusCode);
    expect(cut.json().detail ?? cut.json().title).toMatch(/[Ee]nvoi|multipart|incomplet/);
    expect(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('patrimoine-opendata-')).length).toBe(before);
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
    fs.rmSync(ownTmp, { recursive: true, force: true });
    // Validations run at once are bounded per node: the next one is a 429 before its upload is read.
    const svc = t.services.opendata!;
    const slots = Array.from({ length: MAX_CONCURRENT_VALIDATIONS }, () => svc.acquireSlot());
    const busy = await validate('a\n1\n', 'a.csv', '');
    expect(busy.statusCode).toBe(429);
    expect(busy.json().detail).toMatch(/Trop de validations en cours/);
    for (const s of slots) s.release();
    expect((await validate('a\n1\n', 'a.csv', '')).statusCode).toBe(200);
    const limits = (await t.app.inject({ method: 'GET', url: '/api/opendata/validate/limits' })).json();
    expect(limits.anonymousBytes).toBe(4096);
  });
});

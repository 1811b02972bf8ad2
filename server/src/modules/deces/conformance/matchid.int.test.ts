/**
 * Conformance with matchID's clients (issue 17): the requests that matchID's own tests
 * (deces-backend `server.spec.ts`, `tests/test_query_params.sh`) and its UI (deces-ui: `LinkJob.svelte`,
 * `Login.svelte`, `jobs.js`) send, with the statuses and members they check. Written from what those
 * sources send and expect (no code of theirs), on data built to satisfy their expectations; nothing is
 * fetched at test time. What needs matchID's internals is listed in docs/modules/deces.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../../test/harness.ts';
import { startSmtpServer } from '../../../../test/smtp.ts';
import { importFile } from '../import.service.ts';
import { SYSTEM } from '../../../platform/auth/principal.ts';
import { lintOpenApiDocument } from '../../../platform/openapi.ts';

let t: TestPlatform;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deces-conf-'));
const W = [80, 1, 8, 5, 30, 30, 8, 5, 9];
const line = (f: string[]) => f.map((x, i) => x.padEnd(W[i]!, ' ')).join('');
const api = (p: string) => `/deces/api/v1${p}`;
const PASSWORD = 'correct horse battery staple';

/** People matchID's tests look for (names, dates and places as its fixtures expect). */
const PEOPLE = [
  line(['POMPIDOU*GEORGES JEAN RAYMOND/', '1', '19110705', '15141', 'MONTBOUDIF', '', '19740402', '75104', '511']),
  line(['POTTER*HARRY/', '1', '19400101', '57463', 'METZ', '', '20200110', '06088', '12']),
  line(['POTTIER*JEANNE/', '2', '19280123', '94028', 'CRETEIL', '', '20200122', '75115', '13']),
  line(['ROJO*MICHEL/', '1', '19450303', '99134', 'MADRID', 'ESPAGNE', '20200802', '99415', '14']),
  line(['DUPONT*ANA MARIA/', '2', '20000105', '75115', 'PARIS 15E ARRONDISSEMENT', '', '20200215', '75115', '15']),
  line(['MARTIN*MATHIEU/', '1', '19600909', '33063', 'BORDEAUX', '', '20200301', '33063', '16']),
  line(['DURAND*JEAN/', '1', '19330804', '13055', 'MARSEILLE', '', '20200405', '13055', '17']),
  // search.spec's « Query by GeoPoint » (born near 49.6, 2.98) and test_query_params.sh's (died in Dijon in 2019).
  line(['LEFEBVRE*PAUL/', '1', '19350612', '60471', 'NOYON', '', '20190314', '21231', '18']),
];

async function upload(token: string, fields: Record<string, string>, file?: { name?: string; field?: string; content: Buffer | string }) {
  const boundary = '----matchid' + Math.random().toString(16).slice(2);
  const parts: Buffer[] = Object.entries(fields).map(([k, v]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file)
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? 'csv'}"; filename="${file.name ?? 'file.csv'}"\r\nContent-Type: text/csv\r\n\r\n`,
      ),
      Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content),
      Buffer.from('\r\n'),
    );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return t.app.inject({
    method: 'POST',
    url: api('/search/csv'),
    payload: Buffer.concat(parts),
    headers: { ...bearer(token), 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
}

/** matchID's polling loop: GET until the status is neither `wait` nor `active`. */
async function poll(token: string, id: string, format: 'csv' | 'json' = 'csv', query = '') {
  await t.ctx.jobs.waitFor(id, 60_000);
  return t.app.inject({ method: 'GET', url: api(`/search/${format}/${id}${query}`), headers: bearer(token) });
}

async function signIn(user: string, password = PASSWORD) {
  const r = await t.app.inject({ method: 'POST', url: api('/auth'), payload: { user, password } });
  return r;
}

const csvRows = (body: string, sep = ',') => parse(body, { delimiter: sep, bom: true, relax_column_count: true }) as string[][];

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await createTestPlatform({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'Patrimoine <ne-pas-repondre@interieur.gouv.fr>' }, startJobs: true });
  const file = path.join(tmp, 'people.txt');
  fs.writeFileSync(file, Buffer.from(PEOPLE.join('\n') + '\n', 'latin1'));
  await importFile(t.ctx, file, { caller: SYSTEM });
  await t.ctx.users.create(
    { login: 'user1', email: 'user1@gmail.com', displayName: 'User One', role: 'reader', password: PASSWORD },
    { id: null, label: 'test' },
  );
  await t.ctx.users.create(
    { login: 'user2', email: 'user2@gmail.com', displayName: 'User Two', role: 'reader', password: PASSWORD },
    { id: null, label: 'test' },
  );
}, 120_000);
afterAll(async () => {
  await t?.teardown();
  await smtp?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('authentication (POST /auth, GET /auth, POST /register)', () => {
  it('POST /auth gives an access_token usable as Bearer; a wrong password is 401 with matchID’s msg', async () => {
    const r = await signIn('user1@gmail.com');
    expect(r.statusCode).toBe(200);
    expect(Object.keys(r.json())).toEqual(expect.arrayContaining(['access_token', 'msg', 'created_at', 'expiration_date']));
    const bad = await signIn('user1@gmail.com', 'not the password');
    expect(bad.statusCode).toBe(401);
    expect(bad.json().msg).toContain('Wrong username or password');
    // The login works too, and the token opens the signed-in routes.
    const byLogin = await signIn('user1');
    expect(byLogin.statusCode).toBe(200);
    const jobs = await t.app.inject({ method: 'GET', url: api('/queue/jobs'), headers: bearer(byLogin.json().access_token) });
    expect(jobs.statusCode).toBe(200);
    expect(jobs.json().jobs).toEqual([]);
  });

  it('GET /auth gives the token’s dates; ?refresh=true renews it with the same created_at and a later expiration', async () => {
    const token = (await signIn('user1@gmail.com')).json().access_token as string;
    const v = await t.app.inject({ method: 'GET', url: api('/auth'), headers: bearer(token) });
    expect(v.statusCode).toBe(200);
    expect(Object.keys(v.json())).toEqual(expect.arrayContaining(['msg', 'created_at', 'expiration_date']));
    await new Promise((r) => setTimeout(r, 1100));
    const refreshed = await t.app.inject({ method: 'GET', url: api('/auth?refresh=true'), headers: bearer(token) });
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.json()).toHaveProperty('access_token');
    const again = await t.app.inject({ method: 'GET', url: api('/auth'), headers: bearer(refreshed.json().access_token) });
    expect(again.statusCode).toBe(200);
    expect(again.json().created_at).toBe(v.json().created_at);
    expect(Number(again.json().expiration_date)).toBeGreaterThan(Number(v.json().expiration_date));
  });

  it('POST /register sends a one-time code by e-mail; the code signs in once', async () => {
    const r = await t.app.inject({ method: 'POST', url: api('/register'), payload: { user: 'user2@gmail.com' } });
    expect(r.statusCode).toBe(200);
    expect(r.json().valid).toBe(true);
    const mail = await smtp.waitFor((m) => m.to.includes('user2@gmail.com'), 30_000);
    const code = /(\d{6})/.exec(mail.text)![1]!;
    expect((await signIn('user2@gmail.com', code)).statusCode).toBe(200);
    expect((await signIn('user2@gmail.com', code)).statusCode).toBe(401);
    // An unknown address gets the same answer and no mail.
    const unknown = await t.app.inject({ method: 'POST', url: api('/register'), payload: { user: 'nobody@example.org' } });
    expect(unknown.json()).toEqual(r.json());
  });
});

describe('search as matchID’s server.spec sends it (GET and POST)', () => {
  type P = {
    name: { first: string[]; last: string };
    sex: string;
    birth: { date: string; location: Record<string, string> };
    death: { date: string; location: Record<string, string> };
  };
  const fixtures: { params: Record<string, string | number | boolean>; check: (persons: P[]) => void }[] = [
    { params: { deathDate: 2020, firstName: 'Harry' }, check: (p) => expect(p[0]!.name.first).toContain('Harry') },
    { params: { deathDate: 2020, lastName: 'Pottier' }, check: (p) => expect(p[0]!.name.last).toContain('Pottier') },
    { params: { deathDate: 2020, deathCountry: 'Argentine' }, check: (p) => expect(p[0]!.death.location.country).toBe('Argentine') },
    { params: { deathDate: 2020, birthDate: '23/01/1928' }, check: (p) => expect(p.map((x) => x.birth.date)).toContain('19280123') },
    { params: { deathDate: '22/01/2020' }, check: (p) => expect(p[0]!.death.date).toBe('20200122') },
    { params: { deathDate: 2020, birthCity: 'Metz' }, check: (p) => expect(p[0]!.birth.location.city).toBe('Metz') },
    { params: { deathDate: 2020, deathCity: 'Nice' }, check: (p) => expect(p[0]!.death.location.city).toBe('Nice') },
    { params: { deathDate: 2020, birthDepartment: 57 }, check: (p) => expect(p[0]!.birth.location.departmentCode).toBe('57') },
    { params: { deathDate: 2020, deathDepartment: 75 }, check: (p) => expect(p[0]!.death.location.departmentCode).toBe('75') },
    { params: { deathDate: 2020, firstName: 'Mathieu', fuzzy: 'false' }, check: (p) => p.forEach((x) => expect(x.name.first).toContain('Mathieu')) },
    { params: { q: 'Michel Rojo' }, check: (p) => expect(p[0]!.name.first).toContain('Michel') },
    { params: { q: 'Michel Rojo 02/08/2020' }, check: (p) => expect(p[0]).toMatchObject({ name: { last: 'Rojo' }, death: { date: '20200802' } }) },
    { params: { q: 'Mathieu' }, check: (p) => expect(p[0]!.name.first).toContain('Mathieu') },
    { params: { deathDate: '2020', deathAge: 20 }, check: (p) => expect(p.length).toBeGreaterThanOrEqual(1) },
    { params: { deathDate: '2020', sex: 'M' }, check: (p) => expect(p.map((x) => x.sex)).not.toContain('F') },
    { params: { firstName: 'Inconnu' }, check: (p) => expect(p).toHaveLength(0) },
  ];
  for (const f of fixtures)
    it(Object.entries(f.params).join(' '), async () => {
      const get = await t.app.inject({
        method: 'GET',
        url: api('/search'),
        query: Object.fromEntries(Object.entries(f.params).map(([k, v]) => [k, String(v)])),
      });
      expect(get.statusCode, get.body).toBe(200);
      f.check(get.json().response.persons);
      const post = await t.app.inject({ method: 'POST', url: api('/search'), payload: f.params });
      expect(post.statusCode, post.body).toBe(200);
      f.check(post.json().response.persons);
    });

  it('scroll until an empty page; the text/csv export has matchID’s columns and dates', async () => {
    let res = (await t.app.inject({ method: 'GET', url: api('/search'), query: { deathDate: '2020', scroll: '1m', size: '2' } })).json();
    let total = res.response.persons.length;
    while (res.response.persons.length > 0) {
      res = (await t.app.inject({ method: 'POST', url: api('/search'), payload: { scroll: '1m', scrollId: res.response.scrollId } })).json();
      total += res.response.persons.length;
    }
    expect(total).toBe(res.response.total);
    const csv = await t.app.inject({ method: 'POST', url: api('/search'), headers: { accept: 'text/csv' }, payload: { deathDate: '2020' } });
    const rows = parse(csv.body, { columns: true }) as Record<string, string>[];
    expect(csv.body.split('\n')[0]).not.toContain('scores');
    expect(rows.length).toBe(total);
    for (const r of rows) {
      expect(Object.keys(r)).toEqual(expect.arrayContaining(['name last', 'name first', 'birth city', 'birth code']));
      expect(r['birth date']).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
    }
  });
});

describe('error bodies carry matchID’s msg', () => {
  const search = (q: string) => t.app.inject({ method: 'GET', url: api(`/search?${q}`) });
  it('empty request, unknown field, bad value, simple and complex request', async () => {
    const empty = await search('');
    expect(empty.statusCode).toBe(400);
    expect(empty.json().msg).toContain('error');
    const unknown = await search('bob=Pop');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().msg).toContain('error');
    const bad = await search('birthDate=19');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().msg.some((m: string) => m.includes('invalid'))).toBe(true);
    const mixed = await search('birthDate=1920&q=Georges');
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().msg).toContain('error - simple and complex request');
    // Our problem+json members stay.
    expect(mixed.json()).toMatchObject({ status: 400, errors: [expect.objectContaining({ field: expect.any(String) })] });
  });
});

describe('bulk matching as deces-ui and matchID’s tests send it', () => {
  let token: string;
  beforeAll(async () => {
    token = (await signIn('user1@gmail.com')).json().access_token;
  });

  it('LinkJob.svelte’s upload (field csv, every option, unset ones as "undefined") → 200 started, then the result', async () => {
    const csv = 'Prenom;Nom;Date;Sex\nGeorges;Pompidou;05/07/1911;M\nJean;Inconnu;01/01/1901;M\n';
    const r = await upload(
      token,
      {
        sep: ';',
        encoding: 'utf8',
        skipLines: '0',
        candidateNumber: '1',
        pruneScore: 'undefined',
        dateFormat: 'dd/MM/yyyy',
        tmpfilePersistence: 'undefined',
        firstName: 'Prenom',
        lastName: 'Nom',
        birthDate: 'Date',
        sex: 'Sex',
      },
      { content: csv },
    );
    expect(r.statusCode).toBe(200);
    expect(r.json().msg).toBe('started');
    const id = r.json().id as string;
    const res = await poll(token, id);
    expect(res.statusCode).toBe(200);
    const rows = csvRows(res.body, ';');
    expect(rows[0]!.slice(0, 8)).toEqual(['Prenom', 'Nom', 'Date', 'Sex', 'sourceLineNumber', 'score', 'scores', 'source']);
    const h = rows[0]!;
    expect(h).toEqual(expect.arrayContaining(['name.first', 'name.last', 'birth.date', 'birth.departmentCode', 'birth.codePostal', 'death.country']));
    expect(rows).toHaveLength(3);
    expect(rows[1]![h.indexOf('name.last')]).toBe('Pompidou');
    expect(rows[1]![h.indexOf('birth.date')]).toBe('19110705');
    // No match: the result columns are empty, sex included.
    expect(rows[2]![h.indexOf('sex')]).toBe('');
    expect(rows[2]![h.indexOf('Sex')]).toBe('M');

    // ?order=true: each result column before its input column.
    const ordered = await poll(token, id, 'csv', '?order=true');
    expect(csvRows(ordered.body, ';')[0]!.slice(0, 8)).toEqual(['name.first', 'Prenom', 'name.last', 'Nom', 'birth.date', 'Date', 'sex', 'Sex']);
    // /search/json: a header entry then one entry per row.
    const json = await poll(token, id, 'json');
    expect(json.statusCode).toBe(200);
    expect(json.json()).toHaveLength(3);
    expect(json.json()[1]).toMatchObject({ name: { last: 'Pompidou' }, metadata: { sourceLineNumber: 1 } });
    // /queue/jobs lists the user's jobs with the fields deces-ui reads.
    const q = await t.app.inject({ method: 'GET', url: api('/queue/jobs'), headers: bearer(token) });
    expect(q.json().jobs.find((j: { id: string }) => j.id === id)).toMatchObject({ status: 'completed', data: { totalRows: 2, sep: ';', lastName: 'Nom' } });
  });

  it('matchID’s options: chunkSize, date-fns formats, win1252 and mac encodings, \\r line endings, self-mapped columns', async () => {
    const text = 'lastName,firstName,birthDate\rPottier,Jeanne,1928-01-23\rPotter,Harry,1940-01-01\r';
    for (const [encoding, content] of [
      ['win1252', iconv.encode(text, 'win1252')],
      ['mac', iconv.encode(text, 'macintosh')],
    ] as const) {
      const r = await upload(token, { sep: ',', chunkSize: '20', dateFormat: 'yyyy-MM-dd', encoding }, { content });
      expect(r.statusCode, r.body).toBe(200);
      const res = await poll(token, r.json().id);
      const rows = csvRows(res.body);
      expect(rows).toHaveLength(3);
      expect(rows[1]![rows[0]!.indexOf('name.last')]).toBe('Pottier');
      expect(rows[2]![rows[0]!.indexOf('name.last')]).toBe('Potter');
    }
    for (const [fmt, value] of [
      ['ddMMyyyy', '23011928'],
      ['yyyyMMdd', '19280123'],
      ['yyyy/MM/dd', '1928/01/23'],
      ['MM/yyyy', '01/1928'],
    ] as const) {
      const r = await upload(
        token,
        { sep: ';', dateFormat: fmt, lastName: 'N', firstName: 'P', birthDate: 'D' },
        { content: `N;P;D\nPottier;Jeanne;${value}\n` },
      );
      expect(r.statusCode, `${fmt}: ${r.body}`).toBe(200);
      const res = await poll(token, r.json().id);
      const rows = csvRows(res.body, ';');
      expect(rows[1]![rows[0]!.indexOf('name.last')], fmt).toBe('Pottier');
    }
  });

  it('no file → 200 no files attached; more cells than the header → 400 column header mismatch', async () => {
    const none = await upload(token, { sep: ',', lastName: 'Nom' });
    expect(none.statusCode).toBe(200);
    expect(none.json()).toEqual({ msg: 'no files attached' });
    const r = await upload(
      token,
      { sep: ',', firstName: 'Prenom', lastName: 'Nom', birthDate: 'Date' },
      { content: 'Prenom,Nom,Date,Sex\n jean,pierre,dupont,04/08/1933,Marseille,M\n georges,michel,john,steven,12/03/1939,M' },
    );
    expect(r.statusCode).toBe(200);
    const res = await poll(token, r.json().id);
    expect(res.statusCode).toBe(400);
    expect(res.json().msg).toContain('column header mismatch');
  });

  it('a second upload while one runs → 429 with matchID’s message; DELETE → {msg} only; then GET → 400 cancelled', async () => {
    await t.ctx.jobs.stop();
    try {
      const csv = 'Prenom;Nom;Date\n' + 'Jean;Durand;04/08/1933\n'.repeat(50);
      const first = await upload(token, { sep: ';', firstName: 'Prenom', lastName: 'Nom', birthDate: 'Date', chunkSize: '20' }, { content: csv });
      expect(first.statusCode).toBe(200);
      const id = first.json().id as string;
      const waiting = await t.app.inject({ method: 'GET', url: api(`/search/csv/${id}`), headers: bearer(token) });
      expect(waiting.json()).toMatchObject({ status: 'wait', remainingRowsWaiting: 0 });
      const second = await upload(token, { sep: ';', lastName: 'Nom' }, { content: csv });
      expect(second.statusCode).toBe(429);
      expect(second.json().msg).toMatch(/There is already \d+ running or waiting jobs/);
      const del = await t.app.inject({ method: 'DELETE', url: api(`/search/csv/${id}`), headers: bearer(token) });
      expect(del.statusCode).toBe(200);
      expect(Object.keys(del.json())).toEqual(['msg']);
      expect(del.json().msg).toContain('cancelled');
      const after = await t.app.inject({ method: 'GET', url: api(`/search/csv/${id}`), headers: bearer(token) });
      expect(after.statusCode).toBe(400);
      expect(after.json().msg).toContain('cancelled');
    } finally {
      t.ctx.jobs.start();
    }
  });
});

/** A multipart body as supertest's `.field()` / `.attach()` build it (matchID's server.spec). */
function multipart(fields: Record<string, string>, file?: { field: string; name: string; content: Buffer }) {
  const boundary = '----matchid' + Math.random().toString(16).slice(2);
  const parts: Buffer[] = Object.entries(fields).map(([k, v]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file)
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: application/pdf\r\n\r\n`),
      file.content,
      Buffer.from('\r\n'),
    );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), 'content-type': `multipart/form-data; boundary=${boundary}` };
}

describe('corrections as matchID’s routes take them (POST /id/{id}, GET /updated, GET /updates/proof)', () => {
  const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
  let user: string;
  let other: string;
  let id: string;
  beforeAll(async () => {
    user = (await signIn('user1@gmail.com')).json().access_token;
    other = (await signIn('user2@gmail.com')).json().access_token;
    const found = await t.app.inject({ url: api('/search?q=Georges Pompidou') });
    id = found.json().response.persons[0].id;
  });

  it('server.spec’s update: fields, author_id and a PDF in the field « pdf » → 200 Update stored', async () => {
    const m = multipart({ author_id: 'Ked3oh@oPho3m.com', lastName: 'Aiph7u' }, { field: 'pdf', name: 'file.pdf', content: PDF });
    const r = await t.app.inject({
      method: 'POST',
      url: api(`/id/${id}`),
      payload: m.payload,
      headers: { ...bearer(user), 'content-type': m['content-type'] },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ msg: 'Update stored' });
  });

  it('search.spec’s update with a proof link (JSON body) → Update stored; no proof → 400; proof without field → 400', async () => {
    const ok = await t.app.inject({
      method: 'POST',
      url: api(`/id/${id}`),
      headers: bearer(user),
      payload: { author_id: 'Ked3oh@oPho3m.com', firstName: 'Georges Jean', proof: 'https://somwhere.in.the.internet', message: 'acte' },
    });
    expect(ok.json()).toEqual({ msg: 'Update stored' });
    const noProof = await t.app.inject({ method: 'POST', url: api(`/id/${id}`), headers: bearer(user), payload: { lastName: 'X' } });
    expect(noProof.statusCode).toBe(400);
    expect(noProof.json().msg).toBe('Proof must be provided');
    const noField = await t.app.inject({
      method: 'POST',
      url: api(`/id/${id}`),
      headers: bearer(user),
      payload: { proof: 'https://somwhere.in.the.internet' },
    });
    expect(noField.statusCode).toBe(400);
    expect(noField.json().msg).toBe('A field at least must be provided');
    const unknown = await t.app.inject({
      method: 'POST',
      url: api('/id/nOpEnOpEnOpE'),
      headers: bearer(user),
      payload: { lastName: 'X', proof: 'https://a.b/c' },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().msg).toBe('Id not found');
    expect((await t.app.inject({ method: 'POST', url: api(`/id/${id}`), payload: { lastName: 'X', proof: 'https://a.b/c' } })).statusCode).toBe(401);
  });

  it('GET /updated lists the caller’s records with their modifications, other authors masked; the proof serves to its author only', async () => {
    const mine = (await t.app.inject({ url: api('/updated'), headers: bearer(user) })).json();
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ id, name: { last: 'Pompidou' } });
    expect(mine[0].score).toBeUndefined();
    const mods = mine[0].modifications as { id: string; auth: number; author: string; proof: string; fields: Record<string, string> }[];
    expect(mods).toHaveLength(2);
    expect(mods.every((m) => m.auth === 0 && m.author === 'user1@gmail.com')).toBe(true);
    expect(mods[0]!.fields).toEqual({ lastName: 'AIPH7U' });
    const fileProof = mods.find((m) => m.proof.startsWith('/deces/'))!;
    expect(fileProof.proof).toBe(`/deces/api/v1/updates/proof/${id}-${fileProof.id}`);
    const pdf = await t.app.inject({ url: fileProof.proof, headers: bearer(user) });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toContain('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await t.app.inject({ url: fileProof.proof, headers: bearer(other) })).statusCode).toBe(403);
    const link = mods.find((m) => m.proof.startsWith('https:'))!;
    const asFile = await t.app.inject({ url: api(`/updates/proof/${id}-${link.id}`), headers: bearer(user) });
    expect(asFile.statusCode).toBe(406);
    expect(asFile.json().msg).toBe('Proof is not a file, but a web reference');
    expect((await t.app.inject({ url: api(`/updates/proof/${id}-abc123`), headers: bearer(user) })).json().msg).toBe('No such update id');
    // Another user's proposal on the same record: listed for them, with user1 masked.
    await t.app.inject({
      method: 'POST',
      url: api(`/id/${id}`),
      headers: bearer(other),
      payload: { birthCity: 'Montboudif', proof: 'https://x.example/acte' },
    });
    const theirs = (await t.app.inject({ url: api('/updated'), headers: bearer(other) })).json();
    const authors = (theirs[0].modifications as { author: string; message?: string }[]).map((m) => m.author);
    expect(authors).toEqual(['us...r1@gmail.com', 'us...r1@gmail.com', 'user2@gmail.com']);
    expect((theirs[0].modifications as { message?: string }[])[1]!.message).toBeUndefined();
  });

  it('a reviewer decides through POST /id/{id} with matchID’s review map; the record then carries the validated one', async () => {
    const reviewer = await t.tokenFor('reviewer');
    const all = (await t.app.inject({ url: api('/updated'), headers: bearer(reviewer.token) })).json();
    const mods = all.find((p: { id: string }) => p.id === id).modifications as { id: string; fields: Record<string, string> }[];
    const [a, b, c] = mods;
    const body = {
      [a!.id]: JSON.stringify({ status: 'rejected', message: 'Preuve illisible' }),
      [b!.id]: JSON.stringify({ status: 'validated' }),
      [c!.id]: JSON.stringify({ status: 'closed' }),
      deadbeef: JSON.stringify({ status: 'validated' }),
    };
    const r = await t.app.inject({ method: 'POST', url: api(`/id/${id}`), headers: bearer(reviewer.token), payload: body });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ msg: 'Partial validation could be achieved', rejected: 1, validated: 1, closed: 1, noChange: 0, invalidIds: ['deadbeef'] });
    const again = await t.app.inject({
      method: 'POST',
      url: api(`/id/${id}`),
      headers: bearer(reviewer.token),
      payload: { [b!.id]: JSON.stringify({ status: 'validated' }) },
    });
    expect(again.json()).toEqual({ msg: 'All validations processed', rejected: 0, validated: 0, closed: 0, noChange: 1 });
    const person = (await t.app.inject({ url: api(`/id/${id}`) })).json().response.persons[0];
    // As matchID: the record keeps INSEE's values and carries the validated modifications.
    expect(person.modifications.map((m: { fields: Record<string, string> }) => m.fields)).toEqual([{ firstName: 'GEORGES JEAN' }]);
    const none = await t.app.inject({
      method: 'POST',
      url: api(`/id/${(await t.app.inject({ url: api('/search?q=Harry Potter') })).json().response.persons[0].id}`),
      headers: bearer(reviewer.token),
      payload: { x: '{}' },
    });
    expect(none.statusCode).toBe(406);
    expect(none.json().msg).toBe('Id exists but no update to validate');
  });
});

describe('matchID’s other search parameters', () => {
  const persons = async (q: string) => {
    const r = await t.app.inject({ url: api(`/search?${q}`) });
    expect(r.statusCode, r.body).toBe(200);
    type Place = { location: { city: string; latitude?: number; longitude?: number } };
    return r.json().response.persons as { name: { last: string }; birth: Place; death: { date: string } & Place; source: string }[];
  };
  it('birthPostalCode and deathPostalCode (La Poste’s base), with names and alone', async () => {
    // Fuzzy: « Potter » also finds Jeanne Pottier; the postal code keeps the one born there.
    expect((await persons('lastName=Potter')).map((p) => p.name.last).sort()).toEqual(['Potter', 'Pottier']);
    expect((await persons('lastName=Potter&birthPostalCode=57000')).map((p) => p.name.last)).toEqual(['Potter']);
    expect((await persons('lastName=Potter&birthPostalCode=94000')).map((p) => p.name.last)).toEqual(['Pottier']);
    expect(await persons('lastName=Potter&birthPostalCode=33000')).toEqual([]);
    expect((await persons('deathPostalCode=06100')).map((p) => p.name.last)).toEqual(['Potter']);
    // 75015 serves Paris 15e and Issy-les-Moulineaux: both communes count.
    expect((await persons('deathPostalCode=75015&deathDate=2020')).map((p) => p.name.last).sort()).toEqual(['Dupont', 'Pottier']);
    const bad = await t.app.inject({ url: api('/search?lastName=Potter&birthPostalCode=00000') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0]).toMatchObject({ field: 'birthPostalCode' });
    expect(bad.json().msg).toEqual(['invalid birthPostalCode value: 00000']);
  });
  it('birthGeoPoint and deathGeoPoint: the communes within the distance, as a JSON string (GET) or an object (POST)', async () => {
    // search.spec.ts: GET with the point as JSON, then POST with an object; Noyon is among the birth places.
    const point = { latitude: 49.6, longitude: 2.98, distance: '10km' };
    const got = await persons(`birthGeoPoint=${encodeURIComponent(JSON.stringify(point))}`);
    expect(got.map((p) => p.birth.location.city)).toContain('Noyon');
    expect(got.map((p) => p.name.last)).toEqual(['Lefebvre']);
    const posted = await t.app.inject({ method: 'POST', url: api('/search'), payload: { birthGeoPoint: point } });
    expect(posted.statusCode).toBe(200);
    expect(posted.json().response.persons.map((p: { birth: { location: { city: string } } }) => p.birth.location.city)).toContain('Noyon');
    // tests/test_query_params.sh: with a death year, the answer holds the death place Dijon.
    const sh = await t.app.inject({ method: 'POST', url: api('/search'), payload: { deathDate: '2019', birthGeoPoint: point } });
    expect(sh.body).toContain('"city":"Dijon"');
    // The location carries the commune's point; none abroad.
    const [noyon] = got;
    expect(noyon!.birth.location.latitude).toBeCloseTo(49.578, 2);
    expect(noyon!.birth.location.longitude).toBeCloseTo(3.008, 2);
    const rojo = (await persons('lastName=Rojo'))[0]!;
    expect(rojo.birth.location.latitude).toBeUndefined();
    // Too far: nobody; with names, the point filters them; Paris's arrondissements count as Paris.
    expect(await persons(`birthGeoPoint=${encodeURIComponent(JSON.stringify({ ...point, distance: '1km' }))}`)).toEqual([]);
    expect(await persons(`lastName=Durand&birthGeoPoint=${encodeURIComponent(JSON.stringify(point))}`)).toEqual([]);
    const paris = { latitude: 48.8566, longitude: 2.3522, distance: '3km' };
    expect((await persons(`deathGeoPoint=${encodeURIComponent(JSON.stringify(paris))}&deathDate=2020`)).map((p) => p.name.last).sort()).toEqual([
      'Dupont',
      'Pottier',
    ]);
    // search.spec's « Bad GeoPoint »: no distance → 400, msg[0] names the field.
    const bad = await t.app.inject({ url: api(`/search?birthGeoPoint=${encodeURIComponent('{"latitude": 49.6, "longitude": 2.98}')}`) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().msg[0]).toContain('invalid birthGeoPoint');
    expect(bad.json().errors[0]).toMatchObject({ field: 'birthGeoPoint' });
  });
  it('lastSeenAliveDate keeps those who died on or after it; source keeps one file; both go with q too', async () => {
    expect((await persons('lastName=Pottier&lastSeenAliveDate=01/01/2021')).length).toBe(0);
    expect((await persons('lastName=Pottier&lastSeenAliveDate=01/01/2020')).map((p) => p.name.last).sort()).toEqual(['Potter', 'Pottier']);
    // Harry Potter died on 10/01/2020, Jeanne Pottier on 22/01/2020.
    expect((await persons('lastName=Pottier&lastSeenAliveDate=15/01/2020')).map((p) => p.name.last)).toEqual(['Pottier']);
    expect((await persons('q=Jeanne Pottier&lastSeenAliveDate=23/01/2020')).length).toBe(0);
    expect((await persons('q=Jeanne Pottier&source=people')).map((p) => p.name.last)).toEqual(['Pottier']);
    expect((await persons('q=Jeanne Pottier&source=2021-m01')).length).toBe(0);
    expect((await t.app.inject({ url: api('/search?lastName=Pottier&lastSeenAliveDate=hier') })).json().errors[0].field).toBe('lastSeenAliveDate');
  });
});

describe('documentation where matchID serves it', () => {
  it('/docs shows Swagger UI; /docs/swagger.json is the deaths API alone, clean for Spectral', async () => {
    const page = await t.app.inject({ url: api('/docs') });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const doc = (await t.app.inject({ url: api('/docs/swagger.json') })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('API des personnes décédées');
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(expect.arrayContaining(['/deces/api/v1/search', '/deces/api/v1/id/{id}', '/deces/api/v1/search/csv', '/deces/api/v1/updated']));
    expect(paths.every((p) => p.startsWith('/deces/api/v1/'))).toBe(true);
    expect((await t.app.inject({ url: api('/docs/json') })).json().paths).toEqual(doc.paths);
    const lint = await lintOpenApiDocument(doc);
    expect(lint.errors).toEqual([]);
  }, 60_000);
});

describe('/compare as matchID’s search.spec sends it', () => {
  it('answers ScoreResult’s members (score, name, birthDate, birthLocation…) beside ours; params explain and date formats', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: api('/compare'),
      payload: {
        personA: { firstName: 'georges', lastName: 'pompidous', birthDate: '19691101' },
        personB: { firstName: 'Georges', lastName: 'Pompidou', sex: 'M', birthDate: '19691101' },
      },
    });
    expect(r.statusCode).toBe(200);
    const res = r.json();
    expect(Object.keys(res)).toEqual(expect.arrayContaining(['score', 'name', 'birthDate']));
    expect(res.birthDate).toBe(1);
    expect(res.name).toBeGreaterThan(0.7);
    expect(res.explain).toBeUndefined();
    const explained = await t.app.inject({
      method: 'POST',
      url: api('/compare'),
      payload: {
        personA: { firstName: 'georges', lastName: 'pompidou', birthDate: '01/11/1969' },
        personB: { firstName: 'Georges', lastName: 'Pompidou', birthDate: '1969-11-01' },
        params: { explain: true, dateFormatA: 'dd/MM/yyyy', dateFormatB: 'yyyy-MM-dd' },
      },
    });
    expect(explained.statusCode, explained.body).toBe(200);
    expect(explained.json()).toMatchObject({ birthDate: 1, explain: { reasons: expect.any(Array) } });
    const bad = await t.app.inject({
      method: 'POST',
      url: api('/compare'),
      payload: { personA: { lastName: 'a', birthDate: '1969' }, personB: { lastName: 'a' }, params: { dateFormatA: 'nimporte' } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('params.dateFormatA');
  });
});

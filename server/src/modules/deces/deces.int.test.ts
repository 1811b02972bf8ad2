import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { importFile, applyOppositions } from './import.service.ts';
import { writeSyntheticFile } from './index.ts';
import { parseLine } from './insee.ts';
import { eq, sql } from 'drizzle-orm';
import { jobs } from '../../platform/jobs/jobs.table.ts';
import { decesRecords } from './deces.table.ts';
import { phonetic } from './text.ts';
import { createDecesRepository } from './deces.repository.ts';
import { RESULT_COLUMNS, bulkHeader } from './matchid.ts';
import { SYSTEM } from '../../platform/auth/principal.ts';

let t: TestPlatform;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deces-int-'));
const W = [80, 1, 8, 5, 30, 30, 8, 5, 9];
const line = (f: string[]) => f.map((x, i) => x.padEnd(W[i]!, ' ')).join('');

const FIXTURES = [
  line(['LEERS*RAYMONDE LOUISE/', '2', '19290412', '69382', 'LYON 2E  ARRONDISSEMENT', '', '20200109', '01004', '8']),
  line(['COLIN*LILIANE COLETTE/', '2', '19340212', '75120', 'PARIS 20E  ARRONDISSEMENT', '', '20200126', '01034', '25']),
  line(['COUILLOUD*ALAIN ALBERT/', '1', '19521228', '69382', 'LYON 2E  ARRONDISSEMENT', '', '20191218', '01015', '5']),
  line(['ROUME*LOUIS RAPHAEL/', '1', '19050610', '07990', 'COMMUNE FICTIVE', '', '19700713', '07090', '11']),
  line(['DUMAS*MICHEL/', '1', '19351001', '33990', 'COMMUNE FICTIVE', '', '19700828', '24543', 'N']),
  line(['BENALI*FATIMA/', '2', '19400000', '99352', 'ORAN', 'ALGERIE', '20210315', '13055', '1204']),
  line(['DE LA FONTAINE*JEAN-PIERRE MARIE/', '1', '19480517', '20004', 'AJACCIO', '', '20220704', '2A004', '77']),
];

/** A minimal .zip (deflate) with the given entries, as INSEE publishes some files. */
function zip(entries: { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const comp = deflateRawSync(e.data);
    const name = Buffer.from(e.name);
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(comp.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(comp.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, comp);
    centrals.push(central, name);
    offset += local.length + name.length + comp.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

let fixturesFile: string;
let synthFile: string;

beforeAll(async () => {
  t = await createTestPlatform({ startJobs: true });
  fixturesFile = path.join(tmp, 'deces-2020-m01.txt');
  fs.writeFileSync(fixturesFile, Buffer.from(FIXTURES.join('\n') + '\nthis line is broken\n', 'latin1'));
  synthFile = path.join(tmp, 'deces-synth.txt.gz');
  await writeSyntheticFile(synthFile, 2000, 42);
  await importFile(t.ctx, fixturesFile, { caller: SYSTEM });
  await importFile(t.ctx, synthFile, { caller: SYSTEM });
}, 120_000);
afterAll(async () => {
  await t?.teardown();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const api = (url: string) => `/deces/api/v1${url}`;
const get = async (url: string, headers: Record<string, string> = {}) => t.app.inject({ url: api(url), headers });

describe('import', () => {
  it('imports .txt and .txt.gz, reports bad lines, is idempotent (again, zipped, overlapping)', async () => {
    const v1 = (await get('/version')).json();
    expect(v1.uniqRecordsCount).toBeGreaterThan(1990);
    const again = await importFile(t.ctx, fixturesFile, { caller: SYSTEM });
    expect(again).toMatchObject({ inserted: 0, rejected: 1, lines: 8 });
    expect(again.errors[0]).toMatchObject({ line: 8 });
    const overlap = path.join(tmp, 'overlap.txt.gz');
    fs.writeFileSync(
      overlap,
      gzipSync(
        Buffer.from([FIXTURES[0], FIXTURES[1], line(['NOUVEAU*PAUL/', '1', '19300101', '75056', 'PARIS', '', '20230101', '75056', '3'])].join('\n'), 'latin1'),
      ),
    );
    expect((await importFile(t.ctx, overlap, { caller: SYSTEM })).inserted).toBe(1);
    const v2 = (await get('/version')).json();
    expect(v2.uniqRecordsCount).toBe(v1.uniqRecordsCount + 1);
    expect(v2).toMatchObject({ lastDataset: 'overlap' });
    expect(v2.lastRecordDate).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
    expect(v2).toMatchObject({ backend: expect.any(String), rawRecordsCount: expect.any(Number) });
    expect(v2.updateDate).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
  });

  it('imports .zip archives (every .txt entry), latin1 accents intact', async () => {
    const a = Buffer.from(line(['ZIPPÉ*JOSÉ/', '1', '19300101', '75056', 'PARIS', '', '20230101', '75056', '7']), 'latin1');
    const b = Buffer.from(line(['ZIPPE*MARIE/', '2', '19310101', '75056', 'PARIS', '', '20230102', '75056', '8']), 'latin1');
    const file = path.join(tmp, 'deces-2023-m01.zip');
    fs.writeFileSync(
      file,
      zip([
        { name: 'deces-2023-m01.txt', data: a },
        { name: 'LISEZMOI.pdf', data: Buffer.from('%PDF') },
        { name: 'suite.txt', data: b },
      ]),
    );
    const r = await importFile(t.ctx, file, { caller: SYSTEM });
    expect(r).toMatchObject({ source: 'deces-2023-m01', lines: 2, inserted: 2, rejected: 0 });
    const found = (await get(`/search?lastName=${encodeURIComponent('Zippé')}&firstName=${encodeURIComponent('José')}`)).json();
    expect(found.response.persons[0].name).toEqual({ last: 'Zippé', first: ['José'] });
  });

  it('identifies records with matchID’s id (search results, /id), and gives it to older rows on re-import', async () => {
    const rec = parseLine(FIXTURES[0]!, 'x');
    const found = (await get('/search?lastName=Leers&firstName=Raymonde')).json();
    expect(found.response.persons[0].id).toBe(rec.matchidId);
    // A row imported before the id was computed (matchid_id null) gets it when its file comes again.
    await t.ctx.db.execute(sql`UPDATE deces_records SET matchid_id = NULL WHERE id = ${rec.id}`);
    expect((await get(`/id/${rec.matchidId}`)).statusCode).toBe(404);
    expect((await get(`/id/${rec.id}`)).json().response.persons[0].id).toBe(rec.id);
    const again = await importFile(t.ctx, fixturesFile, { caller: SYSTEM });
    expect(again.inserted).toBe(0);
    expect((await get(`/id/${rec.matchidId}`)).json().response.persons[0]).toMatchObject({ id: rec.matchidId, name: { last: 'Leers' } });
  });

  it('is all or nothing per file', async () => {
    const before = (await get('/version')).json().uniqRecordsCount;
    const missing = path.join(tmp, 'nope.txt');
    await expect(importFile(t.ctx, missing, { caller: SYSTEM })).rejects.toThrow();
    // A corrupt archive fails mid-stream, after some records were read: nothing of it stays.
    const lines = [];
    for (let i = 0; i < 3000; i++) lines.push(line([`TRONQUE${i}*JEAN/`, '1', '19300101', '75056', 'PARIS', '', '20230101', '75056', String(i)]));
    const gz = gzipSync(Buffer.from(lines.join('\n'), 'latin1'));
    const corrupt = path.join(tmp, 'corrupt.txt.gz');
    fs.writeFileSync(corrupt, gz.subarray(0, Math.floor(gz.length * 0.8)));
    await expect(importFile(t.ctx, corrupt, { caller: SYSTEM })).rejects.toThrow();
    expect((await get('/version')).json().uniqRecordsCount).toBe(before);
    expect((await get('/search?lastName=TRONQUE10&fuzzy=false')).json().response.total).toBe(0);
  });

  it('applies the RGPD opposition list and keeps opposed records out of later imports', async () => {
    const opp = path.join(tmp, 'opposition.csv');
    fs.writeFileSync(opp, "Date de décès;Code du lieu de décès;Numéro d'acte de décès\n09/01/2020;01004;8\n");
    const id = parseLine(FIXTURES[0]!, 'x').id;
    expect((await get(`/id/${id}`)).statusCode).toBe(200);
    const r = await applyOppositions(t.ctx, opp, SYSTEM);
    expect(r).toMatchObject({ keys: 1, deleted: 1 });
    expect((await get(`/id/${id}`)).statusCode).toBe(404);
    const again = await importFile(t.ctx, fixturesFile, { caller: SYSTEM });
    expect(again.opposed).toBe(1);
    expect((await get(`/id/${id}`)).statusCode).toBe(404);
  });
});

describe('admin upload of a monthly file', () => {
  it('lets an admin upload a file imported by a job; others are refused', async () => {
    const gz = gzipSync(Buffer.from([line(['MENSUEL*ANNE/', '2', '19300101', '33063', 'BORDEAUX', '', '20240115', '33063', '9'])].join('\n'), 'latin1'));
    const boundary = '----adm';
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="deces-2024-m01.txt.gz"\r\nContent-Type: application/gzip\r\n\r\n`),
      gz,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const headers = { 'content-type': `multipart/form-data; boundary=${boundary}` };
    const reader = await t.tokenFor('reader');
    expect((await t.app.inject({ method: 'POST', url: api('/admin/import'), payload, headers: { ...headers, ...bearer(reader.token) } })).statusCode).toBe(403);
    const admin = await t.tokenFor('admin');
    const r = await t.app.inject({ method: 'POST', url: api('/admin/import'), payload, headers: { ...headers, ...bearer(admin.token) } });
    expect(r.statusCode).toBe(201);
    const job = await t.ctx.jobs.waitFor(r.json().id, 60_000);
    expect(job.state).toBe('succeeded');
    expect(job.result).toMatchObject({ source: 'deces-2024-m01', inserted: 1 });
    expect((await get('/search?lastName=Mensuel&fuzzy=false')).json().response.total).toBe(1);
    const st = (await get(`/admin/import/${r.json().id}`, bearer(admin.token))).json();
    expect(st.state).toBe('succeeded');
  });
});

describe('search', () => {
  it('finds by fields with matchID’s response shape', async () => {
    const r = await get('/search?lastName=Couilloud&firstName=Alain&birthDate=28/12/1952');
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.request).toMatchObject({ lastName: 'Couilloud', firstName: 'Alain' });
    expect(body.response).toMatchObject({ total: 1, page: 1, size: 20 });
    const p = body.response.persons[0];
    expect(p).toMatchObject({
      name: { first: ['Alain', 'Albert'], last: 'Couilloud' },
      sex: 'M',
      birth: { date: '19521228', location: { code: '69382', departmentCode: '69', country: 'France', countryCode: 'FRA' } },
      death: { date: '20191218', certificateId: '5', age: 66, location: { code: '01015', departmentCode: '01' } },
      source: 'deces-2020-m01',
    });
    expect(p.score).toBe(1);
    expect(p.scores).toMatchObject({ last: 1, first: 1, birthDate: 1 });
    expect(p.id).toMatch(/^[\w-]{12}$/);
  });

  it('is fuzzy by default (typos, accents, inverted dates, arrondissement vs commune) and exact with fuzzy=false', async () => {
    const r = (
      await get(`/search?lastName=${encodeURIComponent('Couiloud')}&firstName=${encodeURIComponent('Alaín')}&birthDate=28/12/1953&birthCity=Lyon`)
    ).json();
    expect(r.response.persons[0].name.last).toBe('Couilloud');
    expect(r.response.persons[0].reasons.join(' ')).toMatch(/un chiffre différent|un an près/);
    expect(r.response.persons[0].scores.birthLocation).toBe(1);
    const exact = (await get('/search?lastName=Couiloud&firstName=Alain&fuzzy=false')).json();
    expect(exact.response.total).toBe(0);
    const exact2 = (await get('/search?lastName=Couilloud&fuzzy=false')).json();
    expect(exact2.response.total).toBe(1);
  });

  it('answers free-text q with names and dates in any order, POST too', async () => {
    const r = (await get(`/search?q=${encodeURIComponent('Louis Roume 10/06/1905')}`)).json();
    expect(r.response.persons[0]).toMatchObject({ name: { last: 'Roume' } });
    expect((await get(`/search?q=${encodeURIComponent('Louis Roume')}&fuzzy=false`)).json().response.persons[0].name.last).toBe('Roume');
    expect((await get(`/search?q=${encodeURIComponent('Louis Roumé')}&fuzzy=false`)).json().response.total).toBe(1);
    expect((await get(`/search?q=${encodeURIComponent('Louis Roume')}`)).json().response.total).toBeGreaterThanOrEqual(1);
    expect((await get(`/search?q=${encodeURIComponent('Louis Roumo')}&fuzzy=false`)).json().response.total).toBe(0);
    const post = await t.app.inject({ method: 'POST', url: api('/search'), payload: { q: 'Roume Louis' } });
    expect(post.json().response.persons[0].name.last).toBe('Roume');
  });

  it('handles particles, compound first names, Corsica’s former code, foreign countries, date ranges', async () => {
    const r = (await get('/search?lastName=Lafontaine&firstName=Jean-Pierre&birthLocationCode=2A004')).json();
    expect(r.response.persons[0]).toMatchObject({ name: { last: 'De La Fontaine' }, birth: { location: { departmentCode: '2A' } } });
    const f = (await get(`/search?lastName=Benali&birthCountry=${encodeURIComponent('Algérie')}&birthDate=1940`)).json();
    expect(f.response.persons[0]).toMatchObject({ birth: { date: '19400000', location: { country: 'Algerie', countryCode: 'DZA' } } });
    const range = (await get('/search?lastName=Dumas&birthDate=1930-1940')).json();
    expect(range.response.persons.every((p: { birth: { date: string } }) => p.birth.date >= '19300101' && p.birth.date <= '19401231')).toBe(true);
    expect(range.response.persons.some((p: { name: { first: string[] } }) => p.name.first[0] === 'Michel')).toBe(true);
  });

  it('answers matchID’s own test requests (first name and death year, ranges, ages, sex)', async () => {
    const harry = (await get('/search?deathDate=2020&firstName=Liliane')).json();
    expect(harry.response.persons[0].name.first).toContain('Liliane');
    expect(harry.response.persons.every((p: { death: { date: string } }) => p.death.date.startsWith('2020'))).toBe(true);
    const range = (await get('/search?deathDate=22/01/2020-30/01/2020')).json();
    expect(range.response.persons.length).toBeGreaterThan(0);
    expect(range.response.persons.every((p: { death: { date: string } }) => p.death.date >= '20200122' && p.death.date <= '20200130')).toBe(true);
    const men = (await t.app.inject({ method: 'POST', url: api('/search'), payload: { deathDate: '2020', sex: 'M' } })).json();
    expect(men.response.persons.every((p: { sex: string }) => p.sex === 'M')).toBe(true);
    const age = (await t.app.inject({ method: 'POST', url: api('/search'), payload: { deathDate: '2020', deathAge: '85-95' } })).json();
    expect(age.response.persons.every((p: { death: { age: number } }) => p.death.age >= 85 && p.death.age <= 95)).toBe(true);
    const sorted = (await t.app.inject({ method: 'POST', url: api('/search'), payload: { lastName: 'Martin', sort: [{ firstName: 'asc' }] } })).json();
    const firsts = sorted.response.persons.map((p: { name: { first: string[] } }) => p.name.first.join(' '));
    expect(firsts).toEqual([...firsts].sort());
    expect((await get('/search?birthDate=19')).json().errors[0].field).toBe('birthDate');
  });

  it('finds everyone of a fuzzy age, however many records the other conditions read', async () => {
    // 2,000 records, more than the 1,000 candidates read: the age must narrow the read itself.
    const ofAge = (await t.ctx.db.select({ matchid: decesRecords.matchidId, own: decesRecords.id }).from(decesRecords).where(eq(decesRecords.age, 85))).map(
      (r) => ({ id: r.matchid ?? r.own }),
    );
    expect(ofAge.length).toBeGreaterThan(0);
    const r = (await t.app.inject({ method: 'POST', url: api('/search'), payload: { deathAge: '85', size: 100 } })).json();
    const found = new Set(r.response.persons.map((p: { id: string }) => p.id));
    for (const { id } of ofAge) expect(found.has(id), id).toBe(true);
    expect(r.response.persons[0].death.age).toBe(85);
  });

  it('paginates and sorts', async () => {
    const all = (await get('/search?lastName=Martin&size=100')).json();
    expect(all.response.total).toBeGreaterThan(5);
    const p2 = (await get('/search?lastName=Martin&size=2&page=2&sort=birth.date:asc')).json();
    expect(p2.response.persons).toHaveLength(2);
    expect(p2.response.persons[0].birth.date <= p2.response.persons[1].birth.date).toBe(true);
  });

  it('refuses unknown parameters and q mixed with fields with a problem naming them', async () => {
    const a = await get('/search?lastname=x');
    expect(a.statusCode).toBe(400);
    expect(a.headers['content-type']).toContain('application/problem+json');
    expect(a.json().errors[0].field).toBe('lastname');
    const b = await get('/search?q=x&firstName=y');
    expect(b.json().errors.map((e: { field: string }) => e.field)).toContain('firstName');
    const c = await get('/search?lastName=x&birthDate=31-31-31');
    expect(c.json().errors[0].field).toBe('birthDate');
  });

  it('pages with matchID’s scroll cursor until the results are exhausted', async () => {
    const first = (await get('/search?lastName=Martin&size=3&scroll=1m')).json();
    const total = first.response.total;
    expect(total).toBeGreaterThan(3);
    const ids = new Set<string>(first.response.persons.map((p: { id: string }) => p.id));
    // matchID's loop: until a page comes back empty (the last full page still carries a cursor).
    let res = first;
    let rounds = 0;
    while (res.response.persons.length > 0 && rounds++ < 50) {
      res = (await get(`/search?scrollId=${res.response.scrollId}&scroll=1m`)).json();
      for (const p of res.response.persons) ids.add(p.id);
    }
    expect(ids.size).toBe(total);
    expect(res.response.total).toBe(total);
    // An unreadable (or expired) cursor, or none, answers an empty page.
    for (const q of ['/search?scrollId=garbage', '/search?scroll=1m']) {
      const r = await get(q);
      expect(r.statusCode).toBe(200);
      expect(r.json().response.persons).toEqual([]);
    }
  });

  it('streams CSV with Accept: text/csv', async () => {
    const r = await get('/search?lastName=Martin', { accept: 'text/csv' });
    expect(r.headers['content-type']).toContain('text/csv');
    const lines = r.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    // matchID's columns: no score, scores nor id; `name last`; dates JJ/MM/AAAA; total in a header.
    expect(lines[0]!.split(',').slice(0, 5)).toEqual(['source', 'name last', 'name first', 'sex', 'birth date']);
    expect(lines[0]).not.toContain('scores');
    expect(lines[1]!.split(',')[4]).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
    expect(Number(r.headers['total-results'])).toBe(lines.length - 1);
    expect(lines.length).toBeGreaterThan(5);
    const fr = await get('/search?lastName=Martin&headerLang=french', { accept: 'text/csv' });
    expect(fr.body.split('\n')[0]).toBe(
      'source_INSEE,nom,prénoms,sexe,date_naissance,commune_naissance,code_INSEE_naissance,code_postal_naissance,département_naissance,pays_naissance,pays_ISO_naissance,latitude_naissance,longitude_naissance,id_certificat,age_décès,date_décès,commune_décès,code_INSEE_décès,code_postal_décès,département_décès,pays_décès,pays_ISO_décès,latitude_décès,longitude_décès',
    );
  });

  it('serves /id, /compare, /agg, /version, /healthcheck', async () => {
    const { id, matchidId } = parseLine(FIXTURES[1]!, 'x');
    const r = (await get(`/id/${matchidId}`)).json();
    expect(r.response.persons[0]).toMatchObject({ id: matchidId, name: { last: 'Colin' } });
    // Our own earlier id stays an alias: links stored before keep resolving, to the same record.
    expect((await get(`/id/${id}`)).json().response.persons[0]).toMatchObject({ id: matchidId, name: { last: 'Colin' } });
    expect((await get('/id/nope')).statusCode).toBe(404);
    const cmp = await t.app.inject({
      method: 'POST',
      url: api('/compare'),
      payload: {
        personA: { lastName: 'Dupond', firstName: 'Jean', birthDate: '12/03/1952' },
        personB: { lastName: 'DUPONT', firstName: 'JEAN', birthDate: '12/03/1952' },
      },
    });
    expect(cmp.statusCode).toBe(200);
    expect(cmp.json().scores).toMatchObject({ birthDate: 1, first: 1 });
    expect(cmp.json().score).toBeGreaterThan(0.9);
    const bad = await t.app.inject({ method: 'POST', url: api('/compare'), payload: { personA: { nom: 'x' }, personB: {} } });
    expect(bad.statusCode).toBe(400);
    // matchID's shape: one aggregation → [{ key, doc_count }], several → composite keys.
    const month = await get('/agg?aggs=deathMonth&deathDate=2020');
    expect(month.json().response.aggregations.find((b: { key: string }) => b.key === '202001')?.doc_count).toBeGreaterThanOrEqual(1);
    expect(Number(month.headers['total-results-deathmonth'])).toBe(month.json().response.cardinality.deathMonth);
    const both = (await get('/agg?aggs=deathMonth,birthDepartment&deathDate=2020')).json();
    expect(both.response.aggregations[0]).toMatchObject({ key: { deathMonth: expect.any(String), birthDepartment: expect.any(String) } });
    expect(both.response.cardinality.birthDepartment).toBeGreaterThan(3);
    expect((await get('/agg?aggs=nope')).json().errors[0].field).toBe('aggs');
    const abroad = (await get(`/agg?aggs=birthCountry&birthCountry=${encodeURIComponent('Algérie')}`)).json();
    expect(abroad.response.aggregations[0]).toMatchObject({ key: 'Algerie' });
    // The filters of /search: names (and q) through the search.
    const named = (await get('/agg?aggs=firstName&lastName=Couilloud')).json();
    expect(named.response.aggregations[0]).toMatchObject({ key: 'Alain' });
    const csv = await get('/agg?aggs=sex', { accept: 'text/csv' });
    expect(csv.body.split('\n')[0]).toBe('key,doc_count');
    expect((await get('/agg')).json().msg).toBe('error - missing aggs parameter');
    expect((await get('/agg?aggs=sex&color=blue')).json().errors[0].field).toBe('color');
    expect((await get('/healthcheck')).json()).toEqual({ msg: 'OK' });
  });
});

describe('bulk matching', () => {
  const csv = [
    'Nom;Prenom;DateNaissance;Lieu',
    'COUILLOUD;Alain;28/12/1952;Lyon',
    'colin;liliane;12/02/1934;Paris',
    'INCONNU;Personne;01/01/1990;Brest',
    ';;;',
    'DUMAS;Michel;99/99/1935;',
  ].join('\n');
  const form = (fields: Record<string, string>, content = csv) => {
    const boundary = '----deces' + Math.random().toString(16).slice(2);
    const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
    parts.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="personnes.csv"\r\nContent-Type: text/csv\r\n\r\n${content}\r\n--${boundary}--\r\n`,
    );
    return { payload: parts.join(''), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
  };

  it('requires a signed-in user or token', async () => {
    const f = form({ lastName: 'Nom' });
    const r = await t.app.inject({ method: 'POST', url: api('/search/csv'), ...f });
    expect(r.statusCode).toBe(401);
  });

  it('names the field of a mapping error', async () => {
    const u = await t.tokenFor('reader');
    const f = form({ lastName: 'Nom', firstName: 'Prénom' });
    const r = await t.app.inject({ method: 'POST', url: api('/search/csv'), payload: f.payload, headers: { ...f.headers, ...bearer(u.token) } });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0]).toMatchObject({ field: 'firstName' });
    const g = form({ lastName: 'Nom', pruneScore: '2' });
    const r2 = await t.app.inject({ method: 'POST', url: api('/search/csv'), payload: g.payload, headers: { ...g.headers, ...bearer(u.token) } });
    expect(r2.json().errors[0].field).toBe('pruneScore');
  });

  it('runs a job: progress, result CSV with matchID columns, bad rows per line, one job per user', async () => {
    const u = await t.tokenFor('reader');
    const f = form({ lastName: 'Nom', firstName: 'Prenom', birthDate: 'DateNaissance', birthCity: 'Lieu', dateFormat: 'DD/MM/YYYY' });
    const r = await t.app.inject({ method: 'POST', url: api('/search/csv'), payload: f.payload, headers: { ...f.headers, ...bearer(u.token) } });
    expect(r.statusCode).toBe(200);
    const { msg, id } = r.json();
    expect(msg).toBe('started');
    await t.ctx.jobs.waitFor(id, 60_000);
    const other = await t.tokenFor('reader');
    expect((await get(`/search/csv/${id}`, bearer(other.token))).statusCode).toBe(403);
    const res = await get(`/search/csv/${id}`, bearer(u.token));
    expect(res.headers['content-type']).toContain('text/csv');
    const rows = res.body
      .trim()
      .split('\n')
      .map((l) => l.split(';'));
    expect(rows[0]).toEqual([
      'Nom',
      'Prenom',
      'DateNaissance',
      'Lieu',
      'sourceLineNumber',
      'score',
      'scores',
      'source',
      'id',
      'name.last',
      'name.first',
      'sex',
      'birth.date',
      'birth.city',
      'birth.code',
      'birth.codePostal',
      'birth.departmentCode',
      'birth.country',
      'birth.countryCode',
      'birth.latitude',
      'birth.longitude',
      'death.certificateId',
      'death.age',
      'death.date',
      'death.city',
      'death.code',
      'death.codePostal',
      'death.departmentCode',
      'death.country',
      'death.countryCode',
      'death.latitude',
      'death.longitude',
    ]);
    expect(rows[1]![9]).toBe('Couilloud');
    expect(rows[1]![4]).toBe('1');
    expect(rows[2]![9]).toBe('Colin');
    expect(rows[3]![9]).toBe('');
    const sum = (await get(`/search/csv/${id}/summary`, bearer(u.token))).json();
    expect(sum.result).toMatchObject({ rows: 5, matched: 2 });
    expect(new Date(sum.expiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(sum.result.errors.map((e: { line: number }) => e.line)).toEqual([5, 6]);
    expect(sum.result.errors[1].message).toMatch(/birthDate/);
  });

  it('tmpfilePersistence: past it the result is expired (matchID’s answer) and its blobs are deleted', async () => {
    const u = await t.tokenFor('reader');
    const f = form({ lastName: 'Nom', firstName: 'Prenom', tmpfilePersistence: '60000' });
    const r = await t.app.inject({ method: 'POST', url: api('/search/csv'), payload: f.payload, headers: { ...f.headers, ...bearer(u.token) } });
    expect(r.statusCode).toBe(200);
    const { id } = r.json();
    const job = await t.ctx.jobs.waitFor(id, 60_000);
    expect(job.state).toBe('succeeded');
    const dir = (job.payload as { dir: string }).dir;
    for (const f of ['input.csv', 'result.csv', 'result.ndjson']) expect(await t.ctx.blobs.head(`deces/bulk/${dir}/${f}`)).not.toBeNull();
    expect((await get(`/search/json/${id}`, bearer(u.token))).json()).toHaveLength(6);
    // Finished two minutes ago: past its minute of persistence.
    await t.ctx.db
      .update(jobs)
      .set({ finishedAt: new Date(t.ctx.clock.now().getTime() - 120_000) })
      .where(eq(jobs.id, id));
    for (const format of ['csv', 'json']) {
      const gone = await get(`/search/${format}/${id}`, bearer(u.token));
      expect(gone.statusCode).toBe(200);
      expect(gone.json()).toEqual({ msg: 'Job succeeded but results expired', id });
    }
    for (const f of ['input.csv', 'result.csv', 'result.ndjson']) expect(await t.ctx.blobs.head(`deces/bulk/${dir}/${f}`)).toBeNull();
  });

  it('cancels with DELETE, and refuses a second concurrent job for the same user', async () => {
    const u = await t.tokenFor('reader');
    const big = ['Nom;Prenom;DateNaissance'];
    for (let i = 0; i < 20000; i++) big.push(`MARTIN;Jean;${String((i % 28) + 1).padStart(2, '0')}/01/19${String(20 + (i % 60))}`);
    const f = form({ lastName: 'Nom', firstName: 'Prenom', birthDate: 'DateNaissance' }, big.join('\n'));
    const r = await t.app.inject({ method: 'POST', url: api('/search/csv'), payload: f.payload, headers: { ...f.headers, ...bearer(u.token) } });
    const { id } = r.json();
    const second = await t.app.inject({ method: 'POST', url: api('/search/csv'), payload: f.payload, headers: { ...f.headers, ...bearer(u.token) } });
    expect(second.statusCode).toBe(429);
    expect(second.json().msg).toBe('There is already 1 running or waiting jobs');
    const status = (await get(`/search/csv/${id}`, bearer(u.token))).json();
    expect(['wait', 'active']).toContain(status.status);
    const del = await t.app.inject({ method: 'DELETE', url: api(`/search/csv/${id}`), headers: bearer(u.token) });
    expect(del.json()).toEqual({ msg: `Job ${id} cancelled` });
    const j = await t.ctx.jobs.waitFor(id, 60_000);
    expect(j.state).toBe('cancelled');
    const gone = await get(`/search/csv/${id}`, bearer(u.token));
    expect(gone.statusCode).toBe(400);
    expect(gone.json().msg).toContain('cancelled');
  });

  it('resumes from its checkpoint after a restart', async () => {
    const u = await t.tokenFor('reader');
    const rows = ['Nom;Prenom;DateNaissance'];
    for (let i = 0; i < 2500; i++) rows.push(i === 2400 ? 'COUILLOUD;Alain;28/12/1952' : `PERSONNE${i};Jean;01/01/1950`);
    const f = form({ lastName: 'Nom', firstName: 'Prenom', birthDate: 'DateNaissance' }, rows.join('\n'));
    await t.ctx.jobs.stop();
    const r = await t.app.inject({ method: 'POST', url: api('/search/csv'), payload: f.payload, headers: { ...f.headers, ...bearer(u.token) } });
    const { id } = r.json();
    // A node died after 2,000 rows: its checkpoint and partial result are on its disk (scratch).
    const job = (await t.ctx.jobs.get(id))!;
    const jobDir = (job.payload as { dir: string }).dir;
    const dir = path.join(t.ctx.env.dataDir, 'scratch', 'deces-bulk', jobDir);
    fs.mkdirSync(dir, { recursive: true });
    const header = ['Nom', 'Prenom', 'DateNaissance', 'sourceLineNumber', ...RESULT_COLUMNS.map(bulkHeader)].join(';') + '\n';
    fs.writeFileSync(path.join(dir, 'result.csv'), header + 'garbage written after the checkpoint\n');
    fs.writeFileSync(path.join(dir, 'review.ndjson'), '{"garbage":true}\n');
    await t.ctx.db
      .update(jobs)
      .set({ checkpoint: { rows: 2000, bytes: Buffer.byteLength(header), reviewBytes: 0, matched: 0, errors: [] } })
      .where(eq(jobs.id, id));
    t.ctx.jobs.start();
    const done = await t.ctx.jobs.waitFor(id, 60_000);
    expect(done.state).toBe('succeeded');
    const out = (await get(`/search/csv/${id}`, bearer(u.token))).body.trim().split('\n');
    expect(out).toHaveLength(501);
    expect(out[1]!.split(';')[3]).toBe('2001');
    // The JSON lines result (behind /search/json) is a blob next to the CSV: its header line and the 500 rows done after the restart.
    const ndjson = await t.ctx.blobs.get(`deces/bulk/${jobDir}/result.ndjson`);
    expect(ndjson).not.toBeNull();
    const ndjsonText = Buffer.concat(await ndjson!.body.toArray()).toString('utf8');
    expect(ndjsonText.trim().split('\n')).toHaveLength(501);
    // The review lines too: the 500 rows done after the restart, nothing written after the checkpoint.
    const review = Buffer.concat(await (await t.ctx.blobs.get(`deces/bulk/${jobDir}/review.ndjson`))!.body.toArray()).toString('utf8');
    expect(review.trim().split('\n')).toHaveLength(500);
    expect(review).not.toContain('garbage');
    expect(out.some((l) => l.includes('garbage'))).toBe(false);
    expect(out.filter((l) => l.includes('Couilloud')).length).toBe(1);
    expect(done.result).toMatchObject({ rows: 2500, matched: 1 });
    // The finished result is in the blob store; the scratch copy is gone.
    expect(fs.existsSync(dir)).toBe(false);
    expect(await t.ctx.blobs.head(`deces/bulk/${jobDir}/result.csv`)).not.toBeNull();
    // Once the job is purged (results expired), the sweep removes its files; live jobs keep theirs.
    await t.ctx.blobs.put('deces/bulk/orphan-upload/input.csv', 'Nom\nX\n');
    const { registerBulk } = await import('./bulk.service.ts');
    const sweeper = registerBulk(t.ctx, t.services.deces!);
    expect(await sweeper.sweep(Date.now() + 2 * 3600_000)).toBeGreaterThanOrEqual(1);
    expect(await t.ctx.blobs.head('deces/bulk/orphan-upload/input.csv')).toBeNull();
    expect(await t.ctx.blobs.head(`deces/bulk/${jobDir}/result.csv`)).not.toBeNull();
    expect(await t.ctx.blobs.head(`deces/bulk/${jobDir}/input.csv`)).not.toBeNull();
  });

  it('resumed on another node (no partial result there), starts again from the first row', async () => {
    const u = await t.tokenFor('reader');
    const rows = ['Nom;Prenom;DateNaissance'];
    for (let i = 0; i < 1500; i++) rows.push(i === 1400 ? 'COUILLOUD;Alain;28/12/1952' : `PERSONNE${i};Jean;01/01/1950`);
    const f = form({ lastName: 'Nom', firstName: 'Prenom', birthDate: 'DateNaissance' }, rows.join('\n'));
    await t.ctx.jobs.stop();
    const r = await t.app.inject({ method: 'POST', url: api('/search/csv'), payload: f.payload, headers: { ...f.headers, ...bearer(u.token) } });
    const { id } = r.json();
    await t.ctx.db
      .update(jobs)
      .set({ checkpoint: { rows: 1000, bytes: 300, matched: 0, errors: [] } })
      .where(eq(jobs.id, id));
    t.ctx.jobs.start();
    const done = await t.ctx.jobs.waitFor(id, 60_000);
    expect(done.state).toBe('succeeded');
    expect(done.result).toMatchObject({ rows: 1500, matched: 1 });
    const out = (await get(`/search/csv/${id}`, bearer(u.token))).body.trim().split('\n');
    expect(out).toHaveLength(1501);
    // sourceLineNumber as matchID counts it: 1 for the first data row.
    expect(out[1]!.split(';')[3]).toBe('1');
  });
});

describe('corrections', () => {
  it('a user proposes with a proof, a reviewer validates, the record serves and finds it', async () => {
    const id = parseLine(FIXTURES[1]!, 'x').matchidId;
    const user = await t.tokenFor('reader');
    const noProof = await t.app.inject({ method: 'POST', url: api(`/id/${id}/corrections`), headers: bearer(user.token), payload: { firstName: 'LILIANNE' } });
    expect(noProof.statusCode).toBe(400);
    expect(noProof.json().errors.map((e: { field: string }) => e.field)).toContain('proof');
    const p = await t.app.inject({
      method: 'POST',
      url: api(`/id/${id}/corrections`),
      headers: bearer(user.token),
      payload: { lastName: 'COLIN-MAILLARD', message: 'acte de naissance', proofUrl: 'https://etat-civil.example.fr/acte/123' },
    });
    expect(p.statusCode).toBe(201);
    const corr = p.json();
    expect(corr.status).toBe('pending');
    const anon = await t.app.inject({
      method: 'POST',
      url: api(`/corrections/${corr.id}/review`),
      headers: bearer(user.token),
      payload: { decision: 'validated' },
    });
    expect(anon.statusCode).toBe(403);
    const reviewer = await t.tokenFor('reviewer');
    const rej = await t.app.inject({
      method: 'POST',
      url: api(`/corrections/${corr.id}/review`),
      headers: bearer(reviewer.token),
      payload: { decision: 'rejected' },
    });
    expect(rej.json().errors[0].field).toBe('comment');
    const ok = await t.app.inject({
      method: 'POST',
      url: api(`/corrections/${corr.id}/review`),
      headers: bearer(reviewer.token),
      payload: { decision: 'validated', comment: 'conforme' },
    });
    expect(ok.json().status).toBe('validated');
    const rec = (await get(`/id/${id}`)).json().response.persons[0];
    expect(rec.modifications[0].fields).toEqual({ lastName: 'COLIN-MAILLARD' });
    const found = (await get('/search?lastName=Colin-Maillard&firstName=Liliane')).json();
    expect(found.response.persons[0].id).toBe(id);
    const csv = await get('/corrections?status=validated&format=csv', bearer(reviewer.token));
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain(corr.id);
    const mine = (await get('/corrections', bearer(user.token))).json();
    expect(mine.items[0]).toMatchObject({ id: corr.id, status: 'validated', reviewComment: 'conforme' });
  });

  it('accepts only PDF proofs, serves them only to the author and reviewers', async () => {
    const id = parseLine(FIXTURES[2]!, 'x').id;
    const user = await t.tokenFor('reader');
    const boundary = '----b' + Date.now();
    const body = (content: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="birthDate"\r\n\r\n29/12/1952\r\n--${boundary}\r\nContent-Disposition: form-data; name="proof"; filename="acte.pdf"\r\nContent-Type: application/pdf\r\n\r\n${content}\r\n--${boundary}--\r\n`;
    const headers = { ...bearer(user.token), 'content-type': `multipart/form-data; boundary=${boundary}` };
    const notPdf = await t.app.inject({ method: 'POST', url: api(`/id/${id}/corrections`), headers, payload: body('<html>hello</html>') });
    expect(notPdf.json().errors[0].field).toBe('proof');
    const ok = await t.app.inject({ method: 'POST', url: api(`/id/${id}/corrections`), headers, payload: body('%PDF-1.4 fake but signed') });
    expect(ok.statusCode).toBe(201);
    const cid = ok.json().id;
    expect((await get(`/corrections/${cid}/proof`, bearer(user.token))).body).toContain('%PDF-1.4');
    const other = await t.tokenFor('reader');
    expect((await get(`/corrections/${cid}/proof`, bearer(other.token))).statusCode).toBe(403);
    expect((await get(`/corrections/${cid}/proof`)).statusCode).toBe(401);
  });
});

describe('bulk candidates', () => {
  it('sends each record once per key though several blocking branches find it, with the columns the result reads', async () => {
    const [r] = await t.ctx.db
      .select()
      .from(decesRecords)
      .where(sql`birth_year IS NOT NULL AND first_phon <> '' AND birth_date NOT LIKE '%00'`)
      .limit(1);
    const key = {
      lastPhon: r!.lastPhon,
      lastKey: r!.lastKey,
      firstPhon: r!.firstPhon,
      firstKey: r!.firstKey,
      birthDate: r!.birthDate,
      birthYear: r!.birthYear,
      sex: r!.sex,
    };
    // The four branches (names and year, name and year ±1, birth date, first name and year) all find it.
    const got = await createDecesRepository(t.ctx.db).bulkCandidates([
      { ...key, row: 0 },
      { ...key, row: 1 },
    ]);
    const pairs = got.map((c) => `${c.row}:${c.rec.id}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    for (const row of [0, 1]) expect(got.filter((c) => c.row === row && c.rec.id === r!.id)).toHaveLength(1);
    const { lastKey: _a, lastPhon: _b, firstKey: _c, firstPhon: _d, birthYear: _e, deathYear: _f, ...expected } = r!;
    expect(got.find((c) => c.rec.id === r!.id)!.rec).toEqual(expected);
  });

  it('finds a record with a typo in each name by its birth date, a year-only date in its year, a mistyped name a year off', async () => {
    const [r] = await t.ctx.db
      .select()
      .from(decesRecords)
      .where(sql`birth_year IS NOT NULL AND length(first_key) > 4 AND length(last_key) > 4 AND birth_date NOT LIKE '%00' AND sex <> ''`)
      .limit(1);
    const typo = (w: string) => w[0] + w.slice(2, 3) + w.slice(1, 2) + w.slice(3) + 'X';
    const lastKey = typo(r!.lastKey);
    const firstKey = typo(r!.firstKey);
    const repo = createDecesRepository(t.ctx.db);
    const both = await repo.bulkCandidates([
      { row: 0, lastKey, lastPhon: phonetic(lastKey), firstKey, firstPhon: phonetic(firstKey), birthDate: r!.birthDate, birthYear: r!.birthYear, sex: r!.sex },
    ]);
    expect(both.map((c) => c.rec.id)).toContain(r!.id);
    // A date known by its year only: the names' block within a year of it.
    const year = { lastKey: r!.lastKey, lastPhon: r!.lastPhon, firstKey: r!.firstKey, firstPhon: r!.firstPhon, birthDate: '', sex: '' };
    const inYear = await repo.bulkCandidates([{ row: 0, ...year, birthYear: r!.birthYear, birthYearWindow: 1 }]);
    expect(inYear.map((c) => c.rec.id)).toContain(r!.id);
    const away = await repo.bulkCandidates([{ row: 0, ...year, birthYear: r!.birthYear! + 3, birthYearWindow: 1 }]);
    expect(away.map((c) => c.rec.id)).not.toContain(r!.id);
    // A mistyped last name and the year off by one: the same first name born on that day a year later.
    const later = `${r!.birthYear! + 1}${r!.birthDate.slice(4)}`;
    const near = await repo.bulkCandidates([
      {
        row: 0,
        lastKey,
        lastPhon: phonetic(lastKey),
        firstKey: r!.firstKey,
        firstPhon: r!.firstPhon,
        birthDate: later,
        birthYear: r!.birthYear! + 1,
        sex: r!.sex,
      },
    ]);
    expect(near.map((c) => c.rec.id)).toContain(r!.id);
  });
});

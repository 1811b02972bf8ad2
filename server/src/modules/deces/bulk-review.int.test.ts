import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { and, eq } from 'drizzle-orm';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { importFile } from './import.service.ts';
import { SYSTEM } from '../../platform/auth/principal.ts';
import { auditLog } from '../../platform/audit/audit.table.ts';
import { jobs } from '../../platform/jobs/jobs.table.ts';
import { bulkDate, calendarDate } from './bulk.service.ts';

/**
 * Reviewing a bulk matching on screen: lines with candidates, scores and reasons, a decision per line
 * (persisted, audited, owner or admin only), invalid dates counted as errors, the French CSV with the
 * decisions; `/api/jobs` names the job and links its results. matchID's formats stay as they were
 * (conformance/matchid.int.test.ts).
 */
let t: TestPlatform;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deces-review-'));
const api = (url: string) => `/deces/api/v1${url}`;
const W = [80, 1, 8, 5, 30, 30, 8, 5, 9];
const line = (f: string[]) => f.map((x, i) => x.padEnd(W[i]!, ' ')).join('');

beforeAll(async () => {
  t = await createTestPlatform({ startJobs: true });
  const file = path.join(tmp, 'deces-2020-m01.txt');
  fs.writeFileSync(
    file,
    Buffer.from(
      [
        line(['COLIN*LILIANE COLETTE/', '2', '19340212', '75120', 'PARIS 20E  ARRONDISSEMENT', '', '20200126', '01034', '25']),
        line(['COUILLOUD*ALAIN ALBERT/', '1', '19521228', '69382', 'LYON 2E  ARRONDISSEMENT', '', '20191218', '01015', '5']),
      ].join('\n') + '\n',
      'latin1',
    ),
  );
  await importFile(t.ctx, file, { caller: SYSTEM });
}, 120_000);
afterAll(async () => {
  await t?.teardown();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const CSV = [
  'Nom;Prenom;DateNaissance',
  'COUILLOUD;Alain;28/12/1952',
  'colin;liliane;12/02/1934',
  'INCONNU;Personne;01/01/1990',
  'DUMAS;Michel;31/02/1935',
  'MARTIN;Paul;29/02/1951',
].join('\n');

function form(content = CSV) {
  const boundary = '----review' + Math.random().toString(16).slice(2);
  const fields = { lastName: 'Nom', firstName: 'Prenom', birthDate: 'DateNaissance', dateFormat: 'DD/MM/YYYY' };
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  parts.push(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="personnes.csv"\r\nContent-Type: text/csv\r\n\r\n${content}\r\n--${boundary}--\r\n`,
  );
  return { payload: parts.join(''), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function run(token: string): Promise<string> {
  const f = form();
  const r = await t.app.inject({ method: 'POST', url: api('/search/csv'), payload: f.payload, headers: { ...f.headers, ...bearer(token) } });
  expect(r.statusCode).toBe(200);
  const { id } = r.json() as { id: string };
  expect((await t.ctx.jobs.waitFor(id, 60_000)).state).toBe('succeeded');
  return id;
}

describe('dates of a bulk file', () => {
  it('a date that does not exist in the calendar is unreadable (31/02, 29/02 of a common year), unknown parts allowed', () => {
    expect(calendarDate('19350231')).toBe(false);
    expect(calendarDate('19510229')).toBe(false);
    expect(calendarDate('19520229')).toBe(true);
    expect(calendarDate('20000229')).toBe(true);
    expect(calendarDate('19000229')).toBe(false);
    expect(calendarDate('19500000')).toBe(true);
    expect(calendarDate('19500300')).toBe(true);
    expect(calendarDate('19501301')).toBe(false);
    expect(calendarDate('10500101')).toBe(false);
    expect(bulkDate('31/02/1935', 'DD/MM/YYYY')).toBeNull();
    expect(bulkDate('30/04/1935', 'auto')).toBe('19350430');
    expect(bulkDate('31/04/1935', 'auto')).toBeNull();
  });

  it('a date known only by its year or its month is read whatever the format of the full dates', () => {
    for (const f of ['DD/MM/YYYY', 'YYYY-MM-DD', 'YYYYMMDD', 'auto', 'dd/MM/yyyy'] as const) {
      expect(bulkDate('1919', f)).toBe('19190000');
      expect(bulkDate('03/1919', f)).toBe('19190300');
      expect(bulkDate('3-1919', f)).toBe('19190300');
    }
    expect(bulkDate('13/1919', 'DD/MM/YYYY')).toBeNull();
    expect(bulkDate('1650', 'DD/MM/YYYY')).toBeNull();
    expect(bulkDate('191', 'DD/MM/YYYY')).toBeNull();
  });
});

describe('bulk review', () => {
  it('counts lines with an invalid date as errors, not as « sans correspondance »', async () => {
    const u = await t.tokenFor('reader');
    const id = await run(u.token);
    const sum = (await t.app.inject({ url: api(`/search/csv/${id}/summary`), headers: bearer(u.token) })).json();
    expect(sum.result).toMatchObject({ rows: 5, matched: 2, unmatched: 1, failed: 2 });
    expect(sum.result.errors.map((e: { line: number }) => e.line)).toEqual([5, 6]);
    expect(sum.result.errors[0].message).toMatch(/birthDate .*date illisible ou inexistante « 31\/02\/1935 »/);
  });

  it('matches a person whose file gives the year or the month of birth only', async () => {
    const u = await t.tokenFor('reader');
    const f = form(['Nom;Prenom;DateNaissance', 'colin;liliane;1934', 'COLIN;Liliane;02/1934', 'COLIN;Liliane;1935', 'COLIN;Liliane;0000'].join('\n'));
    const r = await t.app.inject({ method: 'POST', url: api('/search/csv'), payload: f.payload, headers: { ...f.headers, ...bearer(u.token) } });
    expect(r.statusCode).toBe(200);
    const { id } = r.json() as { id: string };
    expect((await t.ctx.jobs.waitFor(id, 60_000)).state).toBe('succeeded');
    const items = (await t.app.inject({ url: api(`/search/csv/${id}/review`), headers: bearer(u.token) })).json().items;
    expect(items.map((x: { error: string | null }) => x.error)).toEqual([null, null, null, null]);
    expect(items[0].candidates[0]).toMatchObject({ name: { last: 'Colin' }, birth: { date: '19340212' } });
    expect(items[0].candidates[0].reasons.join(' ')).toMatch(/date partielle compatible/);
    expect(items[1].candidates[0]).toMatchObject({ birth: { date: '19340212' } });
    // A year off by one: a weaker candidate, said so.
    expect(items[2].candidates[0].score).toBeLessThan(items[0].candidates[0].score);
    expect(items[2].candidates[0].reasons.join(' ')).toMatch(/à un an près/);
    // An unknown year (0000) is no date: the names alone find her, no date contradicts.
    expect(items[3].candidates[0]).toMatchObject({ birth: { date: '19340212' } });
    expect(items[3].candidates[0].reasons.join(' ')).not.toMatch(/date/i);
  });

  it('pages the lines with candidates, scores and reasons; filters; only the owner or an admin', async () => {
    const u = await t.tokenFor('reader');
    const id = await run(u.token);
    const page = (q: string, token = u.token) => t.app.inject({ url: api(`/search/csv/${id}/review${q}`), headers: bearer(token) });
    const all = (await page('')).json();
    expect(all.total).toBe(5);
    expect(all.header).toEqual(['Nom', 'Prenom', 'DateNaissance']);
    expect(all.items[0]).toMatchObject({ sourceLineNumber: 1, line: 2, input: { Nom: 'COUILLOUD' }, error: null, decision: null });
    expect(all.items[0].candidates[0].name.last).toBe('Couilloud');
    expect(all.items[0].candidates[0].score).toBeGreaterThan(0.9);
    expect(all.items[0].candidates[0].reasons.join(' ')).toMatch(/Nom/);
    expect(all.items[3]).toMatchObject({ sourceLineNumber: 4, candidates: [] });
    expect(all.items[3].error).toMatch(/date illisible/);
    expect((await page('?filter=errors')).json().items.map((i: { sourceLineNumber: number }) => i.sourceLineNumber)).toEqual([4, 5]);
    expect((await page('?filter=unmatched')).json().items.map((i: { sourceLineNumber: number }) => i.sourceLineNumber)).toEqual([3]);
    const second = (await page('?filter=matched&size=1&page=2')).json();
    expect(second).toMatchObject({ total: 2, page: 2, size: 1 });
    expect(second.items[0].sourceLineNumber).toBe(2);
    expect((await page('?size=1000')).json().errors[0].field).toBe('querystring.size');
    const other = await t.tokenFor('reader');
    expect((await page('', other.token)).statusCode).toBe(403);
    const admin = await t.tokenFor('admin');
    expect((await page('', admin.token)).statusCode).toBe(200);
  });

  it('records a decision per line (validated, audited, persisted, undone), exports them in the French CSV', async () => {
    const u = await t.tokenFor('reader');
    const id = await run(u.token);
    const decide = (body: unknown, token = u.token) =>
      t.app.inject({ method: 'PUT', url: api(`/search/csv/${id}/decisions`), payload: body as object, headers: bearer(token) });
    const first = (await t.app.inject({ url: api(`/search/csv/${id}/review`), headers: bearer(u.token) })).json().items[0];
    const r = await decide({ sourceLineNumber: 1, decision: 'accepted' });
    expect(r.statusCode).toBe(200);
    expect(r.json().decision).toMatchObject({ decision: 'accepted', candidateId: first.candidates[0].id });
    expect((await decide({ sourceLineNumber: 2, decision: 'rejected' })).statusCode).toBe(200);
    // Bad input: nothing written.
    const none = await decide({ sourceLineNumber: 3, decision: 'accepted' });
    expect(none.statusCode).toBe(400);
    expect(none.json().errors[0]).toMatchObject({ field: 'decision' });
    expect(none.json().errors[0].message).toMatch(/aucun candidat à accepter/);
    expect((await decide({ sourceLineNumber: 99, decision: 'accepted' })).json().errors[0].field).toBe('sourceLineNumber');
    expect((await decide({ sourceLineNumber: 1, decision: 'accepted', candidateId: 'nope' })).json().errors[0].field).toBe('candidateId');
    expect((await decide({ sourceLineNumber: 1, decision: 'maybe' })).statusCode).toBe(400);
    const other = await t.tokenFor('reader');
    expect((await decide({ sourceLineNumber: 1, decision: 'rejected' }, other.token)).statusCode).toBe(403);

    const after = (await t.app.inject({ url: api(`/search/csv/${id}/review`), headers: bearer(u.token) })).json();
    expect(after.decided).toEqual({ accepted: 1, rejected: 1 });
    expect(after.items[0].decision).toMatchObject({ decision: 'accepted', decidedBy: `Test ${u.login}` });
    expect((await t.app.inject({ url: api(`/search/csv/${id}/review?filter=undecided`), headers: bearer(u.token) })).json().total).toBe(0);
    const audits = await t.ctx.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'deces.bulk.decision'), eq(auditLog.entityId, id)));
    expect(audits).toHaveLength(2);

    const csv = await t.app.inject({ url: api(`/search/csv/${id}/fr`), headers: bearer(u.token) });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toContain('personnes-resultats-fr.csv');
    const rows = parse(csv.body, { delimiter: ';', bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!).slice(0, 8)).toEqual(['Ligne', 'Nom', 'Prenom', 'DateNaissance', 'Résultat', 'Décision', 'Candidat n°', 'Score (%)']);
    const couilloud = rows.find((x) => x.Ligne === '1')!;
    expect(couilloud).toMatchObject({
      Résultat: 'Appariée',
      Décision: 'Acceptée',
      'Date de naissance': '28/12/1952',
      'Date de décès': '18/12/2019',
      Sexe: 'Homme',
    });
    expect(Number(couilloud['Score (%)'])).toBeGreaterThanOrEqual(90);
    expect(couilloud['Score nom (%)']).toBe('100');
    expect(couilloud['Raisons du score']).toMatch(/Nom/);
    expect(rows.find((x) => x.Ligne === '2')).toMatchObject({ Décision: 'Rejetée' });
    expect(rows.find((x) => x.Ligne === '3')).toMatchObject({ Résultat: 'Sans correspondance', 'Score (%)': '' });
    expect(rows.find((x) => x.Ligne === '4')).toMatchObject({ Résultat: 'En erreur' });
    expect(rows.find((x) => x.Ligne === '4')!.Erreur).toMatch(/31\/02\/1935/);

    // Undo.
    expect((await decide({ sourceLineNumber: 2, decision: null })).json()).toEqual({ decision: null });
    expect((await t.app.inject({ url: api(`/search/csv/${id}/review?filter=undecided`), headers: bearer(u.token) })).json().total).toBe(1);
    // matchID's CSV is unchanged: no decision column.
    const matchid = await t.app.inject({ url: api(`/search/csv/${id}`), headers: bearer(u.token) });
    expect(matchid.body.split('\n')[0]).toBe(
      'Nom;Prenom;DateNaissance;sourceLineNumber;score;scores;source;id;name.last;name.first;sex;birth.date;birth.city;birth.code;birth.codePostal;birth.departmentCode;birth.country;birth.countryCode;birth.latitude;birth.longitude;death.certificateId;death.age;death.date;death.city;death.code;death.codePostal;death.departmentCode;death.country;death.countryCode;death.latitude;death.longitude',
    );
  });

  it('/api/jobs names the job by what it does and its file, with its downloads for its owner only', async () => {
    const u = await t.tokenFor('reader');
    const id = await run(u.token);
    const list = (await t.app.inject({ url: '/api/jobs', headers: bearer(u.token) })).json();
    const j = list.items.find((x: { id: string }) => x.id === id);
    expect(j.title).toBe('Appariement du fichier « personnes.csv » avec le fichier des décès');
    expect(j.fileName).toBe('personnes.csv');
    expect(j.downloads.map((d: { href: string }) => d.href)).toEqual([api(`/search/csv/${id}/fr`), api(`/search/csv/${id}`)]);
    for (const d of j.downloads as { href: string }[]) {
      expect((await t.app.inject({ url: d.href, headers: bearer(u.token) })).statusCode).toBe(200);
      const other = await t.tokenFor('reader');
      expect((await t.app.inject({ url: d.href, headers: bearer(other.token) })).statusCode).toBe(403);
    }
    // Expired: no download offered any more.
    await t.ctx.db
      .update(jobs)
      .set({ finishedAt: new Date(t.ctx.clock.now().getTime() - 2 * 86400_000) })
      .where(eq(jobs.id, id));
    const one = (await t.app.inject({ url: `/api/jobs/${id}`, headers: bearer(u.token) })).json();
    expect(one.downloads).toEqual([]);
    expect((await t.app.inject({ url: api(`/search/csv/${id}/review`), headers: bearer(u.token) })).statusCode).toBe(404);
  });
});

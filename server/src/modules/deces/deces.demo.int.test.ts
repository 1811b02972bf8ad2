import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SOURCE } from '@patrimoine/contracts/deces';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { ANONYMOUS, SYSTEM, principalOfUser } from '../../platform/auth/principal.ts';
import { ForbiddenError, UnauthorizedError } from '../../platform/errors.ts';
import { listAudit } from '../../platform/audit/audit.repository.ts';
import { applyOppositions, importFile } from './import.service.ts';
import { parseLine } from './insee.ts';

/** Real lines of INSEE's deaths file (Licence Ouverte, see fixtures/README.md). */
const REAL = fs
  .readFileSync(new URL('./fixtures/deces-sample-lines.csv', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('"'));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deces-demo-'));
const realFile = path.join(tmp, 'deces-2020-m01.csv');
fs.writeFileSync(realFile, Buffer.from(REAL.join('\n') + '\n', 'latin1'));

let t: TestPlatform;
const seedDemo = () => t.modules.find((m) => m.name === 'deces')!.seedDemo!();
const version = async () => (await t.app.inject({ url: '/deces/api/v1/version' })).json();

beforeAll(async () => {
  t = await createTestPlatform();
}, 120_000);
afterAll(async () => {
  await t?.teardown();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('demo content never mixes with real data', () => {
  it('loads the synthetic records into empty tables, marked as demo, and only once', async () => {
    await seedDemo();
    const v = await version();
    expect(v.uniqRecordsCount).toBeGreaterThan(2900);
    expect(v.sources.map((s: { name: string }) => s.name)).toEqual([DEMO_SOURCE]);
    const found = (await t.app.inject({ url: '/deces/api/v1/search?birthDate=1930-1960&size=5' })).json();
    expect(found.response.persons.length).toBeGreaterThan(0);
    for (const p of found.response.persons) expect(p.source).toBe(DEMO_SOURCE);
    // Issue 11: the page's example, a single word tried as a first name, typos that change the phonetic key.
    const q = async (text: string) => (await t.app.inject({ url: `/deces/api/v1/search?q=${encodeURIComponent(text)}` })).json().response;
    const hint = await q('Jean Martin 10/08/1984');
    expect(hint.persons[0]).toMatchObject({ name: { last: 'Martin', first: ['Jean'] }, death: { date: '19840810' } });
    const martine = await q('martine');
    expect(martine.persons.some((p: { name: { first: string[] } }) => p.name.first[0] === 'Martine')).toBe(true);
    expect((await q('maritn')).persons.some((p: { name: { last: string } }) => p.name.last === 'Martin')).toBe(true);
    expect((await q('martn jaen')).persons[0]).toMatchObject({ name: { last: 'Martin', first: ['Jean'] } });
    // Every start calls seedDemo again: the tables are no longer empty, nothing is added.
    await seedDemo();
    expect((await version()).uniqRecordsCount).toBe(v.uniqRecordsCount);
  });

  it('a real INSEE import replaces the demo records in the same transaction and says so', async () => {
    const demoId = (await t.app.inject({ url: '/deces/api/v1/search?birthDate=1930-1960&size=1' })).json().response.persons[0].id as string;
    const author = await t.tokenFor('reader');
    const demoRow = (await t.services.deces!.repo.findById(demoId))!;
    await t.services.deces!.repo.insertCorrection(t.ctx.db, {
      recordId: demoRow.id,
      authorId: author.userId,
      fields: { firstName: 'X' },
      proofUrl: 'https://x.example/a',
    });
    const before = (await version()).uniqRecordsCount;
    const r = await importFile(t.ctx, realFile, { caller: SYSTEM });
    expect(r).toMatchObject({ inserted: REAL.length, rejected: 0, demoRemoved: before });
    const v = await version();
    expect(v.uniqRecordsCount).toBe(REAL.length);
    expect(v.sources.map((s: { name: string }) => s.name)).toEqual(['deces-2020-m01']);
    expect((await t.app.inject({ url: `/deces/api/v1/id/${demoId}` })).statusCode).toBe(404);
    const reviewer = await t.tokenFor('reviewer');
    const corrections = (await t.app.inject({ url: '/deces/api/v1/corrections', headers: bearer(reviewer.token) })).json();
    expect(corrections.items.map((c: { recordId: string }) => c.recordId)).not.toContain(demoRow.id);
    const real = (await t.app.inject({ url: `/deces/api/v1/id/${parseLine(REAL[0]!, 'x').id}` })).json().response.persons[0];
    expect(real).toMatchObject({ name: { last: 'Leers' }, source: 'deces-2020-m01' });
    const audit = await listAudit(t.ctx.db, { action: 'deces.import', page: 1, pageSize: 1 } as Parameters<typeof listAudit>[1]);
    expect(audit.items[0]!.after).toMatchObject({ source: 'deces-2020-m01', demoRemoved: before });
  });

  it('adds no demo to a base that holds real records', async () => {
    await seedDemo();
    const v = await version();
    expect(v.uniqRecordsCount).toBe(REAL.length);
    expect(v.sources.map((s: { name: string }) => s.name)).not.toContain(DEMO_SOURCE);
    // A second real import finds no demo to remove.
    expect((await importFile(t.ctx, realFile, { caller: SYSTEM })).demoRemoved).toBeUndefined();
  });
});

describe('callers: an anonymous call never takes the system’s path', () => {
  it('imports and oppositions: anonymous 401, a non-admin account 403, the system and an admin allowed', async () => {
    await expect(importFile(t.ctx, realFile, { caller: ANONYMOUS })).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(applyOppositions(t.ctx, realFile, ANONYMOUS)).rejects.toBeInstanceOf(UnauthorizedError);
    const reader = await t.ctx.usersRepo.findByLogin((await t.tokenFor('reader')).login);
    await expect(importFile(t.ctx, realFile, { caller: principalOfUser(reader!) })).rejects.toBeInstanceOf(ForbiddenError);
    expect((await importFile(t.ctx, realFile, { caller: SYSTEM })).lines).toBe(REAL.length);
    const admin = await t.ctx.usersRepo.findByLogin((await t.tokenFor('admin')).login);
    expect((await importFile(t.ctx, realFile, { caller: principalOfUser(admin!) })).lines).toBe(REAL.length);
  });

  it('through HTTP, a request without credentials never gets the system’s rights', async () => {
    const boundary = '----anon';
    const payload = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="deces-2024-m01.txt"\r\n\r\n${REAL[0]}\r\n--${boundary}--\r\n`;
    const headers = { 'content-type': `multipart/form-data; boundary=${boundary}` };
    expect((await t.app.inject({ method: 'POST', url: '/deces/api/v1/admin/import', payload, headers })).statusCode).toBe(401);
    const id = parseLine(REAL[1]!, 'x').id;
    const propose = await t.app.inject({
      method: 'POST',
      url: `/deces/api/v1/id/${id}/corrections`,
      payload: { firstName: 'X', proofUrl: 'https://x.example/b' },
    });
    expect(propose.statusCode).toBe(401);
    expect((await t.app.inject({ url: '/deces/api/v1/corrections' })).statusCode).toBe(401);
  });
});

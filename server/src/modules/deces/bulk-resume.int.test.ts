import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { importFile } from './import.service.ts';
import { writeSyntheticFile } from './index.ts';
import { SYSTEM } from '../../platform/auth/principal.ts';
import { asc } from 'drizzle-orm';
import { decesRecords } from './deces.table.ts';

/**
 * A bulk matching job really interrupted in the middle (its node stops while it runs) and resumed:
 * its summary (rows, matches, errors, score buckets) and its result file must be those of the same
 * file matched without interruption — nothing lost, nothing counted twice.
 */
let t: TestPlatform;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deces-resume-'));
const api = (url: string) => `/deces/api/v1${url}`;

beforeAll(async () => {
  t = await createTestPlatform({ startJobs: true });
  const synth = path.join(tmp, 'deces-synth.txt.gz');
  await writeSyntheticFile(synth, 3000, 7);
  await importFile(t.ctx, synth, { caller: SYSTEM });
}, 120_000);
afterAll(async () => {
  await t?.teardown();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function form(content: string) {
  const boundary = '----resume' + Math.random().toString(16).slice(2);
  const fields = { lastName: 'Nom', firstName: 'Prenom', birthDate: 'DateNaissance' };
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  parts.push(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="personnes.csv"\r\nContent-Type: text/csv\r\n\r\n${content}\r\n--${boundary}--\r\n`,
  );
  return { payload: parts.join(''), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function records(n: number): Promise<{ last: string; first: string; birth: string }[]> {
  const rows = await t.ctx.db.select().from(decesRecords).orderBy(asc(decesRecords.id)).limit(n);
  return rows
    .filter((p) => /^\d{8}$/.test(p.birthDate) && !p.birthDate.endsWith('00'))
    .map((p) => ({
      last: p.lastName,
      first: p.firstNames.split(' ')[0]!,
      birth: `${p.birthDate.slice(6, 8)}/${p.birthDate.slice(4, 6)}/${p.birthDate.slice(0, 4)}`,
    }));
}

async function submit(token: string, content: string): Promise<string> {
  const f = form(content);
  const r = await t.app.inject({ method: 'POST', url: api('/search/csv'), payload: f.payload, headers: { ...f.headers, ...bearer(token) } });
  expect([200, 201]).toContain(r.statusCode);
  return (r.json() as { id: string }).id;
}

async function summaryAndFile(token: string, id: string) {
  const s = (await t.app.inject({ url: api(`/search/csv/${id}/summary`), headers: bearer(token) })).json() as { result: Record<string, unknown> };
  const file = (await t.app.inject({ url: api(`/search/csv/${id}`), headers: bearer(token) })).body;
  return { result: s.result, file };
}

describe('bulk matching interrupted and resumed', () => {
  it('ends with the same counts, buckets and result file as an uninterrupted run', async () => {
    const u = await t.tokenFor('reader');
    const known = await records(100);
    expect(known.length).toBeGreaterThan(50);
    // 8,000 rows: matches (known persons), near misses, strangers, invalid dates and unreadable lines.
    const rows = ['Nom;Prenom;DateNaissance'];
    for (let i = 0; i < 8000; i++) {
      const k = known[i % known.length]!;
      if (i % 97 === 0) rows.push(`INCONNU${i};Date;31/02/19${50 + (i % 40)}`);
      else if (i % 211 === 0) rows.push(`"GUILLEMET${i};Mal;"fermé";01/01/1950`);
      else if (i % 5 === 0) rows.push(`${k.last};${k.first};${k.birth}`);
      else if (i % 7 === 0) rows.push(`${k.last.slice(0, -1)}E;${k.first};${k.birth}`);
      else rows.push(`ETRANGER${i};Paul;${String((i % 28) + 1).padStart(2, '0')}/0${(i % 9) + 1}/19${30 + (i % 60)}`);
    }
    const content = rows.join('\n');

    // The reference: the same file, never interrupted.
    const ref = await submit(u.token, content);
    expect((await t.ctx.jobs.waitFor(ref, 120_000)).state).toBe('succeeded');
    const expected = await summaryAndFile(u.token, ref);

    // The run under test: the node stops while the job is in the middle of the file.
    const id = await submit(u.token, content);
    let checkpointRows = 0;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      const j = (await t.ctx.jobs.get(id))!;
      checkpointRows = (j.checkpoint as { rows?: number } | null)?.rows ?? 0;
      if (checkpointRows > 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    await t.ctx.jobs.stop();
    const stopped = (await t.ctx.jobs.get(id))!;
    expect(checkpointRows).toBeGreaterThan(0);
    expect(stopped.state).not.toBe('succeeded');
    expect((stopped.checkpoint as { rows: number }).rows).toBeLessThan(8000);
    t.ctx.jobs.start();
    const done = await t.ctx.jobs.waitFor(id, 120_000);
    expect(done.state).toBe('succeeded');
    const got = await summaryAndFile(u.token, id);

    expect(got.result).toEqual(expected.result);
    const buckets = Object.values(got.result.scoreBuckets as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(buckets).toBeGreaterThan(0);
    expect(got.result.rows).toBe(8000);
    expect(got.file).toBe(expected.file);
    // Each unreadable line reported once, its excerpt in the file's encoding.
    const errs = got.result.errors as { line: number; message: string }[];
    expect(new Set(errs.map((e) => e.line)).size).toBe(errs.length);
    expect(errs.find((e) => e.message.includes('GUILLEMET'))?.message).toContain('"fermé"');
  }, 300_000);
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { importFile } from './import.service.ts';
import { FileLimitError, READ_LIMITS, readInseeFile } from './files.ts';
import { SYSTEM } from '../../platform/auth/principal.ts';

/**
 * Poison files (issue 10, High #3 and Low items): a gzip bomb without a newline, an inflation ratio
 * beyond the limit, lines with dates that are not dates, a bulk CSV with a bad quote and formulas.
 */
let t: TestPlatform;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deces-files-'));
const W = [80, 1, 8, 5, 30, 30, 8, 5, 9];
const line = (f: string[]) => f.map((x, i) => x.padEnd(W[i]!, ' ')).join('');
const GOOD = line(['COLIN*LILIANE COLETTE/', '2', '19340212', '75120', 'PARIS 20E  ARRONDISSEMENT', '', '20200126', '01034', '25']);

/** A gzip of `mb` megabytes of one byte and no newline, written as a stream (never in memory). */
async function gzipBomb(file: string, mb: number): Promise<void> {
  const gz = createGzip({ level: 9 });
  const out = fs.createWriteStream(file);
  gz.pipe(out);
  const block = Buffer.alloc(1 << 20, 0x41);
  for (let i = 0; i < mb; i++) if (!gz.write(block)) await once(gz, 'drain');
  gz.end();
  await once(out, 'close');
}

beforeAll(async () => {
  t = await createTestPlatform({ startJobs: true });
}, 120_000);
afterAll(async () => {
  await t?.teardown();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('INSEE file readers', () => {
  it('a gzip bomb without a newline fails the import job at once with a French reason naming the line', async () => {
    const file = path.join(tmp, 'bomb.txt.gz');
    await gzipBomb(file, 600);
    expect(fs.statSync(file).size).toBeLessThan(3 * 1024 * 1024);
    await expect(importFile(t.ctx, file, { caller: SYSTEM })).rejects.toThrow(/ligne 1 : plus de 4096 caractères sans fin de ligne/);
    // Through the upload and the job: failed (not retried), the node still answers.
    const admin = await t.tokenFor('admin');
    const B = 'bombXX';
    const payload = Buffer.concat([
      Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="file"; filename="deces-2024-m01.txt.gz"\r\nContent-Type: application/gzip\r\n\r\n`),
      fs.readFileSync(file),
      Buffer.from(`\r\n--${B}--\r\n`),
    ]);
    const r = await t.app.inject({
      method: 'POST',
      url: '/deces/api/v1/admin/import',
      payload,
      headers: { ...bearer(admin.token), 'content-type': `multipart/form-data; boundary=${B}` },
    });
    expect(r.statusCode).toBe(201);
    const job = await t.ctx.jobs.waitFor(r.json().id, 60_000);
    expect(job).toMatchObject({ state: 'failed', attempts: 1 });
    expect(job.error).toMatch(/^ligne 1 : plus de 4096 caractères/);
  });

  it('a file that inflates beyond the ratio limit stops the reading', async () => {
    const file = path.join(tmp, 'ratio.txt.gz');
    fs.writeFileSync(file, gzipSync(Buffer.from((GOOD + '\n').repeat(40_000), 'latin1'), { level: 9 }));
    const limits = { ...READ_LIMITS, ratioFloorBytes: 1024 * 1024, maxRatio: 20 };
    const read = async () => {
      for await (const _ of readInseeFile(file, undefined, limits)) void _;
    };
    await expect(read()).rejects.toBeInstanceOf(FileLimitError);
    await expect(read()).rejects.toThrow(/rapport supérieur à 20/);
    const tiny = { ...READ_LIMITS, maxInflatedBytes: 100_000 };
    await expect(
      (async () => {
        for await (const _ of readInseeFile(file, undefined, tiny)) void _;
      })(),
    ).rejects.toThrow(/une fois décompressé/);
  });

  it('rejects lines whose dates are not dates and counts them with their line number', async () => {
    const file = path.join(tmp, 'deces-2021-m02.txt');
    const bad = line(['DUPONT*JEAN/', '1', 'xxxxxxxx', '75056', 'PARIS', '', 'xxxxxxxx', '75056', '9']);
    const badBirth = line(['MARTIN*PAUL/', '1', '19XX0101', '75056', 'PARIS', '', '20210101', '75056', '10']);
    fs.writeFileSync(file, [GOOD, bad, '', badBirth].join('\n') + '\n', 'latin1');
    const report = await importFile(t.ctx, file, { caller: SYSTEM });
    expect(report).toMatchObject({ inserted: 1, rejected: 2 });
    expect(report.errors).toEqual([
      { line: 2, message: expect.stringMatching(/date de décès illisible/) },
      { line: 4, message: expect.stringMatching(/date de naissance illisible/) },
    ]);
    const found = await t.app.inject({ method: 'GET', url: '/deces/api/v1/search?lastName=Dupont&firstName=Jean' });
    expect(found.json().response.persons ?? []).toHaveLength(0);
  });
});

describe('bulk CSV reader', () => {
  type BulkResult = { rows: number; errors: { line: number; message: string }[]; unmatched: number; matched: number };
  /** Uploads a bulk file (columns Nom, Prenom) as a reader and waits for its job to succeed. */
  async function bulk(csv: string): Promise<{ res: BulkResult; out: () => Promise<string> }> {
    const u = await t.tokenFor('reader');
    const B = 'bulkXX';
    const payload =
      `--${B}\r\nContent-Disposition: form-data; name="lastName"\r\n\r\nNom\r\n` +
      `--${B}\r\nContent-Disposition: form-data; name="firstName"\r\n\r\nPrenom\r\n` +
      `--${B}\r\nContent-Disposition: form-data; name="file"; filename="p.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${B}--\r\n`;
    const r = await t.app.inject({
      method: 'POST',
      url: '/deces/api/v1/search/csv',
      payload,
      headers: { ...bearer(u.token), 'content-type': `multipart/form-data; boundary=${B}` },
    });
    expect(r.statusCode).toBe(200);
    const job = await t.ctx.jobs.waitFor(r.json().id, 60_000);
    expect(job.state).toBe('succeeded');
    return {
      res: job.result as BulkResult,
      out: async () => (await t.app.inject({ method: 'GET', url: `/deces/api/v1/search/csv/${job.id}`, headers: bearer(u.token) })).body,
    };
  }

  it('input cells are neutralised in the result (no formula), every row counted', async () => {
    const { res, out } = await bulk(
      ['Nom;Prenom;Note', 'COLIN;Liliane;=HYPERLINK(http://x)', '"DUP"ONT;Jean;x', 'MARTIN;@SUM(A1);-cmd', 'INCONNU;Personne;+1+1'].join('\n'),
    );
    expect(res.rows).toBe(4);
    expect(res.matched + res.unmatched + res.errors.length).toBe(4);
    const body = await out();
    expect(body).toContain(`'=HYPERLINK`);
    expect(body).toContain(`'@SUM(A1)`);
    expect(body).toContain(`'-cmd`);
    expect(body).toContain(`'+1+1`);
    expect(body).not.toMatch(/(^|;|")=HYPERLINK/m);
  });

  it('a quote never closed costs its line only: reported with its number, the rows after it are matched', async () => {
    const { res } = await bulk(['Nom;Prenom', 'COLIN;Liliane', '"DURAND;Paul', 'MARTIN;Anne', 'INCONNU;Personne'].join('\n'));
    expect(res.errors).toEqual([expect.objectContaining({ line: 3, message: expect.stringMatching(/guillemet jamais fermé/) })]);
    expect(res.matched + res.unmatched).toBe(3);
  });
});

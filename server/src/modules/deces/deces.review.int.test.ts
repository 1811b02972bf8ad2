import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, like } from 'drizzle-orm';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { importFile } from './import.service.ts';
import { parseLine } from './insee.ts';
import { SYSTEM } from '../../platform/auth/principal.ts';
import { auditLog } from '../../platform/audit/audit.table.ts';

/**
 * Two reviews of one correction sent at the same moment (issue 10, High #4): exactly one wins, the
 * other gets a 409 with a French message; one audit record per correction. On PostgreSQL the two
 * requests run in two transactions on two connections, as on two nodes.
 */
let t: TestPlatform;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deces-review-'));
const W = [80, 1, 8, 5, 30, 30, 8, 5, 9];
const LINE = ['COLIN*LILIANE COLETTE/', '2', '19340212', '75120', 'PARIS 20E  ARRONDISSEMENT', '', '20200126', '01034', '25']
  .map((x, i) => x.padEnd(W[i]!, ' '))
  .join('');

beforeAll(async () => {
  t = await createTestPlatform();
  const file = path.join(tmp, 'deces-2020-m01.txt');
  fs.writeFileSync(file, LINE + '\n', 'latin1');
  await importFile(t.ctx, file, { caller: SYSTEM });
}, 120_000);
afterAll(async () => {
  await t?.teardown();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('concurrent reviews of one correction', () => {
  it('exactly one of two simultaneous reviews succeeds, ten times', async () => {
    const id = parseLine(LINE, 'x').id;
    const author = await t.tokenFor('reader');
    const r1 = await t.tokenFor('reviewer');
    const r2 = await t.tokenFor('reviewer');
    for (let i = 0; i < 10; i++) {
      const p = await t.app.inject({
        method: 'POST',
        url: `/deces/api/v1/id/${id}/corrections`,
        headers: bearer(author.token),
        payload: { lastName: `COLIN-${i}`, proofUrl: 'https://etat-civil.example.fr/acte/1' },
      });
      expect(p.statusCode).toBe(201);
      const cid = p.json().id as string;
      const review = (token: string, decision: 'validated' | 'rejected') =>
        t.app.inject({ method: 'POST', url: `/deces/api/v1/corrections/${cid}/review`, headers: bearer(token), payload: { decision, comment: 'vu' } });
      const answers = await Promise.all([review(r1.token, 'validated'), review(r2.token, 'rejected')]);
      const codes = answers.map((a) => a.statusCode).sort();
      expect(codes).toEqual([200, 409]);
      const loser = answers.find((a) => a.statusCode === 409)!;
      expect(loser.headers['content-type']).toMatch(/problem\+json/);
      expect(loser.json().detail).toMatch(/déjà été relue|vient d’être relue/);
      const winner = answers.find((a) => a.statusCode === 200)!.json();
      const stored = (await t.app.inject({ method: 'GET', url: `/deces/api/v1/corrections?mine=true`, headers: bearer(author.token) })).json();
      expect(stored.items.find((c: { id: string }) => c.id === cid).status).toBe(winner.status);
      const audits = await t.ctx.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.entityId, cid), like(auditLog.action, 'deces.correction.%')));
      expect(audits.map((a) => a.action).filter((a) => a !== 'deces.correction.propose')).toHaveLength(1);
    }
  });
});

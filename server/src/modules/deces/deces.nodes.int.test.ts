import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestDatabase, testEnv } from '../../../test/harness.ts';
import { startLocalS3, type LocalS3 } from '../../../test/s3.ts';
import { createContext, type Platform } from '../../platform/bootstrap.ts';
import { moduleFactories } from '../index.ts';
import { buildApp } from '../../app.ts';
import { seedOrganisations } from '../../platform/seed.ts';
import { SYSTEM } from '../../platform/auth/principal.ts';
import { importFile } from './import.service.ts';
import { parseLine } from './insee.ts';

/**
 * Two nodes (two platforms, one database, one S3 bucket, each its own data directory): a file uploaded
 * on one is served by the other, and a job started on one runs on the other (issue 16, « Storage that
 * scales out »).
 */
let s3: LocalS3;
let db: Awaited<ReturnType<typeof createTestDatabase>>;
const nodes: { platform: Platform; app: FastifyInstance }[] = [];
const W = [80, 1, 8, 5, 30, 30, 8, 5, 9];
const RECORD = ['COUILLOUD*ALAIN ALBERT/', '1', '19521228', '69382', 'LYON 2E  ARRONDISSEMENT', '', '20191218', '01015', '5']
  .map((x, i) => x.padEnd(W[i]!, ' '))
  .join('');
const api = (url: string) => `/deces/api/v1${url}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'patrimoine-nodes-'));

beforeAll(async () => {
  s3 = await startLocalS3();
  db = await createTestDatabase();
  for (let i = 0; i < 2; i++) {
    // Node 0 serves the API only (no job runs there); node 1 runs the jobs.
    const env = testEnv({ ...s3.env, PATRIMOINE_ROLE: i === 0 ? 'api' : 'all' });
    const platform = await createContext(env, moduleFactories, { database: db.database, migrate: false });
    if (i === 0) {
      await seedOrganisations(platform.ctx);
      for (const m of platform.modules) await m.seedReference?.();
    }
    const app = await buildApp(platform, { logger: false });
    await app.ready();
    nodes.push({ platform, app });
  }
  nodes[1]!.platform.ctx.jobs.start();
  const file = path.join(tmp, 'deces-2020-m01.txt');
  fs.writeFileSync(file, Buffer.from(RECORD + '\n', 'latin1'));
  await importFile(nodes[0]!.platform.ctx, file, { caller: SYSTEM });
}, 120_000);
afterAll(async () => {
  for (const n of nodes.reverse()) {
    await n.app.close();
    await n.platform.close();
  }
  await db?.drop();
  await s3?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function tokenFor(role: 'reader' | 'reviewer', login: string) {
  const ctx = nodes[0]!.platform.ctx;
  const { user } = await ctx.users.create({ login, displayName: `Test ${login}`, role, password: 'correct horse battery staple' }, { id: null, label: 'test' });
  return (await ctx.auth.createToken(user.id, 'test', null, { id: null, label: 'test' })).token;
}

describe('two nodes on one S3 bucket', () => {
  it('both say their store is ready', async () => {
    for (const n of nodes) expect((await n.app.inject('/api/ready')).json()).toMatchObject({ status: 'ready', blobs: 'ok (s3)' });
  });

  it('a correction proof uploaded on node 1 is downloaded from node 2, ranges included', async () => {
    const author = await tokenFor('reader', 'auteur2n');
    const reviewer = await tokenFor('reviewer', 'relecteur2n');
    const id = parseLine(RECORD, 'x').id;
    const boundary = '----nodes';
    const pdf = '%PDF-1.4 preuve envoyée au premier nœud';
    const payload = `--${boundary}\r\nContent-Disposition: form-data; name="birthDate"\r\n\r\n29/12/1952\r\n--${boundary}\r\nContent-Disposition: form-data; name="proof"; filename="acte.pdf"\r\nContent-Type: application/pdf\r\n\r\n${pdf}\r\n--${boundary}--\r\n`;
    const r = await nodes[0]!.app.inject({
      method: 'POST',
      url: api(`/id/${id}/corrections`),
      headers: { ...bearer(author), 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    });
    expect(r.statusCode).toBe(201);
    const cid = r.json().id;
    const got = await nodes[1]!.app.inject({ url: api(`/corrections/${cid}/proof`), headers: bearer(reviewer) });
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('application/pdf');
    expect(got.body).toBe(pdf);
    expect(got.headers.etag).toMatch(/^"[0-9a-f]{64}"$/);
    const part = await nodes[1]!.app.inject({ url: api(`/corrections/${cid}/proof`), headers: { ...bearer(reviewer), range: 'bytes=0-7' } });
    expect(part.statusCode).toBe(206);
    expect(part.body).toBe('%PDF-1.4');
    expect(part.headers['content-range']).toBe(`bytes 0-7/${Buffer.byteLength(pdf)}`);
    // Nothing of it on either node's disk.
    for (const n of nodes) expect(fs.existsSync(path.join(n.platform.ctx.env.dataDir, 'deces', 'proofs'))).toBe(false);
  });

  it('a bulk file uploaded on node 1 is matched by node 2’s worker and its result downloaded from node 1', async () => {
    const user = await tokenFor('reader', 'apparieur2n');
    const boundary = '----bulk';
    const csv = 'Nom;Prenom;DateNaissance\nCOUILLOUD;Alain;28/12/1952\nINCONNU;Personne;01/01/1901\n';
    const fields = { lastName: 'Nom', firstName: 'Prenom', birthDate: 'DateNaissance' };
    const payload =
      Object.entries(fields)
        .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
        .join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="personnes.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`;
    const r = await nodes[0]!.app.inject({
      method: 'POST',
      url: api('/search/csv'),
      headers: { ...bearer(user), 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    });
    expect(r.statusCode).toBe(200);
    const { id } = r.json();
    const job = await nodes[1]!.platform.ctx.jobs.waitFor(id, 60_000);
    expect(job.state).toBe('succeeded');
    expect(job.result).toMatchObject({ rows: 2, matched: 1 });
    const out = await nodes[0]!.app.inject({ url: api(`/search/csv/${id}`), headers: bearer(user) });
    expect(out.statusCode).toBe(200);
    expect(out.headers['content-type']).toContain('text/csv');
    const lines = out.body.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.find((l) => l.startsWith('COUILLOUD'))).toMatch(/Couilloud/i);
    // The JSON view (matchID's /search/json) and the ordered CSV are read from the store on node 1 as well.
    const json = await nodes[0]!.app.inject({ url: api(`/search/json/${id}`), headers: bearer(user) });
    expect(json.statusCode).toBe(200);
    const arr = json.json() as { metadata: { sourceLineNumber?: number; header?: string[] } }[];
    expect(arr).toHaveLength(3);
    expect(arr[0]!.metadata.header).toEqual(['Nom', 'Prenom', 'DateNaissance']);
    expect(arr.slice(1).map((x) => x.metadata.sourceLineNumber)).toEqual([1, 2]);
    const ordered = await nodes[0]!.app.inject({ url: api(`/search/csv/${id}?order=true`), headers: bearer(user) });
    expect(ordered.statusCode).toBe(200);
    expect(ordered.body.trim().split('\n')).toHaveLength(3);
    // Nothing of the job left on either node's disk once it is done.
    for (const n of nodes) {
      const scratch = path.join(n.platform.ctx.env.dataDir, 'scratch', 'deces-bulk');
      expect(fs.existsSync(scratch) ? fs.readdirSync(scratch) : []).toEqual([]);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';

/** Formula injection (issue 10): a title a spreadsheet would evaluate comes out quoted in every public CSV. */
const EVIL = '=HYPERLINK("http://x")';
const QUOTED = `"'=HYPERLINK(""http://x"")"`;

let t: TestPlatform;
let admin: string;

beforeAll(async () => {
  t = await createTestPlatform();
  admin = (await t.tokenFor('admin')).token;
  const asset = await t.app.inject({
    method: 'POST',
    url: '/api/catalog/assets',
    headers: bearer(admin),
    payload: {
      kind: 'algorithm',
      slug: 'formule',
      title: EVIL,
      owner: 'DSR',
      openness: 'ouvert',
      spec: {
        purpose: '@SUM(1+1)*cmd|"/C calc"!A0',
        legalBasis: 'Code de la route L223-1',
        individualDecisions: true,
        automation: 'fully_automated',
        algorithmType: 'rules',
        decisionsPerYear: 1000,
      },
    },
  });
  expect(asset.statusCode).toBe(201);
  const api = await t.app.inject({
    method: 'POST',
    url: '/api/gateway/apis',
    headers: bearer(admin),
    payload: { slug: 'formule', name: EVIL, organisationCode: 'DNUM', upstreamUrl: 'http://127.0.0.1:9/', allowPrivateUpstream: true },
  });
  expect(api.statusCode).toBe(201);
});
afterAll(async () => {
  await t?.teardown();
});

describe('public CSV exports', () => {
  for (const url of [
    '/api/catalog/algorithms.csv',
    '/api/catalog/assets?format=csv&q=formule',
    '/api/catalog/assets?format=csv',
    '/api/gateway/apis?format=csv',
  ])
    it(`neutralises formulas in ${url}`, async () => {
      const r = await t.app.inject({ url });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toContain('text/csv');
      expect(r.body).toContain(QUOTED);
      // No cell starts with a raw formula character.
      for (const line of r.body.replace(/^\uFEFF/, '').split('\n'))
        for (const cell of line.split(';')) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+@\t\r]/);
    });

  it('neutralises the algorithm’s other texts too', async () => {
    const r = await t.app.inject('/api/catalog/algorithms.csv');
    expect(r.body).toContain(`'@SUM(1+1)*cmd|`);
  });
});

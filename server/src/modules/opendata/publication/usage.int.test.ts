import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../../test/harness.ts';
import { opendataDownloads } from '../opendata.table.ts';
import type { UsageService } from './usage.ts';

/**
 * Issue 16 (A64): usage indicators — downloads of the published files and calls of the gateway's
 * APIs linked to the dataset in the catalogue — per dataset, organisation and ministry, the monthly
 * file, and the roadmap's A64 action fed from them.
 */
let t: TestPlatform;
let admin: string;
let dsrEditor: string;
let dnumEditor: string;
const day = new Date().toISOString().slice(0, 10);
const month = day.slice(0, 7);

async function asset(payload: Record<string, unknown>) {
  const r = await t.app.inject({ method: 'POST', url: '/api/catalog/assets', headers: bearer(admin), payload });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}
async function resource(slug: string) {
  const r = await t.app.inject({ method: 'POST', url: `/api/opendata/datasets/${slug}/resources`, headers: bearer(admin), payload: { title: 'Fichier' } });
  expect(r.statusCode, r.body).toBe(201);
  return r.json().id as string;
}

beforeAll(async () => {
  t = await createTestPlatform();
  admin = (await t.tokenFor('admin')).token;
  dsrEditor = (await t.tokenFor('editor', { organisationCode: 'DSR' })).token;
  dnumEditor = (await t.tokenFor('editor', { organisationCode: 'DNUM' })).token;
  await asset({ kind: 'dataset', slug: 'radars-usage', title: 'Radars', description: 'Jeu de test.', owner: 'DSR', openness: 'ouvert' });
  await asset({ kind: 'dataset', slug: 'sites-dnum', title: 'Sites DNUM', description: 'Jeu de test.', owner: 'DNUM', openness: 'ouvert' });
  const apiAsset = await asset({ kind: 'api', slug: 'api-radars', title: 'API Radars', description: 'API de test.', owner: 'DSR' });
  const rel = await t.app.inject({
    method: 'POST',
    url: '/api/catalog/relations',
    headers: bearer(admin),
    payload: { type: 'exposes', from: 'api:api-radars', to: 'dataset:radars-usage' },
  });
  expect(rel.statusCode, rel.body).toBe(201);
  const api = await t.app.inject({
    method: 'POST',
    url: '/api/gateway/apis',
    headers: bearer(admin),
    payload: { slug: 'radars', name: 'API Radars', upstreamUrl: 'https://93.184.216.34/', organisationCode: 'DSR', catalogAssetId: apiAsset.id },
  });
  expect(api.statusCode, api.body).toBe(201);
  const gw = t.services.gateway!;
  for (let i = 0; i < 3; i++) gw.analytics.record(api.json().id, null, 200, 5, null);
  await gw.analytics.flush();
  await t.ctx.db.insert(opendataDownloads).values([
    { resourceId: await resource('radars-usage'), day, count: 4 },
    { resourceId: await resource('sites-dnum'), day, count: 2 },
  ]);
});
afterAll(async () => {
  await t?.teardown();
});

describe('usage indicators (A64)', () => {
  it('a dataset’s dashboard counts its downloads and the calls of the APIs linked to it', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/opendata/usage?dataset=radars-usage', headers: bearer(dsrEditor) });
    expect(r.statusCode, r.body).toBe(200);
    const u = r.json();
    expect(u.scope).toEqual({ organisation: 'DSR', dataset: 'radars-usage', datasetTitle: 'Radars' });
    expect(u.total).toBe(4);
    expect(u.apiCalls).toBe(3);
    expect(u.datasets).toEqual([
      { dataset: 'radars-usage', datasetTitle: 'Radars', organisation: 'DSR', downloads: 4, apiCalls: 3, apis: [{ slug: 'radars', name: 'API Radars' }] },
    ]);
    expect(u.days.find((d: { day: string }) => d.day === day)).toEqual({ day, downloads: 4, apiCalls: 3 });
  });

  it('an organisation sees its own; the ministry (admin) sees every organisation', async () => {
    const own = (await t.app.inject({ method: 'GET', url: '/api/opendata/usage', headers: bearer(dnumEditor) })).json();
    expect(own).toMatchObject({ total: 2, apiCalls: 0, scope: { organisation: 'DNUM', dataset: null } });
    expect((await t.app.inject({ method: 'GET', url: '/api/opendata/usage?organisation=DSR', headers: bearer(dnumEditor) })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/opendata/usage?dataset=radars-usage', headers: bearer(dnumEditor) })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/opendata/usage' })).statusCode).toBe(401);
    const all = (await t.app.inject({ method: 'GET', url: '/api/opendata/usage', headers: bearer(admin) })).json();
    expect(all).toMatchObject({ total: 6, apiCalls: 3, scope: { organisation: null } });
    expect(all.organisations).toEqual([
      { organisation: 'DSR', downloads: 4, apiCalls: 3 },
      { organisation: 'DNUM', downloads: 2, apiCalls: 0 },
    ]);
    const bad = await t.app.inject({ method: 'GET', url: '/api/opendata/usage?dataset=inconnu', headers: bearer(admin) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toMatch(/dataset$/);
  });

  it('the monthly file gives each dataset’s downloads, API calls, reuses and discussions (CSV)', async () => {
    const j = (await t.app.inject({ method: 'GET', url: `/api/opendata/usage/monthly?month=${month}`, headers: bearer(admin) })).json();
    expect(j.rows).toHaveLength(2);
    const csv = await t.app.inject({ method: 'GET', url: `/api/opendata/usage/monthly?month=${month}&format=csv`, headers: bearer(dsrEditor) });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).toMatch(/mois.*organisation.*jeu de données.*téléchargements.*appels d’API.*réutilisations.*discussions/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('radars-usage');
    const bad = await t.app.inject({ method: 'GET', url: '/api/opendata/usage/monthly?month=2026-13', headers: bearer(admin) });
    expect(bad.statusCode).toBe(400);
  });

  it('feeds the roadmap’s A64 action: coverage of the open datasets and the 30-day figures; nothing written when nothing changed', async () => {
    const usage = (t.services as { opendataUsage?: UsageService }).opendataUsage!;
    expect(await usage.syncRoadmap()).toBe(true);
    const a = (await t.app.inject({ method: 'GET', url: '/api/roadmaps/dac-2021-2023/actions/A64', headers: bearer(admin) })).json();
    expect(a.action.status).toBe('en_cours');
    expect(a.action.progress).toBeGreaterThan(0);
    const ind = (name: string) => a.indicators.find((i: { name: string }) => i.name.startsWith(name));
    // Two open datasets; one measured (its linked API; the other has no published file yet).
    expect(ind('Jeux de données ouverts')).toMatchObject({ currentValue: '1', target: '2' });
    expect(a.action.progress).toBe(50);
    expect(ind('Téléchargements').currentValue).toBe('6');
    expect(ind('Appels des API').currentValue).toBe('3');
    expect(await usage.syncRoadmap()).toBe(false);
  });
});

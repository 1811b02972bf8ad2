import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { exploreExtracts } from './explore.table.ts';
import { CALVADOS_MERGED } from './explore.demo.ts';

/** The explore demo (issue 18): its two resources are converted by the job, its dashboards answer. */
let t: TestPlatform;
beforeAll(async () => {
  t = await createTestPlatform({ startJobs: true });
  await t.modules.find((m) => m.name === 'explore')!.seedDemo!();
  for (const x of await t.ctx.db.select().from(exploreExtracts)) await t.ctx.jobs.waitFor(x.jobId!, 120_000);
}, 180_000);
afterAll(async () => t?.teardown());

describe('explore demo', () => {
  it('shows the public delinquency dashboard to anyone, maps and line included', async () => {
    const list = (await t.app.inject({ method: 'GET', url: '/api/explore/dashboards' })).json().items;
    expect(list.map((d: { title: string }) => d.title).sort()).toEqual([
      'Cambriolages par commune, Calvados (démonstration, synthétique)',
      'Délinquance enregistrée (démonstration, synthétique)',
    ]);
    const d = (
      await t.app.inject({ method: 'GET', url: `/api/explore/dashboards/${list.find((x: { title: string }) => x.title.startsWith('Délinquance')).id}` })
    ).json();
    expect(d.questions.map((q: { visualization: string }) => q.visualization).sort()).toEqual(['bar', 'line_cvs', 'map_departement', 'map_region', 'number']);
    const map = (await t.app.inject({ method: 'GET', url: `/api/explore/dashboards/${d.id}/cards/3/result` })).json();
    expect(map.rows.length).toBe(101);
    expect(map.rows.map((r: unknown[]) => r[0])).toEqual(expect.arrayContaining(['01', '2A', '2B', '971', '976']));
    const line = (await t.app.inject({ method: 'GET', url: `/api/explore/dashboards/${d.id}/cards/5/result` })).json();
    expect(line.rows.length).toBe(48);
    expect(line.rows[0][0]).toBe('2021-01');
  });

  it('shows the commune map of the Calvados, codes of former communes included, with the year as a shared filter', async () => {
    const list = (await t.app.inject({ method: 'GET', url: '/api/explore/dashboards' })).json().items;
    const d = (
      await t.app.inject({ method: 'GET', url: `/api/explore/dashboards/${list.find((x: { title: string }) => x.title.startsWith('Cambriolages')).id}` })
    ).json();
    expect(d.questions.map((q: { visualization: string }) => q.visualization)).toEqual(['map_commune']);
    const all = (await t.app.inject({ method: 'GET', url: `/api/explore/dashboards/${d.id}/cards/1/result` })).json();
    expect(all.columns.map((c: { label: string; measure?: string }) => [c.label, c.measure ?? null])).toEqual([
      ['commune', null],
      ['Somme de nombre', 'sum'],
    ]);
    const codes = all.rows.map((r: unknown[]) => String(r[0]));
    expect(codes.length).toBeGreaterThan(500);
    expect(codes).toEqual(expect.arrayContaining(['14118', '14150', ...CALVADOS_MERGED]));
    const y2024 = (
      await t.app.inject({ method: 'GET', url: `/api/explore/dashboards/${d.id}/cards/1/result?filters=${encodeURIComponent('{"annee":"2024"}')}` })
    ).json();
    const caen = (rows: unknown[][]) => Number(rows.find((r) => String(r[0]) === '14118')![1]);
    expect(caen(y2024.rows)).toBeGreaterThan(0);
    expect(caen(y2024.rows)).toBeLessThan(caen(all.rows));
  });

  it('keeps the HR dashboard for signed-in agents', async () => {
    const token = (await t.tokenFor('reader', { organisationCode: 'DMAT' })).token;
    const list = (await t.app.inject({ method: 'GET', url: '/api/explore/dashboards', headers: bearer(token) })).json().items;
    const hr = list.find((d: { visibility: string }) => d.visibility === 'restricted');
    expect(hr.title).toContain('Effectifs');
    const card = (await t.app.inject({ method: 'GET', url: `/api/explore/dashboards/${hr.id}/cards/3/result`, headers: bearer(token) })).json();
    expect(card.columns.map((c: { label: string }) => c.label)).toEqual(['direction', 'sexe', 'Somme de effectif']);
  });
});

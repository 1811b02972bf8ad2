import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { opendataResources } from './opendata.table.ts';

/** The open data demo keeps the properties it is there to show (issue 16). */
let t: TestPlatform;
beforeAll(async () => {
  t = await createTestPlatform();
  for (const name of ['catalog', 'opendata']) await t.modules.find((m) => m.name === name)!.seedDemo!();
});
afterAll(async () => t?.teardown());

const page = async (slug: string) => (await t.app.inject({ method: 'GET', url: `/api/opendata/datasets/${slug}` })).json();

describe('open data demo', () => {
  it('publishes the driving schools (A10) and stops the instructors’ file on its e-mail column', async () => {
    const p = await page('auto-ecoles-agreees');
    expect(p.resources.map((r: { slug: string }) => r.slug)).toEqual(['liste']);
    expect(p.resources[0].published).toMatchObject({ state: 'published', valid: true, rows: 180, personalData: [] });
    const all = await t.services.opendataPublication!.datasetPage({ kind: 'system', label: 'test' }, 'auto-ecoles-agreees');
    const instructors = all.resources.find((r) => r.slug === 'moniteurs')!;
    expect(instructors.versions[0]!.state).toBe('review');
    expect(instructors.versions[0]!.personalData.map((x) => [x.fieldName, x.kinds.includes('email')])).toContainEqual(['courriel', true]);
  });

  it('keeps the 2024 speed-control file online when the 2025 one breaks the schema (A11)', async () => {
    const all = await t.services.opendataPublication!.datasetPage({ kind: 'system', label: 'test' }, 'sites-controle-vitesse');
    const [v2, v1] = all.resources[0]!.versions;
    expect(v2).toMatchObject({ number: 2, state: 'invalid', valid: false });
    expect(v2!.errorCount).toBeGreaterThanOrEqual(3);
    expect(v1).toMatchObject({ number: 1, state: 'published', valid: true });
    expect(all.resources[0]!.published!.number).toBe(1);
  });

  it('publishes the election results (A08) and loads nothing twice', async () => {
    expect((await page('resultats-elections')).resources[0].published.state).toBe('published');
    const before = (await t.ctx.db.select().from(opendataResources)).length;
    await t.modules.find((m) => m.name === 'opendata')!.seedDemo!();
    expect((await t.ctx.db.select().from(opendataResources)).length).toBe(before);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { seedReferenceRoadmap, type RoadmapService } from './index.ts';

let t: TestPlatform;
beforeAll(async () => {
  t = await createTestPlatform();
});
afterAll(async () => t?.teardown());

describe('reference roadmap import', () => {
  it('imports once even when two nodes start together', async () => {
    const svc = (t.services as { roadmap?: RoadmapService }).roadmap!;
    await t.ctx.database.query(`delete from roadmaps where slug = 'dac-2021-2023'`);
    const results = await Promise.all([seedReferenceRoadmap(t.ctx, svc), seedReferenceRoadmap(t.ctx, svc)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const [row] = await t.ctx.database.query<{ n: number }>(
      `select count(*)::int as n from roadmap_actions a join roadmaps r on r.id = a.roadmap_id where r.slug = 'dac-2021-2023'`,
    );
    expect(row?.n).toBe(69);
    const [links] = await t.ctx.database.query<{ c: number }>(`select count(*)::int as c from roadmap_action_contributors`);
    expect(links?.c).toBeGreaterThan(69);
    expect(await seedReferenceRoadmap(t.ctx, svc)).toBe(false);
  });
});

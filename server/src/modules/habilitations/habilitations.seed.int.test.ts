import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { ensureAdmin, seedAll } from '../../platform/seed.ts';
import { requestStates } from '@patrimoine/contracts/habilitations';
import { loadDemoDefinitions, parseDefinitions } from './habilitations.seed.ts';
import { validSiret } from './blocks.ts';

let t: TestPlatform;
beforeAll(async () => {
  t = await createTestPlatform({ env: { PATRIMOINE_ADMIN_PASSWORD: 'Initial-Patrimoine-2026-secret' } });
});
afterAll(async () => t?.teardown());

describe('demo content', () => {
  it('loads the demo catalogue’s restricted APIs with requests in every state, once', async () => {
    const admin = await ensureAdmin(t.ctx);
    await seedAll(t.ctx, t.modules, { demo: true, firstStart: { demoPassword: admin.initialPassword! } });
    const svc = t.services.habilitations!;
    const defs = await svc.listDefinitions({ kind: 'system', label: 'test' });
    expect(defs.map((d) => d.id).sort()).toEqual(['api_certificat_immatriculation', 'api_rga', 'verifpermis']);
    const all = await t.ctx.database.query<{ state: string; n: number }>('select state, count(*)::int as n from hab_requests group by state');
    expect(all.map((r) => r.state).sort()).toEqual([...requestStates].sort());
    const reopened = await t.ctx.database.query<{ n: number }>('select count(*)::int as n from hab_requests where reopening');
    expect(reopened[0]!.n).toBeGreaterThan(0);
    const before = await svc.repo.requestsCount();
    await seedAll(t.ctx, t.modules, { demo: true });
    expect(await svc.repo.requestsCount()).toBe(before);
  });

  it('refuses a hostile or invalid definitions file, naming the field', () => {
    expect(() => parseDefinitions('definitions:\n  - id: X Y\n    name: a\n')).toThrow(/invalide/);
    expect(loadDemoDefinitions().every((d) => d.blocks.length > 0)).toBe(true);
    expect(validSiret('21750001600019')).toBe(true);
    expect(validSiret('21750001600018')).toBe(false);
  });
});

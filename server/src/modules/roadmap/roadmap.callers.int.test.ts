import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorLabel } from '@patrimoine/contracts/platform';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { FixedClock } from '../../platform/clock.ts';
import { ANONYMOUS, SYSTEM, principalOfUser } from '../../platform/auth/principal.ts';
import { ForbiddenError, UnauthorizedError } from '../../platform/errors.ts';
import { canEditAction, canEditOpening } from './roadmap.dto.ts';
import { seedDemoUpdates, type RoadmapService } from './index.ts';

let t: TestPlatform;
let svc: RoadmapService;
const R = 'dac-2021-2023';
const clock = new FixedClock(new Date('2022-03-15T10:00:00Z'));

beforeAll(async () => {
  t = await createTestPlatform({ clock });
  svc = (t.services as { roadmap?: RoadmapService }).roadmap!;
});
afterAll(async () => t?.teardown());

const count = async (where = "kind <> 'import'") =>
  (await t.ctx.database.query<{ n: number }>(`select count(*)::int as n from roadmap_updates where ${where}`))[0]!.n;

describe('callers: an anonymous visitor never takes the system’s path', () => {
  it('edit rights: the system steers everything, an anonymous visitor nothing', () => {
    const action = { organisations: [{ id: 'org' }] };
    expect(canEditAction(SYSTEM, action)).toBe(true);
    expect(canEditAction(ANONYMOUS, action)).toBe(false);
    expect(canEditOpening(SYSTEM, { organisationId: null })).toBe(true);
    expect(canEditOpening(ANONYMOUS, { organisationId: null })).toBe(false);
  });

  it('mutations: ANONYMOUS gets 401 where SYSTEM is allowed', async () => {
    await expect(svc.updateAction(ANONYMOUS, R, 'A20', { progress: 10, note: 'x' })).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(svc.bulkUpdate(ANONYMOUS, R, 'code;avancement\nA20;10\n', false)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(svc.createDecision(ANONYMOUS, R, { quarter: '2022-T1', text: 'Décision anonyme' })).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(svc.createRoadmap(ANONYMOUS, { slug: 'anon-2024', title: 'Anonyme', startYear: 2024, endYear: 2026 })).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    const opening = (await svc.repo.listOpenings((await svc.roadmapOr404(R)).id))[0]!.o;
    await expect(svc.updateOpening(ANONYMOUS, R, opening.id, { note: 'x' })).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(svc.listActions(ANONYMOUS, R, {})).rejects.toBeInstanceOf(UnauthorizedError);
    expect(await count()).toBe(0);

    // The same calls as the system (seed, demo, CLI) pass, deadline included (an admin-only field).
    const { action, update } = await svc.updateAction(SYSTEM, R, 'A20', { progress: 10, deadline: '2023-S1', note: 'Par le système' });
    expect(action).toMatchObject({ progress: 10, deadline: '2023-S1' });
    expect(update).toMatchObject({ actorId: null, actorLabel: 'system' });
    const d = await svc.createDecision(SYSTEM, R, { quarter: '2022-T1', text: 'Décision du système' });
    expect(d.actorLabel).toBe('system');
    await svc.deleteDecision(SYSTEM, R, d.id);
    expect((await svc.listActions(SYSTEM, R, {})).total).toBe(69);
  });

  it('a signed-in reader is neither: 403', async () => {
    const { login } = await t.tokenFor('reader');
    const reader = principalOfUser((await t.ctx.usersRepo.findByLogin(login))!);
    await expect(svc.updateAction(reader, R, 'A20', { progress: 20 })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(svc.createDecision(reader, R, { quarter: '2022-T1', text: 'Décision' })).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('through HTTP, a request without credentials never gets the system’s rights', async () => {
    const r = await t.app.inject({ method: 'PATCH', url: `/api/roadmaps/${R}/actions/A20`, payload: { progress: 30 } });
    expect(r.statusCode).toBe(401);
    const bulk = await t.app.inject({ method: 'POST', url: `/api/roadmaps/${R}/actions/bulk`, payload: { csv: 'code;avancement\nA20;30\n' } });
    expect(bulk.statusCode).toBe(401);
    expect((await t.app.inject(`/api/roadmaps/${R}/actions`)).statusCode).toBe(401);
    // The public page is computed as an anonymous visitor sees it.
    const pub = await t.app.inject(`/api/public/roadmaps/${R}`);
    expect(pub.statusCode).toBe(200);
    expect(pub.json().actions.find((a: { code: string }) => a.code === 'A20').progress).toBe(10);
  });

  it('shows the system as « le système » in the log', async () => {
    const { token } = await t.tokenFor('reader');
    const log = (await t.app.inject({ url: `/api/roadmaps/${R}/actions/A20`, headers: bearer(token) })).json().updates;
    expect(log.map((u: { actorLabel: string }) => u.actorLabel)).toEqual(['system', 'system']);
    expect(actorLabel(log[0].actorLabel)).toBe('le système');
    const csv = await t.app.inject({ url: `/api/roadmaps/${R}/updates?action=A20&format=csv`, headers: bearer(token) });
    expect(csv.body).toContain(';le système;');
  });
});

describe('demo content', () => {
  it('is skipped when the module holds entries made by people (or anything beyond the reference import)', async () => {
    // The entries of the tests above (the system's A20 update) are not the reference import.
    expect(await count()).toBeGreaterThan(0);
    expect(await seedDemoUpdates(t.ctx, svc, () => undefined)).toBe(false);
    expect((await svc.actionOr404((await svc.roadmapOr404(R)).id, 'A54')).status).toBe('a_lancer');

    // A person's update alone is enough.
    await t.ctx.database.query(`delete from roadmap_updates where kind <> 'import'`);
    const dsr = (await t.tokenFor('data_admin', { organisationCode: 'DSR', login: 'dsr.demo' })).token;
    const r = await t.app.inject({ method: 'PATCH', url: `/api/roadmaps/${R}/actions/A10`, headers: bearer(dsr), payload: { note: 'Note réelle' } });
    expect(r.statusCode, r.body).toBe(200);
    expect(await seedDemoUpdates(t.ctx, svc, () => undefined)).toBe(false);
    expect(await count()).toBe(1);
  });

  it('loads into a module holding only the reference roadmap, once', async () => {
    await t.ctx.database.query(`delete from roadmap_updates where kind <> 'import'`);
    expect(await seedDemoUpdates(t.ctx, svc, () => undefined)).toBe(true);
    const loaded = await count();
    expect(loaded).toBe(3);
    expect(await count(`note like 'Démo : %'`)).toBe(3);
    expect((await svc.actionOr404((await svc.roadmapOr404(R)).id, 'A54')).status).toBe('en_cours');
    // Every start calls it again: nothing is added.
    await t.modules.find((m) => m.name === 'roadmap')!.seedDemo!();
    expect(await count()).toBe(loaded);
  });
});

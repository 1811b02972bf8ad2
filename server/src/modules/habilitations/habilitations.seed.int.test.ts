import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { ensureAdmin, seedAll } from '../../platform/seed.ts';
import { requestStates } from '@patrimoine/contracts/habilitations';
import { loadDemoDefinitions, parseDefinitions } from './habilitations.seed.ts';
import { validSiret } from './blocks.ts';

let t: TestPlatform;
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
beforeAll(async () => {
  const port = await freePort();
  t = await createTestPlatform({ env: { PATRIMOINE_ADMIN_PASSWORD: 'Initial-Patrimoine-2026-secret', HOST: '127.0.0.1', PORT: String(port) } });
  // The demo upstreams are this platform itself (`platform:/…`): it has to listen.
  await t.app.listen({ port, host: '127.0.0.1' });
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
    // The demo APIs have synthetic upstreams with their OpenAPI documents.
    const adminToken = (await t.tokenFor('admin')).token;
    const inject = (method: 'GET' | 'POST', url: string, payload?: object, headers: Record<string, string> = bearer(adminToken)) =>
      t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    for (const [slug, path] of [
      ['api-rga', '/armes/{reference}'],
      ['api-certificat-immatriculation', '/vehicules/{immatriculation}'],
      ['verifpermis', '/permis/{numero}'],
    ] as const) {
      const api = (await inject('GET', `/api/gateway/apis/${slug}`)).json();
      expect(api.upstreamUrl).toBe(`platform:/demo/${slug}/v1`);
      const spec = await inject('GET', `/api/gateway/apis/${api.id}/openapi`);
      expect(spec.statusCode, spec.body).toBe(200);
      expect(Object.keys(spec.json().paths)).toEqual([path]);
    }
    // Called directly (not signed by the gateway), the upstream refuses; through the gateway it answers.
    expect((await t.app.inject({ method: 'GET', url: '/demo/verifpermis/v1/permis/123456789012' })).statusCode).toBe(403);
    const app = (await inject('POST', '/api/gateway/applications', { name: 'Démo vérification' })).json();
    const key = (await inject('POST', `/api/gateway/applications/${app.id}/keys`, { name: 'démo' })).json().key as string;
    const api = (await inject('GET', '/api/gateway/apis/verifpermis')).json();
    const plan = api.plans.find((x: { slug: string }) => x.slug === 'habilitation');
    const sub = (await inject('POST', `/api/gateway/applications/${app.id}/subscriptions`, { planId: plan.id, reason: 'Démonstration' })).json();
    if (sub.state !== 'active') expect((await inject('POST', `/api/gateway/subscriptions/${sub.id}/approve`)).statusCode).toBe(200);
    await t.services.gateway!.provisioning.reload();
    const ok = await t.app.inject({ method: 'GET', url: '/gw/verifpermis/permis/123456789012', headers: { 'x-api-key': key } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ synthetique: true, numero: '123456789012', statut: expect.stringMatching(/^(valide|suspendu|invalide)$/) });
    const again = await t.app.inject({ method: 'GET', url: '/gw/verifpermis/permis/123456789012', headers: { 'x-api-key': key } });
    expect(again.json()).toEqual(ok.json());
    const bad = await t.app.inject({ method: 'GET', url: '/gw/verifpermis/permis/abc', headers: { 'x-api-key': key } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toContain('numero');
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

import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { FixedClock } from '../../platform/clock.ts';
import { DROIT_A_CONDUIRE_SLUG } from './droit-a-conduire.ts';
import { createDemoFranceConnect } from './franceconnect-demo.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * The FranceConnect demo of `npm start` (issue 15): « droit à conduire » published behind FranceConnect
 * with its consent scopes declared on the API, and the local provider playing FranceConnect's role.
 */
describe('the FranceConnect demo: local provider and the « droit à conduire » API', () => {
  const clock = new FixedClock(new Date('2026-06-15T10:00:00Z'));
  let t: TestPlatform;
  let key: string;
  let provider: { token: string };
  let manager: { token: string };

  beforeAll(async () => {
    const port = await freePort();
    t = await createTestPlatform({
      clock,
      env: {
        HOST: '127.0.0.1',
        PORT: String(port),
        PATRIMOINE_FRANCECONNECT_DEV_PROVIDER: 'true',
        PATRIMOINE_FRANCECONNECT_APIS: 'droit-a-conduire=openid identite_pivot droit_a_conduire;autre-fc=openid identite_pivot',
      },
    });
    // The upstream and the local provider are this platform itself: it has to listen.
    await t.app.listen({ port, host: '127.0.0.1' });
    await t.modules.find((m) => m.name === 'gateway')!.seedDemo!();
    provider = await t.tokenFor('reader', { organisationCode: 'DGEF' });
    manager = await t.tokenFor('data_admin', { organisationCode: 'DSR' });
    const inject = (method: 'GET' | 'POST', url: string, payload?: object) => t.app.inject({ method, url, headers: bearer(provider.token), payload });
    const api = (await inject('GET', `/api/gateway/apis/${DROIT_A_CONDUIRE_SLUG}`)).json();
    const app = (await inject('POST', '/api/gateway/applications', { name: 'Service en ligne de la DGEF' })).json();
    const sub = await inject('POST', `/api/gateway/applications/${app.id}/subscriptions`, { planId: api.plans[0].id });
    expect(sub.statusCode, sub.body).toBe(201);
    key = (await inject('POST', `/api/gateway/applications/${app.id}/keys`, { name: 'production' })).json().key;
  });
  afterAll(async () => t?.teardown());

  const citizenToken = async (citizen: string, scopes: string[], expiresIn = 600) => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/gateway/franceconnect-demo/tokens',
      headers: bearer(provider.token),
      payload: { citizen, scopes, expiresIn },
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json().accessToken as string;
  };
  const call = (token?: string) =>
    t.app.inject({
      method: 'GET',
      url: `/gw/${DROIT_A_CONDUIRE_SLUG}/permis`,
      headers: { 'x-api-key': key, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
  const ALL = ['openid', 'identite_pivot', 'droit_a_conduire'];

  it('publishes the API with its consent scopes declared on it, and says what the local provider offers', async () => {
    const api = (await t.app.inject({ method: 'GET', url: `/api/gateway/apis/${DROIT_A_CONDUIRE_SLUG}` })).json();
    expect(api.franceconnectScopes).toEqual(ALL);
    expect(api.specVersion).toBe(1);
    const info = (await t.app.inject({ method: 'GET', url: '/api/gateway/franceconnect-demo' })).json();
    expect(info.enabled).toBe(true);
    expect(info.checktokenUrl).toMatch(/\/demo\/franceconnect\/api\/v1\/checktoken$/);
    expect(info.citizens.map((c: { id: string }) => c.id)).toContain('marie');
    // Issuing a citizen's token needs a signed-in person.
    expect((await t.app.inject({ method: 'POST', url: '/api/gateway/franceconnect-demo/tokens', payload: { citizen: 'marie', scopes: ALL } })).statusCode).toBe(
      401,
    );
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/gateway/franceconnect-demo/tokens',
      headers: bearer(provider.token),
      payload: { citizen: 'personne', scopes: ALL },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('citizen');
  });

  it('gives each citizen’s token that citizen’s licence', async () => {
    const m = await call(await citizenToken('marie', ALL));
    expect(m.statusCode, m.body).toBe(200);
    expect(m.json()).toMatchObject({ synthetique: true, titulaire: { nomDeNaissance: 'DUPONT', prenoms: 'Marie Anne', dateDeNaissance: '1985-04-12' } });
    const p = await call(await citizenToken('paul', ALL));
    expect(p.json().titulaire).toMatchObject({ nomDeNaissance: 'MARTIN', prenoms: 'Paul' });
  });

  it('answers 401 to an expired, forged or under-scoped token, and to none', async () => {
    const underScoped = await call(await citizenToken('paul', ['openid', 'identite_pivot']));
    expect(underScoped.statusCode).toBe(401);
    expect(underScoped.json().detail).toContain('droit_a_conduire');

    const good = await citizenToken('marie', ALL);
    const tampered = good.slice(0, -2) + (good.endsWith('AA') ? 'BB' : 'AA');
    const elsewhere = createDemoFranceConnect({ key: Buffer.alloc(32, 7), clock }).issue('marie', ALL, 600)!.accessToken;
    for (const token of [undefined, tampered, elsewhere, 'fcdemo_inconnu']) {
      const r = await call(token);
      expect(r.statusCode, `${token}: ${r.body}`).toBe(401);
      expect(r.headers['www-authenticate']).toContain('franceconnect');
    }

    const shortLived = await citizenToken('zoe', ALL, 60);
    clock.advance(61_000);
    const expired = await call(shortLived);
    expect(expired.statusCode, expired.body).toBe(401);
    expect(expired.json().detail).toMatch(/expiré/);
  });

  it('lets the API’s managers change its consent scopes, and no one else', async () => {
    const stranger = await t.tokenFor('data_admin', { organisationCode: 'DNUM' });
    const patch = (token: string, franceconnectScopes: string[] | null) =>
      t.app.inject({ method: 'PATCH', url: `/api/gateway/apis/${DROIT_A_CONDUIRE_SLUG}`, headers: bearer(token), payload: { franceconnectScopes } });
    expect((await patch(stranger.token, ['openid'])).statusCode).toBe(403);
    const invalid = await patch(manager.token, ['pas un scope']);
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().errors[0].field).toMatch(/franceconnectScopes/);
    const r = await patch(manager.token, [...ALL, 'birthdate']);
    expect(r.statusCode, r.body).toBe(200);
    const token = await citizenToken('marie', ALL);
    const refused = await call(token);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().detail).toContain('birthdate');
    expect((await call(await citizenToken('marie', [...ALL, 'birthdate']))).statusCode).toBe(200);
    expect((await patch(manager.token, ALL)).statusCode).toBe(200);
    expect((await call(token)).statusCode).toBe(200);
  });

  it('keeps the scopes in the declarative configuration, and an older file without them leaves them alone', async () => {
    const gw = t.services.gateway!.declarative;
    const exported = await gw.exportConfig();
    const api = exported.apis.find((a) => a.slug === DROIT_A_CONDUIRE_SLUG)!;
    expect(api.franceconnectScopes).toEqual(ALL);
    const { SYSTEM } = await import('../../platform/auth/principal.ts');
    const older = { ...exported, apis: [{ ...api, franceconnectScopes: undefined }], applications: [] };
    expect((await gw.plan(older, {})).diff.find((d) => d.kind === 'api')).toMatchObject({ op: 'unchanged' });
    const changed = { ...exported, apis: [{ ...api, franceconnectScopes: ['openid'] }], applications: [] };
    expect((await gw.plan(changed, {})).diff.find((d) => d.kind === 'api')).toMatchObject({ op: 'update', changes: ['franceconnectScopes'] });
    await gw.apply(changed, {}, SYSTEM);
    expect((await t.app.inject({ method: 'GET', url: `/api/gateway/apis/${DROIT_A_CONDUIRE_SLUG}` })).json().franceconnectScopes).toEqual(['openid']);
    await gw.apply({ ...exported, applications: [] }, {}, SYSTEM);
  });

  it('seeds the scopes of PATRIMOINE_FRANCECONNECT_APIS once per API (compatibility), never over its managers’ choice', async () => {
    const svc = t.services.gateway!.service;
    const { SYSTEM } = await import('../../platform/auth/principal.ts');
    const api = await svc.createApi(SYSTEM, {
      slug: 'autre-fc',
      name: 'Autre API FranceConnectée',
      organisationCode: 'DSR',
      upstreamUrl: 'platform:/api/health',
      allowPrivateUpstream: true,
    });
    expect(api.franceconnectScopes).toBeNull();
    const gateway = t.modules.find((m) => m.name === 'gateway')!;
    await gateway.seedReference!();
    expect((await svc.getApi(SYSTEM, 'autre-fc')).franceconnectScopes).toEqual(['openid', 'identite_pivot']);
    await svc.updateApi(SYSTEM, api.id, { franceconnectScopes: null });
    await gateway.seedReference!();
    expect((await svc.getApi(SYSTEM, 'autre-fc')).franceconnectScopes).toBeNull();
  });
});

import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { SYSTEM } from '../../platform/auth/principal.ts';
import { DROIT_A_CONDUIRE_SCOPES, DROIT_A_CONDUIRE_SLUG, DROIT_A_CONDUIRE_UPSTREAM } from './droit-a-conduire.ts';

/** A local FranceConnect playing its data-provider role: `POST /api/v1/checktoken` as FranceConnect documents it. */
function startFranceConnect() {
  const marie = { given_name: 'Marie Anne', family_name: 'DUPONT', birthdate: '1985-04-12', gender: 'female', birthplace: '75056', birthcountry: '99100' };
  const paul = { given_name: 'Paul', family_name: 'MARTIN', birthdate: '1990-11-02', gender: 'male', birthplace: '69123', birthcountry: '99100' };
  const tokens: Record<string, { scope: string[]; identity: typeof marie }> = {
    'fc-marie': { scope: ['openid', 'identite_pivot', 'droit_a_conduire'], identity: marie },
    'fc-paul': { scope: ['openid', 'identite_pivot', 'droit_a_conduire'], identity: paul },
    'fc-sans-consentement': { scope: ['openid', 'identite_pivot'], identity: paul },
  };
  const expired = new Set(['fc-expire']);
  let calls = 0;
  let lastAuth = '';
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      calls++;
      lastAuth = req.headers.authorization ?? '';
      const token = (JSON.parse(body || '{}') as { token?: string }).token ?? '';
      const t = tokens[token];
      if (!t || expired.has(token)) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'fail', message: 'token_not_found_or_expired' }));
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ...t, client: { client_id: 'fs-demo', client_name: 'Service en ligne de démonstration' } }));
    });
  });
  return {
    marie,
    paul,
    calls: () => calls,
    lastAuth: () => lastAuth,
    async listen() {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/checktoken`;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe('an API behind FranceConnect: the synthetic « droit à conduire »', () => {
  const fc = startFranceConnect();
  let t: TestPlatform;
  let key: string;

  beforeAll(async () => {
    const url = await fc.listen();
    const port = await freePort();
    t = await createTestPlatform({
      env: {
        HOST: '127.0.0.1',
        PORT: String(port),
        PATRIMOINE_FRANCECONNECT_CHECKTOKEN_URL: url,
        PATRIMOINE_FRANCECONNECT_CLIENT_ID: 'patrimoine-fd',
        PATRIMOINE_FRANCECONNECT_CLIENT_SECRET: 'fd-secret',
      },
    });
    // The demo upstream is this platform itself (`platform:/…`): it has to listen.
    await t.app.listen({ port, host: '127.0.0.1' });
    const svc = t.services.gateway!.service;
    const api = await svc.createApi(SYSTEM, {
      slug: DROIT_A_CONDUIRE_SLUG,
      name: 'API droit à conduire (FranceConnectée)',
      organisationCode: 'DNUM',
      upstreamUrl: DROIT_A_CONDUIRE_UPSTREAM,
      allowPrivateUpstream: true,
      franceconnectScopes: [...DROIT_A_CONDUIRE_SCOPES],
    });
    const plan = await svc.createPlan(SYSTEM, api.id, { slug: 'fournisseurs-de-service', name: 'Fournisseurs de service habilités' });
    const app = await svc.createApp(SYSTEM, { name: 'Service en ligne de démonstration', description: '' });
    await svc.subscribe(SYSTEM, app.id, plan.id, '');
    key = (await svc.createKey(SYSTEM, app.id, { name: 'fs', expiresInDays: null })).key;
    await t.services.gateway!.dataPlane.reload();
  });
  afterAll(async () => {
    await t?.teardown();
    await fc.close();
  });

  const call = (token?: string) =>
    t.app.inject({
      method: 'GET',
      url: `/gw/${DROIT_A_CONDUIRE_SLUG}/permis`,
      headers: { 'x-api-key': key, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });

  it('answers with that citizen’s licence, identified by the pivot FranceConnect returned', async () => {
    const m = await call('fc-marie');
    expect(m.statusCode, m.body).toBe(200);
    expect(m.json()).toMatchObject({
      synthetique: true,
      titulaire: { nomDeNaissance: 'DUPONT', prenoms: 'Marie Anne', dateDeNaissance: '1985-04-12' },
      statut: expect.stringMatching(/^(valide|suspendu|invalide)$/),
    });
    const p = await call('fc-paul');
    expect(p.json().titulaire).toMatchObject({ nomDeNaissance: 'MARTIN', prenoms: 'Paul' });
    // The check authenticates Patrimoine as a data provider.
    expect(fc.lastAuth()).toBe(`Basic ${Buffer.from('patrimoine-fd:fd-secret').toString('base64')}`);
    // A short cache: the same token again does not ask FranceConnect.
    const before = fc.calls();
    expect((await call('fc-marie')).statusCode).toBe(200);
    expect(fc.calls()).toBe(before);
  });

  it('answers 401 without a token, and with an expired, forged or under-scoped one', async () => {
    for (const token of [undefined, 'fc-expire', 'fc-forge-par-un-tiers', 'fc-sans-consentement']) {
      const r = await call(token);
      expect(r.statusCode, `${token}: ${r.body}`).toBe(401);
      expect(r.headers['www-authenticate']).toContain('franceconnect');
    }
    expect((await call('fc-sans-consentement')).json().detail).toContain('droit_a_conduire');
  });

  it('the upstream refuses a call the gateway did not sign, or without a citizen', async () => {
    const direct = await t.app.inject({ method: 'GET', url: '/demo/droit-a-conduire/v1/permis' });
    expect(direct.statusCode).toBe(403);
    const forged = await t.app.inject({
      method: 'GET',
      url: '/demo/droit-a-conduire/v1/permis',
      headers: { 'x-gateway-consumer': `api=${DROIT_A_CONDUIRE_SLUG};app=x;org=;plan=p;ts=${Math.floor(Date.now() / 1000)}`, 'x-gateway-signature': 'v1=00' },
    });
    expect(forged.statusCode).toBe(403);
  });
});

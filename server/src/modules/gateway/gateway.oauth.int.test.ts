import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';

/**
 * OAuth2 endpoints against what a probe sent (issue 10): malformed Basic headers, a missing
 * grant_type, repeated parameters, a client using another authentication method than the one it
 * was registered with, and a client introspecting another client's token.
 */
const ISSUER = 'http://passerelle.test';
const upstream = http.createServer((_req, res) => res.end('{}'));
let t: TestPlatform;
interface Client {
  clientId: string;
  secret: string;
}
let basicA: Client; // application A (DSR), client_secret_basic
let postA: Client; // application A, client_secret_post
let basicB: Client; // application B (DGEF), another consumer
let producer: Client; // application of the producer organisation (DNUM): a resource server

const b64 = (s: string) => Buffer.from(s).toString('base64');
const basicOf = (c: Client) => `Basic ${b64(`${c.clientId}:${c.secret}`)}`;

function form(url: string, body: string, authorization?: string) {
  return t.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization !== undefined ? { authorization } : {}) },
    payload: body,
  });
}
const tokenFor = async (c: Client) => {
  const r = await form('/oauth/token', 'grant_type=client_credentials&resource=meteo', basicOf(c));
  expect(r.statusCode, r.body).toBe(200);
  return r.json().access_token as string;
};

async function newClient(token: string, appId: string, authMethod: string): Promise<Client> {
  const r = await t.app.inject({ method: 'POST', url: `/api/gateway/applications/${appId}/clients`, headers: bearer(token), payload: { authMethod } });
  expect(r.statusCode, r.body).toBe(201);
  return { clientId: r.json().clientId, secret: r.json().clientSecret };
}

async function subscribedApp(token: string, name: string, planId: string | null) {
  const a = await t.app.inject({ method: 'POST', url: '/api/gateway/applications', headers: bearer(token), payload: { name } });
  expect(a.statusCode, a.body).toBe(201);
  if (planId)
    expect(
      (await t.app.inject({ method: 'POST', url: `/api/gateway/applications/${a.json().id}/subscriptions`, headers: bearer(token), payload: { planId } }))
        .statusCode,
    ).toBe(201);
  return a.json().id as string;
}

beforeAll(async () => {
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  t = await createTestPlatform({ env: { PUBLIC_URL: ISSUER } });
  const admin = (await t.tokenFor('admin')).token;
  const api = await t.app.inject({
    method: 'POST',
    url: '/api/gateway/apis',
    headers: bearer(admin),
    payload: {
      slug: 'meteo',
      name: 'Météo',
      upstreamUrl: `http://127.0.0.1:${(upstream.address() as net.AddressInfo).port}`,
      organisationCode: 'DNUM',
      allowPrivateUpstream: true,
    },
  });
  expect(api.statusCode, api.body).toBe(201);
  const plan = await t.app.inject({
    method: 'POST',
    url: `/api/gateway/apis/${api.json().id}/plans`,
    headers: bearer(admin),
    payload: { slug: 'std', name: 'Standard', perSecond: 100, perDay: 10000, scopes: ['meteo:read'] },
  });
  const planId = plan.json().id as string;
  const dsr = (await t.tokenFor('reader', { organisationCode: 'DSR' })).token;
  const dgef = (await t.tokenFor('reader', { organisationCode: 'DGEF' })).token;
  const dnum = (await t.tokenFor('data_admin', { organisationCode: 'DNUM' })).token;
  const appA = await subscribedApp(dsr, 'Appli A', planId);
  basicA = await newClient(dsr, appA, 'client_secret_basic');
  postA = await newClient(dsr, appA, 'client_secret_post');
  basicB = await newClient(dgef, await subscribedApp(dgef, 'Appli B', planId), 'client_secret_basic');
  producer = await newClient(dnum, await subscribedApp(dnum, 'Serveur météo', null), 'client_secret_basic');
});
afterAll(async () => {
  await t?.teardown();
  await new Promise<void>((r) => upstream.close(() => r()));
});

describe('OAuth2 token endpoint', () => {
  it('answers a malformed Basic header with 401 invalid_client, never a 500', async () => {
    for (const authorization of [
      'Basic',
      'Basic !!!!',
      `Basic ${b64('sans-deux-points')}`,
      `Basic ${b64(':secret')}`,
      `Basic ${b64('%zz:%E0%A4%A')}`,
      `Basic ${b64(`${basicA.clientId}:%`)}`,
      'Bearer abc',
      `Basic ${b64('a:b')} ${b64('c:d')}`,
    ]) {
      const r = await form('/oauth/token', 'grant_type=client_credentials', authorization);
      expect(r.statusCode, authorization).toBe(401);
      expect(r.json().error).toBe('invalid_client');
      expect(r.headers['www-authenticate']).toContain('Basic');
      const i = await form('/oauth/introspect', 'token=x', authorization);
      expect(i.statusCode, authorization).toBe(401);
    }
  });

  it('says invalid_request for a missing grant_type and unsupported_grant_type for another one (RFC 6749 §5.2)', async () => {
    const missing = await form('/oauth/token', 'resource=meteo', basicOf(basicA));
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('grant_type') });
    const empty = await form('/oauth/token', 'grant_type=&resource=meteo', basicOf(basicA));
    expect(empty.json().error).toBe('invalid_request');
    const other = await form('/oauth/token', 'grant_type=password&resource=meteo', basicOf(basicA));
    expect(other.statusCode).toBe(400);
    expect(other.json().error).toBe('unsupported_grant_type');
  });

  it('refuses repeated parameters with invalid_request, on both endpoints', async () => {
    for (const body of [
      'grant_type=client_credentials&grant_type=client_credentials&resource=meteo',
      'grant_type=client_credentials&resource=meteo&resource=autre',
      'grant_type=client_credentials&scope=meteo:read&scope=admin',
    ]) {
      const r = await form('/oauth/token', body, basicOf(basicA));
      expect(r.statusCode, body).toBe(400);
      expect(r.json().error).toBe('invalid_request');
      expect(r.json().error_description).toMatch(/répété/);
    }
    const post = await form('/oauth/token', `grant_type=client_credentials&client_id=${postA.clientId}&client_secret=${postA.secret}&client_secret=x`);
    expect(post.json().error).toBe('invalid_request');
    const token = await tokenFor(basicA);
    const intro = await form('/oauth/introspect', `token=${token}&token=x`, basicOf(basicA));
    expect(intro.statusCode).toBe(400);
    expect(intro.json().error).toBe('invalid_request');
  });

  it('enforces the authentication method the client was registered with', async () => {
    const secretInBody = await form('/oauth/token', `grant_type=client_credentials&resource=meteo&client_id=${basicA.clientId}&client_secret=${basicA.secret}`);
    expect(secretInBody.statusCode).toBe(401);
    expect(secretInBody.json()).toMatchObject({ error: 'invalid_client', error_description: expect.stringContaining('client_secret_basic') });
    const postByBasic = await form('/oauth/token', 'grant_type=client_credentials&resource=meteo', basicOf(postA));
    expect(postByBasic.statusCode).toBe(401);
    expect(postByBasic.json().error).toBe('invalid_client');
    // Each by its own method is accepted.
    expect((await form('/oauth/token', 'grant_type=client_credentials&resource=meteo', basicOf(basicA))).statusCode).toBe(200);
    const ok = await form('/oauth/token', `grant_type=client_credentials&resource=meteo&client_id=${postA.clientId}&client_secret=${postA.secret}`);
    expect(ok.statusCode, ok.body).toBe(200);
    // The same rule holds on the introspection endpoint.
    const token = await tokenFor(basicA);
    const intro = await form('/oauth/introspect', `token=${token}&client_id=${basicA.clientId}&client_secret=${basicA.secret}`);
    expect(intro.statusCode).toBe(401);
  });
});

describe('OAuth2 introspection (RFC 7662)', () => {
  it('tells the token’s own client and the API’s resource server, and nobody else', async () => {
    const token = await tokenFor(basicA);
    const own = await form('/oauth/introspect', `token=${token}`, basicOf(basicA));
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ active: true, client_id: basicA.clientId, scope: 'meteo:read', aud: `${ISSUER}/gw/meteo` });
    // The producer organisation's client (resource server of the audience) may check it.
    const rs = await form('/oauth/introspect', `token=${token}`, basicOf(producer));
    expect(rs.json()).toMatchObject({ active: true, client_id: basicA.clientId });
    // Another consumer learns nothing: not even that the token is valid, nor its claims.
    const other = await form('/oauth/introspect', `token=${token}`, basicOf(basicB));
    expect(other.statusCode).toBe(200);
    expect(other.json()).toEqual({ active: false });
    // Nor does another client of the same application (the token belongs to one client).
    const sibling = await form('/oauth/introspect', `token=${token}&client_id=${postA.clientId}&client_secret=${postA.secret}`);
    expect(sibling.json()).toEqual({ active: false });
  });
});

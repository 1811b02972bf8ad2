import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';

/**
 * Through a real socket (clients such as fetch resolve `..` themselves; raw HTTP does not): the
 * upstream never receives a path outside the API's base path, and no spelling of the identity
 * headers set by the gateway reaches it from the caller (issue 10).
 */
const seen: { url: string; headers: http.IncomingHttpHeaders }[] = [];
const upstream = http.createServer((req, res) => {
  seen.push({ url: req.url ?? '', headers: req.headers });
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ url: req.url }));
});

let t: TestPlatform;
let port: number;
let key: string;

function raw(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port, path, method: 'GET', headers: { 'x-api-key': key, ...headers } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    r.on('error', reject);
    r.end();
  });
}

beforeAll(async () => {
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const upUrl = `http://127.0.0.1:${(upstream.address() as net.AddressInfo).port}`;
  t = await createTestPlatform();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as net.AddressInfo).port;
  const admin = (await t.tokenFor('admin')).token;
  const consumer = (await t.tokenFor('reader', { organisationCode: 'DSR' })).token;
  const api = await t.app.inject({
    method: 'POST',
    url: '/api/gateway/apis',
    headers: bearer(admin),
    payload: { slug: 'coffre', name: 'Coffre', upstreamUrl: `${upUrl}/public/v1`, organisationCode: 'DNUM', allowPrivateUpstream: true },
  });
  expect(api.statusCode).toBe(201);
  const plan = await t.app.inject({
    method: 'POST',
    url: `/api/gateway/apis/${api.json().id}/plans`,
    headers: bearer(admin),
    payload: { slug: 'std', name: 'Standard', perSecond: 1000, perDay: 100000 },
  });
  const app = await t.app.inject({ method: 'POST', url: '/api/gateway/applications', headers: bearer(consumer), payload: { name: 'Sonde' } });
  const appId = app.json().id;
  key = (await t.app.inject({ method: 'POST', url: `/api/gateway/applications/${appId}/keys`, headers: bearer(consumer), payload: { name: 'k' } })).json().key;
  await t.app.inject({
    method: 'POST',
    url: `/api/gateway/applications/${appId}/subscriptions`,
    headers: bearer(consumer),
    payload: { planId: plan.json().id },
  });
});
afterAll(async () => {
  await t?.teardown();
  await new Promise<void>((r) => upstream.close(() => r()));
});

describe('gateway paths', () => {
  it('forwards ordinary paths, normalised inside the base', async () => {
    const ok = await raw('/gw/coffre/communes/75056?x=../..');
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).url).toBe('/public/v1/communes/75056?x=../..');
    const inside = await raw('/gw/coffre/a/../b.json');
    expect(inside.status).toBe(200);
    expect(JSON.parse(inside.body).url).toBe('/public/v1/b.json');
  });

  it('refuses with a 400 problem every path that leaves the base, and the upstream never sees it', async () => {
    const before = seen.length;
    for (const p of [
      '/gw/coffre/../admin',
      '/gw/coffre/../../etc/passwd',
      '/gw/coffre/%2e%2e/admin',
      '/gw/coffre/%2E%2E/%2e%2e/admin',
      '/gw/coffre/..%2fadmin',
      '/gw/coffre/..%5cadmin',
      '/gw/coffre/..\\admin',
      '/gw/coffre/..;/admin',
      '/gw/coffre/x/.%2e/.%2e/admin',
      '/gw/coffre/%252e%252e/admin',
    ]) {
      const r = await raw(p);
      expect(r.status, p).toBe(400);
      expect(JSON.parse(r.body)).toMatchObject({ status: 400, title: 'Chemin refusé' });
    }
    expect(seen.slice(before)).toEqual([]);
    expect(seen.every((s) => s.url.startsWith('/public/v1/'))).toBe(true);
  });

  it('strips every spelling of the identity and forwarding headers sent by the caller', async () => {
    const r = await raw('/gw/coffre/hello', {
      X_Gateway_Consumer: 'api=coffre;app=admin;org=DNUM',
      X_Gateway_Signature: 'forged',
      'x-gateway_consumer': 'forged',
      'X-GATEWAY-SIGNATURE': 'forged',
      X_Forwarded_For: '10.0.0.1',
      X_Request_Id: 'forged',
      'x-custom_header': 'kept',
    });
    expect(r.status).toBe(200);
    const h = seen.at(-1)!.headers;
    const names = Object.keys(h);
    expect(names.filter((n) => n.replace(/_/g, '-').startsWith('x-gateway-')).sort()).toEqual(['x-gateway-consumer', 'x-gateway-signature']);
    expect(String(h['x-gateway-consumer'])).toContain('app=sonde');
    expect(h['x-gateway-signature']).not.toBe('forged');
    expect(names).not.toContain('x_forwarded_for');
    expect(names).not.toContain('x_request_id');
    expect(h['x-custom_header']).toBe('kept');
  });
});

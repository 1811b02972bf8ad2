import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import * as oidc from 'openid-client';
import { exportJWK, generateKeyPair } from 'jose';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { FixedClock } from '../../platform/clock.ts';
import { verifyIdentity } from './secrets.ts';
import { SYSTEM, type SystemCaller } from '../../platform/auth/principal.ts';

const TEST_SYSTEM: SystemCaller = { kind: 'system', label: 'test' };

/** A local upstream that echoes what it received; `/slow` answers after 2 s. */
interface Seen {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
function upstream(name: string) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body });
      if (req.url?.includes('/slow')) {
        setTimeout(() => res.end('late'), 2000).unref();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.setHeader('connection', 'keep-alive');
      res.end(JSON.stringify({ upstream: name, url: req.url, method: req.method }));
    });
  });
  return {
    seen,
    server,
    async start() {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

let t: TestPlatform;
const clock = new FixedClock(new Date());
const up1 = upstream('one');
const up2 = upstream('two');
let url1: string;
let url2: string;
let issuer: string;
let admin: string;
let consumer: string;
let apiId: string;
let planId: string;

beforeAll(async () => {
  url1 = await up1.start();
  url2 = await up2.start();
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  t = await createTestPlatform({ clock, env: { PUBLIC_URL: issuer } });
  await t.app.listen({ port, host: '127.0.0.1' });
  admin = (await t.tokenFor('admin')).token;
  consumer = (await t.tokenFor('reader', { organisationCode: 'DSR' })).token;
});
afterAll(async () => {
  await t?.teardown();
  await up1.close();
  await up2.close();
});

const inject = (o: string | InjectOptions) => t.app.inject(o);

async function createApi(body: Record<string, unknown>, token = admin) {
  return inject({ method: 'POST', url: '/api/gateway/apis', headers: bearer(token), payload: body });
}

describe('control plane', () => {
  it('publishes the deaths API by default with a 20 calls/second plan', async () => {
    const r = await inject('/api/gateway/apis/deces');
    expect(r.statusCode).toBe(200);
    expect(r.json().plans[0]).toMatchObject({ slug: 'standard', perSecond: 20 });
    // Its documentation comes from the platform's own OpenAPI document (when the deaths module is there).
    const own = Object.keys((await inject('/api/openapi.json')).json().paths).filter((p) => p.startsWith('/deces/api/v1/'));
    expect(own.length).toBeGreaterThan(0);
    if (own.length) {
      const spec = (await inject('/api/gateway/apis/deces/openapi')).json();
      expect(Object.keys(spec.paths)).toContain(own[0]!.slice('/deces/api/v1'.length));
      expect(spec.servers[0].url).toBe(`${issuer}/gw/deces`);
      // Without the platform's own role-restricted routes (INSEE upload for admins, review of corrections).
      expect(own).toContain('/deces/api/v1/admin/import');
      expect(Object.keys(spec.paths)).not.toContain('/admin/import');
      expect(spec.paths['/corrections/{id}/review']).toBeUndefined();
      expect(spec.paths['/search'].get.description ?? '').not.toMatch(/Rôles autorisés/);
      expect(JSON.stringify(spec.paths)).not.toContain('Rôles autorisés');
    }
  });

  it('registers an API, refusing forbidden upstreams with a field error', async () => {
    const meta = await createApi({
      slug: 'meta',
      name: 'Métadonnées',
      upstreamUrl: 'http://169.254.169.254/latest',
      organisationCode: 'DNUM',
      allowPrivateUpstream: true,
    });
    expect(meta.statusCode).toBe(400);
    expect(meta.json().errors[0].field).toBe('upstreamUrl');
    const dsr = (await t.tokenFor('data_admin', { organisationCode: 'DSR' })).token;
    const priv = await createApi({ slug: 'prive', name: 'Privé', upstreamUrl: url1 }, dsr);
    expect(priv.statusCode).toBe(400);
    expect(priv.json().errors[0].field).toBe('upstreamUrl');
    const reader = await createApi({ slug: 'lecteur', name: 'Lecteur', upstreamUrl: 'https://example.org' }, consumer);
    expect(reader.statusCode).toBe(403);

    const r = await createApi({
      slug: 'echo',
      name: 'Écho',
      upstreamUrl: `${url1}/base`,
      organisationCode: 'DNUM',
      allowPrivateUpstream: true,
      timeoutMs: 300,
      requiredScope: 'echo:read',
    });
    expect(r.statusCode).toBe(201);
    apiId = r.json().id;
    const p = await inject({
      method: 'POST',
      url: `/api/gateway/apis/${apiId}/plans`,
      headers: bearer(admin),
      payload: { slug: 'std', name: 'Standard', perSecond: 3, perDay: 1000, scopes: ['echo:read'] },
    });
    expect(p.statusCode).toBe(201);
    planId = p.json().id;
    const audit = await inject({ url: '/api/admin/audit?action=gateway.', headers: bearer(admin) });
    expect(audit.json().items.map((i: { action: string }) => i.action)).toEqual(expect.arrayContaining(['gateway.api.create', 'gateway.plan.create']));
  });

  it('lets only the producer update the API, and validates OpenAPI documents', async () => {
    const dsr = (await t.tokenFor('data_admin', { organisationCode: 'DSR' })).token;
    expect((await inject({ method: 'PATCH', url: `/api/gateway/apis/${apiId}`, headers: bearer(dsr), payload: { name: 'Pirate' } })).statusCode).toBe(403);
    const bad = await inject({ method: 'PUT', url: `/api/gateway/apis/${apiId}/openapi`, headers: bearer(admin), payload: { openapi: '2.0', paths: {} } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['document.openapi', 'document.info']));
    const doc = { openapi: '3.1.0', info: { title: 'Écho', version: '1' }, paths: { '/hello': { get: { summary: 'Bonjour' } } } };
    expect((await inject({ method: 'PUT', url: `/api/gateway/apis/${apiId}/openapi`, headers: bearer(admin), payload: doc })).json()).toEqual({ version: 1 });
    expect((await inject({ method: 'PUT', url: `/api/gateway/apis/${apiId}/openapi`, headers: bearer(admin), payload: doc })).json()).toEqual({ version: 2 });
    expect((await inject('/api/gateway/apis/echo/openapi')).json().info.title).toBe('Écho');
    expect((await inject('/api/gateway/apis/echo')).json().specVersions).toHaveLength(2);
  });
});

let appId: string;
let key: string;
let keyId: string;

describe('data plane with API keys', () => {
  it('requires a credential and refuses unknown keys', async () => {
    const none = await inject('/gw/echo/hello');
    expect(none.statusCode).toBe(401);
    expect(none.headers['content-type']).toContain('application/problem+json');
    const bad = await inject({ url: '/gw/echo/hello', headers: { 'x-api-key': 'pgw_nope' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().title).toBe('Clé d’API invalide');
    expect((await inject('/gw/unknown/x')).statusCode).toBe(404);
  });

  it('proxies with a key from a subscribed application, with forwarded and signed identity headers', async () => {
    const a = await inject({ method: 'POST', url: '/api/gateway/applications', headers: bearer(consumer), payload: { name: 'Mon appli' } });
    expect(a.statusCode).toBe(201);
    appId = a.json().id;
    const k = await inject({ method: 'POST', url: `/api/gateway/applications/${appId}/keys`, headers: bearer(consumer), payload: { name: 'prod' } });
    key = k.json().key;
    keyId = k.json().id;
    expect(key).toMatch(/^pgw_/);
    expect(k.json().prefix).toBe(key.slice(0, 12));
    const noSub = await inject({ url: '/gw/echo/hello', headers: { 'x-api-key': key } });
    expect(noSub.statusCode).toBe(403);
    const s = await inject({ method: 'POST', url: `/api/gateway/applications/${appId}/subscriptions`, headers: bearer(consumer), payload: { planId } });
    expect(s.json().state).toBe('active');

    const r = await inject({
      url: '/gw/echo/hello?x=1',
      headers: { 'x-api-key': key, cookie: 'patrimoine_session=secret', 'x-gateway-consumer': 'spoof', connection: 'x-drop', 'x-drop': '1' },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ upstream: 'one', url: '/base/hello?x=1' });
    expect(r.headers['ratelimit-policy']).toContain('"second";q=3;w=1');
    const seen = up1.seen.at(-1)!;
    expect(seen.headers['x-api-key']).toBeUndefined();
    expect(seen.headers.cookie).toBeUndefined();
    expect(seen.headers['x-drop']).toBeUndefined();
    expect(seen.headers['x-forwarded-for']).toBeTruthy();
    expect(seen.headers['x-forwarded-prefix']).toBe('/gw/echo');
    const identity = String(seen.headers['x-gateway-consumer']);
    expect(identity).toContain('org=DSR');
    expect(verifyIdentity(createSecretsForTest(), identity, String(seen.headers['x-gateway-signature']))).toBe(true);
    // The producer reads the key to verify the signature upstream; others may not.
    const ik = await inject({ url: `/api/gateway/apis/${apiId}/identity-key`, headers: bearer(admin) });
    expect(ik.statusCode).toBe(200);
    expect(verifyIdentity(Buffer.from(ik.json().key, 'base64'), identity, String(seen.headers['x-gateway-signature']))).toBe(true);
    expect((await inject({ url: `/api/gateway/apis/${apiId}/identity-key`, headers: bearer(consumer) })).statusCode).toBe(403);
    const post = await inject({ method: 'POST', url: '/gw/echo/items', headers: { 'x-api-key': key, 'content-type': 'application/json' }, payload: { a: 1 } });
    expect(post.json().method).toBe('POST');
    expect(up1.seen.at(-1)!.body).toBe('{"a":1}');
  });

  it('answers CORS preflights itself and lets any origin read responses (credentials are headers, never cookies)', async () => {
    clock.advance(5000);
    const pre = await inject({
      method: 'OPTIONS',
      url: '/gw/echo/hello',
      headers: { origin: 'https://app.example.org', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-api-key' },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
    expect(String(pre.headers['access-control-allow-headers'])).toContain('X-Api-Key');
    expect(pre.headers['access-control-allow-credentials']).toBeUndefined();
    const r = await inject({ url: '/gw/echo/hello', headers: { origin: 'https://app.example.org', 'x-api-key': key } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(String(r.headers['access-control-expose-headers'])).toContain('RateLimit');
  });

  it('limits at the window boundary exactly (sliding window, injected clock)', async () => {
    clock.advance(5000);
    const call = () => inject({ url: '/gw/echo/hello', headers: { 'x-api-key': key } });
    for (let i = 0; i < 3; i++) expect((await call()).statusCode).toBe(200);
    const refused = await call();
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.headers.ratelimit).toContain('"second";r=0');
    clock.advance(999);
    expect((await call()).statusCode).toBe(429);
    clock.advance(1);
    expect((await call()).statusCode).toBe(200);
  });

  it('rotates a key with overlap, then revokes and expires keys', async () => {
    clock.advance(5000);
    const rot = await inject({ method: 'POST', url: `/api/gateway/keys/${keyId}/rotate`, headers: bearer(consumer), payload: { overlapHours: 1 } });
    expect(rot.statusCode).toBe(201);
    const newKey = rot.json().key as string;
    expect((await inject({ url: '/gw/echo/hello', headers: { 'x-api-key': key } })).statusCode).toBe(200);
    expect((await inject({ url: '/gw/echo/hello', headers: { 'x-api-key': newKey } })).statusCode).toBe(200);
    clock.advance(3600_000 + 1000);
    const expired = await inject({ url: '/gw/echo/hello', headers: { 'x-api-key': key } });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().title).toBe('Clé d’API expirée');
    expect((await inject({ method: 'POST', url: `/api/gateway/keys/${rot.json().id}/revoke`, headers: bearer(consumer) })).statusCode).toBe(200);
    const revoked = await inject({ url: '/gw/echo/hello', headers: { 'x-api-key': newKey } });
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().title).toBe('Clé d’API révoquée');
    const k = await inject({ method: 'POST', url: `/api/gateway/applications/${appId}/keys`, headers: bearer(consumer), payload: { name: 'suivante' } });
    key = k.json().key;
  });

  it('forwards bodies without a content type, and refuses oversized bodies with 413', async () => {
    clock.advance(5000);
    const plain = await inject({ method: 'POST', url: '/gw/echo/raw', headers: { 'x-api-key': key }, payload: 'abc' });
    expect(plain.statusCode).toBe(200);
    expect(up1.seen.at(-1)!.body).toBe('abc');
    await inject({ method: 'PATCH', url: `/api/gateway/apis/${apiId}`, headers: bearer(admin), payload: { maxBodyBytes: 10 } });
    clock.advance(5000);
    const declared = await inject({
      method: 'POST',
      url: '/gw/echo/raw',
      headers: { 'x-api-key': key, 'content-type': 'text/plain' },
      payload: 'x'.repeat(50),
    });
    expect(declared.statusCode).toBe(413);
    // Chunked: no declared length, the limit applies while streaming.
    const chunked = await fetch(`${issuer}/gw/echo/raw`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'text/plain' },
      body: new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode('y'.repeat(40)));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    await inject({ method: 'PATCH', url: `/api/gateway/apis/${apiId}`, headers: bearer(admin), payload: { maxBodyBytes: 1048576 } });
  });

  it('serves /gw/… on the main port through the lean data-plane path (no platform hooks), with the same answers', async () => {
    const r = await fetch(`${issuer}/gw/echo/hello`, { headers: { 'x-api-key': key } });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const none = await fetch(`${issuer}/gw/echo/hello`);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    // No browser security headers of the platform on the data plane's answers.
    expect(none.headers.get('x-frame-options')).toBeNull();
    expect(none.headers.get('x-content-type-options')).toBe('nosniff');
    // Everything else on the main port is still the platform's.
    expect((await fetch(`${issuer}/api/health`)).headers.get('x-frame-options')).not.toBeNull();
  });

  it('maps upstream timeouts to 504 and unreachable upstreams to 502', async () => {
    clock.advance(5000);
    const slow = await inject({ url: '/gw/echo/slow', headers: { 'x-api-key': key } });
    expect(slow.statusCode).toBe(504);
    expect(slow.json().title).toBe('Délai dépassé');
    const port = await freePort();
    const dead = await createApi({
      slug: 'dead',
      name: 'Éteinte',
      upstreamUrl: `http://127.0.0.1:${port}`,
      organisationCode: 'DNUM',
      allowPrivateUpstream: true,
    });
    await inject({
      method: 'POST',
      url: `/api/gateway/apis/${dead.json().id}/plans`,
      headers: bearer(admin),
      payload: { slug: 'libre', name: 'Libre', keyless: true, perSecond: 5 },
    });
    const r = await inject('/gw/dead/x');
    expect(r.statusCode).toBe(502);
    expect(r.headers['content-type']).toContain('application/problem+json');
    // A category, not the socket error: ECONNREFUSED against a timeout would tell open ports from closed ones.
    expect(r.json().detail).toMatch(/injoignable \(amont injoignable\)/);
    expect(r.body).not.toMatch(/ECONN|127\.0\.0\.1/);
  });

  it('spreads calls over several upstreams and fails over when one refuses connections', async () => {
    clock.advance(5000);
    const deadPort = await freePort();
    const r = await createApi({
      slug: 'multi',
      name: 'Plusieurs amonts',
      upstreamUrl: url1,
      upstreamUrls: [url2, `http://127.0.0.1:${deadPort}`],
      organisationCode: 'DNUM',
      allowPrivateUpstream: true,
    });
    expect(r.statusCode, r.body).toBe(201);
    const bad = await inject({
      method: 'PATCH',
      url: `/api/gateway/apis/${r.json().id}`,
      headers: bearer(admin),
      payload: { upstreamUrls: [url2, 'http://169.254.169.254/'] },
    });
    expect(bad.json().errors[0].field).toBe('upstreamUrls.1');
    await inject({
      method: 'POST',
      url: `/api/gateway/apis/${r.json().id}/plans`,
      headers: bearer(admin),
      payload: { slug: 'libre', name: 'Libre', keyless: true, perMinute: 1000 },
    });
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await inject('/gw/multi/x');
      expect(res.statusCode).toBe(200);
      seen.push(res.json().upstream);
    }
    // Both live upstreams serve; the dead one's turns fail over to the next.
    expect(new Set(seen)).toEqual(new Set(['one', 'two']));
    expect(t.services.gateway!.dataPlane.metrics.failovers).toBeGreaterThanOrEqual(2);
    // A call with a body is not replayed elsewhere: when its turn hits the dead upstream it gets 502.
    const posts = [];
    for (let i = 0; i < 3; i++)
      posts.push((await inject({ method: 'POST', url: '/gw/multi/x', headers: { 'content-type': 'text/plain' }, payload: 'z' })).statusCode);
    expect(posts.sort()).toEqual([200, 200, 502]);
  });

  it('limits keyless plans per client IP', async () => {
    clock.advance(5000);
    const dead = (await inject('/api/gateway/apis/dead')).json();
    const patched = await inject({ method: 'PATCH', url: `/api/gateway/apis/${dead.id}`, headers: bearer(admin), payload: { upstreamUrl: url2 } });
    expect(patched.json()).toMatchObject({ upstreamUrl: url2, allowPrivateUpstream: true, name: 'Éteinte' });
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push((await inject({ url: '/gw/dead/x', remoteAddress: '10.0.0.1' })).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
    expect((await inject({ url: '/gw/dead/x', remoteAddress: '10.0.0.2' })).statusCode).toBe(200);
  });

  it('swaps the configuration while running: a change made elsewhere reaches the node by polling', async () => {
    clock.advance(5000);
    const gw = t.services.gateway!;
    // Another node's change: written to the database without this node's reload hook.
    await t.ctx.database.query(`UPDATE gw_apis SET upstream_url = $1 WHERE slug = 'echo'`, [`${url2}/autre`]);
    await t.ctx.database.query(`UPDATE gw_state SET version = version + 1 WHERE key = 'config'`);
    expect((await inject({ url: '/gw/echo/a', headers: { 'x-api-key': key } })).json().upstream).toBe('one');
    gw.dataPlane.startPolling(20);
    for (
      let i = 0;
      i < 100 &&
      gw.dataPlane.metrics.configVersion !== (await t.ctx.database.query<{ version: number }>(`SELECT version FROM gw_state WHERE key='config'`))[0]!.version;
      i++
    )
      await new Promise((r) => setTimeout(r, 20));
    const after = await inject({ url: '/gw/echo/a', headers: { 'x-api-key': key } });
    expect(after.json()).toMatchObject({ upstream: 'two', url: '/autre/a' });
    await gw.dataPlane.stop();
  });

  it('requires approval for restricted APIs', async () => {
    clock.advance(5000);
    const r = await createApi({
      slug: 'restreinte',
      name: 'Restreinte',
      upstreamUrl: url1,
      organisationCode: 'DNUM',
      allowPrivateUpstream: true,
      visibility: 'restricted',
    });
    expect(r.statusCode).toBe(201);
    const planRes = await inject({
      method: 'POST',
      url: `/api/gateway/apis/${r.json().id}/plans`,
      headers: bearer(admin),
      payload: { slug: 'partenaires', name: 'Partenaires', perMinute: 100 },
    });
    expect(planRes.statusCode, planRes.body).toBe(201);
    const plan = planRes.json();
    const noReason = await inject({
      method: 'POST',
      url: `/api/gateway/applications/${appId}/subscriptions`,
      headers: bearer(consumer),
      payload: { planId: plan.id },
    });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0].field).toBe('reason');
    const sub = (
      await inject({
        method: 'POST',
        url: `/api/gateway/applications/${appId}/subscriptions`,
        headers: bearer(consumer),
        payload: { planId: plan.id, reason: 'Vérifier les décès' },
      })
    ).json();
    expect(sub.state).toBe('pending');
    expect((await inject({ url: '/gw/restreinte/x', headers: { 'x-api-key': key } })).statusCode).toBe(403);
    expect((await inject({ method: 'POST', url: `/api/gateway/subscriptions/${sub.id}/approve`, headers: bearer(consumer) })).statusCode).toBe(403);
    expect((await inject({ method: 'POST', url: `/api/gateway/subscriptions/${sub.id}/approve`, headers: bearer(admin) })).json().state).toBe('active');
    expect((await inject({ url: '/gw/restreinte/x', headers: { 'x-api-key': key } })).statusCode).toBe(200);
  });

  it('records calls off the hot path and shows them in the dashboards, with CSV', async () => {
    await t.services.gateway!.analytics.flush();
    const u = await inject({
      url: `/api/gateway/usage?apiId=${apiId}&granularity=minute&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z`,
      headers: bearer(admin),
    });
    expect(u.statusCode).toBe(200);
    const body = u.json();
    expect(body.totals.calls).toBeGreaterThan(10);
    expect(body.totals.s429).toBeGreaterThan(0);
    expect(body.latency.p50).not.toBeNull();
    expect(body.topConsumers[0].name).toBe('Mon appli');
    const byApp = await inject({
      url: `/api/gateway/usage?applicationId=${appId}&granularity=day&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z`,
      headers: bearer(consumer),
    });
    expect(byApp.json().totals.calls).toBeGreaterThan(5);
    const detail = (await inject({ url: `/api/gateway/applications/${appId}`, headers: bearer(consumer) })).json();
    const echoSub = detail.subscriptions.find((s: { api: { slug: string } }) => s.api.slug === 'echo');
    expect(echoSub.quotaUse.day).toBeGreaterThan(5);
    expect(echoSub.plan.perDay).toBe(1000);
    const other = (await t.tokenFor('reader')).token;
    expect((await inject({ url: `/api/gateway/usage?applicationId=${appId}`, headers: bearer(other) })).statusCode).toBe(403);
    const csv = await inject({
      url: `/api/gateway/usage?apiId=${apiId}&granularity=hour&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&format=csv`,
      headers: bearer(admin),
    });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain('calls');
  });
});

function createSecretsForTest() {
  return t.services.gateway!.dataPlane['deps'].secrets.identityKey(apiId);
}

describe('OAuth2 client credentials', () => {
  let clientId: string;
  let secret: string;
  let cfg: oidc.Configuration;

  it('publishes RFC 8414 metadata and a JWKS', async () => {
    const m = (await inject('/.well-known/oauth-authorization-server')).json();
    expect(m).toMatchObject({ issuer, token_endpoint: `${issuer}/oauth/token`, grant_types_supported: ['client_credentials'] });
    const jwks = (await inject('/.well-known/jwks.json')).json();
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', alg: 'ES256' });
    expect(jwks.keys[0].d).toBeUndefined();
  });

  it('issues RFC 9068 tokens to an independent client (openid-client) and the gateway accepts them', async () => {
    const c = await inject({
      method: 'POST',
      url: `/api/gateway/applications/${appId}/clients`,
      headers: bearer(consumer),
      payload: { authMethod: 'client_secret_basic' },
    });
    clientId = c.json().clientId;
    secret = c.json().clientSecret;
    cfg = await oidc.discovery(new URL(issuer), clientId, secret, oidc.ClientSecretBasic(secret), {
      algorithm: 'oauth2',
      execute: [oidc.allowInsecureRequests],
    });
    const tok = await oidc.clientCredentialsGrant(cfg, { resource: `${issuer}/gw/echo` });
    expect(tok.token_type.toLowerCase()).toBe('bearer');
    expect(tok.scope).toBe('echo:read');
    const [h, p] = tok.access_token
      .split('.')
      .slice(0, 2)
      .map((s) => JSON.parse(Buffer.from(s, 'base64url').toString()));
    expect(h).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
    expect(h.kid).toBeTruthy();
    expect(p).toMatchObject({ aud: `${issuer}/gw/echo`, iss: issuer, client_id: clientId });
    clock.advance(5000);
    const r = await inject({ url: '/gw/echo/hello', headers: { authorization: `Bearer ${tok.access_token}` } });
    expect(r.statusCode).toBe(200);
    expect(up2.seen.at(-1)!.headers.authorization).toBeUndefined();

    const intro = await oidc.tokenIntrospection(cfg, tok.access_token);
    expect(intro).toMatchObject({ active: true, client_id: clientId, scope: 'echo:read' });

    // Wrong audience: a token for « echo » on « restreinte ».
    const wrongAud = await inject({ url: '/gw/restreinte/x', headers: { authorization: `Bearer ${tok.access_token}` } });
    expect(wrongAud.statusCode).toBe(401);
    expect(wrongAud.json().detail).toContain('audience');
  });

  it('refuses bad client secrets, ungranted scopes, tokens without the required scope, expired tokens', async () => {
    const bad = await fetch(`${issuer}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:wrong`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: string }).error).toBe('invalid_client');
    await expect(oidc.clientCredentialsGrant(cfg, { resource: `${issuer}/gw/echo`, scope: 'admin' })).rejects.toMatchObject({ error: 'invalid_scope' });
    // The client registered client_secret_basic: its secret in the body is refused (RFC 6749 §2.3, method enforced).
    const post = await fetch(`${issuer}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, resource: 'echo', scope: '' }),
    });
    expect(post.status).toBe(401);
    expect(((await post.json()) as { error: string }).error).toBe('invalid_client');
    // The restreinte plan grants no scope, and echo requires echo:read.
    const basic = await fetch(`${issuer}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: 'echo', scope: '' }),
    });
    const noScope = (await basic.json()) as { access_token: string; scope: string };
    expect(noScope.scope).toBe('echo:read');
    await t.services.gateway!.service.updatePlan(SYSTEM, planId, { scopes: ['echo:read', 'echo:list'] });
    const narrow = await oidc.clientCredentialsGrant(cfg, { resource: `${issuer}/gw/echo`, scope: 'echo:list' });
    clock.advance(5000);
    const scoped = await inject({ url: '/gw/echo/hello', headers: { authorization: `Bearer ${narrow.access_token}` } });
    expect(scoped.statusCode).toBe(403);
    expect(scoped.headers['www-authenticate']).toContain('insufficient_scope');
    clock.advance(11 * 60_000);
    const expired = await inject({ url: '/gw/echo/hello', headers: { authorization: `Bearer ${noScope.access_token}` } });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().detail).toContain('expiré');
  });

  it('supports private_key_jwt (RFC 7523), key rotation and client revocation', async () => {
    // The client signs its assertion with the real time: bring the test clock back to it, with a fresh application.
    clock.set(new Date());
    const app2 = (
      await inject({ method: 'POST', url: '/api/gateway/applications', headers: bearer(consumer), payload: { name: 'Appli à clé privée' } })
    ).json();
    await inject({ method: 'POST', url: `/api/gateway/applications/${app2.id}/subscriptions`, headers: bearer(consumer), payload: { planId } });
    appId = app2.id;
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), alg: 'ES256', kid: 'k1' };
    const c = await inject({
      method: 'POST',
      url: `/api/gateway/applications/${appId}/clients`,
      headers: bearer(consumer),
      payload: { authMethod: 'private_key_jwt', jwks: { keys: [jwk] } },
    });
    expect(c.json().clientSecret).toBeNull();
    const pk = await oidc.discovery(new URL(issuer), c.json().clientId, undefined, oidc.PrivateKeyJwt({ key: privateKey, kid: 'k1' }), {
      algorithm: 'oauth2',
      execute: [oidc.allowInsecureRequests],
    });
    const tok = await oidc.clientCredentialsGrant(pk, { resource: 'echo' });
    const before = (await inject('/.well-known/jwks.json')).json().keys.length;
    expect((await inject({ method: 'POST', url: '/api/gateway/signing-keys/rotate', headers: bearer(admin) })).statusCode).toBe(200);
    expect((await inject('/.well-known/jwks.json')).json().keys.length).toBe(before + 1);
    clock.advance(1000);
    // Tokens of the previous key stay valid until they expire.
    expect((await inject({ url: '/gw/echo/hello', headers: { authorization: `Bearer ${tok.access_token}` } })).statusCode).toBe(200);
    await inject({ method: 'POST', url: `/api/gateway/clients/${c.json().id}/revoke`, headers: bearer(consumer) });
    const revoked = await inject({ url: '/gw/echo/hello', headers: { authorization: `Bearer ${tok.access_token}` } });
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().detail).toContain('révoqué');
    await expect(oidc.clientCredentialsGrant(pk, { resource: 'echo' })).rejects.toThrow(/challenge|invalid_client/);
  });
});

describe('declarative configuration', () => {
  it('applies a YAML file idempotently with a diff, refusing it whole when a reference is wrong', async () => {
    const d = t.services.gateway!.declarative;
    const yaml = `
apis:
  - slug: yaml-api
    name: API déclarée
    organisation: DNUM
    upstreamUrl: ${url1}
    allowPrivateUpstream: true
    plans:
      - { slug: base, name: Base, perSecond: 10 }
applications:
  - slug: app-yaml
    name: Application déclarée
    organisation: DSR
    subscriptions: [{ api: yaml-api, plan: base }]
    keys: [{ name: ci, fromEnv: GW_TEST_KEY }]
`;
    const env = { GW_TEST_KEY: 'pgw_declarative_key_0123456789abcdef' };
    const broken = d.parse(yaml.replace('plan: base', 'plan: nope'));
    await expect(d.apply(broken, env, TEST_SYSTEM)).rejects.toMatchObject({
      errors: [expect.objectContaining({ field: 'applications.0.subscriptions.0.plan' })],
    });
    expect(await t.services.gateway!.service.listApis(SYSTEM).then((l) => l.some((a) => a.slug === 'yaml-api'))).toBe(false);
    const first = await d.apply(d.parse(yaml), env, TEST_SYSTEM);
    expect(first.filter((x) => x.op === 'create').map((x) => x.kind)).toEqual(['api', 'plan', 'application', 'subscription', 'key']);
    const second = await d.apply(d.parse(yaml), env, TEST_SYSTEM);
    expect(second.every((x) => x.op === 'unchanged')).toBe(true);
    clock.advance(5000);
    expect((await inject({ url: '/gw/yaml-api/x', headers: { 'x-api-key': env.GW_TEST_KEY } })).statusCode).toBe(200);
    const exported = d.toYaml(await d.exportConfig());
    expect(exported).toContain('slug: yaml-api');
    // A failure while applying (a forbidden upstream found at apply time) rolls everything back.
    const atomic = d.parse(`
apis:
  - { slug: tout-ou-rien-1, name: Première, organisation: DNUM, upstreamUrl: "${url1}", allowPrivateUpstream: true }
  - { slug: tout-ou-rien-2, name: Seconde, organisation: DNUM, upstreamUrl: "http://169.254.169.254/", allowPrivateUpstream: true }
`);
    await expect(d.apply(atomic, env, TEST_SYSTEM)).rejects.toMatchObject({ errors: [expect.objectContaining({ field: 'upstreamUrl' })] });
    expect((await inject('/api/gateway/apis/tout-ou-rien-1')).statusCode).toBe(404);
    const third = await d.apply(d.parse(yaml.replace('perSecond: 10', 'perSecond: 12')), env, TEST_SYSTEM);
    expect(third.find((x) => x.kind === 'plan')).toMatchObject({ op: 'update', changes: ['perSecond'] });
  });
});

describe('Redis down on the data plane', () => {
  it('lets calls through on this node’s limiter (fail open) or refuses them with 503 (fail closed), and counts it', async () => {
    const { Redis } = await import('ioredis');
    const { RedisRateLimiter } = await import('./ratelimit.ts');
    const port = await freePort();
    const dead = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    dead.on('error', () => undefined);
    const dp = t.services.gateway!.dataPlane;
    const deps = dp['deps'] as { limiter: unknown };
    const original = deps.limiter;
    const degraded = new RedisRateLimiter(dead, 'x:');
    deps.limiter = degraded;
    try {
      clock.advance(5000);
      const open = await inject({ url: '/gw/echo/hello', headers: { 'x-api-key': key } });
      expect(open.statusCode).toBe(200);
      expect(degraded.metrics.failOpen).toBe(1);
      await inject({ method: 'PATCH', url: `/api/gateway/apis/${apiId}`, headers: bearer(admin), payload: { failPolicy: 'closed' } });
      const closed = await inject({ url: '/gw/echo/hello', headers: { 'x-api-key': key } });
      expect(closed.statusCode).toBe(503);
      expect(closed.headers['retry-after']).toBe('1');
      expect(closed.json().title).toBe('Limitation indisponible');
      expect(degraded.metrics.failClosed).toBe(1);
    } finally {
      deps.limiter = original;
      dead.disconnect();
      await inject({ method: 'PATCH', url: `/api/gateway/apis/${apiId}`, headers: bearer(admin), payload: { failPolicy: 'open' } });
    }
  });
});

describe('node metrics', () => {
  it('exposes Prometheus counters to loopback callers and admins only', async () => {
    const local = await inject('/gw/-/metrics');
    expect(local.statusCode).toBe(200);
    expect(local.body).toMatch(/gateway_requests_total \d+/);
    expect(local.body).toContain('gateway_ratelimit_fail_open_total');
    // The event loop's lateness since the previous scrape (a stall delays every call in flight).
    await new Promise((r) => setTimeout(r, 60));
    const stall = Date.now() + 30;
    while (Date.now() < stall);
    await new Promise((r) => setTimeout(r, 30));
    const lag = await inject('/gw/-/metrics');
    expect(Number(/^nodejs_eventloop_delay_max_seconds (\S+)$/m.exec(lag.body)![1])).toBeGreaterThanOrEqual(0.015);
    expect(Number(/^nodejs_eventloop_delay_seconds_count (\d+)$/m.exec(lag.body)![1])).toBeGreaterThan(0);
    expect(lag.body).toMatch(/nodejs_eventloop_delay_seconds\{quantile="0.99"\} \S+/);
    expect((await inject({ url: '/gw/-/metrics', remoteAddress: '10.1.2.3' })).statusCode).toBe(403);
    // Through a reverse proxy on the same host (loopback, but forwarded): token required.
    expect((await inject({ url: '/gw/-/metrics', headers: { 'x-forwarded-for': '203.0.113.9' } })).statusCode).toBe(403);
    expect((await inject({ url: '/gw/-/metrics', remoteAddress: '10.1.2.3', headers: bearer(consumer) })).statusCode).toBe(403);
    expect((await inject({ url: '/gw/-/metrics', remoteAddress: '10.1.2.3', headers: bearer(admin) })).statusCode).toBe(200);
    expect((await inject('/gw/-/health')).json().status).toBe('ok');
  });
});

describe('configuration through the admin API', () => {
  it('previews then applies YAML, for admins only', async () => {
    const yaml = `apis:\n  - { slug: via-ui, name: Par l’interface, organisation: DNUM, upstreamUrl: "${url1}", allowPrivateUpstream: true, plans: [{ slug: base, name: Base, perMinute: 60 }] }\n`;
    expect((await inject({ method: 'POST', url: '/api/gateway/config', headers: bearer(consumer), payload: { yaml } })).statusCode).toBe(403);
    const preview = await inject({ method: 'POST', url: '/api/gateway/config', headers: bearer(admin), payload: { yaml, dryRun: true } });
    expect(preview.json()).toMatchObject({ applied: false, text: expect.stringContaining('+ api via-ui') });
    expect((await inject('/api/gateway/apis/via-ui')).statusCode).toBe(404);
    const applied = await inject({ method: 'POST', url: '/api/gateway/config', headers: bearer(admin), payload: { yaml, dryRun: false } });
    expect(applied.json().applied).toBe(true);
    expect((await inject('/api/gateway/apis/via-ui')).json().plans[0].perMinute).toBe(60);
    const bad = await inject({ method: 'POST', url: '/api/gateway/config', headers: bearer(admin), payload: { yaml: 'apis: [{ slug: "X!" }]' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['apis.0.slug', 'apis.0.name']));
    const exported = await inject({ url: '/api/gateway/config', headers: bearer(admin) });
    expect(exported.body).toContain('slug: via-ui');
  });
});

describe('availability', () => {
  it('probes upstreams, computes availability over 30 days and lists incidents', async () => {
    const gw = t.services.gateway!;
    clock.set(new Date());
    await gw.probeOnce();
    const echo = (await inject('/api/gateway/apis/echo')).json();
    expect(echo.availability).toBe(1);
    // The « dead » API now points at up2 (alive); make one unreachable for an incident.
    const port = await freePort();
    const down = await createApi({
      slug: 'panne',
      name: 'En panne',
      upstreamUrl: `http://127.0.0.1:${port}`,
      organisationCode: 'DNUM',
      allowPrivateUpstream: true,
    });
    await gw.probeOnce();
    await gw.probeOnce();
    const p = (await inject('/api/gateway/apis/panne')).json();
    expect(p.availability).toBe(0);
    expect(p.incidents[0]).toMatchObject({ end: null, probes: 2 });
    await inject({ method: 'PATCH', url: `/api/gateway/apis/${down.json().id}`, headers: bearer(admin), payload: { upstreamUrl: url1 } });
    clock.advance(30_000);
    await gw.probeOnce();
    const back = (await inject('/api/gateway/apis/panne')).json();
    expect(back.availability).toBeCloseTo(1 / 3);
    expect(back.incidents[0].end).not.toBeNull();
  });
});

describe('probe leader election', () => {
  it('gives the lease to one node at a time, and to another once it expires', async () => {
    const { createGatewayRepository } = await import('./gateway.repository.ts');
    const repo = createGatewayRepository(t.ctx.db);
    const now = new Date();
    expect(await repo.lease('test-leader', 'node-a', now, 1000)).toBe(true);
    expect(await repo.lease('test-leader', 'node-b', now, 1000)).toBe(false);
    expect(await repo.lease('test-leader', 'node-a', new Date(now.getTime() + 500), 1000)).toBe(true);
    expect(await repo.lease('test-leader', 'node-b', new Date(now.getTime() + 1600), 1000)).toBe(true);
    expect(await repo.lease('test-leader', 'node-a', new Date(now.getTime() + 1700), 1000)).toBe(false);
  });
});

describe('gateway-only node (serve --role gateway)', () => {
  it('serves the data plane and OAuth2, not the control plane', async () => {
    const { buildApp } = await import('../../app.ts');
    const node = await buildApp(t, { logger: false, role: 'gateway' });
    await node.ready();
    try {
      clock.advance(5000);
      expect((await node.inject({ url: '/gw/echo/hello', headers: { 'x-api-key': key } })).statusCode).toBe(200);
      expect((await node.inject('/.well-known/jwks.json')).statusCode).toBe(200);
      expect((await node.inject('/api/gateway/apis')).statusCode).toBe(404);
    } finally {
      await node.close();
    }
  });

  it('serves the data plane on a dedicated lean port (GATEWAY_PORT)', async () => {
    const port = await freePort();
    await t.services.gateway!.listenDedicated(port);
    clock.advance(5000);
    const r = await fetch(`http://127.0.0.1:${port}/gw/echo/hello`, { headers: { 'x-api-key': key } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toBeNull();
    const missing = await fetch(`http://127.0.0.1:${port}/gw/echo/hello`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect((await fetch(`http://127.0.0.1:${port}/api/gateway/apis`)).status).toBe(404);
  });
});

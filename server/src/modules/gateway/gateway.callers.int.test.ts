import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { ANONYMOUS, SYSTEM } from '../../platform/auth/principal.ts';
import type { GatewayService } from './gateway.service.ts';
import { gwProbes } from './gateway.table.ts';

/** Explicit callers (no `null`), the `{api}` path parameter, the OAuth2 routes' contract, demo content. */
let t: TestPlatform;
let svc: GatewayService;
let admin: string;

beforeAll(async () => {
  t = await createTestPlatform();
  svc = t.services.gateway!.service;
  admin = (await t.tokenFor('admin')).token;
});
afterAll(async () => t?.teardown());

const gatewayModule = () => t.modules.find((m) => m.name === 'gateway')!;
// A loopback upstream (no DNS here): only the system or an administrator may allow it.
const api = (slug: string) => ({ slug, name: `API ${slug}`, organisationCode: 'DNUM', upstreamUrl: 'http://127.0.0.1:9/', allowPrivateUpstream: true });

describe('demo content', () => {
  // First in the file: the gateway holds only its reference content (the deaths API) here.
  it('links the deaths API to its catalogue asset only while the gateway holds nothing but its reference content, and once', async () => {
    const asset = await t.app.inject({
      method: 'POST',
      url: '/api/catalog/assets',
      headers: bearer(admin),
      payload: { kind: 'api', slug: 'deces', title: 'API décès' },
    });
    expect(asset.statusCode).toBe(201);
    const linked = async () => (await svc.getApi(SYSTEM, 'deces')).catalogAssetId;
    expect(await linked()).toBeNull();

    // Real content first (an application): the demo does not touch the gateway.
    const app = await svc.createApp(SYSTEM, { name: 'Application réelle', description: '' });
    await gatewayModule().seedDemo!();
    expect(await linked()).toBeNull();

    // Nothing but reference content: the demo loads.
    await svc.deleteApp(SYSTEM, app.id);
    await gatewayModule().seedDemo!();
    expect(await linked()).toBe(asset.json().id);

    // Loaded once: an administrator's later change is not undone at the next start.
    await svc.updateApi(SYSTEM, 'deces', { catalogAssetId: null });
    await gatewayModule().seedDemo!();
    expect(await linked()).toBeNull();
  });
});

describe('callers', () => {
  it('refuses the anonymous caller everything the system may do', async () => {
    await expect(svc.createApi(ANONYMOUS, api('anonyme'))).rejects.toMatchObject({ status: 401 });
    const created = await svc.createApi(SYSTEM, api('systeme'));
    expect(created.slug).toBe('systeme');
    await expect(svc.updateApi(ANONYMOUS, created.id, { name: 'Piratée' })).rejects.toMatchObject({ status: 401 });
    await expect(svc.createPlan(ANONYMOUS, created.id, { slug: 'p', name: 'Plan' })).rejects.toMatchObject({ status: 401 });
    await expect(svc.putSpec(ANONYMOUS, created.id, { openapi: '3.1.0', info: { title: 'x', version: '1' }, paths: {} })).rejects.toMatchObject({
      status: 401,
    });
    await expect(svc.identityKey(ANONYMOUS, created.id)).rejects.toMatchObject({ status: 401 });
    await expect(svc.deleteApi(ANONYMOUS, created.id)).rejects.toMatchObject({ status: 401 });
    await expect(svc.createApp(ANONYMOUS, { name: 'Anonyme', description: '' })).rejects.toMatchObject({ status: 401 });
    await expect(svc.listApps(ANONYMOUS)).rejects.toMatchObject({ status: 401 });
    await expect(svc.rotateSigningKey(ANONYMOUS)).rejects.toMatchObject({ status: 401 });
    const plan = await svc.createPlan(SYSTEM, created.id, { slug: 'base', name: 'Base', approval: 'manual' });
    const app = await svc.createApp(SYSTEM, { name: 'Application système', description: '' });
    await expect(svc.subscribe(ANONYMOUS, app.id, plan.id, '')).rejects.toMatchObject({ status: 401 });
    await expect(svc.createKey(ANONYMOUS, app.id, { name: '', expiresInDays: null })).rejects.toMatchObject({ status: 401 });
    // The system subscribes at once, even to a plan with manual approval and without a reason.
    expect((await svc.subscribe(SYSTEM, app.id, plan.id, '')).state).toBe('active');
    expect((await svc.updateApi(SYSTEM, created.id, { name: 'Modifiée par le système' })).name).toBe('Modifiée par le système');

    // A disabled API: the system and its managers see it; an anonymous visitor does not.
    await svc.updateApi(SYSTEM, created.id, { enabled: false });
    expect((await svc.listApis(SYSTEM)).find((a) => a.slug === 'systeme')?.canManage).toBe(true);
    expect((await svc.listApis(ANONYMOUS)).some((a) => a.slug === 'systeme')).toBe(false);
    await expect(svc.getApi(ANONYMOUS, 'systeme')).rejects.toMatchObject({ status: 404 });
    await expect(svc.spec(ANONYMOUS, 'systeme')).rejects.toMatchObject({ status: 404 });
    expect((await svc.listApis(ANONYMOUS)).find((a) => a.slug === 'deces')?.canManage).toBe(false);
  });

  it('gives an unauthenticated request no system rights through HTTP', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/gateway/apis', payload: api('par-http') })).statusCode).toBe(401);
    expect((await t.app.inject('/api/gateway/apis/par-http')).statusCode).toBe(404);
    const patch = await t.app.inject({ method: 'PATCH', url: '/api/gateway/apis/deces', payload: { name: 'Piratée' } });
    expect(patch.statusCode).toBe(401);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/gateway/apis/deces' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/gateway/config', payload: { yaml: 'apis: []', dryRun: false } })).statusCode).toBe(401);
    const deces = await t.app.inject('/api/gateway/apis/deces');
    expect(deces.statusCode).toBe(200);
    expect(deces.json()).toMatchObject({ name: 'API des personnes décédées', canManage: false });
  });
});

describe('the {api} path parameter', () => {
  it('accepts the API’s id or its slug for every method', async () => {
    const bySlug = await t.app.inject('/api/gateway/apis/deces');
    const id = bySlug.json().id as string;
    const byId = await t.app.inject(`/api/gateway/apis/${id}`);
    expect(byId.statusCode).toBe(200);
    expect(byId.json().slug).toBe('deces');
    const patched = await t.app.inject({ method: 'PATCH', url: '/api/gateway/apis/deces', headers: bearer(admin), payload: { audience: 'Tous publics' } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ id, audience: 'Tous publics' });
    const subs = await t.app.inject({ url: `/api/gateway/apis/${id}/subscriptions`, headers: bearer(admin) });
    expect(subs.statusCode).toBe(200);
    expect((await t.app.inject('/api/gateway/apis/inconnue')).statusCode).toBe(404);
  });

  it('documents one templated path per resource, and the OAuth2 endpoints with their own security', async () => {
    const doc = (await t.app.inject('/api/openapi.json')).json() as {
      paths: Record<string, Record<string, { operationId?: string; security?: unknown[]; responses?: Record<string, unknown> }>>;
    };
    const gatewayPaths = Object.keys(doc.paths).filter((p) => p.startsWith('/api/gateway/apis/'));
    expect(gatewayPaths.filter((p) => /\{(id|slug)\}/.test(p))).toEqual([]);
    expect(Object.keys(doc.paths['/api/gateway/apis/{api}']!).sort()).toEqual(['delete', 'get', 'patch']);
    for (const [path, ops] of Object.entries(doc.paths).filter(([p]) => p.startsWith('/api/gateway') || p.startsWith('/oauth') || p.startsWith('/.well-known')))
      for (const [method, op] of Object.entries(ops)) {
        expect(op.operationId, `${method} ${path}`).toBeTruthy();
        expect(
          Object.keys(op.responses ?? {}).some((c) => /^2/.test(c)),
          `${method} ${path}`,
        ).toBe(true);
      }
    expect(doc.paths['/oauth/token']!.post!.security).toEqual([]);
    expect(doc.paths['/.well-known/jwks.json']!.get!.security).toEqual([]);
    expect(Object.keys(doc.paths['/oauth/token']!.post!.responses!)).toEqual(expect.arrayContaining(['200', '400', '401']));
    const config = doc.paths['/api/gateway/config']!.get!.responses!['200'] as { content: Record<string, unknown> };
    expect(Object.keys(config.content)).toEqual(['application/yaml']);
  });

  it('serves the configuration as YAML through its declared content type', async () => {
    const r = await t.app.inject({ url: '/api/gateway/config', headers: bearer(admin) });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('application/yaml');
    expect(r.body).toContain('slug: deces');
  });
});

describe('application slugs', () => {
  it('derives the slug of an application from its French name with the platform’s slug function', async () => {
    const reader = (await t.tokenFor('reader')).token;
    const r = await t.app.inject({ method: 'POST', url: '/api/gateway/applications', headers: bearer(reader), payload: { name: 'Contrôle école' } });
    expect(r.statusCode).toBe(201);
    expect(r.json().slug).toMatch(/^controle-ecole-[0-9a-f]{6}$/);
  });
});

describe('private upstreams (SSRF)', () => {
  it('refuses loopback in every spelling to a producer, and binds an admin’s allowance to the host:port approved', async () => {
    const producer = (await t.tokenFor('data_admin', { organisationCode: 'DNUM' })).token;
    for (const upstreamUrl of [
      'http://[::ffff:127.0.0.1]:6379/',
      'http://[::ffff:7f00:1]:6379/',
      'http://2130706433:6379/',
      'http://0x7f.1:5432/',
      'http://[64:ff9b::7f00:1]/',
    ]) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/gateway/apis',
        headers: bearer(producer),
        payload: { slug: 'scan', name: 'Scan', organisationCode: 'DNUM', upstreamUrl },
      });
      expect(r.statusCode, upstreamUrl).toBe(400);
      expect(r.json().errors[0]).toMatchObject({ field: 'upstreamUrl', message: expect.stringMatching(/interdite/) });
      expect(r.json().errors[0].message).not.toMatch(/6379|5432|127\.0\.0\.1/);
    }
    const created = await t.app.inject({ method: 'POST', url: '/api/gateway/apis', headers: bearer(admin), payload: api('interne') });
    expect(created.statusCode).toBe(201);
    const moved = await t.app.inject({
      method: 'PATCH',
      url: '/api/gateway/apis/interne',
      headers: bearer(producer),
      payload: { upstreamUrl: 'http://127.0.0.1:6379/' },
    });
    expect(moved.statusCode).toBe(400);
    expect(moved.json().errors[0]).toMatchObject({ field: 'upstreamUrl', message: expect.stringMatching(/seul un administrateur/) });
    const path = await t.app.inject({
      method: 'PATCH',
      url: '/api/gateway/apis/interne',
      headers: bearer(producer),
      payload: { upstreamUrl: 'http://127.0.0.1:9/v2' },
    });
    expect(path.statusCode).toBe(200);
    const byAdmin = await t.app.inject({
      method: 'PATCH',
      url: '/api/gateway/apis/interne',
      headers: bearer(admin),
      payload: { upstreamUrl: 'http://127.0.0.1:10/' },
    });
    expect(byAdmin.statusCode).toBe(200);
  });
});

describe('public portal', () => {
  it('shows visitors and consumers the public fields of an API, its managers where its traffic goes', async () => {
    await t.app.inject({ method: 'POST', url: '/api/gateway/apis', headers: bearer(admin), payload: api('vitrine') });
    const reader = (await t.tokenFor('reader')).token;
    for (const headers of [{}, bearer(reader)]) {
      const list = (await t.app.inject({ url: '/api/gateway/apis', headers })).json().items;
      const one = (await t.app.inject({ url: '/api/gateway/apis/vitrine', headers })).json();
      for (const a of [list.find((x: { slug: string }) => x.slug === 'vitrine'), one]) {
        expect(a).toMatchObject({ slug: 'vitrine', canManage: false });
        for (const k of ['upstreamUrl', 'upstreamUrls', 'allowPrivateUpstream', 'healthPath']) expect(a).not.toHaveProperty(k);
      }
      const csv = (await t.app.inject({ url: '/api/gateway/apis?format=csv', headers })).body;
      expect(csv).not.toContain('127.0.0.1');
    }
    const managed = (await t.app.inject({ url: '/api/gateway/apis/vitrine', headers: bearer(admin) })).json();
    expect(managed).toMatchObject({ canManage: true, upstreamUrl: 'http://127.0.0.1:9/', allowPrivateUpstream: true });
  });
});

describe('the platform’s own upstreams', () => {
  it('turns the deaths API’s upstream stored with the first start’s port into the platform itself', async () => {
    const deces = await svc.getApi(SYSTEM, 'deces');
    await svc.updateApi(SYSTEM, deces.id, { upstreamUrl: 'http://127.0.0.1:8081/deces/api/v1' });
    await gatewayModule().seedReference!();
    expect((await svc.getApi(SYSTEM, 'deces')).upstreamUrl).toBe('platform:/deces/api/v1');
  });

  it('refuses a platform:/ upstream to a producer', async () => {
    const producer = (await t.tokenFor('data_admin', { organisationCode: 'DNUM' })).token;
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/gateway/apis',
      headers: bearer(producer),
      payload: { slug: 'moi', name: 'Moi', organisationCode: 'DNUM', upstreamUrl: 'platform:/api/admin/users' },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0]).toMatchObject({ field: 'upstreamUrl', message: expect.stringMatching(/seul un administrateur/) });
  });

  it('shows a failing upstream in /api/ready and to its managers, not only as 502s', async () => {
    const deces = await svc.getApi(SYSTEM, 'deces');
    // A probe as an older version stored it (the socket code), then a current one.
    await t.ctx.db.insert(gwProbes).values({ apiId: deces.id, at: new Date(Date.now() - 1000), ok: false, status: null, ms: 3, error: 'ECONNREFUSED' });
    const ready = (await t.app.inject('/api/ready')).json();
    expect(ready.status).toBe('ready');
    expect(ready.modules.gateway).toEqual({ status: 'degraded', detail: expect.stringMatching(/API « deces » : amont injoignable/) });
    expect(ready.modules.gateway.detail).not.toMatch(/ECONN/);
    const managed = (await t.app.inject({ url: '/api/gateway/apis/deces', headers: bearer(admin) })).json();
    expect(managed.lastProbe).toMatchObject({ ok: false, reason: 'amont injoignable' });
    expect((await t.app.inject('/api/gateway/apis/deces')).json()).not.toHaveProperty('lastProbe');
    await t.ctx.db.insert(gwProbes).values({ apiId: deces.id, at: new Date(Date.now() + 1000), ok: true, status: 200, ms: 3, error: null });
    expect((await t.app.inject('/api/ready')).json().modules.gateway.status).toBe('ok');
  });
});

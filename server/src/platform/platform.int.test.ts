import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../test/harness.ts';
import { validateOpenApiDocument } from './openapi.ts';

let t: TestPlatform;
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  t = await createTestPlatform();
});
afterAll(async () => t?.teardown());

describe('HTTP platform', () => {
  it('answers liveness and readiness', async () => {
    expect((await t.app.inject('/api/health')).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject('/api/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', migrations: 'applied' });
  });

  it('returns problem+json for unknown routes, with a request id header', async () => {
    const r = await t.app.inject('/api/does-not-exist');
    expect(r.statusCode).toBe(404);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.headers['x-request-id']).toBeTruthy();
    expect(r.json()).toMatchObject({ status: 404, title: 'Ressource introuvable' });
  });

  it('lists every invalid field of a request', async () => {
    const admin = await t.tokenFor('admin');
    const r = await t.app.inject({ method: 'POST', url: '/api/admin/users', headers: bearer(admin.token), payload: { login: 42, role: 'king' } });
    expect(r.statusCode).toBe(400);
    const body = r.json();
    const fields = body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body.login', 'body.role', 'body.displayName']));
  });

  it('refuses oversized bodies with a problem', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ login: big, password: 'x' }),
    });
    expect(r.statusCode).toBe(413);
    expect(r.json().title).toMatch(/volumineux/);
  });

  it('publishes the OpenAPI document', async () => {
    const r = await t.app.inject('/api/openapi.json');
    expect(r.statusCode).toBe(200);
    const doc = r.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/auth/login', '/api/admin/users', '/api/admin/audit']));
  });

  it('publishes an OpenAPI document that conforms to the OpenAPI 3.1 schema (every module included)', async () => {
    const doc = (await t.app.inject('/api/openapi.json')).json();
    expect(await validateOpenApiDocument(doc)).toEqual([]);
  });

  it('sets security headers with a CSP', async () => {
    const r = await t.app.inject('/api/health');
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('authentication', () => {
  it('logs in with a session cookie, and the same error whether the account exists or not', async () => {
    await t.ctx.users.create({ login: 'marie', displayName: 'Marie', role: 'reader', password: PASSWORD }, { id: null, label: 'test' });
    const wrong = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: 'marie', password: 'nope-nope-nope' } });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: 'nobody', password: 'nope-nope-nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().detail).toBe(unknown.json().detail);

    const s = await t.sessionFor('marie', PASSWORD);
    const c = (await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: 'marie', password: PASSWORD } })).cookies[0]!;
    expect(c.httpOnly).toBe(true);
    expect(c.sameSite).toBe('Lax');
    const me = await t.app.inject({ url: '/api/auth/me', headers: { cookie: s.cookie } });
    expect(me.json()).toMatchObject({ authenticated: true, user: { login: 'marie', role: 'reader' } });
  });

  it('requires the CSRF token on cookie-authenticated mutations', async () => {
    await t.ctx.users.create({ login: 'csrf', displayName: 'C', role: 'reader', password: PASSWORD }, { id: null, label: 'test' });
    const s = await t.sessionFor('csrf', PASSWORD);
    const without = await t.app.inject({ method: 'POST', url: '/api/account/tokens', headers: { cookie: s.cookie }, payload: { name: 'x' } });
    expect(without.statusCode).toBe(403);
    expect(without.json().detail).toMatch(/CSRF/);
    const withToken = await t.app.inject({ method: 'POST', url: '/api/account/tokens', headers: s.headers, payload: { name: 'x' } });
    expect(withToken.statusCode).toBe(201);
  });

  it('rate-limits failed logins per account', async () => {
    await t.ctx.users.create({ login: 'victim', displayName: 'V', role: 'reader', password: PASSWORD }, { id: null, label: 'test' });
    for (let i = 0; i < 5; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: 'victim', password: `bad-password-${i}` } });
      expect(r.statusCode).toBe(401);
    }
    const blocked = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: 'victim', password: PASSWORD } });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('accepts personal API tokens, and refuses them once revoked or expired', async () => {
    const u = await t.tokenFor('reader');
    expect((await t.app.inject({ url: '/api/account/tokens', headers: bearer(u.token) })).statusCode).toBe(200);
    const created = await t.app.inject({ method: 'POST', url: '/api/account/tokens', headers: bearer(u.token), payload: { name: 'script', expiresInDays: 1 } });
    const tok = created.json();
    expect(tok.token).toMatch(/^pat_/);
    // Stored hashed: the plaintext is nowhere in the database.
    const rows = await t.ctx.database.query<{ token_hash: string }>('select token_hash from api_tokens');
    expect(rows.some((r) => r.token_hash === tok.token)).toBe(false);
    expect((await t.app.inject({ url: '/api/auth/me', headers: bearer(tok.token) })).json().authenticated).toBe(true);
    const del = await t.app.inject({ method: 'DELETE', url: `/api/account/tokens/${tok.id}`, headers: bearer(u.token) });
    expect(del.statusCode).toBe(204);
    const after = await t.app.inject({ url: '/api/account/tokens', headers: bearer(tok.token) });
    expect(after.statusCode).toBe(401);

    const { token: expiring } = await t.ctx.auth.createToken(u.userId, 'old', 1, { id: null, label: 'test' });
    await t.ctx.database.query(`update api_tokens set expires_at = now() - interval '1 minute' where prefix = $1`, [expiring.slice(0, 12)]);
    expect((await t.app.inject({ url: '/api/account/tokens', headers: bearer(expiring) })).statusCode).toBe(401);
  });

  it('lets a user change their password, closing other sessions', async () => {
    await t.ctx.users.create({ login: 'pw', displayName: 'P', role: 'reader', password: PASSWORD }, { id: null, label: 'test' });
    const a = await t.sessionFor('pw', PASSWORD);
    const b = await t.sessionFor('pw', PASSWORD);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/account/password',
      headers: a.headers,
      payload: { currentPassword: PASSWORD, newPassword: 'short' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('newPassword');
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/account/password',
      headers: a.headers,
      payload: { currentPassword: PASSWORD, newPassword: 'another long passphrase' },
    });
    expect(ok.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/auth/me', headers: { cookie: b.cookie } })).json().authenticated).toBe(false);
    expect((await t.app.inject({ url: '/api/auth/me', headers: { cookie: a.cookie } })).json().authenticated).toBe(true);
  });

  it('signs in identities from an external provider (OpenID Connect), provisioning a reader once', async () => {
    const identity = { provider: 'proconnect', subject: 'sub-123', email: 'claire.petit@interieur.gouv.fr', displayName: 'Claire Petit' };
    const first = await t.ctx.auth.signInExternal(identity, {});
    const again = await t.ctx.auth.signInExternal(identity, {});
    expect(first.user.id).toBe(again.user.id);
    expect(first.user).toMatchObject({ login: 'claire.petit', role: 'reader', authProvider: 'proconnect', passwordHash: null });
    const me = await t.app.inject({ url: '/api/auth/me', headers: { cookie: `patrimoine_session=${again.token}` } });
    expect(me.json().user.login).toBe('claire.petit');
    // No local password: password login is impossible for this account.
    const r = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: 'claire.petit', password: 'anything at all' } });
    expect(r.statusCode).toBe(401);
  });

  it('purges expired sessions only', async () => {
    await t.ctx.users.create({ login: 'old', displayName: 'O', role: 'reader', password: PASSWORD }, { id: null, label: 'test' });
    const live = await t.sessionFor('old', PASSWORD);
    const stale = await t.sessionFor('old', PASSWORD);
    const staleId = (await t.ctx.auth.fromSession(stale.cookie.split('=')[1]!))!.sessionId!;
    await t.ctx.database.query(`update sessions set expires_at = now() - interval '1 hour' where id = $1`, [staleId]);
    await t.ctx.usersRepo.purgeExpiredSessions(new Date());
    const ids = (await t.ctx.database.query<{ id: string }>('select id from sessions')).map((r) => r.id);
    expect(ids).not.toContain(staleId);
    expect((await t.app.inject({ url: '/api/auth/me', headers: { cookie: live.cookie } })).json().authenticated).toBe(true);
  });

  it('logs out', async () => {
    await t.ctx.users.create({ login: 'bye', displayName: 'B', role: 'reader', password: PASSWORD }, { id: null, label: 'test' });
    const s = await t.sessionFor('bye', PASSWORD);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: s.headers })).statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/auth/me', headers: { cookie: s.cookie } })).json().authenticated).toBe(false);
  });
});

describe('authorization and administration', () => {
  it('keeps admin routes to admins', async () => {
    const reader = await t.tokenFor('reader');
    const dataAdmin = await t.tokenFor('data_admin');
    expect((await t.app.inject({ url: '/api/admin/users' })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/admin/users', headers: bearer(reader.token) })).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/api/admin/audit', headers: bearer(dataAdmin.token) })).statusCode).toBe(403);
  });

  it('creates a user, records it in the audit log, and exports the log as CSV', async () => {
    const admin = await t.tokenFor('admin');
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/admin/users',
      headers: bearer(admin.token),
      payload: { login: 'Nouvel.Agent', displayName: 'Nouvel Agent', role: 'data_admin', organisationCode: 'DSR' },
    });
    expect(r.statusCode).toBe(201);
    const body = r.json();
    expect(body.user).toMatchObject({ login: 'nouvel.agent', role: 'data_admin', organisationCode: 'DSR', mustChangePassword: true });
    expect(body.password).toBeTruthy();
    expect(JSON.stringify(body.user)).not.toContain('scrypt');

    const dup = await t.app.inject({
      method: 'POST',
      url: '/api/admin/users',
      headers: bearer(admin.token),
      payload: { login: 'nouvel.agent', displayName: 'X', role: 'reader' },
    });
    expect(dup.statusCode).toBe(409);

    const audit = await t.app.inject({ url: '/api/admin/audit?action=user.create&entityId=' + body.user.id, headers: bearer(admin.token) });
    expect(audit.json().total).toBe(1);
    expect(audit.json().items[0].after.login).toBe('nouvel.agent');
    expect(JSON.stringify(audit.json())).not.toContain('scrypt$');

    const csv = await t.app.inject({ url: '/api/admin/audit?format=csv&action=user.create', headers: bearer(admin.token) });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain('nouvel.agent');
    expect(csv.body.split('\n')[0]).toContain('date;acteur;action');
  });

  it('needs an organisation for a data administrator, and refuses unknown ones', async () => {
    const admin = await t.tokenFor('admin');
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/admin/users',
      headers: bearer(admin.token),
      payload: { login: 'orgless', displayName: 'X', role: 'data_admin' },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0].field).toBe('organisationCode');
    const r2 = await t.app.inject({
      method: 'POST',
      url: '/api/admin/users',
      headers: bearer(admin.token),
      payload: { login: 'orgx', displayName: 'X', role: 'data_admin', organisationCode: 'NOPE' },
    });
    expect(r2.json().errors[0].field).toBe('organisationCode');
  });

  it('lets admins add and reorganise organisations, refusing cycles', async () => {
    const admin = await t.tokenFor('admin');
    const add = await t.app.inject({
      method: 'POST',
      url: '/api/admin/organisations',
      headers: bearer(admin.token),
      payload: { code: 'SDIT', name: 'Sous-direction de l’innovation', kind: 'sous_direction', parentCode: 'DNUM' },
    });
    expect(add.statusCode).toBe(201);
    expect(add.json()).toMatchObject({ code: 'SDIT', parentCode: 'DNUM' });
    const bad = await t.app.inject({ method: 'POST', url: '/api/admin/organisations', headers: bearer(admin.token), payload: { code: 'x', name: 'X' } });
    expect(bad.json().errors[0].field).toBe('body.code');
    const cycle = await t.app.inject({ method: 'PATCH', url: '/api/admin/organisations/DNUM', headers: bearer(admin.token), payload: { parentCode: 'SDIT' } });
    expect(cycle.statusCode).toBe(400);
    expect(cycle.json().errors[0].field).toBe('parentCode');
    const rename = await t.app.inject({
      method: 'PATCH',
      url: '/api/admin/organisations/SDIT',
      headers: bearer(admin.token),
      payload: { name: 'Sous-direction de l’innovation et de la transformation numérique' },
    });
    expect(rename.json().name).toMatch(/transformation/);
    const reader = await t.tokenFor('reader');
    expect(
      (await t.app.inject({ method: 'PATCH', url: '/api/admin/organisations/SDIT', headers: bearer(reader.token), payload: { name: 'Nope' } })).statusCode,
    ).toBe(403);
  });

  it('lists the seeded organisations publicly', async () => {
    const r = await t.app.inject('/api/organisations');
    const codes = r.json().items.map((o: { code: string }) => o.code);
    expect(codes).toEqual(expect.arrayContaining(['DNUM', 'DSR', 'DGEF', 'DGCL', 'DMAT', 'SSMSI', 'DGPN', 'DGGN', 'DGSCGC', 'DMIA', 'DRH', 'SG', 'SCAE']));
    const dnum = r.json().items.find((o: { code: string }) => o.code === 'DNUM');
    expect(dnum).toMatchObject({ name: 'Direction du numérique', parentCode: 'SG' });
  });
});

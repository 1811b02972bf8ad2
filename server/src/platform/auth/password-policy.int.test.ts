import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'another long passphrase';
let t: TestPlatform;

beforeAll(async () => {
  t = await createTestPlatform();
});
afterAll(async () => {
  await t?.teardown();
});

const get = (url: string, headers: Record<string, string>) => t.app.inject({ url, headers });
const post = (url: string, headers: Record<string, string>, payload?: object) =>
  t.app.inject({ method: 'POST', url, headers, ...(payload ? { payload } : {}) });

describe('password reset and change', () => {
  it('an administrator’s reset revokes the account’s personal tokens and closes its sessions', async () => {
    const u = await t.tokenFor('editor', { login: 'reset.me' });
    const script = (await t.ctx.auth.createToken(u.userId, 'script', null, { id: null, label: 'test' })).token;
    const s = await t.sessionFor('reset.me', PASSWORD);
    expect((await get('/api/account/tokens', bearer(script))).statusCode).toBe(200);
    const admin = await t.tokenFor('admin');
    const r = await post(`/api/admin/users/${u.userId}/reset-password`, bearer(admin.token));
    expect(r.statusCode).toBe(200);
    for (const tok of [u.token, script]) expect((await get('/api/account/tokens', bearer(tok))).statusCode).toBe(401);
    expect((await get('/api/auth/me', { cookie: s.cookie })).json().authenticated).toBe(false);
    const audit = await t.ctx.database.query<{ after: { personalCredentialsRevoked: number } }>(
      `select after from audit_log where action = 'user.reset_password' and entity_id = $1`,
      [u.userId],
    );
    expect(audit[0]?.after.personalCredentialsRevoked).toBe(2);
  });

  it('a reset from the command line (chosen password) revokes them too', async () => {
    const u = await t.tokenFor('reader', { login: 'cli.reset' });
    await t.ctx.users.resetPassword('cli.reset', { id: null, label: 'cli' }, NEW_PASSWORD);
    expect((await get('/api/auth/me', bearer(u.token))).statusCode).toBe(401);
  });

  it('changing one’s password revokes one’s tokens and the other sessions, and keeps this session', async () => {
    const u = await t.tokenFor('reader', { login: 'change.me' });
    const a = await t.sessionFor('change.me', PASSWORD);
    const b = await t.sessionFor('change.me', PASSWORD);
    const ok = await post('/api/account/password', a.headers, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(ok.statusCode).toBe(204);
    expect((await get('/api/account/tokens', bearer(u.token))).statusCode).toBe(401);
    expect((await get('/api/auth/me', { cookie: b.cookie })).json().authenticated).toBe(false);
    expect((await get('/api/account/tokens', a.headers)).statusCode).toBe(200);
  });
});

describe('mustChangePassword is enforced by the server', () => {
  it('a session with a password chosen by an administrator may only read its identity, change it and sign out', async () => {
    const admin = await t.tokenFor('admin');
    const u = await t.tokenFor('admin', { login: 'temp.admin' });
    const reset = await post(`/api/admin/users/${u.userId}/reset-password`, bearer(admin.token));
    const generated = reset.json().password as string;
    expect(generated).toBeTruthy();
    const s = await t.sessionFor('temp.admin', generated);

    const me = await get('/api/auth/me', s.headers);
    expect(me.statusCode).toBe(200);
    expect(me.json().user).toMatchObject({ login: 'temp.admin', mustChangePassword: true });
    // Everything else, reads and writes, even what the role allows: 403 with the reason.
    for (const r of [
      await get('/api/account/tokens', s.headers),
      await post('/api/account/tokens', s.headers, { name: 'sneaky' }),
      await get('/api/admin/users', s.headers),
      await get('/api/jobs', s.headers),
    ]) {
      expect(r.statusCode).toBe(403);
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(r.json().detail).toMatch(/changez votre mot de passe/i);
    }
    // A token made behind the UI's back is held to the same rule.
    const { token } = await t.ctx.auth.createToken(u.userId, 'direct', null, { id: null, label: 'test' });
    expect((await get('/api/admin/users', bearer(token))).statusCode).toBe(403);

    const changed = await post('/api/account/password', s.headers, { currentPassword: generated, newPassword: NEW_PASSWORD });
    expect(changed.statusCode).toBe(204);
    expect((await get('/api/auth/me', s.headers)).json().user.mustChangePassword).toBe(false);
    expect((await get('/api/admin/users', s.headers)).statusCode).toBe(200);
    expect((await get('/api/account/tokens', s.headers)).statusCode).toBe(200);
  });

  it('lets such a session sign out', async () => {
    const { password } = await t.ctx.users.create({ login: 'new.agent', displayName: 'N', role: 'reader' }, { id: null, label: 'test' });
    const s = await t.sessionFor('new.agent', password!);
    expect((await get('/api/jobs', s.headers)).statusCode).toBe(403);
    expect((await post('/api/auth/logout', s.headers)).statusCode).toBe(204);
    expect((await get('/api/auth/me', { cookie: s.cookie })).json().authenticated).toBe(false);
  });
});

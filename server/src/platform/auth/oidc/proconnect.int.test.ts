import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { bearer, createTestPlatform, type TestPlatform } from '../../../../test/harness.ts';
import { DEMO_AGENTS, startTestProConnect, type TestProConnect } from '../../../../test/proconnect-provider.ts';

const PUBLIC = 'http://patrimoine.test';
const CAMILLE = DEMO_AGENTS[0]!; // demo-fi-interieur + interieur.gouv.fr → DNUM, admin
const DOMINIQUE = DEMO_AGENTS[1]!; // SIRET 13000000000019 → DSR, editor
const ALEX = DEMO_AGENTS[2]!; // no rule → queue
const LEA = {
  ...CAMILLE,
  sub: 'sub-lea',
  given_name: 'Léa',
  usual_name: 'Existante',
  email: 'lea.existante@interieur.gouv.fr',
  uid: 'lexistante',
};

describe('ProConnect federation against a local ProConnect-like provider', () => {
  let pc: TestProConnect;
  let t: TestPlatform;
  let admin: string;

  beforeAll(async () => {
    pc = await startTestProConnect({ publicUrl: PUBLIC, agents: [...DEMO_AGENTS, LEA].map((a) => ({ ...a })) });
    t = await createTestPlatform({ env: { PUBLIC_URL: PUBLIC, PATRIMOINE_PROCONNECT_DISABLE_LOCAL_PASSWORD: 'true', ...pc.env } });
    admin = (await t.tokenFor('admin')).token;
    const org = async (code: string) => (await t.ctx.organisations.findByCode(code))!.id;
    const r1 = await t.app.inject({
      method: 'POST',
      url: '/api/admin/federation/rules',
      headers: bearer(admin),
      payload: { idpId: 'demo-fi-interieur', emailDomain: 'Interieur.gouv.fr', organisationId: await org('DNUM'), role: 'admin' },
    });
    expect(r1.statusCode, r1.body).toBe(201);
    expect(r1.json()).toMatchObject({ emailDomain: 'interieur.gouv.fr', organisationCode: 'DNUM' });
    const r2 = await t.app.inject({
      method: 'POST',
      url: '/api/admin/federation/rules',
      headers: bearer(admin),
      payload: { siret: '13000000000019', organisationId: await org('DSR'), role: 'editor' },
    });
    expect(r2.statusCode, r2.body).toBe(201);
  });
  afterAll(async () => {
    await t?.teardown();
    await pc?.close();
  });

  /** Starts a sign-in; returns the provider URL and the flow cookie. */
  async function start(query = '', cookie?: string) {
    const r = await t.app.inject({ method: 'GET', url: `/api/auth/proconnect/login${query}`, headers: cookie ? { cookie } : {} });
    expect(r.statusCode, r.body).toBe(302);
    const flow = r.cookies.find((c) => c.name === 'patrimoine_oidc')!.value;
    return { authorizeUrl: r.headers.location as string, flow };
  }
  async function callback(url: string, flow: string | null, session?: string) {
    const u = new URL(url);
    expect(u.origin + u.pathname).toBe(`${PUBLIC}/api/auth/proconnect/callback`);
    const cookie = [flow && `patrimoine_oidc=${flow}`, session && `patrimoine_session=${session}`].filter(Boolean).join('; ');
    return t.app.inject({ method: 'GET', url: u.pathname + u.search, headers: cookie ? { cookie } : {} });
  }
  /** Complete sign-in; returns the callback answer and the session cookie it set (if any). */
  async function signIn(sub: string, o: { mfa?: boolean; query?: string; previous?: string } = {}) {
    const { authorizeUrl, flow } = await start(o.query ?? '');
    pc.forgetBrowser();
    const back = await pc.authenticate(authorizeUrl, { sub, mfa: o.mfa });
    const r = await callback(back, flow, o.previous);
    const session = r.cookies.find((c) => c.name === 'patrimoine_session');
    return { r, session: session?.value, sessionCookie: session };
  }
  const me = async (session: string) =>
    (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: `patrimoine_session=${session}` } })).json() as {
      user: { role: string; organisationCode: string | null; login: string } | null;
      csrfToken: string;
      assurance: { acr: string; elevationRequired: boolean } | null;
    };

  it('sends exactly ProConnect’s documented authorize parameters, with state and nonce of 32+ characters', async () => {
    const { authorizeUrl } = await start(
      '?login_hint=camille.federee%40interieur.gouv.fr&idp_hint=demo-fi-interieur&siret_hint=11000000000012&retour=%2Fcatalogue',
    );
    const u = new URL(authorizeUrl);
    expect(u.origin + u.pathname).toBe(`${pc.issuer}/authorize`);
    expect([...u.searchParams.keys()].sort()).toEqual(
      ['claims', 'client_id', 'idp_hint', 'login_hint', 'nonce', 'redirect_uri', 'response_type', 'scope', 'siret_hint', 'state'].sort(),
    );
    expect(u.searchParams.get('state')!.length).toBeGreaterThanOrEqual(32);
    expect(u.searchParams.get('nonce')!.length).toBeGreaterThanOrEqual(32);
    expect(u.searchParams.get('scope')).toBe('openid given_name usual_name email uid siret idp_id organization_label roles');
    expect(JSON.parse(u.searchParams.get('claims')!)).toEqual({ id_token: { amr: { essential: true }, acr: null } });
    expect(u.searchParams.get('redirect_uri')).toBe(`${PUBLIC}/api/auth/proconnect/callback`);
  });

  it('places a new agent by identity provider + domain; without MFA the admin role is withheld, with MFA it applies', async () => {
    const first = await signIn(CAMILLE.sub);
    expect(first.r.statusCode, first.r.body).toBe(303);
    expect(first.r.headers.location).toBe('/connexion/proconnect/mfa?retour=%2F');
    const weak = await me(first.session!);
    expect(weak.user).toMatchObject({ role: 'reader', organisationCode: 'DNUM' });
    expect(weak.assurance).toMatchObject({ acr: 'eidas1', elevationRequired: true });
    const refused = await t.app.inject({ method: 'GET', url: '/api/admin/users', headers: { cookie: `patrimoine_session=${first.session}` } });
    expect(refused.statusCode).toBe(403);

    // Re-authentication with MFA: essential acr values requested, session id rotated.
    const { authorizeUrl, flow } = await start('?mfa=1&retour=%2Fadministration', `patrimoine_session=${first.session}`);
    expect(JSON.parse(new URL(authorizeUrl).searchParams.get('claims')!).id_token.acr).toEqual({
      essential: true,
      values: ['eidas0-mfa', 'eidas1-mfa', 'eidas2', 'eidas3'],
    });
    const back = await pc.authenticate(authorizeUrl, { sub: CAMILLE.sub, mfa: true });
    const strong = await callback(back, flow, first.session);
    expect(strong.statusCode, strong.body).toBe(303);
    expect(strong.headers.location).toBe('/administration');
    const s2 = strong.cookies.find((c) => c.name === 'patrimoine_session')!;
    expect(s2.value).not.toBe(first.session);
    expect((await me(first.session!)).user).toBeNull();
    const m = await me(s2.value);
    expect(m.user).toMatchObject({ role: 'admin', organisationCode: 'DNUM' });
    expect(m.assurance).toMatchObject({ acr: 'eidas1-mfa', elevationRequired: false });
    const ok = await t.app.inject({ method: 'GET', url: '/api/admin/users', headers: { cookie: `patrimoine_session=${s2.value}` } });
    expect(ok.statusCode).toBe(200);
    // A session lasts at most 12 hours.
    expect(new Date(s2.expires!).getTime()).toBeLessThanOrEqual(Date.now() + 12 * 3600_000 + 5000);
  });

  it('checks on the server the acr demanded, whatever the provider did with the request', async () => {
    // The provider is asked for nothing in particular, but the flow demanded eidas2+: eidas1-mfa is refused.
    const { authorizeUrl, flow } = await start();
    await t.ctx.db.execute(sql`update oidc_flows set required_acr = 'eidas2 eidas3'`);
    pc.forgetBrowser();
    const back = await pc.authenticate(authorizeUrl, { sub: CAMILLE.sub, mfa: true });
    const r = await callback(back, flow);
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/connexion?erreur=mfa_required');
  });

  it('places by SIRET, and queues an agent no rule matches until an administrator places them (once)', async () => {
    const d = await signIn(DOMINIQUE.sub);
    expect(d.r.headers.location).toBe('/');
    expect((await me(d.session!)).user).toMatchObject({ role: 'editor', organisationCode: 'DSR' });

    const a = await signIn(ALEX.sub);
    expect((await me(a.session!)).user).toMatchObject({ role: 'reader', organisationCode: null });
    const q = await t.app.inject({ method: 'GET', url: '/api/admin/federation/agents-to-place', headers: bearer(admin) });
    const item = (q.json() as { items: { identityId: string; email: string }[] }).items.find((i) => i.email === ALEX.email)!;
    expect(item).toBeTruthy();
    const csv = await t.app.inject({ method: 'GET', url: '/api/admin/federation/agents-to-place?format=csv', headers: bearer(admin) });
    expect(csv.body).toContain(ALEX.email);
    const dnum = (await t.ctx.organisations.findByCode('DNUM'))!.id;
    const place = () =>
      t.app.inject({
        method: 'POST',
        url: `/api/admin/federation/agents-to-place/${item.identityId}/place`,
        headers: bearer(admin),
        payload: { organisationId: dnum, role: 'reviewer' },
      });
    expect((await place()).statusCode).toBe(204);
    expect((await place()).statusCode).toBe(409);
    // The old session (old role) is closed; the next sign-in has the new place.
    expect((await me(a.session!)).user).toBeNull();
    expect((await me((await signIn(ALEX.sub)).session!)).user).toMatchObject({ role: 'reviewer', organisationCode: 'DNUM' });
  });

  it('links an existing account by e-mail only with its owner’s confirmation (password), then by (issuer, sub)', async () => {
    await t.ctx.users.create(
      { login: 'lea', displayName: 'Léa Existante', email: LEA.email, role: 'editor', password: 'correct horse battery staple' },
      { id: null, label: 'test' },
    );
    const first = await signIn(LEA.sub);
    expect(first.r.headers.location).toBe('/connexion/proconnect/lier');
    expect(first.session).toBeUndefined();
    const flow = first.r.cookies.find((c) => c.name === 'patrimoine_oidc')!.value;
    const cookie = `patrimoine_oidc=${flow}`;
    const pending = await t.app.inject({ method: 'GET', url: '/api/auth/proconnect/link', headers: { cookie } });
    expect(pending.json()).toMatchObject({ email: LEA.email, accountLogin: 'lea', passwordRequired: true });
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/auth/proconnect/link',
      headers: { cookie },
      payload: { confirm: true, password: 'not the password' },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors[0].field).toBe('password');
    // One attempt per flow: the agent starts again from ProConnect.
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/proconnect/link', headers: { cookie } })).statusCode).toBe(404);

    const again = await signIn(LEA.sub);
    const cookie2 = `patrimoine_oidc=${again.r.cookies.find((c) => c.name === 'patrimoine_oidc')!.value}`;
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/auth/proconnect/link',
      headers: { cookie: cookie2 },
      payload: { confirm: true, password: 'correct horse battery staple' },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const s = ok.cookies.find((c) => c.name === 'patrimoine_session')!.value;
    expect((await me(s)).user).toMatchObject({ login: 'lea', role: 'editor' });
    // Linked: the next sign-in goes straight in; the local password is disabled for federated accounts.
    const third = await signIn(LEA.sub);
    expect(third.r.headers.location).toBe('/');
    const pwd = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: 'lea', password: 'correct horse battery staple' } });
    expect(pwd.statusCode).toBe(401);
  });

  it('refuses a callback with a wrong state, a missing flow, a replayed code, a wrong nonce or an expired code', async () => {
    const { authorizeUrl, flow } = await start();
    pc.forgetBrowser();
    const back = await pc.authenticate(authorizeUrl, { sub: DOMINIQUE.sub });
    const tampered = new URL(back);
    tampered.searchParams.set('state', 'x'.repeat(43));
    expect((await callback(tampered.href, flow)).headers.location).toBe('/connexion?erreur=state_mismatch');
    // The flow was consumed by the failed attempt: replaying the genuine answer fails too.
    expect((await callback(back, flow)).headers.location).toBe('/connexion?erreur=state_mismatch');
    expect((await callback(back, null)).headers.location).toBe('/connexion?erreur=state_mismatch');

    const n = await start();
    await t.ctx.db.execute(sql`update oidc_flows set nonce = ${'n'.repeat(43)}`);
    pc.forgetBrowser();
    const backN = await pc.authenticate(n.authorizeUrl, { sub: DOMINIQUE.sub });
    expect((await callback(backN, n.flow)).headers.location).toBe('/connexion?erreur=token_invalid');

    const e = await start();
    pc.forgetBrowser();
    const backE = await pc.authenticate(e.authorizeUrl, { sub: DOMINIQUE.sub });
    pc.expireCodes();
    expect((await callback(backE, e.flow)).headers.location).toBe('/connexion?erreur=code_expired');
  });

  it('explains a refusal at the provider (access_denied)', async () => {
    const { authorizeUrl, flow } = await start();
    pc.forgetBrowser();
    const back = await pc.authenticate(authorizeUrl, { sub: DOMINIQUE.sub, deny: true });
    expect(new URL(back).searchParams.get('error')).toBe('access_denied');
    expect((await callback(back, flow)).headers.location).toBe('/connexion?erreur=access_denied');
  });

  it('follows a key rotation at the provider at the next sign-in', async () => {
    const kid = pc.rotateKeys();
    const jwks = (await (await fetch(`${pc.issuer}/jwks`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toContain(kid);
    const d = await signIn(DOMINIQUE.sub);
    expect(d.r.headers.location).toBe('/');
    expect((await me(d.session!)).user).toMatchObject({ role: 'editor' });
  });

  it('signs out through the provider’s end-session with id_token_hint and checks the returned state', async () => {
    const d = await signIn(DOMINIQUE.sub);
    const m = await me(d.session!);
    const out = await t.app.inject({
      method: 'POST',
      url: '/api/auth/proconnect/logout',
      headers: { cookie: `patrimoine_session=${d.session}`, 'x-csrf-token': m.csrfToken },
    });
    expect(out.statusCode, out.body).toBe(200);
    const url = new URL(out.json().redirectUrl);
    expect(url.origin + url.pathname).toBe(`${pc.issuer}/session/end`);
    expect(url.searchParams.get('id_token_hint')).toMatch(/^ey/);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`${PUBLIC}/api/auth/proconnect/logout-callback`);
    expect((await me(d.session!)).user).toBeNull();
    const flow = out.cookies.find((c) => c.name === 'patrimoine_oidc')!.value;
    const back = new URL(await pc.endSession(url.href));
    expect(back.searchParams.get('state')).toBe(url.searchParams.get('state'));
    const cb = await t.app.inject({ method: 'GET', url: back.pathname + back.search, headers: { cookie: `patrimoine_oidc=${flow}` } });
    expect(cb.headers.location).toBe('/connexion?deconnexion=proconnect');
  });

  it('validates organisation rules and keeps them to administrators', async () => {
    const dnum = (await t.ctx.organisations.findByCode('DNUM'))!.id;
    const both = await t.app.inject({
      method: 'POST',
      url: '/api/admin/federation/rules',
      headers: bearer(admin),
      payload: { siret: '13000000000027', idpId: 'x', emailDomain: 'x.gouv.fr', organisationId: dnum },
    });
    expect(both.statusCode).toBe(400);
    expect(both.json().errors[0].field).toBe('siret');
    const none = await t.app.inject({ method: 'POST', url: '/api/admin/federation/rules', headers: bearer(admin), payload: { organisationId: dnum } });
    expect(none.json().errors.map((e: { field: string }) => e.field)).toEqual(['idpId', 'emailDomain']);
    const dup = await t.app.inject({
      method: 'POST',
      url: '/api/admin/federation/rules',
      headers: bearer(admin),
      payload: { siret: '13000000000019', organisationId: dnum },
    });
    expect(dup.statusCode).toBe(409);
    const editor = (await t.tokenFor('editor')).token;
    expect((await t.app.inject({ method: 'GET', url: '/api/admin/federation/rules', headers: bearer(editor) })).statusCode).toBe(403);
    const csv = await t.app.inject({ method: 'GET', url: '/api/admin/federation/rules?format=csv', headers: bearer(admin) });
    expect(csv.body).toContain('13000000000019');
  });
});

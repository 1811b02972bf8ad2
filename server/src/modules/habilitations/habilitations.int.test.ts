import http from 'node:http';
import type net from 'node:net';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { completeData } from './habilitations.seed.ts';
import { definitionStats } from './habilitations.stats.ts';
import { statsByScan } from '../../../test/habilitations-stats-reference.ts';
import { startSmtpServer } from '../../../test/smtp.ts';

/**
 * The habilitation workflow end to end on the API: DataPass's state machine checked by role, data
 * validated by the blocks' schema, journal and diff, uploads, concurrent decisions, provisioning of
 * the gateway on approval (application, subscription with exactly the approved scopes, one-time
 * credential), reopening, revocation refused by the data plane, webhooks with HMAC, API v1.
 */
const ISSUER = 'http://habilitations.test';
const upstreamCalls: string[] = [];
const upstream = http.createServer((req, res) => {
  upstreamCalls.push(req.url ?? '');
  res.setHeader('content-type', 'application/json');
  res.end('{"ok":true}');
});
/** A webhook receiver written from DataPass's documentation: HMAC-SHA256 of the raw body with the shared secret. */
const received: { event?: string; test?: boolean; env: string; valid: boolean }[] = [];
const WEBHOOK_SECRET = 'un-secret-partage-de-test-0123456789';
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const expected = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`;
    const json = JSON.parse(body) as { event?: string; test?: boolean };
    received.push({
      event: json.event,
      test: json.test,
      env: String(req.headers['x-app-environment']),
      valid: req.headers['x-hub-signature-256'] === expected,
    });
    res.statusCode = 200;
    res.end('{}');
  });
});

let t: TestPlatform;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let admin: string;
let instructor: { token: string; login: string };
let instructor2: { token: string; login: string };
let reporter: { token: string; login: string };
let applicant: { token: string; login: string; userId: string };
let colleague: { token: string };
let stranger: { token: string };
const DEF = 'api_meteo_restreinte';
const scopes = ['meteo:temperature', 'meteo:vent', 'meteo:pluie'];

const inject = (token: string, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: bearer(token), ...(payload !== undefined ? { payload: payload as object } : {}) });
const transition = (token: string, id: string, tr: string, body: Record<string, unknown> = {}) =>
  inject(token, 'POST', `/api/habilitations/requests/${id}/transitions/${tr}`, body);

async function newRequest(
  data: Record<string, unknown> = completeData(['basic_infos', 'organisation', 'legal', 'personal_data', 'scopes', 'contacts', 'cgu'], scopes, 1),
) {
  const r = await inject(applicant.token, 'POST', '/api/habilitations/requests', { definitionId: DEF, data });
  expect(r.statusCode, r.body).toBe(201);
  return r.json().id as string;
}
async function clientToken(clientId: string, secret: string, resource: string) {
  return t.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
    payload: `grant_type=client_credentials&resource=${resource}`,
  });
}

beforeAll(async () => {
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  smtp = await startSmtpServer();
  t = await createTestPlatform({
    env: { PUBLIC_URL: ISSUER, HABILITATIONS_WEBHOOK_ALLOW_PRIVATE: 'true', HABILITATIONS_APP_ENVIRONMENT: 'test', SMTP_URL: smtp.url },
    startJobs: true,
  });
  admin = (await t.tokenFor('admin')).token;
  const api = await inject(admin, 'POST', '/api/gateway/apis', {
    slug: 'meteo-restreinte',
    name: 'Météo restreinte',
    upstreamUrl: `http://127.0.0.1:${(upstream.address() as net.AddressInfo).port}`,
    organisationCode: 'DNUM',
    visibility: 'restricted',
    allowPrivateUpstream: true,
  });
  expect(api.statusCode, api.body).toBe(201);
  const plan = await inject(admin, 'POST', `/api/gateway/apis/${api.json().id}/plans`, {
    slug: 'habilitation',
    name: 'Sur habilitation',
    perSecond: 100,
    approval: 'manual',
    scopes,
  });
  expect(plan.statusCode, plan.body).toBe(201);
  const def = await inject(admin, 'PUT', `/api/habilitations/definitions/${DEF}`, {
    name: 'API météo restreinte',
    providerCode: 'DNUM',
    apiSlug: 'meteo-restreinte',
    planSlug: 'habilitation',
    credentialKind: 'oauth_client',
    validityMonths: 12,
    blocks: ['basic_infos', 'organisation', 'legal', 'personal_data', 'scopes', 'contacts', 'cgu'],
    scopes: scopes.map((v) => ({ value: v, label: v, group: 'Météo' })),
    eligibility: [{ who: 'Une commune', answer: 'yes' }],
  });
  expect(def.statusCode, def.body).toBe(200);
  instructor = await t.tokenFor('reader', { organisationCode: 'DNUM' });
  instructor2 = await t.tokenFor('reader', { organisationCode: 'DNUM' });
  reporter = await t.tokenFor('reader', { organisationCode: 'DNUM' });
  applicant = await t.tokenFor('reader', { organisationCode: 'DMAT' });
  colleague = await t.tokenFor('reader', { organisationCode: 'DMAT' });
  stranger = await t.tokenFor('reader', { organisationCode: 'DGEF' });
  await t.ctx.usersRepo.update(applicant.userId, { email: 'demandeur@commune.example' });
  await t.ctx.usersRepo.update((await t.ctx.usersRepo.findByLogin(instructor.login))!.id, { email: 'instructeur@interieur.example' });
  for (const [who, role] of [
    [instructor, 'instructor'],
    [instructor2, 'instructor'],
    [reporter, 'reporter'],
  ] as const)
    expect((await inject(admin, 'POST', `/api/habilitations/definitions/${DEF}/roles`, { login: who.login, role })).statusCode).toBe(200);
});
afterAll(async () => {
  await t?.teardown();
  await smtp?.close();
  upstream.close();
  receiver.close();
});

describe('definitions', () => {
  it('are public, and only their managers change them', async () => {
    const r = await t.app.inject({ method: 'GET', url: `/api/habilitations/definitions/${DEF}` });
    expect(r.statusCode).toBe(200);
    expect(r.json().eligibility[0]).toMatchObject({ who: 'Une commune', answer: 'yes' });
    const put = await inject(instructor.token, 'PUT', `/api/habilitations/definitions/${DEF}`, {
      name: 'Autre nom',
      providerCode: 'DNUM',
      blocks: ['basic_infos'],
    });
    expect(put.statusCode).toBe(403);
    expect(
      (await inject(instructor.token, 'POST', `/api/habilitations/definitions/${DEF}/roles`, { login: applicant.login, role: 'instructor' })).statusCode,
    ).toBe(403);
  });
});

describe('data validated by the schema compiled from the blocks', () => {
  it('names the field of each problem', async () => {
    const bad = await inject(applicant.token, 'POST', '/api/habilitations/requests', { definitionId: DEF, data: { siret: '12345678901234', inconnu: 1 } });
    expect(bad.statusCode).toBe(400);
    const fields = (bad.json().errors as { field: string; message: string }[]).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['data.siret', 'data.inconnu']));
    const id = await newRequest({ intitule: 'Brouillon' });
    const submit = await transition(applicant.token, id, 'submit');
    expect(submit.statusCode).toBe(400);
    expect((submit.json().errors as { field: string }[]).map((e) => e.field)).toEqual(
      expect.arrayContaining(['data.siret', 'data.terms_of_service_accepted', 'data.contact_technique_email']),
    );
    // Retention above 36 months needs a justification.
    const long = completeData(['basic_infos', 'organisation', 'legal', 'personal_data', 'scopes', 'contacts', 'cgu'], scopes, 2);
    long.duree_conservation_donnees_caractere_personnel = 48;
    const id2 = await newRequest(long);
    const r = await transition(applicant.token, id2, 'submit');
    expect(r.statusCode).toBe(400);
    expect(r.json().errors).toEqual([expect.objectContaining({ field: 'data.duree_conservation_donnees_caractere_personnel_justification' })]);
  });

  it('accepts a PDF checked by its magic bytes, refuses other files and files above 10 MB', async () => {
    const id = await newRequest();
    const up = (body: Buffer) =>
      t.app.inject({
        method: 'POST',
        url: `/api/habilitations/requests/${id}/documents?key=cadre_juridique_document&filename=loi.pdf`,
        headers: { ...bearer(applicant.token), 'content-type': 'application/pdf' },
        payload: body,
      });
    const notPdf = await up(Buffer.from('<html>pas un pdf</html>'));
    expect(notPdf.statusCode).toBe(400);
    expect(notPdf.json().errors[0]).toMatchObject({ field: 'cadre_juridique_document' });
    const big = await up(Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(10 * 1024 * 1024)]));
    expect(big.statusCode).toBe(400);
    const ok = await up(Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF'));
    expect(ok.statusCode, ok.body).toBe(201);
    const doc = ok.json();
    const save = await inject(applicant.token, 'PATCH', `/api/habilitations/requests/${id}`, {
      data: {
        ...completeData(['basic_infos', 'organisation', 'legal', 'personal_data', 'scopes', 'contacts', 'cgu'], scopes, 3),
        cadre_juridique_url: null,
        cadre_juridique_document: doc.id,
      },
    });
    expect(save.statusCode, save.body).toBe(200);
    expect((await transition(applicant.token, id, 'submit')).statusCode).toBe(200);
    const dl = await inject(instructor.token, 'GET', `/api/habilitations/requests/${id}/documents/${doc.id}`);
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-type']).toBe('application/pdf');
    expect((await inject(stranger.token, 'GET', `/api/habilitations/requests/${id}/documents/${doc.id}`)).statusCode).toBe(404);
  });
});

describe('the state machine, by role', () => {
  let id: string;
  let clientId: string;
  let clientSecret: string;
  it('applicant submits; others may not; colleagues read', async () => {
    const hook = await inject(admin, 'POST', '/api/habilitations/webhooks', {
      definitionId: DEF,
      url: `http://127.0.0.1:${(receiver.address() as net.AddressInfo).port}/datapass`,
      secret: WEBHOOK_SECRET,
      events: ['submit', 'request_changes', 'approve', 'revoke', 'reopen'],
    });
    expect(hook.statusCode, hook.body).toBe(201);
    expect(hook.json().webhook).toMatchObject({ enabled: true, validated: true });
    expect(received.at(-1)).toMatchObject({ test: true, valid: true, env: 'test' });

    id = await newRequest();
    expect((await transition(instructor.token, id, 'submit')).statusCode).toBe(403);
    expect((await inject(stranger.token, 'GET', `/api/habilitations/requests/${id}`)).statusCode).toBe(404);
    const seen = await inject(colleague.token, 'GET', `/api/habilitations/requests/${id}`);
    expect(seen.statusCode).toBe(200);
    expect(seen.json().allowed).toEqual([]);
    expect((await transition(colleague.token, id, 'submit')).statusCode).toBe(403);
    const s = await transition(applicant.token, id, 'submit');
    expect(s.statusCode, s.body).toBe(200);
    expect(s.json().request.state).toBe('submitted');
    expect((await transition(applicant.token, id, 'submit')).statusCode).toBe(409);
    expect((await inject(applicant.token, 'PATCH', `/api/habilitations/requests/${id}`, { data: {} })).statusCode).toBe(409);
  });

  it('the queue lists it for instructors, with a CSV export', async () => {
    const q = await inject(instructor.token, 'GET', `/api/habilitations/requests?state=submitted&definitionId=${DEF}`);
    expect(q.json().items.map((r: { id: string }) => r.id)).toContain(id);
    expect((await inject(stranger.token, 'GET', '/api/habilitations/requests')).json().items).toEqual([]);
    const mine = await inject(colleague.token, 'GET', '/api/habilitations/requests?mine=true');
    expect(mine.json().items.map((r: { id: string }) => r.id)).toContain(id);
    const csv = await inject(instructor.token, 'GET', '/api/habilitations/requests?format=csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain('type_habilitation');
  });

  it('reporters comment but do not decide; changes need a reason; the resubmission carries its diff', async () => {
    expect((await transition(reporter.token, id, 'approve')).statusCode).toBe(403);
    expect((await transition(applicant.token, id, 'approve')).statusCode).toBe(403);
    expect(
      (await inject(reporter.token, 'POST', `/api/habilitations/requests/${id}/messages`, { body: 'Le cadre juridique me semble léger.' })).statusCode,
    ).toBe(201);
    const noReason = await transition(instructor.token, id, 'request_changes');
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0].field).toBe('message');
    expect((await transition(instructor.token, id, 'request_changes', { message: 'Précisez la description.' })).json().request.state).toBe('changes_requested');
    const cur = (await inject(applicant.token, 'GET', `/api/habilitations/requests/${id}`)).json();
    expect(
      (
        await inject(applicant.token, 'PATCH', `/api/habilitations/requests/${id}`, {
          data: { ...cur.data, description: 'Description précisée.' },
          version: cur.version,
        })
      ).statusCode,
    ).toBe(200);
    // A stale version is refused.
    expect((await inject(applicant.token, 'PATCH', `/api/habilitations/requests/${id}`, { data: cur.data, version: cur.version })).statusCode).toBe(409);
    expect((await inject(applicant.token, 'POST', `/api/habilitations/requests/${id}/messages`, { body: 'C’est fait.' })).statusCode).toBe(201);
    expect((await transition(applicant.token, id, 'submit')).statusCode).toBe(200);
    const d = (await inject(instructor.token, 'GET', `/api/habilitations/requests/${id}`)).json();
    const submits = d.events.filter((e: { name: string }) => e.name === 'submit');
    expect(submits).toHaveLength(2);
    expect(submits[1].diff).toEqual({ description: ['Demande fictive de démonstration (données synthétiques).', 'Description précisée.'] });
    expect(d.events.map((e: { name: string }) => e.name)).toEqual([
      'create',
      'submit',
      'instructor_message',
      'request_changes',
      'update',
      'applicant_message',
      'submit',
    ]);
    expect(d.messages.map((m: { fromInstruction: boolean }) => m.fromInstruction)).toEqual([true, false]);
  });

  it('two instructors deciding at once: one wins, the other gets 409; approval provisions the gateway', async () => {
    const { version } = (await inject(instructor.token, 'GET', `/api/habilitations/requests/${id}`)).json();
    const [a, b] = await Promise.all([
      transition(instructor.token, id, 'approve', { version, scopes: ['meteo:temperature', 'meteo:vent'] }),
      transition(instructor2.token, id, 'approve', { version, scopes: ['meteo:temperature', 'meteo:vent'] }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const won = (a.statusCode === 200 ? a : b).json();
    // Only one habilitation and one credential were issued.
    expect((await inject(applicant.token, 'GET', `/api/habilitations/requests/${id}`)).json().habilitations).toHaveLength(1);
    expect(won.request.state).toBe('validated');
    expect(won.habilitation).toMatchObject({ state: 'active', scopes: ['meteo:temperature', 'meteo:vent'], credential: { kind: 'oauth_client' } });
    expect(won.habilitation.expiresAt).not.toBeNull();
    expect(won.revealUrl).toMatch(/^http:\/\/habilitations\.test\/habilitations\/secret\//);
    const token = won.revealUrl.split('/').at(-1);
    const shown = await t.app.inject({ method: 'POST', url: `/api/habilitations/secrets/${token}` });
    expect(shown.statusCode, shown.body).toBe(200);
    ({ clientId, clientSecret } = shown.json());
    expect(shown.json().scopes).toEqual(['meteo:temperature', 'meteo:vent']);
    expect((await t.app.inject({ method: 'POST', url: `/api/habilitations/secrets/${token}` })).statusCode).toBe(404);
    // The credential works at once, with exactly the approved scopes.
    const tok = await clientToken(clientId, clientSecret, 'meteo-restreinte');
    expect(tok.statusCode, tok.body).toBe(200);
    expect(tok.json().scope).toBe('meteo:temperature meteo:vent');
    const call = await t.app.inject({ method: 'GET', url: '/gw/meteo-restreinte/previsions', headers: bearer(tok.json().access_token) });
    expect(call.statusCode, call.body).toBe(200);
    expect(upstreamCalls).toContain('/previsions');
    // The habilitation page's live usage counts the call against the plan's quota.
    // (recorded off the hot path: flushed until it shows, the state itself being awaited)
    let usage: { calls: number } | null = null;
    for (let i = 0; i < 200 && !(usage && usage.calls > 0); i++) {
      await t.services.gateway!.analytics.flush();
      const hab = await inject(applicant.token, 'GET', `/api/habilitations/habilitations/${won.habilitation.id}`);
      expect(hab.statusCode, hab.body).toBe(200);
      usage = hab.json().usage;
      if (!usage?.calls) await new Promise((r) => setTimeout(r, 50));
    }
    expect(usage).toMatchObject({ calls: 1, limits: { perSecond: 100, perDay: null, perMonth: null } });
    const wider = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
      payload: 'grant_type=client_credentials&resource=meteo-restreinte&scope=meteo:pluie',
    });
    expect(wider.statusCode).toBe(400);
    // The journal, the audit and the webhook saw it.
    const audit = await inject(admin, 'GET', `/api/admin/audit?entityType=hab_request&entityId=${id}`);
    if (audit.statusCode === 200) expect(JSON.stringify(audit.json())).toContain('habilitations.request.approve');
    await waitFor(() => received.some((r) => r.event === 'approve' && r.valid));
  });

  it('reopening: refusing it returns to validated; approving it updates the scopes in place and obsoletes the old habilitation', async () => {
    if (!clientId) return;
    expect((await transition(instructor.token, id, 'reopen')).statusCode).toBe(403);
    expect((await transition(applicant.token, id, 'reopen')).json().request).toMatchObject({ state: 'draft', reopening: true });
    expect((await transition(applicant.token, id, 'archive')).statusCode).toBe(409);
    expect((await transition(applicant.token, id, 'submit')).statusCode).toBe(200);
    expect((await transition(instructor.token, id, 'refuse', { message: 'Pas de nouvelle donnée.' })).json().request).toMatchObject({
      state: 'validated',
      reopening: false,
    });
    const cur = (await inject(applicant.token, 'GET', `/api/habilitations/requests/${id}`)).json();
    await transition(applicant.token, id, 'reopen');
    expect((await inject(applicant.token, 'PATCH', `/api/habilitations/requests/${id}`, { data: { ...cur.data, scopes } })).statusCode).toBe(200);
    await transition(applicant.token, id, 'submit');
    const ok = await transition(instructor.token, id, 'approve');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().revealUrl).toBeNull();
    expect(ok.json().habilitation.scopes).toEqual(scopes);
    const d = (await inject(applicant.token, 'GET', `/api/habilitations/requests/${id}`)).json();
    expect(d.habilitations.map((h: { state: string }) => h.state)).toEqual(['active', 'obsolete']);
    const tok = await clientToken(clientId, clientSecret, 'meteo-restreinte');
    expect(tok.json().scope).toBe(scopes.join(' '));
  });

  it('revocation revokes the subscription and the credential: the gateway refuses them', async () => {
    if (!clientId) return;
    const tok = (await clientToken(clientId, clientSecret, 'meteo-restreinte')).json().access_token as string;
    expect((await transition(applicant.token, id, 'revoke', { message: 'x' })).statusCode).toBe(403);
    const r = await transition(instructor.token, id, 'revoke', { message: 'Fin du projet.' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().request.state).toBe('revoked');
    expect((await t.app.inject({ method: 'GET', url: '/gw/meteo-restreinte/previsions', headers: bearer(tok) })).statusCode).toBe(401);
    expect((await clientToken(clientId, clientSecret, 'meteo-restreinte')).statusCode).toBe(401);
    const habs = await inject(applicant.token, 'GET', `/api/habilitations/habilitations?definitionId=${DEF}`);
    expect(habs.json().items.every((h: { state: string }) => h.state !== 'active')).toBe(true);
    await waitFor(() => received.some((x) => x.event === 'revoke'));
  });

  it('e-mails each event in French, with an unsubscribe link; the credential itself is never e-mailed', async () => {
    if (!clientId) return;
    await smtp.waitFor((m) => m.to.includes('instructeur@interieur.example') && m.subject.includes('soumise'));
    await smtp.waitFor((m) => m.to.includes('demandeur@commune.example') && m.subject.includes('modifications'));
    const approved = await smtp.waitFor((m) => m.to.includes('contact.technique@demo.example') && m.subject.includes('validée'));
    expect(approved.text).toContain('/habilitations/secret/');
    const revoked = await smtp.waitFor((m) => m.to.includes('demandeur@commune.example') && m.subject.includes('révoquée'));
    expect(revoked.text).toContain('Fin du projet.');
    for (const m of smtp.messages) {
      expect(m.text).not.toContain(clientSecret);
      expect(m.headers['list-unsubscribe']).toMatch(/unsubscribe\?email=/);
    }
    const link = /Ne plus recevoir ces messages : (\S+)/.exec(revoked.text)![1]!;
    const u = new URL(link);
    expect((await t.app.inject({ method: 'GET', url: `${u.pathname}${u.search}` })).statusCode).toBe(200);
    expect(
      (await t.app.inject({ method: 'GET', url: `${u.pathname}?email=${encodeURIComponent('autre@example.org')}&sig=${u.searchParams.get('sig')}` }))
        .statusCode,
    ).toBe(400);
    const before = smtp.messages.length;
    await inject(instructor.token, 'POST', `/api/habilitations/requests/${id}/messages`, { body: 'Après désinscription.' });
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.messages.slice(before).some((m) => m.to.includes('demandeur@commune.example'))).toBe(false);
  });

  it('pre-filled drafts: an instructor prepares one, only the intended applicant claims it', async () => {
    const r = await inject(instructor.token, 'POST', '/api/habilitations/requests', {
      definitionId: DEF,
      data: { intitule: 'Préparé' },
      forLogin: applicant.login,
    });
    expect(r.statusCode, r.body).toBe(201);
    expect((await inject(applicant.token, 'POST', '/api/habilitations/requests', { definitionId: DEF, data: {}, forLogin: colleague.token })).statusCode).toBe(
      403,
    );
    const cid = r.json().id as string;
    expect((await transition(colleague.token, cid, 'claim')).statusCode).toBe(403);
    const c = await transition(applicant.token, cid, 'claim');
    expect(c.statusCode, c.body).toBe(200);
    expect(c.json().request.applicant.login).toBe(applicant.login);
  });
});

describe('DataPass API v1', () => {
  it('answers the provider’s OAuth2 client with the scopes it was granted', async () => {
    const app = await inject(admin, 'POST', '/api/gateway/applications', { name: 'Instruction DNUM', organisationCode: 'DNUM' });
    expect(app.statusCode, app.body).toBe(201);
    const apis = (await inject(admin, 'GET', '/api/gateway/apis')).json().items as { slug: string; plans: { id: string }[] }[];
    const plan = apis.find((a) => a.slug === 'habilitations-api')!.plans[0]!;
    expect((await inject(admin, 'POST', `/api/gateway/applications/${app.json().id}/subscriptions`, { planId: plan.id })).statusCode).toBe(201);
    const cl = (await inject(admin, 'POST', `/api/gateway/applications/${app.json().id}/clients`, { authMethod: 'client_secret_basic' })).json();
    const tok = (await clientToken(cl.clientId, cl.clientSecret, 'habilitations-api')).json().access_token as string;
    const list = await t.app.inject({ method: 'GET', url: '/api/habilitations/v1/demandes?limit=500', headers: bearer(tok) });
    expect(list.statusCode, list.body).toBe(200);
    const first = list.json()[0];
    expect(first).toMatchObject({ definition_id: DEF, type: `AuthorizationRequest::${DEF}` });
    const one = await t.app.inject({ method: 'GET', url: `/api/habilitations/v1/demandes/${first.id}/events`, headers: bearer(tok) });
    expect(one.json()[0]).toHaveProperty('name');
    const me = await t.app.inject({ method: 'GET', url: '/api/habilitations/v1/me', headers: bearer(tok) });
    expect(me.json()).toMatchObject({ organisation: 'DNUM', definitions: [DEF] });
    expect((await t.app.inject({ method: 'GET', url: '/api/habilitations/v1/demandes' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/habilitations/v1/demandes', headers: bearer(admin) })).statusCode).toBe(401);
  });
});

describe('statistics and open data', () => {
  it('gives volumes and times per definition, and the open CSV of active habilitations', async () => {
    const s = await inject(instructor.token, 'GET', `/api/habilitations/stats?definitionId=${DEF}`);
    expect(s.statusCode, s.body).toBe(200);
    expect(s.json().items[0].volumes.submitted).toBeGreaterThan(0);
    expect(s.json().items[0].backlogSeries).toHaveLength(12);
    expect((await inject(stranger.token, 'GET', `/api/habilitations/stats?definitionId=${DEF}`)).statusCode).toBe(403);
    const all = await inject(admin, 'GET', '/api/habilitations/stats');
    expect(all.statusCode, all.body).toBe(200);
    // The stored figures (kept by the trigger in every transition's transaction) equal a scan of the requests.
    const sorted = <T extends { definitionId: string }>(xs: T[]) => [...xs].sort((a, b) => a.definitionId.localeCompare(b.definitionId));
    const now = t.clock.now();
    expect(sorted(await definitionStats(t.ctx.db, now))).toEqual(sorted(await statsByScan(t.ctx.db, now)));
    expect(all.json().items.map((x: { definitionId: string }) => x.definitionId)).toContain(DEF);
    const od = await t.app.inject({ method: 'GET', url: '/api/habilitations/opendata' });
    expect(od.statusCode).toBe(200);
    expect(od.body).toContain('siret');
  });
});

async function waitFor(pred: () => boolean) {
  for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(pred()).toBe(true);
}

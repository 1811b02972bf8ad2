import http from 'node:http';
import type net from 'node:net';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { FixedClock } from '../../platform/clock.ts';
import { jobs } from '../../platform/jobs/jobs.table.ts';
import { decesWebhooks } from './deces.table.ts';
import { MSG, WEBHOOK_JOB } from './webhooks.ts';

/**
 * matchID's webhooks (deces-backend `webhook.controller.spec.ts`, `bulk.webhook.spec.ts`) against a real
 * receiver on this machine: register, challenge, status, delete; bulk jobs refused with an unvalidated
 * webhook, and the events of a job delivered, signed, to a validated one.
 */
let t: TestPlatform;
const clock = new FixedClock(new Date('2026-06-01T08:00:00Z'));
const api = (u: string) => `/deces/api/v1${u}`;

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
const received: Received[] = [];
/** What the receiver answers to a challenge: the challenge (as JSON), nothing useful, or an error. */
let mode: 'echo' | 'ignore' | 'error' | 'plain' = 'echo';
let challengeToEcho = '';
let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      const event = (JSON.parse(body || '{}') as { event?: string }).event;
      if (event === 'challenge' && mode === 'error') return res.writeHead(500).end();
      if (event === 'challenge' && mode === 'plain') return res.writeHead(200, { 'content-type': 'text/plain' }).end(challengeToEcho);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(event === 'challenge' && mode === 'echo' ? { challenge: challengeToEcho } : { ok: true }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  t = await createTestPlatform({ clock, startJobs: true, env: { DECES_WEBHOOK_ALLOW_PRIVATE: 'true' } });
}, 120_000);
afterAll(async () => {
  await t?.teardown();
  server?.close();
});
beforeEach(() => {
  received.length = 0;
  mode = 'echo';
});

const hook = (token: string, url: string, action: string) =>
  t.app
    .inject({ method: 'POST', url: api('/webhook'), payload: { url, action }, headers: bearer(token) })
    .then((r) => ({ code: r.statusCode, body: r.json() }));

function bulkForm(content: string, fields: Record<string, string>) {
  const boundary = '----hook' + Math.random().toString(16).slice(2);
  const parts = Object.entries({ lastName: 'Nom', firstName: 'Prenom', birthDate: 'DateNaissance', ...fields }).map(
    ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
  );
  parts.push(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.csv"\r\nContent-Type: text/csv\r\n\r\n${content}\r\n--${boundary}--\r\n`,
  );
  return { payload: parts.join(''), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
const submit = (token: string, content: string, fields: Record<string, string>) => {
  const f = bulkForm(content, fields);
  return t.app.inject({ method: 'POST', url: api('/search/csv'), payload: f.payload, headers: { ...f.headers, ...bearer(token) } });
};

async function until<T>(what: () => T | undefined | false, label: string): Promise<T> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    const v = what();
    if (v) return v;
    t.ctx.jobs.notify();
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${label}`);
}
const eventsOf = (jobId: string) =>
  received.filter((r) => r.body.includes(jobId)).map((r) => JSON.parse(r.body) as { event: string; jobId: string; url?: string });

async function validated(token: string, url: string) {
  const reg = await hook(token, url, 'register');
  challengeToEcho = reg.body.challenge;
  expect((await hook(token, url, 'challenge')).body.status).toBe('validated');
  return reg.body.challenge as string;
}

describe('POST /webhook (matchID)', () => {
  it('runs the registration workflow: register, the same challenge again, status, challenge, validated', async () => {
    const u = await t.tokenFor('reader');
    const url = `${base}/hooks/a`;
    expect(await hook(u.token, url, 'challenge')).toEqual({ code: 200, body: expect.objectContaining({ status: 'failed', msg: MSG.noRecord }) });

    const reg = await hook(u.token, url, 'register');
    expect(reg.body).toMatchObject({ status: 'initiated', msg: MSG.challenge });
    expect(reg.body.challenge).toMatch(/^[0-9a-f]{32}$/);
    expect((await hook(u.token, url, 'register')).body.challenge).toBe(reg.body.challenge);
    expect((await hook(u.token, url, 'status')).body).toEqual({ status: 'waiting for challenge', msg: MSG.challenge });

    // An answer that does not hold the challenge proves nothing (matchID lets it pass).
    mode = 'ignore';
    const ignored = await hook(u.token, url, 'challenge');
    expect(ignored.body).toMatchObject({ status: 'failed', msg: 'Challenge not found in response' });
    expect(ignored.body.detail).toMatch(/ne contient pas le défi/);
    expect(received.at(-1)!.body).toBe('{"event":"challenge"}');
    mode = 'plain';
    challengeToEcho = reg.body.challenge;
    expect((await hook(u.token, url, 'challenge')).body.msg).toBe('Invalid content type. Response must be text/html or application/json');

    mode = 'echo';
    expect((await hook(u.token, url, 'challenge')).body).toMatchObject({ status: 'validated', msg: MSG.validated });
    expect((await hook(u.token, url, 'status')).body).toEqual({ status: 'validated' });
    expect((await hook(u.token, url, 'register')).body).toMatchObject({ status: 'validated', msg: MSG.alreadyRegistered });
    expect((await hook(u.token, url, 'challenge')).body).toMatchObject({ status: 'validated', msg: MSG.alreadyValidated });

    // The challenge is encrypted at rest.
    const [row] = await t.ctx.db.select().from(decesWebhooks).where(eq(decesWebhooks.url, url));
    expect(row!.challengeSealed).not.toContain(reg.body.challenge);

    expect((await hook(u.token, url, 'delete')).body).toEqual({ status: 'deleted', msg: MSG.deleted });
    expect((await hook(u.token, url, 'status')).body).toEqual({ status: 'no record found' });
    expect((await hook(u.token, url, 'delete')).body).toEqual({ status: 'no record found' });
  });

  it('is each account’s own: another account neither sees, deletes nor uses it', async () => {
    const a = await t.tokenFor('reader');
    const b = await t.tokenFor('reader');
    const url = `${base}/hooks/own`;
    await validated(a.token, url);
    expect((await hook(b.token, url, 'status')).body).toEqual({ status: 'no record found' });
    expect((await hook(b.token, url, 'delete')).body).toEqual({ status: 'no record found' });
    const r = await submit(b.token, 'Nom;Prenom;DateNaissance\nDUPONT;Jean;01/02/1950', { webhook: url });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ msg: MSG.mustValidate, errors: [{ field: 'webhook' }] });
    expect((await hook(a.token, url, 'status')).body).toEqual({ status: 'validated' });
  });

  it('bans after five failed challenges, for four hours, then starts afresh', async () => {
    const u = await t.tokenFor('reader');
    const url = `${base}/hooks/ban`;
    const first = (await hook(u.token, url, 'register')).body.challenge;
    mode = 'error';
    for (let i = 0; i < 4; i++) expect((await hook(u.token, url, 'challenge')).body.status).toBe('failed');
    expect((await hook(u.token, url, 'challenge')).body).toMatchObject({ status: 'banned', msg: MSG.banned });
    expect((await hook(u.token, url, 'status')).body.msg).toContain('4 hours');
    expect((await hook(u.token, url, 'register')).body.status).toBe('banned');
    clock.advance(4 * 3600_000 + 1000);
    const again = (await hook(u.token, url, 'register')).body;
    expect(again.status).toBe('initiated');
    expect(again.challenge).not.toBe(first);
  });

  it('refuses an unknown action and a missing URL, naming the field', async () => {
    const u = await t.tokenFor('reader');
    const r = await t.app.inject({ method: 'POST', url: api('/webhook'), payload: { url: `${base}/x`, action: 'steal' }, headers: bearer(u.token) });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0].field).toBe('body.action');
    const anonymous = await t.app.inject({ method: 'POST', url: api('/webhook'), payload: { url: `${base}/x`, action: 'status' } });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('bulk jobs and their webhook', () => {
  it('refuses a bulk job whose webhook is not validated, with matchID’s message', async () => {
    const u = await t.tokenFor('reader');
    const url = `${base}/hooks/unvalidated`;
    await hook(u.token, url, 'register');
    for (const field of ['webhook', 'webhookUrl']) {
      const r = await submit(u.token, 'Nom;Prenom;DateNaissance\nDUPONT;Jean;01/02/1950', { [field]: url });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ msg: MSG.mustValidate, errors: [{ field }] });
    }
  });

  it('tells a validated webhook started, completed (with the result page) and, when results expire, deleted — each signed', async () => {
    const u = await t.tokenFor('reader');
    const url = `${base}/hooks/job`;
    const challenge = await validated(u.token, url);
    received.length = 0;
    const r = await submit(u.token, 'Nom;Prenom;DateNaissance\nDUPONT;Jean;01/02/1950\nMARTIN;Marie;03/04/1960', { webhook: url, tmpfilePersistence: '60000' });
    expect(r.statusCode).toBe(200);
    const id = (r.json() as { id: string }).id;
    expect((await t.ctx.jobs.waitFor(id, 60_000)).state).toBe('succeeded');
    await until(() => eventsOf(id).some((e) => e.event === 'completed'), 'completed');
    const events = eventsOf(id);
    expect(events.map((e) => e.event)).toEqual(['started', 'completed']);
    expect(events[1]!.url).toBe(`${t.ctx.env.publicUrl}/deces/appariement?tache=${id}`);
    for (const m of received.filter((x) => x.body.includes(id))) {
      expect(m.path).toBe('/hooks/job');
      expect(m.headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', challenge).update(m.body).digest('hex')}`);
    }

    // `deleted` waits for the end of the results' retention (tmpfilePersistence), then goes.
    const [pending] = await t.ctx.db.select().from(jobs).where(eq(jobs.type, WEBHOOK_JOB));
    expect(pending).toBeDefined();
    clock.advance(61_000);
    t.ctx.jobs.notify();
    await until(() => eventsOf(id).some((e) => e.event === 'deleted'), 'deleted');
    const expired = await t.app.inject({ url: api(`/search/csv/${id}`), headers: bearer(u.token) });
    expect(expired.json()).toMatchObject({ msg: 'Job succeeded but results expired' });
  });

  it('tells it failed when the job fails for good', async () => {
    const u = await t.tokenFor('reader');
    const url = `${base}/hooks/fail`;
    await validated(u.token, url);
    // A record longer than any CSV line: the job fails at once (permanent).
    const r = await submit(u.token, `Nom;Prenom;DateNaissance\nDUPONT;Jean;${'x'.repeat(70_000)}`, { webhook: url });
    expect(r.statusCode).toBe(200);
    const id = (r.json() as { id: string }).id;
    const done = await t.ctx.jobs.waitFor(id, 60_000);
    expect(done.state, JSON.stringify([done.result, done.error])).toBe('failed');
    await until(() => eventsOf(id).some((e) => e.event === 'failed'), 'failed');
    expect(eventsOf(id).map((e) => e.event)).toEqual(['started', 'failed']);
  });

  it('sends nothing to a webhook deleted in the meantime', async () => {
    const u = await t.tokenFor('reader');
    const url = `${base}/hooks/gone`;
    await validated(u.token, url);
    await hook(u.token, url, 'delete');
    const r = await submit(u.token, 'Nom;Prenom;DateNaissance\nDUPONT;Jean;01/02/1950', { webhook: url });
    expect(r.statusCode).toBe(400);
  });
});

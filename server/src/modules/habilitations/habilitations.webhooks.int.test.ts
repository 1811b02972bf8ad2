import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { startSmtpServer } from '../../../test/smtp.ts';
import { MAX_FAILURES, WEBHOOK_JOB } from './notify.ts';

/**
 * A webhook whose receiver keeps failing: each attempt is stored, the 5th consecutive failure disables the
 * webhook and tells its developer by e-mail; a stored attempt can be replayed once the receiver is fixed (issue 14).
 */
let t: TestPlatform;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let admin: string;
let failing = true;
const hits: { test: boolean }[] = [];
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { test?: boolean };
    hits.push({ test: body.test === true });
    // The test payload sent at creation is accepted; events fail while `failing` holds.
    res.statusCode = body.test || !failing ? 200 : 500;
    res.end(res.statusCode === 200 ? '{}' : 'panne du récepteur');
  });
});
const DEF = 'api_webhooks_test';
const inject = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: bearer(admin), ...(payload !== undefined ? { payload: payload as object } : {}) });

beforeAll(async () => {
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  smtp = await startSmtpServer();
  t = await createTestPlatform({ env: { HABILITATIONS_WEBHOOK_ALLOW_PRIVATE: 'true', SMTP_URL: smtp.url }, startJobs: true });
  const a = await t.tokenFor('admin');
  admin = a.token;
  await t.ctx.usersRepo.update(a.userId, { email: 'developpeur@interieur.gouv.fr' });
  const api = await inject('POST', '/api/gateway/apis', {
    slug: 'webhooks-test',
    name: 'API de test des webhooks',
    upstreamUrl: 'platform:/api/health',
    allowPrivateUpstream: true,
    organisationCode: 'DNUM',
    visibility: 'restricted',
  });
  expect(api.statusCode, api.body).toBe(201);
  const plan = await inject('POST', `/api/gateway/apis/${api.json().id}/plans`, {
    slug: 'habilitation',
    name: 'Sur habilitation',
    perSecond: 10,
    approval: 'manual',
    scopes: ['lecture'],
  });
  expect(plan.statusCode, plan.body).toBe(201);
  const def = await inject('PUT', `/api/habilitations/definitions/${DEF}`, {
    name: 'API de test des webhooks',
    providerCode: 'DNUM',
    apiSlug: 'webhooks-test',
    planSlug: 'habilitation',
    credentialKind: 'api_key',
    blocks: ['basic_infos', 'organisation', 'scopes', 'contacts', 'cgu'],
    scopes: [{ value: 'lecture', label: 'Lecture', group: 'Données' }],
    eligibility: [{ who: 'Une administration', answer: 'yes' }],
  });
  expect(def.statusCode, def.body).toBe(200);
}, 120_000);
afterAll(async () => {
  await t?.teardown();
  await smtp?.close();
  await new Promise<void>((r) => receiver.close(() => r()));
});

describe('webhook failures', () => {
  it('stores each attempt, disables the webhook after 5 consecutive failures with an e-mail, and replays an attempt', async () => {
    const port = (receiver.address() as net.AddressInfo).port;
    const created = await inject('POST', '/api/habilitations/webhooks', {
      definitionId: DEF,
      url: `http://127.0.0.1:${port}/hook`,
      secret: 'un-secret-partage-de-test-0123456789',
      events: ['approve'],
    });
    expect(created.statusCode, created.body).toBe(201);
    const hook = created.json().webhook as { id: string; enabled: boolean };
    expect(hook.enabled).toBe(true);
    expect(hits).toEqual([{ test: true }]);

    // Five deliveries of an event in a row, each failing (retries are delayed: each delivery here is a first attempt).
    for (let i = 1; i <= MAX_FAILURES; i++) {
      const job = await t.ctx.jobs.enqueue(
        WEBHOOK_JOB,
        { webhookId: hook.id, requestId: null, event: 'approve', payload: { event: 'approve', n: i }, attempt: 1 },
        { maxAttempts: 1 },
      );
      expect((await t.ctx.jobs.waitFor(job.id, 20_000)).state).toBe('succeeded');
      const list = ((await inject('GET', '/api/habilitations/webhooks')).json() as { items: { id: string; enabled: boolean; consecutiveFailures: number }[] })
        .items;
      const w = list.find((x) => x.id === hook.id)!;
      expect(w.consecutiveFailures).toBe(i);
      expect(w.enabled).toBe(i < MAX_FAILURES);
    }
    const mail = await smtp.waitFor((m) => m.subject.includes('Webhook désactivé'));
    expect(mail.to).toEqual(['developpeur@interieur.gouv.fr']);
    expect(mail.text).toContain(`http://127.0.0.1:${port}/hook`);

    // Attempts are stored with the receiver's answer.
    const attempts = (await inject('GET', `/api/habilitations/webhooks/${hook.id}/attempts`)).json() as {
      items: { id: string; event: string; status_code: number | null; response_body: string | null }[];
    };
    const failed = attempts.items.filter((a) => a.event === 'approve');
    expect(failed).toHaveLength(MAX_FAILURES);
    expect(failed.every((a) => a.status_code === 500 && a.response_body === 'panne du récepteur')).toBe(true);

    // A disabled webhook receives nothing more.
    const before = hits.length;
    const skipped = await t.ctx.jobs.enqueue(
      WEBHOOK_JOB,
      { webhookId: hook.id, requestId: null, event: 'approve', payload: { event: 'approve' }, attempt: 1 },
      { maxAttempts: 1 },
    );
    await t.ctx.jobs.waitFor(skipped.id, 20_000);
    expect(hits.length).toBe(before);

    // The receiver is fixed and the webhook enabled again: a stored attempt is replayed and succeeds.
    failing = false;
    expect((await inject('POST', `/api/habilitations/webhooks/${hook.id}/enabled`, { enabled: true })).statusCode).toBe(200);
    const replay = await inject('POST', `/api/habilitations/webhooks/${hook.id}/attempts/${failed[0]!.id}/replay`);
    expect(replay.statusCode, replay.body).toBe(202);
    for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
      const items = (
        (await inject('GET', `/api/habilitations/webhooks/${hook.id}/attempts`)).json() as { items: { event: string; status_code: number | null }[] }
      ).items;
      if (items.some((a) => a.event === 'approve' && a.status_code === 200)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const after = (
      (await inject('GET', `/api/habilitations/webhooks/${hook.id}/attempts`)).json() as { items: { event: string; status_code: number | null }[] }
    ).items;
    expect(after.filter((a) => a.event === 'approve' && a.status_code === 200)).toHaveLength(1);
    const w = ((await inject('GET', '/api/habilitations/webhooks')).json() as { items: { id: string; consecutiveFailures: number }[] }).items.find(
      (x) => x.id === hook.id,
    )!;
    expect(w.consecutiveFailures).toBe(0);
  }, 120_000);
});

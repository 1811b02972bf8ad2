import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { startSmtpServer } from '../../../test/smtp.ts';
import { FixedClock } from '../../platform/clock.ts';
import { MAX_FAILURES, WEBHOOK_JOB, retryDelayMs } from './notify.ts';

/**
 * Retries of a failing webhook, on the injectable clock (no sleeps): each failure schedules the next attempt
 * with a growing delay; the next attempt runs once the clock reaches it; the 5th consecutive failure disables
 * the webhook, schedules nothing more and e-mails its developer (issue 14).
 */
const clock = new FixedClock(new Date('2026-05-04T08:00:00Z'));
let t: TestPlatform;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let admin: string;
const received: { attempt: number; signature: string | undefined }[] = [];
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { test?: boolean; n?: number };
    if (!body.test) received.push({ attempt: received.length + 1, signature: req.headers['x-hub-signature-256'] as string | undefined });
    res.statusCode = body.test ? 200 : 503;
    res.end(body.test ? '{}' : 'indisponible');
  });
});
const DEF = 'api_retries_test';
const inject = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: bearer(admin), ...(payload !== undefined ? { payload: payload as object } : {}) });
const queuedDeliveries = () =>
  t.ctx.database.query<{ id: string; run_after: Date | string; payload: { attempt: number } }>(
    `select id, run_after, payload from jobs where type = $1 and state = 'queued'`,
    [WEBHOOK_JOB],
  );

beforeAll(async () => {
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  smtp = await startSmtpServer();
  t = await createTestPlatform({ clock, env: { HABILITATIONS_WEBHOOK_ALLOW_PRIVATE: 'true', SMTP_URL: smtp.url }, startJobs: true });
  const a = await t.tokenFor('admin');
  admin = a.token;
  await t.ctx.usersRepo.update(a.userId, { email: 'dev-retries@interieur.gouv.fr' });
  const api = await inject('POST', '/api/gateway/apis', {
    slug: 'retries-test',
    name: 'API de test des relances',
    upstreamUrl: 'platform:/api/health',
    allowPrivateUpstream: true,
    organisationCode: 'DNUM',
    visibility: 'restricted',
  });
  expect(api.statusCode, api.body).toBe(201);
  const plan = await inject('POST', `/api/gateway/apis/${api.json().id}/plans`, { slug: 'habilitation', name: 'Sur habilitation', scopes: ['lecture'] });
  expect(plan.statusCode, plan.body).toBe(201);
  const def = await inject('PUT', `/api/habilitations/definitions/${DEF}`, {
    name: 'API de test des relances',
    providerCode: 'DNUM',
    apiSlug: 'retries-test',
    planSlug: 'habilitation',
    credentialKind: 'api_key',
    blocks: ['basic_infos', 'scopes', 'cgu'],
    scopes: [{ value: 'lecture', label: 'Lecture' }],
  });
  expect(def.statusCode, def.body).toBe(200);
}, 120_000);
afterAll(async () => {
  await t?.teardown();
  await smtp?.close();
  await new Promise<void>((r) => receiver.close(() => r()));
});

describe('webhook retries', () => {
  it('retries with growing delays on the clock, and disables the webhook after 5 failures with an e-mail', async () => {
    const port = (receiver.address() as net.AddressInfo).port;
    const created = await inject('POST', '/api/habilitations/webhooks', {
      definitionId: DEF,
      url: `http://127.0.0.1:${port}/relances`,
      secret: 'un-secret-partage-de-relances-0123456789',
      events: ['approve'],
    });
    expect(created.statusCode, created.body).toBe(201);
    const hook = created.json().webhook as { id: string };

    const first = await t.ctx.jobs.enqueue(
      WEBHOOK_JOB,
      { webhookId: hook.id, requestId: null, event: 'approve', payload: { event: 'approve', model_id: 1 }, attempt: 1 },
      { maxAttempts: 1 },
    );
    expect((await t.ctx.jobs.waitFor(first.id, 20_000)).state).toBe('succeeded');
    let previousDelay = 0;
    for (let n = 1; n < MAX_FAILURES; n++) {
      // Failure n scheduled attempt n+1 at now + retryDelayMs(n), longer than the previous delay.
      const queued = await queuedDeliveries();
      expect(queued).toHaveLength(1);
      const next = queued[0]!;
      expect(next.payload.attempt).toBe(n + 1);
      const delay = new Date(next.run_after).getTime() - clock.now().getTime();
      expect(delay).toBe(retryDelayMs(n));
      expect(delay).toBeGreaterThan(previousDelay);
      previousDelay = delay;
      expect(received).toHaveLength(n);
      // The clock reaches the retry: a node takes it.
      clock.advance(delay);
      t.ctx.jobs.notify();
      expect((await t.ctx.jobs.waitFor(next.id, 20_000)).state).toBe('succeeded');
      expect(received).toHaveLength(n + 1);
    }
    // The 5th consecutive failure: disabled, nothing more scheduled, the developer is told.
    expect(await queuedDeliveries()).toHaveLength(0);
    const w = (
      (await inject('GET', '/api/habilitations/webhooks')).json() as { items: { id: string; enabled: boolean; consecutiveFailures: number }[] }
    ).items.find((x) => x.id === hook.id)!;
    expect(w).toMatchObject({ enabled: false, consecutiveFailures: MAX_FAILURES });
    const mail = await smtp.waitFor((m) => m.subject.includes('Webhook désactivé'));
    expect(mail.to).toEqual(['dev-retries@interieur.gouv.fr']);
    expect(mail.text).toContain(`http://127.0.0.1:${port}/relances`);
    // Every attempt is stored with its number and the receiver's answer, and each was signed.
    const attempts = (await inject('GET', `/api/habilitations/webhooks/${hook.id}/attempts`)).json() as {
      items: { event: string; attempt: number; status_code: number | null; response_body: string | null }[];
    };
    const tries = attempts.items.filter((a) => a.event === 'approve');
    expect(tries.map((a) => a.attempt).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(tries.every((a) => a.status_code === 503 && a.response_body === 'indisponible')).toBe(true);
    expect(received.every((r) => /^sha256=[0-9a-f]{64}$/.test(r.signature ?? ''))).toBe(true);
  }, 120_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { FixedClock } from '../../platform/clock.ts';
import { completeData } from './habilitations.seed.ts';

/** Expiry of habilitations: reminders at D-30 and D-7 (once each), access cut at expiry, renewal by reopening. */
const clock = new FixedClock(new Date('2026-03-01T09:00:00Z'));
let t: TestPlatform;
const DAY = 86400_000;
const blocks = ['basic_infos', 'scopes', 'cgu'];

beforeAll(async () => {
  t = await createTestPlatform({ clock });
});
afterAll(async () => t?.teardown());

describe('expiry', () => {
  it('reminds at D-30 and D-7, then cuts the access and lets the applicant renew', async () => {
    const admin = (await t.tokenFor('admin')).token;
    const applicant = (await t.tokenFor('reader', { organisationCode: 'DMAT' })).token;
    const api = await t.app.inject({
      method: 'POST',
      url: '/api/gateway/apis',
      headers: bearer(admin),
      payload: { slug: 'expirante', name: 'Expirante', upstreamUrl: 'http://127.0.0.1:9', organisationCode: 'DNUM', allowPrivateUpstream: true },
    });
    await t.app.inject({
      method: 'POST',
      url: `/api/gateway/apis/${api.json().id}/plans`,
      headers: bearer(admin),
      payload: { slug: 'habilitation', name: 'Sur habilitation', scopes: ['x'] },
    });
    const def = await t.app.inject({
      method: 'PUT',
      url: '/api/habilitations/definitions/expirante',
      headers: bearer(admin),
      payload: {
        name: 'Expirante',
        providerCode: 'DNUM',
        apiSlug: 'expirante',
        planSlug: 'habilitation',
        credentialKind: 'api_key',
        validityMonths: 2,
        blocks,
        scopes: [{ value: 'x', label: 'X' }],
      },
    });
    expect(def.statusCode, def.body).toBe(200);
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/habilitations/requests',
      headers: bearer(applicant),
      payload: { definitionId: 'expirante', data: completeData(blocks, ['x'], 1) },
    });
    const id = r.json().id as string;
    await t.app.inject({ method: 'POST', url: `/api/habilitations/requests/${id}/transitions/submit`, headers: bearer(applicant), payload: {} });
    const ok = await t.app.inject({ method: 'POST', url: `/api/habilitations/requests/${id}/transitions/approve`, headers: bearer(admin), payload: {} });
    expect(ok.statusCode, ok.body).toBe(200);
    const hab = ok.json().habilitation;
    expect(new Date(hab.expiresAt).getTime()).toBe(clock.now().getTime() + 60 * DAY);
    const svc = t.services.habilitations!;
    expect(await svc.expiryRound()).toEqual({ reminded: 0, expired: 0 });
    // Two rounds at once (two nodes whose hourly timers fire together): the reminder is sent once.
    const both = async () => {
      const [a, b] = await Promise.all([svc.expiryRound(), svc.expiryRound()]);
      return { reminded: a.reminded + b.reminded, expired: a.expired + b.expired };
    };
    clock.advance(35 * DAY); // 25 days left
    expect(await both()).toEqual({ reminded: 1, expired: 0 });
    expect(await svc.expiryRound()).toEqual({ reminded: 0, expired: 0 });
    clock.advance(20 * DAY); // 5 days left
    expect(await both()).toEqual({ reminded: 1, expired: 0 });
    clock.advance(6 * DAY);
    expect(await both()).toEqual({ reminded: 0, expired: 1 });
    const d = (await t.app.inject({ method: 'GET', url: `/api/habilitations/requests/${id}`, headers: bearer(applicant) })).json();
    expect(d.habilitations[0].state).toBe('obsolete');
    // D-30, D-7 and the expiry: one event each, whatever the number of rounds that saw them.
    expect(d.events.filter((e: { name: string }) => e.name === 'system_reminder')).toHaveLength(3);
    const sub = (
      await t.ctx.database.query<{ state: string }>('select state from gw_subscriptions where id = $1', [
        d.habilitations[0].credential ? (await svc.repo.authorization(hab.id))!.gatewaySubscriptionId : null,
      ])
    )[0];
    expect(sub?.state).toBe('revoked');
    // Renewal: one click reopens the request with its data.
    const tr = (who: string, name: string) =>
      t.app.inject({ method: 'POST', url: `/api/habilitations/requests/${id}/transitions/${name}`, headers: bearer(who), payload: {} });
    expect((await tr(applicant, 'reopen')).statusCode).toBe(200);
    expect((await tr(applicant, 'submit')).statusCode).toBe(200);
    const renewed = await tr(admin, 'approve');
    expect(renewed.statusCode, renewed.body).toBe(200);
    expect(renewed.json().habilitation.state).toBe('active');
    // The old credential was revoked at expiry: a new one is issued, through a new one-time link.
    expect(renewed.json().revealUrl).toMatch(/\/habilitations\/secret\//);
  });
});

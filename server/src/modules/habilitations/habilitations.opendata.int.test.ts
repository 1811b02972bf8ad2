import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { FixedClock } from '../../platform/clock.ts';
import { ValidationError } from '../../platform/errors.ts';
import { completeData } from './habilitations.seed.ts';
import { OPENDATA_JOB } from './opendata.ts';

/** The monthly open data file: written by its job to the blob store once the month has ended, listed and served publicly, never rewritten. */
const clock = new FixedClock(new Date('2026-03-10T09:00:00Z'));
let t: TestPlatform;
const blocks = ['basic_infos', 'organisation', 'scopes', 'cgu'];

beforeAll(async () => {
  t = await createTestPlatform({ clock, startJobs: true });
});
afterAll(async () => t?.teardown());

describe('monthly open data', () => {
  it('publishes the ended month to the blob store, lists it and serves it to anyone', async () => {
    const admin = (await t.tokenFor('admin')).token;
    const applicant = (await t.tokenFor('reader', { organisationCode: 'DMAT' })).token;
    const api = await t.app.inject({
      method: 'POST',
      url: '/api/gateway/apis',
      headers: bearer(admin),
      payload: { slug: 'ouverte', name: 'API ouverte', upstreamUrl: 'http://127.0.0.1:9', organisationCode: 'DNUM', allowPrivateUpstream: true },
    });
    await t.app.inject({
      method: 'POST',
      url: `/api/gateway/apis/${api.json().id}/plans`,
      headers: bearer(admin),
      payload: { slug: 'habilitation', name: 'Sur habilitation', scopes: ['x', 'y'] },
    });
    const def = await t.app.inject({
      method: 'PUT',
      url: '/api/habilitations/definitions/ouverte',
      headers: bearer(admin),
      payload: {
        name: 'API ouverte',
        providerCode: 'DNUM',
        apiSlug: 'ouverte',
        planSlug: 'habilitation',
        credentialKind: 'api_key',
        blocks,
        scopes: [
          { value: 'x', label: 'X' },
          { value: 'y', label: 'Y' },
        ],
      },
    });
    expect(def.statusCode, def.body).toBe(200);
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/habilitations/requests',
      headers: bearer(applicant),
      payload: { definitionId: 'ouverte', data: completeData(blocks, ['x', 'y'], 1) },
    });
    const id = r.json().id as string;
    const tr = (who: string, name: string, payload: object = {}) =>
      t.app.inject({ method: 'POST', url: `/api/habilitations/requests/${id}/transitions/${name}`, headers: bearer(who), payload });
    expect((await tr(applicant, 'submit')).statusCode).toBe(200);
    const ok = await tr(admin, 'approve');
    expect(ok.statusCode, ok.body).toBe(200);
    const slug = ok.json().habilitation.slug as string;
    const siret = ok.json().habilitation.siret as string;

    const exportsSvc = t.services.habilitationsOpenData!;
    // March has not ended: it cannot be published yet.
    await expect(exportsSvc.publish('2026-03')).rejects.toBeInstanceOf(ValidationError);
    expect((await t.app.inject({ method: 'GET', url: '/api/habilitations/opendata/exports' })).json().items).toEqual([]);

    // April 1st: the monthly job publishes March.
    clock.set('2026-04-01T01:00:00Z');
    const job = await t.ctx.jobs.enqueue(OPENDATA_JOB, {});
    const done = await t.ctx.jobs.waitFor(job.id, 20_000);
    expect(done.state, done.error ?? '').toBe('succeeded');
    expect(done.result).toMatchObject({ month: '2026-03', published: true, rows: 1 });

    // Listed and served without authentication.
    const list = await t.app.inject({ method: 'GET', url: '/api/habilitations/opendata/exports' });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toEqual([
      expect.objectContaining({ month: '2026-03', file: 'habilitations-2026-03.csv', url: '/api/habilitations/opendata/exports/habilitations-2026-03.csv' }),
    ]);
    const file = await t.app.inject({ method: 'GET', url: '/api/habilitations/opendata/exports/habilitations-2026-03.csv' });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toContain('text/csv');
    const lines = file.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toBe('habilitation;api;organisation;siret;perimetre;date_debut;date_fin');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(slug);
    expect(lines[1]).toContain(siret);
    expect(lines[1]).toContain('x y');
    expect(file.body).not.toContain('@'); // no person: no e-mail address

    // Revoked in April: March's file stays what was true at its end, and a second run rewrites nothing.
    expect((await tr(admin, 'revoke', { message: 'Fin du projet.' })).statusCode).toBe(200);
    const again = await t.ctx.jobs.waitFor((await t.ctx.jobs.enqueue(OPENDATA_JOB, {})).id, 20_000);
    expect(again.result).toMatchObject({ month: '2026-03', published: false });
    const still = await t.app.inject({ method: 'GET', url: '/api/habilitations/opendata/exports/habilitations-2026-03.csv' });
    expect(still.body).toBe(file.body);

    // A month not published, a file name that is not one.
    const missing = await t.app.inject({ method: 'GET', url: '/api/habilitations/opendata/exports/habilitations-2026-01.csv' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().detail).toContain('2026-01');
    const bad = await t.app.inject({ method: 'GET', url: '/api/habilitations/opendata/exports/..%2Fsecret.csv' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('file');
  });
});

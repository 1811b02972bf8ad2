import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { definitionStats } from './habilitations.stats.ts';

/** The statistics' figures on known dates: volumes, backlog per month end, percentiles (ADR 0608). */
let t: TestPlatform;
const now = new Date('2026-06-15T12:00:00Z');

beforeAll(async () => {
  t = await createTestPlatform();
  const admin = (await t.tokenFor('admin')).token;
  const def = await t.app.inject({
    method: 'PUT',
    url: '/api/habilitations/definitions/stats_test',
    headers: bearer(admin),
    payload: { name: 'Statistiques', providerCode: 'DNUM', credentialKind: 'api_key', blocks: ['basic_infos', 'cgu'], scopes: [] },
  });
  expect(def.statusCode, def.body).toBe(200);
  const row = (state: string, created: string, submitted: string | null, first: string | null, final: string | null) =>
    t.ctx.database.query(
      `insert into hab_requests (definition_id, form_uid, state, data, intitule, created_at, updated_at, first_submitted_at, last_submitted_at, first_decision_at, final_decision_at, last_validated_at)
       values ('stats_test', $1, $2, '{}'::jsonb, 'x', $3, $3, $4, $4, $5, $6, $7)`,
      ['stats-libre', state, created, submitted, first, final, state === 'validated' ? final : null],
    );
  await row('validated', '2026-01-10T00:00:00Z', '2026-01-11T00:00:00Z', '2026-01-13T00:00:00Z', '2026-02-05T00:00:00Z');
  await row('submitted', '2026-03-01T00:00:00Z', '2026-03-03T00:00:00Z', null, null);
  await row('draft', '2026-05-01T00:00:00Z', null, null, null);
});
afterAll(async () => t?.teardown());

describe('statistics', () => {
  it('counts volumes, the backlog at each month end and the percentiles of the durations', async () => {
    const [s] = await definitionStats(t.ctx.db, now, 'stats_test');
    expect(s!.volumes).toEqual({ submitted: 2, validated: 1, refused: 0, reopened: 0, total: 3 });
    expect(s!.backlog).toBe(1);
    expect(s!.backlogSeries.map((x) => `${x.month}:${x.backlog}`)).toEqual([
      '2025-07:0',
      '2025-08:0',
      '2025-09:0',
      '2025-10:0',
      '2025-11:0',
      '2025-12:0',
      '2026-01:1',
      '2026-02:0',
      '2026-03:1',
      '2026-04:1',
      '2026-05:1',
      '2026-06:1',
    ]);
    expect(s!.timeToSubmit).toEqual({ p50: 36, p80: 43.2 });
    expect(s!.timeToFirstDecision).toEqual({ p50: 48, p80: 48 });
    expect(s!.timeToFinalDecision).toEqual({ p50: 600, p80: 600 });
  });
});

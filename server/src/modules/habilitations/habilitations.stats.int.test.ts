import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestPlatform, type TestPlatform } from '../../../test/harness.ts';
import { statsByScan } from '../../../test/habilitations-stats-reference.ts';
import { definitionStats } from './habilitations.stats.ts';

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

describe('stored statistics (ADR 0608)', () => {
  const byId = <T extends { definitionId: string }>(xs: T[]) => [...xs].sort((a, b) => a.definitionId.localeCompare(b.definitionId));

  it('equal the former aggregate over every request, after inserts, transitions and deletions', async () => {
    const admin = (await t.tokenFor('admin')).token;
    for (const id of ['stats_a', 'stats_b'])
      expect(
        (
          await t.app.inject({
            method: 'PUT',
            url: `/api/habilitations/definitions/${id}`,
            headers: bearer(admin),
            payload: { name: `Statistiques ${id}`, providerCode: 'DNUM', credentialKind: 'api_key', blocks: ['basic_infos', 'cgu'], scopes: [] },
          })
        ).statusCode,
      ).toBe(200);
    // 600 requests with pseudo-random states and dates (seconds apart, so durations have fractions), in SQL.
    await t.ctx.database.query(`
      INSERT INTO hab_requests (definition_id, form_uid, state, data, intitule, created_at, updated_at, first_submitted_at, last_submitted_at, first_decision_at, final_decision_at, last_validated_at, reopened_at)
      SELECT CASE WHEN g % 3 = 0 THEN 'stats_b' ELSE 'stats_a' END, 'f',
        (ARRAY['draft','submitted','changes_requested','validated','refused','archived','revoked'])[1 + (g * 7919 % 7)],
        '{}'::jsonb, 'r' || g, c, c,
        CASE WHEN g * 7919 % 7 > 0 THEN c + interval '1 second' * (g * 104729 % 900000) END,
        CASE WHEN g * 7919 % 7 > 0 THEN c + interval '1 second' * (g * 104729 % 900000) END,
        CASE WHEN g * 7919 % 7 > 1 THEN c + interval '1 second' * (900000 + g * 1299709 % 2000000) END,
        CASE WHEN g * 7919 % 7 IN (3, 4, 6) THEN c + interval '1 second' * (3000000 + g * 15485863 % 5000000) END,
        CASE WHEN g * 7919 % 7 IN (3, 6) THEN c + interval '1 second' * (3000000 + g * 15485863 % 5000000) END,
        CASE WHEN g % 11 = 0 AND g * 7919 % 7 = 3 THEN c + interval '200 days' END
      FROM (SELECT g::bigint AS g, timestamptz '2025-01-01T00:00:00Z' + interval '17 hours 13 minutes' * g AS c FROM generate_series(1, 600) g) s`);
    // After every date (transitions are dated by the clock): the series (2025-10 → 2026-09) spans the data.
    const now = new Date('2026-09-20T08:00:00Z');
    const compare = async () => {
      expect(byId(await definitionStats(t.ctx.db, now))).toEqual(byId(await statsByScan(t.ctx.db, now)));
      for (const id of ['stats_a', 'stats_b']) expect(await definitionStats(t.ctx.db, now, id)).toEqual(await statsByScan(t.ctx.db, now, id));
    };
    await compare();
    // Transitions as the service writes them: a reopened request validated again moves its final decision.
    await t.ctx.database.query(
      `UPDATE hab_requests SET state = 'validated', final_decision_at = final_decision_at + interval '40 days', last_validated_at = final_decision_at + interval '40 days'
       WHERE definition_id = 'stats_a' AND state = 'validated' AND intitule LIKE 'r1%'`,
    );
    await t.ctx.database.query(
      `UPDATE hab_requests SET state = 'changes_requested', first_decision_at = first_submitted_at + interval '3 hours' WHERE state = 'submitted' AND first_decision_at IS NULL AND intitule LIKE 'r2%'`,
    );
    // Changes that count nothing (autosave) leave the counters alone; deletions take their part away.
    await t.ctx.database.query(`UPDATE hab_requests SET data = '{"intitule": "x"}'::jsonb, version = version + 1 WHERE intitule LIKE 'r3%'`);
    await t.ctx.database.query(`DELETE FROM hab_requests WHERE intitule LIKE 'r4%' AND definition_id = 'stats_b'`);
    await compare();
    const [a] = await definitionStats(t.ctx.db, now, 'stats_a');
    expect(a!.volumes.total).toBeGreaterThan(300);
    expect(a!.timeToFinalDecision.p80).not.toBeNull();
  });
});

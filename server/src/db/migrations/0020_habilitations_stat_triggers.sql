-- Stored statistics of the habilitations (ADR 0608): statement-level triggers on hab_requests keep
-- hab_stat_counters, hab_stat_months and hab_stat_durations in the transaction of every change of a
-- request (transitions, creations, seeds, bulk SQL): one grouped upsert per statement, so a bulk insert
-- of 100,000 requests costs a few set operations, not 100,000 updates of the same counters row.
-- The counts are those of the former aggregate over hab_requests, by construction.

-- What a changed request contributes: its counted columns, +1 (new version) or -1 (old version),
-- whether its counted columns changed, whether its durations changed.
CREATE TYPE hab_stats_row AS (
  id uuid,
  definition_id text,
  state text,
  created_at timestamptz,
  first_submitted_at timestamptz,
  first_decision_at timestamptz,
  final_decision_at timestamptz,
  last_validated_at timestamptz,
  reopened_at timestamptz,
  sign integer,
  counted boolean,
  timed boolean
);
--> statement-breakpoint
-- Applies contributions: counters (locked in the order of the definitions' ids, so two statements never
-- lock them in opposite orders), then months, then durations (hours computed exactly as the former
-- aggregate did: `extract(epoch …) / 3600`, numeric, then float8). No counted change: no lock at all.
CREATE OR REPLACE FUNCTION hab_stats_apply(rs hab_stats_row[]) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO hab_stat_counters AS c (definition_id, total, submitted, validated, refused, reopened, backlog, first_decided, final_decided)
  SELECT r.definition_id,
    sum(r.sign),
    sum(r.sign * (r.first_submitted_at IS NOT NULL)::int),
    sum(r.sign * (r.last_validated_at IS NOT NULL)::int),
    sum(r.sign * (r.state = 'refused')::int),
    sum(r.sign * (r.reopened_at IS NOT NULL)::int),
    sum(r.sign * (r.state IN ('submitted', 'changes_requested'))::int),
    sum(r.sign * (r.first_submitted_at IS NOT NULL AND r.first_decision_at IS NOT NULL)::int),
    sum(r.sign * (r.first_submitted_at IS NOT NULL AND r.final_decision_at IS NOT NULL)::int)
  FROM unnest(rs) AS r
  WHERE r.counted
  GROUP BY r.definition_id
  ORDER BY r.definition_id
  ON CONFLICT (definition_id) DO UPDATE SET
    total = c.total + EXCLUDED.total,
    submitted = c.submitted + EXCLUDED.submitted,
    validated = c.validated + EXCLUDED.validated,
    refused = c.refused + EXCLUDED.refused,
    reopened = c.reopened + EXCLUDED.reopened,
    backlog = c.backlog + EXCLUDED.backlog,
    first_decided = c.first_decided + EXCLUDED.first_decided,
    final_decided = c.final_decided + EXCLUDED.final_decided;
  INSERT INTO hab_stat_months AS m (definition_id, month, submitted, decided)
  SELECT x.definition_id, x.month, sum(x.s), sum(x.d)
  FROM (
    SELECT r.definition_id, date_trunc('month', r.first_submitted_at, 'UTC') AS month, r.sign AS s, 0 AS d
    FROM unnest(rs) AS r WHERE r.counted AND r.first_submitted_at IS NOT NULL
    UNION ALL
    SELECT r.definition_id, date_trunc('month', r.final_decision_at, 'UTC'), 0, r.sign
    FROM unnest(rs) AS r WHERE r.counted AND r.final_decision_at IS NOT NULL
  ) AS x
  GROUP BY x.definition_id, x.month
  ORDER BY x.definition_id, x.month
  ON CONFLICT (definition_id, month) DO UPDATE SET submitted = m.submitted + EXCLUDED.submitted, decided = m.decided + EXCLUDED.decided;
  DELETE FROM hab_stat_durations AS h USING unnest(rs) AS r WHERE r.sign = -1 AND r.timed AND h.request_id = r.id;
  INSERT INTO hab_stat_durations (request_id, kind, definition_id, hours)
  SELECT r.id, v.kind, r.definition_id, v.hours
  FROM unnest(rs) AS r
  CROSS JOIN LATERAL (VALUES
    ('submit', (extract(epoch FROM r.first_submitted_at - r.created_at) / 3600)::float8),
    ('first', (extract(epoch FROM r.first_decision_at - r.first_submitted_at) / 3600)::float8),
    ('final', (extract(epoch FROM r.final_decision_at - r.first_submitted_at) / 3600)::float8)) AS v(kind, hours)
  WHERE r.sign = 1 AND r.timed AND r.first_submitted_at IS NOT NULL AND v.hours IS NOT NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION hab_requests_stats_insert() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM hab_stats_apply(ARRAY(
    SELECT ROW(n.id, n.definition_id, n.state, n.created_at, n.first_submitted_at, n.first_decision_at, n.final_decision_at,
      n.last_validated_at, n.reopened_at, 1, true, true)::hab_stats_row
    FROM new_rows AS n));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION hab_requests_stats_delete() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM hab_stats_apply(ARRAY(
    SELECT ROW(o.id, o.definition_id, o.state, o.created_at, o.first_submitted_at, o.first_decision_at, o.final_decision_at,
      o.last_validated_at, o.reopened_at, -1, true, true)::hab_stats_row
    FROM old_rows AS o));
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Autosaves, messages and version bumps change nothing counted: they contribute nothing and lock nothing.
CREATE OR REPLACE FUNCTION hab_requests_stats_update() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  rs hab_stats_row[];
BEGIN
  rs := ARRAY(
    WITH f AS (
      SELECT o.id,
        (o.definition_id, o.state, o.first_submitted_at, o.first_decision_at, o.final_decision_at, o.last_validated_at, o.reopened_at)
          IS DISTINCT FROM (n.definition_id, n.state, n.first_submitted_at, n.first_decision_at, n.final_decision_at, n.last_validated_at, n.reopened_at) AS counted,
        (o.definition_id, o.created_at, o.first_submitted_at, o.first_decision_at, o.final_decision_at)
          IS DISTINCT FROM (n.definition_id, n.created_at, n.first_submitted_at, n.first_decision_at, n.final_decision_at) AS timed
      FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id
    )
    SELECT ROW(o.id, o.definition_id, o.state, o.created_at, o.first_submitted_at, o.first_decision_at, o.final_decision_at,
      o.last_validated_at, o.reopened_at, -1, f.counted, f.timed)::hab_stats_row
    FROM old_rows AS o JOIN f ON f.id = o.id WHERE f.counted OR f.timed
    UNION ALL
    SELECT ROW(n.id, n.definition_id, n.state, n.created_at, n.first_submitted_at, n.first_decision_at, n.final_decision_at,
      n.last_validated_at, n.reopened_at, 1, f.counted, f.timed)::hab_stats_row
    FROM new_rows AS n JOIN f ON f.id = n.id WHERE f.counted OR f.timed);
  IF cardinality(rs) > 0 THEN
    PERFORM hab_stats_apply(rs);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER hab_requests_stats_insert AFTER INSERT ON hab_requests
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hab_requests_stats_insert();
--> statement-breakpoint
CREATE TRIGGER hab_requests_stats_update AFTER UPDATE ON hab_requests
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hab_requests_stats_update();
--> statement-breakpoint
CREATE TRIGGER hab_requests_stats_delete AFTER DELETE ON hab_requests
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION hab_requests_stats_delete();
--> statement-breakpoint
-- The requests already there.
SELECT hab_stats_apply(ARRAY(
  SELECT ROW(r.id, r.definition_id, r.state, r.created_at, r.first_submitted_at, r.first_decision_at, r.final_decision_at,
    r.last_validated_at, r.reopened_at, 1, true, true)::hab_stats_row
  FROM hab_requests AS r));

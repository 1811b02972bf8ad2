-- Stored statistics of the habilitations (ADR 0608): a trigger on hab_requests keeps hab_stat_counters,
-- hab_stat_months and hab_stat_durations in the transaction of every change of a request (transitions,
-- creations, seeds, imports), so the statistics endpoint reads counters and ranks instead of scanning.
-- The counts are those of the former aggregate over hab_requests, by construction.

-- Adds (sign = 1) or removes (sign = -1) one request's contribution to its definition's counters and months.
CREATE OR REPLACE FUNCTION hab_stats_count(r hab_requests, sign integer) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO hab_stat_counters AS c (definition_id, total, submitted, validated, refused, reopened, backlog, first_decided, final_decided)
  VALUES (
    r.definition_id,
    sign,
    sign * (r.first_submitted_at IS NOT NULL)::int,
    sign * (r.last_validated_at IS NOT NULL)::int,
    sign * (r.state = 'refused')::int,
    sign * (r.reopened_at IS NOT NULL)::int,
    sign * (r.state IN ('submitted', 'changes_requested'))::int,
    sign * (r.first_submitted_at IS NOT NULL AND r.first_decision_at IS NOT NULL)::int,
    sign * (r.first_submitted_at IS NOT NULL AND r.final_decision_at IS NOT NULL)::int)
  ON CONFLICT (definition_id) DO UPDATE SET
    total = c.total + EXCLUDED.total,
    submitted = c.submitted + EXCLUDED.submitted,
    validated = c.validated + EXCLUDED.validated,
    refused = c.refused + EXCLUDED.refused,
    reopened = c.reopened + EXCLUDED.reopened,
    backlog = c.backlog + EXCLUDED.backlog,
    first_decided = c.first_decided + EXCLUDED.first_decided,
    final_decided = c.final_decided + EXCLUDED.final_decided;
  IF r.first_submitted_at IS NOT NULL THEN
    INSERT INTO hab_stat_months AS m (definition_id, month, submitted, decided)
    VALUES (r.definition_id, date_trunc('month', r.first_submitted_at, 'UTC'), sign, 0)
    ON CONFLICT (definition_id, month) DO UPDATE SET submitted = m.submitted + EXCLUDED.submitted;
  END IF;
  IF r.final_decision_at IS NOT NULL THEN
    INSERT INTO hab_stat_months AS m (definition_id, month, submitted, decided)
    VALUES (r.definition_id, date_trunc('month', r.final_decision_at, 'UTC'), 0, sign)
    ON CONFLICT (definition_id, month) DO UPDATE SET decided = m.decided + EXCLUDED.decided;
  END IF;
END $$;
--> statement-breakpoint
-- One request's durations in hours, computed exactly as the former aggregate did (numeric, then float8).
CREATE OR REPLACE FUNCTION hab_stats_durations(r hab_requests) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  IF r.first_submitted_at IS NULL THEN
    RETURN;
  END IF;
  INSERT INTO hab_stat_durations (request_id, kind, definition_id, hours)
  SELECT r.id, v.kind, r.definition_id, v.hours
  FROM (VALUES
    ('submit', (extract(epoch FROM r.first_submitted_at - r.created_at) / 3600)::float8),
    ('first', (extract(epoch FROM r.first_decision_at - r.first_submitted_at) / 3600)::float8),
    ('final', (extract(epoch FROM r.final_decision_at - r.first_submitted_at) / 3600)::float8)) AS v(kind, hours)
  WHERE v.hours IS NOT NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION hab_requests_stats() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  counted boolean := true;
  timed boolean := true;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    -- Autosaves, messages and version bumps change nothing counted: no lock on the counters.
    counted := (OLD.definition_id, OLD.state, OLD.first_submitted_at, OLD.first_decision_at, OLD.final_decision_at, OLD.last_validated_at, OLD.reopened_at)
      IS DISTINCT FROM (NEW.definition_id, NEW.state, NEW.first_submitted_at, NEW.first_decision_at, NEW.final_decision_at, NEW.last_validated_at, NEW.reopened_at);
    timed := (OLD.definition_id, OLD.created_at, OLD.first_submitted_at, OLD.first_decision_at, OLD.final_decision_at)
      IS DISTINCT FROM (NEW.definition_id, NEW.created_at, NEW.first_submitted_at, NEW.first_decision_at, NEW.final_decision_at);
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    IF counted THEN PERFORM hab_stats_count(OLD, -1); END IF;
    IF timed THEN DELETE FROM hab_stat_durations WHERE request_id = OLD.id; END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    IF counted THEN PERFORM hab_stats_count(NEW, 1); END IF;
    IF timed THEN PERFORM hab_stats_durations(NEW); END IF;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Deferred to the commit: the counters' row of a definition is locked only while the transaction
-- commits (not from its first change on), and after every other lock the transaction takes, so two
-- transactions never wait for each other's counters while holding what the other needs.
CREATE CONSTRAINT TRIGGER hab_requests_stats AFTER INSERT OR UPDATE OR DELETE ON hab_requests
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION hab_requests_stats();
--> statement-breakpoint
-- The requests already there.
SELECT count(*) FROM (SELECT hab_stats_count(r, 1), hab_stats_durations(r) FROM hab_requests r) AS backfill;

-- Catalogue search on a narrow table (ADR 0107): triggers on catalog_assets keep catalog_search (one
-- row per asset: facet columns, folded title, weighted tsvector, title-only tsvector) and catalog_title_words (the
-- vocabulary of titles, for typo corrections and suggestions) in the transaction of every write. The
-- triggers are statement-level (transition tables): a bulk insert of 1,000 assets is one insert into
-- catalog_search and one grouped upsert of the vocabulary; an update that changes nothing searched
-- (confirmation, stale flag, completeness, spec) writes nothing.

-- The full-text document of an asset, as the former generated column `catalog_assets.search` (ADR 0102).
CREATE OR REPLACE FUNCTION catalog_search_document(title text, slug text, tags text[], description text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT setweight(to_tsvector('fr_unaccent'::regconfig, coalesce(title, '')), 'A')
    || setweight(to_tsvector('fr_unaccent'::regconfig, coalesce(slug, '') || ' ' || catalog_tags_text(tags)), 'B')
    || setweight(to_tsvector('fr_unaccent'::regconfig, left(coalesce(description, ''), 20000)), 'C') $$;
--> statement-breakpoint
-- The vocabulary words of a title: folded words of 3+ characters holding a letter, French stop words left
-- out (`fr_unaccent` drops them, so they are never searched nor proposed as corrections), each once.
CREATE OR REPLACE FUNCTION catalog_title_words_of(title text) RETURNS text[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT coalesce(array_agg(DISTINCT x), '{}'::text[])
    FROM regexp_split_to_table(immutable_unaccent(lower(coalesce(title, ''))), '[^[:alnum:]]+') AS x
    WHERE length(x) >= 3 AND x ~ '[[:alpha:]]' AND to_tsvector('fr_unaccent'::regconfig, x) <> ''::tsvector $$;
--> statement-breakpoint
-- Adds the words of `added` titles and removes those of `removed` titles from the vocabulary. Rows are
-- upserted in word order (two writers never lock two words in opposite orders); a word no title holds
-- any more is deleted (its row is already locked by this transaction's upsert).
CREATE OR REPLACE FUNCTION catalog_title_words_change(added text[], removed text[]) RETURNS void
  LANGUAGE plpgsql AS $$
DECLARE
  touched text[];
BEGIN
  WITH d AS (
    SELECT w AS word, sum(s)::int AS n
    FROM (
      SELECT unnest(catalog_title_words_of(t)) AS w, 1 AS s FROM unnest(added) AS t
      UNION ALL
      SELECT unnest(catalog_title_words_of(t)), -1 FROM unnest(removed) AS t
    ) AS x
    GROUP BY w
    HAVING sum(s) <> 0
  ), up AS (
    INSERT INTO catalog_title_words AS v (word, titles)
    SELECT word, n FROM d ORDER BY word
    ON CONFLICT (word) DO UPDATE SET titles = v.titles + EXCLUDED.titles
    RETURNING v.word, v.titles
  )
  SELECT array_agg(word) INTO touched FROM up WHERE titles <= 0;
  IF touched IS NOT NULL THEN
    DELETE FROM catalog_title_words WHERE word = ANY (touched) AND titles <= 0;
  END IF;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION catalog_assets_search_insert() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO catalog_search (asset_id, kind, organisation_id, lifecycle, openness, personal_data, tags, title, title_norm, search, title_doc)
  SELECT n.id, n.kind, n.organisation_id, n.lifecycle, n.openness, n.personal_data, n.tags, n.title,
    immutable_unaccent(lower(n.title)), catalog_search_document(n.title, n.slug, n.tags, n.description),
    to_tsvector('fr_unaccent'::regconfig, coalesce(n.title, ''))
  FROM new_rows AS n;
  PERFORM catalog_title_words_change(ARRAY(SELECT n.title FROM new_rows AS n), '{}'::text[]);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION catalog_assets_search_update() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO catalog_search AS s (asset_id, kind, organisation_id, lifecycle, openness, personal_data, tags, title, title_norm, search, title_doc)
  SELECT n.id, n.kind, n.organisation_id, n.lifecycle, n.openness, n.personal_data, n.tags, n.title,
    immutable_unaccent(lower(n.title)), catalog_search_document(n.title, n.slug, n.tags, n.description),
    to_tsvector('fr_unaccent'::regconfig, coalesce(n.title, ''))
  FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
  WHERE (n.kind, n.slug, n.title, n.description, n.organisation_id, n.tags, n.lifecycle, n.openness, n.personal_data)
    IS DISTINCT FROM (o.kind, o.slug, o.title, o.description, o.organisation_id, o.tags, o.lifecycle, o.openness, o.personal_data)
  ON CONFLICT (asset_id) DO UPDATE SET
    kind = EXCLUDED.kind, organisation_id = EXCLUDED.organisation_id, lifecycle = EXCLUDED.lifecycle,
    openness = EXCLUDED.openness, personal_data = EXCLUDED.personal_data, tags = EXCLUDED.tags,
    title = EXCLUDED.title, title_norm = EXCLUDED.title_norm, search = EXCLUDED.search, title_doc = EXCLUDED.title_doc;
  PERFORM catalog_title_words_change(
    ARRAY(SELECT n.title FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id WHERE n.title IS DISTINCT FROM o.title),
    ARRAY(SELECT o.title FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id WHERE n.title IS DISTINCT FROM o.title));
  RETURN NULL;
END $$;
--> statement-breakpoint
-- catalog_search rows go with their asset (foreign key, on delete cascade); the vocabulary is updated here.
CREATE OR REPLACE FUNCTION catalog_assets_search_delete() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM catalog_title_words_change('{}'::text[], ARRAY(SELECT o.title FROM old_rows AS o));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER catalog_assets_search_insert AFTER INSERT ON catalog_assets
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION catalog_assets_search_insert();
--> statement-breakpoint
CREATE TRIGGER catalog_assets_search_update AFTER UPDATE ON catalog_assets
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION catalog_assets_search_update();
--> statement-breakpoint
CREATE TRIGGER catalog_assets_search_delete AFTER DELETE ON catalog_assets
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION catalog_assets_search_delete();
--> statement-breakpoint
-- The assets already there.
INSERT INTO catalog_search (asset_id, kind, organisation_id, lifecycle, openness, personal_data, tags, title, title_norm, search, title_doc)
SELECT a.id, a.kind, a.organisation_id, a.lifecycle, a.openness, a.personal_data, a.tags, a.title,
  immutable_unaccent(lower(a.title)), catalog_search_document(a.title, a.slug, a.tags, a.description),
  to_tsvector('fr_unaccent'::regconfig, coalesce(a.title, ''))
FROM catalog_assets AS a;
--> statement-breakpoint
SELECT catalog_title_words_change(ARRAY(SELECT a.title FROM catalog_assets AS a), '{}'::text[]);

-- Catalogue search helper: array_to_string() is only STABLE (it could call any type's output
-- function); on text[] it is immutable in fact, and the wrapper lets tags feed a generated tsvector.
CREATE OR REPLACE FUNCTION catalog_tags_text(text[]) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT coalesce(array_to_string($1, ' '), '') $$;

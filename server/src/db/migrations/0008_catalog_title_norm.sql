DROP INDEX "catalog_assets_title_trgm_idx";--> statement-breakpoint
ALTER TABLE "catalog_assets" ADD COLUMN "title_norm" text GENERATED ALWAYS AS (immutable_unaccent(lower(title))) STORED;--> statement-breakpoint
CREATE INDEX "catalog_assets_title_norm_trgm_idx" ON "catalog_assets" USING gin ("title_norm" gin_trgm_ops);
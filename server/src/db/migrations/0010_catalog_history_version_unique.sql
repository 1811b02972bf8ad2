DROP INDEX "catalog_asset_versions_asset_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_asset_versions_asset_version_idx" ON "catalog_asset_versions" USING btree ("asset_id","version");
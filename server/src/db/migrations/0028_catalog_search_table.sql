CREATE TABLE "catalog_search" (
	"asset_id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"organisation_id" uuid,
	"lifecycle" text NOT NULL,
	"openness" text NOT NULL,
	"personal_data" boolean NOT NULL,
	"tags" text[] NOT NULL,
	"title" text NOT NULL,
	"title_norm" text NOT NULL,
	"search" "tsvector" NOT NULL,
	"title_doc" "tsvector" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog_title_words" (
	"word" text PRIMARY KEY NOT NULL,
	"titles" integer NOT NULL
);
--> statement-breakpoint
DROP INDEX "catalog_assets_search_idx";--> statement-breakpoint
DROP INDEX "catalog_assets_title_norm_trgm_idx";--> statement-breakpoint
DROP INDEX "catalog_assets_tags_idx";--> statement-breakpoint
ALTER TABLE "catalog_search" ADD CONSTRAINT "catalog_search_asset_id_catalog_assets_id_fk" FOREIGN KEY ("asset_id") REFERENCES "public"."catalog_assets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "catalog_search_search_idx" ON "catalog_search" USING gin ("search");--> statement-breakpoint
CREATE INDEX "catalog_search_title_norm_trgm_idx" ON "catalog_search" USING gin ("title_norm" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "catalog_search_title_doc_idx" ON "catalog_search" USING gin ("title_doc");--> statement-breakpoint
CREATE INDEX "catalog_search_kind_title_idx" ON "catalog_search" USING btree ("kind","title","asset_id");--> statement-breakpoint
CREATE INDEX "catalog_search_tags_idx" ON "catalog_search" USING gin ("tags");--> statement-breakpoint
CREATE INDEX "catalog_search_org_idx" ON "catalog_search" USING btree ("organisation_id");--> statement-breakpoint
CREATE INDEX "catalog_search_openness_idx" ON "catalog_search" USING btree ("openness","personal_data");--> statement-breakpoint
CREATE INDEX "catalog_search_lifecycle_idx" ON "catalog_search" USING btree ("lifecycle");--> statement-breakpoint
CREATE INDEX "catalog_title_words_trgm_idx" ON "catalog_title_words" USING gin ("word" gin_trgm_ops);--> statement-breakpoint
ALTER TABLE "catalog_assets" DROP COLUMN "title_norm";--> statement-breakpoint
ALTER TABLE "catalog_assets" DROP COLUMN "search";
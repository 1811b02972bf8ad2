CREATE TABLE "catalog_asset_versions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"asset_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"action" text NOT NULL,
	"snapshot" jsonb NOT NULL,
	"actor_id" uuid,
	"actor_label" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog_assets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"slug" text NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"organisation_id" uuid,
	"contacts" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"lifecycle" text DEFAULT 'en_service' NOT NULL,
	"decommission_planned_on" date,
	"decommissioned_on" date,
	"openness" text DEFAULT 'ferme' NOT NULL,
	"openness_reason" text,
	"personal_data" boolean DEFAULT false NOT NULL,
	"spec" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"completeness" integer DEFAULT 0 NOT NULL,
	"is_demo" boolean DEFAULT false NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text DEFAULT 'system' NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('fr_unaccent'::regconfig, coalesce(title, '')), 'A') || setweight(to_tsvector('fr_unaccent'::regconfig, coalesce(slug, '') || ' ' || catalog_tags_text(tags)), 'B') || setweight(to_tsvector('fr_unaccent'::regconfig, left(coalesce(description, ''), 20000)), 'C')) STORED
);
--> statement-breakpoint
CREATE TABLE "catalog_relations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"type" text NOT NULL,
	"from_id" uuid NOT NULL,
	"to_id" uuid NOT NULL,
	"note" text,
	"since" date,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "catalog_assets" ADD CONSTRAINT "catalog_assets_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_relations" ADD CONSTRAINT "catalog_relations_from_id_catalog_assets_id_fk" FOREIGN KEY ("from_id") REFERENCES "public"."catalog_assets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_relations" ADD CONSTRAINT "catalog_relations_to_id_catalog_assets_id_fk" FOREIGN KEY ("to_id") REFERENCES "public"."catalog_assets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "catalog_asset_versions_asset_idx" ON "catalog_asset_versions" USING btree ("asset_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_assets_kind_slug_idx" ON "catalog_assets" USING btree ("kind","slug");--> statement-breakpoint
CREATE INDEX "catalog_assets_org_idx" ON "catalog_assets" USING btree ("organisation_id");--> statement-breakpoint
CREATE INDEX "catalog_assets_search_idx" ON "catalog_assets" USING gin ("search");--> statement-breakpoint
CREATE INDEX "catalog_assets_title_trgm_idx" ON "catalog_assets" USING gin (immutable_unaccent(lower("title")) gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "catalog_assets_tags_idx" ON "catalog_assets" USING gin ("tags");--> statement-breakpoint
CREATE INDEX "catalog_assets_datagouv_idx" ON "catalog_assets" USING btree (("spec"->>'datagouvId'));--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_relations_unique_idx" ON "catalog_relations" USING btree ("type","from_id","to_id");--> statement-breakpoint
CREATE INDEX "catalog_relations_to_idx" ON "catalog_relations" USING btree ("to_id");--> statement-breakpoint
CREATE INDEX "catalog_relations_from_idx" ON "catalog_relations" USING btree ("from_id");
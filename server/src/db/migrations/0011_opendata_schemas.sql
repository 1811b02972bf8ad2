CREATE TABLE "opendata_schemas" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"version" text NOT NULL,
	"source" text NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"versions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"field_count" integer NOT NULL,
	"homepage" text,
	"descriptor" jsonb NOT NULL,
	"sha256" text NOT NULL,
	"organisation_id" uuid,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "opendata_schemas" ADD CONSTRAINT "opendata_schemas_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "opendata_schemas_name_version" ON "opendata_schemas" USING btree ("name","version");--> statement-breakpoint
CREATE INDEX "opendata_schemas_source" ON "opendata_schemas" USING btree ("source");
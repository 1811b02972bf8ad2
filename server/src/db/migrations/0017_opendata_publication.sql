CREATE TABLE "opendata_datagouv_accounts" (
	"organisation_id" uuid PRIMARY KEY NOT NULL,
	"target" text NOT NULL,
	"udata_organization" text NOT NULL,
	"api_key_sealed" text NOT NULL,
	"api_key_hint" text NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "opendata_datagouv_pushes" (
	"dataset_id" uuid PRIMARY KEY NOT NULL,
	"target" text NOT NULL,
	"remote_id" text,
	"page" text,
	"resources" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"state" text NOT NULL,
	"error" text,
	"result" jsonb,
	"job_id" uuid,
	"requested_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "opendata_downloads" (
	"resource_id" uuid NOT NULL,
	"day" date NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "opendata_downloads_resource_id_day_pk" PRIMARY KEY("resource_id","day")
);
--> statement-breakpoint
CREATE TABLE "opendata_resources" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"dataset_id" uuid NOT NULL,
	"slug" text NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"schema_id" uuid,
	"published_version_id" uuid,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "opendata_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"resource_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"state" text NOT NULL,
	"source" text NOT NULL,
	"source_url" text,
	"filename" text NOT NULL,
	"blob_key" text NOT NULL,
	"sha256" text,
	"bytes" bigint,
	"media_type" text,
	"format" text,
	"encoding" text,
	"dialect" jsonb,
	"rows" integer,
	"columns" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"schema_id" uuid,
	"schema_name" text,
	"schema_version" text,
	"valid" boolean,
	"report" jsonb,
	"personal_data" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"preview" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"profile" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"progress" jsonb,
	"error" text,
	"job_id" uuid,
	"waiver_reason" text,
	"waived_by" text,
	"waived_at" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_by" text,
	"published_at" timestamp with time zone,
	"withdrawn_at" timestamp with time zone,
	"withdrawn_reason" text
);
--> statement-breakpoint
ALTER TABLE "opendata_datagouv_accounts" ADD CONSTRAINT "opendata_datagouv_accounts_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opendata_downloads" ADD CONSTRAINT "opendata_downloads_resource_id_opendata_resources_id_fk" FOREIGN KEY ("resource_id") REFERENCES "public"."opendata_resources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opendata_resources" ADD CONSTRAINT "opendata_resources_schema_id_opendata_schemas_id_fk" FOREIGN KEY ("schema_id") REFERENCES "public"."opendata_schemas"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opendata_versions" ADD CONSTRAINT "opendata_versions_resource_id_opendata_resources_id_fk" FOREIGN KEY ("resource_id") REFERENCES "public"."opendata_resources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opendata_versions" ADD CONSTRAINT "opendata_versions_schema_id_opendata_schemas_id_fk" FOREIGN KEY ("schema_id") REFERENCES "public"."opendata_schemas"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "opendata_resources_dataset_slug" ON "opendata_resources" USING btree ("dataset_id","slug");--> statement-breakpoint
CREATE UNIQUE INDEX "opendata_versions_resource_number" ON "opendata_versions" USING btree ("resource_id","number");--> statement-breakpoint
CREATE INDEX "opendata_versions_state" ON "opendata_versions" USING btree ("state");
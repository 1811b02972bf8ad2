CREATE TABLE "explore_dashboards" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"visibility" text DEFAULT 'restricted' NOT NULL,
	"cards" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"filters" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"embed_generation" integer DEFAULT 1 NOT NULL,
	"organisation_id" uuid,
	"owner_id" uuid,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "explore_extracts" (
	"version_id" uuid PRIMARY KEY NOT NULL,
	"resource_id" uuid NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"blob_key" text,
	"bytes" bigint,
	"rows" bigint,
	"columns" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"error" text,
	"job_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"converted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "explore_questions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"mode" text NOT NULL,
	"builder" jsonb,
	"sql" jsonb,
	"visualization" text DEFAULT 'table' NOT NULL,
	"resource_ids" jsonb NOT NULL,
	"organisation_id" uuid,
	"owner_id" uuid,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "explore_dashboards" ADD CONSTRAINT "explore_dashboards_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "explore_questions" ADD CONSTRAINT "explore_questions_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "explore_extracts_resource" ON "explore_extracts" USING btree ("resource_id");--> statement-breakpoint
CREATE INDEX "explore_questions_organisation" ON "explore_questions" USING btree ("organisation_id");
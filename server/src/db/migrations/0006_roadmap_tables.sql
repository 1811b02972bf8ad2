CREATE TABLE "roadmap_action_contributors" (
	"action_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	CONSTRAINT "roadmap_action_contributors_action_id_organisation_id_pk" PRIMARY KEY("action_id","organisation_id")
);
--> statement-breakpoint
CREATE TABLE "roadmap_actions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"roadmap_id" uuid NOT NULL,
	"code" text NOT NULL,
	"parent_code" text,
	"position" integer DEFAULT 0 NOT NULL,
	"title" text NOT NULL,
	"short_title" text,
	"section" text NOT NULL,
	"section_title" text NOT NULL,
	"deadline" text NOT NULL,
	"deadline_end" text,
	"status" text DEFAULT 'a_lancer' NOT NULL,
	"progress" integer DEFAULT 0 NOT NULL,
	"pilot" text,
	"collective_contributors" text[] DEFAULT '{}' NOT NULL,
	"source_contributors" text[] DEFAULT '{}' NOT NULL,
	"source_note" text,
	"asset_ids" uuid[] DEFAULT '{}' NOT NULL,
	"carried_from_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "roadmap_decisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"roadmap_id" uuid NOT NULL,
	"quarter" text NOT NULL,
	"text" text NOT NULL,
	"action_code" text,
	"actor_id" uuid,
	"actor_label" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "roadmap_indicators" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"action_id" uuid NOT NULL,
	"name" text NOT NULL,
	"unit" text,
	"target" text,
	"current_value" text,
	"history" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "roadmap_openings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"roadmap_id" uuid NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"category" text NOT NULL,
	"title" text NOT NULL,
	"type" text NOT NULL,
	"due" text NOT NULL,
	"status" text DEFAULT 'planifie' NOT NULL,
	"available_on" date,
	"asset_id" uuid,
	"organisation_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "roadmap_updates" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"roadmap_id" uuid NOT NULL,
	"action_id" uuid,
	"opening_id" uuid,
	"at" timestamp with time zone NOT NULL,
	"actor_id" uuid,
	"actor_label" text NOT NULL,
	"kind" text NOT NULL,
	"note" text,
	"changes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status_after" text,
	"progress_after" integer
);
--> statement-breakpoint
CREATE TABLE "roadmaps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"title" text NOT NULL,
	"start_year" integer NOT NULL,
	"end_year" integer NOT NULL,
	"source" text,
	"parts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"public" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "roadmaps_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
ALTER TABLE "roadmap_action_contributors" ADD CONSTRAINT "roadmap_action_contributors_action_id_roadmap_actions_id_fk" FOREIGN KEY ("action_id") REFERENCES "public"."roadmap_actions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roadmap_action_contributors" ADD CONSTRAINT "roadmap_action_contributors_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roadmap_actions" ADD CONSTRAINT "roadmap_actions_roadmap_id_roadmaps_id_fk" FOREIGN KEY ("roadmap_id") REFERENCES "public"."roadmaps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roadmap_actions" ADD CONSTRAINT "roadmap_actions_carried_from_id_roadmap_actions_id_fk" FOREIGN KEY ("carried_from_id") REFERENCES "public"."roadmap_actions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roadmap_decisions" ADD CONSTRAINT "roadmap_decisions_roadmap_id_roadmaps_id_fk" FOREIGN KEY ("roadmap_id") REFERENCES "public"."roadmaps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roadmap_indicators" ADD CONSTRAINT "roadmap_indicators_action_id_roadmap_actions_id_fk" FOREIGN KEY ("action_id") REFERENCES "public"."roadmap_actions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roadmap_openings" ADD CONSTRAINT "roadmap_openings_roadmap_id_roadmaps_id_fk" FOREIGN KEY ("roadmap_id") REFERENCES "public"."roadmaps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roadmap_openings" ADD CONSTRAINT "roadmap_openings_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roadmap_updates" ADD CONSTRAINT "roadmap_updates_roadmap_id_roadmaps_id_fk" FOREIGN KEY ("roadmap_id") REFERENCES "public"."roadmaps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roadmap_updates" ADD CONSTRAINT "roadmap_updates_action_id_roadmap_actions_id_fk" FOREIGN KEY ("action_id") REFERENCES "public"."roadmap_actions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roadmap_updates" ADD CONSTRAINT "roadmap_updates_opening_id_roadmap_openings_id_fk" FOREIGN KEY ("opening_id") REFERENCES "public"."roadmap_openings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "roadmap_action_contributors_org_idx" ON "roadmap_action_contributors" USING btree ("organisation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "roadmap_actions_code_uq" ON "roadmap_actions" USING btree ("roadmap_id","code");--> statement-breakpoint
CREATE INDEX "roadmap_actions_status_idx" ON "roadmap_actions" USING btree ("roadmap_id","status");--> statement-breakpoint
CREATE INDEX "roadmap_actions_carried_idx" ON "roadmap_actions" USING btree ("carried_from_id");--> statement-breakpoint
CREATE INDEX "roadmap_decisions_quarter_idx" ON "roadmap_decisions" USING btree ("roadmap_id","quarter");--> statement-breakpoint
CREATE UNIQUE INDEX "roadmap_indicators_name_uq" ON "roadmap_indicators" USING btree ("action_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "roadmap_openings_title_uq" ON "roadmap_openings" USING btree ("roadmap_id","title");--> statement-breakpoint
CREATE INDEX "roadmap_openings_asset_idx" ON "roadmap_openings" USING btree ("asset_id");--> statement-breakpoint
CREATE INDEX "roadmap_updates_roadmap_at_idx" ON "roadmap_updates" USING btree ("roadmap_id","at");--> statement-breakpoint
CREATE INDEX "roadmap_updates_action_idx" ON "roadmap_updates" USING btree ("action_id","at");--> statement-breakpoint
CREATE INDEX "roadmap_updates_opening_idx" ON "roadmap_updates" USING btree ("opening_id");
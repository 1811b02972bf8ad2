CREATE TABLE "governance_appointments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"role" text NOT NULL,
	"position" text DEFAULT 'titulaire' NOT NULL,
	"organisation_id" uuid,
	"region" text,
	"person_name" text NOT NULL,
	"email" text,
	"phone" text,
	"user_login" text,
	"appointed_on" date NOT NULL,
	"until" date,
	"public" boolean DEFAULT true NOT NULL,
	"note" text,
	"letter_file" text,
	"letter_signed_on" date,
	"letter_signatory" text,
	"letter_size" integer,
	"letter_sha256" text,
	"letter_uploaded_at" timestamp with time zone,
	"letter_uploaded_by" text,
	"is_demo" boolean DEFAULT false NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "governance_campaigns" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"status" text DEFAULT 'ouverte' NOT NULL,
	"started_on" date NOT NULL,
	"due_on" date NOT NULL,
	"remind_days_before" integer DEFAULT 7 NOT NULL,
	"last_reminder_on" date,
	"created_by" text NOT NULL,
	"is_demo" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "governance_criteria" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"label" text NOT NULL,
	"axis" text NOT NULL,
	"weight" integer NOT NULL,
	"justification" text NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "governance_projects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"organisation_id" uuid NOT NULL,
	"asset_ids" uuid[] DEFAULT '{}' NOT NULL,
	"status" text DEFAULT 'proposee' NOT NULL,
	"scores" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"value" integer,
	"effort" integer,
	"scored_by" text,
	"scored_at" timestamp with time zone,
	"decision" text,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"created_by" text NOT NULL,
	"is_demo" boolean DEFAULT false NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "governance_review_items" (
	"campaign_id" uuid NOT NULL,
	"asset_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"outcome" text DEFAULT 'en_attente' NOT NULL,
	"reviewed_at" timestamp with time zone,
	"reviewed_by" text,
	CONSTRAINT "governance_review_items_campaign_id_asset_id_pk" PRIMARY KEY("campaign_id","asset_id")
);
--> statement-breakpoint
ALTER TABLE "catalog_assets" ADD COLUMN "last_confirmed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "catalog_assets" ADD COLUMN "stale" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "governance_appointments" ADD CONSTRAINT "governance_appointments_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "governance_projects" ADD CONSTRAINT "governance_projects_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "governance_review_items" ADD CONSTRAINT "governance_review_items_campaign_id_governance_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."governance_campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "governance_review_items" ADD CONSTRAINT "governance_review_items_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "governance_appointments_role_idx" ON "governance_appointments" USING btree ("role","organisation_id");--> statement-breakpoint
CREATE INDEX "governance_appointments_region_idx" ON "governance_appointments" USING btree ("region");--> statement-breakpoint
CREATE INDEX "governance_appointments_login_idx" ON "governance_appointments" USING btree ("user_login");--> statement-breakpoint
CREATE INDEX "governance_projects_status_idx" ON "governance_projects" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "governance_projects_title_uq" ON "governance_projects" USING btree ("title");--> statement-breakpoint
CREATE INDEX "governance_review_items_org_idx" ON "governance_review_items" USING btree ("campaign_id","organisation_id","outcome");
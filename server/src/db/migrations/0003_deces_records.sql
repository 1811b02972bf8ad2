CREATE TABLE "deces_corrections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"record_id" text NOT NULL,
	"author_id" uuid NOT NULL,
	"fields" jsonb NOT NULL,
	"message" text DEFAULT '' NOT NULL,
	"proof_url" text,
	"proof_file" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"reviewer_id" uuid,
	"review_comment" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reviewed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "deces_oppositions" (
	"key" text PRIMARY KEY NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deces_records" (
	"id" text PRIMARY KEY NOT NULL,
	"last_name" text NOT NULL,
	"first_names" text NOT NULL,
	"sex" text NOT NULL,
	"birth_date" text NOT NULL,
	"birth_code" text NOT NULL,
	"birth_city" text NOT NULL,
	"birth_department" text NOT NULL,
	"birth_country" text NOT NULL,
	"birth_country_code" text NOT NULL,
	"death_date" text NOT NULL,
	"death_code" text NOT NULL,
	"death_city" text NOT NULL,
	"death_department" text NOT NULL,
	"death_country" text NOT NULL,
	"death_country_code" text NOT NULL,
	"certificate_id" text NOT NULL,
	"age" smallint,
	"source" text NOT NULL,
	"flags" text DEFAULT '' NOT NULL,
	"last_key" text NOT NULL,
	"last_phon" text NOT NULL,
	"first_key" text NOT NULL,
	"first_phon" text NOT NULL,
	"birth_year" smallint,
	"death_year" smallint
);
--> statement-breakpoint
CREATE TABLE "deces_sources" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"lines" integer NOT NULL,
	"inserted" integer NOT NULL,
	"rejected" integer NOT NULL,
	"opposed" integer NOT NULL,
	"last_record_date" text,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "deces_corrections_record_idx" ON "deces_corrections" USING btree ("record_id","status");--> statement-breakpoint
CREATE INDEX "deces_corrections_status_idx" ON "deces_corrections" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "deces_records_phon_idx" ON "deces_records" USING btree ("last_phon","first_phon");--> statement-breakpoint
CREATE INDEX "deces_records_phon_year_idx" ON "deces_records" USING btree ("last_phon","birth_year");--> statement-breakpoint
CREATE INDEX "deces_records_birth_first_idx" ON "deces_records" USING btree ("birth_date","first_phon");--> statement-breakpoint
CREATE INDEX "deces_records_death_idx" ON "deces_records" USING btree ("death_date","death_code");--> statement-breakpoint
CREATE INDEX "deces_records_last_trgm_idx" ON "deces_records" USING gin ("last_key" gin_trgm_ops);
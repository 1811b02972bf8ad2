CREATE TABLE "hab_stat_counters" (
	"definition_id" text PRIMARY KEY NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"submitted" integer DEFAULT 0 NOT NULL,
	"validated" integer DEFAULT 0 NOT NULL,
	"refused" integer DEFAULT 0 NOT NULL,
	"reopened" integer DEFAULT 0 NOT NULL,
	"backlog" integer DEFAULT 0 NOT NULL,
	"first_decided" integer DEFAULT 0 NOT NULL,
	"final_decided" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hab_stat_durations" (
	"request_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"definition_id" text NOT NULL,
	"hours" double precision NOT NULL,
	CONSTRAINT "hab_stat_durations_request_id_kind_pk" PRIMARY KEY("request_id","kind")
);
--> statement-breakpoint
CREATE TABLE "hab_stat_months" (
	"definition_id" text NOT NULL,
	"month" timestamp with time zone NOT NULL,
	"submitted" integer DEFAULT 0 NOT NULL,
	"decided" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "hab_stat_months_definition_id_month_pk" PRIMARY KEY("definition_id","month")
);
--> statement-breakpoint
ALTER TABLE "gw_apis" ADD COLUMN "franceconnect_scopes" jsonb;--> statement-breakpoint
CREATE INDEX "hab_stat_durations_rank_idx" ON "hab_stat_durations" USING btree ("definition_id","kind","hours");
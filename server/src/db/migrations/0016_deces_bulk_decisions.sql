CREATE TABLE "deces_bulk_decisions" (
	"job_id" uuid NOT NULL,
	"source_line_number" integer NOT NULL,
	"decision" text NOT NULL,
	"candidate_id" text,
	"decided_by" uuid NOT NULL,
	"decided_by_label" text NOT NULL,
	"decided_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "deces_bulk_decisions_job_id_source_line_number_pk" PRIMARY KEY("job_id","source_line_number")
);
--> statement-breakpoint
ALTER TABLE "deces_bulk_decisions" ADD CONSTRAINT "deces_bulk_decisions_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;
CREATE TABLE "opendata_discussion_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"discussion_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"body" text NOT NULL,
	"author" text NOT NULL,
	"producer" boolean DEFAULT false NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "opendata_discussions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"dataset_id" uuid NOT NULL,
	"title" text NOT NULL,
	"author" text NOT NULL,
	"source" text NOT NULL,
	"remote_id" text,
	"remote_page" text,
	"answered" boolean DEFAULT false NOT NULL,
	"closed_at" timestamp with time zone,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "opendata_reuses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"dataset_id" uuid NOT NULL,
	"title" text NOT NULL,
	"url" text NOT NULL,
	"type" text NOT NULL,
	"author" text NOT NULL,
	"source" text NOT NULL,
	"remote_id" text,
	"remote_page" text,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "opendata_datagouv_pushes" ADD COLUMN "community_import" jsonb;--> statement-breakpoint
ALTER TABLE "opendata_discussion_messages" ADD CONSTRAINT "opendata_discussion_messages_discussion_id_opendata_discussions_id_fk" FOREIGN KEY ("discussion_id") REFERENCES "public"."opendata_discussions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "opendata_discussion_messages_position" ON "opendata_discussion_messages" USING btree ("discussion_id","position");--> statement-breakpoint
CREATE INDEX "opendata_discussions_dataset" ON "opendata_discussions" USING btree ("dataset_id");--> statement-breakpoint
CREATE UNIQUE INDEX "opendata_discussions_remote" ON "opendata_discussions" USING btree ("dataset_id","remote_id");--> statement-breakpoint
CREATE INDEX "opendata_reuses_dataset" ON "opendata_reuses" USING btree ("dataset_id");--> statement-breakpoint
CREATE UNIQUE INDEX "opendata_reuses_remote" ON "opendata_reuses" USING btree ("dataset_id","remote_id");
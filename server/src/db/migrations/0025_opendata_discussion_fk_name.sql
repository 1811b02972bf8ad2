ALTER TABLE "opendata_discussion_messages" DROP CONSTRAINT "opendata_discussion_messages_discussion_id_opendata_discussions_id_fk";
--> statement-breakpoint
ALTER TABLE "opendata_discussion_messages" ADD CONSTRAINT "opendata_discussion_messages_discussion_fk" FOREIGN KEY ("discussion_id") REFERENCES "public"."opendata_discussions"("id") ON DELETE cascade ON UPDATE no action;
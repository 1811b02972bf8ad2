ALTER TABLE "deces_records" ADD COLUMN "matchid_id" text;--> statement-breakpoint
CREATE INDEX "deces_records_matchid_idx" ON "deces_records" USING btree ("matchid_id");
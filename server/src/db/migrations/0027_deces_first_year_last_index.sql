DROP INDEX "deces_records_first_year_idx";--> statement-breakpoint
CREATE INDEX "deces_records_first_year_last_idx" ON "deces_records" USING btree ("first_phon","birth_year",left("last_key", 1));
CREATE TABLE "deces_webhooks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_id" uuid NOT NULL,
	"url" text NOT NULL,
	"status" text DEFAULT 'initiated' NOT NULL,
	"challenge_sealed" text NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"fails" integer DEFAULT 0 NOT NULL,
	"banned_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"validated_at" timestamp with time zone,
	"last_delivery_at" timestamp with time zone,
	"last_delivery_status" integer
);
--> statement-breakpoint
ALTER TABLE "deces_webhooks" ADD CONSTRAINT "deces_webhooks_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "deces_webhooks_owner_url_idx" ON "deces_webhooks" USING btree ("owner_id","url");
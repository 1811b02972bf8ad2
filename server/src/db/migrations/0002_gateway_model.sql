CREATE TABLE "gw_api_specs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"api_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"document" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gw_apis" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"audience" text DEFAULT '' NOT NULL,
	"organisation_id" uuid NOT NULL,
	"visibility" text DEFAULT 'public' NOT NULL,
	"upstream_url" text NOT NULL,
	"timeout_ms" integer DEFAULT 10000 NOT NULL,
	"allow_private_upstream" boolean DEFAULT false NOT NULL,
	"required_scope" text,
	"fail_policy" text DEFAULT 'open' NOT NULL,
	"max_body_bytes" integer DEFAULT 1048576 NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"catalog_asset_id" uuid,
	"spec_version" integer DEFAULT 0 NOT NULL,
	"health_path" text DEFAULT '/' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "gw_apis_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "gw_applications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"organisation_id" uuid,
	"owner_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "gw_applications_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "gw_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"prefix" text NOT NULL,
	"hash" text NOT NULL,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "gw_keys_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
CREATE TABLE "gw_oauth_clients" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"client_id" text NOT NULL,
	"auth_method" text NOT NULL,
	"secret_hash" text,
	"jwks" jsonb,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "gw_oauth_clients_client_id_unique" UNIQUE("client_id")
);
--> statement-breakpoint
CREATE TABLE "gw_plans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"api_id" uuid NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"keyless" boolean DEFAULT false NOT NULL,
	"per_second" integer,
	"per_minute" integer,
	"per_day" integer,
	"per_month" integer,
	"approval" text DEFAULT 'auto' NOT NULL,
	"scopes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gw_probes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"api_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"ok" boolean NOT NULL,
	"status" integer,
	"ms" integer,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "gw_signing_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"alg" text NOT NULL,
	"public_jwk" jsonb NOT NULL,
	"private_enc" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"retire_after" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gw_state" (
	"key" text PRIMARY KEY NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL,
	"holder" text,
	"expires_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "gw_subscriptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"api_id" uuid NOT NULL,
	"plan_id" uuid NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"reason" text DEFAULT '' NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gw_usage" (
	"granularity" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"api_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"calls" bigint DEFAULT 0 NOT NULL,
	"s2xx" bigint DEFAULT 0 NOT NULL,
	"s3xx" bigint DEFAULT 0 NOT NULL,
	"s4xx" bigint DEFAULT 0 NOT NULL,
	"s5xx" bigint DEFAULT 0 NOT NULL,
	"s429" bigint DEFAULT 0 NOT NULL,
	"sum_ms" double precision DEFAULT 0 NOT NULL,
	"hist" jsonb NOT NULL,
	CONSTRAINT "gw_usage_granularity_bucket_api_id_application_id_pk" PRIMARY KEY("granularity","bucket","api_id","application_id")
);
--> statement-breakpoint
ALTER TABLE "gw_api_specs" ADD CONSTRAINT "gw_api_specs_api_id_gw_apis_id_fk" FOREIGN KEY ("api_id") REFERENCES "public"."gw_apis"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gw_apis" ADD CONSTRAINT "gw_apis_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gw_applications" ADD CONSTRAINT "gw_applications_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gw_applications" ADD CONSTRAINT "gw_applications_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gw_keys" ADD CONSTRAINT "gw_keys_application_id_gw_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."gw_applications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gw_oauth_clients" ADD CONSTRAINT "gw_oauth_clients_application_id_gw_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."gw_applications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gw_plans" ADD CONSTRAINT "gw_plans_api_id_gw_apis_id_fk" FOREIGN KEY ("api_id") REFERENCES "public"."gw_apis"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gw_probes" ADD CONSTRAINT "gw_probes_api_id_gw_apis_id_fk" FOREIGN KEY ("api_id") REFERENCES "public"."gw_apis"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gw_subscriptions" ADD CONSTRAINT "gw_subscriptions_application_id_gw_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."gw_applications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gw_subscriptions" ADD CONSTRAINT "gw_subscriptions_api_id_gw_apis_id_fk" FOREIGN KEY ("api_id") REFERENCES "public"."gw_apis"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gw_subscriptions" ADD CONSTRAINT "gw_subscriptions_plan_id_gw_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."gw_plans"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "gw_api_specs_version_idx" ON "gw_api_specs" USING btree ("api_id","version");--> statement-breakpoint
CREATE INDEX "gw_apis_org_idx" ON "gw_apis" USING btree ("organisation_id");--> statement-breakpoint
CREATE INDEX "gw_apps_org_idx" ON "gw_applications" USING btree ("organisation_id");--> statement-breakpoint
CREATE INDEX "gw_keys_app_idx" ON "gw_keys" USING btree ("application_id");--> statement-breakpoint
CREATE INDEX "gw_clients_app_idx" ON "gw_oauth_clients" USING btree ("application_id");--> statement-breakpoint
CREATE UNIQUE INDEX "gw_plans_slug_idx" ON "gw_plans" USING btree ("api_id","slug");--> statement-breakpoint
CREATE INDEX "gw_probes_api_idx" ON "gw_probes" USING btree ("api_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "gw_subs_app_api_idx" ON "gw_subscriptions" USING btree ("application_id","api_id");--> statement-breakpoint
CREATE INDEX "gw_subs_api_idx" ON "gw_subscriptions" USING btree ("api_id");--> statement-breakpoint
CREATE INDEX "gw_usage_api_idx" ON "gw_usage" USING btree ("api_id","granularity","bucket");
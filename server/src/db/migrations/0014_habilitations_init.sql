CREATE TABLE "hab_authorizations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"request_id" uuid NOT NULL,
	"definition_id" text NOT NULL,
	"state" text DEFAULT 'active' NOT NULL,
	"organisation_id" uuid,
	"applicant_id" uuid,
	"data" jsonb NOT NULL,
	"scopes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"gateway_application_id" uuid,
	"gateway_subscription_id" uuid,
	"credential_kind" text,
	"credential_id" uuid,
	"credential_label" text,
	"expires_at" timestamp with time zone,
	"reminded_d30" boolean DEFAULT false NOT NULL,
	"reminded_d7" boolean DEFAULT false NOT NULL,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "hab_authorizations_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "hab_counters" (
	"definition_id" text NOT NULL,
	"last" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hab_definitions" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"provider_id" uuid NOT NULL,
	"cgu_url" text,
	"api_slug" text,
	"plan_slug" text,
	"catalog_asset_slug" text,
	"credential_kind" text DEFAULT 'oauth_client' NOT NULL,
	"scopes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"blocks" jsonb NOT NULL,
	"eligibility" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"validity_months" integer,
	"public" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hab_documents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"request_id" uuid NOT NULL,
	"key" text NOT NULL,
	"filename" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"content" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hab_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"request_id" uuid NOT NULL,
	"name" text NOT NULL,
	"actor_id" uuid,
	"actor_label" text NOT NULL,
	"message" text,
	"diff" jsonb,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hab_forms" (
	"uid" text PRIMARY KEY NOT NULL,
	"definition_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"use_case" text,
	"editor" text,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hab_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"request_id" uuid NOT NULL,
	"author_id" uuid,
	"author_label" text NOT NULL,
	"from_instruction" boolean NOT NULL,
	"body" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hab_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"definition_id" text NOT NULL,
	"form_uid" text NOT NULL,
	"state" text DEFAULT 'draft' NOT NULL,
	"applicant_id" uuid,
	"intended_for_id" uuid,
	"organisation_id" uuid,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"submitted_data" jsonb,
	"reopening" boolean DEFAULT false NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	"intitule" text DEFAULT '' NOT NULL,
	"siret" text,
	"reopened_at" timestamp with time zone,
	"first_submitted_at" timestamp with time zone,
	"last_submitted_at" timestamp with time zone,
	"first_decision_at" timestamp with time zone,
	"final_decision_at" timestamp with time zone,
	"last_validated_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hab_reveals" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"authorization_id" uuid NOT NULL,
	"recipient" text NOT NULL,
	"sealed" text,
	"expires_at" timestamp with time zone NOT NULL,
	"revealed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hab_roles" (
	"definition_id" text NOT NULL,
	"user_id" uuid NOT NULL,
	"role" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "hab_roles_definition_id_user_id_role_pk" PRIMARY KEY("definition_id","user_id","role")
);
--> statement-breakpoint
CREATE TABLE "hab_templates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"definition_id" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hab_unsubscribes" (
	"email" text PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hab_webhook_attempts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"webhook_id" uuid NOT NULL,
	"request_id" uuid,
	"event" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status_code" integer,
	"response_body" text,
	"attempt" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hab_webhooks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"definition_id" text NOT NULL,
	"url" text NOT NULL,
	"secret_enc" text NOT NULL,
	"events" jsonb NOT NULL,
	"enabled" boolean DEFAULT false NOT NULL,
	"validated" boolean DEFAULT false NOT NULL,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"created_by_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "gw_subscriptions" ADD COLUMN "scopes" jsonb;--> statement-breakpoint
ALTER TABLE "hab_authorizations" ADD CONSTRAINT "hab_authorizations_request_id_hab_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."hab_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hab_authorizations" ADD CONSTRAINT "hab_authorizations_definition_id_hab_definitions_id_fk" FOREIGN KEY ("definition_id") REFERENCES "public"."hab_definitions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hab_authorizations" ADD CONSTRAINT "hab_authorizations_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hab_authorizations" ADD CONSTRAINT "hab_authorizations_applicant_id_users_id_fk" FOREIGN KEY ("applicant_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hab_definitions" ADD CONSTRAINT "hab_definitions_provider_id_organisations_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hab_documents" ADD CONSTRAINT "hab_documents_request_id_hab_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."hab_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hab_events" ADD CONSTRAINT "hab_events_request_id_hab_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."hab_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hab_forms" ADD CONSTRAINT "hab_forms_definition_id_hab_definitions_id_fk" FOREIGN KEY ("definition_id") REFERENCES "public"."hab_definitions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hab_messages" ADD CONSTRAINT "hab_messages_request_id_hab_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."hab_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hab_messages" ADD CONSTRAINT "hab_messages_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hab_requests" ADD CONSTRAINT "hab_requests_definition_id_hab_definitions_id_fk" FOREIGN KEY ("definition_id") REFERENCES "public"."hab_definitions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hab_requests" ADD CONSTRAINT "hab_requests_applicant_id_users_id_fk" FOREIGN KEY ("applicant_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hab_requests" ADD CONSTRAINT "hab_requests_intended_for_id_users_id_fk" FOREIGN KEY ("intended_for_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hab_requests" ADD CONSTRAINT "hab_requests_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hab_reveals" ADD CONSTRAINT "hab_reveals_authorization_id_hab_authorizations_id_fk" FOREIGN KEY ("authorization_id") REFERENCES "public"."hab_authorizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hab_roles" ADD CONSTRAINT "hab_roles_definition_id_hab_definitions_id_fk" FOREIGN KEY ("definition_id") REFERENCES "public"."hab_definitions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hab_roles" ADD CONSTRAINT "hab_roles_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hab_templates" ADD CONSTRAINT "hab_templates_definition_id_hab_definitions_id_fk" FOREIGN KEY ("definition_id") REFERENCES "public"."hab_definitions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hab_webhook_attempts" ADD CONSTRAINT "hab_webhook_attempts_webhook_id_hab_webhooks_id_fk" FOREIGN KEY ("webhook_id") REFERENCES "public"."hab_webhooks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hab_webhooks" ADD CONSTRAINT "hab_webhooks_definition_id_hab_definitions_id_fk" FOREIGN KEY ("definition_id") REFERENCES "public"."hab_definitions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hab_webhooks" ADD CONSTRAINT "hab_webhooks_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "hab_auth_req_idx" ON "hab_authorizations" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "hab_auth_def_state_idx" ON "hab_authorizations" USING btree ("definition_id","state");--> statement-breakpoint
CREATE INDEX "hab_auth_expiry_idx" ON "hab_authorizations" USING btree ("state","expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "hab_counters_def_idx" ON "hab_counters" USING btree ("definition_id");--> statement-breakpoint
CREATE INDEX "hab_documents_req_idx" ON "hab_documents" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "hab_events_req_idx" ON "hab_events" USING btree ("request_id","at");--> statement-breakpoint
CREATE INDEX "hab_forms_def_idx" ON "hab_forms" USING btree ("definition_id");--> statement-breakpoint
CREATE INDEX "hab_messages_req_idx" ON "hab_messages" USING btree ("request_id","at");--> statement-breakpoint
CREATE INDEX "hab_requests_def_state_idx" ON "hab_requests" USING btree ("definition_id","state");--> statement-breakpoint
CREATE INDEX "hab_requests_org_idx" ON "hab_requests" USING btree ("organisation_id");--> statement-breakpoint
CREATE INDEX "hab_requests_applicant_idx" ON "hab_requests" USING btree ("applicant_id");--> statement-breakpoint
CREATE INDEX "hab_roles_user_idx" ON "hab_roles" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "hab_wh_attempts_idx" ON "hab_webhook_attempts" USING btree ("webhook_id","created_at");--> statement-breakpoint
CREATE INDEX "hab_webhooks_def_idx" ON "hab_webhooks" USING btree ("definition_id");
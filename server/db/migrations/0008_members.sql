-- Members and amplification (issue 12): consent, invitations, shares through the platforms' own
-- share screens, push subscriptions, per-unit share rules, and bot clicks kept apart on links.
CREATE TABLE "member_profiles" (
	"user_id" uuid PRIMARY KEY NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
	"listed_in_stats" boolean DEFAULT false NOT NULL,
	"digest" text DEFAULT 'instant' NOT NULL,
	"consent_version" integer,
	"consented_at" timestamp with time zone,
	"last_digest_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "member_profiles_digest_ck" CHECK ("digest" in ('instant', 'daily'))
);
--> statement-breakpoint
CREATE TABLE "member_consents" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
	"version" integer NOT NULL,
	"accepted_at" timestamp with time zone NOT NULL,
	"withdrawn_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "member_consents_user_idx" ON "member_consents" ("user_id", "id");
--> statement-breakpoint
CREATE TABLE "member_invitations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"token_hash" text NOT NULL,
	"unit_id" uuid NOT NULL REFERENCES "units"("id") ON DELETE CASCADE,
	"role" text DEFAULT 'member' NOT NULL,
	"created_by" uuid REFERENCES "users"("id") ON DELETE SET NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"used_by" uuid REFERENCES "users"("id") ON DELETE SET NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "member_invitations_role_ck" CHECK ("role" = 'member')
);
--> statement-breakpoint
CREATE UNIQUE INDEX "member_invitations_token_uq" ON "member_invitations" ("token_hash");
--> statement-breakpoint
CREATE TABLE "member_shares" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
	"post_id" uuid NOT NULL REFERENCES "posts"("id") ON DELETE CASCADE,
	"platform" text NOT NULL,
	"unit_id" uuid REFERENCES "units"("id") ON DELETE SET NULL,
	"status" text NOT NULL,
	"link_code" text,
	"opened_at" timestamp with time zone NOT NULL,
	"opens" integer DEFAULT 1 NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "member_shares_platform_ck" CHECK ("platform" in ('facebook', 'zalo', 'other')),
	CONSTRAINT "member_shares_status_ck" CHECK ("status" in ('opened', 'shared', 'cancelled'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "member_shares_member_post_platform_uq" ON "member_shares" ("user_id", "post_id", "platform");
--> statement-breakpoint
CREATE INDEX "member_shares_post_idx" ON "member_shares" ("post_id");
--> statement-breakpoint
CREATE INDEX "member_shares_unit_opened_idx" ON "member_shares" ("unit_id", "opened_at");
--> statement-breakpoint
CREATE TABLE "member_push_subscriptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
	"endpoint" text NOT NULL,
	"p256dh" text NOT NULL,
	"auth" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "member_push_subscriptions_endpoint_uq" ON "member_push_subscriptions" ("endpoint");
--> statement-breakpoint
CREATE INDEX "member_push_subscriptions_user_idx" ON "member_push_subscriptions" ("user_id");
--> statement-breakpoint
CREATE TABLE "member_post_notices" (
	"post_id" uuid PRIMARY KEY NOT NULL REFERENCES "posts"("id") ON DELETE CASCADE,
	"notified_at" timestamp with time zone DEFAULT now() NOT NULL,
	"members" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "unit_share_rules" (
	"unit_id" uuid PRIMARY KEY NOT NULL REFERENCES "units"("id") ON DELETE CASCADE,
	"daily_cap" integer,
	"hours_from" smallint,
	"hours_to" smallint,
	"updated_by" uuid REFERENCES "users"("id") ON DELETE SET NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "unit_share_rules_cap_ck" CHECK ("daily_cap" IS NULL OR "daily_cap" >= 1),
	CONSTRAINT "unit_share_rules_hours_ck" CHECK (("hours_from" IS NULL) = ("hours_to" IS NULL) AND ("hours_from" IS NULL OR ("hours_from" BETWEEN 0 AND 23 AND "hours_to" BETWEEN 1 AND 24)))
);
--> statement-breakpoint
ALTER TABLE "links" ADD COLUMN "bot_clicks" integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
CREATE INDEX "links_share_idx" ON "links" ("share_id") WHERE "share_id" IS NOT NULL;
--> statement-breakpoint
-- The share feed reads published posts newest first.
CREATE INDEX "posts_published_idx" ON "posts" ("published_at" DESC) WHERE "published_at" IS NOT NULL;

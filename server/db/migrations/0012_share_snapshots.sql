-- Members' shares followed by the engagement collector like publications: the same schedule
-- (from the moment the share was recorded), raw snapshots in a table partitioned by month, and
-- a rollup per day × unit × campaign × platform that the overview reads. A share made through
-- Facebook's Share Dialog or Zalo's share sheet gives the app no post id and no token to read
-- it, so what is stored is what Loa counts itself: the share, and the clicks, unique visitors
-- and bot fetches of the member's own tracked link.
CREATE TABLE "share_engagement_tracking" (
	"share_id" uuid PRIMARY KEY NOT NULL REFERENCES "member_shares"("id") ON DELETE CASCADE,
	"post_id" uuid NOT NULL,
	-- The member's unit when they shared: the figures stay with the unit they were earned in.
	"unit_id" uuid,
	"campaign_id" uuid,
	"platform" text NOT NULL,
	"shared_at" timestamp with time zone NOT NULL,
	"occurrence" integer DEFAULT 0 NOT NULL,
	"next_due_at" timestamp with time zone,
	"early_at" timestamp with time zone,
	"lease_until" timestamp with time zone,
	"fetched_at" timestamp with time zone,
	"link_clicks" bigint DEFAULT 0 NOT NULL,
	"unique_visitors" bigint DEFAULT 0 NOT NULL,
	"bot_clicks" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX "share_engagement_tracking_due_idx" ON "share_engagement_tracking" ("next_due_at") WHERE "next_due_at" IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "share_engagement_tracking_early_idx" ON "share_engagement_tracking" ("early_at") WHERE "early_at" IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "share_engagement_tracking_post_idx" ON "share_engagement_tracking" ("post_id");
--> statement-breakpoint
-- Discovery resumes from the newest share already followed.
CREATE INDEX "share_engagement_tracking_shared_at_idx" ON "share_engagement_tracking" ("shared_at");
--> statement-breakpoint
-- No foreign key, as for engagement_snapshots: retention drops whole partitions.
CREATE TABLE "share_snapshots" (
	"share_id" uuid NOT NULL,
	"fetched_at" timestamp with time zone NOT NULL,
	"occurrence" integer,
	"link_clicks" bigint DEFAULT 0 NOT NULL,
	"unique_visitors" bigint DEFAULT 0 NOT NULL,
	"bot_clicks" bigint DEFAULT 0 NOT NULL,
	PRIMARY KEY ("share_id", "fetched_at")
) PARTITION BY RANGE ("fetched_at");
--> statement-breakpoint
-- What each day gained: shares recorded that day, and the people's clicks and unique visitors
-- the members' links gained that day (bots are never in them).
CREATE TABLE "share_totals" (
	"day" date NOT NULL,
	"unit_id" uuid,
	"campaign_id" uuid,
	"platform" text NOT NULL,
	"shares" bigint DEFAULT 0 NOT NULL,
	"link_clicks" bigint DEFAULT 0 NOT NULL,
	"unique_visitors" bigint DEFAULT 0 NOT NULL,
	"fetched_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "share_totals_key_uq" ON "share_totals" ("day", "unit_id", "campaign_id", "platform") NULLS NOT DISTINCT;
--> statement-breakpoint
-- The collector's discovery reads the shares recorded since its newest one.
CREATE INDEX "member_shares_completed_idx" ON "member_shares" ("completed_at") WHERE "status" = 'shared';

-- Engagement: which publications are followed and when each is next due, raw snapshots in a
-- table partitioned by month (old months are dropped whole), and two rollups kept current by
-- the collector so dashboard queries never scan raw rows: one per day × publication (the post
-- page, CSV baselines) and one per day × channel × campaign × unit (the overview).
CREATE TABLE "engagement_tracking" (
	"publication_id" uuid PRIMARY KEY NOT NULL REFERENCES "publications"("id") ON DELETE CASCADE,
	"channel_id" uuid NOT NULL REFERENCES "channels"("id") ON DELETE CASCADE,
	"published_at" timestamp with time zone NOT NULL,
	-- The index of the next scheduled occurrence; next_due_at is null once past the horizon.
	"occurrence" integer DEFAULT 0 NOT NULL,
	"next_due_at" timestamp with time zone,
	-- A webhook or a refresh asked for a snapshot before the next occurrence.
	"early_at" timestamp with time zone,
	"lease_until" timestamp with time zone,
	"fetched_at" timestamp with time zone,
	"impressions" bigint,
	"reactions" bigint,
	"comments" bigint,
	"shares" bigint,
	"clicks" bigint,
	"link_clicks" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX "engagement_tracking_due_idx" ON "engagement_tracking" ("next_due_at") WHERE "next_due_at" IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "engagement_tracking_early_idx" ON "engagement_tracking" ("early_at") WHERE "early_at" IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "engagement_tracking_channel_idx" ON "engagement_tracking" ("channel_id");
--> statement-breakpoint
-- No foreign key: retention drops whole partitions, and the check would slow batch inserts.
CREATE TABLE "engagement_snapshots" (
	"publication_id" uuid NOT NULL,
	"fetched_at" timestamp with time zone NOT NULL,
	"occurrence" integer,
	"impressions" bigint,
	"reactions" bigint,
	"comments" bigint,
	"shares" bigint,
	"clicks" bigint,
	"link_clicks" bigint DEFAULT 0 NOT NULL,
	PRIMARY KEY ("publication_id", "fetched_at")
) PARTITION BY RANGE ("fetched_at");
--> statement-breakpoint
CREATE TABLE "engagement_daily" (
	"day" date NOT NULL,
	"publication_id" uuid NOT NULL REFERENCES "publications"("id") ON DELETE CASCADE,
	"post_id" uuid NOT NULL,
	"channel_id" uuid NOT NULL,
	"unit_id" uuid,
	"campaign_id" uuid,
	"platform" text NOT NULL,
	-- Cumulative figures at the day's last snapshot, and what they gained during the day.
	"impressions" bigint,
	"reactions" bigint,
	"comments" bigint,
	"shares" bigint,
	"clicks" bigint,
	"link_clicks" bigint DEFAULT 0 NOT NULL,
	"d_impressions" bigint,
	"d_reactions" bigint,
	"d_comments" bigint,
	"d_shares" bigint,
	"d_clicks" bigint,
	"d_link_clicks" bigint DEFAULT 0 NOT NULL,
	"fetched_at" timestamp with time zone NOT NULL,
	PRIMARY KEY ("day", "publication_id")
);
--> statement-breakpoint
CREATE INDEX "engagement_daily_publication_idx" ON "engagement_daily" ("publication_id", "day");
--> statement-breakpoint
CREATE TABLE "engagement_totals" (
	"day" date NOT NULL,
	"channel_id" uuid NOT NULL,
	"campaign_id" uuid,
	"unit_id" uuid,
	"platform" text NOT NULL,
	"impressions" bigint DEFAULT 0 NOT NULL,
	"reactions" bigint DEFAULT 0 NOT NULL,
	"comments" bigint DEFAULT 0 NOT NULL,
	"shares" bigint DEFAULT 0 NOT NULL,
	"clicks" bigint DEFAULT 0 NOT NULL,
	"link_clicks" bigint DEFAULT 0 NOT NULL,
	"fetched_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "engagement_totals_key_uq" ON "engagement_totals" ("day", "channel_id", "campaign_id", "unit_id") NULLS NOT DISTINCT;
--> statement-breakpoint
-- Zalo has no article statistics: its reach is tracked-link clicks and the OA's follower count.
CREATE TABLE "channel_followers_daily" (
	"channel_id" uuid NOT NULL REFERENCES "channels"("id") ON DELETE CASCADE,
	"day" date NOT NULL,
	"followers" bigint NOT NULL,
	"fetched_at" timestamp with time zone NOT NULL,
	PRIMARY KEY ("channel_id", "day")
);
--> statement-breakpoint
-- A metric the platform refused for a Page (code 100): asked no more, shown as unavailable.
CREATE TABLE "engagement_unavailable_metrics" (
	"channel_id" uuid NOT NULL REFERENCES "channels"("id") ON DELETE CASCADE,
	"metric" text NOT NULL,
	"reason" text NOT NULL,
	"since" timestamp with time zone DEFAULT now() NOT NULL,
	PRIMARY KEY ("channel_id", "metric")
);
--> statement-breakpoint
-- Usage-header pauses (app-wide key 'facebook:app', per Page 'facebook:page:<id>'): kept in the
-- database so a restarted collector does not hammer a Page it had stopped for.
CREATE TABLE "engagement_throttles" (
	"key" text PRIMARY KEY NOT NULL,
	"percent" integer NOT NULL,
	"paused_until" timestamp with time zone,
	"slow_until" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- Webhook deliveries seen (SHA-256 of the raw body): a replayed delivery changes nothing.
CREATE TABLE "webhook_deliveries" (
	"platform" text NOT NULL,
	"digest" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	PRIMARY KEY ("platform", "digest")
);
--> statement-breakpoint
CREATE INDEX "webhook_deliveries_received_idx" ON "webhook_deliveries" ("received_at");

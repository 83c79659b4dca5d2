-- Connecting a channel through the platform's own login takes two round trips through the
-- browser. Each step is one row here, found by the SHA-256 of a random single-use key (the OAuth
-- `state`, then the key of the "pick your Pages" page) and bound to the signed-in browser session
-- (also hashed). Taking a step deletes its row, so a replayed state or a resubmitted choice finds
-- nothing. The secrets (the PKCE verifier; the Page or OA tokens waiting to be picked) are
-- encrypted like channel tokens. Rows live minutes; expired ones are swept when a flow starts.
CREATE TABLE "channel_connect_flows" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key_hash" text NOT NULL,
	"stage" text NOT NULL,
	"session_hash" text NOT NULL,
	"platform" text NOT NULL,
	"user_id" uuid NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
	"channel_id" uuid REFERENCES "channels"("id") ON DELETE CASCADE,
	"secret_enc" text,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "channel_connect_flows_stage_ck" CHECK ("stage" in ('authorize', 'choose')),
	CONSTRAINT "channel_connect_flows_platform_ck" CHECK ("platform" in ('facebook', 'zalo'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "channel_connect_flows_key_uq" ON "channel_connect_flows" ("key_hash");
--> statement-breakpoint
CREATE INDEX "channel_connect_flows_expires_idx" ON "channel_connect_flows" ("expires_at");

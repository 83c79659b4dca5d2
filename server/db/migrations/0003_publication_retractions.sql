-- Retraction state per publication (issue 5): one row per publication that must be removed
-- from its platform, retried with backoff like publishing. Kept beside `publications` rather
-- than in it so the publisher's rows and queries stay as they are.
CREATE TABLE "publication_retractions" (
	"publication_id" uuid PRIMARY KEY NOT NULL,
	"post_id" uuid NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"last_error_kind" text,
	"next_attempt_at" timestamp with time zone,
	"lease_owner" text,
	"lease_expires_at" timestamp with time zone,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retracted_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "publication_retractions_status_ck" CHECK ("publication_retractions"."status" in ('pending', 'retracting', 'retracted', 'failed'))
);
--> statement-breakpoint
ALTER TABLE "publication_retractions" ADD CONSTRAINT "publication_retractions_publication_id_publications_id_fk" FOREIGN KEY ("publication_id") REFERENCES "public"."publications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "publication_retractions" ADD CONSTRAINT "publication_retractions_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "publication_retractions_post_idx" ON "publication_retractions" USING btree ("post_id");--> statement-breakpoint
CREATE INDEX "publication_retractions_due_idx" ON "publication_retractions" USING btree ("status","next_attempt_at");

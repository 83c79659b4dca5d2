-- Unit scope: editors and reviewers with a unit see and act on the posts, channels and media of
-- their unit and the units below it. Media gain the unit they belong to (the uploader's); rows
-- written before this migration take their author's, uploader's or creator's unit where they
-- have none. A channel still without a unit that the posts of exactly one unit went to belongs
-- to that unit. The rest stay without a unit (for unscoped users only) until an admin gives them one.
ALTER TABLE "media" ADD COLUMN "unit_id" uuid REFERENCES "units"("id") ON DELETE SET NULL;
--> statement-breakpoint
UPDATE "media" m SET "unit_id" = u."unit_id" FROM "users" u WHERE m."created_by" = u."id" AND m."unit_id" IS NULL;
--> statement-breakpoint
UPDATE "posts" p SET "unit_id" = u."unit_id" FROM "users" u WHERE p."author_id" = u."id" AND p."unit_id" IS NULL;
--> statement-breakpoint
UPDATE "channels" c SET "unit_id" = u."unit_id" FROM "users" u WHERE c."created_by" = u."id" AND c."unit_id" IS NULL;
--> statement-breakpoint
UPDATE "channels" c SET "unit_id" = used."unit_id"
FROM (
	SELECT ch."channel_id", (array_agg(DISTINCT p."unit_id"))[1] AS "unit_id"
	FROM "posts" p CROSS JOIN LATERAL jsonb_array_elements_text(p."channel_ids") AS ch("channel_id")
	WHERE p."unit_id" IS NOT NULL
	GROUP BY ch."channel_id"
	HAVING count(DISTINCT p."unit_id") = 1
) used
WHERE c."id"::text = used."channel_id" AND c."unit_id" IS NULL;
--> statement-breakpoint
CREATE INDEX "media_unit_scope_idx" ON "media" ("unit_id");
--> statement-breakpoint
CREATE INDEX "channels_unit_scope_idx" ON "channels" ("unit_id");
--> statement-breakpoint
CREATE INDEX "posts_unit_scope_idx" ON "posts" ("unit_id", "scheduled_at");

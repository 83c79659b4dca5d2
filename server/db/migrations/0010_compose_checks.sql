-- A Zalo article needs a cover. A post with no picture of its own (no card, no media) that goes
-- to a Zalo OA gets one generated when it is written: a card drawn from its title and its unit's
-- name. It is stored like a card (file under the media directory, size, alt text) and used only
-- as the Zalo cover; the Facebook post stays text-only.
ALTER TABLE "posts" ADD COLUMN "zalo_cover" jsonb;
--> statement-breakpoint
-- The warning's title as the editor wrote it (API `title`), kept apart from the derived one so an
-- edit of the text keeps it; null: the title is the template's or the text's first line.
ALTER TABLE "posts" ADD COLUMN "custom_title" text;

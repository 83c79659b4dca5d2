-- A Zalo article needs a cover. A post with no picture of its own (no card, no media) that goes
-- to a Zalo OA gets one generated when it is written: a card drawn from its title and its unit's
-- name. It is stored like a card (file under the media directory, size, alt text) and used only
-- as the Zalo cover; the Facebook post stays text-only.
ALTER TABLE "posts" ADD COLUMN "zalo_cover" jsonb;

-- Units become organisations: a profile (short name, hotline, area, address, website) that
-- fills template variables declaring `from: unit.*`, and a logo from the media library drawn on
-- cards, public pages and leaflets.
ALTER TABLE "units" ADD COLUMN "profile" jsonb DEFAULT '{}'::jsonb NOT NULL;
--> statement-breakpoint
ALTER TABLE "units" ADD COLUMN "logo_media_id" uuid REFERENCES "media"("id") ON DELETE SET NULL;
--> statement-breakpoint
-- Cascade: a province's approved warning handed down as one draft per child unit. The unique
-- index is what makes a second cascade skip the units that already have their copy, even when
-- two reviewers send it at the same moment.
ALTER TABLE "posts" ADD COLUMN "parent_post_id" uuid REFERENCES "posts"("id") ON DELETE SET NULL;
--> statement-breakpoint
CREATE UNIQUE INDEX "posts_parent_unit_uq" ON "posts" ("parent_post_id", "unit_id") WHERE "parent_post_id" IS NOT NULL;

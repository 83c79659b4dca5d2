-- Custom templates are edited as new versions: every version's source is kept, so a post keeps
-- rendering from the version it was written from after the template changes or is archived.
-- post_templates keeps the current version's source (the composer reads only that).
ALTER TABLE "post_templates" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;
--> statement-breakpoint
CREATE TABLE "post_template_versions" (
	"template_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"name" text NOT NULL,
	"source" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "post_template_versions_pk" PRIMARY KEY ("template_id", "version")
);
--> statement-breakpoint
ALTER TABLE "post_template_versions" ADD CONSTRAINT "post_template_versions_template_id_post_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."post_templates"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "post_template_versions" ADD CONSTRAINT "post_template_versions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
--> statement-breakpoint
-- Every template saved before versioning is its own version 1.
INSERT INTO "post_template_versions" ("template_id", "version", "name", "source", "created_by", "created_at")
	SELECT "id", 1, "name", "source", "created_by", "created_at" FROM "post_templates";
--> statement-breakpoint
-- The version of a custom template a post was written from; null for a built-in (a file of this
-- install) or a post written as free text.
ALTER TABLE "posts" ADD COLUMN "template_version" integer;
--> statement-breakpoint
UPDATE "posts" SET "template_version" = 1 WHERE "template_id" IN (SELECT "id"::text FROM "post_templates");

-- Admins and unit reviewers manage their members' invitations: an open invitation can be revoked
-- (the link stops working at once, the row stays to show what became of it), and the list of a
-- unit's invitations is read newest first.
ALTER TABLE "member_invitations" ADD COLUMN "revoked_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "member_invitations" ADD COLUMN "revoked_by" uuid REFERENCES "users"("id") ON DELETE SET NULL;
--> statement-breakpoint
CREATE INDEX "member_invitations_unit_created_idx" ON "member_invitations" ("unit_id", "created_at" DESC, "id" DESC);

-- The audit log's hash chain is now sealed in the background instead of at insert time: writers
-- append rows without taking a global lock; a sealer (job `audit.seal`, and every verification)
-- gives the committed, unsealed rows the next chain positions (`seq`) in id order and computes
-- their hashes. A row committed late is simply sealed in a later batch.
ALTER TABLE "audit_log" ADD COLUMN "seq" bigint;
--> statement-breakpoint
ALTER TABLE "audit_log" ALTER COLUMN "prev_hash" DROP NOT NULL;
--> statement-breakpoint
ALTER TABLE "audit_log" ALTER COLUMN "hash" DROP NOT NULL;
--> statement-breakpoint
ALTER TABLE "audit_log" DISABLE TRIGGER "audit_log_no_update";
--> statement-breakpoint
-- Rows chained before this migration were chained in id order: their positions follow it.
UPDATE "audit_log" a SET "seq" = n.rn FROM (SELECT "id", row_number() OVER (ORDER BY "id") AS rn FROM "audit_log") n WHERE a."id" = n."id";
--> statement-breakpoint
ALTER TABLE "audit_log" ENABLE TRIGGER "audit_log_no_update";
--> statement-breakpoint
CREATE UNIQUE INDEX "audit_log_seq_uq" ON "audit_log" ("seq");
--> statement-breakpoint
CREATE INDEX "audit_log_unsealed_idx" ON "audit_log" ("id") WHERE "seq" IS NULL;
--> statement-breakpoint
-- Still append-only: the one update allowed is sealing a row once, which sets seq, prev_hash and
-- hash and changes nothing else.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS TRIGGER AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL AND NEW.hash IS NOT NULL
		AND (NEW.id, NEW.at, NEW.actor_id, NEW.actor_label, NEW.action, NEW.target_type, NEW.target_id, NEW.details, NEW.ip)
			IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.actor_id, OLD.actor_label, OLD.action, OLD.target_type, OLD.target_id, OLD.details, OLD.ip)
	THEN
		RETURN NEW;
	END IF;
	RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;

ALTER TABLE "outbox_events" ADD COLUMN "published_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "outbox_events" ADD COLUMN "relay_lease_until" timestamp (3) with time zone;--> statement-breakpoint
CREATE INDEX "outbox_events_unpublished_idx" ON "outbox_events" USING btree ("aggregate_type","aggregate_id","position") WHERE "outbox_events"."published_at" is null;--> statement-breakpoint
-- Events recorded before the relay existed were never meant for it.
UPDATE "outbox_events" SET "published_at" = "occurred_at" WHERE "published_at" IS NULL;

ALTER TABLE "orders" ADD COLUMN "paid_at" timestamp (3) with time zone;--> statement-breakpoint
-- Orders paid before this column: the time of their `order.status-changed` event to paid while the outbox still has
-- it (this catches those cancelled after payment too), else, for one paid or further along, its last change.
UPDATE "orders" AS o SET "paid_at" = e."occurred_at"
  FROM "outbox_events" AS e
  WHERE e."aggregate_type" = 'order' AND e."aggregate_id" = o."id"::text
    AND e."name" = 'order.status-changed' AND e."payload"->>'status' = 'paid';--> statement-breakpoint
UPDATE "orders" SET "paid_at" = "updated_at" WHERE "paid_at" IS NULL AND "status" IN ('paid', 'shipped', 'delivered');

-- Rows never claimed leave the queue index: a big send's new deliveries are found by claims
-- through the unique key (message, resident, channel) from a cursor kept on the message,
-- so writing them costs one index entry fewer each (docs/performance.md, "Messaging
-- targeting", fourth round; ADR 0005).
DROP INDEX "msg_deliveries_queue_idx";--> statement-breakpoint
ALTER TABLE "msg_messages" ADD COLUMN "fresh_rank" smallint;--> statement-breakpoint
ALTER TABLE "msg_messages" ADD COLUMN "claim_cursor" uuid;--> statement-breakpoint
ALTER TABLE "msg_messages" ADD COLUMN "claim_cursor_channel" text;--> statement-breakpoint
CREATE INDEX "msg_messages_fresh_idx" ON "msg_messages" USING btree ("fresh_rank","id") WHERE "msg_messages"."fresh_rank" is not null;--> statement-breakpoint
CREATE INDEX "msg_deliveries_queue_idx" ON "msg_deliveries" USING btree ("priority","message_id","next_attempt_at") WHERE "msg_deliveries"."status" in ('queued', 'sending') and "msg_deliveries"."claimed_at" is not null;--> statement-breakpoint
-- Messages with deliveries waiting that were never claimed (or were handed back before this
-- migration, which cleared claimed_at): their claims start from the first resident.
UPDATE "msg_messages" m SET "fresh_rank" = f.rank
  FROM (SELECT "message_id", min("priority") AS rank FROM "msg_deliveries"
         WHERE "status" = 'queued' AND "claimed_at" IS NULL GROUP BY "message_id") f
 WHERE m."id" = f."message_id";

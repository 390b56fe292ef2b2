-- A short number per message, for the references a delivery carries outside Beacon (reply
-- addresses must fit in 64 characters; see src/modules/messaging/delivery-ref.ts).
-- Existing messages are numbered in no particular order.
ALTER TABLE "msg_messages" ADD COLUMN "ref" bigint NOT NULL GENERATED ALWAYS AS IDENTITY (sequence name "msg_messages_ref_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1);--> statement-breakpoint
-- Deliveries lose their surrogate id and its primary key: a delivery is named by message,
-- resident and channel (msg_deliveries_once). The id and its index cost a 533,000-delivery
-- send about 0.8 s of a 2.4 s write (docs/performance.md, "Messaging targeting").
-- References sent out before this migration (delivery-<id>) no longer resolve.
ALTER TABLE "msg_deliveries" DROP COLUMN "id";--> statement-breakpoint
ALTER TABLE "msg_messages" ADD CONSTRAINT "msg_messages_ref_key" UNIQUE("ref");--> statement-breakpoint
-- A resident who deleted their account is never sent anything again: rows of theirs still
-- waiting are skipped (erasure now does this itself, so no unsent row has no resident).
UPDATE "msg_deliveries" SET "status" = 'skipped', "error" = 'the resident deleted their account'
 WHERE "subscriber_id" IS NULL AND "status" IN ('queued', 'sending', 'digest');

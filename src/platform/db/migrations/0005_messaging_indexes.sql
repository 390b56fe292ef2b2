DROP INDEX "msg_deliveries_message_idx";--> statement-breakpoint
DROP INDEX "msg_deliveries_provider_idx";--> statement-breakpoint
DROP INDEX "msg_places_path_idx";--> statement-breakpoint
CREATE INDEX "msg_deliveries_unfinished_idx" ON "msg_deliveries" USING btree ("message_id") WHERE "msg_deliveries"."status" in ('queued', 'sending');--> statement-breakpoint
CREATE INDEX "msg_deliveries_provider_idx" ON "msg_deliveries" USING btree ("provider_id") WHERE "msg_deliveries"."provider_id" is not null;--> statement-breakpoint
CREATE INDEX "msg_places_path_idx" ON "msg_subscriber_places" USING btree ("area_path","subscriber_id");
CREATE TABLE "channel_receipts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"provider" text NOT NULL,
	"provider_id" text NOT NULL,
	"reference" text,
	"channel" text,
	"status" text NOT NULL,
	"provider_status" text NOT NULL,
	"occurred_at" timestamp with time zone,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "channel_receipts_unique" ON "channel_receipts" USING btree ("provider","provider_id","provider_status");--> statement-breakpoint
CREATE INDEX "channel_receipts_reference_idx" ON "channel_receipts" USING btree ("reference");
CREATE TABLE "msg_confirmations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"subscriber_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"secret_hash" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "msg_consent_wordings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation" text NOT NULL,
	"purpose" text NOT NULL,
	"version" integer NOT NULL,
	"text" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "msg_consents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"subscriber_id" uuid NOT NULL,
	"organisation" text NOT NULL,
	"purpose" text NOT NULL,
	"wording_id" uuid NOT NULL,
	"given" boolean NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"source" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "msg_deliveries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "msg_deliveries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"message_id" uuid NOT NULL,
	"subscriber_id" uuid,
	"channel" text NOT NULL,
	"priority" smallint NOT NULL,
	"area_id" text,
	"status" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"claimed_at" timestamp with time zone,
	"claimed_by" text,
	"provider_id" text,
	"sent_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"failed_at" timestamp with time zone,
	"error" text,
	"opened_at" timestamp with time zone,
	"clicked_at" timestamp with time zone,
	"digest_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "msg_digests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"subscriber_id" uuid,
	"channel" text NOT NULL,
	"frequency" text NOT NULL,
	"period" date NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"provider_id" text,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "msg_feedback" (
	"message_id" uuid NOT NULL,
	"subscriber_id" uuid NOT NULL,
	"useful" boolean NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "msg_feedback_message_id_subscriber_id_pk" PRIMARY KEY("message_id","subscriber_id")
);
--> statement-breakpoint
CREATE TABLE "msg_group_members" (
	"group_id" uuid NOT NULL,
	"subscriber_id" uuid NOT NULL,
	CONSTRAINT "msg_group_members_group_id_subscriber_id_pk" PRIMARY KEY("group_id","subscriber_id")
);
--> statement-breakpoint
CREATE TABLE "msg_groups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"area_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "msg_interests" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"name_cy" text,
	"description" text,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "msg_membership_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "msg_membership_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"area_id" text,
	"event" text NOT NULL,
	"channel" text,
	"message_id" uuid,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"details" jsonb
);
--> statement-breakpoint
CREATE TABLE "msg_message_targets" (
	"message_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"ref_id" text NOT NULL,
	CONSTRAINT "msg_message_targets_message_id_kind_ref_id_pk" PRIMARY KEY("message_id","kind","ref_id")
);
--> statement-breakpoint
CREATE TABLE "msg_message_translations" (
	"message_id" uuid NOT NULL,
	"language" text NOT NULL,
	"title" text NOT NULL,
	"body_markdown" text NOT NULL,
	"sms_text" text,
	CONSTRAINT "msg_message_translations_message_id_language_pk" PRIMARY KEY("message_id","language")
);
--> statement-breakpoint
CREATE TABLE "msg_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"body_markdown" text NOT NULL,
	"sms_text" text,
	"category" text NOT NULL,
	"priority" text DEFAULT 'normal' NOT NULL,
	"organisation" text DEFAULT 'force' NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"allow_replies" boolean DEFAULT true NOT NULL,
	"is_public" boolean DEFAULT false NOT NULL,
	"area_id" text NOT NULL,
	"area_path" text NOT NULL,
	"created_by" uuid,
	"approved_by" uuid,
	"approved_at" timestamp with time zone,
	"needs_review" boolean DEFAULT false NOT NULL,
	"reviewed_by" uuid,
	"reviewed_at" timestamp with time zone,
	"scheduled_for" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"recipient_count" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "msg_replies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"message_id" uuid NOT NULL,
	"subscriber_id" uuid,
	"via" text NOT NULL,
	"body" text NOT NULL,
	"answer_channel" text,
	"status" text DEFAULT 'new' NOT NULL,
	"assigned_to" uuid,
	"answer" text,
	"answered_by" uuid,
	"answered_at" timestamp with time zone,
	"actioned_at" timestamp with time zone,
	"area_path" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "msg_subscriber_interests" (
	"subscriber_id" uuid NOT NULL,
	"interest_id" text NOT NULL,
	CONSTRAINT "msg_subscriber_interests_subscriber_id_interest_id_pk" PRIMARY KEY("subscriber_id","interest_id")
);
--> statement-breakpoint
CREATE TABLE "msg_subscriber_places" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"subscriber_id" uuid NOT NULL,
	"area_id" text NOT NULL,
	"area_path" text NOT NULL,
	"label" text DEFAULT 'other' NOT NULL,
	"postcode" text
);
--> statement-breakpoint
CREATE TABLE "msg_subscribers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text,
	"email_confirmed_at" timestamp with time zone,
	"phone" text,
	"phone_confirmed_at" timestamp with time zone,
	"language" text DEFAULT 'en' NOT NULL,
	"email_frequency" text DEFAULT 'immediate' NOT NULL,
	"sms_frequency" text DEFAULT 'immediate' NOT NULL,
	"email_failures" integer DEFAULT 0 NOT NULL,
	"sms_failures" integer DEFAULT 0 NOT NULL,
	"email_failing" boolean DEFAULT false NOT NULL,
	"sms_failing" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"link_version" integer DEFAULT 1 NOT NULL,
	"home_area_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "msg_confirmations_subscriber_idx" ON "msg_confirmations" USING btree ("subscriber_id");--> statement-breakpoint
CREATE UNIQUE INDEX "msg_wording_version_idx" ON "msg_consent_wordings" USING btree ("organisation","purpose","version");--> statement-breakpoint
CREATE INDEX "msg_consents_subscriber_idx" ON "msg_consents" USING btree ("subscriber_id","organisation","purpose","at");--> statement-breakpoint
CREATE UNIQUE INDEX "msg_deliveries_once" ON "msg_deliveries" USING btree ("message_id","subscriber_id","channel");--> statement-breakpoint
CREATE INDEX "msg_deliveries_claim_idx" ON "msg_deliveries" USING btree ("priority","next_attempt_at") WHERE "msg_deliveries"."status" = 'queued';--> statement-breakpoint
CREATE INDEX "msg_deliveries_message_idx" ON "msg_deliveries" USING btree ("message_id","status");--> statement-breakpoint
CREATE INDEX "msg_deliveries_provider_idx" ON "msg_deliveries" USING btree ("provider_id");--> statement-breakpoint
CREATE INDEX "msg_deliveries_subscriber_idx" ON "msg_deliveries" USING btree ("subscriber_id");--> statement-breakpoint
CREATE UNIQUE INDEX "msg_digests_once" ON "msg_digests" USING btree ("subscriber_id","channel","frequency","period");--> statement-breakpoint
CREATE INDEX "msg_group_members_sub_idx" ON "msg_group_members" USING btree ("subscriber_id");--> statement-breakpoint
CREATE INDEX "msg_membership_events_idx" ON "msg_membership_events" USING btree ("event","at");--> statement-breakpoint
CREATE INDEX "msg_membership_events_message_idx" ON "msg_membership_events" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "msg_messages_status_idx" ON "msg_messages" USING btree ("status");--> statement-breakpoint
CREATE INDEX "msg_messages_area_path_idx" ON "msg_messages" USING btree ("area_path");--> statement-breakpoint
CREATE INDEX "msg_messages_created_idx" ON "msg_messages" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "msg_replies_message_idx" ON "msg_replies" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "msg_replies_status_idx" ON "msg_replies" USING btree ("status","received_at");--> statement-breakpoint
CREATE INDEX "msg_sub_interests_interest_idx" ON "msg_subscriber_interests" USING btree ("interest_id");--> statement-breakpoint
CREATE INDEX "msg_places_subscriber_idx" ON "msg_subscriber_places" USING btree ("subscriber_id");--> statement-breakpoint
CREATE INDEX "msg_places_path_idx" ON "msg_subscriber_places" USING btree ("area_path");--> statement-breakpoint
CREATE UNIQUE INDEX "msg_places_unique" ON "msg_subscriber_places" USING btree ("subscriber_id","area_id");--> statement-breakpoint
CREATE UNIQUE INDEX "msg_subscribers_email_idx" ON "msg_subscribers" USING btree ("email") WHERE "msg_subscribers"."email" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "msg_subscribers_phone_idx" ON "msg_subscribers" USING btree ("phone") WHERE "msg_subscribers"."phone" is not null;
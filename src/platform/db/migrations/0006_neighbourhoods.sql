CREATE TABLE "nbh_contact_queries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reference" text NOT NULL,
	"area_id" text NOT NULL,
	"topic" text NOT NULL,
	"message" text NOT NULL,
	"name" text,
	"reply_by" text NOT NULL,
	"email" text,
	"phone" text,
	"status" text DEFAULT 'new' NOT NULL,
	"assigned_to" uuid,
	"first_reply_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "nbh_contact_queries_reference_unique" UNIQUE("reference"),
	CONSTRAINT "nbh_contact_queries_reply_check" CHECK (("nbh_contact_queries"."reply_by" = 'email' and "nbh_contact_queries"."email" is not null) or ("nbh_contact_queries"."reply_by" = 'phone' and "nbh_contact_queries"."phone" is not null))
);
--> statement-breakpoint
CREATE TABLE "nbh_contact_replies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"query_id" uuid NOT NULL,
	"body" text NOT NULL,
	"kind" text DEFAULT 'reply' NOT NULL,
	"sent_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "nbh_event_questions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event_id" uuid NOT NULL,
	"source" text DEFAULT 'before' NOT NULL,
	"question" text NOT NULL,
	"asker_name" text,
	"asker_email" text,
	"answer" text,
	"answered_at" timestamp with time zone,
	"hidden" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "nbh_event_series" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"area_id" text NOT NULL,
	"rule" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "nbh_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"area_id" text NOT NULL,
	"series_id" uuid,
	"type" text NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"address" text,
	"online_url" text,
	"online_platform" text,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"accepts_questions" boolean DEFAULT true NOT NULL,
	"cancelled_at" timestamp with time zone,
	"sequence" integer DEFAULT 0 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "nbh_events_ends_after_start" CHECK ("nbh_events"."ends_at" > "nbh_events"."starts_at")
);
--> statement-breakpoint
CREATE TABLE "nbh_locations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"area_id" text NOT NULL,
	"name" text NOT NULL,
	"type" text DEFAULT 'station' NOT NULL,
	"address" text NOT NULL,
	"postcode" text,
	"lat" double precision NOT NULL,
	"lng" double precision NOT NULL,
	"opening_hours" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"description" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "nbh_meeting_priorities" (
	"event_id" uuid NOT NULL,
	"priority_id" uuid NOT NULL,
	CONSTRAINT "nbh_meeting_priorities_event_id_priority_id_pk" PRIMARY KEY("event_id","priority_id")
);
--> statement-breakpoint
CREATE TABLE "nbh_meeting_records" (
	"event_id" uuid PRIMARY KEY NOT NULL,
	"attendance_in_person" integer DEFAULT 0 NOT NULL,
	"attendance_online" integer DEFAULT 0 NOT NULL,
	"summary" text,
	"recorded_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "nbh_priorities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"area_id" text NOT NULL,
	"issue" text NOT NULL,
	"issue_date" date NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"last_reviewed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"proposal_id" uuid,
	"event_id" uuid,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "nbh_priorities_status_check" CHECK ("nbh_priorities"."status" in ('open','in_progress','resolved'))
);
--> statement-breakpoint
CREATE TABLE "nbh_priority_updates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"priority_id" uuid NOT NULL,
	"action" text NOT NULL,
	"action_date" date NOT NULL,
	"status" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "nbh_profiles" (
	"area_id" text PRIMARY KEY NOT NULL,
	"welcome_message" text,
	"engagement" text,
	"contact_details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"links" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "nbh_proposal_supports" (
	"proposal_id" uuid NOT NULL,
	"supporter_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "nbh_proposal_supports_proposal_id_supporter_key_pk" PRIMARY KEY("proposal_id","supporter_key")
);
--> statement-breakpoint
CREATE TABLE "nbh_proposals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"area_id" text NOT NULL,
	"issue" text NOT NULL,
	"details" text,
	"status" text DEFAULT 'open' NOT NULL,
	"priority_id" uuid,
	"response" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "nbh_team_members" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"area_id" text NOT NULL,
	"name" text NOT NULL,
	"rank" text NOT NULL,
	"role" text,
	"bio" text,
	"email" text,
	"telephone" text,
	"is_named_contact" boolean DEFAULT false NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"photo" "bytea",
	"photo_type" text,
	"photo_alt" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "nbh_contact_replies" ADD CONSTRAINT "nbh_contact_replies_query_id_nbh_contact_queries_id_fk" FOREIGN KEY ("query_id") REFERENCES "public"."nbh_contact_queries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nbh_event_questions" ADD CONSTRAINT "nbh_event_questions_event_id_nbh_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."nbh_events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nbh_events" ADD CONSTRAINT "nbh_events_series_id_nbh_event_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."nbh_event_series"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nbh_meeting_priorities" ADD CONSTRAINT "nbh_meeting_priorities_event_id_nbh_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."nbh_events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nbh_meeting_priorities" ADD CONSTRAINT "nbh_meeting_priorities_priority_id_nbh_priorities_id_fk" FOREIGN KEY ("priority_id") REFERENCES "public"."nbh_priorities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nbh_meeting_records" ADD CONSTRAINT "nbh_meeting_records_event_id_nbh_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."nbh_events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nbh_priority_updates" ADD CONSTRAINT "nbh_priority_updates_priority_id_nbh_priorities_id_fk" FOREIGN KEY ("priority_id") REFERENCES "public"."nbh_priorities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nbh_proposal_supports" ADD CONSTRAINT "nbh_proposal_supports_proposal_id_nbh_proposals_id_fk" FOREIGN KEY ("proposal_id") REFERENCES "public"."nbh_proposals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "nbh_contact_queries_area_idx" ON "nbh_contact_queries" USING btree ("area_id","status","created_at");--> statement-breakpoint
CREATE INDEX "nbh_contact_replies_query_idx" ON "nbh_contact_replies" USING btree ("query_id","created_at");--> statement-breakpoint
CREATE INDEX "nbh_event_questions_event_idx" ON "nbh_event_questions" USING btree ("event_id","created_at");--> statement-breakpoint
CREATE INDEX "nbh_events_area_idx" ON "nbh_events" USING btree ("area_id","starts_at");--> statement-breakpoint
CREATE INDEX "nbh_events_series_idx" ON "nbh_events" USING btree ("series_id");--> statement-breakpoint
CREATE INDEX "nbh_locations_area_idx" ON "nbh_locations" USING btree ("area_id");--> statement-breakpoint
CREATE INDEX "nbh_priorities_area_idx" ON "nbh_priorities" USING btree ("area_id","status");--> statement-breakpoint
CREATE INDEX "nbh_priority_updates_priority_idx" ON "nbh_priority_updates" USING btree ("priority_id","action_date");--> statement-breakpoint
CREATE INDEX "nbh_proposals_area_idx" ON "nbh_proposals" USING btree ("area_id","status");--> statement-breakpoint
CREATE INDEX "nbh_team_members_area_idx" ON "nbh_team_members" USING btree ("area_id","sort_order");--> statement-breakpoint
CREATE UNIQUE INDEX "nbh_team_members_one_named_contact" ON "nbh_team_members" USING btree ("area_id") WHERE "nbh_team_members"."is_named_contact";
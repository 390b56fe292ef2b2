ALTER TABLE "msg_subscribers" ADD COLUMN "alerts_consent_force" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "msg_subscribers" ADD COLUMN "alerts_consent_opcc" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- Keeps msg_subscribers.alerts_consent_<organisation> equal to the latest msg_consents row for
-- (subscriber, organisation, 'alerts'); a withdrawal recorded at the same instant as a consent
-- wins (order by at desc, given: false sorts first). One set-based update per statement, from
-- the rows it inserted or deleted, so bulk inserts stay fast.
CREATE FUNCTION msg_consents_refresh_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE msg_subscribers s SET
    alerts_consent_force = coalesce((SELECT c.given FROM msg_consents c
       WHERE c.subscriber_id = s.id AND c.organisation = 'force' AND c.purpose = 'alerts'
       ORDER BY c.at DESC, c.given LIMIT 1), false),
    alerts_consent_opcc = coalesce((SELECT c.given FROM msg_consents c
       WHERE c.subscriber_id = s.id AND c.organisation = 'opcc' AND c.purpose = 'alerts'
       ORDER BY c.at DESC, c.given LIMIT 1), false)
  WHERE s.id IN (SELECT DISTINCT subscriber_id FROM changed WHERE purpose = 'alerts');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER msg_consents_state_insert AFTER INSERT ON msg_consents
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION msg_consents_refresh_state();
--> statement-breakpoint
CREATE TRIGGER msg_consents_state_delete AFTER DELETE ON msg_consents
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION msg_consents_refresh_state();
--> statement-breakpoint
CREATE TRIGGER msg_consents_state_update AFTER UPDATE ON msg_consents
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION msg_consents_refresh_state();
--> statement-breakpoint
-- Existing residents: their state from the consents already recorded.
UPDATE msg_subscribers s SET
  alerts_consent_force = coalesce((SELECT c.given FROM msg_consents c
     WHERE c.subscriber_id = s.id AND c.organisation = 'force' AND c.purpose = 'alerts'
     ORDER BY c.at DESC, c.given LIMIT 1), false),
  alerts_consent_opcc = coalesce((SELECT c.given FROM msg_consents c
     WHERE c.subscriber_id = s.id AND c.organisation = 'opcc' AND c.purpose = 'alerts'
     ORDER BY c.at DESC, c.given LIMIT 1), false)
WHERE EXISTS (SELECT 1 FROM msg_consents c WHERE c.subscriber_id = s.id AND c.purpose = 'alerts');

-- Targeting reads a resident's home area from their own row (msg_subscribers.home_area_id)
-- and only their other places from msg_subscriber_places: the home place is four in five of
-- all places, and hashing them was a third of the audience query (docs/performance.md,
-- "Messaging targeting", fourth round). For that to be exact, a home place's area must be
-- the resident's home_area_id: at most one home place each, and a trigger copying its area.
--
-- A second home place (none is made by Beacon) becomes an ordinary one.
UPDATE "msg_subscriber_places" p SET "label" = 'other'
 WHERE p."label" = 'home'
   AND p."id" <> (SELECT min(h."id"::text)::uuid FROM "msg_subscriber_places" h
                   WHERE h."subscriber_id" = p."subscriber_id" AND h."label" = 'home');--> statement-breakpoint
CREATE UNIQUE INDEX "msg_places_one_home" ON "msg_subscriber_places" USING btree ("subscriber_id") WHERE "msg_subscriber_places"."label" = 'home';--> statement-breakpoint
CREATE INDEX "msg_places_away_path_idx" ON "msg_subscriber_places" USING btree ("area_path","subscriber_id") WHERE "msg_subscriber_places"."label" <> 'home';--> statement-breakpoint
CREATE INDEX "msg_subscribers_home_area_idx" ON "msg_subscribers" USING btree ("home_area_id");--> statement-breakpoint
-- After any change to places, a resident with a home place has its area as home_area_id.
-- (A resident without one keeps whatever home_area_id says: it counts as followed.) One
-- set-based update per statement, and only rows that differ are written.
CREATE FUNCTION msg_places_refresh_home() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE msg_subscribers s SET home_area_id = h.area_id
    FROM msg_subscriber_places h
   WHERE h.subscriber_id = s.id AND h.label = 'home'
     AND s.id IN (SELECT DISTINCT subscriber_id FROM changed)
     AND s.home_area_id IS DISTINCT FROM h.area_id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER msg_places_home_insert AFTER INSERT ON msg_subscriber_places
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION msg_places_refresh_home();
--> statement-breakpoint
CREATE TRIGGER msg_places_home_update AFTER UPDATE ON msg_subscriber_places
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION msg_places_refresh_home();
--> statement-breakpoint
-- A resident whose home place goes (and who has no other) has no home area any more.
CREATE FUNCTION msg_places_forget_home() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE msg_subscribers s SET home_area_id = NULL
   WHERE s.id IN (SELECT DISTINCT subscriber_id FROM changed WHERE label = 'home')
     AND s.home_area_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM msg_subscriber_places h WHERE h.subscriber_id = s.id AND h.label = 'home');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER msg_places_home_delete AFTER DELETE ON msg_subscriber_places
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION msg_places_forget_home();
--> statement-breakpoint
-- A direct change to home_area_id cannot move it away from the home place.
CREATE FUNCTION msg_subscribers_keep_home() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT h.area_id INTO NEW.home_area_id FROM msg_subscriber_places h
   WHERE h.subscriber_id = NEW.id AND h.label = 'home'
  UNION ALL SELECT NEW.home_area_id
  LIMIT 1;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER msg_subscribers_home BEFORE UPDATE OF home_area_id ON msg_subscribers
  FOR EACH ROW EXECUTE FUNCTION msg_subscribers_keep_home();
--> statement-breakpoint
-- Existing residents.
UPDATE msg_subscribers s SET home_area_id = h.area_id
  FROM msg_subscriber_places h
 WHERE h.subscriber_id = s.id AND h.label = 'home' AND s.home_area_id IS DISTINCT FROM h.area_id;
